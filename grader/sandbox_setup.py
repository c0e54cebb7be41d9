"""How a sandboxed worker is started: bubblewrap's command line, its environment, its limits.

What the worker sees under bubblewrap is built here (:func:`_bwrap_argv`): the Python
installation mounted read-only, hidden folders masked, copies of the worker's own files, of
``jaxnn``, of the submission and of the compilation cache's seed (:mod:`grader.sandbox_files`),
a private size-capped ``/tmp``. Without bubblewrap, ``prlimit`` and ``setpriv`` still set the
limits and the uid. :mod:`grader.sandbox` starts the processes and talks to them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader import sandbox_files

# Started as root, each worker runs under its own unused uid drawn from this range: the
# process cap (RLIMIT_NPROC counts per uid) is then per worker, so one fork bomb cannot starve
# another student's worker, and every process a worker left behind can be found and killed.
SANDBOX_UID_RANGE = (2_000_000, 3_000_000)
SUBMISSION_MOUNT = "/submission"
_WORKER_FILES = ("__init__.py", "sandboxed")  # the trust boundary: grader/sandboxed, whole


def _library_roots() -> list[str]:
    """Where the worker finds grader and jaxnn inside bubblewrap: their copies (see
    :mod:`grader.sandbox_files`), or jaxnn's own folder where it is too large to copy."""
    import jaxnn

    jaxnn_dir = Path(jaxnn.__file__).resolve().parent
    if sandbox_files.small_enough(jaxnn_dir):
        return [sandbox_files.LIBRARY_MOUNT]
    return [sandbox_files.LIBRARY_MOUNT, str(jaxnn_dir.parent)]


@dataclass(frozen=True)
class SandboxConfig:
    """Resource limits and isolation mode for workers.

    Attributes:
      mode: ``"auto"`` (bwrap if it works, else rlimits), ``"bwrap"`` or ``"rlimits"``.
      memory_mb: address-space limit of the worker, in MiB.
      output_mb: largest file a worker may write (its captured output included), in MiB.
      tmp_mb: size of the private ``/tmp`` (bwrap only), in MiB.
      max_processes: process/thread cap for the sandbox user (enforced for non-root uids).
      env: extra environment variables for the worker.
    """

    mode: str = "auto"
    memory_mb: int = 4096
    output_mb: int = 32
    tmp_mb: int = 256
    max_processes: int = 512
    env: dict = field(default_factory=dict)


class SandboxError(RuntimeError):
    """The sandbox could not be started (a grader-side problem, not the student's)."""


@cache
def bwrap_usable() -> bool:
    """Whether bubblewrap is installed and can create the namespaces we need here."""
    exe = shutil.which("bwrap")
    if not exe:
        return False
    try:
        probe = subprocess.run(
            [exe, *_namespace_args(), "--ro-bind", "/", "/", "--", "/bin/true"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def resolve_mode(config: SandboxConfig) -> str:
    """The isolation actually used: ``"bwrap"`` or ``"rlimits"``."""
    if config.mode == "rlimits":
        return config.mode
    if bwrap_usable():
        return "bwrap"
    if config.mode == "bwrap":
        raise SandboxError(
            "bubblewrap (bwrap) is not usable here; install it (apt-get install bubblewrap) "
            "or pass --sandbox rlimits"
        )
    return "rlimits"


def _is_root() -> bool:
    return os.geteuid() == 0


def _namespace_args() -> list[str]:
    common = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    common += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if _is_root():
        # Privileged bwrap, then setpriv drops to nobody: a real non-root uid, so that
        # RLIMIT_NPROC is enforced and nothing owned by root can be written.
        return [*common, "--cap-add", "CAP_SETUID,CAP_SETGID"]
    return ["--unshare-user", *common]


def _boot_code(roots: list[str] | None = None) -> str:
    """The worker's entry point: import the same ``grader`` and ``jaxnn`` as this process
    (not whatever an installed copy would resolve to), then run ``grader.sandboxed.worker``.

    ``roots``: the folders holding them, as the worker sees them (default: this process's).
    """
    import jaxnn

    if roots is None:
        roots = [str(_grader_dir().parent), str(Path(jaxnn.__file__).resolve().parent.parent)]
    return (
        f"import sys; sys.path[0:0] = {list(dict.fromkeys(roots))!r}; "
        "from grader.sandboxed import worker; worker.main()"
    )


def _grader_dir() -> Path:
    return Path(__file__).resolve().parent


@cache
def _isolated_sys_path() -> tuple[str, ...]:
    """``sys.path`` of ``python -I`` (what the worker will have), not this process's own."""
    out = subprocess.run(
        [sys.executable, "-I", "-B", "-c", "import sys; print('\\n'.join(sys.path))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return tuple(p for p in out.stdout.splitlines() if p and os.path.isdir(p))


def _python_paths(hidden: list[Path]) -> tuple[list[Path], list[Path]]:
    """Folders the worker's Python needs, and the hidden folders inside them to mask.

    The installation (prefixes, site-packages) is always mounted, with whatever must stay
    invisible inside it masked by an empty tmpfs; other ``sys.path`` entries (the project
    folder, say) are mounted only if they neither hold nor sit inside a hidden folder.
    """
    import site

    install = [Path(sys.base_prefix), Path(sys.prefix), *map(Path, site.getsitepackages())]
    others = [Path(p) for p in _isolated_sys_path()]
    mounts: list[Path] = []
    for is_install, candidates in ((True, install), (False, others)):
        for path in candidates:
            try:
                path = path.resolve()
            except OSError:
                continue
            if not path.is_dir() or path == Path("/"):
                continue
            if not is_install and any(
                path == h or h.is_relative_to(path) or path.is_relative_to(h) for h in hidden
            ):
                continue
            if any(path.is_relative_to(m) for m in mounts):
                continue
            mounts = [m for m in mounts if not m.is_relative_to(path)] + [path]
    masks = [h for h in hidden if any(h.is_relative_to(m) and h != m for m in mounts)]
    return mounts, masks


# The worker's compilation cache: in its private /tmp, seeded with copies of the host's.
COMPILE_CACHE_MOUNT = "/tmp/.jaxcache"


def _bwrap_argv(
    submission_dir: Path,
    config: SandboxConfig,
    hidden: list[Path],
    uid: int | None,
    compile_cache: Path | None = None,
    seed: list[tuple[str, int]] = (),
) -> tuple[list[str], sandbox_files.Copies]:
    """bubblewrap's command line, and the copies of host files it makes (their descriptors
    must be passed to it). ``seed``: the compilation cache's entries to copy in."""
    import jaxnn

    grader_dir = _grader_dir()
    jaxnn_dir = Path(jaxnn.__file__).resolve().parent
    copies = sandbox_files.Copies()
    # --as-pid-1: the fork server is the PID namespace's init, which the kernel delivers no
    # signal from inside the namespace: student code cannot kill it (os.kill(1, 9)).
    argv = [shutil.which("bwrap") or "bwrap", *_namespace_args(), "--as-pid-1"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for name in ("ld.so.cache", "ld.so.conf", "passwd", "group", "nsswitch.conf", "localtime"):
        if os.path.exists(f"/etc/{name}"):
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]

    # The private /tmp first: what is mounted below /tmp (a project unpacked there) goes on top.
    # Its size: the student's share, plus the compilation cache's seed (the grader's).
    tmp_bytes = config.tmp_mb * 2**20 + sum(size for _, size in seed)
    argv += ["--size", str(tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    mounts, masks = _python_paths([*hidden, grader_dir])
    # jaxnn is copied next to the worker's files, unless it is large (then bind-mounted).
    copy_jaxnn = sandbox_files.small_enough(jaxnn_dir)
    if not copy_jaxnn and not any(jaxnn_dir.is_relative_to(m) for m in mounts):
        mounts.append(jaxnn_dir)
    # Parent folders must be traversable by the unprivileged sandbox user.
    made: set[Path] = {Path("/")}
    for target in mounts:
        for parent in reversed(target.parents):
            if parent not in made and not any(parent.is_relative_to(m) for m in mounts):
                made.add(parent)
                argv += ["--perms", "0755", "--dir", str(parent)]
    for m in mounts:
        argv += ["--ro-bind", str(m), str(m)]
    for h in masks:
        argv += ["--perms", "0755", "--tmpfs", str(h)]
    # The worker's own files (and jaxnn), the submission and the cache seed: copies, which
    # show no host path in /proc/self/mountinfo (see grader.sandbox_files).
    sandbox_files.worker_files(grader_dir, _WORKER_FILES, copies)
    if copy_jaxnn:
        copies.tree(jaxnn_dir, f"{sandbox_files.LIBRARY_MOUNT}/jaxnn")
    if sandbox_files.small_enough(submission_dir):
        copies.tree(submission_dir, SUBMISSION_MOUNT)
    else:
        argv += ["--ro-bind", str(submission_dir), SUBMISSION_MOUNT]
    if compile_cache is not None:
        copies.dir(COMPILE_CACHE_MOUNT, 0o1777)
        for name, _ in seed:
            copies.file(compile_cache / name, f"{COMPILE_CACHE_MOUNT}/{name}", 0o644)
    argv += copies.argv
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--clearenv", "--chdir", "/tmp"]
    env = _worker_env(config, COMPILE_CACHE_MOUNT if compile_cache is not None else None)
    for k, v in env.items():
        argv += ["--setenv", k, v]
    argv.append("--")
    if uid is not None:
        argv += _setpriv_args(uid)
    return argv, copies


def _setpriv_args(uid: int) -> list[str]:
    """Become ``uid`` (and its own group) with no capabilities and no way to regain any."""
    return [
        shutil.which("setpriv") or "/usr/bin/setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


@cache
def can_drop_privileges() -> bool:
    """Whether, without bubblewrap, a worker can still run under an unprivileged uid here
    (we are root, setpriv exists, and that uid can read the Python installation)."""
    if not _is_root() or not shutil.which("setpriv"):
        return False
    probe = [
        *_setpriv_args(SANDBOX_UID_RANGE[0]),
        sys.executable,
        "-I",
        "-B",
        "-c",
        "import grader.sandboxed.worker",
    ]
    try:
        return subprocess.run(probe, capture_output=True, timeout=120, cwd="/").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def compile_cache_env(folder: str) -> dict[str, str]:
    """Environment variables giving JAX a persistent compilation cache in ``folder`` that
    keeps every compiled function (JAX's defaults skip those compiled in under a second)."""
    return {
        "JAX_COMPILATION_CACHE_DIR": folder,
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def _worker_env(config: SandboxConfig, compile_cache: str | None = None) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONBREAKPOINT": "0",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "JAX_PLATFORMS": "cpu",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "XDG_CACHE_HOME": "/tmp/.cache",
    }
    if compile_cache is not None:
        # JAX's persistent compilation cache: a regrade of the same file compiles nothing.
        env.update(compile_cache_env(compile_cache))
    env.update({k: str(v) for k, v in config.env.items()})
    return env


def _limits_prefix(config: SandboxConfig, uid: int | None) -> list[str]:
    """``prlimit`` arguments setting the worker's resource limits before anything else runs.

    A separate program rather than ``preexec_fn``: forking a multithreaded process (JAX
    runs threads in the grader) and running Python code in the child can deadlock.
    """
    exe = shutil.which("prlimit")
    if exe is None:
        raise SandboxError("prlimit (util-linux) is needed to limit workers; install util-linux")
    memory = config.memory_mb * 2**20
    output = config.output_mb * 2**20
    argv = [exe, f"--as={memory}", f"--fsize={output}", "--core=0"]
    if uid is not None or not _is_root():
        # Counted per real uid: enforced once setpriv has given the worker its private uid
        # (or for a non-root grader's own uid); root itself is exempt.
        argv.append(f"--nproc={config.max_processes}")
    return [*argv, "--"]
