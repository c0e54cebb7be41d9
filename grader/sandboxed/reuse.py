"""Whether a worker child that graded one exercise can grade the next one of the submission.

A fresh process per exercise would isolate exercises completely, but each would start its own
JAX runtime and trace and load every compiled function again: about half of the grading time
of the whole course. So a child serves the submission's exercises one after the other, as
long as each leaves the process as it found it. This module takes a snapshot before the
first student module runs (:func:`snapshot`), and after each exercise (:func:`tidy`)

- puts back the shared state that ordinary code changes on purpose or by accident: the
  student's own modules, ``sys.path``, the working directory, the environment, the global
  random generators of ``random`` and ``numpy``, numpy's error and print options, warning
  filters, the recursion limit, the standard streams, garbage collection;
- refuses reuse when it sees what it cannot put back: a changed JAX configuration (such as
  ``jax_enable_x64``), a rebound public name of numpy, jax, jaxnn, the grader's drivers,
  ``math``, ``random``, ``json``, ``struct`` or the builtins (``__import__`` included: a
  monkeypatch), a replaced module, a signal handler,
  a trace or profile hook, a thread or process left running, a redirected output
  descriptor, or a process grown past half of its address-space limit.

Refusal costs only speed: the next exercise gets a fresh child. Nothing here protects the
grader from a hostile submission, and nothing needs to: a student module already controls
its own process, the child never holds expected values, and every verdict is computed in
the grader's process. What this protects is an honest student's next exercise from the
side effects of the previous one.
"""

from __future__ import annotations

import builtins
import gc
import os
import random
import resource
import signal
import sys
import threading
import types
import warnings
from typing import Any

# Public modules (no part of the name starting with "_") of these packages are watched for
# rebound names.
WATCHED_PACKAGES = (
    "builtins",
    "math",
    "random",
    "json",
    "struct",
    "numpy",
    "jax",
    "jaxnn",
    "grader",
)
# Beyond this share of RLIMIT_AS, the next exercise gets a fresh child (and all its memory).
MAX_ADDRESS_SPACE_SHARE = 0.5


def _watched(name: str) -> bool:
    parts = name.split(".")
    return parts[0] in WATCHED_PACKAGES and not any(p.startswith("_") for p in parts)


def _jax_config() -> dict[str, Any]:
    jax = sys.modules.get("jax")
    try:
        return dict(jax.config.values) if jax is not None else {}
    except Exception:  # an API change must not break grading: compare nothing
        return {}


def _signals() -> dict[int, Any]:
    handlers = {}
    for sig in signal.valid_signals():
        try:
            handlers[sig] = signal.getsignal(sig)
        except (OSError, ValueError):
            pass
    return handlers


def _fd_identity(fd: int) -> tuple[int, int] | None:
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def pids_of_uid(uid: int) -> set[int]:
    """The processes running as ``uid`` (in a worker: the sandbox's private uid)."""
    pids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.add(int(entry.name))
            except OSError:
                pass
    return pids


def _address_space_share() -> float:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return 0.0
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024 / soft
    except (OSError, ValueError, IndexError):
        pass
    return 1.0  # unknown: do not reuse


class Snapshot:
    """The state of a child before any student module ran in it."""

    def __init__(self) -> None:
        import numpy as np

        self.modules = dict(sys.modules)
        self.import_hook = builtins.__import__
        self.module_dicts = {
            name: dict(vars(m))
            for name, m in self.modules.items()
            if _watched(name) and isinstance(m, types.ModuleType)
        }
        self.path = list(sys.path)
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        self.cwd = os.getcwd()
        self.environ = dict(os.environ)
        self.random = random.getstate()
        self.np_random = np.random.get_state()
        self.np_err = np.geterr()
        self.np_print = np.get_printoptions()
        self.warning_filters = list(warnings.filters)
        self.showwarning = warnings.showwarning
        self.recursion_limit = sys.getrecursionlimit()
        self.streams = (sys.stdin, sys.stdout, sys.stderr)
        self.fds = [_fd_identity(fd) for fd in (0, 1, 2)]
        self.signals = _signals()
        self.threads = threading.active_count()
        self.processes = pids_of_uid(os.getuid())
        self.jax_config = _jax_config()

    def refusal(self) -> str | None:
        """Why this process must not serve another exercise, or None."""
        if builtins.__import__ is not self.import_hook:
            return "builtins.__import__ was replaced"
        if _jax_config() != self.jax_config:
            return "the JAX configuration changed (jax.config.update)"
        for name, old in self.module_dicts.items():
            module = sys.modules.get(name)
            if module is not self.modules[name]:
                return f"module {name} was replaced or removed"
            now = vars(module)
            for attr, value in old.items():
                if not attr.startswith("_") and now.get(attr, _MISSING) is not value:
                    return f"{name}.{attr} was rebound"
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                return f"module {name} was replaced or removed"
        if not _extends(sys.meta_path, self.meta_path) or not _extends(
            sys.path_hooks, self.path_hooks
        ):
            return "the import system was changed"
        if sys.gettrace() is not None or sys.getprofile() is not None:
            return "a trace or profile hook is set"
        if threading.active_count() != self.threads:
            return "a thread is still running"
        if _signals() != self.signals:
            return "a signal handler was changed"
        if [_fd_identity(fd) for fd in (0, 1, 2)] != self.fds:
            return "a standard file descriptor was redirected"
        if pids_of_uid(os.getuid()) - self.processes - {os.getpid()}:
            return "a process it started is still running"
        if _address_space_share() > MAX_ADDRESS_SPACE_SHARE:
            gc.collect()  # the student's module and its arrays are freed by the cycle collector
            if _address_space_share() > MAX_ADDRESS_SPACE_SHARE:
                return "it uses over half of its memory limit"
        return None

    def restore(self, submission_dirs: list[str]) -> None:
        """Put back the state that ordinary code changes (see the module's docstring)."""
        import numpy as np

        for name in [n for n in sys.modules if n not in self.modules]:
            file = getattr(sys.modules[name], "__file__", None)
            if isinstance(file, str) and any(file.startswith(d) for d in submission_dirs):
                del sys.modules[name]  # the student's modules; libraries they imported stay
        sys.path[:] = self.path
        os.chdir(self.cwd)
        if dict(os.environ) != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
        random.setstate(self.random)
        np.random.set_state(self.np_random)
        np.seterr(**self.np_err)
        np.set_printoptions(**self.np_print)
        warnings.filters[:] = self.warning_filters
        warnings.showwarning = self.showwarning
        sys.setrecursionlimit(self.recursion_limit)
        sys.stdin, sys.stdout, sys.stderr = self.streams
        gc.enable()  # no gc.collect(): ~40 ms with JAX loaded; see refusal's memory check


_MISSING = object()


def _extends(now: list, before: list) -> bool:
    """Whether import hooks ``now`` are ``before`` plus hooks that libraries installed.

    Libraries add hooks when imported (absl, which optax imports, adds a finder); a hook
    whose class was defined by the student's code (whose modules ``restore`` removed from
    ``sys.modules``) or a removed or reordered hook is a change to refuse.
    """
    if [h for h in now if any(h is b for b in before)] != before:
        return False
    for hook in now:
        if not any(hook is b for b in before):
            owner = getattr(hook, "__module__", None) or type(hook).__module__
            if owner not in sys.modules:
                return False
    return True


def snapshot() -> Snapshot:
    """The state to return to, taken before the first student module is imported."""
    return Snapshot()


def tidy(state: Snapshot, submission_dirs: list[str]) -> str | None:
    """After an exercise: restore what can be, and say why the process cannot be reused.

    Returns:
      None if the child may import the next exercise's module, else the reason it may not.
    """
    try:
        state.restore(submission_dirs)
        return state.refusal()
    except BaseException as exc:  # whatever went wrong, a fresh child is the safe answer
        return f"its state could not be checked ({type(exc).__name__})"
