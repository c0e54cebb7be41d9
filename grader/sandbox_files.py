"""Files the sandbox sees without seeing where they come from.

A bind mount shows its host source in ``/proc/self/mountinfo`` (the staging folder, the
compilation cache under ``$HOME``, the project's folder), and the worker could print it into
its feedback. So the worker's own grader files, the submission and the compilation cache's
seed are *copied* into the sandbox by bubblewrap from open descriptors (``--file FD DEST``):
no mount, no host path. Only the Python installation (which Python needs at its own paths)
and, when it is too large to copy, the submission stay bind mounts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# A submission is copied when it is at most this large; a larger one is bind-mounted.
MAX_COPIED_FILES = 300
MAX_COPIED_BYTES = 64 * 2**20
# Where the worker's copy of the grader (and of jaxnn) lives inside the sandbox.
LIBRARY_MOUNT = "/grader-lib"


class Copies:
    """bubblewrap arguments that copy host files into the sandbox, and their descriptors.

    The descriptors must be passed to bubblewrap (``pass_fds``) and closed once it started.
    """

    def __init__(self) -> None:
        self.argv: list[str] = []
        self.fds: list[int] = []
        self.bytes = 0

    def dir(self, dest: str, mode: int = 0o755) -> None:
        self.argv += ["--perms", f"{mode:04o}", "--dir", dest]

    def file(self, source: Path, dest: str, mode: int = 0o444) -> bool:
        """Copy the regular file ``source`` to ``dest`` (False if it cannot be opened)."""
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return False
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return False
        self.fds.append(fd)
        self.bytes += st.st_size
        self.argv += ["--perms", f"{mode:04o}", "--file", str(fd), dest]
        return True

    def tree(self, source: Path, dest: str, skip=("__pycache__",)) -> None:
        """Copy the regular files and folders of ``source`` (links are not followed)."""
        self.dir(dest, 0o555)
        for root, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
            rel = os.path.relpath(root, source)
            target = dest if rel == "." else f"{dest}/{rel}"
            if rel != ".":
                self.dir(target, 0o555)
            for name in sorted(files):
                self.file(Path(root, name), f"{target}/{name}")

    def close(self) -> None:
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []


def small_enough(folder: Path) -> bool:
    """Whether ``folder`` is small enough to be copied (see :data:`MAX_COPIED_FILES`)."""
    count = size = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        count += len(files) + len(dirs)
        for name in files:
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
        if count > MAX_COPIED_FILES or size > MAX_COPIED_BYTES:
            return False
    return True


def worker_files(grader_dir: Path, names: tuple[str, ...], copies: Copies) -> None:
    """The grader package reduced to the worker's own files, under :data:`LIBRARY_MOUNT`."""
    copies.dir(LIBRARY_MOUNT, 0o555)
    copies.dir(f"{LIBRARY_MOUNT}/grader", 0o555)
    for name in names:
        path = grader_dir / name
        if path.is_dir():
            copies.tree(path, f"{LIBRARY_MOUNT}/grader/{name}")
        else:
            copies.file(path, f"{LIBRARY_MOUNT}/grader/{name}")
