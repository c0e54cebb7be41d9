"""Hints are chosen by what failed: the check's own text for that failure, an engine-level one
that fits the failure whatever the check, or none; never on a stub."""

from __future__ import annotations

import numpy as np
import pytest

from grader import course
from grader.compare import compare
from grader.hints import (
    AMBIGUOUS_HINT,
    ANSWER_KINDS,
    BROADCAST_HINT,
    KINDS,
    SILENT,
    TRACER_HINT,
    Hints,
    choose,
    error_kind,
    hint_for,
    hints,
    kinds_of,
    mismatch_kind,
)
from grader.i18n import Text
from grader.testing import grade_source, reference_source, replace_function, stub_source

FORMULA = Text("σ(z) = 1/(1 + e^-z)", "σ(z) = 1/(1 + e^-z)")
OVERFLOW = Text("exp overflows", "exp déborde")


def _real_error(fn) -> dict:
    """The worker's plain data for the exception ``fn`` raises (type and message)."""
    try:
        fn()
    except Exception as exc:
        return {"type": type(exc).__name__, "message": str(exc)}
    raise AssertionError("no exception")


def test_a_plain_hint_speaks_of_wrong_answers_only():
    shown = {kind: choose(FORMULA, kind) for kind in KINDS}
    assert {k for k, h in shown.items() if h is FORMULA} == ANSWER_KINDS
    # Not on an exception, a timeout or a crash: the engine's advice or nothing.
    assert shown["exception"] is None and shown["timeout"] is None and shown["crash"] is None
    assert shown["tracer"] is TRACER_HINT and shown["broadcast"] is BROADCAST_HINT
    assert shown["ambiguous"] is AMBIGUOUS_HINT


def test_a_keyed_hint_is_shown_for_its_kinds_only():
    h = hints(nonfinite=OVERFLOW, tracer=Text("use jnp", "utilisez jnp"))
    assert choose(h, "nonfinite") is OVERFLOW
    assert choose(h, "tracer").en == "use jnp"  # the check's own text before the engine's
    assert choose(h, "values") is None and choose(h, "factor") is None
    assert choose(h, "broadcast") is BROADCAST_HINT
    v = hints(values=FORMULA)
    assert choose(v, "factor") is FORMULA and choose(v, "shape") is FORMULA  # fallbacks
    assert choose(v, "nonfinite") is None
    assert isinstance(h, Text) and h.en == "" and v.en == FORMULA.en  # still a Text
    assert kinds_of(hint_for(FORMULA, "answer", "ambiguous")) == ANSWER_KINDS | {"ambiguous"}


@pytest.mark.parametrize("kind", [*sorted(SILENT - {""}), ""])
def test_missing_functions_and_grader_errors_get_no_hint(kind):
    every = hints(**{k: FORMULA for k in KINDS if k not in SILENT})
    assert choose(every, kind) is None and choose(FORMULA, kind) is None


def test_hints_refuses_unknown_or_silent_kinds():
    with pytest.raises(ValueError, match="overflow"):
        hints(overflow=OVERFLOW)
    with pytest.raises(ValueError, match="missing"):
        hints(missing=FORMULA)  # an untouched stub must not be handed the answer
    with pytest.raises(TypeError):
        hints(values="a str")


def test_real_exceptions_are_classified():
    import jax
    import jax.numpy as jnp

    cases = {
        "broadcast": [
            lambda: np.ones((4, 3)) - np.ones(4),
            lambda: jnp.ones((4, 3)) - jnp.ones(4),
            lambda: np.ones((4, 3)) @ np.ones((4, 2)),
            lambda: jnp.ones((4, 3)) @ jnp.ones((4, 2)),
            lambda: np.dot(np.ones((4, 3)), np.ones((4, 2))),
            lambda: jax.vmap(lambda x: x + jnp.ones(5))(jnp.ones((2, 3))),
        ],
        "tracer": [
            lambda: jax.jit(lambda x: np.asarray(x))(jnp.ones(3)),
            lambda: jax.jit(lambda x: 1 if x.sum() > 0 else 0)(jnp.ones(3)),
            lambda: jax.jit(lambda x: float(x.sum()))(jnp.ones(3)),
        ],
        "ambiguous": [lambda: 1 if np.ones(3) > 0 else 0],
        "exception": [lambda: {}["k"], lambda: 1 / 0, lambda: int("x")],
    }
    for kind, fns in cases.items():
        for fn in fns:
            error = _real_error(fn)
            assert error_kind(error) == kind, error
    assert error_kind({"type": "NotImplementedError", "not_implemented": True}) == "missing"
    assert error_kind({"type": "MemoryError", "message": "", "memory": True}) == "crash"


def test_mismatches_are_classified():
    x = np.array([1.0, 2.0, 3.0])
    assert mismatch_kind(**_kind_info(compare(x, 2 * x))) == "factor"
    assert mismatch_kind(**_kind_info(compare(x, x + np.array([0.0, 0.0, 1.0])))) == "values"
    assert mismatch_kind(**_kind_info(compare(x, x[:2]))) == "shape"
    assert mismatch_kind(**_kind_info(compare(x, np.array([1.0, np.nan, 3.0])))) == "nonfinite"
    # Expected a NaN and got a number: a wrong value, not an overflow to fix.
    assert mismatch_kind(**_kind_info(compare(np.array([np.nan]), np.array([1.0])))) == "values"


def _kind_info(m):
    return {"kind": m.kind, "info": m.info}


# -- the course's hints, re-keyed --------------------------------------------------------------


def _checks(exercise_id: str) -> dict[str, object]:
    return {f"{c.function}/{c.name}": c for c in course.load(exercise_id).checks}


def _shown(check, kind: str) -> str:
    h = choose(check.hint, kind)
    return h.en if h is not None else ""


@pytest.mark.parametrize(
    "exercise_id, check, kind, words",
    [
        ("ex02_activations", "sigmoid/jit", "tracer", "Under jax.jit the input is a tracer"),
        ("ex02_activations", "sigmoid/jit", "broadcast", "shapes do not fit together"),
        ("ex02_activations", "sigmoid/jit", "values", ""),
        ("ex02_activations", "sigmoid/large_inputs", "nonfinite", "exp(-|z|)"),
        ("ex02_activations", "sigmoid/large_inputs", "values", ""),
        ("ex02_activations", "sigmoid/values", "values", "σ(z) = 1/(1 + e^{-z})"),
        ("ex02_activations", "sigmoid/values", "ambiguous", "not with a Python `if`"),
        ("ex02_activations", "sigmoid/values", "exception", ""),
        ("ex02_activations", "sigmoid_prime/large_inputs", "nonfinite", "inf/inf = NaN"),
        ("ex02_activations", "sigmoid_prime/large_inputs", "factor", ""),
        ("ex02_activations", "sigmoid_prime/large_inputs", "values", ""),
        ("ex02_activations", "softmax/rows", "broadcast", "keepdims=True"),
        ("ex02_activations", "softmax/rows", "shape", "keepdims=True"),
        ("ex02_activations", "softmax/axes_jax_and_large", "nonfinite", "e^{1e4} is inf"),
        ("ex02_activations", "softmax/axes_jax_and_large", "values", "Normalise along"),
        ("ex02_activations", "softmax/vmap", "tracer", "tracer"),
        ("ex02_activations", "log_softmax/large_gaps", "nonfinite", "log(0) = -inf"),
        ("ex02_activations", "log_softmax/large_gaps", "values", ""),
        ("ex02_activations", "tanh/extremes_and_jax", "nonfinite", "inf/inf = NaN"),
        ("ex02_activations", "tanh/extremes_and_jax", "values", ""),
        ("ex07_mlp", "mlp_forward/batches", "broadcast", "w of shape (n_in, n_out)"),
        ("ex07_mlp", "mlp_forward/batches", "values", "w of shape (n_in, n_out)"),
        ("ex09_sgd", "train_sgd/time_budget", "slow", "Compile a whole epoch"),
        ("ex09_sgd", "train_sgd/time_budget", "timeout", "Compile a whole epoch"),
        ("ex09_sgd", "train_sgd/time_budget", "values", ""),  # accuracy: not a speed problem
        ("ex11_regularization", "dropout/under_jit", "tracer", "x and key are tracers"),
        ("ex11_regularization", "dropout/under_jit", "values", ""),
        ("ex12_optimizers", "adam/jit_without_params", "tracer", "compiles the whole step"),
        ("ex12_optimizers", "adam/jit_without_params", "exception", "params must default"),
        ("ex12_optimizers", "adam/jit_without_params", "values", "t counts the updates"),
        ("ex14_cnn", "cnn_apply/trains_on_digits", "timeout", "trains your CNN itself"),
        ("ex14_cnn", "cnn_apply/trains_on_digits", "exception", ""),
        ("ex14_cnn", "cnn_apply/evaluation_mode", "exception", "must work without a key"),
        ("ex14_cnn", "cnn_apply/other_shapes_batch_of_one", "broadcast", "never squeeze"),
        ("ex14_cnn", "cnn_apply/other_shapes_batch_of_one", "tracer", "jax tracer"),  # engine's
        ("ex03_gradient_descent", "three_iterations/other_starts", "exception", "float(x0)"),
        ("ex03_gradient_descent", "three_iterations/other_starts", "timeout", ""),
    ],
)
def test_course_checks_show_the_hint_of_the_failure(exercise_id, check, kind, words):
    shown = _shown(_checks(exercise_id)[check], kind)
    assert (words in shown) if words else shown == "", shown
    if kind == "tracer" and exercise_id == "ex12_optimizers":
        assert "t counts the updates" not in shown  # the formula is for wrong values only


def test_every_keyed_course_hint_is_bilingual_and_not_for_a_silent_kind():
    for ex_id in course.available():
        for c in course.load(ex_id).checks:
            if isinstance(c.hint, Hints):
                assert c.hint.by_kind, c.id
                for kind, text in c.hint.by_kind:
                    assert kind not in SILENT and text.en and text.fr, (c.id, kind)


# -- the measured failures, graded for real ----------------------------------------------------

EX02 = "ex02_activations"


def test_a_broadcasting_error_under_jit_gets_the_shapes_hint_not_the_tracer_one():
    broadcasting = """
def sigmoid(z):
    import jax.numpy as jnp
    z = jnp.asarray(z)
    return 1.0 / (1.0 + jnp.exp(-z)) + jnp.zeros(z.shape[-1] + 1)
"""
    source = replace_function(reference_source(EX02), "sigmoid", broadcasting)
    result = grade_source(EX02, source, checks=["sigmoid/jit"])
    (r,) = result.checks
    assert r.status == "error" and r.failure == "broadcast", (r.status, r.message)
    assert "shapes do not fit together" in r.hint and "tracer" not in r.hint


def test_a_doubled_sigmoid_prime_gets_no_overflow_hint():
    doubled = "def sigmoid_prime(z):\n    return 2.0 * sigmoid(z) * (1.0 - sigmoid(z))\n"
    source = replace_function(reference_source(EX02), "sigmoid_prime", doubled)
    result = grade_source(EX02, source, checks=["sigmoid_prime/large_inputs"])
    (r,) = result.checks
    assert r.status == "failed" and r.failure in ("values", "factor"), (r.failure, r.message)
    assert "inf/inf" not in r.hint and "NaN" not in r.hint


def test_an_untouched_stub_gets_no_hint_at_all():
    result = grade_source(EX02, stub_source(EX02))
    assert all(r.status != "passed" for r in result.checks)
    assert [r.check.id for r in result.checks if r.hint] == []
    missing = grade_source(EX02, "import numpy as np\n", functions=["sigmoid"])
    assert [r.hint for r in missing.checks] == [""] * len(missing.checks)
