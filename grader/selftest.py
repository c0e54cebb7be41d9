"""``grader selftest``: prove an exercise's checks strong with its own correct and wrong code.

Each exercise may declare variants of its functions in ``grader/course/variants/<id>.py``
(see that package's docstring): ``CORRECT`` submissions, the reference with some functions
replaced by correct code written another way, must get full marks, hidden checks included;
``WRONG`` ones must lose points on every function they replace. A selftest grades every
variant and reports, per function, whether that holds; a function with no correct or no
wrong variant is unproven, which fails the selftest too.

``tests/course/test_variants.py`` grades the same variants with the same functions, one
pytest case each.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader import course
from grader.options import Options
from grader.results import ExerciseResult
from grader.runner import compute_expectations, grade_exercise


@dataclass(frozen=True)
class Variant:
    """One submission of the corpus: the reference with ``replacements`` put in.

    Attributes:
      exercise: the exercise id.
      label: its name in the variants module.
      correct: True for ``CORRECT`` (full marks expected), False for ``WRONG``.
      replacements: ``{function name: source of the def (and any helpers)}``.
      known: from ``MARKS``, why this variant is a known false result being fixed.
    """

    exercise: str
    label: str
    correct: bool
    replacements: Mapping[str, str]
    known: str = ""

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.label}"


@dataclass
class Outcome:
    """What grading one variant showed.

    Attributes:
      variant: the variant graded.
      bad: the functions where it went wrong (a correct one lost points there, or a wrong
        one got full marks there).
      details: one line per check or function that went wrong, for the report.
    """

    variant: Variant
    bad: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad

    def line(self) -> str:
        """One line for the progress display."""
        kind = "correct" if self.variant.correct else "wrong"
        return f"{self.variant.id} ({kind}): {'as expected' if self.ok else 'NOT as expected'}"


def variants(exercise_id: str) -> list[Variant]:
    """The variants ``exercise_id`` declares (none without a variants module).

    Raises:
      ValueError: a variant replaces a function the exercise does not grade.
    """
    module = course.variant_module(exercise_id)
    if module is None:
        return []
    known = getattr(module, "MARKS", {})
    functions = set(course.load(exercise_id).functions)
    out = []
    for correct, table in ((True, "CORRECT"), (False, "WRONG")):
        for label, replacements in getattr(module, table, {}).items():
            unknown = sorted(set(replacements) - functions)
            if unknown:
                raise ValueError(f"{exercise_id} {table}[{label!r}]: no graded function {unknown}")
            out.append(
                Variant(exercise_id, label, correct, dict(replacements), known.get(label, ""))
            )
    return out


def reference_with(solutions_dir: Path, variant: Variant) -> str:
    """The reference module's source with the variant's functions put in."""
    from grader.testing import replace_functions

    source = (Path(solutions_dir) / f"{variant.exercise}.py").read_text(encoding="utf-8")
    return replace_functions(source, variant.replacements)


def grade_variant(variant: Variant, options: Options, expectations: dict) -> ExerciseResult:
    """Grade ``variant`` on the checks of the functions it replaces, hidden ones included.

    Args:
      variant: the variant.
      options: grading options; ``solutions_dir`` must hold the reference.
      expectations: the exercise's expected values (:func:`compute_expectations`).

    Returns:
      The exercise result, limited to the replaced functions' checks.
    """
    exercise = course.load(variant.exercise)
    chosen = tuple(c for c in exercise.checks if c.function in variant.replacements)
    exercise = replace(exercise, checks=chosen)
    hidden_dirs = [*course.private_dirs(), Path(options.solutions_dir)]
    with tempfile.TemporaryDirectory(prefix="variant-") as tmp:
        path = Path(tmp) / f"{variant.exercise}.py"
        path.write_text(reference_with(options.solutions_dir, variant), encoding="utf-8")
        path.chmod(0o644)
        Path(tmp).chmod(0o755)
        return grade_exercise(exercise, Path(tmp), options, expectations, hidden_dirs)


def judge(variant: Variant, result: ExerciseResult) -> Outcome:
    """Whether ``result`` is what ``variant`` must get (ignoring ``known``)."""
    outcome = Outcome(variant)
    for fn in variant.replacements:
        mine = [r for r in result.checks if r.check.function == fn]
        lost = [r for r in mine if r.score < r.check.points]
        if variant.correct and lost:
            outcome.bad.append(fn)
            outcome.details += [f"{r.check.id}: {r.status}: {r.message}" for r in lost]
        elif not variant.correct and not lost:
            outcome.bad.append(fn)
            outcome.details.append(f"{fn}: wrong code got full marks")
    return outcome


def options_for(solutions_dir: Path, **kwargs) -> Options:
    """Grading options of a selftest: hidden checks included."""
    return Options(hidden=True, solutions_dir=Path(solutions_dir), **kwargs)


def prove(variant: Variant, options: Options, expectations: dict | None = None) -> Outcome:
    """Grade ``variant`` and judge the result (expected values computed when not given)."""
    if expectations is None:
        expectations = compute_expectations([variant.exercise], options)[0][variant.exercise]
    return judge(variant, grade_variant(variant, options, expectations))


def selftest(
    exercise_ids: list[str],
    options: Options,
    on_outcome: Callable[[Outcome], None] = lambda _: None,
) -> dict[str, list[Outcome]]:
    """Grade every variant of ``exercise_ids`` (``options.jobs`` at a time).

    Returns:
      ``{exercise id: outcomes}``, each list in the variants' declared order.
    """
    expected, _ = compute_expectations(exercise_ids, options)
    todo = [v for ex_id in exercise_ids for v in variants(ex_id)]

    def one(variant: Variant) -> Outcome:
        outcome = prove(variant, options, expected[variant.exercise])
        on_outcome(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        outcomes = list(pool.map(one, todo))
    out: dict[str, list[Outcome]] = {ex_id: [] for ex_id in exercise_ids}
    for o in outcomes:
        out[o.variant.exercise].append(o)
    return out


def verdicts(exercise_id: str, outcomes: list[Outcome]) -> list[tuple[str, bool, str]]:
    """Per function of the exercise: ``(function, proven, one line saying why)``.

    A variant listed in ``MARKS`` that still goes wrong is reported, not counted against the
    function; one that now goes right must leave ``MARKS`` (a failure, like pytest's strict
    xfail).
    """
    rows = []
    for fn in course.load(exercise_id).functions:
        mine = [o for o in outcomes if fn in o.variant.replacements]
        good = {kind: [o for o in mine if o.variant.correct is kind] for kind in (True, False)}
        notes, failures = [], []
        for o in mine:
            went_wrong = fn in o.bad
            if o.variant.known and went_wrong:
                notes.append(f"known: {o.variant.label} ({o.variant.known})")
            elif o.variant.known:
                failures.append(f"{o.variant.label} now passes: remove it from MARKS")
            elif went_wrong:
                failures.append(f"{o.variant.label}: " + "; ".join(o.details))
        if not good[True] or not good[False]:
            failures.append("unproven: it needs at least one correct and one wrong variant")
        counts = (
            f"{sum(fn not in o.bad for o in good[True])}/{len(good[True])} correct variants "
            f"get full marks, {sum(fn not in o.bad for o in good[False])}/{len(good[False])} "
            "wrong variants lose points"
        )
        rows.append((fn, not failures, "; ".join([counts, *failures, *notes])))
    return rows


def report(results: dict[str, list[Outcome]]) -> tuple[str, bool]:
    """The selftest's text (one line per function) and whether every function is proven."""
    lines, weak = [], 0
    for ex_id, outcomes in results.items():
        lines.append(ex_id)
        for fn, proven, why in verdicts(ex_id, outcomes):
            weak += not proven
            lines.append(f"  {fn}: {'proven' if proven else 'NOT PROVEN'}: {why}")
    lines.append("selftest: passed" if not weak else f"selftest: {weak} function(s) not proven")
    return "\n".join(lines), not weak


def run_command(exercise_ids: list[str], solutions: Path, jobs: int, quiet: bool) -> int:
    """``grader selftest``: a line per variant on stderr (unless ``quiet``), the verdicts on stdout.

    Returns:
      The exit status: 0 when every function is proven, else 1.
    """
    from grader.report.printable import clean_text  # lines may quote a variant's messages

    def progress(o: Outcome) -> None:
        if not quiet:
            print(clean_text(o.line()), file=sys.stderr, flush=True)

    text, passed = report(selftest(exercise_ids, options_for(solutions, jobs=jobs), progress))
    sys.stdout.write(clean_text(text) + "\n")
    sys.stdout.flush()
    return 0 if passed else 1
