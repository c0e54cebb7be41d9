"""The sandbox's process: starting it confined, killing it and all it left, why it died.

:class:`SandboxProcess` is the host's side of one sandboxed worker process, without the
protocol (which :class:`grader.sandbox.Worker` adds on top of it): it starts
``python -m grader.sandboxed.worker`` under bubblewrap or with resource limits only (the
command line, environment and limits come from :mod:`grader.sandbox_setup`), in a memory
cgroup (:mod:`grader.cgroups`) under a private uid where it can; it kills the whole process
tree, the uid's stragglers included; it says in words why the process ended (a signal, the
output or memory limit); it reads back what the student printed, truncated; and it seeds and
harvests the JAX compilation cache (:mod:`grader.jaxcache`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

from grader import cgroups, jaxcache, sandbox_files
from grader.sandbox_setup import (
    COMPILE_CACHE_MOUNT,
    SANDBOX_UID_RANGE,
    SandboxConfig,
    SandboxError,
    _boot_code,
    _bwrap_argv,
    _is_root,
    _library_roots,
    _limits_prefix,
    _setpriv_args,
    _worker_env,
    can_drop_privileges,
    resolve_mode,
)
from grader.sandboxed.reuse import pids_of_uid

OUTPUT_SHOWN_BYTES = 4000


class SandboxProcess:
    """One sandboxed worker process, started, confined, killed and diagnosed.

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
        self._tmp = tempfile.TemporaryDirectory(prefix="grader-")
        self._out_path = Path(self._tmp.name) / "output.txt"
        self._out_pos = 0
        self.cgroup: cgroups.MemoryCgroup | None = None
        self._oom_kills = 0
        self._oomed = False  # the last crash was a memory kill (set by memory_killed)
        self._seeded: set[str] = set()

    def start(self) -> None:
        """Start the sandbox without waiting for it (its first word is the protocol's:
        :meth:`grader.sandbox.Worker.wait_booted`).

        Call it from a thread that outlives the process: bubblewrap's ``--die-with-parent``
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
        self._res_fd = res_r

    def alive(self) -> bool:
        """Whether the process (bubblewrap, or the worker itself) is still running."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """Kill the worker and everything it started (its session; bwrap's PID namespace)."""
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _death_detail(self) -> str:
        """Why the process ended (waiting a little for it), or ``"stopped answering"``."""
        if self.proc is None:
            return ""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "stopped answering"
        signum = -code if code < 0 else (code - 128 if code > 128 else 0)
        return self._status_detail(signum, code)

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

    def _status_detail(self, signum: int, code: int) -> str:
        """How a process ended, in words that fit after "the process running f()"."""
        path = self._out_path
        size = path.stat().st_size if path.exists() else 0
        if signum == signal.SIGXFSZ or size >= self.config.output_mb * 2**20:
            return f"printed more than {self.config.output_mb} MiB of output"
        if signum == signal.SIGKILL and self.memory_killed():
            return f"used more than {self.config.memory_mb} MiB of memory, its limit"
        if signum == signal.SIGKILL:
            return "was killed (it probably ran out of memory)"
        if signum:
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"signal {signum}"
            return f"crashed ({name})"
        return f"ended the process itself (exit status {code}: os._exit or sys.exit?)"


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
