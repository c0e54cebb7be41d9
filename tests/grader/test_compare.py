"""Pytree comparison: values not types, per-dtype tolerances, and diagnostics a student can use."""

from __future__ import annotations

import numpy as np
import pytest

from grader.compare import Tolerance, compare
from grader.runner import describe_mismatch


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
