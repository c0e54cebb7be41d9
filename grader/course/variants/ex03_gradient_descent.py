"""ex03_gradient_descent: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex03_gradient_descent.py`` already grades a jax ``lax.scan`` variant and a
lists-and-loops one, and mutants (x0 dropped, forward differences, sign errors, ascent, a
missing 2, autodiff, swapped components, 4 iterations, in-place x0, float32 differences…):
these cover other forms and other mistakes.
"""

CORRECT = {
    # numpy float64: a preallocated trajectory filled in place, the basis vectors of np.eye,
    # np.polyval (another summation order), vectorised gradients of C2 and C3.
    "numpy_float64_preallocated_eye": {
        "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    x0 = np.asarray(x0, dtype=np.float64)
    path = np.empty((steps + 1,) + x0.shape)
    path[0] = x0                                  # a copy into the trajectory
    for k in range(steps):
        path[k + 1] = path[k] - eta * np.asarray(grad_fn(path[k]))
    return path
""",
        "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    basis = np.eye(x.size).reshape((x.size,) + x.shape) * eps
    diffs = np.array([float(f(x + e)) - float(f(x - e)) for e in basis])
    return (diffs / (2 * eps)).reshape(x.shape)
""",
        "grad_f1": """
def grad_f1(x):
    return np.polyval([4.0, -3.0, 0.0, 0.0], np.asarray(x, dtype=np.float64))  # 4x³ − 3x²
""",
        "grad_c2": """
def grad_c2(v):
    v = np.asarray(v, dtype=np.float64)
    return np.array([-3.0, 2.0]) * np.array([v[0] ** 2, v[1]])
""",
        "grad_c3": """
def grad_c3(v):
    v = np.asarray(v, dtype=np.float64)
    return 2.0 * v * v[::-1] ** 2                 # (2 v1 v2², 2 v2 v1²)
""",
        "three_iterations": """
def three_iterations(x0):
    x0 = float(x0)
    starts = {grad_f1: x0, grad_c2: [x0, x0], grad_c3: [x0, x0]}
    return [gradient_descent(g, start, 0.1, 3) for g, start in starts.items()]
""",
    },
    # jax.numpy float32 throughout, a functional .at[].set trajectory in a fori_loop; the
    # differences in the input's own dtype (float32 for a float32 x, float64 for float64).
    "jax_float32_fori_loop_input_dtype": {
        "gradient_descent": """
import jax
import jax.numpy as jnp


def gradient_descent(grad_fn, x0, eta, steps):
    x0 = jnp.asarray(x0, dtype=jnp.float32)
    path = jnp.zeros((steps + 1,) + x0.shape, jnp.float32).at[0].set(x0)

    def body(k, path):
        return path.at[k + 1].set(path[k] - eta * grad_fn(path[k]))

    return jax.lax.fori_loop(0, steps, body, path)
""",
        "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x)                               # float32 stays float32, float64 stays float64
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros(x.size, dtype=x.dtype)
        step[i] = eps
        step = step.reshape(x.shape)
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad
""",
        "grad_f1": """
def grad_f1(x):
    x = jnp.asarray(x, dtype=jnp.float32)
    return 4 * jnp.power(x, 3) - 3 * jnp.square(x)
""",
        "grad_c2": """
def grad_c2(v):
    v = jnp.asarray(v, dtype=jnp.float32)
    return jnp.array([-3 * v[0] ** 2, 2 * v[1]])
""",
        "grad_c3": """
def grad_c3(v):
    v1, v2 = jnp.asarray(v, dtype=jnp.float32)
    return jnp.asarray([2 * v1 * v2 * v2, 2 * v1 * v1 * v2])
""",
        "three_iterations": """
def three_iterations(x0):
    v0 = jnp.full((2,), x0, dtype=jnp.float32)
    return (
        gradient_descent(grad_f1, jnp.float32(x0), 0.1, 3),
        gradient_descent(grad_c2, v0, 0.1, 3),
        gradient_descent(grad_c3, v0, 0.1, 3),
    )
""",
    },
    # A while loop with an int counter, in-place steps on a private copy, the difference
    # written the other way round over the elements in reverse order.
    "while_loop_inplace_copy_reverse": {
        "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    x = np.copy(x0).astype(np.float64)            # private copy: x0 itself never changes
    path = [x.copy()]
    k = 0
    while k < steps:
        x -= eta * np.asarray(grad_fn(x), dtype=np.float64)
        path.append(x.copy())
        k += 1
    return np.stack(path)
""",
        "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    flat = x.ravel()
    grad = np.empty_like(flat)
    for i in reversed(range(flat.size)):
        h = np.zeros_like(flat)
        h[i] = eps
        grad[i] = -(f((flat - h).reshape(x.shape)) - f((flat + h).reshape(x.shape))) / (2 * eps)
    return grad.reshape(x.shape)
""",
        "three_iterations": """
def three_iterations(x0):
    a = float(x0)
    it_f1 = gradient_descent(grad_f1, a, 0.1, 3)
    it_c2 = gradient_descent(grad_c2, np.array([a, a]), 0.1, 3)
    it_c3 = gradient_descent(grad_c3, np.array([a, a]), 0.1, 3)
    return it_f1, it_c2, it_c3
""",
    },
    # Central differences computed in float64, handed back in float32: the catalogue asks to
    # keep float64 in ex10, not here, and the values are right to float32 precision (a false
    # failure until f1d52d3 dropped ex03's keep_float64).
    "numerical_gradient_float32_result": {
        "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        grad[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return grad.astype(np.float32)
""",
    },
}

WRONG = {
    "aliased_path_eps_ignored_slips": {
        "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    x = np.array(x0, dtype=np.float64)
    path = [x]
    for _ in range(steps):
        x -= eta * np.asarray(grad_fn(x))        # in place: every row is the same array
        path.append(x)
    return np.stack(path)
""",
        "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = 1e-5                               # the eps argument is ignored
        grad[i] = (f(x + e) - f(x - e)) / (2 * 1e-5)
    return grad
""",
        "grad_f1": """
def grad_f1(x):
    x = np.asarray(x, dtype=np.float64)
    return x * (4 * x - 3)                        # x²(4x − 3) with one x lost
""",
        "grad_c2": """
def grad_c2(v):
    v = np.asarray(v, dtype=np.float64)
    return -3 * v[0] ** 2 + 2 * v[1]              # the components added: a scalar
""",
        "grad_c3": """
def grad_c3(v):
    v = np.asarray(v, dtype=np.float64)
    return 2.0 * v * v[::-1]                      # the square on the other variable lost
""",
    },
    "gradient_at_x0_unrestored_typos": {
        "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    x0 = np.array(x0, dtype=np.float64)
    path = [x0]
    x = x0
    for _ in range(steps):
        x = x - eta * np.asarray(grad_fn(x0))    # the gradient always taken at x0
        path.append(x)
    return np.stack(path)
""",
        "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        down = f(x)                               # x[i] is never put back
        grad[i] = (up - down) / (2 * eps)
    return grad
""",
        "grad_f1": """
def grad_f1(x):
    return float(4 * x**3 - 3 * x**2)             # scalars only: fails on arrays
""",
        "grad_c2": """
def grad_c2(v):
    v = np.asarray(v, dtype=np.float64)
    return np.array([-3 * v[0] ** 2, 2 * v[0]])   # v[0] for v[1]
""",
        "grad_c3": """
def grad_c3(v):
    v = np.asarray(v, dtype=np.float64)
    return np.array([2 * v[0] + v[1] ** 2, v[0] ** 2 + 2 * v[1]])   # sum rule for a product
""",
    },
    # three_iterations calls gradient_descent and the three gradients: its mistake sits
    # where they are right, so that it loses points for its own mistake.
    "copy_paste_in_the_seed_exercise": {
        "three_iterations": """
def three_iterations(x0):
    x0 = float(x0)
    start = np.array([x0, x0])
    return (
        gradient_descent(grad_f1, np.array(x0), 0.1, 3),
        gradient_descent(grad_c2, start, 0.1, 3),
        gradient_descent(grad_c2, start, 0.1, 3),   # copy-paste: C2 twice
    )
""",
    },
}
