"""How checks are declared (instructor side, trusted).

An exercise is a list of checks; each check exercises one catalogue function and is worth
points. Kinds:

* ``compare`` — the student's function and the reference run through the same *driver* on
  the same seeded inputs; results are compared with :func:`grader.compare.compare`.
* ``transform`` — a compare check whose driver applies ``jax.jit`` or ``jax.vmap`` first.
* ``property`` — a trusted *judge* (running in the grader, never in the sandbox) decides from
  the student's outputs alone, e.g. "a partition of range(n)".
* ``budget`` — the function's steady-state time may be at most ``ratio`` times the reference
  solution's, both measured by the grader at the same moment (see :mod:`grader.budget`);
  with a judge, every timed output must satisfy it too.
* ``static`` — the source must not use forbidden APIs (AST analysis, no execution).

Inputs come from a case generator ``cases(rng) -> [Case, ...]`` where ``rng`` is a numpy
``Generator`` seeded from the run's base seed and the check's id, so every check gets its own
reproducible stream and hidden checks (other ids) get other inputs. Inputs are plain data
plus :class:`~grader.sandboxed.codec.Ref` for what the worker must build itself (a PRNG key: ``key(3)``,
a callable: ``Ref("fn", ("f1_grad",))``).

Example::

    EXERCISE = Exercise(
        id="ex02_activations",
        title=Text("Activation functions", "Fonctions d'activation"),
        checks=[
            compare("sigmoid", "small", lambda rng: [Case((rng.normal(size=(5, 3)),))]),
            compare("sigmoid", "huge", huge_inputs, hidden=True, hint=Text("…", "…")),
        ],
    )
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from grader.compare import Tolerance
from grader.i18n import Text
from grader.sandboxed.codec import Ref

KINDS = ("compare", "property", "static", "transform", "budget")


@dataclass(frozen=True)
class Case:
    """One call's inputs.

    Attributes:
      args: positional arguments (plain data, numpy arrays, :class:`Ref`).
      kwargs: keyword arguments.
      label: what the case is, for messages (e.g. ``"z of shape (4, 3), |z| up to 1e4"``).
      secret: data for the judge only (e.g. held-out labels): it stays in the grader and is
        never sent to the worker.
    """

    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str | Text = ""
    secret: Any = None


def key(seed: int) -> Ref:
    """An input that the worker turns into ``jax.random.key(seed)``."""
    return Ref("key", (int(seed),))


@dataclass(frozen=True)
class Verdict:
    """A judge's decision: passed or not, a message for the student, optional partial credit."""

    passed: bool
    message: Text = Text("")
    fraction: float | None = None

    @property
    def score_fraction(self) -> float:
        if self.fraction is not None:
            return float(min(max(self.fraction, 0.0), 1.0))
        return 1.0 if self.passed else 0.0


def ok(message: Text | str = "") -> Verdict:
    return Verdict(True, message if isinstance(message, Text) else Text(message))


def fail(en: str, fr: str = "", fraction: float | None = None) -> Verdict:
    return Verdict(False, Text(en, fr), fraction)


@dataclass(frozen=True)
class Variant:
    """One other correct way to run the reference, to measure the spread of correct results.

    Attributes:
      name: what the variant is (for messages, tests and docs), e.g. ``"float64"``.
      cast: ``"float32"`` or ``"float64"``: the case's float array inputs (numpy arrays and
        ``as_jax`` inputs) are cast to it; ``"float64"`` runs with JAX's x64 enabled.
      x64: run the reference with JAX's x64 enabled (jax.numpy keeps float64).
      wrap: trusted code turning the reference function into the variant, ``wrap(fn) -> fn``
        (e.g. an optimizer whose step counter is a float).
      nudge: ``"float32"``: every float array input moved by one float32 ulp, up and down
        in a checkerboard: the exact answer for inputs within one rounding of
        float32, which code computing in float32 cannot tell from the given inputs (softmax
        of logits of size 1e4).
    """

    name: str
    cast: str | None = None
    x64: bool = False
    wrap: Callable[[Callable], Callable] | None = None
    nudge: str | None = None

    def __post_init__(self) -> None:
        if self.cast not in (None, "float32", "float64"):
            raise ValueError(
                f"Variant.cast must be None, 'float32' or 'float64', got {self.cast!r}"
            )
        if self.nudge not in (None, "float32"):
            raise ValueError(f"Variant.nudge must be None or 'float32', got {self.nudge!r}")


@dataclass(frozen=True)
class Spread:
    """A tolerance taken from the reference's own spread: on every leaf of the result, an
    absolute error of ``multiple`` times the largest deviation of the ``variants`` runs
    from the expected value is allowed (on top of the per-precision tolerance).

    For computations that amplify rounding (an optimizer's trajectory near a minimum, long
    training), where two correct implementations legitimately differ by more than the
    precision's tolerance. :mod:`grader.expect` measures the spread with the expected values.
    """

    multiple: float
    variants: tuple[Variant, ...]

    def __post_init__(self) -> None:
        if not self.multiple > 0:
            raise ValueError(f"Spread.multiple must be > 0, got {self.multiple}")
        if not self.variants:
            raise ValueError("Spread needs at least one Variant")


CaseGen = Callable[[np.random.Generator], Sequence[Case]]
Judge = Callable[[Sequence[Case], Sequence[Any]], Verdict]


@dataclass(frozen=True)
class Forbidden:
    """A forbidden API: dotted names (``"jax.grad"`` forbids ``jax.grad`` and ``jax.grad.*``)."""

    names: tuple[str, ...]
    why: Text
    dynamic: bool = True  # also refuse getattr/eval/__import__ tricks that hide names


@dataclass(frozen=True)
class Check:
    """One graded check. Build it with :func:`compare`, :func:`prop`, :func:`transform`,
    :func:`budget` or :func:`static` rather than directly."""

    function: str
    name: str
    kind: str
    points: float = 1.0
    hidden: bool = False
    cases: CaseGen | None = None
    driver: str = "call"
    options: Mapping[str, Any] = field(default_factory=dict)
    tol: Tolerance = Tolerance()
    keep_float64: bool = False
    spread: Spread | None = None
    judge: Judge | None = None
    timeout: float = 20.0
    budget_ratio: float | None = None
    budget_rounds: int = 3
    forbid: Forbidden | None = None
    hint: Text = Text("")
    exercise: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"check kind must be one of {KINDS}, got {self.kind!r}")
        if self.points < 0:
            raise ValueError(f"points must be >= 0, got {self.points}")
        if "/" in self.name or not self.name:
            raise ValueError(f"check name must be non-empty without '/', got {self.name!r}")
        if self.kind in ("compare", "transform", "property", "budget") and self.cases is None:
            raise ValueError(f"a {self.kind} check needs a case generator")
        if self.kind == "property" and self.judge is None:
            raise ValueError("a property check needs a judge")
        if self.kind == "static" and self.forbid is None:
            raise ValueError("a static check needs forbid=Forbidden(...)")

    @property
    def id(self) -> str:
        return f"{self.exercise}/{self.function}/{self.name}"

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"

    @property
    def needs_reference(self) -> bool:
        return self.kind in ("compare", "transform")

    def rng(self, base_seed: int) -> np.random.Generator:
        """The check's own random stream: a function of the base seed and the check's id."""
        digest = hashlib.sha256(self.id.encode()).digest()
        return np.random.default_rng([base_seed, int.from_bytes(digest[:8], "little")])

    def make_cases(self, base_seed: int) -> list[Case]:
        if self.cases is None:
            return []
        cases = list(self.cases(self.rng(base_seed)))
        if not cases:
            raise ValueError(f"check {self.id} generated no cases")
        for c in cases:
            if not isinstance(c, Case):
                raise TypeError(f"check {self.id}: case generators must return Case objects")
        return cases


def _text(value: Text | str | None) -> Text:
    if value is None:
        return Text("")
    return value if isinstance(value, Text) else Text(value)


def compare(
    function: str,
    name: str,
    cases: CaseGen,
    *,
    points: float = 1.0,
    hidden: bool = False,
    driver: str = "call",
    options: Mapping[str, Any] | None = None,
    tol: Tolerance | None = None,
    keep_float64: bool = False,
    spread: Spread | None = None,
    timeout: float = 20.0,
    hint: Text | str | None = None,
) -> Check:
    """A check comparing the student's result with the reference's on the same inputs.

    Results are judged by :mod:`grader.compare`'s tolerance policy at the precision of the
    inputs; ``tol`` overrides its (rtol, atol) per precision, ``keep_float64`` demands a
    float64 answer for a float64 expectation, and ``spread`` adds a slack measured on the
    reference's own correct variants (:class:`Spread`).
    """
    return Check(
        function,
        name,
        "compare",
        points,
        hidden,
        cases,
        driver,
        dict(options or {}),
        tol or Tolerance(),
        keep_float64,
        spread,
        timeout=timeout,
        hint=_text(hint),
    )


def transform(
    function: str,
    name: str,
    cases: CaseGen,
    *,
    transform: str = "jit",
    options: Mapping[str, Any] | None = None,
    driver: str | None = None,
    **kwargs,
) -> Check:
    """A compare check run under ``jax.jit`` (``transform="jit"``) or ``jax.vmap``.

    ``driver`` names an exercise's own driver that applies the transformation itself (e.g.
    one that jit-compiles an optimizer's update); by default the generic ``jit``/``vmap``.
    """
    if transform not in ("jit", "vmap"):
        raise ValueError(f"transform must be 'jit' or 'vmap', got {transform!r}")
    check = compare(function, name, cases, driver=driver or transform, options=options, **kwargs)
    return replace(check, kind="transform")


def prop(
    function: str,
    name: str,
    cases: CaseGen,
    judge: Judge,
    *,
    points: float = 1.0,
    hidden: bool = False,
    driver: str = "call",
    options: Mapping[str, Any] | None = None,
    timeout: float = 20.0,
    hint: Text | str | None = None,
) -> Check:
    """A check whose trusted ``judge(cases, outputs) -> Verdict`` decides from the outputs."""
    return Check(
        function,
        name,
        "property",
        points,
        hidden,
        cases,
        driver,
        dict(options or {}),
        judge=judge,
        timeout=timeout,
        hint=_text(hint),
    )


def budget(
    function: str,
    name: str,
    cases: CaseGen,
    ratio: float,
    *,
    judge: Judge | None = None,
    points: float = 1.0,
    hidden: bool = False,
    driver: str = "call",
    options: Mapping[str, Any] | None = None,
    timeout: float = 60.0,
    rounds: int = 3,
    hint: Text | str | None = None,
) -> Check:
    """A check that the function runs at most ``ratio`` times as long as the reference.

    The grader times a warm-up call (compilation included, not compared) then a few calls on
    other inputs of the same shapes, the reference's interleaved with the student's in the
    same kind of sandbox, and compares the best times (:mod:`grader.budget`).

    Args:
      function: the graded function.
      name: the check's name.
      cases: the case generator (called again with other streams for the timed calls, so
        it must give the same shapes for any ``rng``).
      ratio: the budget ``K``: the student's best time may be ``K`` × the reference's best.
      judge: decides every output (the warm-up's and the timed ones).
      points: the check's points.
      hidden: a hidden check.
      driver: how the function is called.
      options: extra keyword arguments for the driver.
      timeout: the longest a single call may take, compilation included (seconds).
      rounds: timed calls per side after the warm-up (the best counts); 1 for a costly call
        whose budget leaves a wide margin.
      hint: advice shown with the result.

    Returns:
      The check.
    """
    if rounds < 1:
        raise ValueError(f"a budget needs at least one timed round, got {rounds}")
    if not ratio > 1.0:
        raise ValueError(
            f"a budget ratio must be > 1 (the reference itself must pass), got {ratio}"
        )
    return Check(
        function,
        name,
        "budget",
        points,
        hidden,
        cases,
        driver,
        dict(options or {}),
        judge=judge,
        timeout=timeout,
        budget_ratio=float(ratio),
        budget_rounds=int(rounds),
        hint=_text(hint),
    )


def static(
    function: str,
    name: str,
    forbid: Sequence[str],
    why: Text | str,
    *,
    dynamic: bool = True,
    points: float = 1.0,
    hidden: bool = False,
    hint: Text | str | None = None,
) -> Check:
    """A check that ``function`` (and the helpers it calls) uses none of the ``forbid`` APIs."""
    return Check(
        function,
        name,
        "static",
        points,
        hidden,
        forbid=Forbidden(tuple(forbid), _text(why), dynamic),
        hint=_text(hint),
    )


@dataclass(frozen=True)
class Exercise:
    """An exercise: its id (the module's file name), title, and checks."""

    id: str
    title: Text
    checks: tuple[Check, ...]
    # Seconds to import the student's module, cold compilation caches included (the
    # slowest reference imports in a fraction of that); a module that trains or sleeps at
    # its top level is stopped here and told to move that work under __main__.
    import_timeout: float = 20.0

    def __post_init__(self) -> None:
        checks = tuple(replace(c, exercise=self.id) for c in self.checks)
        ids = [c.id for c in checks]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"duplicate check ids: {sorted(dupes)}")
        object.__setattr__(self, "checks", checks)

    @property
    def functions(self) -> list[str]:
        """The functions this exercise grades, in the order their first check appears."""
        return list(dict.fromkeys(c.function for c in self.checks))

    def selected(self, hidden: bool) -> list[Check]:
        return [c for c in self.checks if hidden or not c.hidden]

    def max_score(self, hidden: bool) -> float:
        return float(sum(c.points for c in self.selected(hidden)))
