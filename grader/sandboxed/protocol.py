"""What crosses the trust boundary: the messages' kinds and the frames that carry them.

The grader and a worker talk over two pipes, one frame per message: an 8-byte big-endian
length, then that many bytes of a :mod:`grader.sandboxed.codec` message. Every message is a
dict whose ``"op"`` is one of the kinds below.

The grader sends (:data:`HOST_OPS`):

- ``init``: import a student module in a child process (its path, name and functions).
- ``run``: run one check's cases with a driver.
- ``next``: the module is done with; the child may serve the next one.

The worker sends (:data:`WORKER_OPS`):

- ``booted``: the fork server is ready, before any student code ran.
- ``import_error`` or ``ready``: how importing the module went.
- ``case`` (one per case, a value or an error), then ``done``: a job's answers.
- ``idle`` (the child waits for the next ``init``) or ``leaving`` (with why it will not).
- ``released`` (a child ended by itself) or ``child_died`` (with its signal and status).

The kinds are plain ``str`` constants rather than an enum: the worker's messages are encoded
by :func:`grader.sandboxed.codec.encode_plain`, which accepts exact ``str`` only.

This module runs inside the sandbox: like the codec, it binds what it calls when the worker
starts, before any student code runs, so that a module rebinding ``struct`` or ``os`` names at
import cannot break the framing.
"""

from __future__ import annotations

import os
import struct
from builtins import bytes, len, memoryview, min  # noqa: UP029 (bound on purpose, see above)

from grader.sandboxed.codec import CodecError

_os_read = os.read
_os_write = os.write
_pack_length = struct.Struct(">Q").pack
_unpack_length = struct.Struct(">Q").unpack

OP_INIT = "init"
OP_RUN = "run"
OP_NEXT = "next"

OP_BOOTED = "booted"
OP_IMPORT_ERROR = "import_error"
OP_READY = "ready"
OP_CASE = "case"
OP_DONE = "done"
OP_IDLE = "idle"
OP_LEAVING = "leaving"
OP_RELEASED = "released"
OP_CHILD_DIED = "child_died"

HOST_OPS = frozenset({OP_INIT, OP_RUN, OP_NEXT})
WORKER_OPS = frozenset(
    {
        OP_BOOTED,
        OP_IMPORT_ERROR,
        OP_READY,
        OP_CASE,
        OP_DONE,
        OP_IDLE,
        OP_LEAVING,
        OP_RELEASED,
        OP_CHILD_DIED,
    }
)
# The fork server's word that a child ended, whatever the child was doing.
CHILD_ENDED_OPS = frozenset({OP_RELEASED, OP_CHILD_DIED})

LENGTH_BYTES = 8
# Neither side believes a length beyond this: a reader would otherwise wait for (and
# buffer) whatever a broken or hostile writer announced.
MAX_FRAME_BYTES = 512 * 2**20
_READ_CHUNK = 1 << 20


class FrameTooLarge(CodecError):
    """A frame announced a length beyond :data:`MAX_FRAME_BYTES`."""

    def __init__(self, n: int):
        super().__init__(f"a result larger than {MAX_FRAME_BYTES >> 20} MiB")
        self.n = n


def frame(payload: bytes) -> bytes:
    """One frame: ``payload`` behind its length."""
    return _pack_length(len(payload)) + payload


def frame_length(prefix: bytes) -> int:
    """The payload length announced by a frame's first :data:`LENGTH_BYTES` bytes.

    Raises:
      FrameTooLarge: a length beyond :data:`MAX_FRAME_BYTES`.
    """
    (n,) = _unpack_length(prefix[:LENGTH_BYTES])
    if n > MAX_FRAME_BYTES:
        raise FrameTooLarge(n)
    return n


def write_frame(fd: int, payload: bytes) -> None:
    """Write one frame to a file descriptor, whole."""
    view = memoryview(frame(payload))
    while view:
        n = _os_write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = _os_read(fd, min(remaining, _READ_CHUNK))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes:
    """Block until one whole frame is read from ``fd``; return its payload.

    Raises:
      EOFError: the writer closed the pipe (before or within a frame).
      FrameTooLarge: the frame announced a length beyond :data:`MAX_FRAME_BYTES`.
    """
    return _read_exact(fd, frame_length(_read_exact(fd, LENGTH_BYTES)))


def take_frame(buffer: bytearray) -> bytes | None:
    """Remove the first whole frame from ``buffer`` and return its payload, if there is one.

    For a reader that reads what is available and must not block (the grader's, which
    keeps deadlines). Returns None while the buffer holds no whole frame yet.

    Raises:
      FrameTooLarge: the next frame announced a length beyond :data:`MAX_FRAME_BYTES`.
    """
    if len(buffer) < LENGTH_BYTES:
        return None
    n = frame_length(bytes(buffer[:LENGTH_BYTES]))
    end = LENGTH_BYTES + n
    if len(buffer) < end:
        return None
    payload = bytes(buffer[LENGTH_BYTES:end])
    del buffer[:end]
    return payload
