"""ex07_mlp: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex07_mlp.py`` already grades a numpy-Generator/list-loop variant and a
one-draw jitted jax one, and mutants ([0, 1), no last sigmoid, ReLU on the output, the
accuracy, transposed w, sigmoid for ReLU, argmax on axis 0, one key for all, no bias, no
ReLU, normal draws, global numpy state, a fixed seed, w and b sharing a key): these cover
other forms and other mistakes.
"""

CORRECT = {
    # jax.numpy float32; the key threaded through the loop (flax/Haiku style), one fresh
    # subkey per leaf; the textbook sigmoid (1/(1 + inf) is an exact 0).
    "jax_float32_threaded_key": {
        "init_mlp": """
import jax.numpy as jnp


def init_mlp(key, sizes):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        key, k_w, k_b = jax.random.split(key, 3)
        params.append({
            "w": jax.random.uniform(k_w, (n_in, n_out), minval=-1.0, maxval=1.0),
            "b": jax.random.uniform(k_b, (n_out,), minval=-1.0, maxval=1.0),
        })
    return params
""",
        "mlp_forward": """
def mlp_forward(params, x):
    a = jnp.asarray(x, jnp.float32)
    for layer in params:
        a = 1.0 / (1.0 + jnp.exp(-(a @ layer["w"] + layer["b"])))
    return a
""",
        "mlp_logits": """
def mlp_logits(params, x):
    a = jnp.asarray(x, jnp.float32)
    *hidden, last = params
    for layer in hidden:
        a = jnp.maximum(jnp.dot(a, layer["w"]) + layer["b"], 0.0)
    return jnp.dot(a, last["w"]) + last["b"]
""",
        "evaluate": """
def evaluate(params, X, y):
    predictions = jnp.argmax(mlp_forward(params, X), axis=1)
    return (predictions == jnp.asarray(y)).sum().item()
""",
    },
    # numpy float64 in seed 001's column layout (W = wᵀ, activations as columns), keys by
    # fold_in, Nielsen's evaluate.
    "numpy_float64_seed_columns": {
        "init_mlp": """
def init_mlp(key, sizes):
    params = []
    for i in range(len(sizes) - 1):
        k_w, k_b = jax.random.fold_in(key, 2 * i), jax.random.fold_in(key, 2 * i + 1)
        w = jax.random.uniform(k_w, (sizes[i], sizes[i + 1]), minval=-1.0, maxval=1.0)
        b = jax.random.uniform(k_b, (sizes[i + 1],), minval=-1.0, maxval=1.0)
        params.append({"w": np.asarray(w, np.float64), "b": np.asarray(b, np.float64)})
    return params
""",
        "mlp_forward": """
def _sigma(z):
    return np.exp(-np.logaddexp(0.0, -z))          # 1/(1 + e^{-z}) without overflow


def mlp_forward(params, x):
    a = np.asarray(x, np.float64).T                 # (n_in, N): one column per example
    for layer in params:
        W = np.asarray(layer["w"], np.float64).T    # seed 001's W, (n_out, n_in)
        b = np.asarray(layer["b"], np.float64)[:, None]
        a = _sigma(W @ a + b)
    return a.T
""",
        "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, np.float64).T
    for i, layer in enumerate(params):
        z = np.asarray(layer["w"], np.float64).T @ a + np.asarray(layer["b"], np.float64)[:, None]
        a = z * (z > 0) if i < len(params) - 1 else z
    return a.T
""",
        "evaluate": """
def evaluate(params, X, y):
    results = [(np.argmax(out), label) for out, label in zip(mlp_forward(params, X), y)]
    return sum(int(p == t) for p, t in results)    # seed 001's evaluer
""",
    },
    # numpy float32 with in-place work on fresh arrays; one draw of (n_in + 1, n_out) per
    # layer, cut into w and b (no two leaves share draws); an int counter.
    "numpy_float32_inplace_one_draw_per_layer": {
        "init_mlp": """
def init_mlp(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    params = []
    for k, n_in, n_out in zip(keys, sizes[:-1], sizes[1:]):
        block = jax.random.uniform(k, (n_in + 1, n_out), minval=-1.0, maxval=1.0)
        params.append({"w": block[:-1], "b": block[-1]})
    return params
""",
        "mlp_forward": """
def mlp_forward(params, x):
    a = np.asarray(x, np.float32)
    for layer in params:
        z = a @ np.asarray(layer["w"], np.float32)   # a new array: safe to work in place
        z += np.asarray(layer["b"], np.float32)
        e = np.exp(-np.abs(z))
        a = np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)
    return a
""",
        "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, np.float32)
    for i, layer in enumerate(params):
        a = a @ np.asarray(layer["w"], np.float32)
        a += np.asarray(layer["b"], np.float32)
        if i != len(params) - 1:
            np.maximum(a, 0, out=a)
    return a
""",
        "evaluate": """
def evaluate(params, X, y):
    out = mlp_forward(params, X)
    y = np.asarray(y)
    correct = 0
    for i in range(out.shape[0]):
        if np.argmax(out[i]) == y[i]:
            correct += 1
    return correct
""",
    },
}

WRONG = {
    "keys_reused_relu_first_percentage": {
        "init_mlp": """
def init_mlp(key, sizes):
    k_w, k_b = jax.random.split(key)              # split once: every layer reuses k_w, k_b
    return [{"w": jax.random.uniform(k_w, (a, b), minval=-1.0, maxval=1.0),
             "b": jax.random.uniform(k_b, (b,), minval=-1.0, maxval=1.0)}
            for a, b in zip(sizes[:-1], sizes[1:])]
""",
        "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, np.float64)
    for w, b in _layers(params):
        a = np.maximum(a, 0.0) @ w + b            # ReLU before each layer, on x too
    return a
""",
        "evaluate": """
def evaluate(params, X, y):
    predictions = np.argmax(mlp_forward(params, X), axis=1)
    return 100.0 * np.mean(predictions == np.asarray(y))   # a percentage, not a count
""",
    },
    "zero_biases_bias_after_sigmoid": {
        "init_mlp": """
def init_mlp(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"w": jax.random.uniform(k, (a, b), minval=-1.0, maxval=1.0),
             "b": jax.numpy.zeros(b)}                # biases left at zero
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
""",
        "mlp_forward": """
def mlp_forward(params, x):
    a = np.asarray(x, np.float64)
    for w, b in _layers(params):
        a = _sigmoid(a @ w) + b                   # the bias added after the sigmoid
    return a
""",
        "mlp_logits": """
def mlp_logits(params, x):
    a = np.asarray(x, np.float64)
    layers = _layers(params)
    for w, b in layers[:-1]:
        a = np.maximum(a @ w + b, 0.0)
    return a @ layers[-1][0]                      # the last layer's bias forgotten
""",
    },
    # evaluate calls mlp_forward: its mistake sits where mlp_forward is right.
    "overlapping_keys_broadcast_count": {
        "init_mlp": """
def init_mlp(key, sizes):
    keys = jax.random.split(key, len(sizes))
    return [{"w": jax.random.uniform(keys[i], (a, b), minval=-1.0, maxval=1.0),
             "b": jax.random.uniform(keys[i + 1], (b,), minval=-1.0, maxval=1.0)}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]   # keys[i + 1] used twice
""",
        "evaluate": """
def evaluate(params, X, y):
    predictions = np.argmax(mlp_forward(params, X), axis=1)
    return int(np.sum(predictions == np.asarray(y)[:, None]))   # broadcasts to (N, N)
""",
    },
}
