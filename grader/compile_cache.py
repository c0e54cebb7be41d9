"""The JAX compilation caches on the host: one per submission, one for the grader's own work.

The worker gets copies of its submission's cache and never writes this folder
(:mod:`grader.jaxcache`); the least recently used caches are pruned past a size cap.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from grader.sandbox import compile_cache_env

COMPILE_CACHE_MAX_BYTES = 2 * 2**30


def compile_cache_for(submission_dir: Path) -> Path:
    """The JAX compilation cache folder of one submission (by the content of its files).

    A regrade of unchanged files reuses its compiled code, and no submission ever reads
    what another one wrote.
    """
    from importlib.metadata import version

    from grader.expect import cache_dir

    h = hashlib.sha256(version("jax").encode())
    for f in sorted(Path(submission_dir).glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    folder = cache_dir() / "jax" / h.hexdigest()[:32]
    folder.mkdir(parents=True, exist_ok=True)
    # Only the grader writes here (grader.jaxcache): workers get copies, never this folder.
    folder.chmod(0o755)
    os.utime(folder)  # recently used: pruned last
    return folder


def use_trusted_compile_cache() -> bool:
    """Give the grader's own JAX work (references, judges) a persistent compilation cache.

    Some judges compile in the grader's process on every run (ex08's takes ``jax.grad`` of a
    trusted cost for each network it checks): with the cache, a later run loads them instead
    (``grader run solutions --hidden -e ex08``: 1.9 s before, 0.9 s after). Only trusted
    code compiles in this process, so one cache serves every submission. Set through the
    environment, so it must run before JAX is imported; it changes nothing if JAX already
    is, or if the environment already names a cache.

    Returns:
      Whether the cache was set up.
    """
    import sys

    from grader.expect import cache_dir

    if "jax" in sys.modules or "JAX_COMPILATION_CACHE_DIR" in os.environ:
        return False
    folder = cache_dir() / "jax" / "grader"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)  # recently used: pruned last
    except OSError:
        return False
    for name, value in compile_cache_env(str(folder)).items():
        os.environ.setdefault(name, value)
    return True


PRUNE_INTERVAL_S = 600.0


def prune_compile_caches(
    max_bytes: int = COMPILE_CACHE_MAX_BYTES, min_interval_s: float = PRUNE_INTERVAL_S
) -> None:
    """Delete the least recently used compilation caches beyond ``max_bytes`` in all.

    Sizing the caches means a stat of every file (0.2 s for the 15,000 files of a few
    dozen submissions, a fifth of a one-exercise run), so it is done at most once every
    ``min_interval_s`` seconds, as recorded by the mtime of a marker file.
    """
    import shutil

    from grader.expect import cache_dir

    root = cache_dir() / "jax"
    if not root.is_dir():
        return
    marker = root / ".pruned"
    try:
        if time.time() - marker.stat().st_mtime < min_interval_s:
            return
    except OSError:
        pass
    try:
        marker.touch()
    except OSError:  # a read-only cache: nothing to prune either
        return
    folders = []
    for d in root.iterdir():
        if d == marker:
            continue
        try:
            size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
            folders.append((d.stat().st_mtime, size, d))
        except OSError:
            continue
    total = sum(size for _, size, _ in folders)
    for _, size, d in sorted(folders):
        if total <= max_bytes:
            break
        shutil.rmtree(d, ignore_errors=True)
        total -= size
