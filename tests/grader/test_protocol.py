"""The framing of grader.sandboxed.protocol, on both sides of the trust boundary."""

from __future__ import annotations

import os
import struct
import time

import pytest

from grader.sandbox import _FrameReader
from grader.sandboxed import codec, protocol
from grader.sandboxed.protocol import (
    LENGTH_BYTES,
    MAX_FRAME_BYTES,
    FrameTooLarge,
    read_frame,
    take_frame,
    write_frame,
)

PAYLOADS = [
    b"",
    b"x",
    codec.encode_plain({"op": protocol.OP_DONE, "id": "a"}),
    bytes(range(256)) * 9,
]


@pytest.fixture
def pipe():
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def _header(n: int) -> bytes:
    return struct.pack(">Q", n)


def test_frames_round_trip_through_a_pipe_in_order(pipe):
    r, w = pipe
    for payload in PAYLOADS:
        write_frame(w, payload)
    assert [read_frame(r) for _ in PAYLOADS] == PAYLOADS


def test_the_frame_is_an_8_byte_big_endian_length_then_the_payload():
    assert protocol.frame(b"abc") == b"\x00" * 7 + b"\x03abc"
    assert LENGTH_BYTES == 8


def test_the_host_reader_reads_the_worker_frames(pipe):
    r, w = pipe
    for payload in PAYLOADS:
        write_frame(w, payload)
    os.close(w)
    reader = _FrameReader(r)
    try:
        got = [reader.read(time.monotonic() + 5) for _ in PAYLOADS]
        assert got == PAYLOADS
        assert reader.read(time.monotonic() + 5) is None  # EOF
    finally:
        reader.close()


def test_take_frame_waits_for_a_whole_frame_and_keeps_the_rest():
    data = protocol.frame(b"first") + protocol.frame(b"second")
    buffer = bytearray()
    taken = []
    for byte in data:  # byte by byte: no partial frame is ever returned
        buffer.append(byte)
        frame = take_frame(buffer)
        if frame is not None:
            taken.append(frame)
    assert taken == [b"first", b"second"]
    assert buffer == bytearray()


def test_a_length_up_to_the_bound_is_accepted_one_more_is_refused():
    assert protocol.frame_length(_header(MAX_FRAME_BYTES)) == MAX_FRAME_BYTES
    with pytest.raises(FrameTooLarge):
        protocol.frame_length(_header(MAX_FRAME_BYTES + 1))


def test_the_worker_side_refuses_an_oversized_frame_without_reading_it(pipe):
    r, w = pipe
    os.write(w, _header(MAX_FRAME_BYTES + 1) + b"abc")
    os.close(w)  # a reader that believed the length would meet the end, not hang
    with pytest.raises(FrameTooLarge):
        read_frame(r)


def test_the_host_side_refuses_an_oversized_frame_as_a_codec_error(pipe):
    r, w = pipe
    os.write(w, _header(2**63))
    reader = _FrameReader(r)
    try:
        with pytest.raises(codec.CodecError, match="larger than 512 MiB"):
            reader.read(time.monotonic() + 5)
    finally:
        reader.close()


def test_take_frame_refuses_an_oversized_frame_as_soon_as_its_length_is_there():
    with pytest.raises(FrameTooLarge):
        take_frame(bytearray(_header(MAX_FRAME_BYTES + 1)))


def test_a_frame_cut_short_is_an_end_of_file(pipe):
    r, w = pipe
    os.write(w, protocol.frame(b"whole")[:-2])
    os.close(w)
    with pytest.raises(EOFError):
        read_frame(r)


def test_framing_survives_student_code_rebinding_struct_and_os(pipe, monkeypatch):
    # In the worker, student code shares the process: what the framing calls was bound when
    # the protocol module was imported, before any student code ran.
    r, w = pipe

    def broken(*args, **kwargs):
        raise RuntimeError("patched by student code")

    with monkeypatch.context() as m:
        for name in ("Struct", "pack", "unpack"):
            m.setattr(struct, name, broken)
        m.setattr(os, "read", broken)
        m.setattr(os, "write", broken)
        m.setattr("builtins.len", broken)
        m.setattr("builtins.min", broken)
        write_frame(w, b"still framed")
        got = read_frame(r)
    assert got == b"still framed"


def test_message_kinds_are_exact_distinct_strings():
    kinds = protocol.HOST_OPS | protocol.WORKER_OPS
    # encode_plain (the worker's messages) accepts exact str only: no enum members.
    assert all(type(k) is str for k in kinds)
    assert not protocol.HOST_OPS & protocol.WORKER_OPS
    assert protocol.CHILD_ENDED_OPS <= protocol.WORKER_OPS
    constants = {v for n, v in vars(protocol).items() if n.startswith("OP_")}
    assert constants == kinds
