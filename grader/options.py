"""How to grade a submission: the options every part of the grading reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox import SandboxConfig, Worker


@dataclass
class Options:
    """How to grade.

    Attributes:
      hidden: include hidden checks.
      seed: base seed of the generated inputs.
      lang: ``"en"`` or ``"fr"`` for messages.
      jobs: exercises graded in parallel.
      sandbox: limits and isolation of the workers.
      solutions_dir: the reference solutions, or None to use frozen expectations.
      use_cache: cache expected values on disk.
      worker_factory: what starts a worker, called as ``Worker`` is (submission folder,
        ``sandbox``, hidden folders, ``compile_cache=``): the sandbox's :class:`Worker`.
        Only ``bench/grader_speed.py`` passes another (its in-process baseline,
        :class:`grader.inprocess.InProcessWorker`); the command line never does.
    """

    hidden: bool = False
    seed: int = 0
    lang: str = "en"
    jobs: int = 1
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    solutions_dir: Path | None = None
    use_cache: bool = True
    worker_factory: Callable[..., Worker] = Worker
