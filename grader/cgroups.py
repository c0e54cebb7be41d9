"""A memory cgroup per worker: the bound on *all* the memory a worker's processes use.

``RLIMIT_AS`` bounds each process's address space, but pages of a tmpfs (the private
``/tmp``) or of a ``memfd`` are not address space: 4.5 GiB went into the host's memory that
way under a 4 GiB ``RLIMIT_AS``. A cgroup's memory limit counts them (they are charged to
the cgroup of the process that touched them), so each worker runs in a child cgroup of the
grader's own one, with ``memory.max`` (cgroup v2) or ``memory.limit_in_bytes`` (v1) set.

The worker is placed in it before anything starts: its first command is a shell that writes
its own pid into the cgroup and then ``exec``\\ s the rest, so every process of the worker
inherits the cgroup and none escapes it. The cgroup is removed when the worker is closed.

Where no cgroup can be made (not root, no memory controller, a read-only cgroupfs),
:func:`create` returns None and the worker is bounded by address space only; the report
says so (:data:`FALLBACK_NOTE`).
"""

from __future__ import annotations

import os
import secrets
import time
from functools import cache
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
FALLBACK_NOTE = (
    "No memory cgroup could be made here: each worker process is bounded by address space "
    "only (RLIMIT_AS), so memory held in files (tmpfs, memfd) is not counted."
)


def _own_cgroups() -> list[tuple[str, str]]:
    """``(controllers, path)`` pairs of this process, from ``/proc/self/cgroup``."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            out.append((parts[1], parts[2]))
    return out


def _candidates() -> list[tuple[int, Path]]:
    """Where a child cgroup with a memory controller could be made: ``(version, folder)``."""
    found = []
    for controllers, path in _own_cgroups():
        rel = path.lstrip("/")
        if "memory" in controllers.split(","):
            found.append((1, CGROUP_ROOT / "memory" / rel))
        elif controllers == "":
            for mount in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
                folder = mount / rel
                try:
                    enabled = (folder / "cgroup.subtree_control").read_text().split()
                except OSError:
                    continue
                if "memory" in enabled:
                    found.append((2, folder))
    return found


class MemoryCgroup:
    """One worker's cgroup (see the module docstring)."""

    def __init__(self, version: int, path: Path):
        self.version = version
        self.path = path

    @property
    def procs(self) -> Path:
        """The file a process writes its pid to, to join the cgroup."""
        return self.path / "cgroup.procs"

    def oom_kills(self) -> int:
        """How many processes of this cgroup the kernel killed for going over its limit."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            text = (self.path / name).read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
        if self.version == 1:  # an old kernel without the counter: times the limit was hit
            try:
                return int((self.path / "memory.failcnt").read_text())
            except (OSError, ValueError):
                return 0
        return 0

    def remove(self, wait_s: float = 5.0) -> None:
        """Remove the cgroup once its processes are gone (they are being killed)."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.02)


def create(limit_bytes: int) -> MemoryCgroup | None:
    """A new memory cgroup limited to ``limit_bytes`` (swap included), or None."""
    for version, parent in _candidates():
        path = parent / f"jaxnn-grader-{secrets.token_hex(6)}"
        try:
            path.mkdir()
        except OSError:
            continue
        group = MemoryCgroup(version, path)
        try:
            if version == 2:
                (path / "memory.max").write_text(str(limit_bytes))
                _try_write(path / "memory.swap.max", "0")
            else:
                (path / "memory.limit_in_bytes").write_text(str(limit_bytes))
                # No swap beyond the limit (memsw counts memory + swap, so it is the same).
                _try_write(path / "memory.memsw.limit_in_bytes", str(limit_bytes))
            if not group.procs.exists():
                raise OSError("no cgroup.procs")
        except OSError:
            group.remove(0)
            continue
        return group
    return None


def _try_write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError:
        pass


@cache
def usable() -> bool:
    """Whether memory cgroups can be made here (checked once, by making one)."""
    group = create(64 * 2**20)
    if group is None:
        return False
    group.remove(0)
    return True


def join_prefix(group: MemoryCgroup) -> list[str]:
    """A command prefix that puts itself into ``group`` and then runs the command after it."""
    return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(group.procs)]
