"""The worker's JAX compilation cache: seeded read-only, copied back by the grader, bounded.

A regrade of unchanged files should compile nothing, so each submission has a persistent
cache folder on the host (:func:`grader.compile_cache.compile_cache_for`). The worker never writes
there: its cache lives in its private, size-capped ``/tmp``, seeded with copies of the
folder's entries (:func:`seed_entries`). When the worker is closed, the grader (not the
worker) copies back what is new (:func:`harvest`): only files that look like JAX cache
entries, within a size and count bound. Whatever else student code writes disappears with
the sandbox.

JAX's file cache (``jax/_src/lru_cache.py``) stores one file per compiled function, named
``<module name>-<64 hex digits of the cache key>-cache``, holding the executable compressed
with zlib (or zstd where ``zstandard`` is installed); without an eviction size it writes no
``-atime`` files, and the grader does not set one.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from pathlib import Path

# ``jit_<name>-<sha256 hex>-cache`` (lru_cache.py's _CACHE_SUFFIX; cache_key.py's key).
ENTRY_NAME = re.compile(r"[A-Za-z0-9_.]{1,160}-[0-9a-f]{64}-cache")
# What a compressed entry starts with: zlib's header byte, zstd's frame magic.
_ENTRY_MAGIC = (b"\x78", b"\x28\xb5\x2f\xfd")
# Bounds on what one worker brings back, and on one submission's folder.
MAX_ENTRY_BYTES = 64 * 2**20
MAX_NEW_BYTES = 128 * 2**20
MAX_NEW_FILES = 400
MAX_FOLDER_BYTES = 256 * 2**20
# Bounds on the seed handed to a worker (each seeded file is one descriptor for bubblewrap).
MAX_SEED_FILES = 600
MAX_SEED_BYTES = 256 * 2**20


def is_entry_name(name: str) -> bool:
    """Whether ``name`` is the name of a JAX compilation cache entry."""
    return ENTRY_NAME.fullmatch(name) is not None


def seed_entries(folder: Path | None) -> list[tuple[str, int]]:
    """The entries of ``folder`` to hand to a worker, as ``(name, size)``, within bounds."""
    if folder is None:
        return []
    out, total = [], 0
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    for e in entries:
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or not is_entry_name(e.name):
            continue
        if len(out) >= MAX_SEED_FILES or total + st.st_size > MAX_SEED_BYTES:
            break
        out.append((e.name, st.st_size))
        total += st.st_size
    return out


def _folder_bytes(folder: Path) -> int:
    total = 0
    try:
        for e in os.scandir(folder):
            try:
                total += e.stat(follow_symlinks=False).st_size
            except OSError:
                pass
    except OSError:
        pass
    return total


def harvest(source: str, dest: Path, known: set[str]) -> int:
    """Copy the new JAX cache entries of the worker's cache folder ``source`` into ``dest``.

    ``source`` is written by untrusted code: it is opened without following symbolic
    links (a link could point at a grader's file), and only regular files named and
    shaped like cache entries are read, each at most ``MAX_ENTRY_BYTES``, at most
    ``MAX_NEW_FILES`` and ``MAX_NEW_BYTES`` in all, and only while ``dest`` holds less than
    ``MAX_FOLDER_BYTES``. Each is written under a temporary name and renamed into place.

    Args:
      source: the worker's cache folder, as a path the grader can open.
      dest: the submission's persistent cache folder.
      known: names ``dest`` already had when the worker was seeded (not copied again).

    Returns:
      How many entries were copied.
    """
    try:
        dir_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return 0
    copied, budget = 0, min(MAX_NEW_BYTES, MAX_FOLDER_BYTES - _folder_bytes(dest))
    try:
        names = sorted(os.listdir(dir_fd))
        for name in names:
            if copied >= MAX_NEW_FILES or budget <= 0:
                break
            if name in known or not is_entry_name(name) or (dest / name).exists():
                continue
            data = _read_entry(dir_fd, name, min(budget, MAX_ENTRY_BYTES))
            if data is None:
                continue
            tmp = dest / f".{name}.{os.getpid()}.tmp"
            try:
                tmp.write_bytes(data)
                os.replace(tmp, dest / name)
            except OSError:
                tmp.unlink(missing_ok=True)
                break  # the host folder is full or read-only: stop there
            copied += 1
            budget -= len(data)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return copied


def _read_entry(dir_fd: int, name: str, limit: int) -> bytes | None:
    """The content of a regular file of at most ``limit`` bytes that starts like an entry."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not 0 < st.st_size <= limit:
            return None
        chunks, remaining = [], st.st_size
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) != st.st_size or not data.startswith(_ENTRY_MAGIC):
        return None
    if data.startswith(b"\x78"):
        try:  # random bytes behind a zlib header byte fail at once
            zlib.decompressobj().decompress(data[: 1 << 16], 1 << 12)
        except zlib.error:
            return None
    return data
