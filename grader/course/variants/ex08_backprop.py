"""ex08_backprop: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex08_backprop.py`` already grades a loop-per-example variant, a jitted
jax one, the stub's float64 helper on float32 data and a float32 one, and mutants (a
transposed outer product, x missing, σ' forgotten, w for w.T, no / n, a mean twice, sign,
biases not summed, output layer first…): these cover other forms and other mistakes.
"""

CORRECT = {
    # numpy float64; σ' from the cached activations (a(1 − a)), every δ first, then the
    # gradients by tensordot; the tiny network's outer product written element by element.
    "numpy_float64_deltas_then_grads": {
        "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden = np.asarray(w_hidden, np.float64)
    w_out = np.asarray(w_out, np.float64)
    x = np.asarray(x, np.float64)
    A = np.exp(-np.logaddexp(0.0, -(w_hidden @ x)))
    y_hat = np.exp(-np.logaddexp(0.0, -np.dot(w_out, A)))
    err = y_hat - float(y)
    d_out = err * A
    d_hidden = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            d_hidden[i, j] = w_out[i] * x[j] * A[i] * (1 - A[i]) * err
    return d_out, d_hidden
""",
        "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, np.float64)
    zs, activations = [], [a]
    for layer in params:
        zs.append(a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64))
        a = np.exp(-np.logaddexp(0.0, -zs[-1]))
        activations.append(a)
    return tuple(zs), tuple(activations)
""",
        "backprop": """
def backprop(params, x, y):
    _, acts = forward_with_cache(params, x)
    y = np.asarray(y, np.float64)
    n, L = acts[0].shape[0], len(params)
    deltas = [None] * L
    deltas[-1] = (acts[-1] - y) * acts[-1] * (1 - acts[-1])      # σ'(z) = a (1 − a)
    for l in range(L - 2, -1, -1):
        w_next = np.asarray(params[l + 1]["w"], np.float64)
        deltas[l] = (deltas[l + 1] @ w_next.T) * acts[l + 1] * (1 - acts[l + 1])
    return [
        {"w": np.tensordot(acts[l], deltas[l], axes=(0, 0)) / n, "b": deltas[l].mean(axis=0)}
        for l in range(L)
    ]
""",
    },
    # numpy float32 in seed 001's column layout: W = wᵀ, one column per example, nabla_w
    # = δ a_{l−1}ᵀ (transposed back at the end), broadcasting for the tiny outer product.
    "numpy_float32_seed_columns": {
        "tiny_net_grads": """
def _sigma32(z):
    z = np.asarray(z, np.float32)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)


def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, np.float32) for v in (w_hidden, w_out, x))
    A = _sigma32(w_hidden @ x)
    y_hat = _sigma32(w_out @ A)
    err = y_hat - np.float32(y)
    return err * A, (w_out * A * (1 - A) * err)[:, None] * x[None, :]
""",
        "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, np.float32).T                 # (n_in, N): columns
    zs, activations = [], [a.T]
    for layer in params:
        W = np.asarray(layer["w"], np.float32).T    # seed 001's W, (n_out, n_in)
        z = W @ a + np.asarray(layer["b"], np.float32)[:, None]
        a = _sigma32(z)
        zs.append(z.T)
        activations.append(a.T)
    return zs, activations
""",
        "backprop": """
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    n = acts[0].shape[0]
    cols = [a.T for a in acts]                      # back to seed 001's columns
    s = _sigma32(zs[-1].T)
    delta = (cols[-1] - np.asarray(y, np.float32).T) * s * (1 - s)   # (n_L, N)
    nabla_b, nabla_w = [], []
    for l in range(len(params), 0, -1):
        nabla_b.insert(0, delta.sum(axis=1))
        nabla_w.insert(0, delta @ cols[l - 1].T)    # (n_out, n_in), seed 001's layout
        if l > 1:
            W = np.asarray(params[l - 1]["w"], np.float32).T
            s = _sigma32(zs[l - 2].T)
            delta = (W.T @ delta) * s * (1 - s)
    return [{"w": nw.T / n, "b": nb / n} for nw, nb in zip(nabla_w, nabla_b)]
""",
    },
    # jax.numpy float32, eager (no jit): a while loop down the layers, grads filled in place
    # in a preallocated list, the sigmoid as a tanh.
    "jax_float32_eager_while": {
        "tiny_net_grads": """
import jax.numpy as jnp


def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (jnp.asarray(v, jnp.float32) for v in (w_hidden, w_out, x))
    A = 0.5 * (1 + jnp.tanh(0.5 * (w_hidden @ x)))
    y_hat = 0.5 * (1 + jnp.tanh(0.5 * jnp.dot(w_out, A)))
    err = y_hat - jnp.asarray(y, jnp.float32)
    return err * A, jnp.outer(w_out * A * (1 - A) * err, x)
""",
        "forward_with_cache": """
def forward_with_cache(params, x):
    a = jnp.asarray(x, jnp.float32)
    zs, activations = [], [a]
    for layer in params:
        z = jnp.matmul(a, jnp.asarray(layer["w"], jnp.float32)) + jnp.asarray(layer["b"], jnp.float32)
        a = 0.5 * (1 + jnp.tanh(0.5 * z))
        zs.append(z)
        activations.append(a)
    return zs, activations
""",
        "backprop": """
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    y = jnp.asarray(y, jnp.float32)
    n = acts[0].shape[0]
    grads = [None] * len(params)
    l = len(params) - 1
    delta = (acts[-1] - y) * acts[-1] * (1 - acts[-1])
    while l >= 0:
        grads[l] = {"w": acts[l].T @ delta / n, "b": jnp.sum(delta, axis=0) / n}
        if l > 0:
            w = jnp.asarray(params[l]["w"], jnp.float32)
            delta = (delta @ w.T) * acts[l] * (1 - acts[l])
        l -= 1
    return grads
""",
    },
}

WRONG = {
    # The wrong backprops below run their own forward pass (as many students write it), so
    # that the wrong forward_with_cache next to them does not decide their fate.
    "quadratic_factor_no_output_sigmoid_off_by_one": {
        "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, np.float64) for v in (w_hidden, w_out, x))
    A = _sigmoid(w_hidden @ x)
    y_hat = _sigmoid(w_out @ A)
    e = (y_hat - float(y)) * y_hat * (1 - y_hat)    # σ'(ŷ): the quadratic cost's, not BCE's
    return e * A, np.outer(w_out * A * (1 - A) * e, x)
""",
        "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, np.float64)
    zs, activations = [], [a]
    for i, layer in enumerate(params):
        z = a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64)
        a = _sigmoid(z) if i < len(params) - 1 else z   # no sigmoid on the output layer
        zs.append(z)
        activations.append(a)
    return zs, activations
""",
        "backprop": """
def backprop(params, x, y):
    a = np.asarray(x, np.float64)                   # its own forward pass
    zs, acts = [], [a]
    for layer in params:
        zs.append(a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64))
        a = _sigmoid(zs[-1])
        acts.append(a)
    y = np.asarray(y, np.float64)
    n = acts[0].shape[0]
    grads = [None] * len(params)
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta / n, "b": delta.sum(axis=0) / n}
        if l > 0:
            s = _sigmoid(zs[l])                     # off by one: z of the layer above
            delta = (delta @ np.asarray(params[l]["w"], np.float64).T) * s * (1 - s)
    return grads
""",
    },
    "missing_factor_inplace_cache_wrong_axis": {
        "tiny_net_grads": """
def tiny_net_grads(w_hidden, w_out, x, y):
    w_hidden, w_out, x = (np.asarray(v, np.float64) for v in (w_hidden, w_out, x))
    A = _sigmoid(w_hidden @ x)
    y_hat = _sigmoid(w_out @ A)
    e = y_hat - float(y)
    return e * A, np.outer(w_out * (1 - A) * e, x)   # σ'(z) written as 1 − A: A lost
""",
        "forward_with_cache": """
def forward_with_cache(params, x):
    a = np.asarray(x, np.float64)
    zs, activations = [], [a]
    for layer in params:
        z = a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64)
        zs.append(z)
        np.exp(-z, out=z)                           # in place: overwrites the cached z
        a = 1.0 / (1.0 + z)
        activations.append(a)
    return zs, activations
""",
        "backprop": """
def backprop(params, x, y):
    a = np.asarray(x, np.float64)                   # its own forward pass
    zs, acts = [], [a]
    for layer in params:
        zs.append(a @ np.asarray(layer["w"], np.float64) + np.asarray(layer["b"], np.float64))
        a = _sigmoid(zs[-1])
        acts.append(a)
    y = np.asarray(y, np.float64)
    n = acts[0].shape[0]
    grads = [None] * len(params)
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": acts[l].T @ delta / n, "b": delta.sum(axis=1) / n}   # wrong axis
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"], np.float64).T) * s * (1 - s)
    return grads
""",
    },
    "transposed_weight_gradients": {
        "backprop": """
def backprop(params, x, y):
    zs, acts = forward_with_cache(params, x)
    y = np.asarray(y, np.float64)
    n = acts[0].shape[0]
    grads = [None] * len(params)
    s = _sigmoid(zs[-1])
    delta = (acts[-1] - y) * s * (1 - s)
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"w": delta.T @ acts[l] / n, "b": delta.sum(axis=0) / n}   # (n_out, n_in)
        if l > 0:
            s = _sigmoid(zs[l - 1])
            delta = (delta @ np.asarray(params[l]["w"], np.float64).T) * s * (1 - s)
    return grads
""",
    },
}
