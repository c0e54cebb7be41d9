"""ex06_logistic: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex06_logistic.py`` already grades a jax float32 variant (autodiff in the
fit) and a pure-Python loop one, and mutants (bias forgotten or penalised, e^{+z}, no
clipping, y − h, no 1/m, λ/m, λw/(2m), one step short, no sigmoid, sum not mean, the
quadratic cost's gradient, ascent): these cover other forms and other mistakes.
"""

CORRECT = {
    # numpy float32 throughout, einsum for Xᵀr, in-place updates of the parameters.
    "numpy_float32_einsum_inplace": {
        "logistic_predict": """
def logistic_predict(params, X):
    z = np.asarray(X, np.float32) @ np.asarray(params["w"], np.float32) + np.float32(params["b"])
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)
""",
        "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    h = np.clip(logistic_predict(params, X), 1e-7, 1 - 1e-7)
    y = np.asarray(y, np.float32)
    w = np.asarray(params["w"], np.float32)
    m = y.shape[0]
    return -np.mean(y * np.log(h) + (1 - y) * np.log(1 - h)) + lam / (2 * m) * np.dot(w, w)
""",
        "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X = np.asarray(X, np.float32)
    m = X.shape[0]
    r = logistic_predict(params, X) - np.asarray(y, np.float32)
    w = np.asarray(params["w"], np.float32)
    return {"w": np.einsum("ij,i->j", X, r) / m + lam * w / m, "b": r.sum() / m}
""",
        "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X = np.asarray(X, np.float32)
    y = np.asarray(y, np.float32)
    params = {"w": np.zeros(X.shape[1], np.float32), "b": np.float32(0.0)}
    for _ in range(steps):
        g = logistic_grads(params, X, y, lam)
        params["w"] -= lr * g["w"]                # in place on our own array
        params["b"] = params["b"] - lr * g["b"]
    return params
""",
    },
    # numpy float64, the gradient accumulated one example at a time (seed 002's Σ_i).
    "numpy_float64_per_example": {
        "logistic_predict": """
def logistic_predict(params, X):
    X = np.asarray(X, np.float64)
    z = X.dot(np.asarray(params["w"], np.float64)) + float(params["b"])
    return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))
""",
        "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    y = np.asarray(y, np.float64)
    h = np.minimum(np.maximum(logistic_predict(params, X), 1e-7), 1 - 1e-7)
    m = len(y)
    cost = -(y @ np.log(h) + (1 - y) @ np.log1p(-h)) / m
    w = np.asarray(params["w"], np.float64)
    return cost + lam * np.sum(w**2) / (2 * m)
""",
        "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64)
    w = np.asarray(params["w"], np.float64)
    h = logistic_predict(params, X)
    m, n = X.shape
    gw, gb = np.zeros(n), 0.0
    for i in range(m):
        gw += (h[i] - y[i]) * X[i]
        gb += h[i] - y[i]
    return {"w": gw / m + lam / m * w, "b": gb / m}
""",
        "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X = np.asarray(X, np.float64)
    w, b = np.zeros(X.shape[1]), 0.0
    step = 0
    while step < steps:
        g = logistic_grads({"w": w, "b": b}, X, y, lam)
        w, b = w - lr * g["w"], b - lr * g["b"]
        step += 1
    return {"w": w, "b": b}
""",
    },
    # jax.numpy float32, the hand-written gradient inside a jitted lax.scan (no autodiff).
    "jax_float32_scan_by_hand": {
        "logistic_predict": """
import jax
import jax.numpy as jnp


def logistic_predict(params, X):
    z = jnp.asarray(X, jnp.float32) @ jnp.asarray(params["w"], jnp.float32) + params["b"]
    return jnp.exp(-jnp.logaddexp(0.0, -z))
""",
        "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    h = jnp.clip(logistic_predict(params, X), 1e-7, 1 - 1e-7)
    y = jnp.asarray(y, jnp.float32)
    w = jnp.asarray(params["w"], jnp.float32)
    bce = -(y * jnp.log(h) + (1 - y) * jnp.log1p(-h))
    return bce.mean() + lam / (2 * y.size) * jnp.vdot(w, w)
""",
        "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X = jnp.asarray(X, jnp.float32)
    r = logistic_predict(params, X) - jnp.asarray(y, jnp.float32)
    m = X.shape[0]
    return {"w": jnp.dot(r, X) / m + lam * jnp.asarray(params["w"], jnp.float32) / m,
            "b": jnp.mean(r)}
""",
        "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X = jnp.asarray(X, jnp.float32)
    y = jnp.asarray(y, jnp.float32)

    @jax.jit
    def run(X, y, lr, lam):
        def step(p, _):
            g = logistic_grads(p, X, y, lam)
            return {"w": p["w"] - lr * g["w"], "b": p["b"] - lr * g["b"]}, None

        init = {"w": jnp.zeros(X.shape[1], jnp.float32), "b": jnp.float32(0.0)}
        return jax.lax.scan(step, init, None, length=steps)[0]

    return run(X, y, lr, lam)
""",
    },
}

WRONG = {
    "column_vector_wrong_m_stale_gradient": {
        "logistic_predict": """
def logistic_predict(params, X):
    w = np.asarray(params["w"], np.float64).reshape(-1, 1)   # a column, as in the course notes
    return _sigmoid(np.asarray(X, np.float64) @ w + float(params["b"]))   # shape (m, 1)
""",
        "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    h = np.clip(_sigmoid(X @ w + float(params["b"])), CLIP, 1 - CLIP)
    data = -np.mean(y * np.log(h) + (1 - y) * np.log1p(-h))
    return float(data + lam / (2 * X.shape[1]) * np.sum(w * w))   # n features, not m examples
""",
        "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    r = _sigmoid(X @ w + float(params["b"])) - y
    return {"w": X.T @ r / m + lam * w / m, "b": float(np.sum(r))}   # b: a sum, no 1/m
""",
        "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X = _f64(X)
    w, b = np.zeros(X.shape[1]), 0.0
    r = _sigmoid(X @ w + b) - _f64(y)           # the gradient computed once, before the loop
    gw, gb = X.T @ r / len(r) + lam * w / len(r), np.mean(r)
    for _ in range(steps):
        w, b = w - lr * gw, b - lr * gb
    return {"w": w, "b": b}
""",
    },
    "labels_not_probabilities_lambda_unscaled": {
        "logistic_predict": """
def logistic_predict(params, X):
    z = _f64(X) @ _f64(params["w"]) + float(params["b"])
    return np.round(_sigmoid(z))                # class labels, not probabilities
""",
        "logistic_loss": """
def logistic_loss(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    h = np.clip(_sigmoid(X @ w + float(params["b"])), CLIP, 1 - CLIP)
    data = -np.mean(y * np.log(h) + (1 - y) * np.log1p(-h))
    return float(data + lam / 2 * np.sum(w * w))   # λ/2, the m forgotten
""",
        "logistic_grads": """
def logistic_grads(params, X, y, lam=0.0):
    X, y, w = _f64(X), _f64(y), _f64(params["w"])
    m = X.shape[0]
    r = _sigmoid(X @ w + float(params["b"])) - y
    return {"w": X.T @ r / m + lam * w, "b": float(np.mean(r))}   # λw without the 1/m
""",
        "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X = _f64(X)
    params = {"w": np.zeros(X.shape[1]), "b": 0.0}
    for _ in range(steps):
        g = logistic_grads(params, X, y)          # lam is never passed on
        params = {"w": params["w"] - lr * g["w"], "b": params["b"] - lr * g["b"]}
    return params
""",
    },
    "fit_from_ones": {
        "logistic_fit": """
def logistic_fit(X, y, lr=0.5, steps=500, lam=0.0):
    X = _f64(X)
    params = {"w": np.ones(X.shape[1]), "b": 0.0}   # from ones, not from zeros
    for _ in range(int(steps)):
        g = logistic_grads(params, X, y, lam)
        params = {"w": params["w"] - lr * g["w"], "b": params["b"] - lr * g["b"]}
    return params
""",
    },
}
