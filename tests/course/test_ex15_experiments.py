"""ex15_experiments: the reference passes everything; students' classic mistakes are caught;
correct code written differently passes."""

from __future__ import annotations

import pytest

from grader.testing import (
    failed,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex15_experiments"
REF = reference_source(EX)


# A flower builder in the seed's style; the mutants change one line of it.
FLOWER = """
def make_flower(key, n_per_petal=50, petals=8):
    n = int(n_per_petal)
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    rot = np.array([[c, -s], [s, c]])
    t = np.linspace(0.0, 2.0 * np.pi, n)
    base = np.stack([3.5 * np.cos(t) - 3.5, 0.7 * np.sin(t)], axis=1)
    keys = jax.random.split(key, 2 * petals + 1)
    x_s = base + 0.1 * np.asarray(jax.random.normal(keys[0], (n, 2)))
    X, Y = [], []
    for i in range(1, petals + 1):
        ones = round(ODD * n / 50) if i % 2 == 1 else round(EVEN * n / 50)
        y = np.zeros(n, np.int32)
        y[np.asarray(jax.random.permutation(keys[i], n))[:ones]] = 1
        ROTATE_BEFORE
        X.append(x_s + 0.1 * np.asarray(jax.random.normal(keys[petals + i], (n, 2))))
        ROTATE_AFTER
        Y.append(y)
    return np.concatenate(X), np.concatenate(Y)
"""


def flower(odd=43, even=7, before="x_s = x_s @ rot.T", after="pass"):
    return (
        FLOWER.replace("ODD", str(odd))
        .replace("EVEN", str(even))
        .replace("ROTATE_BEFORE", before)
        .replace("ROTATE_AFTER", after)
    )


# A fit in Keras's style; the mutants change the split or when validation is measured.
FIT = """
def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    X = np.asarray(X, np.float32)
    y = np.asarray(y, np.int32)
    n = len(X)
    SPLIT
    k_init, key = jax.random.split(key)
    params = init_fn(k_init)
    opt = optax.adam(lr)
    state = opt.init(params)

    def loss_fn(p, xb, yb):
        logits = apply_fn(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), logits

    @jax.jit
    def step(p, s, xb, yb):
        (loss, logits), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s, loss, jnp.mean(jnp.argmax(logits, -1) == yb)

    def evaluate(p):
        loss, logits = loss_fn(p, x_val, y_val)
        return float(loss), float(jnp.mean(jnp.argmax(logits, -1) == y_val))

    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        BEFORE
        key, k = jax.random.split(key)
        order = np.asarray(jax.random.permutation(k, len(x_tr)))
        losses, accs = [], []
        for i in range(0, len(x_tr), batch_size):
            idx = order[i : i + batch_size]
            params, state, loss, acc = step(params, state, x_tr[idx], y_tr[idx])
            losses.append(float(loss))
            accs.append(float(acc))
        AFTER
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(float(np.mean(accs)))
        history["val_loss"].append(vl)
        history["val_accuracy"].append(va)
    return params, history
"""
KERAS_SPLIT = (
    "n_tr = int(n * (1 - validation_split)); "
    "x_tr, y_tr, x_val, y_val = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]"
)


def fit_with(split=KERAS_SPLIT, before="pass", after="vl, va = evaluate(params)"):
    return FIT.replace("SPLIT", split).replace("BEFORE", before).replace("AFTER", after)


# Each mutant breaks every function it names, in one plausible way; one grading run each.
MUTANT_TRANSPOSED = {
    "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    m = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(m, (np.asarray(y_pred), np.asarray(y_true)), 1)   # rows are the predictions
    return m
""",
    "make_xor": """
def make_xor(key, n):
    X = jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0)
    return X, ((X[:, 0] > 0) & (X[:, 1] > 0)).astype(jnp.int32)   # forgot the (-, -) quadrant
""",
    # Every petal rotated once from the base ellipse: the rotation does not accumulate.
    "make_flower": flower(before="x_i = x_s @ rot.T").replace("X.append(x_s + ", "X.append(x_i + "),
    # Validates on the first 20 % and trains on the rest.
    "fit": fit_with(
        split="n_val = n - int(n * (1 - validation_split)); "
        "x_val, y_val, x_tr, y_tr = X[:n_val], y[:n_val], X[n_val:], y[n_val:]"
    ),
}

MUTANT_ACCUMULATE = {
    "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    m = np.zeros((num_classes, num_classes), dtype=int)
    m[np.asarray(y_true), np.asarray(y_pred)] += 1   # repeated pairs are counted once
    return m
""",
    "make_xor": """
def make_xor(key, n):
    x1 = jax.random.uniform(key, (n,), minval=-1.0, maxval=1.0)
    x2 = jax.random.uniform(key, (n,), minval=-1.0, maxval=1.0)   # same key: x2 == x1
    X = jnp.stack([x1, x2], axis=1)
    return X, (x1 * x2 > 0).astype(jnp.int32)
""",
    "make_flower": flower(odd=7, even=43),  # parities swapped
    # Validation measured at the start of each epoch, before its updates.
    "fit": fit_with(before="vl, va = evaluate(params)", after="pass"),
}

MUTANT_HIDDEN = {
    "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    k = int(max(y_true.max(), y_pred.max())) + 1    # ignores num_classes
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (y_true, y_pred), 1)
    return m
""",
    "make_xor": """
def make_xor(key, n):
    X = np.random.uniform(-1.0, 1.0, size=(n, 2))   # global state, not the key
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)
""",
    # Adds the petal, then rotates: petal i is rotated i - 1 times.
    "make_flower": flower(before="pass", after="x_s = x_s @ rot.T"),
    # Holds out int(n * validation_split) examples: one too few on 333 examples and 0.3.
    "fit": fit_with(
        split="n_val = int(n * validation_split); n_tr = n - n_val; "
        "x_tr, y_tr, x_val, y_val = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]"
    ),
}


def _mutate(mutations):
    return replace_functions(REF, mutations)


# Per mutant: the check that must catch a function's mistake and a phrase of its message.
NAMED = {
    "transposed": {
        "confusion_matrix": ("small_example", "transpose"),
        "make_xor": ("labels_and_range", "x1·x2 > 0"),
        "make_flower": ("seed_004_flower", "holds"),
        "fit": ("keras_validation_split", "first examples"),
    },
    "accumulate": {
        "confusion_matrix": ("small_example", "wrong values"),
        "make_xor": ("uniform", "correlated"),
        "make_flower": ("seed_004_flower", "labelled 1"),
        "fit": ("keras_validation_split", "after the epoch's updates"),
    },
    "hidden": {
        "confusion_matrix": ("jax_lists_perfect", "wrong shape"),
        "make_xor": ("explicit_keys", "same key"),
        "make_flower": ("seed_004_flower", "labelled 1"),
        "fit": ("never_trains_on_validation", "used for training"),
    },
}


@pytest.mark.parametrize(
    ("mutant", "hidden", "named"),
    [
        (MUTANT_TRANSPOSED, False, NAMED["transposed"]),
        (MUTANT_ACCUMULATE, False, NAMED["accumulate"]),
        (MUTANT_HIDDEN, True, NAMED["hidden"]),
    ],
    ids=["transposed_quadrant_rotation_first", "accumulate_samekey_parity_early", "hidden"],
)
def test_wrong_implementations_are_caught(mutant, hidden, named):
    checks = [f"{function}/{check}" for function, (check, _) in named.items()]
    result = grade_source(EX, _mutate(mutant), hidden=hidden, checks=checks)
    checks = {(r.check.function, r.check.name): r for r in result.checks}
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
        check, words = named[function]
        r = checks[(function, check)]
        assert r.status != "passed" and words in r.message, f"{function}:\n{summary(result)}"


def test_shuffling_before_the_split_is_caught():
    shuffled = fit_with(
        # Seeded: an unseeded shuffle once put, by chance, a validation loss within 1e-4 of
        # the loss on the last 320 examples, and the judge took it for that other mistake.
        split="perm = np.random.default_rng(0).permutation(n); X, y = X[perm], y[perm]; "
        + KERAS_SPLIT
    )
    result = grade_source(
        EX,
        _mutate({"fit": shuffled}),
        checks=["fit/keras_validation_split", "fit/never_trains_on_validation"],
    )
    assert all(r.status == "failed" for r in result.checks), summary(result)
    assert "before any shuffling" in result.checks[0].message, summary(result)


ALTERNATIVE = """
import jax
import jax.numpy as jnp
import numpy as np
import optax


def confusion_matrix(y_true, y_pred, num_classes):
    # Python loops and float counts: fine, the values are exact.
    m = [[0.0] * num_classes for _ in range(num_classes)]
    for t, p in zip(list(np.asarray(y_true)), list(np.asarray(y_pred))):
        m[int(t)][int(p)] += 1.0
    return np.asarray(m, dtype=np.float32)


def make_xor(key, n):
    k1, k2 = jax.random.split(key)
    x1 = jax.random.uniform(k1, (n,), minval=-1.0, maxval=1.0)
    x2 = jax.random.uniform(k2, (n,), minval=-1.0, maxval=1.0)
    return jnp.stack([x1, x2], axis=1), jnp.where(x1 * x2 > 0, 1, 0)


def make_flower(key, n_per_petal=50, petals=8):
    # Vectorised: each petal rotated directly by 45°·i; points returned in a shuffled order.
    n = n_per_petal
    t = jnp.linspace(0, 2 * jnp.pi, n)
    k_base, k_noise, k_lab, k_order = jax.random.split(key, 4)
    base = jnp.stack([3.5 * jnp.cos(t) - 3.5, 0.7 * jnp.sin(t)], axis=1)
    base = base + 0.1 * jax.random.normal(k_base, (n, 2))
    a = jnp.arange(1, petals + 1) * jnp.pi / 4
    rot = jnp.stack([jnp.stack([jnp.cos(a), -jnp.sin(a)], -1), jnp.stack([jnp.sin(a), jnp.cos(a)], -1)], -2)
    X = jnp.einsum("pij,nj->pni", rot, base) + 0.1 * jax.random.normal(k_noise, (petals, n, 2))
    ranks = jnp.argsort(jax.random.uniform(k_lab, (petals, n)), axis=1).argsort(axis=1)
    ones = jnp.array([round(43 * n / 50) if i % 2 else round(7 * n / 50) for i in range(1, petals + 1)])
    y = (ranks < ones[:, None]).astype(jnp.int32)
    order = jax.random.permutation(k_order, petals * n)
    return X.reshape(-1, 2)[order], y.reshape(-1)[order]


def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    # No shuffling, full batches only, one-hot targets: still a correct Keras-style split.
    X, y = jnp.asarray(X), jnp.asarray(y)
    n_train = int(len(X) * (1 - validation_split))
    params = init_fn(jax.random.fold_in(key, 0))
    opt = optax.adam(lr)
    state = opt.init(params)

    def loss_fn(p, xb, yb):
        logits = apply_fn(p, xb)
        onehot = jax.nn.one_hot(yb, logits.shape[-1])
        return jnp.mean(optax.softmax_cross_entropy(logits, onehot)), logits

    @jax.jit
    def step(p, s, xb, yb):
        (loss, logits), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s, loss, jnp.mean(logits.argmax(-1) == yb)

    history = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
    for _ in range(epochs):
        stats = []
        for i in range(0, n_train - batch_size + 1, batch_size):
            params, state, loss, acc = step(params, state, X[i : i + batch_size], y[i : i + batch_size])
            stats.append((loss, acc))
        history["loss"].append(float(np.mean([s[0] for s in stats])))
        history["accuracy"].append(float(np.mean([s[1] for s in stats])))
        vl, logits = loss_fn(params, X[n_train:], y[n_train:])
        history["val_loss"].append(float(vl))
        history["val_accuracy"].append(float(jnp.mean(logits.argmax(-1) == y[n_train:])))
    return params, history
"""


def test_correct_alternative_written_differently_passes():
    result = grade_source(EX, ALTERNATIVE)
    assert result.score == result.max_score, summary(result)


def test_the_flower_label_count_is_revealed_in_public_checks_only():
    import numpy as np

    from grader.course._ex15_judges import flower_problem
    from grader.judging import redact

    # 2 petals of 50 points: 43 + 7 = 50 points labelled 1 are expected; all 100 are.
    why = flower_problem(np.zeros((100, 2)), np.ones(100), 50, 2)
    for text, part in ((why.en, ", expected 50"), (why.fr, ", attendu 50")):
        public, hidden = redact(text, hidden=False), redact(text, hidden=True)
        assert part in public and part not in hidden, (public, hidden)
        assert "round(43/50·50)" in hidden
