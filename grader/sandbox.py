"""Starts and talks to sandboxed worker processes that run student code.

Each worker runs ``python -m grader.sandboxed.worker`` under bubblewrap (``bwrap``): no network, its own
PID/IPC/UTS namespaces (the fork server is the namespace's init, which nothing inside can
kill), an empty root where only the Python installation is mounted and copies of the
worker's own files, ``jaxnn``, the submission and the compilation cache's seed are placed
(no host path shows in ``/proc/self/mountinfo``: :mod:`grader.sandbox_files`), a private
size-capped ``/tmp``, a clean environment, and, when the grader runs as root, a private uid
without capabilities. The solutions, the checks, frozen expectations and everything else on
the machine are simply not there. It dies with the grader.

Where ``bwrap`` is missing or unusable the worker runs as a plain process in its own session
with the same resource limits, and reports say ``"sandbox": "rlimits"``.

Either way: a memory cgroup bounding all the worker's memory, tmpfs and memfd pages
included (:mod:`grader.cgroups`; where none can be made, only the address-space cap), an
address-space cap per process, a file-size cap (output), a process cap where the kernel
enforces one, and a wall-clock deadline per check after which the whole process tree is
killed. The worker's JAX cache entries are copied back to the host by the grader, bounded
(:mod:`grader.jaxcache`); nothing else it writes outlives it.

How a worker is started (bubblewrap's command line, its environment and limits) is in
:mod:`grader.sandbox_setup`; how its process is run, killed and diagnosed, in
:mod:`grader.sandbox_process`; this module talks to it. The protocol
(:mod:`grader.sandboxed.protocol`) is length-prefixed :mod:`grader.sandboxed.codec` frames over
two pipes; the student's prints go to a file the grader reads back, truncated, as text.
"""

from __future__ import annotations

import os
import selectors
import time
from pathlib import Path
from typing import Any

from grader.sandbox_outcomes import CaseOutcome, JobOutcome, ReadyInfo, StartFailure
from grader.sandbox_process import OUTPUT_SHOWN_BYTES, SandboxProcess  # noqa: F401 (public)
from grader.sandbox_setup import (  # noqa: F401 (re-exported: the public names stay here)
    COMPILE_CACHE_MOUNT,
    SANDBOX_UID_RANGE,
    SUBMISSION_MOUNT,
    SandboxConfig,
    SandboxError,
    bwrap_usable,
    can_drop_privileges,
    compile_cache_env,
    resolve_mode,
)
from grader.sandboxed import codec
from grader.sandboxed.protocol import (
    CHILD_ENDED_OPS,
    OP_BOOTED,
    OP_CASE,
    OP_DONE,
    OP_IDLE,
    OP_IMPORT_ERROR,
    OP_INIT,
    OP_LEAVING,
    OP_NEXT,
    OP_READY,
    OP_RELEASED,
    OP_RUN,
    take_frame,
    write_frame,
)
from grader.sandboxed.reuse import pids_of_uid

# A timeout is judged on the time the sandbox had, not the machine's: a call runs out of
# time once it has used ``timeout`` seconds of wall time *and* of CPU time, so correct code on
# a loaded machine (a smaller share of the cores, for longer) is not cut short. Code that uses
# no CPU (a sleep, a deadlock) or is starved for longer is stopped at this many timeouts.
TIMEOUT_WALL_FACTOR = 3.0
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


class _FrameReader:
    """Reads the worker's frames as they come, within deadlines (see :func:`take_frame`)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buf = bytearray()
        self.sel = selectors.DefaultSelector()
        self.sel.register(fd, selectors.EVENT_READ)

    def read(self, deadline: float) -> bytes | None:
        """One frame, or None at EOF. Raises TimeoutError at the deadline, and
        :class:`grader.sandboxed.protocol.FrameTooLarge` (a ``CodecError``) for a frame
        announcing more than ``MAX_FRAME_BYTES``."""
        while True:
            frame = take_frame(self.buf)
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not self.sel.select(remaining):
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buf += chunk

    def close(self) -> None:
        self.sel.close()


class Worker(SandboxProcess):
    """One sandboxed worker for one submission: a fork server that grades its exercises.

    The sandbox is started once (:meth:`spawn`, paying for Python and jax's imports once);
    each exercise's module is then imported in a child process (:meth:`load`), whose checks
    are run (:meth:`run`) until :meth:`release`. The child serves the next exercise too if
    the module left it as it found it (:mod:`grader.sandboxed.reuse`), else the next module gets a
    fresh child. A child that crashes costs only itself; a timeout or an invalid answer
    kills the whole sandbox (the next exercise gets a new one).

    This class speaks the protocol (:mod:`grader.sandboxed.protocol`) and keeps the time;
    starting, confining, killing and diagnosing the process is :class:`SandboxProcess`'s
    (whose arguments it takes).
    """

    def __init__(
        self,
        submission_dir: Path,
        config: SandboxConfig,
        hidden: list[Path] = (),
        compile_cache: Path | None = None,
    ):
        super().__init__(submission_dir, config, hidden, compile_cache)
        self.loaded: str | None = None  # the module a child is serving
        self._reader: _FrameReader | None = None
        # What student code ran in this sandbox: "module:<name>" and "check:<id>" entries.
        self.history: list[str] = []
        self.last_job_fresh = True

    # -- the process ------------------------------------------------------------------------

    def spawn(self, timeout: float) -> None:
        """Start the sandbox and wait until it is ready (raises :class:`SandboxError`)."""
        self.start()
        self.wait_booted(timeout)

    def start(self) -> None:
        """Start the sandbox without waiting for it (see :meth:`wait_booted`).

        Call it from a thread that outlives the worker: bubblewrap's ``--die-with-parent``
        ends the sandbox when the thread that started it ends.
        """
        super().start()
        self._reader = _FrameReader(self._res_fd)
        self.loaded = None

    def wait_booted(self, timeout: float) -> None:
        """Wait for the started sandbox's first word (raises :class:`SandboxError`)."""
        self._await_boot(time.monotonic() + timeout)

    def load(
        self, file_name: str, module_name: str, functions: list[str], timeout: float
    ) -> ReadyInfo | StartFailure:
        """Import the submission's ``file_name`` as ``module_name`` in a new child process."""
        if self.loaded is not None:
            self.release()
        self.history.append(f"module:{module_name}")
        if self.mode == "bwrap":
            module_path, sys_path = f"{SUBMISSION_MOUNT}/{file_name}", [SUBMISSION_MOUNT]
        else:
            module_path, sys_path = str(self.submission_dir / file_name), [str(self.submission_dir)]
        init = {
            "op": OP_INIT,
            "module_path": module_path,
            "module_name": module_name,
            "sys_path": sys_path,
            "functions": list(functions),
        }
        if not self._send(init):
            return StartFailure("crashed", detail=self._death_detail(), output=self._take_output())
        start, cpu0 = time.monotonic(), self.cpu_seconds()
        try:
            frame = self._read_within(start, timeout, cpu0)
        except TimeoutError:
            self.kill()
            return StartFailure("timeout", output=self._take_output())
        except codec.CodecError as exc:
            self.kill()
            return StartFailure("invalid", detail=str(exc), output=self._take_output())
        if frame is None:
            self.kill()
            return StartFailure("crashed", detail=self._death_detail(), output=self._take_output())
        try:
            msg = codec.decode(frame)
            if not isinstance(msg, dict):
                raise codec.CodecError("not a message")
            if msg.get("op") in CHILD_ENDED_OPS:  # the child ended at import
                return StartFailure(
                    "crashed", detail=self._child_detail(msg), output=self._take_output()
                )
            if msg.get("op") == OP_IMPORT_ERROR and isinstance(msg.get("error"), dict):
                error = msg["error"]
                self._expect_end(time.monotonic() + timeout)  # the child returns after reporting
                return StartFailure("import_error", error=error, output=self._take_output())
            if msg.get("op") != OP_READY or not isinstance(msg.get("functions"), dict):
                raise codec.CodecError("unexpected message")
            functions = {str(k): str(v) for k, v in msg["functions"].items()}
            import_s = float(msg.get("import_s", 0.0))
            fresh = msg.get("fresh", True) is not False
        except (codec.CodecError, TypeError, ValueError) as exc:
            self.kill()
            return StartFailure("invalid", detail=str(exc), output=self._take_output())
        self.loaded = module_name
        return ReadyInfo(
            functions=functions, import_s=import_s, output=self._take_output(), fresh=fresh
        )

    def release(self, timeout: float = 10.0) -> str | None:
        """Finish with the current module (the sandbox stays for the next one).

        Returns:
          None if its child stays to import the next module, else why the next one will be
          imported in a fresh child (the child then ended).
        """
        if self.loaded is None or not self.alive():
            self.loaded = None
            return "no child"
        self.loaded = None
        if not self._send({"op": OP_NEXT}):
            self.kill()
            return "the worker is gone"
        return self._expect_end(time.monotonic() + timeout, reuse=True)

    def _expect_end(self, deadline: float, reuse: bool = False) -> str | None:
        """Read that the child ended (or, with ``reuse``, that it waits for the next module).

        Anything else kills the whole sandbox. Returns None if the child waits, else why not.
        """
        reason = "the child ended"
        try:
            while True:
                frame = self._reader.read(deadline)
                msg = codec.decode(frame) if frame is not None else None
                if not isinstance(msg, dict):
                    break
                if reuse and msg.get("op") == OP_IDLE:
                    return None
                if reuse and msg.get("op") == OP_LEAVING and isinstance(msg.get("reason"), str):
                    reason, reuse = msg["reason"][:200], False  # the fork server's word follows
                    continue
                if msg.get("op") in CHILD_ENDED_OPS:
                    return reason
                break
        except (TimeoutError, codec.CodecError):
            pass
        self.kill()
        return "the worker did not answer"

    def _await_boot(self, deadline: float) -> None:
        """Wait for the worker's first frame, sent before any student code runs: a failure
        before it is the grader's (a broken installation, an unusable sandbox)."""
        try:
            frame = self._reader.read(deadline)
            ok = frame is not None and codec.decode(frame) == {"op": OP_BOOTED}
        except (TimeoutError, codec.CodecError):
            ok = False
        if not ok:
            output = self._take_output()
            self.kill()
            raise SandboxError(f"the worker did not start ({self.mode} mode):\n{output.strip()}")

    def _send(self, obj: Any) -> bool:
        try:
            write_frame(self._job_fd, codec.encode(obj, allow_refs=True))
            return True
        except (BrokenPipeError, OSError):
            return False

    def kill(self) -> None:
        """Kill the worker and everything it started (its session; bwrap's PID namespace)."""
        self.loaded = None
        super().kill()

    def close(self) -> None:
        """Stop the worker and release its resources (see :meth:`SandboxProcess.close`)."""
        super().close()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _child_detail(self, msg: dict) -> str:
        """The fork server's report of a child's end (``released`` means exit status 0)."""
        if msg.get("op") == OP_RELEASED:
            return self._status_detail(0, 0)
        signum, code = msg.get("signal"), msg.get("code")
        signum = signum if type(signum) is int else 0
        code = code if type(code) is int else -1
        return self._status_detail(signum, code)

    # -- time ----------------------------------------------------------------------------------

    def cpu_seconds(self) -> float | None:
        """The CPU time (user + system, reaped children included) of every process of the
        sandbox, from the kernel's accounting (``/proc``); None without a private uid.

        Unlike wall time, it hardly depends on what else the machine runs: under load a call
        gets a smaller share of the cores for longer, and its CPU time stays the same.
        """
        if self.uid is None:
            return None
        ticks = 0
        for pid in pids_of_uid(self.uid):
            try:
                with open(f"/proc/{pid}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                ticks += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            except (OSError, IndexError, ValueError):
                continue  # it ended meanwhile
        return ticks * _TICK_S

    def _read_within(self, start: float, timeout: float, cpu0: float | None) -> bytes | None:
        """The next frame, or TimeoutError once ``timeout`` s of wall *and* CPU time have
        passed since ``start`` (CPU time counted from ``cpu0``), or TIMEOUT_WALL_FACTOR x
        ``timeout`` of wall time whatever the CPU time."""
        deadline, last = start + timeout, start + TIMEOUT_WALL_FACTOR * timeout
        while True:
            try:
                return self._reader.read(deadline)
            except TimeoutError:
                now, cpu = time.monotonic(), self.cpu_seconds()
                left = timeout - (cpu - cpu0) if cpu is not None and cpu0 is not None else 0.0
                if now >= last or left <= 0:
                    raise
                deadline = min(last, now + left)  # it cannot finish its CPU time sooner

    # -- jobs --------------------------------------------------------------------------------

    def run(
        self,
        job_id: str,
        function: str,
        driver: str,
        cases: list[dict],
        timeout: float,
        options: dict | None = None,
    ) -> JobOutcome:
        """Run one check's cases and collect their outcomes within ``timeout`` seconds.

        The elapsed time is measured here, from sending the job to its last answer, so the
        student's code cannot misreport it.
        """
        job = {
            "op": OP_RUN,
            "id": job_id,
            "function": function,
            "driver": driver,
            "options": options or {},
            "cases": cases,
        }
        outcomes: list[CaseOutcome | None] = [None] * len(cases)
        # Fresh: nothing but this check (its rounds "<id>#<n>") and its module ran here before.
        own = {f"check:{job_id.split('#')[0]}", f"module:{self.loaded}"}
        self.last_job_fresh = all(h in own for h in self.history)
        self.history.append(f"check:{job_id.split('#')[0]}")
        start, cpu0 = time.monotonic(), self.cpu_seconds()
        self._oomed = False
        if not self._send(job):
            detail = self._death_detail()
            return JobOutcome("crashed", outcomes, 0.0, self._take_output(), detail, self._oomed)
        while True:
            try:
                frame = self._read_within(start, timeout, cpu0)
            except TimeoutError:
                elapsed = time.monotonic() - start
                self.kill()
                return JobOutcome("timeout", outcomes, elapsed, self._take_output())
            except codec.CodecError as exc:
                self.kill()
                elapsed = time.monotonic() - start
                return JobOutcome("invalid", outcomes, elapsed, self._take_output(), str(exc))
            elapsed = time.monotonic() - start
            if frame is None:
                detail = self._death_detail()
                return JobOutcome(
                    "crashed", outcomes, elapsed, self._take_output(), detail, self._oomed
                )
            try:
                msg = codec.decode(frame)
                if isinstance(msg, dict) and msg.get("op") in CHILD_ENDED_OPS:
                    # The child ended (os._exit, a crash): the fork server is still there.
                    self.loaded = None
                    detail = self._child_detail(msg)
                    return JobOutcome(
                        "crashed", outcomes, elapsed, self._take_output(), detail, self._oomed
                    )
                if not isinstance(msg, dict) or msg.get("id") != job_id:
                    raise codec.CodecError("an answer to another job")
                if msg.get("op") == OP_DONE:
                    if any(o is None for o in outcomes):
                        raise codec.CodecError("a case without an answer")
                    broken = next(
                        (o.error for o in outcomes if o.error and o.error["transport"]), None
                    )
                    if broken is not None:  # the worker could not send a result: see worker.py
                        detail = (
                            f"its result could not be sent: {broken['type']}: {broken['message']}"
                        )
                        return JobOutcome(
                            "invalid", outcomes, elapsed, self._take_output(), detail[:500]
                        )
                    return JobOutcome("ok", outcomes, elapsed, self._take_output())
                index = msg.get("index")
                if msg.get("op") != OP_CASE or type(index) is not int:
                    raise codec.CodecError("unexpected message")
                if not 0 <= index < len(cases) or outcomes[index] is not None:
                    raise codec.CodecError("an answer to a case that was not asked")
                if "error" in msg:
                    outcomes[index] = CaseOutcome(error=_clean_error(msg["error"]))
                elif "value" in msg:
                    outcomes[index] = CaseOutcome(value=msg["value"])
                else:
                    raise codec.CodecError("an answer without a value")
            except codec.CodecError as exc:
                self.kill()
                return JobOutcome("invalid", outcomes, elapsed, self._take_output(), str(exc))


def _clean_error(error: Any) -> dict:
    """The worker's exception description, reduced to known fields of known types."""
    if not isinstance(error, dict):
        raise codec.CodecError("malformed error")
    out = {}
    for key in ("type", "message", "traceback"):
        value = error.get(key, "")
        out[key] = value[:4000] if isinstance(value, str) else ""
    for key in ("not_implemented", "memory", "transport"):
        out[key] = error.get(key) is True
    return out
