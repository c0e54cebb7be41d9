"""ex01_perceptron: correct variants (must get full marks) and wrong ones (must lose points).

Not duplicated from ``tests/course/test_ex01_perceptron.py`` (``>=``, the sign of ``b``, AND
weights, a batch update, a sign error in the rule, a jnp float32 + Python-list variant).
"""

CORRECT = {
    # numpy float64, explicit Python loops, in-place updates, an update only on a mistake.
    "numpy_float64_loops_inplace": {
        "perceptron": """
def perceptron(x, w, b):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim == 1:
        total = float(b)
        for j in range(x.shape[0]):
            total += x[j] * w[j]
        return 1.0 if total > 0 else 0.0
    out = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = 1.0 if np.dot(x[i], w) + b > 0 else 0.0
    return out
""",
        "nand_parameters": """
def nand_parameters():
    return [-3.0, -2.0], 4   # (1,1): -1, (1,0): 1, (0,1): 2, (0,0): 4
""",
        "half_adder": """
def half_adder(x1, x2):
    w, b = nand_parameters()

    def nand(a, c):
        return perceptron(np.array([float(a), float(c)]), w, b)

    n = nand(x1, x2)
    return nand(nand(x1, n), nand(x2, n)), nand(n, n)
""",
        "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = np.array(X, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    m, n = X.shape
    w = np.zeros(n)
    b = 0.0
    epoch = 0
    while epoch < epochs:
        for i in range(m):
            y_hat = perceptron(X[i], w, b)
            if y_hat != y[i]:            # Rosenblatt: change nothing when right
                w += lr * (y[i] - y_hat) * X[i]
                b += lr * (y[i] - y_hat)
        epoch += 1
    return w, b
""",
    },
    # jax.numpy float32 throughout, a step written with heaviside, the fit as a lax.fori_loop.
    "jax_float32_fori_loop": {
        "perceptron": """
import jax
import jax.numpy as jnp


def perceptron(x, w, b):
    z = jnp.asarray(x, jnp.float32) @ jnp.asarray(w, jnp.float32) + jnp.float32(b)
    return jnp.heaviside(z, 0.0)   # heaviside(0) = 0: strict inequality
""",
        "nand_parameters": """
def nand_parameters():
    return jnp.array([-1.0, -1.0], jnp.float32), jnp.float32(1.5)
""",
        "half_adder": """
def half_adder(x1, x2):
    w, b = nand_parameters()
    nand = lambda a, c: perceptron(jnp.stack([jnp.float32(a), jnp.float32(c)]), w, b)
    n = nand(x1, x2)
    return float(nand(nand(x1, n), nand(x2, n))), float(nand(n, n))
""",
        "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = jnp.asarray(X, jnp.float32)
    y = jnp.asarray(y, jnp.float32)
    m = X.shape[0]

    def step(t, wb):
        w, b = wb
        xi, yi = X[t % m], y[t % m]
        err = yi - jnp.where(xi @ w + b > 0, 1.0, 0.0)
        return w + lr * err * xi, b + lr * err

    init = (jnp.zeros(X.shape[1], jnp.float32), jnp.float32(0.0))
    return jax.lax.fori_loop(0, epochs * m, step, init)
""",
    },
    # dtype-preserving comparisons, XOR as AND(OR, NAND) from NANDs only, integer counters.
    "dtype_preserving_other_circuit": {
        "perceptron": """
def perceptron(x, w, b):
    x = np.asarray(x)
    z = np.dot(x, np.asarray(w)) + b
    return (z > 0).astype(np.float64)
""",
        "nand_parameters": """
def nand_parameters():
    w = np.full(2, -2.0)
    return w, np.float64(3.0)
""",
        "half_adder": """
def half_adder(x1, x2):
    w, b = nand_parameters()

    def nand(a, c):
        return float(perceptron(np.array([a, c], dtype=float), w, b))

    not1, not2 = nand(x1, x1), nand(x2, x2)
    or_ = nand(not1, not2)                  # OR(a, b) = NAND(NOT a, NOT b)
    n = nand(x1, x2)
    and_ = nand(n, n)
    xor = nand(nand(or_, n), nand(or_, n))  # XOR = AND(OR, NAND)
    return xor, and_
""",
        "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = np.asarray(X, dtype=float)
    w = np.zeros(X.shape[1])
    b = 0
    for _ in range(int(epochs)):
        for xi, target in zip(X, np.asarray(y)):
            error = int(target) - int(xi.dot(w) + b > 0)   # integer error in {-1, 0, 1}
            w = w + (lr * error) * xi
            b = b + lr * error
    return w, float(b)
""",
    },
    # A jit-compiled half adder whose NAND gates call perceptron through an alias: the check
    # that the circuit is made of the student's perceptrons must see through both.
    "jitted_half_adder_through_an_alias": {
        "perceptron": """
import jax
import jax.numpy as jnp


def perceptron(x, w, b):
    return jnp.where(jnp.asarray(x) @ jnp.asarray(w) + b > 0, 1.0, 0.0)
""",
        "half_adder": """
_gate = perceptron


@jax.jit
def _adder(x1, x2):
    w, b = nand_parameters()
    nand = lambda a, c: _gate(jnp.stack([a, c]).astype(jnp.float32), jnp.asarray(w), b)
    n = nand(x1, x2)
    return nand(nand(x1, n), nand(x2, n)), nand(n, n)


def half_adder(x1, x2):
    s, c = _adder(jnp.asarray(x1, jnp.float32), jnp.asarray(x2, jnp.float32))
    return float(s), float(c)
""",
    },
}

WRONG = {
    # half_adder goes through the reference's _nand, i.e. perceptron and nand_parameters:
    # its mistakes sit where those two are right (or right on one example), so that each
    # function loses points for its own mistake.
    "forgotten_bias_swapped_pair_one_epoch_short": {
        "perceptron": """
def perceptron(x, w, b):
    return np.where(np.asarray(x, float) @ np.asarray(w, float) > 0, 1.0, 0.0)   # b forgotten
""",
        "nand_parameters": """
def nand_parameters():
    return 3.0, np.array([-2.0, -2.0])   # (b, w): the pair in the wrong order
""",
        "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs - 1):          # off by one: one epoch short
        for xi, yi in zip(X, y):
            y_hat = 1.0 if xi @ w + b > 0 else 0.0
            w = w + lr * (yi - y_hat) * xi
            b = b + lr * (yi - y_hat)
    return w, b
""",
    },
    "sum_over_batch_carry_is_nand_bias_untrained": {
        "perceptron": """
def perceptron(x, w, b):
    z = np.sum(np.asarray(x) * np.asarray(w)) + b   # right for one example, sums a batch
    return np.where(z > 0, 1.0, 0.0)
""",
        "half_adder": """
def half_adder(x1, x2):
    n = _nand(x1, x2)
    return _nand(_nand(x1, n), _nand(x2, n)), n   # carry = NAND, not AND
""",
        "perceptron_fit": """
def perceptron_fit(X, y, epochs=10, lr=1.0):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(epochs):
        for xi, yi in zip(X, y):
            y_hat = 1.0 if xi @ w + b > 0 else 0.0
            w = w + lr * (yi - y_hat) * xi     # the bias is never trained
    return w, b
""",
    },
    # Right bits, but not "built only from NAND perceptrons" as the catalogue asks.
    "half_adder_without_nand": {
        "half_adder": """
def half_adder(x1, x2):
    a, c = int(x1), int(x2)
    return float(a ^ c), float(a & c)
""",
    },
}
