"""``grader freeze``: the expected outputs a student release grades against, and their state.

A student release has no solutions. ``freeze`` writes the compare checks' expected values
(and the budgets' reference times) to ``grader/frozen/``, each with the hash of the check
definitions they were made for; ``frozen_status`` says whether they still match the checks
(and the reference). :class:`grader.expect.Expectations` reads them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from grader.expect import (
    FROZEN_DIR,
    _atomic_write,
    _file_bytes,
    _frozen_path,
    definitions_hash,
    load_reference,
    reference_values,
)
from grader.sandboxed import codec
from grader.spec import Exercise


def freeze(
    exercise: Exercise,
    solutions_dir: Path,
    seed: int,
    out_dir: Path = FROZEN_DIR,
    *,
    hidden: bool = False,
) -> list[Path]:
    """Write the compare checks' expected values for ``seed``: the public ones to
    ``out_dir/<id>.bin`` and, with ``hidden``, the hidden ones to ``out_dir/hidden/<id>.bin``."""
    module = load_reference(solutions_dir, exercise.id)
    ref_hash = hashlib.sha256(_file_bytes(Path(solutions_dir) / f"{exercise.id}.py")).hexdigest()
    paths = []
    for part_hidden in (False, True) if hidden else (False,):
        checks = [c for c in exercise.checks if c.hidden == part_hidden and c.needs_reference]
        payload = {
            "definitions": definitions_hash(exercise.id, public_only=not part_hidden),
            "reference": ref_hash,
            "seed": seed,
            "values": {k: v for c in checks for k, v in reference_values(module, c, seed).items()},
        }
        path = _frozen_path(exercise.id, part_hidden, out_dir)
        _atomic_write(path, codec.encode(payload))
        paths.append(path)
    from grader import budget_run  # time budgets: the reference's time against a calibration

    paths += budget_run.freeze(exercise, solutions_dir, seed, out_dir, hidden=hidden)
    return paths


def frozen_status(
    exercise_id: str, solutions_dir: Path | None = None, frozen_dir: Path = FROZEN_DIR
) -> str:
    """``"fresh"``, ``"stale"`` or ``"missing"`` for the frozen expectations of an exercise.

    Stale means the checks changed since the freeze or, when ``solutions_dir`` is given,
    the reference solution did.
    """
    path = Path(frozen_dir) / f"{exercise_id}.bin"
    if not path.is_file():
        return "missing"
    try:
        stored = codec.decode(path.read_bytes())
    except codec.CodecError:
        return "stale"
    if stored.get("definitions") != definitions_hash(exercise_id, public_only=True):
        return "stale"
    if solutions_dir is not None:
        ref = hashlib.sha256(_file_bytes(Path(solutions_dir) / f"{exercise_id}.py")).hexdigest()
        if stored.get("reference") != ref:
            return "stale"
    return "fresh"


def run_command(
    exercise_ids: list[str], solutions: Path, out_dir: Path, *, check: bool, hidden: bool
) -> int:
    """``grader freeze``: freeze each exercise (a line per file written), or with ``check``
    only say per exercise whether its frozen outputs are fresh.

    Returns:
      The exit status: 1 when ``check`` finds one not fresh, else 0.
    """
    from grader import course

    stale = 0
    for ex_id in exercise_ids:
        if check:
            state = frozen_status(ex_id, solutions, out_dir)
            print(f"{ex_id}: {state}")
            stale += state != "fresh"
            continue
        for path in freeze(course.load(ex_id), solutions, seed=0, out_dir=out_dir, hidden=hidden):
            print(f"{ex_id}: wrote {path}")
    return 1 if stale else 0
