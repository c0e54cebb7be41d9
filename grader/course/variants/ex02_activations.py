"""ex02_activations: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex02_activations.py`` already grades jax.nn, a jnp by-hand form and a
numpy float64 loop form, and mutants for overflow, in-place relu, relu'(0) = 1, ignored alpha,
no max trick, global normalisation and a Python ``if``: these cover other forms and mistakes.
Functions with ``jit``/``vmap`` checks (sigmoid, tanh, softmax, log_softmax) are written with
jax.numpy in every correct variant; x64 is off, so jnp code answers float64 inputs in float32.
"""

CORRECT = {
    # jnp, cast to float32 up front; log-sum-exp and softplus forms, tanh as 2σ(2z) − 1.
    "jnp_float32_logsumexp": {
        "sigmoid": """
import jax
import jax.numpy as jnp


def sigmoid(z):
    z = jnp.asarray(z, dtype=jnp.float32)
    return jnp.exp(-jnp.logaddexp(0.0, -z))   # σ(z) = exp(−softplus(−z))
""",
        "sigmoid_prime": """
def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)
""",
        "relu": """
def relu(z):
    z = jnp.asarray(z, dtype=jnp.float32)
    return jnp.where(z > 0, z, 0.0)
""",
        "relu_prime": """
def relu_prime(z):
    return jnp.where(jnp.asarray(z, dtype=jnp.float32) > 0, 1.0, 0.0)
""",
        "tanh": """
def tanh(z):
    return 2.0 * sigmoid(2.0 * jnp.asarray(z, jnp.float32)) - 1.0
""",
        "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    z = jnp.asarray(z, dtype=jnp.float32)
    return jnp.where(z >= 0, z, alpha * z)   # same at 0: alpha · 0 = 0
""",
        "log_softmax": """
def log_softmax(z, axis=-1):
    z = jnp.asarray(z, dtype=jnp.float32)
    return z - jax.scipy.special.logsumexp(z, axis=axis, keepdims=True)
""",
    },
    # The textbook forms where they are exact anyway (1/(1 + inf) is an exact 0), numpy
    # float64 for the functions without transform checks, in-place work on a copy.
    "textbook_jnp_and_numpy_float64": {
        "sigmoid": """
import jax.numpy as jnp


def sigmoid(z):
    return 1.0 / (1.0 + jnp.exp(-jnp.asarray(z)))   # e^{-z} = inf gives exactly 0: fine
""",
        "sigmoid_prime": """
def sigmoid_prime(z):
    z = np.asarray(z, dtype=np.float64)
    s = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    return s * (1 - s)
""",
        "relu": """
def relu(z):
    out = np.array(z, dtype=np.float64, copy=True)   # a copy: the caller's z is untouched
    out[out < 0] = 0.0
    return out
""",
        "relu_prime": """
def relu_prime(z):
    return (np.asarray(z) > 0) * 1.0
""",
        "tanh": """
def tanh(z):
    z = jnp.asarray(z)
    e = jnp.exp(-2.0 * jnp.abs(z))
    return jnp.sign(z) * -jnp.expm1(-2.0 * jnp.abs(z)) / (1.0 + e)
""",
        "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, alpha * z)   # CS231n's max(αz, z), for 0 <= alpha <= 1
""",
        "softmax": """
def softmax(z, axis=-1):
    z = jnp.asarray(z)
    e = jnp.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
""",
        "log_softmax": """
def log_softmax(z, axis=-1):
    z = jnp.asarray(z)
    m = jnp.max(z, axis=axis, keepdims=True)
    return (z - m) - jnp.log(jnp.exp(z - m).sum(axis=axis, keepdims=True))
""",
    },
    # Python loops over the normalised axis (unrolled under jit: still traceable), the sum
    # taken in reverse order; a single-expression stable sigmoid.
    "loops_over_axis_reverse_sum": {
        "sigmoid": """
import jax.numpy as jnp


def sigmoid(z):
    z = jnp.asarray(z)
    return jnp.exp(jnp.minimum(z, 0.0)) / (1.0 + jnp.exp(-jnp.abs(z)))
""",
        "sigmoid_prime": """
def sigmoid_prime(z):
    s = sigmoid(z)
    return s * sigmoid(-jnp.asarray(z))   # 1 − σ(z) = σ(−z)
""",
        "relu": """
def relu(z):
    return np.clip(np.asarray(z), 0, None)
""",
        "relu_prime": """
def relu_prime(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.zeros_like(z)
    out[z > 0] = 1.0
    return out
""",
        "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, alpha) * z
""",
        "softmax": '''
def _row_max_and_sum(z):
    """max and sum of e^{z − max} over the last axis, one slice at a time, in reverse."""
    n = z.shape[-1]
    m = z[..., 0]
    for j in range(1, n):
        m = jnp.maximum(m, z[..., j])
    total = jnp.zeros_like(m)
    for j in reversed(range(n)):
        total = total + jnp.exp(z[..., j] - m)
    return m[..., None], total[..., None]


def softmax(z, axis=-1):
    z = jnp.moveaxis(jnp.asarray(z), axis, -1)
    m, total = _row_max_and_sum(z)
    return jnp.moveaxis(jnp.exp(z - m) / total, -1, axis)
''',
        "log_softmax": """
def log_softmax(z, axis=-1):
    z = jnp.moveaxis(jnp.asarray(z), axis, -1)
    m, total = _row_max_and_sum(z)
    return jnp.moveaxis(z - m - jnp.log(total), -1, axis)
""",
    },
    # Mathematically exact; in float32 the log-sum-exp of logits near 1e4 is rounded to
    # ~1e-3 absolute, so e^{z − lse} is off by ~|z|·eps relative (2.1e-4 here): rounding.
    "jnp_float32_softmax_as_exp_of_log_softmax": {
        "softmax": """
import jax
import jax.numpy as jnp


def softmax(z, axis=-1):
    z = jnp.asarray(z, dtype=jnp.float32)
    return jnp.exp(z - jax.scipy.special.logsumexp(z, axis=axis, keepdims=True))
""",
    },
}

WRONG = {
    "tanh_identity_forgotten_factors": {
        "sigmoid": """
import jax
import jax.numpy as jnp


def sigmoid(z):
    return 0.5 * (1.0 + jnp.tanh(jnp.asarray(z) / 2))   # stable, but σ(−80) rounds to 0
""",
        "sigmoid_prime": """
def sigmoid_prime(z):
    return 1.0 - sigmoid(z) ** 2          # tanh's derivative, not σ's
""",
        "relu": """
def relu(z):
    z = jnp.asarray(z)
    return z + jnp.abs(z)                 # (z + |z|) / 2 without the / 2
""",
        "relu_prime": """
def relu_prime(z):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) / z         # 0/0 = NaN at z = 0
""",
        "tanh": """
def tanh(z):
    return 2.0 * sigmoid(z) - 1.0         # 2σ(2z) − 1 without the 2z
""",
        "leaky_relu": """
def leaky_relu(z, alpha=0.01):
    z = jnp.asarray(z)
    return jnp.where(z > 0, z, alpha)     # a constant alpha, not a slope
""",
        "softmax": """
def softmax(z, axis=-1):
    z = jnp.asarray(z)
    e = jnp.exp(z - jnp.max(z, axis=axis, keepdims=True))
    return e / jnp.sum(e, axis=axis)      # keepdims forgotten: broadcasts wrongly
""",
        "log_softmax": """
def log_softmax(z, axis=-1):
    return z - jax.scipy.special.logsumexp(z)   # over the whole array, not along axis
""",
    },
    "sign_errors_and_wrong_defaults": {
        "sigmoid": """
import jax.numpy as jnp


def sigmoid(z):
    return jnp.exp(-jnp.logaddexp(0.0, jnp.asarray(z)))   # sign: this is σ(−z)
""",
        "sigmoid_prime": """
def sigmoid_prime(z):
    e = jnp.exp(-jnp.abs(jnp.asarray(z)))
    return e / (1.0 + e)                  # the square of the denominator forgotten
""",
        "relu": """
def relu(z):
    return jnp.clip(jnp.asarray(z), 0.0, 1.0)   # clipped at 1 too
""",
        "relu_prime": """
def relu_prime(z):
    z = jnp.asarray(z)
    return jnp.where(z > 0, z, 0.0)       # relu itself, not its derivative
""",
        "tanh": """
def tanh(z):
    z = jnp.asarray(z)
    return jnp.sinh(z) / jnp.cosh(z)      # inf / inf = NaN for |z| > 89 in float32
""",
        "leaky_relu": """
def leaky_relu(z, alpha=0.1):             # the default alpha is 0.01
    z = jnp.asarray(z)
    return jnp.where(z > 0, z, alpha * z)
""",
        "softmax": """
def softmax(z, axis=-1):
    z = jnp.asarray(z)
    m = jnp.max(z, axis=axis, keepdims=True)
    return jnp.exp(z - m) / jnp.sum(jnp.exp(z), axis=axis, keepdims=True)   # unshifted sum
""",
        "log_softmax": """
def log_softmax(z, axis=-1):
    z = jnp.asarray(z)
    m = jnp.max(z, axis=axis, keepdims=True)
    return z - jnp.log(jnp.sum(jnp.exp(z - m), axis=axis, keepdims=True))   # m not subtracted
""",
    },
}
