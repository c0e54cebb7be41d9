"""Which hint a failed check shows: chosen by what actually failed, not by the check alone.

A check's author writes its hint for one way of failing. Shown on any other failure it is
wrong advice (a broadcasting ``ValueError`` answered with "under jax.jit the input is a
tracer…"), so every result carries a *failure kind* and the hint is picked from it:

* a check's plain :class:`~grader.i18n.Text` hint speaks of a wrong answer: it is shown for
  the answer kinds (:data:`ANSWER_KINDS`: wrong values, a constant factor, a wrong shape,
  NaN/Inf, a forbidden API, over the time budget), never on an exception, a timeout or a
  crash;
* a :class:`Hints` (built with :func:`hints`) is keyed by failure kind, e.g.
  ``hints(nonfinite=OVERFLOW, tracer=JIT_HINT)``: each text is shown for its kind only
  (with the fallbacks of :data:`FALLBACK`: ``factor`` → ``values``, ``shape`` → ``values``);
  :func:`hint_for` gives one text several kinds;
* when the check has nothing for the kind, an engine-level hint that fits the failure
  whatever the check may be shown (a tracer error: what a tracer is; an exception about
  incompatible shapes: how shapes combine; a Python ``if`` on an array: ``np.where``);
* otherwise no hint: none rather than a wrong one. A function that is missing or still
  raises ``NotImplementedError`` never gets a hint (an untouched stub must not receive the
  answer).

    >>> from grader.i18n import Text
    >>> h = hints(nonfinite=Text("exp overflows"), values=Text("σ(z) = 1/(1 + e^-z)"))
    >>> choose(h, "nonfinite").en, choose(h, "factor").en, choose(h, "missing")
    ('exp overflows', 'σ(z) = 1/(1 + e^-z)', None)
    >>> choose(Text("σ(z) = 1/(1 + e^-z)"), "exception") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.i18n import Text

#: Every failure kind a result can carry. ``""`` (no kind) means: show no hint.
KINDS = (
    "values",  # a compare check's values (or keys, length, type) differ; a judge said no
    "factor",  # the values are the expected ones times a constant
    "shape",  # the result has the wrong shape
    "nonfinite",  # NaN or inf where finite values were expected
    "forbidden",  # a static check found a forbidden API
    "slow",  # a budget check finished, over its time budget
    "tracer",  # an exception about a jax tracer (under jit, vmap or grad)
    "broadcast",  # an exception about shapes that do not fit together
    "ambiguous",  # a Python `if`, `and`, `or` on an array ("truth value ... is ambiguous")
    "exception",  # any other exception raised by the student's code
    "timeout",  # did not finish within the check's timeout
    "crash",  # the process died, ran out of memory or wrote too much
    "missing",  # the function, the file or its body (NotImplementedError) is missing
    "import",  # the module does not import
    "unsupported",  # returned something the grader cannot read
    "grader",  # the grader itself failed to judge the check
)

#: The kinds a plain (unkeyed) hint speaks of: the student's answer is wrong.
ANSWER_KINDS = frozenset({"values", "factor", "shape", "nonfinite", "forbidden", "slow"})

#: A keyed hint's text for the kind on the right also serves the kind on the left.
FALLBACK = {"factor": "values", "shape": "values"}

#: Kinds that never get a hint, not even a keyed one.
SILENT = frozenset({"missing", "import", "grader", ""})


@dataclass(frozen=True)
class Hints(Text):
    """A hint keyed by failure kind; build it with :func:`hints`.

    ``en``/``fr`` hold the ``values`` text (or nothing), so code that reads a check's hint as
    a plain :class:`Text` still gets advice about wrong values only.

    Attributes:
      by_kind: ``(kind, text)`` pairs, one per failure kind the hint speaks of.
    """

    by_kind: tuple[tuple[str, Text], ...] = ()

    def get(self, kind: str) -> Text | None:
        """The text written for ``kind`` (following :data:`FALLBACK`), or None."""
        own = dict(self.by_kind)
        while kind:
            if kind in own:
                return own[kind]
            kind = FALLBACK.get(kind, "")
        return None


def hints(**by_kind: Text) -> Hints:
    """A hint keyed by failure kind, e.g. ``hints(nonfinite=OVERFLOW, tracer=JIT_HINT)``.

    Args:
      **by_kind: a :class:`Text` for each failure kind of :data:`KINDS` it speaks of.

    Returns:
      A :class:`Hints`, to pass as a check's ``hint=``.

    Raises:
      ValueError: for a kind that is not in :data:`KINDS`, or one that never gets a hint.
    """
    for kind, text in by_kind.items():
        if kind not in KINDS or kind in SILENT:
            raise ValueError(
                f"hints() got the failure kind {kind!r}; expected some of "
                f"{', '.join(k for k in KINDS if k not in SILENT)}"
            )
        if not isinstance(text, Text):
            raise TypeError(f"hints({kind}=...) must be a Text, got {type(text).__name__}")
    values = by_kind.get("values", Text(""))
    return Hints(values.en, values.fr, tuple(by_kind.items()))


def hint_for(text: Text, *kinds: str) -> Hints:
    """One text shown for the failure kinds listed; ``"answer"`` stands for all of
    :data:`ANSWER_KINDS` (what a plain hint covers), e.g. ``hint_for(SIGMOID, "answer",
    "ambiguous")``, ``hint_for(OVERFLOW, "nonfinite")``.

    Args:
      text: the hint.
      *kinds: failure kinds of :data:`KINDS`, or ``"answer"``.

    Returns:
      A :class:`Hints`, to pass as a check's ``hint=``.
    """
    expanded: dict[str, Text] = {}
    for kind in kinds:
        for k in sorted(ANSWER_KINDS) if kind == "answer" else [kind]:
            expanded[k] = text
    return hints(**expanded)


def kinds_of(hint: Text) -> frozenset[str]:
    """The failure kinds ``hint`` is shown for (an empty hint: none)."""
    if isinstance(hint, Hints):
        return frozenset(k for k in KINDS if hint.get(k) is not None)
    return ANSWER_KINDS if hint.en else frozenset()


# -- classifying failures -------------------------------------------------------------------------

_TRACER_TYPES = frozenset(
    {
        "ConcretizationTypeError",
        "TracerBoolConversionError",
        "TracerArrayConversionError",
        "TracerIntegerConversionError",
        "UnexpectedTracerError",
        "NonConcreteBooleanIndexError",
        "KeyReuseError",
    }
)
# numpy's and jax's words for arrays whose shapes do not combine (broadcasting, matmul, dot).
_SHAPE_WORDS = re.compile(
    r"broadcast|incompatible shapes|shapes? .{0,40}not aligned|mismatch in its core dimension"
    r"|contracting dimensions|dot_general requires|cannot reshape|could not be broadcast",
    re.IGNORECASE,
)


def error_kind(error: dict) -> str:
    """The failure kind of an exception the student's code raised (the worker's plain data).

    Args:
      error: ``{"type", "message", "not_implemented", "memory", ...}`` as the worker sends it.

    Returns:
      ``"missing"``, ``"crash"``, ``"unsupported"``, ``"tracer"``, ``"broadcast"``,
      ``"ambiguous"`` or ``"exception"``.
    """
    kind = str(error.get("type", ""))
    message = str(error.get("message", ""))
    if error.get("not_implemented"):
        return "missing"
    if error.get("memory") or "[Errno 27]" in message:
        return "crash"
    if kind == "UnsupportedType":
        return "unsupported"
    if kind in _TRACER_TYPES or "Tracer" in kind or re.search(r"\bTracer\b|traced array", message):
        return "tracer"
    if kind in ("ValueError", "TypeError", "IndexError") and _SHAPE_WORDS.search(message):
        return "broadcast"
    if kind == "ValueError" and "truth value of an array" in message:
        return "ambiguous"
    return "exception"


def mismatch_kind(kind: str, info: dict) -> str:
    """The failure kind of a compare mismatch (:class:`grader.compare.Mismatch` kind and info).

    A result that should have been NaN or inf and is not is a wrong value, not an overflow.
    """
    if kind == "shape":
        return "shape"
    if kind == "nonfinite":
        exp = info.get("expected_value")
        expected_nonfinite = isinstance(exp, float) and (exp != exp or abs(exp) == float("inf"))
        return "values" if expected_nonfinite else "nonfinite"
    if kind == "values" and "constant_factor" in info:
        return "factor"
    return "values"


# -- choosing ---------------------------------------------------------------------------------------

TRACER_HINT = Text(
    "This error comes from a jax tracer: under jax.jit (or vmap, grad) the input is an "
    "abstract array whose values are not known yet. numpy functions (np.asarray, np.exp…), "
    "float()/int(), and a Python `if` or `while` on a value cannot use it. Write the "
    "function with jax.numpy (jnp) and choose values with jnp.where instead of `if`.",
    "Cette erreur vient d'un traceur jax : sous jax.jit (ou vmap, grad) l'entrée est un "
    "tableau abstrait dont les valeurs ne sont pas encore connues. Les fonctions numpy "
    "(np.asarray, np.exp…), float()/int() et un `if` ou un `while` Python sur une valeur ne "
    "peuvent pas l'utiliser. Écrivez la fonction avec jax.numpy (jnp) et choisissez les "
    "valeurs avec jnp.where plutôt qu'avec `if`.",
)
BROADCAST_HINT = Text(
    "Two arrays' shapes do not fit together. Print the .shape of the operands on the line "
    "the error points to: to broadcast, trailing axes must be equal or 1 (keep reduced axes "
    "with keepdims=True); for a @ b, a's last axis must match b's first (dense weights are "
    "(n_in, n_out), inputs (N, n_in)).",
    "Les formes de deux tableaux ne sont pas compatibles. Affichez le .shape des opérandes "
    "de la ligne indiquée par l'erreur : pour la diffusion, les derniers axes doivent être "
    "égaux ou valoir 1 (gardez les axes réduits avec keepdims=True) ; pour a @ b, le dernier "
    "axe de a doit égaler le premier de b (les poids denses sont (n_in, n_out), les entrées "
    "(N, n_in)).",
)
AMBIGUOUS_HINT = Text(
    "A Python `if`, `and`, `or` or `while` got an array of several values: it needs one "
    "True or False. Choose elementwise with np.where(condition, a, b) (jnp.where with jax), "
    "or say what you mean with np.any / np.all.",
    "Un `if`, `and`, `or` ou `while` Python a reçu un tableau de plusieurs valeurs : il lui "
    "faut un seul True ou False. Choisissez élément par élément avec np.where(condition, a, b) "
    "(jnp.where avec jax), ou dites ce que vous voulez avec np.any / np.all.",
)
#: Engine-level hints: they fit a failure kind whatever the check.
ENGINE = {"tracer": TRACER_HINT, "broadcast": BROADCAST_HINT, "ambiguous": AMBIGUOUS_HINT}


def choose(hint: Text | None, kind: str) -> Text | None:
    """The hint to show for a check whose result failed with ``kind``, or None.

    Args:
      hint: the check's ``hint`` (a plain :class:`Text`, a :class:`Hints`, or empty).
      kind: the result's failure kind (one of :data:`KINDS`, or ``""`` when unknown).

    Returns:
      The check's own text for that kind if it has one, else the engine's, else None.
    """
    if kind in SILENT:
        return None
    own = None
    if isinstance(hint, Hints):
        own = hint.get(kind)
    elif hint is not None and hint.en and kind in ANSWER_KINDS:
        own = hint
    if own is not None and own.en:
        return own
    return ENGINE.get(kind)
