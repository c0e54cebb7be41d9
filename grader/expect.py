"""Expected outputs of compare checks: computed from the reference solutions, cached, or frozen.

In the full repository the reference module (``solutions/<id>.py``, trusted) runs in the
grader's own process through the same driver as the student's code, on the same inputs;
its results go through the codec once so both sides are the same plain data. Results are
cached on disk, keyed by everything they depend on (reference source, check definitions,
drivers, seed, library versions), so a warm run computes nothing.

In a student release there are no solutions: ``grader freeze`` wrote the public checks'
expected outputs to ``grader/frozen/<id>.bin`` together with the hash of the check
definitions they were made for; a stale freeze is detected and refused.

A check declaring ``spread=Spread(multiple, variants)`` also gets the *spread* of correct
results: the reference is run again on each :class:`~grader.spec.Variant` (inputs cast to
float32 or float64, a step counter kept as a float…) and, leaf by leaf, the largest absolute
deviation from the expected value is kept. It is computed, cached and frozen together with
the expected values (under the key ``"<check id>#spread"``) and reaches the comparison as
:attr:`ExpectedValues.spreads`.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.sandboxed import codec, drivers
from grader.spec import Case, Check, Exercise, Variant

GRADER_DIR = Path(__file__).resolve().parent
FROZEN_DIR = GRADER_DIR / "frozen"
FORMAT_VERSION = "1"


class ReferenceError_(RuntimeError):
    """The reference solution failed: a bug on the instructor's side, not the student's."""


def cache_dir() -> Path:
    base = os.environ.get("JAXNN_GRADER_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jaxnn-grader"
    )
    return Path(base)


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def definitions_hash(exercise_id: str, *, public_only: bool = False) -> str:
    """Hash of what an exercise's inputs and drivers depend on: its check modules, the shared
    course helpers, its drivers and the codec. ``public_only`` leaves out the hidden checks'
    module, which a student release lacks."""
    from grader import course as checks

    h = hashlib.sha256(f"{FORMAT_VERSION}|{exercise_id}".encode())
    course = GRADER_DIR / "course"
    # An exercise of another course folder (grader run --course): its own modules there.
    own = checks.folder_of(exercise_id) if exercise_id in checks.available() else course
    drivers_dir = GRADER_DIR / "sandboxed" / "drivers"
    files = [own / f"{exercise_id}.py", course / "common.py", course / "__init__.py"]
    # Its judge-side modules (_exNN_*.py) and the judging API: the suite hash must change
    # with a judge, or a batch would not regrade (grader/batch.py).
    files += [*sorted(own.glob(f"_{exercise_id.split('_')[0]}_*.py")), GRADER_DIR / "judging.py"]
    if not public_only:
        files.append(own / "hidden" / f"{exercise_id}.py")
    files += [GRADER_DIR / "sandboxed" / "codec.py", GRADER_DIR / "spec.py"]
    files += [drivers_dir / n for n in ("__init__.py", "generic.py", "course.py")]
    files.append(drivers_dir / f"{exercise_id.split('_')[0]}.py")
    for path in files:
        name = path.relative_to(GRADER_DIR) if path.is_relative_to(GRADER_DIR) else path
        h.update(str(name).encode() + b"\0" + _file_bytes(path) + b"\0")
    return h.hexdigest()


def _versions() -> str:
    from importlib.metadata import version

    return f"jax={version('jax')};numpy={version('numpy')};python={sys.version_info[:3]}"


def load_reference(solutions_dir: Path, exercise_id: str) -> ModuleType:
    """Import ``solutions/<id>.py`` under a private name (never ``exNN`` itself)."""
    path = Path(solutions_dir) / f"{exercise_id}.py"
    if not path.is_file():
        raise ReferenceError_(f"no reference solution {path}")
    name = f"_jaxnn_reference_.{exercise_id}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise ReferenceError_(f"the reference {path} does not import: {exc!r}") from exc
    return module


def encode_cases(cases) -> list[dict]:
    return [{"args": tuple(c.args), "kwargs": dict(c.kwargs)} for c in cases]


class ExpectedValues(list):
    """A check's expected values, one per case, and ``spreads``: for a check with a
    :class:`~grader.spec.Spread`, one tree per case shaped like the value whose leaves are
    the largest deviation of correct variants from it (else None)."""

    spreads: list[Any] | None = None


def spread_key(check_id: str) -> str:
    """Where a check's spreads are stored next to its expected values."""
    return f"{check_id}#spread"


def run_reference(
    module: ModuleType, check: Check, seed: int, variant: Variant | None = None
) -> list[Any]:
    """The reference's results for every case of ``check``, as decoded plain data.

    Args:
      module: the reference module.
      check: the check whose cases to run.
      seed: the run's base seed.
      variant: run this correct variant of the reference instead (inputs cast, x64, wrapped).
    """
    fn = getattr(module, check.function, None)
    if fn is None:
        raise ReferenceError_(f"the reference for {check.exercise} has no {check.function}()")
    run = drivers.bind(check.driver, module)
    cases = check.make_cases(seed)
    x64 = False
    if variant is not None:
        fn = variant.wrap(fn) if variant.wrap is not None else fn
        if variant.cast:
            cases = [_map_case(c, lambda a, d=variant.cast: np.asarray(a, d)) for c in cases]
        if variant.nudge:
            cases = [_map_case(c, _nudged) for c in cases]
        x64 = variant.x64 or variant.cast == "float64"
    out = []
    with _x64(x64):
        for i, case in enumerate(encode_cases(cases)):
            # Same path as the student's inputs: through the codec, refs built by the drivers.
            decoded = codec.decode(
                codec.encode(case, allow_refs=True), resolve_ref=drivers.resolve_ref
            )
            try:
                value = run(fn, *decoded["args"], **check.options, **decoded["kwargs"])
                out.append(codec.decode(codec.encode(value)))
            except Exception as exc:
                what = f" (variant {variant.name})" if variant is not None else ""
                raise ReferenceError_(
                    f"the reference failed on {check.id} case {i}{what}: {exc!r}"
                ) from exc
    return out


def _x64(enabled: bool):
    if not enabled:
        return contextlib.nullcontext()
    import jax

    return jax.enable_x64(True)


def _nudged(a: np.ndarray) -> np.ndarray:
    """``a`` moved by one float32 ulp, up and down in a checkerboard (neighbours along every
    axis move opposite ways, so no axis sees a mere shift, which a shift-invariant function
    like softmax would ignore); in ``a``'s own dtype: a float64 input moves by float32's
    spacing too."""
    a = np.asarray(a)
    step = np.spacing(np.abs(a.astype(np.float32))).astype(a.dtype)
    parity = np.indices(a.shape).sum(axis=0) % 2 if a.ndim else np.zeros((), int)
    return a + np.where(parity == 0, step, -step)


def _map_case(case: Case, fn) -> Case:
    """``case`` with ``fn`` applied to its float array inputs (numpy and ``as_jax``)."""
    from dataclasses import replace

    def cast(x: Any) -> Any:
        if isinstance(x, codec.Ref):
            if x.name == "jnp" and x.args and _is_float(x.args[0], x.args[1:]):
                data = np.asarray(x.args[0], x.args[1] if len(x.args) > 1 else None)
                new = fn(data)
                return codec.Ref("jnp", (new, new.dtype.name))
            return x
        if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind == "f":
            return fn(x)
        if isinstance(x, Mapping):
            return {k: cast(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(cast(v) for v in x)
        return x

    return replace(case, args=cast(tuple(case.args)), kwargs=cast(dict(case.kwargs)))


def _is_float(data: Any, dtype: tuple) -> bool:
    name = dtype[0] if dtype and dtype[0] else np.asarray(data).dtype.name
    return np.dtype(name).kind == "f"


def deviation(expected: Any, other: Any, path: str = "") -> Any:
    """A tree shaped like ``expected`` whose leaves are ``max |other − expected|`` (over the
    finite elements; 0.0 for non-numeric leaves).

    Raises:
      ReferenceError_: when the variant's result has another structure or shape (the
        variant is not a correct way to compute the same thing).
    """
    if isinstance(expected, Mapping):
        if not isinstance(other, Mapping) or set(other) != set(expected):
            raise ReferenceError_(f"a spread variant returned another structure at {path!r}")
        return {k: deviation(expected[k], other[k], f"{path}[{k!r}]") for k in expected}
    if isinstance(expected, (list, tuple)):  # walked like compare walks it
        if not isinstance(other, (list, tuple)) or len(other) != len(expected):
            raise ReferenceError_(f"a spread variant returned another structure at {path!r}")
        return [
            deviation(e, o, f"{path}[{i}]")
            for i, (e, o) in enumerate(zip(expected, other, strict=True))
        ]
    if expected is None or isinstance(expected, str):
        return 0.0
    e = np.asarray(expected, np.float64)
    o = np.asarray(other, np.float64)
    if e.shape != o.shape:
        raise ReferenceError_(
            f"a spread variant returned shape {o.shape} at {path!r}, not {e.shape}"
        )
    finite = np.isfinite(e) & np.isfinite(o)
    return float(np.max(np.abs(o - e)[finite])) if finite.any() else 0.0


def _largest(a: Any, b: Any) -> Any:
    """The leafwise maximum of two deviation trees of the same structure."""
    if isinstance(a, Mapping):
        return {k: _largest(a[k], b[k]) for k in a}
    if isinstance(a, list):
        return [_largest(x, y) for x, y in zip(a, b, strict=True)]
    return max(float(a), float(b))


def run_spread(module: ModuleType, check: Check, seed: int, expected: list[Any]) -> list[Any]:
    """Per case, the leafwise largest deviation of the check's spread variants from
    ``expected`` (the reference's own results)."""
    spreads: list[Any] | None = None
    for variant in check.spread.variants:
        values = run_reference(module, check, seed, variant)
        devs = [deviation(e, v) for e, v in zip(expected, values, strict=True)]
        spreads = (
            devs
            if spreads is None
            else [_largest(a, b) for a, b in zip(spreads, devs, strict=True)]
        )
    return spreads


def reference_values(module: ModuleType, check: Check, seed: int) -> dict[str, list[Any]]:
    """What is stored for ``check``: its expected values and, with a spread, its spreads."""
    values = run_reference(module, check, seed)
    out = {check.id: values}
    if check.spread is not None:
        out[spread_key(check.id)] = run_spread(module, check, seed, values)
    return out


def _attach(stored: Mapping[str, Any], checks: list[Check]) -> dict[str, ExpectedValues]:
    """The expected values of ``checks`` from stored data, each with its spreads."""
    out = {}
    for c in checks:
        values = ExpectedValues(stored[c.id])
        if c.spread is not None:
            values.spreads = list(stored[spread_key(c.id)])
        out[c.id] = values
    return out


def _complete(stored: Any, checks: list[Check]) -> bool:
    if not isinstance(stored, dict):
        return False
    keys = [c.id for c in checks] + [spread_key(c.id) for c in checks if c.spread is not None]
    return all(k in stored for k in keys)


class Expectations:
    """Expected values per check id, from the reference (cached) or from frozen files.

    Args:
      solutions_dir: folder of reference modules, or None in a student release.
      seed: the run's base seed.
      use_cache: read and write the on-disk cache.
    """

    def __init__(
        self,
        solutions_dir: Path | None,
        seed: int,
        use_cache: bool = True,
        frozen_dir: Path = FROZEN_DIR,
    ):
        self.solutions_dir = Path(solutions_dir) if solutions_dir else None
        self.frozen_dir = Path(frozen_dir)
        self.seed = seed
        self.use_cache = use_cache
        self.digests: dict[str, str] = {}

    def for_exercise(self, exercise: Exercise, checks: list[Check]) -> dict[str, list[Any]]:
        """Expected values of the compare checks among ``checks``, keyed by check id (each an
        :class:`ExpectedValues`, with its spreads where the check declares a spread)."""
        wanted = [c for c in checks if c.needs_reference]
        if not wanted:
            self.digests[exercise.id] = definitions_hash(exercise.id)
            return {}
        if self.solutions_dir is None:
            return self._frozen(exercise, wanted)
        ref_path = self.solutions_dir / f"{exercise.id}.py"
        key = hashlib.sha256(
            "|".join(
                [
                    definitions_hash(exercise.id),
                    hashlib.sha256(_file_bytes(ref_path)).hexdigest(),
                    str(self.seed),
                    _versions(),
                    ",".join(c.id for c in wanted),
                ]
            ).encode()
        ).hexdigest()
        self.digests[exercise.id] = key
        path = cache_dir() / "expect" / f"{exercise.id}-{key[:32]}.bin"
        if self.use_cache and path.is_file():
            try:
                stored = codec.decode(path.read_bytes())
                if _complete(stored, wanted):
                    return _attach(stored, wanted)
            except codec.CodecError:
                pass  # a damaged cache entry is recomputed
        module = load_reference(self.solutions_dir, exercise.id)
        values = {}
        for c in wanted:
            values.update(reference_values(module, c, self.seed))
        if self.use_cache:
            _atomic_write(path, codec.encode(values))
        return _attach(values, wanted)

    def _frozen(self, exercise: Exercise, wanted: list[Check]) -> dict[str, list[Any]]:
        values: dict[str, list[Any]] = {}
        digests = []
        for hidden in (False, True):
            part = [c for c in wanted if c.hidden == hidden]
            if not part:
                continue
            stored = _read_frozen(exercise.id, hidden, self.frozen_dir)
            if stored.get("seed") != self.seed:
                raise ReferenceError_(
                    f"frozen expectations exist for seed {stored.get('seed')} only, not {self.seed}; "
                    "drop --seed, or grade with the solutions"
                )
            missing = [c.id for c in part if not _complete(stored["values"], [c])]
            if missing:
                raise ReferenceError_(
                    f"the frozen expectations lack {missing}; run 'grader freeze'"
                )
            values.update(_attach(stored["values"], part))
            digests.append(stored["definitions"])
        self.digests[exercise.id] = hashlib.sha256("|".join(digests).encode()).hexdigest()
        return values


def _frozen_path(exercise_id: str, hidden: bool, frozen_dir: Path) -> Path:
    return Path(frozen_dir) / ("hidden" if hidden else "") / f"{exercise_id}.bin"


def _read_frozen(exercise_id: str, hidden: bool, frozen_dir: Path) -> dict:
    path = _frozen_path(exercise_id, hidden, frozen_dir)
    if not path.is_file():
        what = "hidden" if hidden else "public"
        raise ReferenceError_(
            f"no reference solutions and no frozen {what} expectations for {exercise_id} "
            f"({path}); run 'grader freeze' in the instructor's repository"
        )
    try:
        stored = codec.decode(path.read_bytes())
    except codec.CodecError as exc:
        raise ReferenceError_(f"the frozen expectations {path} are damaged: {exc}") from exc
    if not isinstance(stored, dict) or stored.get("definitions") != definitions_hash(
        exercise_id, public_only=not hidden
    ):
        raise ReferenceError_(
            f"the frozen expectations {path} are stale (the checks changed since "
            "'grader freeze'); run 'grader freeze' again"
        )
    return stored


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename).

    A path that is not a regular file (``--output /dev/null``, a FIFO, ``/dev/stdout``) is
    written into: renaming over it would replace a device with a file (as root, for everyone).
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "wb") as f:
            f.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
