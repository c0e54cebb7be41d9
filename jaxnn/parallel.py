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

import os
from typing import Any

import jax
from jax.sharding import Mesh

from jaxnn import train
from jaxnn.sharding import (
    batch_sharding,
    check_batch_size,
    data_mesh,
    replicate,
    replicated,
    shard,
)

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
    return train.fit(apply_fn, params, data, mesh=data_mesh() if mesh is None else mesh, **kwargs)
