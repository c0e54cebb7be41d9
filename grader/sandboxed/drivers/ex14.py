"""Drivers for ex14_cnn: the grader's own training loop around the student's CNN.

They run in the sandbox and are visible to students (no expected values, no held-out labels
here). Declared on ``cnn_apply`` or ``init_cnn``, they get the whole module (``module=True``)
and take the other function from it.
"""

from __future__ import annotations

from typing import Any

from grader.sandboxed.drivers import driver

NOT_IMPLEMENTED = {"init_not_implemented": True}


def _sibling(module, other: str, own: str):
    """The function ``other`` of the graded module (``own`` is graded together with it)."""
    found = getattr(module, other, None)
    if not callable(found):
        raise NameError(
            f"{other}() is missing: {own}() is graded together with {other}(); "
            "define both in the same file."
        )
    return found


def _init(module, cnn_apply, key, input_shape, num_classes, x):
    """``init_cnn(key, (H, W, C), num_classes)`` for a check of ``cnn_apply``; while init_cnn
    raises NotImplementedError, None (the judge says to write init_cnn first), or that error
    when cnn_apply is not written either (the grader says "cnn_apply() is not implemented yet").
    """
    try:
        init_cnn = _sibling(module, "init_cnn", "cnn_apply")
        return init_cnn(key, tuple(int(s) for s in input_shape), int(num_classes))
    except NotImplementedError:
        pass
    try:
        cnn_apply(None, x)  # only to learn whether cnn_apply is written yet
    except NotImplementedError:
        raise
    except Exception:
        pass
    return None


def _leaves(params) -> list:
    """The parameters' leaves as numpy arrays (what the judge counts and inspects)."""
    import jax
    import numpy as np

    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(params)]


@driver("ex14_init", module=True)
def init_twice(module, init_cnn, key_a, key_b, input_shape, num_classes, x) -> Any:
    """``{"a", "a_again", "b"}``: the leaves of ``init_cnn`` with key a (twice) and key b, and
    ``"logits"``: ``cnn_apply(params_a, x)``, or ``"apply_error"`` (its error) when it fails."""
    import jax

    cnn_apply = _sibling(module, "cnn_apply", "init_cnn")
    shape, classes = tuple(int(s) for s in input_shape), int(num_classes)
    params = init_cnn(key_a, shape, classes)
    out = {"a": _leaves(params), "a_again": _leaves(init_cnn(key_a, shape, classes))}
    out["b"] = _leaves(init_cnn(key_b, shape, classes))
    try:
        out["logits"] = jax.jit(cnn_apply)(params, x)  # one compilation, not one per operation
    except NotImplementedError:
        out["apply_error"] = "cnn_apply() is not implemented yet"
    except Exception as exc:
        out["apply_error"] = f"cnn_apply() raised {type(exc).__name__}: {exc}"[:600]
    return out


@driver("ex14_eval", module=True)
def eval_twice(module, cnn_apply, key, input_shape, num_classes, x) -> Any:
    """``cnn_apply(params, x)`` (no train, no key) and ``cnn_apply(params, x, train=False)``
    on ``init_cnn(key, input_shape, num_classes)``: ``{"logits", "again"}``."""
    params = _init(module, cnn_apply, key, input_shape, num_classes, x)
    if params is None:
        return NOT_IMPLEMENTED
    return {"logits": cnn_apply(params, x), "again": cnn_apply(params, x, train=False)}


@driver("ex14_train", module=True)
def train(
    module, cnn_apply, key, x_train, y_train, x_test, num_classes, epochs=10, batch_size=64, lr=3e-3
) -> Any:
    """The grader's training loop: Adam, softmax cross-entropy, jit-compiled steps.

    ``params = init_cnn(k_init, x_train.shape[1:], num_classes)``; each epoch visits the
    training set in a new random order in full batches of ``batch_size``; every step calls
    ``cnn_apply(params, xb, train=True, key=k)`` with a fresh key ``k``. Returns ``{"logits":
    cnn_apply(params, x_test)`` (evaluation mode, no key), ``"leaves": [shape, ...], "loss":
    per-epoch mean training loss}``.
    """
    import jax
    import jax.numpy as jnp
    import optax

    x_train, x_test = jnp.asarray(x_train, jnp.float32), jnp.asarray(x_test, jnp.float32)
    y_train = jnp.asarray(y_train, jnp.int32)
    k_init, key = jax.random.split(key)
    params = _init(module, cnn_apply, k_init, x_train.shape[1:], num_classes, x_test[:1])
    if params is None:
        return NOT_IMPLEMENTED
    optimizer = optax.adam(lr)
    state = optimizer.init(params)

    def loss_fn(p, xb, yb, k):
        logits = cnn_apply(p, xb, train=True, key=k)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

    @jax.jit
    def step(p, s, xb, yb, k):
        loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb, k)
        updates, s = optimizer.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    shapes, n, curve = [list(a.shape) for a in _leaves(params)], x_train.shape[0], []
    for _ in range(int(epochs)):
        key, k_perm = jax.random.split(key)
        order = jax.random.permutation(k_perm, n)
        losses = []
        for i in range(n // batch_size):
            key, k_step = jax.random.split(key)
            idx = order[i * batch_size : (i + 1) * batch_size]
            params, state, loss = step(params, state, x_train[idx], y_train[idx], k_step)
            losses.append(loss)
        curve.append(float(jnp.mean(jnp.stack(losses))))
    logits = jax.jit(lambda p, x: cnn_apply(p, x))(params, x_test)
    return {"logits": logits, "leaves": shapes, "loss": curve}
