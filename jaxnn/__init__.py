"""jaxnn: a small, pure-functional neural-network library on JAX.

Parameters are pytrees of plain dicts and lists; layers are ``(init, apply)`` pairs of
pure functions; optimizers are optax ``GradientTransformation``s. Submodules are imported
on first use so that ``import jaxnn`` stays cheap::

    >>> import jaxnn
    >>> jaxnn.activations.relu(-1.0)
    Array(0., dtype=float32, weak_type=True)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_SUBMODULES = (
    "activations",
    "data",
    "filters",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optim",
    "parallel",
    "train",
    "viz",
)

__all__ = ["__version__", *_SUBMODULES]

if TYPE_CHECKING:  # pragma: no cover
    from jaxnn import (  # noqa: F401
        activations,
        data,
        filters,
        gradcheck,
        initializers,
        layers,
        losses,
        metrics,
        models,
        optim,
        parallel,
        train,
        viz,
    )


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"jaxnn.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'jaxnn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
