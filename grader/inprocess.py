"""Running checks in the grader's own process — for benchmarks only, never for grading.

``bench/grader_speed.py`` compares the sandbox's cost with this: the same drivers, the same
codec round trip, the same judging, minus the worker processes. It offers none of the
protections (no timeout, no memory cap, the student's code sees everything), which is why
the command line does not offer it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path

from grader.sandbox import CaseOutcome, JobOutcome, ReadyInfo, StartFailure
from grader.sandboxed import codec, drivers


class InProcessWorker:
    """The :class:`grader.sandbox.Worker` interface, executed in this process.

    Passed as :attr:`grader.options.Options.worker_factory` by the benchmark only.
    """

    isolation = "inprocess"  # the report's "sandbox": none (grader.runner.grade)

    def __init__(self, submission_dir: Path, config=None, hidden=(), compile_cache=None):
        self.submission_dir = Path(submission_dir)
        self.compile_cache = compile_cache
        self.module = None
        self.loaded: str | None = None

    def spawn(self, timeout: float) -> None:
        self.start()

    def start(self) -> None:
        """Use the submission's compilation cache, as a sandboxed worker does."""
        if self.compile_cache is not None:
            import jax

            jax.config.update("jax_compilation_cache_dir", str(self.compile_cache))
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

    def wait_booted(self, timeout: float) -> None:
        pass

    def load(self, file_name, module_name, functions, timeout) -> ReadyInfo | StartFailure:
        path = self.submission_dir / file_name
        name = f"_inprocess_.{module_name}.{id(self)}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(self.submission_dir))
        start = time.perf_counter()
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            error = {"type": type(exc).__name__, "message": str(exc), "traceback": ""}
            return StartFailure("import_error", error)
        finally:
            sys.path.remove(str(self.submission_dir))
        self.module, self.loaded = module, module_name
        present = {f: "ok" if callable(getattr(module, f, None)) else "missing" for f in functions}
        return ReadyInfo(functions=present, import_s=time.perf_counter() - start)

    def release(self) -> None:
        self.module, self.loaded = None, None

    def run(self, job_id, function, driver, cases, timeout, options=None) -> JobOutcome:
        fn = getattr(self.module, function)
        run = drivers.bind(driver, self.module)
        start = time.monotonic()
        outcomes = []
        for case in cases:
            decoded = codec.decode(
                codec.encode(case, allow_refs=True), resolve_ref=drivers.resolve_ref
            )
            try:
                value = run(fn, *decoded["args"], **(options or {}), **decoded["kwargs"])
                outcomes.append(CaseOutcome(value=codec.decode(codec.encode(value))))
            except Exception as exc:
                outcomes.append(
                    CaseOutcome(
                        error={
                            "type": type(exc).__name__,
                            "message": str(exc),
                            "traceback": traceback.format_exc(limit=3),
                            "not_implemented": isinstance(exc, NotImplementedError),
                            "memory": isinstance(exc, MemoryError),
                        }
                    )
                )
        return JobOutcome("ok", outcomes, time.monotonic() - start)

    def alive(self) -> bool:
        return True

    def close(self) -> None:
        self.release()
