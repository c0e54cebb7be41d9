"""Helpers shared by the exercises' checks: input generators, label builders, forbidden APIs."""

from __future__ import annotations

import numpy as np

from grader.i18n import Text
from grader.sandboxed.codec import Ref
from grader.spec import Case


def label(en: str, fr: str) -> Text:
    """A case label in both languages."""
    return Text(en, fr)


def case(en: str, fr: str, *args, **kwargs) -> Case:
    """A case: its label in English and in French, then the function's arguments.

    >>> c = case("8 scalars", "8 scalaires", np.zeros(8), eps=1e-3)
    >>> c.label.fr, len(c.args), c.kwargs
    ('8 scalaires', 1, {'eps': 0.001})
    """
    return Case(args, kwargs, label=Text(en, fr))


def cases_of(make, *rows):
    """A case generator from a table: ``make(rng, *row)`` for each row, in order.

    >>> gen = cases_of(lambda rng, n: case(f"{n} zeros", f"{n} zéros", np.zeros(n)), (2,), (5,))
    >>> [c.label.en for c in gen(np.random.default_rng(0))]
    ['2 zeros', '5 zeros']
    """
    return lambda rng: [make(rng, *row) for row in rows]


def as_jax(value, dtype: str | None = None) -> Ref:
    """An input the worker hands to the student as a jax array (not numpy)."""
    return Ref("jnp", (value, dtype))


def plain(value):
    """A case input as the student received it, on the grader's side: ``as_jax`` refs become
    the numpy arrays they stand for (judges see data, not refs); lists, tuples and dicts are
    unwrapped recursively; anything else is returned as it is."""
    if isinstance(value, Ref):
        if value.name == "jnp":
            data, dtype = value.args
            return np.asarray(data, dtype=dtype)
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


# Automatic differentiation, however imported (a name forbids its submodules too): the checks
# that ask for a gradient by hand forbid these plus their exercise's additions (numerical
# differentiation, libraries that compute the loss, the solutions…), see :func:`forbidden`.
AUTODIFF = (
    "jax.grad",
    "jax.value_and_grad",
    "jax.vjp",
    "jax.jvp",
    "jax.jacfwd",
    "jax.jacrev",
    "jax.jacobian",
    "jax.hessian",
    "jax.linearize",
    "jax.linear_transpose",
    "jax.test_util",
    "jax.experimental.jet",
    "jax.interpreters",
    "jax._src",
    "jaxnn.gradcheck",
    "autograd",
    "torch",
    "tensorflow",
)


def forbidden(*extra: str) -> tuple[str, ...]:
    """:data:`AUTODIFF` and an exercise's own additions, each once, for ``static(forbid=...)``.

    Args:
      extra: the exercise's further forbidden modules and functions.

    Returns:
      The names, :data:`AUTODIFF` first.

    >>> forbidden("optax", "torch")[-1]
    'optax'
    """
    return tuple(dict.fromkeys((*AUTODIFF, *extra)))


def separable_blobs(rng: np.random.Generator, n: int, dim: int = 2, margin: float = 1.0):
    """Two Gaussian clouds on either side of a random hyperplane, at least ``margin`` away."""
    normal = rng.normal(size=dim)
    normal /= np.linalg.norm(normal)
    X = rng.normal(size=(4 * n, dim)) * 2.0
    dist = X @ normal
    keep = np.abs(dist) >= margin
    X, dist = X[keep][:n], dist[keep][:n]
    return X.astype(np.float64), (dist > 0).astype(np.float64)


def xor_data(rng: np.random.Generator, n: int):
    """Seed 004's XOR: uniform in [-1, 1]², label 1 where x1·x2 > 0."""
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.float64)
