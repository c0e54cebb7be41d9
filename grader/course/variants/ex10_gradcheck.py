"""ex10_gradcheck: correct and wrong variants (see ``grader/course/variants/__init__.py``).

``tests/course/test_ex10_gradcheck.py`` already holds: one-sided and ``/ eps`` differences, a
float32 ``ravel_pytree``, the caller's arrays perturbed and not restored, means instead of the
max, ``+ 1e-12`` instead of the floor, norms, ``max(|a|, |b|)``, a reversed verdict, an ignored
``eps``, a float32 error; and one alternative with plain recursion and in-place restores.
These cover other forms.
"""

CORRECT = {
    # jax in float64 (a local enable_x64), ravel_pytree and functional .at[i] updates; the check
    # calls the student's own public functions leaf by leaf with tree_map.
    "jax_x64_ravel_tree_map": {
        "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    from jax.flatten_util import ravel_pytree

    with jax.enable_x64(True):
        params64 = jax.tree_util.tree_map(lambda p: jax.numpy.asarray(p, "float64"), params)
        flat, unravel = ravel_pytree(params64)
        grad = []
        for i in range(flat.shape[0]):
            plus = float(f(unravel(flat.at[i].add(eps))))
            minus = float(f(unravel(flat.at[i].add(-eps))))
            grad.append((plus - minus) / (2 * eps))
        tree = unravel(jax.numpy.asarray(grad, "float64"))
        return jax.tree_util.tree_map(lambda g: np.asarray(g, np.float64), tree)
""",
        "relative_error": """
def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    den = np.fmax(np.abs(a) + np.abs(b), 1e-12)
    return float((np.abs(b - a) / den).max(initial=0.0))
""",
        "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    numerical = numerical_gradient_tree(f, params, eps)
    errors = jax.tree_util.tree_map(relative_error, grads, numerical)
    worst = max(jax.tree_util.tree_leaves(errors), default=0.0)
    return bool(worst < tol), float(worst)
""",
    },
    # Plain numpy float64 and Python loops: a recursive copy of the tree, np.ndindex over every
    # element (0-d leaves too), an elementwise loop for the ratio, a running max with an int
    # counter over the leaves.
    "numpy_recursion_ndindex_loops": {
        "numerical_gradient_tree": """
def _copy(tree):
    if isinstance(tree, dict):
        return {k: _copy(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_copy(v) for v in tree)
    return np.array(tree, dtype=np.float64)


def _arrays(tree):
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in _arrays(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [x for v in tree for x in _arrays(v)]
    return [tree]


def numerical_gradient_tree(f, params, eps=1e-5):
    work = _copy(params)
    out = _copy(params)
    for arr, g in zip(_arrays(work), _arrays(out)):
        for idx in np.ndindex(arr.shape):
            saved = arr[idx]
            arr[idx] = saved + eps
            f_plus = f(work)
            arr[idx] = saved - eps
            f_minus = f(work)
            arr[idx] = saved
            g[idx] = (f_plus - f_minus) / eps / 2.0
    return out
""",
        "relative_error": """
def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    worst = 0.0
    for x, y in zip(a.tolist(), b.tolist()):
        r = abs(x - y) / max(abs(x) + abs(y), 1e-12)
        if r > worst:
            worst = r
    return worst
""",
        "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    claimed = jax.tree_util.tree_leaves(grads)
    numerical = jax.tree_util.tree_leaves(numerical_gradient_tree(f, params, eps))
    max_rel_error = 0.0
    i = 0
    while i < len(claimed):
        max_rel_error = max(max_rel_error, relative_error(claimed[i], numerical[i]))
        i += 1
    return max_rel_error < tol, max_rel_error
""",
    },
}

WRONG = {
    "whole_leaf_relative_to_b_last_leaf": {
        # Every element of a leaf nudged at once: a directional derivative, not a gradient.
        "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    leaves = [np.array(x, dtype=np.float64) for x in leaves]
    grads = []
    for i, leaf in enumerate(leaves):
        plus = list(leaves)
        minus = list(leaves)
        plus[i] = leaf + eps
        minus[i] = leaf - eps
        d = (f(jax.tree_util.tree_unflatten(treedef, plus))
             - f(jax.tree_util.tree_unflatten(treedef, minus))) / (2 * eps)
        grads.append(np.full(leaf.shape, d))
    return jax.tree_util.tree_unflatten(treedef, grads)
""",
        # Relative to b alone: |a − b| / |b|.
        "relative_error": """
def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
""",
        # The loop overwrites the error: only the last leaf's counts.
        "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    num = jax.tree_util.tree_leaves(_numerical(f, params, eps))
    err = 0.0
    for c, n in zip(jax.tree_util.tree_leaves(grads), num):
        err = _relative(c, n)
    return err < tol, err
""",
    },
    "flat_list_ratio_of_maxes_swapped_args": {
        # The leaves' gradients returned as a flat list, not in the structure of params.
        "numerical_gradient_tree": """
def numerical_gradient_tree(f, params, eps=1e-5):
    leaves, treedef = jax.tree_util.tree_flatten(params)
    base = [np.array(leaf, dtype=np.float64) for leaf in leaves]
    grads = []
    for leaf in base:
        g = np.zeros_like(leaf)
        flat, gflat = leaf.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            plus = f(jax.tree_util.tree_unflatten(treedef, base))
            flat[i] = old - eps
            minus = f(jax.tree_util.tree_unflatten(treedef, base))
            flat[i] = old
            gflat[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads
""",
        # The ratio of the largest difference to the largest magnitudes, not the largest ratio.
        "relative_error": """
def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)) + np.max(np.abs(b)), 1e-12))
""",
        # The numerical gradient taken at the claimed gradient instead of at the params.
        "gradient_check": """
def gradient_check(f, grads, params, eps=1e-5, tol=1e-4):
    num = jax.tree_util.tree_leaves(_numerical(f, grads, eps))
    err = max(_relative(c, n) for c, n in zip(jax.tree_util.tree_leaves(grads), num))
    return err < tol, err
""",
    },
}
