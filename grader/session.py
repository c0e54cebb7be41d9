"""The worker session of one submission: its sandbox, shared by its exercises in turn."""

from __future__ import annotations

from pathlib import Path

from grader.compile_cache import compile_cache_for
from grader.options import Options
from grader.sandbox import ReadyInfo, StartFailure, Worker
from grader.spec import Exercise

SPAWN_TIMEOUT = 120.0


class Session:
    """The sandboxed worker of one submission, shared by its exercises one at a time.

    The sandbox starts once; each exercise's module is imported in a child of it, the same
    one as the previous exercise's if that left it clean (:mod:`grader.sandboxed.reuse`). A module
    that fails to import is not tried again; after a timeout, an invalid answer or a memory
    blow-up the whole sandbox is replaced, after a crash only the child.

    No outcome is blamed on what ran before it: an import that fails in a sandbox where
    other student code ran is tried again in a fresh one, and so is a check that crashes,
    times out or answers invalidly (see :func:`grader.runner._run_check`); only the fresh outcome counts.
    """

    def __init__(
        self,
        submission_dir: Path,
        options: Options,
        hidden_dirs: list[Path],
        eager: bool = False,
    ):
        """With ``eager``, the sandbox starts at once: its 0.3 s of start-up overlap the
        grader's own work (such as loading the expected values) until the first check."""
        self.submission_dir = Path(submission_dir)
        self.options = options
        self.hidden_dirs = list(hidden_dirs)
        self.compile_cache = compile_cache_for(self.submission_dir) if options.use_cache else None
        self.worker = None
        self.ready: dict[str, ReadyInfo] = {}
        self.failures: dict[str, StartFailure] = {}
        self._booting = False  # the worker was started but its boot not yet awaited
        self._import_output = ""
        self._last_worker = None  # the worker get() last handed out
        if eager:
            self.worker = self._new_worker(wait=False)
            self._booting = True

    def _new_worker(self, wait: bool = True):
        worker = self.options.worker_factory(
            self.submission_dir,
            self.options.sandbox,
            self.hidden_dirs,
            compile_cache=self.compile_cache,
        )
        worker.start()
        if wait:
            worker.wait_booted(SPAWN_TIMEOUT)
        return worker

    def get(self, exercise: Exercise) -> tuple[Worker | None, ReadyInfo | StartFailure]:
        """A worker serving ``exercise``'s module, or why there is none."""
        if exercise.id in self.failures:
            return None, self.failures[exercise.id]
        if self._booting:
            self._booting = False
            self.worker.wait_booted(SPAWN_TIMEOUT)
        worker = self.worker
        if worker is not None and worker.alive() and worker.loaded == exercise.id:
            self._last_worker = worker
            return worker, self.ready[exercise.id]
        if worker is None or not worker.alive():
            self.close()
            worker = self.worker = self._new_worker()
        used = bool(getattr(worker, "history", ()))  # other student code ran there
        start = worker.load(
            f"{exercise.id}.py", exercise.id, exercise.functions, exercise.import_timeout
        )
        if isinstance(start, StartFailure) and used:
            # Perhaps not this module's fault: an earlier one may have harmed the sandbox.
            self.close()
            worker = self.worker = self._new_worker()
            start = worker.load(
                f"{exercise.id}.py", exercise.id, exercise.functions, exercise.import_timeout
            )
        if isinstance(start, StartFailure):
            self.failures[exercise.id] = start
            if not worker.alive():
                self.close()
            return None, start
        self.ready.setdefault(exercise.id, start)
        self._import_output = start.output
        self._last_worker = worker
        return worker, self.ready[exercise.id]

    def last_job_fresh(self) -> bool:
        """Whether the last job ran in a sandbox where no other check or module had run
        (asked after the job, when that sandbox may already be closed)."""
        return getattr(self._last_worker, "last_job_fresh", True)

    def take_import_output(self) -> str:
        """What the module printed when it was last imported (once; then "")."""
        printed, self._import_output = self._import_output, ""
        return printed

    def failed_import(self, exercise: Exercise) -> StartFailure | None:
        return self.failures.get(exercise.id)

    def discard(self) -> None:
        """Replace the whole sandbox (after a timeout, an invalid answer, a memory blow-up)."""
        self.close()

    def finish(self, exercise: Exercise) -> None:
        """End the child serving ``exercise`` (its memory goes back before the next one)."""
        if self.worker is not None and self.worker.loaded == exercise.id:
            self.worker.release()

    def close(self) -> None:
        self._booting = False
        if self.worker is not None:
            self.worker.close()
            self.worker = None
