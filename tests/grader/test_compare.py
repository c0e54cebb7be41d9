"""Pytree comparison: values not types, per-dtype tolerances, and diagnostics a student can use."""

from __future__ import annotations

import numpy as np
import pytest

from grader.compare import Tolerance, compare
from grader.messages import describe_mismatch


def test_lists_tuples_scalars_and_arrays_are_interchangeable():
    assert compare((np.ones(2), 3.0), [np.ones(2, np.float32), np.float32(3.0)]) is None
    assert compare([1.0, 2.0], np.array([1.0, 2.0])) is None
    assert compare(np.array(9), 9.0) is None
    assert compare({"w": np.zeros((2, 2))}, {"w": [[0.0, 0.0], [0.0, 0.0]]}) is None


def test_float32_answer_judged_with_float32_tolerance_against_float64_reference():
    exp = np.array([1.0, 2.0, 3.0])
    got32 = (exp * (1 + 3e-6)).astype(np.float32)
    assert compare(exp, got32) is None
    assert compare(exp, exp * (1 + 3e-6)).kind == "values"  # float64 answers are held to float64


def test_shape_mismatch_reports_both_shapes_and_transposition():
    m = compare(np.zeros((2, 3)), np.zeros((3, 2)))
    assert m.kind == "shape" and m.info == {"expected_shape": [2, 3], "got_shape": [3, 2]}
    assert "transposed" in describe_mismatch(m, "en", hidden=False)


def test_nan_where_finite_expected_reports_where():
    got = np.array([1.0, np.nan, 3.0, np.inf])
    m = compare(np.array([1.0, 2.0, 3.0, 4.0]), got)
    assert m.kind == "nonfinite" and m.info["index"] == [1] and m.info["count"] == 2
    assert "NaN or infinite" in describe_mismatch(m, "en", hidden=False)


def test_values_mismatch_reports_errors_worst_index_and_constant_factor():
    exp = np.arange(1.0, 7.0).reshape(2, 3)
    m = compare(exp, exp * 0.5)
    assert m.kind == "values" and m.info["index"] == [1, 2] and m.info["count"] == 6
    assert m.info["max_abs_error"] == pytest.approx(3.0)
    text = describe_mismatch(m, "en", hidden=False)
    assert "times 0.5" in text and "got 3, expected 6" in text


def test_hidden_messages_never_show_expected_values():
    exp = np.array([0.123456, 7.654321])
    m = compare(exp, np.array([0.123456, 1.0]))
    hidden = describe_mismatch(m, "en", hidden=True)
    assert "7.65" not in hidden and "expected 7" not in hidden
    assert "1 of 2" in hidden and "index [1]" in hidden


def test_transposed_square_result_is_spotted():
    exp = np.array([[1.0, 2.0], [3.0, 4.0]])
    m = compare(exp, exp.T)
    assert m.info.get("looks_transposed")


def test_integer_expectations_are_exact():
    assert compare(np.array([3, 4]), np.array([3.0, 4.0])) is None
    assert compare(795 * 3 + 10, 795 * 3 + 10.0000001).kind == "values"


def test_dict_keys_and_lengths_and_paths():
    m = compare({"w": 1, "b": 2}, {"w": 1, "B": 2})
    assert m.kind == "keys" and m.info == {"missing": ["'b'"], "extra": ["'B'"]}
    m = compare([{"w": np.ones(2)}, {"w": np.ones(2)}], [{"w": np.ones(2)}, {"w": np.zeros(2)}])
    assert m.path == "[1]['w']"
    assert compare([1, 2], [1, 2, 3]).kind == "length"


def test_keep_float64_requires_float64():
    m = compare(np.ones(3), np.ones(3, np.float32), keep_float64=True)
    assert m.kind == "dtype" and m.info["got_dtype"] == "float32"


def test_scale_relative_absolute_tolerance_catches_tiny_wrong_answers():
    exp = np.array([1e-8, -2e-8, 3e-8])
    assert compare(exp, np.zeros(3)).kind == "values"  # zeros are not "close" to 1e-8 values


def test_per_check_tolerance_override():
    exp = np.array([1.0, 2.0])
    got = np.array([1.001, 2.0], np.float32)
    assert compare(exp, got).kind == "values"
    assert compare(exp, got, tol=Tolerance(float32=(1e-2, 0.0))) is None


def test_none_strings_and_types():
    assert compare(None, None) is None
    assert compare(None, 0).kind == "type"
    assert compare("a", "b").kind == "string"
    assert compare(np.ones(2), "ones").kind == "type"


def test_french_messages():
    m = compare(np.zeros((2, 3)), np.zeros(4))
    assert "mauvaise forme" in describe_mismatch(m, "fr", hidden=False)


# -- the tolerance policy: judged at the precision of the inputs -----------------------------

from grader.compare import input_precision, judged_dtype, tolerance  # noqa: E402
from grader.sandboxed.codec import Ref  # noqa: E402


@pytest.mark.parametrize(
    ("inputs", "expected", "got", "judged"),
    [
        ("float32", "float64", "float64", "float32"),  # a float64 helper on float32 data
        ("float32", "float32", "float16", "float32"),  # float16 never loosens the verdict
        ("float32", "float64", "bfloat16", "float32"),
        ("float64", "float64", "float32", "float32"),  # JAX without x64
        ("float64", "float64", "float64", "float64"),
        ("float64", "float64", "float16", "float32"),
        ("float16", "float32", "float16", "float16"),  # float16 inputs: float16 precision
        (None, "float64", "float64", "float64"),  # no float inputs: expected and returned
        (None, "float64", "float32", "float32"),
        (None, "float32", "float16", "float32"),  # floored at float32
        (None, "float64", "int64", "float64"),
    ],
)
def test_judged_precision_follows_the_inputs(inputs, expected, got, judged):
    assert judged_dtype(inputs, expected, got) == judged


def test_keep_float64_judges_float64_whatever_the_inputs():
    assert judged_dtype("float32", "float64", "float64", keep_float64=True) == "float64"
    assert judged_dtype("float32", "float32", "float32", keep_float64=True) == "float32"


def test_input_precision_reads_arrays_and_jax_refs_not_python_floats():
    f32, f64 = np.ones(2, np.float32), np.ones(2)
    assert input_precision(({"w": f32, "b": f32}, f64, 0.5)) == "float32"
    assert input_precision((f64, 1e-5), {"eps": 0.1}) == "float64"
    assert input_precision(([0.1, 0.2], 3, Ref("key", (0,)))) is None
    # The worker builds jax inputs with JAX's defaults: a float64 request arrives as float32.
    assert input_precision((Ref("jnp", (f64, "float64")),)) == "float32"
    assert input_precision((Ref("jnp", (f64, "float16")), f64)) == "float16"
    assert input_precision((Ref("jnp", ([1, 2], "int32")),)) is None


def test_tolerance_is_the_checks_override_at_the_judged_precision():
    j = tolerance("float32", "float64", "float64", tol=Tolerance(float32=(1e-3, 1e-5)))
    assert (j.dtype, j.rtol, j.atol) == ("float32", 1e-3, 1e-5)
    np.testing.assert_allclose(j.allowed(np.array([2.0, -4.0])), [2e-3 + 4e-5, 4e-3 + 4e-5])


def test_float64_answer_from_float32_inputs_gets_float32_tolerance():
    exp = np.linspace(0.1, 1.0, 8)
    got = exp * (1 + 5e-7)  # a few float32 ulps of rounding noise, returned as float64
    assert compare(exp, got).kind == "values"  # float64 inputs: held to float64
    assert compare(exp, got, inputs="float32") is None


def test_lower_precision_answer_never_loosens_the_tolerance():
    z = np.linspace(-3, 3, 7)
    exp = 1 / (1 + np.exp(-z))
    got = (exp * 1.004).astype(np.float16)  # a sigmoid 0.4 % off, returned as float16
    m = compare(exp, got, inputs="float64")
    assert m is not None and m.kind == "values" and m.info["tol_dtype"] == "float32"
    assert compare(exp.astype(np.float16), got, inputs="float16") is None  # float16 inputs


def test_complex_result_is_a_clear_well_formed_mismatch():
    exp = np.ones(3)
    m = compare(exp, np.ones(3, np.complex64), inputs="float64")
    assert m.kind == "complex" and m.info == {"got_dtype": "complex64", "expected_dtype": "float64"}
    for hidden in (False, True):
        text = describe_mismatch(m, "en", hidden=hidden)
        assert "returned complex64 values" in text and "return real floats" in text
    assert "renvoyez des flottants réels" in describe_mismatch(m, "fr", hidden=False)
    assert compare([1.0, 2.0], [1.0, 2j]).kind == "complex"


def test_bfloat16_result_is_judged_as_a_float_at_the_inputs_precision():
    import ml_dtypes

    exp = np.array([0.51, 0.73, 0.97])
    got = exp.astype(ml_dtypes.bfloat16)  # 8 significant bits: off by up to 0.4 %
    m = compare(exp, got, inputs="float32")
    assert m.kind == "values" and m.info["tol_dtype"] == "float32"
    assert "tolerance for float32" in describe_mismatch(m, "en", hidden=False)
    assert compare(exp.astype(ml_dtypes.bfloat16), got, inputs="bfloat16") is None


def test_every_mismatch_kind_renders_in_both_languages():
    import ml_dtypes

    mismatches = [
        compare(np.ones(2), np.ones(2, np.complex128)),
        compare(np.ones(2), np.array(["a", "b"])),
        compare(np.ones(2), np.ones(2, np.float32), keep_float64=True),
        compare(np.ones(2), np.ones(2, ml_dtypes.bfloat16) * 2),
        compare(None, np.ones(2)),
        compare({"a": 1}, [1]),
        compare(np.ones(3), np.ones(3) * 1.1, spread={"x": 1.0}),
    ]
    for m in mismatches:
        assert m is not None
        for lang in ("en", "fr"):
            for hidden in (False, True):
                assert describe_mismatch(m, lang, hidden)


def test_spread_allows_a_stated_multiple_of_the_reference_spread():
    exp = {"p": np.array([1.0, -0.5, 1e-3])}
    got = {"p": np.array([1.0, -0.5, 1e-3 + 4e-5], np.float32)}
    assert compare(exp, got, inputs="float32").kind == "values"
    assert compare(exp, got, inputs="float32", spread={"p": 1e-5}, spread_multiple=5) is None
    m = compare(exp, got, inputs="float32", spread={"p": 1e-5}, spread_multiple=3)
    assert m.kind == "values" and m.info["spread"] == 1e-5 and m.info["spread_multiple"] == 3
    text = describe_mismatch(m, "en", hidden=False)
    assert "3 × 1e-05, the spread of correct implementations" in text
    assert "l'écart entre implémentations correctes" in describe_mismatch(m, "fr", hidden=False)


# -- end to end: what a student's dtype does to the verdict and the report ---------------------

SIGMOID_AS = {
    # 0.4 % off, returned as float16: a lower precision must not loosen the tolerance.
    "float16_off": "np.asarray(_ref_sigmoid(z) * 1.004, np.float16)",
    "complex64": "np.asarray(_ref_sigmoid(z), np.complex64)",
    "bfloat16": "jnp.asarray(_ref_sigmoid(z), jnp.bfloat16)",
}


def _sigmoid_submission(tmp_path, how: str):
    from grader.testing import reference_source

    source = reference_source("ex02_activations")
    source = source.replace("def sigmoid(", "def _ref_sigmoid(", 1)
    source += (
        "\n\nimport jax.numpy as jnp\nimport numpy as np\n\n\n"
        f"def sigmoid(z):\n    return {SIGMOID_AS[how]}\n"
    )
    path = tmp_path / "ex02_activations.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize("how", list(SIGMOID_AS))
def test_student_dtypes_fail_cleanly_in_json_and_table_reports(capsys, tmp_path, how):
    import json

    from grader.cli import main

    path = _sigmoid_submission(tmp_path, how)
    code = main(["run", str(path), "-e", "ex02", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1, report
    checks = {c["id"].split("/", 1)[1]: c for c in report["exercises"][0]["checks"]}
    sigmoid = [c for k, c in checks.items() if k.startswith("sigmoid/")]
    assert sigmoid and all(c["status"] != "passed" for c in sigmoid), sigmoid
    assert all(c.get("cause") != "grader" for c in checks.values()), checks  # no grader fault
    assert checks["sigmoid/values"]["status"] == "failed"
    message = checks["sigmoid/values"]["message"]
    if how == "complex64":
        assert "returned complex64 values" in message and "return real floats" in message
    else:  # judged at the inputs' precision, not at float16's or bfloat16's
        assert "wrong values" in message and "tolerance for float32" in message, message
    # The other functions are unaffected.
    assert checks["relu/values"]["status"] == "passed"
    code = main(["run", str(path), "-e", "ex02", "--format", "table"])
    table = capsys.readouterr().out
    assert code == 1 and "sigmoid" in table and "internal error" not in table.lower()


def test_ex06_formula_judge_follows_the_policy():
    """A float64 answer is held to float64 (a 2e-5 relative error was let through by the judge's
    former fixed threshold); float32 rounding of float32 inputs' answer is not an error."""
    from grader.course import _ex06_grads as ex06
    from grader.spec import Case

    rng = np.random.default_rng(0)
    judge = ex06.grads_judge()
    for dtype in (np.float64, np.float32):
        params = {"w": rng.normal(size=3).astype(dtype), "b": dtype(0.5)}
        X = rng.normal(size=(8, 3)).astype(dtype)
        y = (rng.random(8) > 0.5).astype(dtype)
        case = Case((params, X, y, 0.1), label="case")
        w, b, XX, yy, lam = ex06._unpack(case)
        gw, gb = ex06.seed_gradient(w, b, XX, yy, lam)
        rounded = {"w": gw.astype(dtype), "b": dtype(gb)}
        assert judge([case], [rounded]).passed
        off = {"w": (gw * (1 + 2e-5)).astype(dtype), "b": dtype(gb)}
        assert judge([case], [off]).passed == (dtype is np.float32)


def test_a_type_mismatch_describes_both_structures():
    m = compare([1.0, 2.0], {"w": 1.0})
    assert m.kind == "type"
    assert (m.info["expected"], m.info["got"]) == ("a list of length 2", "a dict with keys ['w']")
    assert compare(np.zeros((2, 3)), None).info["expected"] == "an array of shape (2, 3)"
