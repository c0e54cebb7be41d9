"""The worker: runs inside the sandbox, imports the student's modules and runs checks' drivers.

Started as ``python -m grader.sandboxed.worker`` with the job pipe on stdin, the result pipe on stdout and
the captured-output file on stderr. It moves the pipes out of the way at once so that whatever
the student prints lands in the output file, never in the protocol.

Everything this process sends is untrusted by the grader: it is student-controlled as soon as
the student module is imported. The grader only decodes plain data from it (see
``grader.sandboxed.codec``) and computes every verdict itself. This module imports nothing from the
rest of the grader except the codec, the drivers, :mod:`grader.sandboxed.reuse` and the
protocol (:mod:`grader.sandboxed.protocol`: the messages' kinds and their framing).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import traceback

# Bound before any student code runs: a module that rebinds builtins or library names at
# import must not break the worker's own work (see grader.sandboxed.codec).
from builtins import (  # noqa: UP029 (bound on purpose, see above)
    BaseException,
    callable,
    dict,
    enumerate,
    getattr,
    isinstance,
    len,
    reversed,
    str,
    type,
)
from typing import Any

from grader.sandboxed import codec, drivers, reuse
from grader.sandboxed.protocol import (
    OP_BOOTED,
    OP_CASE,
    OP_CHILD_DIED,
    OP_DONE,
    OP_IDLE,
    OP_IMPORT_ERROR,
    OP_INIT,
    OP_LEAVING,
    OP_NEXT,
    OP_READY,
    OP_RELEASED,
    OP_RUN,
    read_frame,
    write_frame,
)

_perf_counter = time.perf_counter

MAX_MESSAGE_CHARS = 2000
MAX_TRACEBACK_CHARS = 4000


def _safe_str(obj: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    try:
        text = str.__str__(str(obj))  # an exact str, whatever __str__ returned
    except BaseException:  # a hostile __str__
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + " …"


def _describe(exc: BaseException, submission_dir: str) -> dict:
    """The exception as plain data: type, message, and the traceback's frames in student files."""
    try:
        # Only the student's own frames: the grader's drivers and libraries are noise to them.
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in frames if f.filename.startswith(submission_dir)]
        tb = "".join(traceback.format_list(mine))
    except BaseException:
        tb = ""
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError):
        where = f"{os.path.basename(exc.filename or '?')}, line {exc.lineno}"
        text = (exc.text or "").rstrip("\n")
        message = f"{exc.msg} ({where})" + (f"\n    {text.strip()}" if text.strip() else "")
        return {
            "type": kind,
            "message": message,
            "traceback": "",
            "not_implemented": False,
            "memory": False,
        }
    if isinstance(exc, SystemExit):
        message = f"called sys.exit({_safe_str(exc.code, 200)})"
    elif isinstance(exc, KeyboardInterrupt):
        message = "raised KeyboardInterrupt"
    else:
        message = _safe_str(exc)
    return {
        "type": _safe_str(kind, 200),
        "message": message,
        "traceback": tb[-MAX_TRACEBACK_CHARS:],
        "not_implemented": isinstance(exc, NotImplementedError),
        "memory": isinstance(exc, MemoryError),
    }


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def _serve_module(init: dict, job_fd: int, send, fresh: bool = True) -> dict | None:
    """Import one student module and run the jobs for it until told to stop (a child).

    Returns the message that ended the jobs (``{"op": OP_NEXT}`` when the grader moves on to
    another module), or None when the module did not import or the grader went away.
    """
    submission_dir = os.path.dirname(init["module_path"])
    for entry in reversed(init.get("sys_path", [])):
        if entry not in sys.path:
            sys.path.insert(0, entry)

    start = _perf_counter()
    try:
        spec = importlib.util.spec_from_file_location(init["module_name"], init["module_path"])
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {init['module_path']}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[init["module_name"]] = module
        spec.loader.exec_module(module)
    except BaseException as exc:
        send({"op": OP_IMPORT_ERROR, "error": _describe(exc, submission_dir)})
        return None
    import_s = _perf_counter() - start

    functions = {}
    for name in init.get("functions", []):
        obj = getattr(module, name, None)
        functions[name] = "missing" if obj is None else ("ok" if callable(obj) else "not_callable")
    send({"op": OP_READY, "functions": functions, "import_s": import_s, "fresh": fresh})

    while True:
        try:
            job = codec.decode(read_frame(job_fd), resolve_ref=drivers.resolve_ref)
        except EOFError:
            return None
        except BaseException:  # the job cannot be read here: the grader sees the child end
            return None
        if job.get("op") != OP_RUN:
            return job
        _run_job(job, module, submission_dir, send)


def _run_job(job: dict, module: Any, submission_dir: str, send) -> None:
    """Run one job's cases and send one frame per case, then ``done``.

    Whatever goes wrong, in the student's code or in sending its result, becomes that
    case's error: the child never dies of it (which would cost the next checks).
    """
    job_id = str.__str__(job["id"])
    try:
        fn = getattr(module, job["function"], None)
        run = drivers.bind(job["driver"], module)
        options = job.get("options") or {}
    except BaseException as exc:
        fn, run, options, setup_error = None, None, {}, _describe(exc, submission_dir)
    else:
        setup_error = None
    # One frame per case, so that an unsupported type fails only its case, with its path.
    for index, case in enumerate(job["cases"]):
        if setup_error is not None:
            outcome = {"error": setup_error}
        else:
            try:
                outcome = {"value": run(fn, *case["args"], **options, **case["kwargs"])}
            except BaseException as exc:
                outcome = {"error": _describe(exc, submission_dir)}
        try:
            # An error is a plain message: neither json nor numpy, whatever was patched.
            send({"op": OP_CASE, "id": job_id, "index": index, **outcome}, "error" in outcome)
        except BaseException as exc:  # e.g. an unsupported type, with its path
            error = _describe(exc, submission_dir)
            if isinstance(exc, codec.UnsupportedType):
                path = exc.path.removeprefix("['value']") or "the top level"
                message = f"returned an unsupported type {exc.type_name} at {path}"
                error.update(type="UnsupportedType", message=message, traceback="")
            elif not _can_send_arrays():
                # Not the value's fault: this process can no longer encode any array (its
                # libraries were patched, perhaps by an earlier check). The grader decides
                # what that costs.
                error.update(transport=True, traceback="")
            send({"op": OP_CASE, "id": job_id, "index": index, "error": error})
    send({"op": OP_DONE, "id": job_id})


_CANARY: dict = {}


def _can_send_arrays() -> bool:
    """Whether a known-good value with an array still encodes in this process."""
    try:
        codec.encode({"value": _CANARY["array"]})
        return True
    except BaseException:
        return False


def _serve_modules(init: dict, job_fd: int, send) -> None:
    """Serve modules one after the other in this child while each leaves it reusable.

    After each module, :func:`grader.sandboxed.reuse.tidy` restores the shared state and says whether
    anything it cannot restore changed; if so (or if the module failed to import) the child
    ends and the next module gets a fresh one from the fork server.
    """
    state = reuse.snapshot()
    fresh = True
    while True:
        end = _serve_module(init, job_fd, send, fresh)
        if end is None or end.get("op") != OP_NEXT:
            return
        roots = [os.path.dirname(init["module_path"]), *init.get("sys_path", [])]
        refusal = reuse.tidy(state, roots)
        if refusal is not None:
            send({"op": OP_LEAVING, "reason": refusal})
            return
        send({"op": OP_IDLE})
        try:
            init = codec.decode(read_frame(job_fd))
        except EOFError:
            return
        if init.get("op") != OP_INIT:
            return
        fresh = False


def _set_dumpable(on: bool) -> None:
    """``prctl(PR_SET_DUMPABLE)``: whether processes of the same uid may trace this one."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 1 if on else 0, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: nothing to protect the same way
        pass


def _wait_for(pid: int) -> int:
    """Wait for the child ``pid`` and return its wait status.

    Under bubblewrap this process is the PID namespace's init (``--as-pid-1``): the kernel
    delivers it no signal sent from inside the sandbox, so student code cannot kill it, and
    processes whose parent ended are reparented to it. Those are reaped here in passing, so
    that they leave no zombies behind.
    """
    while True:
        try:
            done, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if done == pid:
            return status


def main() -> None:
    """A fork server: imports the libraries once, then forks children to serve modules.

    A child serves the submission's modules one after the other while each leaves the
    process as it found it (:mod:`grader.sandboxed.reuse`): JAX starts, and each function compiles,
    once per submission rather than once per exercise. When a module leaves something
    behind, fails to import or crashes, its child ends and the next module is imported in
    a fresh child, at no cost for numpy and jax, already imported here. The fork server
    only waits: when a child ends, it says so (``released`` when it ended by itself,
    ``child_died`` with its status otherwise).
    """
    # The protocol moves to private descriptors; the student's stdout/stderr go to the file on 2.
    job_fd = os.dup(0)
    result_fd = os.dup(1)
    os.set_inheritable(job_fd, False)
    os.set_inheritable(result_fd, False)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdout = open(1, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    sys.argv = ["student"]

    def send(obj: Any, plain: bool = True) -> None:
        """Send a message: ``plain`` ones (no arrays) without json or numpy."""
        _flush()
        write_frame(result_fd, codec.encode_plain(obj) if plain else codec.encode(obj))

    # Imported once for all children; no JAX backend is started here, so forking is safe.
    import jax
    import jax.numpy  # noqa: F401
    import numpy

    _CANARY["array"] = numpy.zeros(2, numpy.float32)

    # The drivers too, before any student code (which could break the import system).
    drivers.load_all()
    # Children run as the same uid: not dumpable, this process cannot be traced or have its
    # memory read or written by them (each child makes itself dumpable again after fork).
    _set_dumpable(False)

    send({"op": OP_BOOTED})  # before any student code: failures up to here are the grader's
    while True:
        try:
            init = codec.decode(read_frame(job_fd))
        except EOFError:
            return
        if init.get("op") != OP_INIT:
            return
        pid = os.fork()
        if pid == 0:
            code = 0
            _set_dumpable(True)  # its own /proc files stay its own (JAX reads some)
            try:
                _serve_modules(init, job_fd, send)
            except BaseException:
                code = 70
            finally:
                _flush()
                os._exit(code)
        status = _wait_for(pid)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            send({"op": OP_RELEASED})
        else:
            send(
                {
                    "op": OP_CHILD_DIED,
                    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1,
                }
            )


if __name__ == "__main__":
    main()
