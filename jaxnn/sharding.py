"""Placing arrays on a device mesh: the primitives of :mod:`jaxnn.parallel`.

A one-axis mesh (:func:`data_mesh`), the shardings of data parallelism (:func:`replicated`,
:func:`batch_sharding`), moving pytrees onto a mesh (:func:`replicate`, :func:`shard`) and
:class:`Placement`, where :func:`jaxnn.train.fit` keeps its data, params and state. Nothing
here trains: :mod:`jaxnn.train` and :mod:`jaxnn.parallel` both build on this module, which
imports neither. Import the public names from :mod:`jaxnn.parallel`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

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


class Placement:
    """Where ``fit`` keeps things: on the default device (``mesh=None``) or on a mesh.

    Hashable (part of the cache key of ``fit``'s compiled epoch function).
    """

    def __init__(self, mesh: Mesh | None = None):
        self.mesh = None if mesh is None else _check_mesh(mesh)

    def __hash__(self) -> int:
        return hash(self.mesh)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Placement) and self.mesh == other.mesh

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
