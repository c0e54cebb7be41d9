"""The wire format: round trips, refusals, and robustness against hostile bytes."""

from __future__ import annotations

import json
import struct

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.sandboxed import codec
from grader.sandboxed.codec import CodecError, Ref, UnsupportedType, decode, encode


def roundtrip(value, **kw):
    return decode(encode(value, **kw))


def test_plain_values_round_trip_with_types_kept():
    value = {
        "none": None,
        "bool": True,
        "int": 2**80,
        "float": 1.5,
        "nan": float("nan"),
        "inf": float("-inf"),
        "str": "é",
        "list": [1, (2, 3)],
        7: "int key",
    }
    out = roundtrip(value)
    assert out["int"] == 2**80 and type(out["int"]) is int
    assert isinstance(out["list"], list) and isinstance(out["list"][1], tuple)
    assert np.isnan(out["nan"]) and out["inf"] == float("-inf")
    assert out[7] == "int key" and out["str"] == "é" and out["bool"] is True and out["none"] is None


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "int32", "int64", "uint8", "bool", "float16", "complex64"]
)
def test_arrays_keep_dtype_shape_and_values(dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    out = roundtrip(a)
    assert out.dtype == a.dtype and out.shape == a.shape and np.array_equal(out, a)
    assert out.flags.writeable


def test_jax_arrays_and_numpy_scalars_become_numpy():
    out = roundtrip([jnp.ones((2,), jnp.bfloat16), np.float32(2.5), jnp.float32(1.0)])
    assert out[0].dtype.name == "bfloat16" and out[0].shape == (2,)
    assert out[1].dtype == np.float32 and out[1].shape == ()
    assert out[2].shape == ()


def test_namedtuples_travel_as_tuples():
    from collections import namedtuple

    Pair = namedtuple("Pair", "a b")
    assert roundtrip(Pair(1, 2)) == (1, 2)


@pytest.mark.parametrize(
    "value, where",
    [
        (object(), "the top level"),
        ({"a": [1, object()]}, "['a'][1]"),
        (np.array([object()], dtype=object), "the top level"),
        ({(1, 2): 3}, "the top level"),
        (lambda: 0, "the top level"),
    ],
)
def test_unsupported_types_are_refused_with_their_path(value, where):
    with pytest.raises(UnsupportedType) as info:
        encode(value)
    assert where in str(info.value) or info.value.path in ("", "['a'][1]")


def test_objects_with_array_protocol_are_refused():
    class Liar:
        def __array__(self, dtype=None, copy=None):
            return np.ones(3)

    with pytest.raises(UnsupportedType, match="Liar"):
        encode(Liar())


def test_prng_keys_are_refused_with_a_hint():
    import jax

    with pytest.raises(UnsupportedType, match="key_data"):
        encode(jax.random.key(0))


def test_refs_only_where_allowed():
    msg = encode({"k": Ref("key", (3,))}, allow_refs=True)
    with pytest.raises(CodecError, match="Ref"):
        decode(msg)
    out = decode(msg, resolve_ref=lambda name, args: (name, args))
    assert out == {"k": ("key", (3,))}
    with pytest.raises(UnsupportedType):
        encode(Ref("key", (3,)))


def test_depth_limit():
    deep = []
    for _ in range(codec.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(CodecError, match="deeper"):
        encode(deep)


def _message(header: dict, body: bytes = b"") -> bytes:
    h = json.dumps(header).encode()
    return codec.MAGIC + struct.pack(">I", len(h)) + h + body


@pytest.mark.parametrize(
    "msg",
    [
        b"",
        b"XXXX\x00\x00\x00\x02{}",
        codec.MAGIC + struct.pack(">I", 10**9),
        _message(
            {"tree": {"t": "array", "dtype": "object", "shape": [1], "b": 0}, "buffers": [[0, 8]]},
            b"\0" * 8,
        ),
        _message(
            {"tree": {"t": "array", "dtype": "float64", "shape": [2], "b": 0}, "buffers": [[0, 8]]},
            b"\0" * 8,
        ),
        _message(
            {"tree": {"t": "array", "dtype": "float64", "shape": [1], "b": 0}, "buffers": [[0, 8]]}
        ),
        _message(
            {
                "tree": {"t": "array", "dtype": "float64", "shape": [-1], "b": 0},
                "buffers": [[0, 8]],
            },
            b"\0" * 8,
        ),
        _message(
            {"tree": {"t": "array", "dtype": "float64", "shape": [1], "b": 5}, "buffers": [[0, 8]]},
            b"\0" * 8,
        ),
        _message({"tree": {"t": "int", "v": "9" * 5000}, "buffers": []}),
        _message({"tree": {"t": "pickle", "v": "cos\nsystem"}, "buffers": []}),
        _message(
            {"tree": {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]}, "buffers": []}
        ),
        _message({"tree": {"t": "float", "v": "1e999x"}, "buffers": []}),
        _message({"tree": [1, 2], "buffers": []}),
        _message({"tree": {"t": "none"}, "buffers": {"a": 1}}),
    ],
)
def test_malformed_messages_raise_codec_error_only(msg):
    with pytest.raises(CodecError):
        decode(msg)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_decoder(data):
    for msg in (data, codec.MAGIC + data):
        try:
            decode(msg)
        except CodecError:
            pass


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_round_trip_property(value):
    assert roundtrip(value) == value
