"""A pickle-free wire format between the grader and its sandboxed workers.

A message is ``MAGIC | header length (4 bytes, big-endian) | JSON header | raw buffers``.
The header describes a tree of plain values; arrays point into the raw buffers by index.
Only these types cross: ``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``tuple``,
``dict`` (keys ``str`` or ``int``), numpy arrays of numeric dtypes, and, from the grader to a
worker only, :class:`Ref` (an input the worker builds itself: a PRNG key, a callable).

Decoding never executes anything and never trusts sizes: every count, shape, dtype and
offset is validated, so a hostile worker can send garbage and only get a ``CodecError``.

This module runs inside the sandbox too: it imports nothing from the rest of the grader.

    >>> import numpy as np
    >>> msg = encode({"w": np.ones((2, 3), np.float32), "n": 3, "tag": ("a", None)})
    >>> out = decode(msg)
    >>> out["w"].shape, out["w"].dtype.name, out["n"], out["tag"]
    ((2, 3), 'float32', 3, ('a', None))
"""

from __future__ import annotations

import json
import math
import struct

# Inside the worker, student code runs in this very process and may rebind library names
# (``np.ascontiguousarray = ...``, ``builtins.isinstance = ...``, ``json.dumps = ...``) at
# import. Everything the codec calls is bound here, when the worker starts and before any
# student code runs, so that such a patch cannot break (or steer) what the worker sends.
from builtins import (  # noqa: UP029 (bound on purpose, see above)
    all,
    bytes,
    dict,
    enumerate,
    float,
    frozenset,
    getattr,
    hasattr,
    int,
    isinstance,
    len,
    list,
    memoryview,
    ord,
    repr,
    str,
    tuple,
    type,
)
from dataclasses import dataclass
from typing import Any

import numpy as np

_asarray = np.asarray
_ascontiguousarray = np.ascontiguousarray
_frombuffer = np.frombuffer
_np_dtype = np.dtype
_ndarray = np.ndarray
_generic = np.generic
_isfinite = math.isfinite
_prod = math.prod
_json_encode = json.JSONEncoder(separators=(",", ":")).encode
_json_decode = json.JSONDecoder().decode
_pack_u32 = struct.Struct(">I").pack
_unpack_u32 = struct.Struct(">I").unpack

MAGIC = b"JXG1"
MAX_HEADER_BYTES = 64 * 2**20
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_INT_DIGITS = 4000
MAX_NDIM = 32

_DTYPES = {
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "bfloat16",
}


class CodecError(ValueError):
    """Raised when a message is malformed or holds a value of an unsupported type."""


class UnsupportedType(CodecError):
    """A value of a type that cannot cross the wire (e.g. a custom object)."""

    def __init__(self, type_name: str, path: str):
        super().__init__(
            f"returned an unsupported type {type_name} at {path or 'the top level'}: return numpy "
            "or jax arrays, Python numbers, strings, None, or lists/tuples/dicts of them"
        )
        self.type_name = type_name
        self.path = path


@dataclass(frozen=True)
class Ref:
    """An input that the worker builds from trusted code: ``Ref("key", (3,))`` is ``jax.random.key(3)``.

    Refs only travel from the grader to a worker; a worker's result can never contain one.
    """

    name: str
    args: tuple = ()


def _dtype_from_name(name: str) -> np.dtype:
    if name not in _DTYPES:
        raise CodecError(f"unsupported array dtype {name!r}")
    if name == "bfloat16":
        import ml_dtypes  # shipped with jax; only needed for bfloat16

        return _np_dtype(ml_dtypes.bfloat16)
    return _np_dtype(name)


def _as_numpy(value: Any) -> np.ndarray | None:
    """Return ``value`` as a numpy array if it is an array type we accept, else None."""
    if isinstance(value, _ndarray):
        return _asarray(value).view(_ndarray) if type(value) is not _ndarray else value
    if isinstance(value, _generic):
        return _asarray(value)
    mod = type(value).__module__ or ""
    if mod.startswith(("jax", "jaxlib")) and hasattr(value, "dtype") and hasattr(value, "shape"):
        dtype_name = str(getattr(value, "dtype", ""))
        if dtype_name.startswith("key<"):
            raise UnsupportedType("a PRNG key array (use jax.random.key_data to return it)", "")
        return _asarray(value)
    return None


class _Encoder:
    def __init__(self, allow_refs: bool):
        self.allow_refs = allow_refs
        self.buffers: list[bytes] = []
        self.nodes = 0

    def node(self, value: Any, path: str, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise CodecError(f"value nested deeper than {MAX_DEPTH} levels at {path}")
        if self.nodes > MAX_NODES:
            raise CodecError(f"value has more than {MAX_NODES} parts")
        t = type(value)
        if value is None:
            return {"t": "none"}
        if t is bool:
            return {"t": "bool", "v": value}
        if t is int:
            return {"t": "int", "v": str(value)}
        if t is float:
            return {"t": "float", "v": value if _isfinite(value) else repr(value)}
        if t is str:
            return {"t": "str", "v": value}
        if self.allow_refs and t is Ref:
            return {"t": "ref", "name": value.name, "args": self.node(value.args, path, depth + 1)}
        if (isinstance(value, (list, tuple)) and t in (list, tuple)) or _is_namedtuple(value):
            kind = "list" if t is list else "tuple"
            return {
                "t": kind,
                "v": [self.node(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)],
            }
        if isinstance(value, dict):
            items = []
            for k, v in value.items():
                if type(k) not in (str, int):
                    raise UnsupportedType(f"dict key of type {type(k).__name__}", path)
                items.append(
                    [self.node(k, path, depth + 1), self.node(v, f"{path}[{k!r}]", depth + 1)]
                )
            return {"t": "dict", "v": items}
        array = _as_numpy(value)
        if array is None:
            raise UnsupportedType(t.__name__, path)
        if array.dtype.name not in _DTYPES:
            raise UnsupportedType(f"array of dtype {array.dtype}", path)
        data = _ascontiguousarray(array).tobytes()
        self.buffers.append(data)
        return {
            "t": "array",
            "dtype": array.dtype.name,
            "shape": list(array.shape),
            "b": len(self.buffers) - 1,
        }


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def encode(value: Any, *, allow_refs: bool = False) -> bytes:
    """Encode a tree of plain values into one message.

    Args:
      value: the tree; see the module docstring for the accepted types.
      allow_refs: whether :class:`Ref` nodes are allowed (grader to worker only).

    Returns:
      The message bytes.

    Raises:
      UnsupportedType: a value of another type, with its path in the tree.
    """
    enc = _Encoder(allow_refs)
    tree = enc.node(value, "", 0)
    offsets, pos = [], 0
    for buf in enc.buffers:
        offsets.append([pos, len(buf)])
        pos += len(buf)
    header = _json_encode({"tree": tree, "buffers": offsets}).encode()
    return b"".join([MAGIC, _pack_u32(len(header)), header, *enc.buffers])


class _Decoder:
    def __init__(self, body: memoryview, buffers: list, resolve_ref):
        self.body = body
        self.buffers = buffers
        self.resolve_ref = resolve_ref
        self.nodes = 0

    def node(self, n: Any, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise CodecError("message too deep or too large")
        if not isinstance(n, dict) or not isinstance(n.get("t"), str):
            raise CodecError("malformed node")
        t = n["t"]
        if t == "none":
            return None
        if t == "bool":
            v = n.get("v")
            if type(v) is not bool:
                raise CodecError("malformed bool")
            return v
        if t == "int":
            v = n.get("v")
            if not isinstance(v, str) or len(v) > MAX_INT_DIGITS:
                raise CodecError("malformed int")
            try:
                return int(v)
            except ValueError as exc:
                raise CodecError("malformed int") from exc
        if t == "float":
            v = n.get("v")
            if isinstance(v, str) and v in ("nan", "inf", "-inf"):
                return float(v)
            if type(v) in (int, float) and not isinstance(v, bool):
                return float(v)
            raise CodecError("malformed float")
        if t == "str":
            v = n.get("v")
            if not isinstance(v, str):
                raise CodecError("malformed str")
            return v
        if t in ("list", "tuple"):
            v = n.get("v")
            if not isinstance(v, list):
                raise CodecError("malformed sequence")
            items = [self.node(x, depth + 1) for x in v]
            return items if t == "list" else tuple(items)
        if t == "dict":
            v = n.get("v")
            if not isinstance(v, list):
                raise CodecError("malformed dict")
            out = {}
            for pair in v:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise CodecError("malformed dict item")
                key = self.node(pair[0], depth + 1)
                if type(key) not in (str, int):
                    raise CodecError("malformed dict key")
                out[key] = self.node(pair[1], depth + 1)
            return out
        if t == "array":
            return self.array(n)
        if t == "ref":
            if self.resolve_ref is None:
                raise CodecError("a Ref is not allowed in this message")
            name = n.get("name")
            if not isinstance(name, str):
                raise CodecError("malformed ref")
            args = self.node(n.get("args"), depth + 1)
            if not isinstance(args, tuple):
                raise CodecError("malformed ref arguments")
            return self.resolve_ref(name, args)
        raise CodecError(f"unknown node type {t!r}")

    def array(self, n: dict) -> np.ndarray:
        dtype = _dtype_from_name(n.get("dtype") if isinstance(n.get("dtype"), str) else "")
        shape = n.get("shape")
        if (
            not isinstance(shape, list)
            or len(shape) > MAX_NDIM
            or not all(type(s) is int and s >= 0 for s in shape)
        ):
            raise CodecError("malformed array shape")
        b = n.get("b")
        if type(b) is not int or not 0 <= b < len(self.buffers):
            raise CodecError("malformed array buffer index")
        start, length = self.buffers[b]
        count = _prod(shape)
        if count * dtype.itemsize != length:
            raise CodecError("array buffer size does not match its shape and dtype")
        data = self.body[start : start + length]
        # A copy: the result owns its memory and is writable, independent of the message.
        return _frombuffer(data, dtype=dtype, count=count).reshape(shape).copy()


def decode(message: bytes, *, resolve_ref=None) -> Any:
    """Decode a message made by :func:`encode`, validating every part.

    Args:
      message: the bytes.
      resolve_ref: ``(name, args) -> value`` for :class:`Ref` nodes; without it a Ref is an error.

    Returns:
      The tree of plain values (numpy arrays for arrays).

    Raises:
      CodecError: the message is malformed.
    """
    view = memoryview(message)
    if len(view) < 8 or bytes(view[:4]) != MAGIC:
        raise CodecError("not a grader message (bad magic)")
    (hlen,) = _unpack_u32(view[4:8])
    if hlen > MAX_HEADER_BYTES or 8 + hlen > len(view):
        raise CodecError("message header size is invalid")
    try:
        header = _json_decode(bytes(view[8 : 8 + hlen]).decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise CodecError("message header is not valid JSON") from exc
    if not isinstance(header, dict):
        raise CodecError("malformed header")
    body = view[8 + hlen :]
    buffers = header.get("buffers")
    if not isinstance(buffers, list):
        raise CodecError("malformed buffer table")
    for item in buffers:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(type(x) is int and x >= 0 for x in item)
            or item[0] + item[1] > len(body)
        ):
            raise CodecError("buffer table points outside the message")
    try:
        return _Decoder(body, buffers, resolve_ref).node(header.get("tree"), 0)
    except RecursionError as exc:
        raise CodecError("message nested too deeply") from exc


def encode_plain(value: Any) -> bytes:
    """Encode a tree of ``None``, ``bool``, ``int``, ``float``, ``str``, lists and
    ``str``-keyed dicts, with neither ``json`` nor numpy: the worker's own messages.

    Whatever student code did to the libraries of its process, this still works, so the
    worker can always say what happened (a case's error, the end of a job). The result
    decodes with :func:`decode` like any message.

    Raises:
      CodecError: a value of another type, or nested deeper than ``MAX_DEPTH``.
    """
    header = ('{"tree":' + _plain(value, 0) + ',"buffers":[]}').encode("utf-8")
    return b"".join([MAGIC, _pack_u32(len(header)), header])


_PLAIN_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:;/()[]<>=+*'!?#%&@^|~{}$"
)


def _plain_str(text: str) -> str:
    out = []
    for ch in str.__str__(text):  # an exact str: a subclass cannot change how it iterates
        if ch in _PLAIN_CHARS:
            out.append(ch)
            continue
        code = ord(ch)
        if code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:  # a JSON surrogate pair
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return '"' + "".join(out) + '"'


def _plain(value: Any, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise CodecError("message nested too deeply")
    t = type(value)
    if value is None:
        return '{"t":"none"}'
    if t is bool:
        return '{"t":"bool","v":true}' if value else '{"t":"bool","v":false}'
    if t is int:
        return '{"t":"int","v":"' + int.__repr__(value) + '"}'
    if t is float:
        text = float.__repr__(value)
        return '{"t":"float","v":' + (text if _isfinite(value) else '"' + text + '"') + "}"
    if t is str:
        return '{"t":"str","v":' + _plain_str(value) + "}"
    if t in (list, tuple):
        kind = "list" if t is list else "tuple"
        items = ",".join([_plain(v, depth + 1) for v in value])
        return '{"t":"' + kind + '","v":[' + items + "]}"
    if t is dict:
        pairs = []
        for k, v in value.items():
            if type(k) is not str:
                raise CodecError("a plain message has str keys only")
            pairs.append("[" + _plain(k, depth + 1) + "," + _plain(v, depth + 1) + "]")
        return '{"t":"dict","v":[' + ",".join(pairs) + "]}"
    raise CodecError(f"a plain message cannot hold a {t.__name__}")
