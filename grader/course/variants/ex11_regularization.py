"""ex11_regularization: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex11_regularization.py`` already holds: biases decayed, λ·η, rate as the
keep probability, no rescaling, ``np.random``, ddof 1, per-example statistics, the one-pass
variance, eps under a root, no eps, the test set's own statistics, no shuffling, truncated
sizes, X and y shuffled apart, sizes of the rest, a tie as an improvement, ``> patience``,
ignored patience, the index, ``max``, the training loss; and one alternative (uniform mask,
a ``while`` loop, numpy gradient descent). These cover other forms.
"""

CORRECT = {
    # Recursion that carries the key name, a uniform mask, numpy's two-pass var, a column loop,
    # train/val/test cut in that order, an int-counter while loop, ReLU + Adam with a Python loop
    # of jitted steps.
    "recursive_uniform_var_columns_relu_adam": {
        "weight_decay_update": """
def _decay(p, g, eta, lam, name):
    if isinstance(p, dict):
        return {k: _decay(p[k], g[k], eta, lam, k) for k in p}
    if isinstance(p, (list, tuple)):
        return type(p)(_decay(a, b, eta, lam, None) for a, b in zip(p, g))
    if name == "w":
        return (1 - lam) * p - eta * g
    return p - eta * g


def weight_decay_update(params, grads, eta, lam):
    return _decay(params, grads, eta, lam, None)
""",
        "dropout": """
def dropout(key, x, rate, train=True):
    if not train:
        return x
    u = jax.random.uniform(key, jnp.shape(x))
    mask = (u >= rate).astype(jnp.result_type(x))
    return x * mask / (1.0 - rate)
""",
        "standardize_fit": """
def standardize_fit(X):
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    return mean, np.sqrt(X.var(axis=0))
""",
        "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    X = np.array(X, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    std = np.asarray(std, dtype=np.float64)
    out = np.empty_like(X)
    for j in range(X.shape[1]):
        out[:, j] = (X[:, j] - mean[j]) / (std[j] + eps)
    return out
""",
        "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X = np.asarray(X)
    y = np.asarray(y)
    n = X.shape[0]
    n_val = round(val_frac * n)
    n_test = round(test_frac * n)
    n_train = n - n_val - n_test
    idx = np.asarray(jax.random.permutation(key, n))
    tr, va, te = idx[:n_train], idx[n_train : n_train + n_val], idx[n_train + n_val :]
    return X[tr], y[tr], X[va], y[va], X[te], y[te]
""",
        "early_stopping": """
def early_stopping(val_losses, patience):
    losses = np.asarray(val_losses, dtype=np.float64).ravel()
    best_epoch = 0
    best_loss = np.inf
    waited = 0
    epoch = 0
    while epoch < len(losses):
        if losses[epoch] < best_loss:
            best_loss = losses[epoch]
            best_epoch = epoch
            waited = 0
        else:
            waited += 1
            if waited >= patience:
                break
        epoch += 1
    return best_epoch
""",
        "select_hidden_size": """
def _relu_logits(p, X):
    return jax.nn.relu(X @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]


def _xent(p, X, y):
    return optax.softmax_cross_entropy_with_integer_labels(_relu_logits(p, X), y).mean()


def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    X_train, X_val = jnp.asarray(X_train, jnp.float32), jnp.asarray(X_val, jnp.float32)
    y_train, y_val = jnp.asarray(y_train), jnp.asarray(y_val)
    k = int(max(y_train.max(), y_val.max())) + 1
    d = X_train.shape[1]
    opt = optax.adam(0.01)

    @jax.jit
    def step(p, s):
        g = jax.grad(_xent)(p, X_train, y_train)
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s

    best, best_loss = None, float("inf")
    for h in candidates:
        h = int(h)
        key, k1, k2 = jax.random.split(key, 3)
        p = {
            "w1": jax.random.normal(k1, (d, h)) * jnp.sqrt(2.0 / d),
            "b1": jnp.zeros(h),
            "w2": jax.random.normal(k2, (h, k)) * jnp.sqrt(1.0 / h),
            "b2": jnp.zeros(k),
        }
        s = opt.init(p)
        for _ in range(1000):
            p, s = step(p, s)
        loss = float(_xent(p, X_val, y_val))
        if loss < best_loss:
            best, best_loss = h, loss
    return best
""",
    },
    # tree_map_with_path and keystr, a bernoulli mask then one division, exact per-column
    # statistics (Python's statistics module), jax.numpy float32 for the apply and the split
    # (another order: validation, test, train), a for loop with max(patience, 1), tanh and full-
    # batch Adam inside one lax.fori_loop.
    "keystr_bernoulli_pstdev_jnp_fori": {
        "weight_decay_update": """
def weight_decay_update(params, grads, eta, lam):
    def step(path, p, g):
        if jax.tree_util.keystr(path).endswith("['w']"):
            return p - lam * p - eta * g
        return p - eta * g

    return jax.tree_util.tree_map_with_path(step, params, grads)
""",
        "dropout": """
def dropout(key, x, rate, train=True):
    if train is False or rate == 0.0:
        return x
    keep = jax.random.bernoulli(key, p=1.0 - rate, shape=x.shape)
    return jnp.where(keep, x, 0.0) / (1.0 - rate)
""",
        "standardize_fit": """
def standardize_fit(X):
    import statistics

    X = np.asarray(X, dtype=np.float64)
    means, stds = [], []
    for column in X.T:
        values = column.tolist()
        means.append(statistics.fmean(values))
        stds.append(statistics.pstdev(values))
    return np.array(means), np.array(stds)
""",
        "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    return (jnp.asarray(X) - jnp.asarray(mean)) / (jnp.asarray(std) + eps)
""",
        "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X = jnp.asarray(X)
    y = jnp.asarray(y)
    n = len(y)
    sizes = [round(val_frac * n), round(test_frac * n)]
    perm = jax.random.permutation(key, n)
    val = perm[: sizes[0]]
    test = perm[sizes[0] : sizes[0] + sizes[1]]
    train = perm[sizes[0] + sizes[1] :]
    parts = []
    for idx in (train, val, test):
        parts += [jnp.take(X, idx, axis=0), jnp.take(y, idx, axis=0)]
    return tuple(parts)
""",
        "early_stopping": """
def early_stopping(val_losses, patience):
    best, best_loss, bad = 0, None, 0
    for epoch, loss in enumerate(np.asarray(val_losses).tolist()):
        if best_loss is None or loss < best_loss:
            best, best_loss, bad = epoch, loss, 0
            continue
        bad += 1
        if bad >= max(patience, 1):
            break
    return best
""",
        "select_hidden_size": """
def _val_loss(key, hidden, Xt, yt, Xv, yv, k):
    d = Xt.shape[1]
    k1, k2 = jax.random.split(key)
    lim1, lim2 = np.sqrt(6 / (d + hidden)), np.sqrt(6 / (hidden + k))
    p = [
        {"w": jax.random.uniform(k1, (d, hidden), minval=-lim1, maxval=lim1), "b": jnp.zeros(hidden)},
        {"w": jax.random.uniform(k2, (hidden, k), minval=-lim2, maxval=lim2), "b": jnp.zeros(k)},
    ]

    def loss(p, X, y):
        z = jnp.tanh(X @ p[0]["w"] + p[0]["b"]) @ p[1]["w"] + p[1]["b"]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(z), y[:, None], axis=1))

    opt = optax.adam(0.02)

    def body(_, carry):
        p, s = carry
        u, s = opt.update(jax.grad(loss)(p, Xt, yt), s, p)
        return optax.apply_updates(p, u), s

    p, _ = jax.lax.fori_loop(0, 800, body, (p, opt.init(p)))
    return loss(p, Xv, yv)


def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    Xt, Xv = jnp.asarray(X_train, jnp.float32), jnp.asarray(X_val, jnp.float32)
    yt, yv = jnp.asarray(y_train, jnp.int32), jnp.asarray(y_val, jnp.int32)
    k = int(jnp.maximum(yt.max(), yv.max())) + 1
    keys = jax.random.split(key, len(candidates))
    losses = [float(_val_loss(kk, int(h), Xt, yt, Xv, yv, k)) for kk, h in zip(keys, candidates)]
    return candidates[losses.index(min(losses))]
""",
    },
}

WRONG = {
    "scale_decayed_test_scaling_var_overlap_previous_last_params": {
        # Every leaf not named "b" decayed: a "scale" leaf too.
        "weight_decay_update": """
def weight_decay_update(params, grads, eta, lam):
    def update(path, p, g):
        is_bias = isinstance(path[-1], jax.tree_util.DictKey) and path[-1].key == "b"
        return p - eta * g if is_bias else p - eta * g - lam * p

    return jax.tree_util.tree_map_with_path(update, params, grads)
""",
        # The original (not inverted) dropout: x * (1 − rate) at test time.
        "dropout": """
def dropout(key, x, rate, train=True):
    if not train:
        return x * (1.0 - rate)
    keep = jax.random.bernoulli(key, 1.0 - rate, jnp.shape(x))
    return jnp.where(keep, x / (1.0 - rate), 0.0)
""",
        # The variance, not its square root.
        "standardize_fit": """
def standardize_fit(X):
    X = np.asarray(X, dtype=np.float64)
    return X.mean(axis=0), X.var(axis=0)
""",
        # Operator precedence: (X − mean) / std + eps.
        "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    return (np.asarray(X) - mean) / np.asarray(std) + eps
""",
        # Validation and test both cut from the start of the permutation: they overlap.
        "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    n_val, n_test = round(val_frac * n), round(test_frac * n)
    perm = np.asarray(jax.random.permutation(key, n))
    val, test, train = perm[:n_val], perm[:n_test], perm[max(n_val, n_test) :]
    return X[train], y[train], X[val], y[val], X[test], y[test]
""",
        # An improvement measured against the previous epoch, not the best so far.
        "early_stopping": """
def early_stopping(val_losses, patience):
    losses = [float(v) for v in np.asarray(val_losses).ravel()]
    best, wait = 0, 0
    for i in range(1, len(losses)):
        if losses[i] < losses[i - 1]:
            best, wait = i, 0
        else:
            wait += 1
            if wait >= patience:
                break
    return best
""",
        # Every candidate evaluated with the params of the last one trained.
        "select_hidden_size": """
def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    X_train = jnp.asarray(X_train, jnp.float32)
    X_val = jnp.asarray(X_val, jnp.float32)
    y_train = jnp.asarray(y_train, jnp.int32)
    y_val = jnp.asarray(y_val, jnp.int32)
    n_out = int(max(int(y_train.max()), int(y_val.max()))) + 1
    for k, h in zip(jax.random.split(key, len(candidates)), candidates):
        params = _fit(k, X_train, y_train, hidden=int(h), n_out=n_out)
    losses = [float(_loss(params, X_val, y_val)) for h in candidates]
    return candidates[int(np.argmin(losses))]
""",
    },
    "plus_lambda_fixed_key_float32_np_random_stop_epoch": {
        # The decay with the wrong sign: W grows.
        "weight_decay_update": """
def weight_decay_update(params, grads, eta, lam):
    def update(path, p, g):
        if path and isinstance(path[-1], jax.tree_util.DictKey) and path[-1].key == "w":
            return p - eta * g + lam * p
        return p - eta * g

    return jax.tree_util.tree_map_with_path(update, params, grads)
""",
        # A fixed key: every call drops the same units.
        "dropout": """
def dropout(key, x, rate, train=True):
    if not train or rate == 0:
        return x
    keep = jax.random.bernoulli(jax.random.key(0), 1.0 - rate, jnp.shape(x))
    return jnp.where(keep, x / (1.0 - rate), 0.0)
""",
        # jax.numpy without x64: float32 statistics lose features around 1e6.
        "standardize_fit": """
def standardize_fit(X):
    X = jnp.asarray(X)
    return jnp.mean(X, axis=0), jnp.std(X, axis=0)
""",
        # Operator precedence: X − mean / (std + eps).
        "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    return np.asarray(X) - np.asarray(mean) / (np.asarray(std) + eps)
""",
        # numpy's global generator: ignores the key.
        "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    n_val, n_test = round(val_frac * n), round(test_frac * n)
    perm = np.random.permutation(n)
    test, val, train = perm[:n_test], perm[n_test : n_test + n_val], perm[n_test + n_val :]
    return X[train], y[train], X[val], y[val], X[test], y[test]
""",
        # The epoch where training stopped, not the best epoch.
        "early_stopping": """
def early_stopping(val_losses, patience):
    losses = [float(v) for v in np.asarray(val_losses).ravel()]
    best, wait = 0, 0
    for i in range(1, len(losses)):
        if losses[i] < losses[best]:
            best, wait = i, 0
        else:
            wait += 1
            if wait >= patience:
                return i
    return len(losses) - 1
""",
    },
}
