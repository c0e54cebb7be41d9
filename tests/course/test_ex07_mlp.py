"""ex07_mlp: the reference passes everything; students' classic mistakes are caught with
feedback that names them; correct code written differently (another valid use of the key,
numpy loops, jax) passes."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from grader import course
from grader.course.ex07_mlp import evaluate_cases, judge_evaluate, judge_shapes, judge_uniform
from grader.judging import redact
from grader.sandboxed.codec import Ref
from grader.sandboxed.drivers import resolve_ref
from grader.spec import Case, key
from grader.testing import (
    by_function,
    failed,
    grade_source,
    passed,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex07_mlp"
REF = reference_source(EX)


# One mistake per function in each mutant (one grading run each); "expect" maps a check name
# to phrases its message must contain.
MUTANTS = {
    "uniform01_no_last_sigmoid_fraction": (
        {
            "init_mlp": """
def init_mlp(key, sizes):
    keys = jax.random.split(key, 2 * (len(sizes) - 1))
    return [{"w": jax.random.uniform(keys[2 * i], (a, b)),            # [0, 1)
             "b": jax.random.uniform(keys[2 * i + 1], (b,))}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
""",
            "mlp_forward": """
def mlp_forward(params, x):
    a = np.asarray(x, dtype=np.float64)
    for i, (w, b) in enumerate(_layers(params)):
        z = a @ w + b
        a = _sigmoid(z) if i < len(params) - 1 else z     # no sigmoid on the output
    return a
""",
            "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, dtype=np.float64)
    for w, b in _layers(params):
        a = np.maximum(a @ w + b, 0.0)                    # ReLU on the output too
    return a
""",
            "evaluate": """
def evaluate(params, X, y):
    return float(np.mean(np.argmax(_reference_forward(params, X), axis=1) == np.asarray(y)))
""",
        },
        {
            "init_mlp/uniform_in_range": ["[0, 1)", "minval=-1.0"],
            "evaluate/count": ["accuracy, a fraction"],
        },
    ),
    "transposed_w_sigmoid_hidden_axis0": (
        {
            "init_mlp": """
def init_mlp(key, sizes):
    keys = jax.random.split(key, 2 * (len(sizes) - 1))
    return [{"w": jax.random.uniform(keys[2 * i], (b, a), minval=-1.0, maxval=1.0),  # seed's W
             "b": jax.random.uniform(keys[2 * i + 1], (b,), minval=-1.0, maxval=1.0)}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
""",
            "mlp_forward": """
def mlp_forward(params, x):
    a = np.asarray(x, dtype=np.float64)
    for w, b in _layers(params):
        a = _sigmoid(a @ w.T + b)                         # W instead of Wᵀ
    return a
""",
            "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, dtype=np.float64)
    layers = _layers(params)
    for i, (w, b) in enumerate(layers):
        z = a @ w + b
        a = _sigmoid(z) if i < len(layers) - 1 else z     # sigmoid instead of ReLU
    return a
""",
            "evaluate": """
def evaluate(params, X, y):
    return int(np.sum(np.argmax(_reference_forward(params, X), axis=0) == np.asarray(y)))
""",
        },
        {
            "init_mlp/shapes": ["transposed?"],
            "mlp_forward/square_layers": ["wrong values"],
            "evaluate/as_many_examples_as_classes": ["argmax over axis 0"],
        },
    ),
    "one_key_no_bias_linear_logits": (
        {
            "init_mlp": """
def init_mlp(key, sizes):
    return [{"w": jax.random.uniform(key, (a, b), minval=-1.0, maxval=1.0),   # one key for all
             "b": jax.random.uniform(key, (b,), minval=-1.0, maxval=1.0)}
            for a, b in zip(sizes[:-1], sizes[1:])]
""",
            "mlp_forward": """
def mlp_forward(params, x):
    a = np.asarray(x, dtype=np.float64)
    for w, _ in _layers(params):
        a = _sigmoid(a @ w)                               # biases ignored
    return a
""",
            "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, dtype=np.float64)
    for w, b in _layers(params):
        a = a @ w + b                                     # no ReLU at all
    return a
""",
            "evaluate": """
def evaluate(params, X, y):
    return int(np.sum(np.argmax(mlp_logits(params, X), axis=1) == np.asarray(y)))
""",
        },
        {"init_mlp/independent_draws": ["are identical", "drawn from the same key"]},
    ),
}

# init_mlp alone: mistakes that only its property checks can see. Judged in this process
# (the checks' own cases and judges, without the sandbox) to keep the test file fast; the
# mutants above take init mistakes through the whole grader.
INIT_MUTANTS = {
    "normal": (
        """
def init_mlp(key, sizes):
    keys = jax.random.split(key, 2 * (len(sizes) - 1))
    return [{"w": jax.random.normal(keys[2 * i], (a, b)),
             "b": jax.random.normal(keys[2 * i + 1], (b,))}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
""",
        {"init_mlp/uniform_in_range": ["outside [−1, 1]", "not from a normal"]},
    ),
    "numpy_global_state": (
        """
def init_mlp(key, sizes):
    return [{"w": np.random.uniform(-1, 1, (a, b)), "b": np.random.uniform(-1, 1, b)}
            for a, b in zip(sizes[:-1], sizes[1:])]
""",
        {"init_mlp/same_key_same_params": ["same key gave different values"]},
    ),
    "fixed_seed": (
        """
def init_mlp(key, sizes):
    keys = jax.random.split(jax.random.key(0), 2 * (len(sizes) - 1))   # ignores the key
    return [{"w": jax.random.uniform(keys[2 * i], (a, b), minval=-1.0, maxval=1.0),
             "b": jax.random.uniform(keys[2 * i + 1], (b,), minval=-1.0, maxval=1.0)}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
""",
        {"init_mlp/other_key_other_params": ["two different keys gave the same values"]},
    ),
    "same_key_for_w_and_b": (
        """
def init_mlp(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"w": jax.random.uniform(k, (a, b), minval=-1.0, maxval=1.0),
             "b": jax.random.uniform(k, (b,), minval=-1.0, maxval=1.0)}     # shares w's draws
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
""",
        {"init_mlp/independent_draws": ["layer 1's w and layer 1's b share 3 values"]},
    ),
}


HELPER = """

import jax.numpy as jnp


def _reference_forward(params, x):
    a = np.asarray(x, dtype=np.float64)
    for w, b in _layers(params):
        a = _sigmoid(a @ w + b)
    return a
"""


def _mutate(mutations):
    return replace_functions(REF + HELPER, mutations)


def _assert_messages(result, expect):
    results = {f"{r.check.function}/{r.check.name}": r for r in result.checks}
    for check, phrases in expect.items():
        message = results[check].message
        for phrase in phrases:
            assert phrase in message, f"{check}: {phrase!r} not in {message!r}"


@pytest.mark.parametrize("name", list(MUTANTS))
def test_wrong_implementations_are_caught(name):
    mutations, expect = MUTANTS[name]
    result = grade_source(EX, _mutate(mutations), hidden=False)
    for function in mutations:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    for function in set(by_function(result)) - set(mutations):
        assert passed(result, function), summary(result)
    _assert_messages(result, expect)


def _verdicts_in_process(function, source, hidden=True):
    """{check id: Verdict} of ``function``'s property checks on ``source`` run in this process."""
    namespace = {}
    exec(compile(source, "mutant.py", "exec"), namespace)
    fn = namespace[function]
    verdicts = {}
    for check in course.load(EX).checks:
        if check.function != function or check.kind != "property" or (check.hidden and not hidden):
            continue
        cases = check.make_cases(0)
        outputs = []
        for case in cases:
            args = [resolve_ref(a.name, a.args) if isinstance(a, Ref) else a for a in case.args]
            outputs.append(jax.tree.map(np.asarray, fn(*args)))
        verdicts[f"{check.function}/{check.name}"] = check.judge(cases, outputs)
    return verdicts


def test_init_checks_pass_the_reference_in_process():
    verdicts = _verdicts_in_process("init_mlp", _mutate({}), hidden=False)
    assert all(v.passed for v in verdicts.values()), verdicts


@pytest.mark.parametrize("name", list(INIT_MUTANTS))
def test_wrong_initialisations_are_caught(name):
    code, expect = INIT_MUTANTS[name]
    verdicts = _verdicts_in_process("init_mlp", _mutate({"init_mlp": code}), hidden=False)
    for check, phrases in expect.items():
        message = verdicts[check].message
        assert not verdicts[check].passed and message.fr
        for phrase in phrases:
            assert phrase in message.en, f"{check}: {phrase!r} not in {message.en!r}"


ALTERNATIVE_NUMPY = """
import jax
import numpy as np


def init_mlp(key, sizes):
    # Another valid use of the key: a numpy Generator seeded from the key's bits, then one
    # fold_in per layer for the biases. No two arrays share draws; same key, same params.
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel().tolist())
    params = []
    for i in range(len(sizes) - 1):
        w = rng.uniform(-1.0, 1.0, size=(sizes[i], sizes[i + 1]))
        b = jax.random.uniform(jax.random.fold_in(key, i), (sizes[i + 1],), minval=-1.0, maxval=1.0)
        params.append({"w": w, "b": np.asarray(b, dtype=np.float64)})
    return params


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v)) if v >= 0 else np.exp(v) / (1.0 + np.exp(v))


def mlp_forward(params, x):
    a = [[float(v) for v in row] for row in np.asarray(x)]
    for p in params:
        w, b = np.asarray(p["w"], dtype=np.float64), np.asarray(p["b"], dtype=np.float64)
        a = [[_sig(sum(row[i] * w[i, j] for i in range(len(row))) + b[j]) for j in range(len(b))]
             for row in a]
    return a


def mlp_logits(params, x):
    a = np.asarray(x, dtype=np.float64)
    for i, p in enumerate(params):
        a = np.dot(a, p["w"]) + p["b"]
        if i + 1 < len(params):
            a = np.where(a > 0, a, 0.0)
    return a


def evaluate(params, X, y):
    out = np.asarray(mlp_forward(params, X))
    return sum(1 for row, label in zip(out, y) if int(np.argmax(row)) == int(label))
"""

ALTERNATIVE_JAX = """
import jax
import jax.numpy as jnp


def init_mlp(key, sizes):
    # One draw for every parameter, then cut into the leaves: nothing is drawn twice.
    shapes = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        shapes += [(a, b), (b,)]
    total = sum(int(jnp.prod(jnp.array(s))) for s in shapes)
    flat = jax.random.uniform(key, (total,), minval=-1.0, maxval=1.0)
    leaves, start = [], 0
    for s in shapes:
        size = int(jnp.prod(jnp.array(s)))
        leaves.append(flat[start:start + size].reshape(s))
        start += size
    return [{"w": leaves[2 * i], "b": leaves[2 * i + 1]} for i in range(len(sizes) - 1)]


@jax.jit
def mlp_forward(params, x):
    for p in params:
        x = jax.nn.sigmoid(jnp.einsum("ni,io->no", x, p["w"]) + p["b"])
    return x


@jax.jit
def mlp_logits(params, x):
    for p in params[:-1]:
        x = jax.nn.relu(x @ p["w"] + p["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def evaluate(params, X, y):
    return jnp.sum(jnp.argmax(mlp_forward(params, X), axis=-1) == jnp.asarray(y))
"""


@pytest.mark.parametrize("source", [ALTERNATIVE_NUMPY, ALTERNATIVE_JAX], ids=["numpy", "jax"])
def test_correct_alternatives_pass(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)


# The judges' rarer diagnoses, on crafted outputs (no grading run needed).
def _init(key_seed, sizes, w_draw, b_draw):
    keys = jax.random.split(jax.random.key(key_seed), 2 * (len(sizes) - 1))
    return [
        {
            "w": np.asarray(w_draw(keys[2 * i], (a, b))),
            "b": np.asarray(b_draw(keys[2 * i + 1], (b,))),
        }
        for i, (a, b) in enumerate(itertools.pairwise(sizes))
    ]


def _uniform(lo, hi):
    return lambda k, shape: jax.random.uniform(k, shape, minval=lo, maxval=hi)


SIZES = [40, 40, 40, 40]
INIT_OUTPUTS = {
    "reference": (_init(1, SIZES, _uniform(-1, 1), _uniform(-1, 1)), None),
    "clipped_normal": (
        _init(1, SIZES, lambda k, s: jnp.clip(jax.random.normal(k, s), -1, 1), _uniform(-1, 1)),
        "not uniformly spread",
    ),
    "zero_biases": (_init(1, SIZES, _uniform(-1, 1), lambda k, s: jnp.zeros(s)), "every bias is 0"),
    "half_range": (_init(1, SIZES, _uniform(-0.5, 0.5), _uniform(-0.5, 0.5)), "do not spread"),
    "column_biases": (
        _init(1, SIZES, _uniform(-1, 1), lambda k, s: jax.random.uniform(k, (s[0], 1))),
        "not seed 001's column",
    ),
    "one_layer_too_many": (
        [
            *_init(1, SIZES, _uniform(-1, 1), _uniform(-1, 1)),
            {"w": np.zeros((40, 1)), "b": np.zeros(1)},
        ],
        "expected 3 layers",
    ),
}


@pytest.mark.parametrize("name", list(INIT_OUTPUTS))
def test_init_judges_on_crafted_outputs(name):
    output, phrase = INIT_OUTPUTS[name]
    cases = [Case((key(0), SIZES))]
    verdicts = [judge_shapes(cases, [output]), judge_uniform(cases, [output])]
    if phrase is None:
        assert all(v.passed for v in verdicts)
    else:
        message = next(v for v in verdicts if not v.passed).message
        assert phrase in message.en and message.fr and message.fr != message.en, message


def test_evaluate_judge_diagnoses_and_hides_expected_values_when_hidden():
    rng = np.random.default_rng(0)
    (case,) = evaluate_cases(rng, [([4, 6, 3], 20)])
    params, X, y = case.args
    right = int(np.sum(np.argmax(_forward(params, X), axis=1) == y))
    judge = judge_evaluate
    assert judge([case], [np.int32(right)]).passed and judge([case], [float(right)]).passed
    per_example = judge([case], [np.argmax(_forward(params, X), axis=1) == y])
    assert "sum the matches" in per_example.message.en
    assert "counted the wrong predictions" in judge([case], [len(y) - right]).message.en
    wrong = judge([case], [right + 1])
    # The engine's redaction, as for a public and for a hidden check.
    public = {lang: redact(wrong.message(lang), hidden=False) for lang in ("en", "fr")}
    hidden = {lang: redact(wrong.message(lang), hidden=True) for lang in ("en", "fr")}
    assert f"expected {right}" in public["en"]
    assert f"attendu {right}" in public["fr"]
    assert not wrong.passed and "expected" not in hidden["en"] and "attendu" not in hidden["fr"]
    assert "argmax" in hidden["en"] and f"got {right + 1}" in hidden["en"]


def _forward(params, x):
    a = np.asarray(x, np.float64)
    for p in params:
        a = 1 / (1 + np.exp(-(a @ p["w"] + p["b"])))
    return a
