"""ex09_sgd: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex09_sgd.py`` already holds: no shuffle, ascent, summed cost, full-batch
steps, a dropped last batch, a flat-dict update, MSE without the 1/2, the initial loss as an
extra epoch, ``np.random``, a list-only update, cross-entropy, the summed loss, shuffling the
batch order only; and one numpy/``fori_loop`` alternative. These cover other forms.
"""

CORRECT = {
    # jax.numpy float32 throughout; split points instead of slices; vmap'd per-example gradients
    # averaged (another summation order); the epochs are a jitted scan with fold_in keys.
    "jnp_split_vmap_foldin": {
        "minibatches": """
def minibatches(key, n, batch_size):
    perm = jax.random.permutation(key, jnp.arange(n))
    return jnp.split(perm, list(range(batch_size, n, batch_size)))
""",
        "sgd_update": """
def sgd_update(params, grads, eta):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    gleaves = jax.tree_util.tree_leaves(grads)
    return jax.tree_util.tree_unflatten(treedef, [p - eta * g for p, g in zip(leaves, gleaves)])
""",
        "update_mini_batch": """
def _example_cost(p, x, y):
    a = x[None, :]
    for layer in p:
        a = 1.0 / (1.0 + jnp.exp(-(a @ layer["w"] + layer["b"])))
    return 0.5 * jnp.sum((y - a[0]) ** 2)


def update_mini_batch(params, X_batch, Y_batch, eta):
    params = jax.tree_util.tree_map(jnp.asarray, params)
    per_example = jax.vmap(jax.grad(_example_cost), in_axes=(None, 0, 0))(
        params, jnp.asarray(X_batch), jnp.asarray(Y_batch)
    )
    mean = jax.tree_util.tree_map(lambda g: jnp.mean(g, axis=0), per_example)
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, mean)
""",
        "train_sgd": """
def _batch_cost(p, X, Y):
    a = X
    for layer in p:
        a = jax.nn.sigmoid(a @ layer["w"] + layer["b"])
    return jnp.mean(0.5 * jnp.sum((Y - a) ** 2, axis=1))


@partial(jax.jit, static_argnums=(4, 5))
def _run(key, params, X, Y, epochs, batch_size, eta):
    n = X.shape[0]
    n_full = n // batch_size

    def epoch(p, e):
        perm = jax.random.permutation(jax.random.fold_in(key, e), n)
        Xs, Ys = X[perm], Y[perm]

        def step(q, i):
            xb = jax.lax.dynamic_slice_in_dim(Xs, i * batch_size, batch_size)
            yb = jax.lax.dynamic_slice_in_dim(Ys, i * batch_size, batch_size)
            g = jax.grad(_batch_cost)(q, xb, yb)
            return jax.tree_util.tree_map(lambda w, d: w - eta * d, q, g), None

        p, _ = jax.lax.scan(step, p, jnp.arange(n_full))
        if n % batch_size:
            g = jax.grad(_batch_cost)(p, Xs[n_full * batch_size :], Ys[n_full * batch_size :])
            p = jax.tree_util.tree_map(lambda w, d: w - eta * d, p, g)
        return p, _batch_cost(p, X, Y)

    return jax.lax.scan(epoch, params, jnp.arange(epochs))


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, dtype=jnp.float32)
    Y = jnp.asarray(Y, dtype=jnp.float32)
    params = [{"w": jnp.asarray(l["w"], jnp.float32), "b": jnp.asarray(l["b"], jnp.float32)}
              for l in params]
    return _run(key, params, X, Y, int(epochs), min(int(batch_size), X.shape[0]), jnp.float32(eta))
""",
    },
    # Seed 001 as written (Nielsen's network.py) where no transform is checked: a while loop with
    # an int counter, per-example backprop in numpy float64 summed then divided by m, in-place
    # updates of copies; the jitted training pads the last batch with a mask instead.
    "numpy_loops_masked_last_batch": {
        "minibatches": """
def minibatches(key, n, batch_size):
    order = np.array(jax.random.permutation(key, n)).tolist()
    batches = []
    k = 0
    while k < n:
        batches.append(np.array(order[k : k + batch_size], dtype=np.int32))
        k += batch_size
    return batches
""",
        "sgd_update": """
def sgd_update(params, grads, eta):
    if isinstance(params, dict):
        return {name: sgd_update(params[name], grads[name], eta) for name in params}
    if isinstance(params, list):
        return [sgd_update(p, g, eta) for p, g in zip(params, grads)]
    if isinstance(params, tuple):
        return tuple(sgd_update(p, g, eta) for p, g in zip(params, grads))
    return params + (-eta) * grads
""",
        "update_mini_batch": """
def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def update_mini_batch(params, X_batch, Y_batch, eta):
    X = np.asarray(X_batch, dtype=np.float64)
    Y = np.asarray(Y_batch, dtype=np.float64)
    ws = [np.array(p["w"], dtype=np.float64) for p in params]
    bs = [np.array(p["b"], dtype=np.float64) for p in params]
    nabla_w = [np.zeros(w.shape) for w in ws]
    nabla_b = [np.zeros(b.shape) for b in bs]
    for x, y in zip(X, Y):
        acts = [x]
        for w, b in zip(ws, bs):
            acts.append(_sig(acts[-1] @ w + b))
        delta = (acts[-1] - y) * acts[-1] * (1.0 - acts[-1])
        for l in range(len(ws) - 1, -1, -1):
            nabla_w[l] += np.outer(acts[l], delta)
            nabla_b[l] += delta
            if l > 0:
                delta = (ws[l] @ delta) * acts[l] * (1.0 - acts[l])
    m = len(X)
    for l in range(len(ws)):
        ws[l] -= (eta / m) * nabla_w[l]
        bs[l] -= (eta / m) * nabla_b[l]
    return [{"w": w, "b": b} for w, b in zip(ws, bs)]
""",
        "train_sgd": """
def _masked_cost(p, X, Y, mask):
    a = mlp_forward(p, X)
    per = 0.5 * jnp.sum((Y - a) ** 2, axis=1)
    return jnp.sum(per * mask) / jnp.sum(mask)


@partial(jax.jit, static_argnames=("epochs", "batch_size"))
def _fit(keys, params, X, Y, eta, epochs, batch_size):
    n = X.shape[0]
    n_batches = -(-n // batch_size)
    pad = n_batches * batch_size - n

    def epoch(p, k):
        perm = jnp.concatenate([jax.random.permutation(k, n), jnp.zeros(pad, perm_dtype)])
        mask = (jnp.arange(n_batches * batch_size) < n).astype(X.dtype)
        idx = perm.reshape(n_batches, batch_size)
        msk = mask.reshape(n_batches, batch_size)

        def step(q, b):
            i, m = b
            g = jax.grad(_masked_cost)(q, X[i], Y[i], m)
            return sgd_update(q, g, eta), None

        p, _ = jax.lax.scan(step, p, (idx, msk))
        return p, quadratic_cost(mlp_forward(p, X), Y)

    perm_dtype = jnp.int32
    return jax.lax.scan(epoch, params, keys)


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    keys = jax.random.split(key, int(epochs))
    bs = int(min(batch_size, X.shape[0]))
    params, losses = _fit(keys, params, X, Y, jnp.float32(eta), epochs=int(epochs), batch_size=bs)
    return params, np.asarray(losses).tolist()
""",
    },
    # The most common JAX pattern: a jitted step called from a Python loop over the batches,
    # a key split at every epoch, and the smaller batch taken first (cut from the end).
    "python_loop_split_keys_small_batch_first": {
        "train_sgd": """
_jit_step = jax.jit(_step)
_jit_loss = jax.jit(_loss)


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    n = X.shape[0]
    losses = []
    for _ in range(int(epochs)):
        key, sub = jax.random.split(key)
        perm = np.asarray(jax.random.permutation(sub, n))
        cuts = list(range(n, 0, -int(batch_size)))[::-1]
        starts = [0] + cuts[:-1]
        for a, b in sorted(zip(starts, cuts), key=lambda ab: ab[1] - ab[0]):
            params = _jit_step(params, X[perm[a:b]], Y[perm[a:b]], jnp.float32(eta))
        losses.append(_jit_loss(params, X, Y))
    return params, jnp.asarray(losses, jnp.float32)
""",
    },
}

WRONG = {
    "replacement_fixedkey_inplace_doubled_m": {
        # Sampling with replacement: duplicates, some indices never drawn.
        "minibatches": """
def minibatches(key, n, batch_size):
    idx = jax.random.randint(key, (n,), 0, n)
    return [idx[k : k + batch_size] for k in range(0, n, batch_size)]
""",
        # An in-place update of the caller's arrays: under jit the params come back unchanged.
        "sgd_update": """
def sgd_update(params, grads, eta):
    for p, g in zip(jax.tree_util.tree_leaves(params), jax.tree_util.tree_leaves(grads)):
        p -= eta * g
    return params
""",
        # Nielsen's eta / m on top of a mean gradient: the step is m times too small.
        "update_mini_batch": """
def update_mini_batch(params, X_batch, Y_batch, eta):
    m = len(X_batch)
    g = jax.grad(lambda p: quadratic_cost(mlp_forward(p, X_batch), Y_batch))(params)
    return jax.tree_util.tree_map(lambda p, d: p - (eta / m) * d, params, g)
""",
        # X and Y shuffled with two different permutations: the labels no longer match.
        "train_sgd": """
@partial(jax.jit, static_argnames=("epochs", "batch_size"))
def _bad_train(key, params, X, Y, eta, *, epochs, batch_size):
    n = X.shape[0]
    full = n // batch_size

    def epoch(p, k):
        kx, ky = jax.random.split(k)
        Xs = X[jax.random.permutation(kx, n)]
        Ys = Y[jax.random.permutation(ky, n)]
        xb = Xs[: full * batch_size].reshape(full, batch_size, -1)
        yb = Ys[: full * batch_size].reshape(full, batch_size, -1)
        p, _ = jax.lax.scan(lambda q, b: (_step(q, b[0], b[1], eta), None), p, (xb, yb))
        if n % batch_size:
            p = _step(p, Xs[full * batch_size :], Ys[full * batch_size :], eta)
        return p, _loss(p, X, Y)

    return jax.lax.scan(epoch, params, jax.random.split(key, epochs))


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    return _bad_train(key, params, X, Y, jnp.float32(eta), epochs=int(epochs),
                      batch_size=min(int(batch_size), X.shape[0]))
""",
    },
    "balanced_split_no_eta_cost_without_half_stale_params": {
        # np.array_split balances the sizes (5, 5, 5, 4, 4) instead of batch_size then the rest.
        "minibatches": """
def minibatches(key, n, batch_size):
    perm = np.asarray(jax.random.permutation(key, n))
    return np.array_split(perm, -(-n // batch_size))
""",
        # The learning rate forgotten.
        "sgd_update": """
def sgd_update(params, grads, eta):
    return jax.tree_util.tree_map(lambda p, g: p - g, params, grads)
""",
        # 1/m Σ ‖y − a‖² without the 1/2: the gradient is twice too large.
        "update_mini_batch": """
def update_mini_batch(params, X_batch, Y_batch, eta):
    def cost(p):
        a = mlp_forward(p, X_batch)
        return jnp.sum((Y_batch - a) ** 2) / X_batch.shape[0]
    g = jax.grad(cost)(params)
    return jax.tree_util.tree_map(lambda p, d: p - eta * d, params, g)
""",
        # The trained params are computed, but the initial ones are returned.
        "train_sgd": """
def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    p0 = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    trained, losses = _train(key, p0, X, Y, jnp.float32(eta), epochs=int(epochs),
                             batch_size=min(int(batch_size), X.shape[0]))
    return params, losses
""",
    },
    # The last, smaller mini-batch is never used (n // batch_size steps per epoch).
    "drops_the_last_smaller_batch": {
        "train_sgd": """
@partial(jax.jit, static_argnames=("epochs", "batch_size"))
def _train_drop(key, params, X, Y, eta, *, epochs, batch_size):
    n = X.shape[0]
    full = n // batch_size

    def batch_step(p, idx):
        return _step(p, X[idx], Y[idx], eta), None

    def epoch(p, k):
        perm = jax.random.permutation(k, n)
        p, _ = jax.lax.scan(batch_step, p, perm[: full * batch_size].reshape(full, batch_size))
        return p, _loss(p, X, Y)

    return jax.lax.scan(epoch, params, jax.random.split(key, epochs))


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    return _train_drop(
        key, params, X, Y, jnp.float32(eta), epochs=int(epochs),
        batch_size=min(int(batch_size), X.shape[0]),
    )
""",
    },
    # One permutation drawn before the epochs: every epoch visits the same mini-batches in the
    # same order (a reused key; seed 001's DGS reshuffles at every epoch).
    "one_permutation_for_all_epochs": {
        "train_sgd": """
@partial(jax.jit, static_argnames=("epochs", "batch_size"))
def _train_same(key, params, X, Y, eta, *, epochs, batch_size):
    n = X.shape[0]
    full = n // batch_size
    rest = n - full * batch_size
    perm = jax.random.permutation(key, n)

    def batch_step(p, idx):
        return _step(p, X[idx], Y[idx], eta), None

    def epoch(p, _):
        p, _ = jax.lax.scan(batch_step, p, perm[: full * batch_size].reshape(full, batch_size))
        if rest:
            p, _ = batch_step(p, perm[full * batch_size :])
        return p, _loss(p, X, Y)

    return jax.lax.scan(epoch, params, None, length=epochs)


def train_sgd(key, params, X, Y, epochs, batch_size, eta):
    X = jnp.asarray(X, jnp.float32)
    Y = jnp.asarray(Y, jnp.float32)
    params = jax.tree_util.tree_map(lambda p: jnp.asarray(p, jnp.float32), params)
    return _train_same(
        key, params, X, Y, jnp.float32(eta), epochs=int(epochs),
        batch_size=min(int(batch_size), X.shape[0]),
    )
""",
    },
}

MARKS = {}
