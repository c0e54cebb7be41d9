"""Data-parallel training over all devices with :mod:`jax.sharding`.

The model is plain data parallelism, written as sharding annotations on the same
one-jitted-call-per-epoch :func:`jaxnn.train.fit`:

* one :class:`~jax.sharding.Mesh` over the devices (:func:`data_mesh`: all of
  ``jax.devices()``, one axis named ``"data"``);
* every batch is split along its leading (example) axis across all the mesh's devices;
* params and optimizer state are replicated on every device;
* XLA's sharding propagation (GSPMD) partitions the step and inserts the all-reduce that
  averages the gradients: no ``pmap``, no hand-written collectives. ::

    mesh = jaxnn.parallel.data_mesh()               # every device, axis "data"
    params, history = jaxnn.train.fit(apply, params, (X, y), ..., mesh=mesh)
    params, history = jaxnn.parallel.fit(apply, params, (X, y), ...)  # the same

**Data placement.** The training and validation arrays are placed on the mesh once,
split along the example axis (device ``i`` holds rows ``i·N/D ... (i+1)·N/D``; when ``D``
does not divide ``N`` the last rows are padded with at most ``D - 1`` zero rows that are
never read), so the mesh holds **one** copy of the data in total, not one per device. Each
step gathers its global batch by index from the split data (XLA does a masked local gather
and one all-reduce of the batch) and constrains it to be split across the devices.

**Batch sizes.** ``batch_size`` (and ``eval_batch_size``) must be a multiple of the number
of devices: otherwise :func:`jaxnn.train.fit` raises a ``ValueError`` naming the nearest
valid choices (every device must get the same number of examples; a silently padded batch
would waste devices and change batch statistics). The last partial batch of an epoch
(``N mod batch_size`` examples, which is not the caller's choice) is *handled*: it is split
across the devices when its size divides, and otherwise computed replicated (every device
does the same small step), so every example still counts once per epoch.

**Equivalence.** The same ``key`` gives the same permutation, the same batches and the
same updates as single-device ``fit``: parameters agree to float32 rounding (the
cross-device sums add in a different order).

**Multiple hosts.** Call :func:`init_distributed` at the very start of every process
(before any other JAX call); ``jax.devices()`` then lists every device of every host and
:func:`data_mesh` spans them all. Every process runs the same program with the same
arguments (the same full data arrays, e.g. loaded from the same files, and the same key);
each process transfers only the rows of its own devices. Only the single-process no-op of
:func:`init_distributed` is tested here (the test machine has one host); the multi-device
code paths are tested on one host with ``XLA_FLAGS=--xla_force_host_platform_device_count``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

__all__ = [
    "batch_sharding",
    "check_batch_size",
    "data_mesh",
    "fit",
    "init_distributed",
    "replicate",
    "replicated",
    "shard",
]

PyTree = Any

_INDIVISIBLE_BATCH = (
    "{arg}={size} does not split evenly across the {devices} devices of the mesh: "
    "data-parallel training gives every device the same number of examples. Use a multiple "
    "of {devices}, e.g. {arg}={lower} or {arg}={upper}, or a mesh over fewer devices, e.g. "
    "jaxnn.parallel.data_mesh(jax.devices()[:k])."
)
_INDIVISIBLE_DATA = (
    "shard: leading dimension {n} does not split evenly across the {devices} devices of the "
    "mesh. Pass arrays whose first dimension is a multiple of {devices} (e.g. drop or pad "
    "{rest} rows), or let jaxnn.train.fit place the data (it pads internally)."
)
_BAD_MESH = (
    "mesh must be a jax.sharding.Mesh, got {got!r}. Build one with jaxnn.parallel.data_mesh() "
    "(all devices) or jax.sharding.Mesh(devices, ('data',))."
)
_NO_DEVICES = "data_mesh: no devices given. Pass a non-empty list, e.g. jax.devices()."
_BAD_PROCESSES = "init_distributed: num_processes must be a positive integer, got {got!r}."


# ---------------------------------------------------------------------------------------
# Processes and meshes.


def _launched_multiprocess() -> bool:
    """Whether the environment says this process is one of several (a launcher set it)."""
    if os.environ.get("JAX_COORDINATOR_ADDRESS"):
        return True
    for var in ("SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 1:
            return True
    return "," in os.environ.get("TPU_WORKER_HOSTNAMES", "")  # a multi-host Cloud TPU slice


def init_distributed(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    **kwargs: Any,
) -> bool:
    """Starts JAX's multi-process runtime (``jax.distributed.initialize``) when needed.

    Call it first thing in every process of a multi-host job, before any other JAX call.
    On a single process it does nothing, so the same script runs on a laptop and on a
    cluster. It initializes when any of these holds:

    * ``num_processes > 1`` or a ``coordinator_address`` is given (explicit setup);
    * ``cluster_detection_method`` is given (passed on to JAX);
    * the environment says this is one of several processes: ``JAX_COORDINATOR_ADDRESS``,
      ``SLURM_NTASKS``/``SLURM_STEP_NUM_TASKS`` > 1, ``OMPI_COMM_WORLD_SIZE`` > 1,
      ``PMI_SIZE`` > 1, or a multi-host ``TPU_WORKER_HOSTNAMES`` (JAX then auto-detects
      the rest).

    Calling it again after a successful initialization is a no-op.

    Args:
        coordinator_address: ``"host:port"`` of process 0 (see
            ``jax.distributed.initialize``).
        num_processes: The number of processes; ``1`` means single-process (a no-op).
        process_id: This process's index in ``0 .. num_processes - 1``.
        **kwargs: Passed on to ``jax.distributed.initialize`` (``local_device_ids``,
            ``cluster_detection_method``, timeouts...).

    Returns:
        True if the distributed runtime is initialized (now or before), False on a single
        process (nothing was done).

    Raises:
        ValueError: If ``num_processes`` is not a positive integer.
        RuntimeError: From JAX, if called after JAX already started its backend.
    """
    if jax.distributed.is_initialized():
        return True
    if num_processes is not None and (
        isinstance(num_processes, bool) or not isinstance(num_processes, int) or num_processes < 1
    ):
        raise ValueError(_BAD_PROCESSES.format(got=num_processes))
    if num_processes == 1:
        return False
    explicit = (
        coordinator_address is not None
        or num_processes is not None
        or kwargs.get("cluster_detection_method") is not None
    )
    if not explicit and not _launched_multiprocess():
        return False
    jax.distributed.initialize(coordinator_address, num_processes, process_id, **kwargs)
    return True


def data_mesh(devices: Sequence[jax.Device] | None = None, axis_name: str = "data") -> Mesh:
    """A one-axis mesh over ``devices`` (default: every device of every process).

    Args:
        devices: The devices, default ``jax.devices()``.
        axis_name: The mesh axis the batch is split along.

    Returns:
        ``Mesh(devices, (axis_name,))`` of shape ``(len(devices),)``.
    """
    devices = list(jax.devices() if devices is None else devices)
    if not devices:
        raise ValueError(_NO_DEVICES)
    return Mesh(np.asarray(devices, dtype=object), (axis_name,))


def _check_mesh(mesh: Any) -> Mesh:
    if not isinstance(mesh, Mesh):
        raise ValueError(_BAD_MESH.format(got=mesh))
    return mesh


def replicated(mesh: Mesh) -> NamedSharding:
    """The sharding of params and optimizer state: a full copy on every device."""
    return NamedSharding(_check_mesh(mesh), P())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """The sharding of a batch: its leading axis split over all the mesh's axes."""
    mesh = _check_mesh(mesh)
    return NamedSharding(mesh, P(tuple(mesh.axis_names)))


def check_batch_size(batch_size: int, mesh: Mesh, arg: str = "batch_size") -> int:
    """Checks that ``batch_size`` splits evenly across the mesh's devices.

    Args:
        batch_size: The global batch size (all devices together).
        mesh: The mesh.
        arg: The argument's name, for the error message.

    Returns:
        ``batch_size``, unchanged.

    Raises:
        ValueError: If ``mesh.size`` does not divide ``batch_size``; the message names the
            nearest multiples.
    """
    devices = _check_mesh(mesh).size
    if batch_size % devices:
        lower = max(devices, batch_size // devices * devices)
        upper = (batch_size // devices + 1) * devices
        raise ValueError(
            _INDIVISIBLE_BATCH.format(
                arg=arg, size=batch_size, devices=devices, lower=lower, upper=upper
            )
        )
    return batch_size


# ---------------------------------------------------------------------------------------
# Placing arrays (works on one process and on several: every process passes the same
# full arrays and transfers only its own devices' part).


def _is_key(x: Any) -> bool:
    return isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


def _host_rows(host: np.ndarray, index: tuple, n_padded: int) -> np.ndarray:
    """``host[index]`` for a shard index, zero-filling rows at or past ``len(host)``."""
    rows = index[0] if index else slice(None)
    start, stop, _ = rows.indices(n_padded)
    part = host[(slice(start, min(stop, len(host))), *index[1:])]
    missing = stop - start - part.shape[0]
    if missing > 0:
        pad = np.zeros((missing, *part.shape[1:]), part.dtype)
        part = np.concatenate([part, pad])
    return part


def _put_leaf(x: Any, sharding: NamedSharding, n_padded: int | None = None) -> jax.Array:
    """``x`` placed with ``sharding`` (may share buffers with ``x``), rows zero-padded."""
    if isinstance(x, jax.Array) and n_padded is None and x.sharding == sharding:
        return x  # already there (e.g. params from an earlier data-parallel fit)
    if _is_key(x):
        data = _put_leaf(jax.random.key_data(x), sharding, n_padded)
        return jax.random.wrap_key_data(data, impl=jax.random.key_impl(x))
    if jax.process_count() == 1 and (n_padded is None or n_padded == np.shape(x)[0]):
        return jax.device_put(x, sharding)
    host = np.asarray(x)
    dtype = jax.dtypes.canonicalize_dtype(host.dtype)  # no float64 on device without x64
    shape = host.shape if n_padded is None else (n_padded, *host.shape[1:])
    return jax.make_array_from_callback(
        shape, sharding, lambda index: _host_rows(host, index, shape[0]).astype(dtype, copy=False)
    )


@functools.lru_cache(maxsize=16)
def _fresh_copy(sharding: NamedSharding):
    # A compiled copy: XLA never returns a (non-donated) input buffer as an output, so the
    # result owns fresh buffers. (device_put(..., may_alias=False) from one device to a
    # replicated sharding reuses the source buffer for that device's shard.)
    return jax.jit(lambda tree: jax.tree.map(jnp.copy, tree), out_shardings=sharding)


def replicate(tree: PyTree, mesh: Mesh) -> PyTree:
    """Copies every array of ``tree`` onto every device of ``mesh`` (fresh buffers).

    Args:
        tree: A pytree of arrays (jax or numpy) or PRNG keys, e.g. params.
        mesh: The mesh.

    Returns:
        The same pytree of global arrays with :func:`replicated` sharding, in buffers of
        their own (safe to donate: the caller's arrays stay valid).
    """
    sharding = replicated(mesh)
    return _fresh_copy(sharding)(jax.tree.map(lambda x: _put_leaf(x, sharding), tree))


def shard(tree: PyTree, mesh: Mesh) -> PyTree:
    """Splits every array of ``tree`` along its leading axis across the mesh's devices.

    For hand-written data-parallel loops: a batch placed this way, fed to a jitted step
    together with :func:`replicate`\\ d params, runs data-parallel.

    Args:
        tree: A pytree of arrays ``(N, ...)`` sharing ``N``, a multiple of ``mesh.size``.
        mesh: The mesh.

    Returns:
        The same pytree of global arrays with :func:`batch_sharding`.

    Raises:
        ValueError: If ``mesh.size`` does not divide ``N``.
    """
    sharding = batch_sharding(mesh)

    def put(x):
        n = np.shape(x)[0]
        if n % mesh.size:
            raise ValueError(_INDIVISIBLE_DATA.format(n=n, devices=mesh.size, rest=n % mesh.size))
        return _put_leaf(x, sharding)

    return jax.tree.map(put, tree)


class _Placement:
    """Where ``fit`` keeps things: on the default device (``mesh=None``) or on a mesh.

    Hashable (part of the cache key of ``fit``'s compiled epoch function).
    """

    def __init__(self, mesh: Mesh | None = None):
        self.mesh = None if mesh is None else _check_mesh(mesh)

    def __hash__(self) -> int:
        return hash(self.mesh)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Placement) and self.mesh == other.mesh

    @property
    def size(self) -> int:
        return 1 if self.mesh is None else self.mesh.size

    @property
    def out_shardings(self) -> NamedSharding | None:
        """``jax.jit``'s ``out_shardings``: everything ``fit`` returns is replicated."""
        return None if self.mesh is None else replicated(self.mesh)

    def check_batch_size(self, batch_size: int, arg: str) -> None:
        if self.mesh is not None:
            check_batch_size(batch_size, self.mesh, arg)

    def examples(self, tree: PyTree) -> PyTree:
        """The data set, placed once: as is on one device, split by rows on a mesh."""
        if self.mesh is None:
            return jax.device_put(tree)  # no copy if already on the device; float32
        n = int(np.shape(jax.tree.leaves(tree)[0])[0])
        n_padded = -(-n // self.size) * self.size
        sharding = batch_sharding(self.mesh)
        return jax.tree.map(lambda x: _put_leaf(x, sharding, n_padded), tree)

    def put(self, tree: PyTree) -> PyTree:
        """``tree`` on the device (replicated on a mesh), without copying what already is."""
        if self.mesh is None:
            return jax.device_put(tree)
        sharding = replicated(self.mesh)
        return jax.tree.map(lambda x: _put_leaf(x, sharding), tree)

    def copy(self, tree: PyTree) -> PyTree:
        """Fresh buffers for ``tree`` (replicated on a mesh); the caller's stay valid."""
        if self.mesh is None:
            return jax.device_put(tree, may_alias=False)
        return replicate(tree, self.mesh)

    def batch(self, tree: PyTree) -> PyTree:
        """Inside jit: a batch split across the devices (replicated if it does not divide)."""
        if self.mesh is None:
            return tree
        split, whole = batch_sharding(self.mesh), replicated(self.mesh)

        def constrain(x):
            sharding = split if x.ndim and x.shape[0] % self.size == 0 else whole
            return jax.lax.with_sharding_constraint(x, sharding)

        return jax.tree.map(constrain, tree)


def fit(
    apply_fn: Any, params: PyTree, data: Any, *, mesh: Mesh | None = None, **kwargs: Any
) -> tuple[PyTree, dict[str, list[float]]]:
    """:func:`jaxnn.train.fit` over every device: ``mesh`` defaults to :func:`data_mesh`.

    Args:
        apply_fn: As in :func:`jaxnn.train.fit`.
        params: The initial parameters (replicated on every device).
        data: ``(X, y)``, inputs ``(N, ...)`` and labels ``(N, ...)``.
        mesh: The device mesh; default ``data_mesh()`` (all devices).
        **kwargs: Every other :func:`jaxnn.train.fit` argument (``loss``, ``optimizer``,
            ``epochs``, ``batch_size`` (a multiple of the device count), ``key``, ...).

    Returns:
        ``(params, history)`` as :func:`jaxnn.train.fit`; params are replicated global
        arrays.
    """
    from jaxnn.train import fit as _fit  # jaxnn.train imports this module

    return _fit(apply_fn, params, data, mesh=data_mesh() if mesh is None else mesh, **kwargs)
