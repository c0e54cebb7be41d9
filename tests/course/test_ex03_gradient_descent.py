"""ex03_gradient_descent: the reference passes everything; students' classic mistakes
(dropping x0, off-by-one, wrong sign, forward differences, float32, sign errors in ∇C2,
jax.grad in a hand-derived gradient…) are caught; correct code written differently passes."""

from __future__ import annotations

from functools import cache

import pytest

from grader.testing import (
    by_function,
    failed,
    grade_source,
    reference_source,
    replace_functions,
    stub_source,
    summary,
)

EX = "ex03_gradient_descent"
REF = reference_source(EX)


def _mutate(mutations):
    return replace_functions(REF, mutations)


def test_reference_gets_full_marks_with_hidden_checks():
    result = grade_source(EX, REF)
    assert result.score == result.max_score > 0, summary(result)
    assert {r.check.kind for r in result.checks} == {"compare", "static"}


def test_stubs_score_zero_with_not_implemented_messages():
    result = grade_source(EX, stub_source(EX))
    assert result.score == 0
    # Static checks included: they list NotImplementedError so that a stub earns nothing.
    assert all("not implemented yet" in r.message for r in result.checks), summary(result)


# One plausible mistake per function in each mutant; one grading run per mutant.
MUTANT_DROP_FORWARD_SIGNS = {
    "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(steps):
        x = x - eta * grad_fn(x)
        path.append(x)                       # x0 is not in the trajectory
    return np.array(path)
""",
    "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x)) / eps      # forward differences
    return g
""",
    "grad_f1": """
def grad_f1(x):
    x = np.asarray(x, dtype=float)
    return 4 * x**3 + 3 * x**2               # sign error
""",
    "grad_c2": """
def grad_c2(v):
    v = np.asarray(v, dtype=float)
    return np.array([3 * v[0] ** 2, 2 * v[1]])   # d(-v1^3)/dv1 taken as +3 v1^2
""",
    "grad_c3": """
def grad_c3(v):
    v = np.asarray(v, dtype=float)
    return np.array([2 * v[0] * v[1] ** 2, 2 * v[0] * v[1] ** 2])   # copy-paste
""",
    "three_iterations": """
def three_iterations(x0):
    start = np.array([float(x0), 0.0])       # (x0, 0) instead of (x0, x0)
    return (
        gradient_descent(grad_f1, np.array(float(x0)), 0.1, 3),
        gradient_descent(grad_c2, start, 0.1, 3),
        gradient_descent(grad_c3, start, 0.1, 3),
    )
""",
}

MUTANT_SIGN_FACTOR_AUTODIFF = {
    "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] + eta * grad_fn(xs[-1]))   # ascent: + instead of -
    return np.stack(xs)
""",
    "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / eps  # missing the 2
    return g
""",
    "grad_f1": """
def grad_f1(x):
    import jax
    import jax.numpy as jnp
    x = jnp.asarray(x, dtype=jnp.float32)
    d = jax.vmap(jax.grad(lambda t: t**4 - t**3))(x.reshape(-1))   # autodiff: right values
    return d.reshape(x.shape)
""",
    "grad_c2": """
def grad_c2(v):
    v = np.asarray(v, dtype=float)
    return np.array([2 * v[1], -3 * v[0] ** 2])  # components swapped
""",
    "grad_c3": """
def grad_c3(v):
    c3 = lambda u: u[0] ** 2 * u[1] ** 2
    return numerical_gradient(c3, v)             # numerical, not by hand
""",
    "three_iterations": """
def three_iterations(x0):
    start = np.array([float(x0), float(x0)])
    return (
        gradient_descent(grad_f1, np.array(float(x0)), 0.1, 4),   # 4 iterations
        gradient_descent(grad_c2, start, 0.1, 4),
        gradient_descent(grad_c3, start, 0.1, 4),
    )
""",
}

MUTANT_OFF_BY_ONE_FLOAT32_POWERS = {
    "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps + 1):                   # one step too many
        xs.append(xs[-1] - eta * grad_fn(xs[-1]))
    return np.stack(xs)
""",
    "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float32)            # float32: the differences are noise
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g
""",
    "grad_f1": """
def grad_f1(x):
    x = np.asarray(x, dtype=float)
    return 4 * x**3 - 3 * x                      # wrong power
""",
    "grad_c2": """
def grad_c2(v):
    v = np.asarray(v, dtype=float)
    return np.array([-3 * v[0] ** 2, v[1]])      # d(v2^2)/dv2 taken as v2
""",
    "grad_c3": """
def grad_c3(v):
    v = np.asarray(v, dtype=float)
    return np.array([v[1] ** 2, v[0] ** 2])      # forgot the 2 v
""",
    "three_iterations": """
def three_iterations(x0):
    start = np.array([float(x0), float(x0)])
    return (
        gradient_descent(grad_f1, np.array(float(x0)), 0.01, 3),  # eta = 0.01
        gradient_descent(grad_c2, start, 0.01, 3),
        gradient_descent(grad_c3, start, 0.01, 3),
    )
""",
}

MUTANT_IN_PLACE_AND_ALL_AT_ONCE = {
    "gradient_descent": """
def gradient_descent(grad_fn, x0, eta, steps):
    x = x0 if isinstance(x0, np.ndarray) else np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x -= eta * np.asarray(grad_fn(x))        # updates the caller's x0 in place
        path.append(x.copy())
    return np.stack(path)
""",
    "numerical_gradient": """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    d = (f(x + eps) - f(x - eps)) / (2 * eps)    # every element moved at once
    return np.full(x.shape, d)
""",
    "grad_f1": """
def grad_f1(x):
    x = np.asarray(x, dtype=float)
    return x**4 - x**3                           # the function, not its derivative
""",
    "three_iterations": """
def three_iterations(x0):
    start = np.array([float(x0), float(x0)])
    return (
        gradient_descent(grad_f1, np.array(float(x0)), 0.1, 3)[1:],   # x0 dropped
        gradient_descent(grad_c2, start, 0.1, 3)[1:],
        gradient_descent(grad_c3, start, 0.1, 3)[1:],
    )
""",
}

MUTANTS = {
    "drop_x0_forward_signs": MUTANT_DROP_FORWARD_SIGNS,
    "ascent_factor_autodiff": MUTANT_SIGN_FACTOR_AUTODIFF,
    "off_by_one_float32_powers": MUTANT_OFF_BY_ONE_FLOAT32_POWERS,
    "in_place_all_at_once": MUTANT_IN_PLACE_AND_ALL_AT_ONCE,
}


@cache
def _graded(name):
    return grade_source(EX, _mutate(MUTANTS[name]))


@pytest.mark.parametrize("name", list(MUTANTS))
def test_wrong_implementations_are_caught(name):
    result = _graded(name)
    for function in MUTANTS[name]:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"
    for function, results in by_function(result).items():
        if function not in MUTANTS[name] and function != "three_iterations":
            assert all(r.status == "passed" for r in results), summary(result)


def _check(result, check_id_end):
    return next(r for r in result.checks if r.check.id.endswith(check_id_end))


def test_messages_name_the_mistake():
    result = _graded("ascent_factor_autodiff")
    # jax.grad gives the right values: only the static check catches it, and names it.
    f1 = {r.check.name: r for r in by_function(result)["grad_f1"]}
    assert f1["values"].status == "passed" and f1["more_values"].status == "passed"
    assert f1["no_autodiff"].status == "failed" and "jax.grad" in f1["no_autodiff"].message
    assert "numerical_gradient" in _check(result, "grad_c3/no_autodiff").message
    # A missing 1/2 is reported as a constant factor of 2 (public check).
    numgrad = _check(result, "numerical_gradient/central_differences")
    assert "times 2:" in numgrad.message, numgrad.message
    # Four iterations instead of three: a shape message.
    assert "wrong shape: expected (4,), got (5,)" in _check(result, "seed_exercise").message

    result = _graded("drop_x0_forward_signs")
    assert "wrong shape: expected (11, 3), got (10, 3)" in _check(result, "quadratic_bowls").message
    forward = _check(result, "numerical_gradient/central_differences")
    assert "wrong values" in forward.message and "max relative error" in forward.message

    result = _graded("off_by_one_float32_powers")
    # Differences taken in float32 are noise: wrong values, even at float32 tolerances.
    noise = _check(result, "numerical_gradient/central_differences").message
    assert "wrong values" in noise and "tolerance for float32" in noise, noise


ALTERNATIVE_JAX = """
import jax
import jax.numpy as jnp
import numpy as np


def gradient_descent(grad_fn, x0, eta, steps):
    def step(x, _):
        x = x - eta * grad_fn(x)
        return x, x

    x0 = jnp.asarray(x0, dtype=jnp.float32)
    _, xs = jax.lax.scan(step, x0, None, length=steps)
    return jnp.concatenate([x0[None], xs])


def numerical_gradient(f, x, eps=1e-5):
    x = np.asarray(x)
    flat = x.astype(np.float64).reshape(-1)
    out = np.empty_like(flat)
    for i in range(flat.size):
        hi, lo = flat.copy(), flat.copy()
        hi[i] += eps
        lo[i] -= eps
        out[i] = (f(hi.reshape(x.shape)) - f(lo.reshape(x.shape))) / (2 * eps)
    return out.reshape(x.shape)


def grad_f1(x):
    x = jnp.asarray(x)
    return x * x * (4 * x - 3)


def grad_c2(v):
    v1, v2 = v[0], v[1]
    return jnp.array([-3 * v1 * v1, 2 * v2])


def grad_c3(v):
    v1, v2 = v[0], v[1]
    return jnp.stack([2 * v1 * v2**2, 2 * v1**2 * v2])


def three_iterations(x0):
    v0 = jnp.array([x0, x0], dtype=jnp.float32)
    return (
        gradient_descent(grad_f1, jnp.float32(x0), 0.1, 3),
        gradient_descent(grad_c2, v0, 0.1, 3),
        gradient_descent(grad_c3, v0, 0.1, 3),
    )
"""

ALTERNATIVE_LISTS_AND_LOOPS = """
import numpy as np


def gradient_descent(grad_fn, x0, eta, steps):
    path = [np.array(x0, dtype=np.float64)]
    for k in range(steps):
        path.append(path[k] - eta * np.asarray(grad_fn(path[k])))
    return np.array(path)


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old                               # put it back
        grad[i] = (up - down) / (2 * eps)
    return grad


def grad_f1(x):
    return 4 * np.asarray(x, dtype=np.float64) ** 3 - 3 * np.asarray(x, dtype=np.float64) ** 2


def grad_c2(v):
    return [-3 * float(v[0]) ** 2, 2 * float(v[1])]


def grad_c3(v):
    a, b = float(v[0]), float(v[1])
    return (2 * a * b * b, 2 * a * a * b)


def three_iterations(x0):
    x0 = float(x0)
    return (
        gradient_descent(grad_f1, x0, 0.1, 3),
        gradient_descent(grad_c2, [x0, x0], 0.1, 3),
        gradient_descent(grad_c3, [x0, x0], 0.1, 3),
    )
"""


@pytest.mark.parametrize(
    "source", [ALTERNATIVE_JAX, ALTERNATIVE_LISTS_AND_LOOPS], ids=["jax_scan", "lists_loops"]
)
def test_correct_alternatives_get_full_marks(source):
    result = grade_source(EX, source)
    assert result.score == result.max_score, summary(result)


# A float64 computation returned as float32: the catalogue does not say "keep float64" for
# ex03, so the result is judged at float32 (it was refused on its dtype alone).
FLOAT32_RESULT = """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad.astype(np.float32)
"""


def test_float32_result_for_float64_input_gets_full_marks():
    source = replace_functions(REF, {"numerical_gradient": FLOAT32_RESULT})
    result = grade_source(EX, source, functions=["numerical_gradient"])
    assert result.score == result.max_score, summary(result)
