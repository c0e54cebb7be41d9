"""ex15_experiments: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex15_experiments.py`` already holds: a transposed matrix, repeated pairs
counted once, an ignored ``num_classes``, a missing XOR quadrant, one key for both
coordinates, ``np.random``, a rotation that does not accumulate, swapped parities, add-then-
rotate, validation on the first 20 %, validation before the epoch's updates, ``int(n · split)``
held out; and alternatives (Python loops and float counts, petals rotated directly and
shuffled, a full-batch one-hot fit). These cover other forms.
"""

import ast

from grader.testing import reference_source


def _reference_fit() -> str:
    """The reference's fit renamed ``_keras_fit``: a wrong fit that only reorders its inputs
    calls it."""
    source = reference_source("ex15_experiments")
    node = next(n for n in ast.parse(source).body if getattr(n, "name", "") == "fit")
    text = ast.get_source_segment(source, node)
    return text.replace("def fit(", "def _keras_fit(", 1) + "\n\n\n"


CORRECT = {
    # bincount of flat indices; jax.numpy arrays for XOR; the seed's loop with row vectors
    # (x_s @ rot.T) and one noise draw for all petals; a fit whose epoch is one jitted
    # lax.scan over full batches plus the smaller last one, the loss an unweighted batch mean.
    "bincount_jnp_xor_rows_scan_fit": {
        "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    t = np.asarray(y_true, dtype=np.int64).reshape(-1)
    p = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    k = int(num_classes)
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)
""",
        "make_xor": """
def make_xor(key, n):
    X = jax.random.uniform(key, (n, 2), minval=-1.0, maxval=1.0)
    y = (jnp.prod(X, axis=1) > 0).astype(jnp.int32)
    return X, y
""",
        "make_flower": """
def make_flower(key, n_per_petal=50, petals=8):
    n = n_per_petal
    k_base, k_noise, k_labels = jax.random.split(key, 3)
    t = np.linspace(0, 2 * np.pi, n)
    base = np.column_stack([3.5 * np.cos(t), 0.7 * np.sin(t)])
    base[:, 0] -= base[:, 0].max()
    x_s = base + 0.1 * np.asarray(jax.random.normal(k_base, (n, 2)))
    noise = 0.1 * np.asarray(jax.random.normal(k_noise, (petals, n, 2)))
    theta = np.pi / 4
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    X = np.zeros((n * petals, 2))
    y = np.zeros(n * petals, dtype=np.int64)
    for i in range(1, petals + 1):
        x_s = x_s @ rot.T
        X[(i - 1) * n : i * n] = x_s + noise[i - 1]
        ones = round(43 * n / 50) if i % 2 == 1 else round(7 * n / 50)
        chosen = np.asarray(jax.random.permutation(jax.random.fold_in(k_labels, i), n))[:ones]
        y[(i - 1) * n + chosen] = 1
    return X, y
""",
        "fit": """
def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    X = jnp.asarray(X, jnp.float32)
    y = jnp.asarray(y, jnp.int32)
    n_train = int(X.shape[0] * (1 - validation_split))
    X_tr, y_tr, X_va, y_va = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    key, k0 = jax.random.split(key)
    params = init_fn(k0)
    tx = optax.adam(lr)
    opt_state = tx.init(params)
    bs = min(int(batch_size), n_train)
    full = n_train // bs

    def loss_fn(p, xb, yb):
        logits = apply_fn(p, xb)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()
        return loss, jnp.mean(jnp.argmax(logits, -1) == yb)

    def step(carry, batch):
        p, s = carry
        (loss, acc), g = jax.value_and_grad(loss_fn, has_aux=True)(p, *batch)
        u, s = tx.update(g, s, p)
        return (optax.apply_updates(p, u), s), (loss, acc)

    @jax.jit
    def epoch(p, s, k):
        perm = jax.random.permutation(k, n_train)
        xs, ys = X_tr[perm], y_tr[perm]
        batches = (xs[: full * bs].reshape(full, bs, -1), ys[: full * bs].reshape(full, bs))
        (p, s), (losses, accs) = jax.lax.scan(step, (p, s), batches)
        if n_train % bs:
            (p, s), (l2, a2) = step((p, s), (xs[full * bs :], ys[full * bs :]))
            losses, accs = jnp.append(losses, l2), jnp.append(accs, a2)
        return p, s, losses.mean(), accs.mean()

    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        key, k = jax.random.split(key)
        params, opt_state, loss, acc = epoch(params, opt_state, k)
        val_loss, val_acc = loss_fn(params, X_va, y_va)
        history["loss"].append(float(loss))
        history["accuracy"].append(float(acc))
        history["val_loss"].append(float(val_loss))
        history["val_accuracy"].append(float(val_acc))
    return params, history
""",
    },
    # One-hot products with float counts cast to int (jax.numpy), numpy's generator seeded
    # from the key and sign tests for XOR, complex numbers for the flower's rotations, and a
    # fit with a Python loop over mini-batches and Keras's size-weighted running averages.
    "onehot_numpy_xor_complex_loop_fit": {
        "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    t = jax.nn.one_hot(jnp.asarray(y_true).reshape(-1), num_classes)
    p = jax.nn.one_hot(jnp.asarray(y_pred).reshape(-1), num_classes)
    return jnp.round(t.T @ p).astype(jnp.int32)
""",
        "make_xor": """
def make_xor(key, n):
    seed = np.asarray(jax.random.randint(key, (4,), 0, 2**31 - 1)).tolist()
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))
    y = np.where(np.sign(X[:, 0]) == np.sign(X[:, 1]), 1, 0)
    return X, y
""",
        "make_flower": """
def make_flower(key, n_per_petal=50, petals=8):
    n = int(n_per_petal)
    keys = jax.random.split(key, 2 * petals + 1)
    t = np.linspace(0.0, 2.0 * np.pi, n)
    z = (3.5 * np.cos(t) - 3.5) + 1j * 0.7 * np.sin(t)
    e = np.asarray(jax.random.normal(keys[0], (n, 2)))
    z = z + 0.1 * (e[:, 0] + 1j * e[:, 1])
    step = np.exp(1j * np.pi / 4)
    xs, ys = [], []
    for i in range(1, petals + 1):
        z = z * step
        e = np.asarray(jax.random.normal(keys[2 * i - 1], (n, 2)))
        w = z + 0.1 * (e[:, 0] + 1j * e[:, 1])
        xs.append(np.stack([w.real, w.imag], axis=1))
        ones = round(43 * n / 50) if i % 2 else round(7 * n / 50)
        labels = np.zeros(n, np.int32)
        labels[:ones] = 1
        ys.append(np.asarray(jax.random.permutation(keys[2 * i], labels)))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)
""",
        "fit": """
def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    X, y = np.asarray(X, np.float32), np.asarray(y).astype(np.int32)
    split_at = int(len(X) * (1.0 - validation_split))
    x_val, y_val = X[split_at:], y[split_at:]
    X, y = X[:split_at], y[:split_at]
    keys = jax.random.split(key, epochs + 1)
    params = init_fn(keys[0])
    opt = optax.adam(learning_rate=lr)
    state = opt.init(params)

    def loss_of(p, xb, yb):
        logits = apply_fn(p, xb)
        log_p = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(log_p, yb[:, None], axis=1)), logits

    @jax.jit
    def train_step(p, s, xb, yb):
        (loss, logits), g = jax.value_and_grad(loss_of, has_aux=True)(p, xb, yb)
        updates, s = opt.update(g, s, p)
        return optax.apply_updates(p, updates), s, loss, jnp.sum(jnp.argmax(logits, 1) == yb)

    history = {name: [] for name in ("loss", "accuracy", "val_loss", "val_accuracy")}
    for e in range(1, epochs + 1):
        order = np.asarray(jax.random.permutation(keys[e], len(X)))
        seen, loss_sum, hits = 0, 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            params, state, loss, correct = train_step(params, state, X[idx], y[idx])
            seen += len(idx)
            loss_sum += float(loss) * len(idx)
            hits += int(correct)
        history["loss"].append(loss_sum / seen)
        history["accuracy"].append(hits / seen)
        val_loss, val_logits = loss_of(params, x_val, y_val)
        history["val_loss"].append(float(val_loss))
        history["val_accuracy"].append(float(np.mean(np.argmax(val_logits, 1) == y_val)))
    return params, history
""",
    },
}

WRONG = {
    "histogram2d_unit_square_unshifted_shuffle_then_split": {
        # np.histogram2d's bins span the data's range, not the class ids 0..num_classes-1.
        "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    m, _, _ = np.histogram2d(np.asarray(y_true), np.asarray(y_pred), bins=num_classes)
    return m.astype(int)
""",
        # minval and maxval forgotten: points in [0, 1]², so every label is 1.
        "make_xor": """
def make_xor(key, n):
    X = np.asarray(jax.random.uniform(key, (int(n), 2)))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int32)
""",
        # The base ellipse not shifted (x1 − max(x1) forgotten): petals centred on the origin.
        "make_flower": """
def make_flower(key, n_per_petal=50, petals=8):
    n = int(n_per_petal)
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    rot = np.array([[c, -s], [s, c]])
    t = np.linspace(0.0, 2.0 * np.pi, n)
    k_base, k_petals = jax.random.split(key)
    x_s = np.stack([3.5 * np.cos(t), 0.7 * np.sin(t)], axis=1)
    x_s = x_s + 0.1 * np.asarray(jax.random.normal(k_base, (n, 2)))
    X, Y = [], []
    for i, k in zip(range(1, int(petals) + 1), jax.random.split(k_petals, int(petals))):
        k_label, k_noise = jax.random.split(k)
        ones = round(7 * n / 50) if i % 2 == 0 else round(43 * n / 50)
        y = np.zeros(n, np.int32)
        y[np.asarray(jax.random.permutation(k_label, n))[:ones]] = 1
        x_s = (rot @ x_s.T).T
        X.append(x_s + 0.1 * np.asarray(jax.random.normal(k_noise, (n, 2))))
        Y.append(y)
    return np.concatenate(X).astype(np.float32), np.concatenate(Y)
""",
        # The data shuffled before the validation split: validation examples leak into training.
        "fit": _reference_fit()
        + """
def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    X, y = np.asarray(X, np.float32), np.asarray(y, np.int32)
    key, k_shuffle = jax.random.split(key)
    order = np.asarray(jax.random.permutation(k_shuffle, len(X)))
    return _keras_fit(key, init_fn, apply_fn, X[order], y[order], epochs, batch_size, lr,
                      validation_split)
""",
    },
    "row_fractions_plus_minus_one_clockwise_val_on_train": {
        # Each row normalised to fractions (a rate, not a count).
        "confusion_matrix": """
def confusion_matrix(y_true, y_pred, num_classes):
    m = np.zeros((num_classes, num_classes))
    np.add.at(m, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return m / np.maximum(m.sum(axis=1, keepdims=True), 1)
""",
        # The seed's labels ±1 kept, not {0, 1}.
        "make_xor": """
def make_xor(key, n):
    X = np.asarray(jax.random.uniform(key, (int(n), 2), minval=-1.0, maxval=1.0))
    return X, np.sign(X[:, 0] * X[:, 1]).astype(np.int32)
""",
        # Rotated clockwise (−45° each petal).
        "make_flower": """
def make_flower(key, n_per_petal=50, petals=8):
    n = int(n_per_petal)
    c, s = np.cos(-np.pi / 4), np.sin(-np.pi / 4)
    rot = np.array([[c, -s], [s, c]])
    t = np.linspace(0.0, 2.0 * np.pi, n)
    x1, x2 = 3.5 * np.cos(t), 0.7 * np.sin(t)
    x1 = x1 - x1.max()
    k_base, k_petals = jax.random.split(key)
    x_s = np.stack([x1, x2], axis=1) + 0.1 * np.asarray(jax.random.normal(k_base, (n, 2)))
    X, Y = [], []
    for i, k in zip(range(1, int(petals) + 1), jax.random.split(k_petals, int(petals))):
        k_label, k_noise = jax.random.split(k)
        ones = round(7 * n / 50) if i % 2 == 0 else round(43 * n / 50)
        y = np.zeros(n, np.int32)
        y[np.asarray(jax.random.permutation(k_label, n))[:ones]] = 1
        x_s = (rot @ x_s.T).T
        X.append(x_s + 0.1 * np.asarray(jax.random.normal(k_noise, (n, 2))))
        Y.append(y)
    return np.concatenate(X).astype(np.float32), np.concatenate(Y)
""",
        # val_loss and val_accuracy measured on the training examples.
        "fit": """
def fit(key, init_fn, apply_fn, X, y, epochs, batch_size, lr, validation_split=0.2):
    X, y = np.asarray(X, np.float32), np.asarray(y, np.int32)
    n_train = int(len(X) * (1 - validation_split))
    X, y = X[:n_train], y[:n_train]
    key, k0 = jax.random.split(key)
    params = init_fn(k0)
    opt = optax.adam(lr)
    state = opt.init(params)

    def loss_fn(p, xb, yb):
        logits = apply_fn(p, xb)
        return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), logits

    @jax.jit
    def step(p, s, xb, yb):
        (loss, _), g = jax.value_and_grad(loss_fn, has_aux=True)(p, xb, yb)
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s, loss

    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        key, k = jax.random.split(key)
        order = np.asarray(jax.random.permutation(k, n_train))
        losses = []
        for start in range(0, n_train, batch_size):
            idx = order[start : start + batch_size]
            params, state, loss = step(params, state, X[idx], y[idx])
            losses.append(float(loss))
        loss, logits = loss_fn(params, X, y)
        acc = float(np.mean(np.argmax(np.asarray(logits), 1) == y))
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(acc)
        history["val_loss"].append(float(loss))
        history["val_accuracy"].append(acc)
    return params, history
""",
    },
}
