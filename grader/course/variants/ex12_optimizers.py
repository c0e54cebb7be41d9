"""ex12_optimizers: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex12_optimizers.py`` already holds: ascent, the heavy ball, eps inside the
root (RMSProp and Adam), no bias correction, new params instead of steps, Adam's correction in
momentum, ``s`` from the first ``g²``, a Python step counter, ``params`` without a default, a
state started from the params, a state that is not a pytree; and one alternative with leaf
lists and a float step count. These cover other forms.

The optimizers are driven under ``jax.jit`` by some checks, so every variant is jax.numpy.
"""

CORRECT = {
    # Dict and tuple states, the moving averages in their incremental form
    # m + (1 − β)(g − m) (another order of the same sum), Adam with an int32 count cast to
    # float32 for the bias corrections.
    "incremental_ema_int_count": {
        "sgd": """
def sgd(learning_rate):
    def init(params):
        return ()

    def update(grads, state, params=None):
        return jax.tree_util.tree_map(lambda g: jnp.negative(g) * learning_rate, grads), state

    return optax.GradientTransformation(init, update)
""",
        "momentum": """
def momentum(learning_rate, beta=0.9):
    def init(params):
        return {"v": jax.tree_util.tree_map(lambda p: jnp.zeros(jnp.shape(p), jnp.result_type(p)), params)}

    def update(grads, state, params=None):
        v = jax.tree_util.tree_map(lambda v, g: v + (1 - beta) * (g - v), state["v"], grads)
        return jax.tree_util.tree_map(lambda v: -learning_rate * v, v), {"v": v}

    return optax.GradientTransformation(init, update)
""",
        "rmsprop": """
def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return {"s": jax.tree_util.tree_map(jnp.zeros_like, params)}

    def update(grads, state, params=None):
        s = jax.tree_util.tree_map(lambda s, g: s + (1 - decay) * (g * g - s), state["s"], grads)
        steps = jax.tree_util.tree_map(lambda g, s: -learning_rate * g / (jnp.sqrt(s) + eps), grads, s)
        return steps, {"s": s}

    return optax.GradientTransformation(init, update)
""",
        "adam": """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return (jnp.array(0, dtype=jnp.int32), zeros, zeros)

    def update(grads, state, params=None):
        t, m, v = state
        t = t + 1
        tf = t.astype(jnp.float32)
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * jnp.square(g), v, grads)
        m_hat = jax.tree_util.tree_map(lambda m: m / (1 - b1**tf), m)
        v_hat = jax.tree_util.tree_map(lambda v: v / (1 - b2**tf), v)
        steps = jax.tree_util.tree_map(
            lambda m, v: -learning_rate * m / (jnp.sqrt(v) + eps), m_hat, v_hat
        )
        return steps, (t, m, v)

    return optax.GradientTransformation(init, update)
""",
    },
    # The student's own NamedTuple states, Python lists of leaves updated in place (a copy of
    # the list, so the jax arrays stay functional), one tree_map over (g, m, v) for Adam with
    # jnp.power and a float32 count.
    "namedtuples_leaf_lists_in_place": {
        "sgd": """
def sgd(learning_rate):
    def init(params):
        return optax.EmptyState()

    def update(grads, state, params=None):
        leaves, treedef = jax.tree_util.tree_flatten(grads)
        out = [jnp.multiply(-learning_rate, g) for g in leaves]
        return jax.tree_util.tree_unflatten(treedef, out), state

    return optax.GradientTransformation(init, update)
""",
        "momentum": """
class Velocity(NamedTuple):
    v: list


def momentum(learning_rate, beta=0.9):
    def init(params):
        return Velocity(v=[jnp.zeros_like(p) for p in jax.tree_util.tree_leaves(params)])

    def update(grads, state, params=None):
        leaves, treedef = jax.tree_util.tree_flatten(grads)
        v = list(state.v)
        for i in range(len(leaves)):
            v[i] = beta * v[i] + (1.0 - beta) * leaves[i]
        steps = [-learning_rate * vi for vi in v]
        return jax.tree_util.tree_unflatten(treedef, steps), Velocity(v=v)

    return optax.GradientTransformation(init, update)
""",
        "rmsprop": """
class Square(NamedTuple):
    s: list


def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return Square(s=[jnp.zeros_like(p) for p in jax.tree_util.tree_leaves(params)])

    def update(grads, state, params=None):
        leaves, treedef = jax.tree_util.tree_flatten(grads)
        s = list(state.s)
        steps = []
        for i, g in enumerate(leaves):
            s[i] = decay * s[i] + (1.0 - decay) * jnp.square(g)
            steps.append(-learning_rate * g * jnp.reciprocal(jnp.sqrt(s[i]) + eps))
        return jax.tree_util.tree_unflatten(treedef, steps), Square(s=s)

    return optax.GradientTransformation(init, update)
""",
        "adam": """
class Moments(NamedTuple):
    t: jax.Array
    m: Any
    v: Any


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        z = jax.tree_util.tree_map(jnp.zeros_like, params)
        return Moments(t=jnp.zeros((), jnp.float32), m=z, v=z)

    def update(grads, state, params=None):
        t = state.t + 1.0
        c1 = 1.0 - jnp.power(b1, t)
        c2 = 1.0 - jnp.power(b2, t)

        def one(g, m, v):
            m = b1 * m + (1.0 - b1) * g
            v = b2 * v + (1.0 - b2) * g * g
            return (-(learning_rate * (m / c1)) / (jnp.sqrt(v / c2) + eps), m, v)

        out = jax.tree_util.tree_map(one, grads, state.m, state.v)
        is_triple = lambda x: isinstance(x, tuple) and len(x) == 3 and not isinstance(x, Moments)
        pick = lambda i: jax.tree_util.tree_map(lambda x: x[i], out, is_leaf=is_triple)
        return pick(0), Moments(t=t, m=pick(1), v=pick(2))

    return optax.GradientTransformation(init, update)
""",
    },
}

# Adam exactly as above but with the int32 count itself as the exponent, as optax writes it: run
# eagerly, jax turns ``b ** t`` for a concrete integer ``t`` into ``lax.integer_pow`` (repeated
# multiplication), whose roundings differ from the reference's ``lax.pow``; near the quadratic's
# minimum that drifted by up to 0.4 % and failed adam/quadratic until the check took the spread
# of correct runs as its tolerance (commit f76a552).
CORRECT["adam_int_power"] = {
    "adam": CORRECT["incremental_ema_int_count"]["adam"]
    .replace("        tf = t.astype(jnp.float32)\n", "")
    .replace("**tf", "**t")
}

WRONG = {
    "ready_made_sgd_swapped_betas_no_sqrt_corrected_state": {
        # optax's own optimizer: right numbers, but writing the rule was the exercise.
        "sgd": """
def sgd(learning_rate):
    return optax.sgd(learning_rate)
""",
        # β and 1 − β swapped: the new gradient gets weight β.
        "momentum": """
def momentum(learning_rate, beta=0.9):
    def init(params):
        return MomentumState(velocity=_zeros_like(params))

    def update(grads, state, params=None):
        v = jax.tree.map(lambda v, g: (1 - beta) * v + beta * g, state.velocity, grads)
        return jax.tree.map(lambda v: -learning_rate * v, v), MomentumState(velocity=v)

    return optax.GradientTransformation(init, update)
""",
        # The square root forgotten: −η g / (s + eps).
        "rmsprop": """
def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return RMSPropState(nu=_zeros_like(params))

    def update(grads, state, params=None):
        s = jax.tree.map(lambda s, g: decay * s + (1 - decay) * g * g, state.nu, grads)
        return jax.tree.map(lambda g, s: -learning_rate * g / (s + eps), grads, s), RMSPropState(nu=s)

    return optax.GradientTransformation(init, update)
""",
        # The bias-corrected moments stored in the state: the correction compounds.
        "adam": """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        return AdamState(count=jnp.zeros([], jnp.int32), mu=_zeros_like(params), nu=_zeros_like(params))

    def update(grads, state, params=None):
        count = state.count + 1
        mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state.mu)
        nu = jax.tree.map(lambda g, v: (1 - b2) * g * g + b2 * v, grads, state.nu)
        tf = count.astype(jnp.float32)
        mu = jax.tree.map(lambda m: m / (1 - b1**tf), mu)
        nu = jax.tree.map(lambda v: v / (1 - b2**tf), nu)
        updates = jax.tree.map(lambda m, v: -learning_rate * m / (jnp.sqrt(v) + eps), mu, nu)
        return updates, AdamState(count=count, mu=mu, nu=nu)

    return optax.GradientTransformation(init, update)
""",
    },
    "no_learning_rate_stale_velocity_swapped_decay_count_from_zero": {
        # The learning rate forgotten.
        "sgd": """
def sgd(learning_rate):
    def init(params):
        return optax.EmptyState()

    def update(grads, state, params=None):
        return jax.tree.map(lambda g: -g, grads), state

    return optax.GradientTransformation(init, update)
""",
        # The step uses the velocity from before this gradient.
        "momentum": """
def momentum(learning_rate, beta=0.9):
    def init(params):
        return MomentumState(velocity=_zeros_like(params))

    def update(grads, state, params=None):
        steps = jax.tree.map(lambda v: -learning_rate * v, state.velocity)
        v = jax.tree.map(lambda v, g: beta * v + (1 - beta) * g, state.velocity, grads)
        return steps, MomentumState(velocity=v)

    return optax.GradientTransformation(init, update)
""",
        # ρ and 1 − ρ swapped: s ← (1 − ρ) s + ρ g².
        "rmsprop": """
def rmsprop(learning_rate, decay=0.9, eps=1e-8):
    def init(params):
        return RMSPropState(nu=_zeros_like(params))

    def update(grads, state, params=None):
        s = jax.tree.map(lambda s, g: (1 - decay) * s + decay * g * g, state.nu, grads)
        updates = jax.tree.map(lambda g, s: -learning_rate * g / (jnp.sqrt(s) + eps), grads, s)
        return updates, RMSPropState(nu=s)

    return optax.GradientTransformation(init, update)
""",
        # The bias correction uses the count before it is incremented (b^0 = 1 at step 1),
        # guarded against the division by zero.
        "adam": """
def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    def init(params):
        return AdamState(count=jnp.zeros([], jnp.int32), mu=_zeros_like(params), nu=_zeros_like(params))

    def update(grads, state, params=None):
        t = jnp.maximum(state.count, 1).astype(jnp.float32)
        mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state.mu)
        nu = jax.tree.map(lambda g, v: (1 - b2) * g * g + b2 * v, grads, state.nu)
        updates = jax.tree.map(
            lambda m, v: -learning_rate * (m / (1 - b1**t)) / (jnp.sqrt(v / (1 - b2**t)) + eps), mu, nu
        )
        return updates, AdamState(count=state.count + 1, mu=mu, nu=nu)

    return optax.GradientTransformation(init, update)
""",
    },
}
