"""Helpers to test exercises' checks: grade a module's source, swap one function for a variant.

result = grade_source("ex01_perceptron", replace_function(reference, "perceptron", WRONG))
assert failed(result, "perceptron") and passed(result, "half_adder")
"""

from __future__ import annotations

import ast
import tempfile
import textwrap
from pathlib import Path

from grader import course
from grader.cli import default_solutions_dir
from grader.options import Options
from grader.results import CheckResult, ExerciseResult
from grader.runner import compute_expectations, grade_exercise
from grader.sandbox import SandboxConfig

REPO = Path(__file__).resolve().parent.parent


def reference_source(exercise_id: str) -> str:
    return (REPO / "solutions" / f"{exercise_id}.py").read_text(encoding="utf-8")


def stub_source(exercise_id: str) -> str:
    return (REPO / "exercises" / f"{exercise_id}.py").read_text(encoding="utf-8")


def replace_function(source: str, name: str, new_def: str) -> str:
    """``source`` with the top-level ``def name`` replaced by ``new_def`` (a whole def)."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            lines = source.splitlines(keepends=True)
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            new = textwrap.dedent(new_def).strip("\n") + "\n"
            return "".join(lines[:start]) + new + "".join(lines[node.end_lineno :])
    raise KeyError(f"no top-level def {name} in the source")


def failed_stub_examples(exercise_id: str, skip: tuple[str, ...] = ()) -> int:
    """How many worked examples in the stub's docstrings fail when run against the reference
    (``skip``: functions whose examples are too slow to run)."""
    import doctest
    import importlib.util

    def load(folder: str):
        path = REPO / folder / f"{exercise_id}.py"
        spec = importlib.util.spec_from_file_location(f"_{folder}_{exercise_id}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    stub, ref = load("exercises"), load("solutions")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(stub):
        if skip and test.name.endswith(tuple(skip)):
            continue
        test.globs = dict(vars(ref))
        runner.run(test)
    if not runner.summarize(verbose=False).attempted:
        raise AssertionError(f"the stubs of {exercise_id} have no worked examples to check")
    return runner.summarize(verbose=False).failed


def replace_functions(source: str, replacements: dict[str, str]) -> str:
    """``source`` with several top-level functions replaced: ``{name: new def}`` (a mutant)."""
    for name, new_def in replacements.items():
        source = replace_function(source, name, new_def)
    return source


def grade_source(
    exercise_id: str,
    source: str | dict[str, str],
    *,
    hidden: bool = True,
    seed: int = 0,
    lang: str = "en",
    sandbox: SandboxConfig | None = None,
    functions: list[str] | None = None,
    checks: list[str] | None = None,
) -> ExerciseResult:
    """Grade ``source`` (the module's text, or ``{file name: text}``) as ``exercise_id``.

    ``functions`` restricts grading to those functions' checks, ``checks`` to the checks
    named ``"function/name"`` (faster tests).
    """
    from dataclasses import replace

    exercise = course.load(exercise_id)
    if functions is not None:
        unknown = set(functions) - set(exercise.functions)
        if unknown:
            raise KeyError(f"{exercise_id} has no functions {sorted(unknown)}")
        exercise = replace(
            exercise, checks=tuple(c for c in exercise.checks if c.function in functions)
        )
    if checks is not None:
        known = {f"{c.function}/{c.name}" for c in exercise.checks}
        if set(checks) - known:
            raise KeyError(f"{exercise_id} has no checks {sorted(set(checks) - known)}")
        chosen = tuple(c for c in exercise.checks if f"{c.function}/{c.name}" in checks)
        exercise = replace(exercise, checks=chosen)
    files = source if isinstance(source, dict) else {f"{exercise_id}.py": source}
    options = Options(
        hidden=hidden,
        seed=seed,
        lang=lang,
        sandbox=sandbox or SandboxConfig(),
        solutions_dir=default_solutions_dir(),
    )
    expectations, _ = compute_expectations([exercise_id], options)
    with tempfile.TemporaryDirectory(prefix="submission-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
            (Path(tmp) / name).chmod(0o644)
        Path(tmp).chmod(0o755)
        return grade_exercise(
            exercise,
            Path(tmp),
            options,
            expectations[exercise_id],
            [*course.private_dirs(), REPO / "solutions"],
        )


def by_function(result: ExerciseResult) -> dict[str, list[CheckResult]]:
    out: dict[str, list[CheckResult]] = {}
    for r in result.checks:
        out.setdefault(r.check.function, []).append(r)
    return out


def passed(result: ExerciseResult, function: str) -> bool:
    """Whether every check of ``function`` passed."""
    return all(r.status == "passed" for r in by_function(result)[function])


def failed(result: ExerciseResult, function: str) -> bool:
    """Whether at least one check of ``function`` did not pass (the mistake was caught)."""
    return any(r.status != "passed" for r in by_function(result)[function])


def summary(result: ExerciseResult) -> str:
    """One line per check that did not pass, for assertion messages."""
    return "\n".join(
        f"{r.check.id}: {r.status}: {r.message}" for r in result.checks if r.status != "passed"
    )
