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
:mod:`grader.sandbox_setup`; this module runs and talks to it. The protocol is
length-prefixed :mod:`grader.sandboxed.codec` frames over two pipes; the student's prints go to a
file the grader reads back, truncated, as text.
"""

from __future__ import annotations

import os
import secrets
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import cgroups, jaxcache, sandbox_files
from grader.sandbox_setup import (  # noqa: F401 (re-exported: the public names stay here)
    COMPILE_CACHE_MOUNT,
    SANDBOX_UID_RANGE,
    SUBMISSION_MOUNT,
    SandboxConfig,
    SandboxError,
    _boot_code,
    _bwrap_argv,
    _is_root,
    _library_roots,
    _limits_prefix,
    _setpriv_args,
    _worker_env,
    bwrap_usable,
    can_drop_privileges,
    compile_cache_env,
    resolve_mode,
)
from grader.sandboxed import codec
from grader.sandboxed.reuse import pids_of_uid

MAX_FRAME_BYTES = 512 * 2**20
# A timeout is judged on the time the sandbox had, not the machine's: a call runs out of
# time once it has used ``timeout`` seconds of wall time *and* of CPU time, so correct code on
# a loaded machine (a smaller share of the cores, for longer) is not cut short. Code that uses
# no CPU (a sleep, a deadlock) or is starved for longer is stopped at this many timeouts.
TIMEOUT_WALL_FACTOR = 3.0
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
OUTPUT_SHOWN_BYTES = 4000


@dataclass
class CaseOutcome:
    """What one case produced: a decoded value, or the description of an exception."""

    value: Any = None
    error: dict | None = None


@dataclass
class JobOutcome:
    """The end of one job.

    ``status`` is ``"ok"`` (every case answered), ``"timeout"``, ``"crashed"`` (the worker
    died), or ``"invalid"`` (it sent something that is not a valid answer). ``memory``: the
    crash was the kernel stopping the worker at its memory cgroup's limit.
    """

    status: str
    cases: list[CaseOutcome | None]
    elapsed_s: float
    output: str = ""
    detail: str = ""
    memory: bool = False


@dataclass
class ReadyInfo:
    """The module imported: which functions it defines, and in what kind of process.

    ``fresh`` is False when the module was imported in the child that served the previous
    exercise (see :mod:`grader.sandboxed.reuse`).
    """

    functions: dict[str, str]
    import_s: float
    output: str = ""
    fresh: bool = True


@dataclass
class StartFailure:
    """The module did not import (``kind="import_error"``), or the worker died or hung first."""

    kind: str
    error: dict | None = None
    detail: str = ""
    output: str = ""


class _FrameReader:
    def __init__(self, fd: int):
        self.fd = fd
        self.buf = bytearray()
        self.sel = selectors.DefaultSelector()
        self.sel.register(fd, selectors.EVENT_READ)

    def read(self, deadline: float) -> bytes | None:
        """One frame, or None at EOF. Raises TimeoutError at the deadline."""
        while True:
            if len(self.buf) >= 8:
                (n,) = struct.unpack(">Q", self.buf[:8])
                if n > MAX_FRAME_BYTES:
                    raise codec.CodecError(f"a result larger than {MAX_FRAME_BYTES >> 20} MiB")
                if len(self.buf) >= 8 + n:
                    frame = bytes(self.buf[8 : 8 + n])
                    del self.buf[: 8 + n]
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


class Worker:
    """One sandboxed worker for one submission: a fork server that grades its exercises.

    The sandbox is started once (:meth:`spawn`, paying for Python and jax's imports once);
    each exercise's module is then imported in a child process (:meth:`load`), whose checks
    are run (:meth:`run`) until :meth:`release`. The child serves the next exercise too if
    the module left it as it found it (:mod:`grader.sandboxed.reuse`), else the next module gets a
    fresh child. A child that crashes costs only itself; a timeout or an invalid answer
    kills the whole sandbox (the next exercise gets a new one).

    Args:
      submission_dir: the staged submission (mounted read-only).
      config: limits and isolation.
      hidden: folders that must stay invisible even if they hold Python packages.
      compile_cache: the submission's persistent JAX compilation cache folder: the worker
        gets copies of its entries, and the grader copies new ones back when it closes.
    """

    def __init__(
        self,
        submission_dir: Path,
        config: SandboxConfig,
        hidden: list[Path] = (),
        compile_cache: Path | None = None,
    ):
        self.submission_dir = Path(submission_dir).resolve()
        self.compile_cache = Path(compile_cache) if compile_cache else None
        self.config = config
        self.mode = resolve_mode(config)
        self.hidden = [Path(h).resolve() for h in hidden]
        drop = _is_root() and (self.mode == "bwrap" or can_drop_privileges())
        self.uid = secrets.SystemRandom().randrange(*SANDBOX_UID_RANGE) if drop else None
        self.proc: subprocess.Popen | None = None
        self.loaded: str | None = None  # the module a child is serving
        self._tmp = tempfile.TemporaryDirectory(prefix="grader-")
        self._out_path = Path(self._tmp.name) / "output.txt"
        self._out_pos = 0
        self.cgroup: cgroups.MemoryCgroup | None = None
        self._oom_kills = 0
        self._oomed = False  # the last crash was a memory kill (set by memory_killed)
        self._seeded: set[str] = set()
        # What student code ran in this sandbox: "module:<name>" and "check:<id>" entries.
        self.history: list[str] = []
        self.last_job_fresh = True

    # -- process management ---------------------------------------------------------------

    def spawn(self, timeout: float) -> None:
        """Start the sandbox and wait until it is ready (raises :class:`SandboxError`)."""
        self.start()
        self.wait_booted(timeout)

    def start(self) -> None:
        """Start the sandbox without waiting for it (see :meth:`wait_booted`).

        Call it from a thread that outlives the worker: bubblewrap's ``--die-with-parent``
        ends the sandbox when the thread that started it ends.
        """
        limits = _limits_prefix(self.config, self.uid)
        seed = jaxcache.seed_entries(self.compile_cache)
        self._seeded = {name for name, _ in seed}
        copies = sandbox_files.Copies()
        if self.mode == "bwrap":
            python = [sys.executable, "-I", "-B", "-c", _boot_code(_library_roots())]
            bwrap, copies = _bwrap_argv(
                self.submission_dir, self.config, self.hidden, self.uid, self.compile_cache, seed
            )
            argv = limits + bwrap + python
            env, cwd = None, None
        else:
            python = [sys.executable, "-I", "-B", "-c", _boot_code()]
            argv = limits + (_setpriv_args(self.uid) if self.uid is not None else []) + python
            cache = self._rlimits_cache(seed)
            if self.uid is not None:
                os.chown(self._tmp.name, self.uid, self.uid)
            env = _worker_env(self.config, cache)
            env["HOME"] = env["TMPDIR"] = self._tmp.name
            env["XDG_CACHE_HOME"] = f"{self._tmp.name}/.cache"
            # -I drops PYTHONPATH; the worker imports grader through the installed package.
            cwd = self._tmp.name
        # The whole worker in a memory cgroup (tmpfs and memfd pages count), joined before
        # anything runs; its limit covers the copies the grader hands it too.
        self.cgroup = cgroups.create(self.config.memory_mb * 2**20 + copies.bytes)
        if self.cgroup is not None:
            argv = cgroups.join_prefix(self.cgroup) + argv
        job_r, job_w = os.pipe()
        res_r, res_w = os.pipe()
        out = open(self._out_path, "ab")
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=job_r,
                stdout=res_w,
                stderr=out,
                env=env,
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
                pass_fds=copies.fds,
            )
        except OSError as exc:
            self._remove_cgroup()
            raise SandboxError(f"could not start a worker: {exc}") from exc
        finally:
            os.close(job_r)
            os.close(res_w)
            out.close()
            copies.close()
        self._job_fd = job_w
        self._reader = _FrameReader(res_r)
        self._res_fd = res_r
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
            "op": "init",
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
            if msg.get("op") in ("released", "child_died"):  # the child ended at import
                return StartFailure(
                    "crashed", detail=_child_detail(msg, self), output=self._take_output()
                )
            if msg.get("op") == "import_error" and isinstance(msg.get("error"), dict):
                error = msg["error"]
                self._expect_end(time.monotonic() + timeout)  # the child returns after reporting
                return StartFailure("import_error", error=error, output=self._take_output())
            if msg.get("op") != "ready" or not isinstance(msg.get("functions"), dict):
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
        if not self._send({"op": "next"}):
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
                if reuse and msg.get("op") == "idle":
                    return None
                if reuse and msg.get("op") == "leaving" and isinstance(msg.get("reason"), str):
                    reason, reuse = msg["reason"][:200], False  # the fork server's word follows
                    continue
                if msg.get("op") in ("released", "child_died"):
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
            ok = frame is not None and codec.decode(frame) == {"op": "booted"}
        except (TimeoutError, codec.CodecError):
            ok = False
        if not ok:
            output = self._take_output()
            self.kill()
            raise SandboxError(f"the worker did not start ({self.mode} mode):\n{output.strip()}")

    def _send(self, obj: Any) -> bool:
        try:
            codec.write_frame(self._job_fd, codec.encode(obj, allow_refs=True))
            return True
        except (BrokenPipeError, OSError):
            return False

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """Kill the worker and everything it started (its session; bwrap's PID namespace)."""
        self.loaded = None
        if self.proc is None:
            return
        if self.mode == "bwrap" and self.uid is not None and self.proc.poll() is None:
            # The sandbox's processes first, while bubblewrap is there to reap its init (the
            # fork server): killed after bubblewrap, it would stay a zombie for seconds.
            _kill_uid(self.uid, wait_s=2.0)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.uid is not None:
            _kill_uid(self.uid)

    def close(self) -> None:
        """Stop the worker and release its resources.

        Killed at once rather than asked to end: everything it had to say has been read,
        and waiting for a polite exit cost 0.1 s, a tenth of a one-exercise run.
        """
        if self.proc is not None:
            try:
                os.close(self._job_fd)
            except OSError:
                pass
            self._harvest_cache()
            self.kill()
            try:
                os.close(self._res_fd)
            except OSError:
                pass
            self._reader.close()
            self.proc = None
        self._remove_cgroup()
        self._tmp.cleanup()

    # -- what the grader keeps of a worker, and what it gives back ---------------------------

    def _rlimits_cache(self, seed: list[tuple[str, int]]) -> str | None:
        """Without bubblewrap: the worker's cache folder in its private temporary folder,
        seeded with copies (the host's folder is never handed to it)."""
        if self.compile_cache is None:
            return None
        folder = Path(self._tmp.name) / ".jaxcache"
        folder.mkdir(exist_ok=True)
        for name, _ in seed:
            try:
                shutil.copyfile(self.compile_cache / name, folder / name)
            except OSError:
                self._seeded.discard(name)
        if self.uid is not None:
            os.chown(folder, self.uid, self.uid)
        return str(folder)

    def _harvest_cache(self) -> None:
        """Copy the worker's new compilation cache entries back to the host (bounded; see
        :func:`grader.jaxcache.harvest`), while its private /tmp still exists."""
        if self.compile_cache is None or not self.alive():
            return
        if self.mode != "bwrap":
            source = str(Path(self._tmp.name) / ".jaxcache")
        else:
            root = _sandbox_root(self.proc.pid)
            if root is None:
                return
            source = f"{root}{COMPILE_CACHE_MOUNT}"
        jaxcache.harvest(source, self.compile_cache, self._seeded)

    def _remove_cgroup(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None

    def memory_killed(self) -> bool:
        """Whether the kernel stopped one of this worker's processes for going over its
        memory limit since the last call (a memory cgroup's own count)."""
        if self.cgroup is None:
            return False
        seen, self._oom_kills = self._oom_kills, self.cgroup.oom_kills()
        self._oomed = self._oom_kills > seen
        return self._oomed

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _death_detail(self) -> str:
        if self.proc is None:
            return ""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "stopped answering"
        signum = -code if code < 0 else (code - 128 if code > 128 else 0)
        return _status_detail(signum, code, self)

    def _take_output(self) -> str:
        """The output printed since the last call, truncated for display."""
        try:
            with open(self._out_path, "rb") as f:
                f.seek(self._out_pos)
                data = f.read(OUTPUT_SHOWN_BYTES + 1)
                end = f.seek(0, os.SEEK_END)
        except OSError:
            return ""
        self._out_pos = end
        text = data[:OUTPUT_SHOWN_BYTES].decode("utf-8", errors="replace")
        return text + ("\n… (output truncated)" if len(data) > OUTPUT_SHOWN_BYTES else "")

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
            "op": "run",
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
                if isinstance(msg, dict) and msg.get("op") in ("released", "child_died"):
                    # The child ended (os._exit, a crash): the fork server is still there.
                    self.loaded = None
                    detail = _child_detail(msg, self)
                    return JobOutcome(
                        "crashed", outcomes, elapsed, self._take_output(), detail, self._oomed
                    )
                if not isinstance(msg, dict) or msg.get("id") != job_id:
                    raise codec.CodecError("an answer to another job")
                if msg.get("op") == "done":
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
                if msg.get("op") != "case" or type(index) is not int:
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


def _status_detail(signum: int, code: int, worker: Worker) -> str:
    """How a process ended, in words that fit after "the process running f()"."""
    path = worker._out_path
    size = path.stat().st_size if path.exists() else 0
    if signum == signal.SIGXFSZ or size >= worker.config.output_mb * 2**20:
        return f"printed more than {worker.config.output_mb} MiB of output"
    if signum == signal.SIGKILL and worker.memory_killed():
        return f"used more than {worker.config.memory_mb} MiB of memory, its limit"
    if signum == signal.SIGKILL:
        return "was killed (it probably ran out of memory)"
    if signum:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"crashed ({name})"
    return f"ended the process itself (exit status {code}: os._exit or sys.exit?)"


def _child_detail(msg: dict, worker: Worker) -> str:
    """The fork server's report of a child's end (``released`` means exit status 0)."""
    if msg.get("op") == "released":
        return _status_detail(0, 0, worker)
    signum, code = msg.get("signal"), msg.get("code")
    signum = signum if type(signum) is int else 0
    code = code if type(code) is int else -1
    return _status_detail(signum, code, worker)


def _sandbox_root(bwrap_pid: int) -> str | None:
    """``/proc/PID/root`` of the sandbox started by the bubblewrap process ``bwrap_pid``
    (its child, in the sandbox's mount namespace), or None."""
    try:
        with open(f"/proc/{bwrap_pid}/task/{bwrap_pid}/children") as f:
            children = [int(p) for p in f.read().split()]
        own = os.stat("/proc/self/ns/mnt").st_ino
        for pid in children:
            if os.stat(f"/proc/{pid}/ns/mnt").st_ino != own:
                return f"/proc/{pid}/root"
    except (OSError, ValueError):
        pass
    return None


def _kill_uid(uid: int, wait_s: float = 10.0) -> None:
    """Kill every process left running under a worker's private uid (forks that escaped
    the process group, stragglers while the PID namespace is torn down)."""
    deadline = time.monotonic() + wait_s
    while True:
        # A zombie is dead already: the sandbox's init, once bubblewrap is gone, waits for the
        # host's init to reap it (up to seconds), and holds nothing but its pid meanwhile.
        pids = [p for p in pids_of_uid(uid) if not _is_zombie(p)]
        if not pids or time.monotonic() > deadline:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True  # gone


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
