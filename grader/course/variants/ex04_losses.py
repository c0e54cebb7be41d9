"""ex04_losses: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex04_losses.py`` already grades a jax float32 variant and a pure-Python
loop one, and mutants for the usual averaging slips, a missing or extra 1/2, no clipping,
an ignored eps, unstable sigmoid/softmax then log, classes counted from the labels, biases
penalised and no recursion: these cover other forms and other mistakes.
"""

CORRECT = {
    # numpy in the inputs' own dtype (float32 stays float32): einsum, fancy indexing of the
    # true class, np.where on binary labels, softplus by logaddexp, an explicit stack walk.
    "numpy_input_dtype_einsum_indexing": {
        "quadratic_cost": """
def quadratic_cost(a, y):
    d = np.asarray(y) - np.asarray(a)
    return np.einsum("ij,ij->", d, d) / (2 * d.shape[0])
""",
        "mse": """
def mse(y_pred, y):
    return np.square(np.subtract(y_pred, y)).mean()
""",
        "l1_loss": """
def l1_loss(y_pred, y):
    return np.abs(np.asarray(y) - np.asarray(y_pred)).sum(axis=1).mean()
""",
        "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(np.asarray(p), eps, 1 - eps)
    y = np.asarray(y)
    return np.where(y == 1, -np.log(p), -np.log(1 - p)).mean()   # y is 0 or 1
""",
        "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = np.asarray(z), np.asarray(y)
    # −log σ(z) = softplus(−z), −log(1 − σ(z)) = softplus(z)
    return np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))
""",
        "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = np.clip(np.asarray(p), eps, 1 - eps)
    true_class = np.argmax(np.asarray(y_onehot), axis=1)
    return -np.mean(np.log(p[np.arange(p.shape[0]), true_class]))
""",
        "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    z = np.asarray(logits)
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    onehot = np.eye(z.shape[1], dtype=z.dtype)[np.asarray(labels)]
    return -(onehot * log_p).sum(axis=1).mean()
""",
        "l2_penalty": """
def l2_penalty(params, lam, m):
    total = 0.0
    stack = [params]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "w":
                    w = np.asarray(value, dtype=np.float64)
                    total += np.vdot(w, w)
                else:
                    stack.append(value)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return lam / (2 * m) * total
""",
    },
    # numpy float64, one example at a time (reverse order for the quadratic cost), the
    # stable two-branch form of the logits loss, logaddexp.reduce, a closure accumulator.
    "numpy_float64_per_example": {
        "quadratic_cost": """
def quadratic_cost(a, y):
    a, y = np.asarray(a, np.float64), np.asarray(y, np.float64)
    total = 0.0
    for i in reversed(range(a.shape[0])):
        total += np.linalg.norm(y[i] - a[i]) ** 2
    return total / (2 * a.shape[0])
""",
        "mse": """
def mse(y_pred, y):
    d = (np.asarray(y_pred, np.float64) - np.asarray(y, np.float64)).ravel()
    return np.dot(d, d) / d.size
""",
        "l1_loss": """
def l1_loss(y_pred, y):
    d = np.asarray(y, np.float64) - np.asarray(y_pred, np.float64)
    return np.linalg.norm(d, ord=1, axis=1).mean()
""",
        "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.maximum(np.minimum(np.asarray(p, np.float64), 1 - eps), eps)
    y = np.asarray(y, np.float64)
    losses = -(y * np.log(p) + (1 - y) * np.log1p(-p))
    return losses.sum() / losses.size
""",
        "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = np.asarray(z, np.float64), np.asarray(y, np.float64)
    # softplus(z) − z·y, never computing exp of a positive number
    linear = np.where(z >= 0, (1 - y) * z, -y * z)
    return np.mean(linear + np.log1p(np.exp(-np.abs(z))))
""",
        "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p, y = np.asarray(p, np.float64), np.asarray(y_onehot, np.float64)
    total = 0.0
    for i in range(p.shape[0]):
        total -= np.dot(y[i], np.log(np.clip(p[i], eps, 1 - eps)))
    return total / p.shape[0]
""",
        "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    z = np.asarray(logits, np.float64)
    labels = np.asarray(labels)
    losses = [np.logaddexp.reduce(row) - row[int(k)] for row, k in zip(z, labels)]
    return float(np.mean(losses))
""",
        "l2_penalty": """
def l2_penalty(params, lam, m):
    squares = []

    def visit(node):
        if isinstance(node, dict):
            for key in node:
                if key == "w":
                    squares.append(np.sum(np.asarray(node[key], np.float64) ** 2))
                else:
                    visit(node[key])
        elif isinstance(node, (list, tuple)):
            for child in node:
                visit(child)

    visit(params)
    return lam * sum(squares) / (2 * m)
""",
    },
    # jax.numpy float32 with optax's losses and jax.scipy's xlogy, where they apply.
    "jax_float32_optax": {
        "quadratic_cost": """
import jax
import jax.numpy as jnp
import optax


def quadratic_cost(a, y):
    a, y = jnp.asarray(a, jnp.float32), jnp.asarray(y, jnp.float32)
    return jnp.sum(optax.l2_loss(a, y)) / a.shape[0]   # l2_loss is ½(a − y)²
""",
        "mse": """
def mse(y_pred, y):
    return jnp.mean(optax.squared_error(jnp.asarray(y_pred, jnp.float32), jnp.asarray(y, jnp.float32)))
""",
        "l1_loss": """
def l1_loss(y_pred, y):
    d = jnp.asarray(y, jnp.float32) - jnp.asarray(y_pred, jnp.float32)
    return jnp.sum(jnp.abs(d)) / d.shape[0]
""",
        "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p = jnp.clip(jnp.asarray(p, jnp.float32), eps, 1 - eps)
    y = jnp.asarray(y, jnp.float32)
    xlogy = jax.scipy.special.xlogy
    return -jnp.mean(xlogy(y, p) + xlogy(1 - y, 1 - p))
""",
        "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = jnp.asarray(z, jnp.float32), jnp.asarray(y, jnp.float32)
    return optax.sigmoid_binary_cross_entropy(z, y).mean()
""",
        "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    log_p = jnp.log(jnp.clip(jnp.asarray(p, jnp.float32), eps, 1 - eps))
    return -jnp.mean(jnp.sum(jnp.asarray(y_onehot, jnp.float32) * log_p, axis=-1))
""",
        "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    logits = jnp.asarray(logits, jnp.float32)
    labels = jnp.asarray(labels, jnp.int32)
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
""",
        "l2_penalty": """
def l2_penalty(params, lam, m):
    def sum_w(node):
        if isinstance(node, dict):
            return sum(
                jnp.sum(jnp.square(jnp.asarray(v, jnp.float32))) if k == "w" else sum_w(v)
                for k, v in node.items()
            )
        if isinstance(node, (list, tuple)):
            return sum(sum_w(v) for v in node)
        return 0.0

    return lam / (2 * m) * sum_w(params)
""",
    },
}

WRONG = {
    "wrong_axes_and_slips": {
        "quadratic_cost": """
def quadratic_cost(a, y):
    d = np.asarray(y, np.float64) - np.asarray(a, np.float64)
    return np.sum(d**2) / (2 * d.shape[1])        # divided by k (outputs), not n
""",
        "mse": """
def mse(y_pred, y):
    return np.mean(np.asarray(y_pred) - np.asarray(y)) ** 2   # square of the mean
""",
        "l1_loss": """
def l1_loss(y_pred, y):
    d = np.asarray(y, np.float64) - np.asarray(y_pred, np.float64)
    return np.abs(d).sum(axis=0).mean()           # summed over the batch, mean over features
""",
        "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p, y = np.asarray(p, np.float64), np.asarray(y, np.float64)
    return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))   # shifted, not clipped
""",
        "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = np.asarray(z, np.float64), np.asarray(y, np.float64)
    return np.mean(np.maximum(z, 0) + z * y + np.log1p(np.exp(-np.abs(z))))   # + z·y
""",
        "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = np.clip(np.asarray(p, np.float64), eps, 1 - eps)
    y = np.asarray(y_onehot, np.float64)
    # binary cross-entropy per class: the (1 − y) log(1 − p) terms do not belong here
    return -np.mean(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1))
""",
        "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    z = np.asarray(logits, np.float64)
    m = z.max(axis=-1, keepdims=True)
    log_p = z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    return -np.mean(log_p[:, labels])             # an (n, n) block, not one entry per row
""",
        "l2_penalty": """
def l2_penalty(params, lam, m):
    def walk(node):
        if isinstance(node, dict):
            return sum(np.sum(np.asarray(v, np.float64)) ** 2 if k == "w" else walk(v)
                       for k, v in node.items())   # square of the sum, not sum of squares
        if isinstance(node, (list, tuple)):
            return sum(walk(v) for v in node)
        return 0.0
    return lam / (2 * m) * walk(params)
""",
    },
    "numpy_traps_and_signs": {
        "quadratic_cost": """
def quadratic_cost(a, y):
    d = np.asarray(y, np.float64) - np.asarray(a, np.float64)
    return 0.5 * np.sum(d**2)                     # the 1/n is forgotten
""",
        "mse": """
def mse(y_pred, y):
    d = np.asarray(y_pred, np.float64) - np.asarray(y, np.float64)
    return np.mean(d**2, axis=0)                  # one mean per output, not one number
""",
        "l1_loss": """
def l1_loss(y_pred, y):
    d = np.asarray(y, np.float64) - np.asarray(y_pred, np.float64)
    return np.linalg.norm(d, ord=1) / d.shape[0]  # ord=1 of a matrix: the largest column sum
""",
        "binary_cross_entropy": """
def binary_cross_entropy(p, y, eps=1e-7):
    p = np.clip(np.asarray(p, np.float64), eps, 1 - eps)
    y = np.asarray(y, np.float64)
    return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))   # the minus sign forgotten
""",
        "binary_cross_entropy_with_logits": """
def binary_cross_entropy_with_logits(z, y):
    z, y = np.asarray(z, np.float64), np.asarray(y, np.float64)
    return np.mean(np.log1p(np.exp(z)) - z * y)   # exp(1e4) = inf
""",
        "categorical_cross_entropy": """
def categorical_cross_entropy(p, y_onehot, eps=1e-7):
    p = np.clip(np.asarray(p, np.float64), eps, 1 - eps)
    y = np.asarray(y_onehot, np.float64)
    return -np.sum(y * np.log(p)) / p.shape[1]    # divided by the classes, not the examples
""",
        "softmax_cross_entropy": """
def softmax_cross_entropy(logits, labels):
    import jax

    log_p = np.asarray(jax.nn.log_softmax(np.asarray(logits), axis=0))   # over the batch
    labels = np.asarray(labels)
    return -np.mean(log_p[np.arange(len(labels)), labels])
""",
        "l2_penalty": """
def l2_penalty(params, lam, m):
    def walk(node):
        if isinstance(node, dict):
            return sum(np.sum(np.abs(np.asarray(v, np.float64))) if k == "w" else walk(v)
                       for k, v in node.items())   # |w|: an L1 penalty
        if isinstance(node, (list, tuple)):
            return sum(walk(v) for v in node)
        return 0.0
    return lam / (2 * m) * walk(params)
""",
    },
    # Biases excluded only because no other key of the checks' pytrees has a "w" in it.
    "l2_penalty_w_anywhere_in_the_path": {
        "l2_penalty": """
def l2_penalty(params, lam, m):
    import jax

    total = 0.0
    for path, leaf in jax.tree_util.tree_leaves_with_path(params):
        if "w" in jax.tree_util.keystr(path):    # any path with a w in it, not the key "w"
            total += float(np.sum(np.square(np.asarray(leaf, np.float64))))
    return lam / (2 * m) * total
""",
    },
}
