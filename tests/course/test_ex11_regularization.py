"""ex11_regularization: the reference passes everything; students' classic mistakes are caught;
correct code written differently (and trained differently) passes."""

from __future__ import annotations

from grader import course
from grader.testing import (
    failed,
    failed_stub_examples,
    grade_source,
    reference_source,
    replace_functions,
    summary,
)

EX = "ex11_regularization"
REF = reference_source(EX)


def _mutate(mutations):
    return replace_functions(REF, mutations)


def test_stub_examples_hold_for_the_reference():
    """The worked examples in the stub's docstrings are right (run against the reference)."""
    assert failed_stub_examples(EX, skip=("select_hidden_size",)) == 0


# Each mutant breaks every function at once, in one plausible way; one grading run each.
MUTANT_A = {
    "weight_decay_update": """
def weight_decay_update(params, grads, eta, lam):
    return jax.tree_util.tree_map(lambda p, g: p - eta * g - lam * p, params, grads)  # biases too
""",
    "dropout": """
def dropout(key, x, rate, train=True):
    if not train:
        return x
    keep = jax.random.bernoulli(key, rate, jnp.shape(x))        # rate taken as keep probability
    return jnp.where(keep, x / (1 - rate), 0.0)
""",
    "standardize_fit": """
def standardize_fit(X):
    X = np.asarray(X, np.float64)
    return X.mean(axis=0), X.std(axis=0, ddof=1)                # sample std
""",
    "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    return (np.asarray(X) - mean) / np.sqrt(np.asarray(std) ** 2 + eps)   # eps under a root
""",
    "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X, y = np.asarray(X), np.asarray(y)                         # no shuffling
    n = len(X); nv, nt = round(val_frac * n), round(test_frac * n)
    return X[nv + nt:], y[nv + nt:], X[nt:nt + nv], y[nt:nt + nv], X[:nt], y[:nt]
""",
    "early_stopping": """
def early_stopping(val_losses, patience):
    losses = list(np.asarray(val_losses, float).ravel())
    best, wait = 0, 0
    for i in range(1, len(losses)):
        if losses[i] <= losses[best]:                            # a tie counts as an improvement
            best, wait = i, 0
        else:
            wait += 1
            if wait >= patience:
                break
    return best
""",
    "select_hidden_size": """
def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    X_train, X_val = jnp.asarray(X_train, jnp.float32), jnp.asarray(X_val, jnp.float32)
    y_train, y_val = jnp.asarray(y_train, jnp.int32), jnp.asarray(y_val, jnp.int32)
    n_out = int(max(y_train.max(), y_val.max())) + 1
    losses = [float(_loss(_fit(k, X_train, y_train, hidden=int(h), n_out=n_out), X_val, y_val))
              for k, h in zip(jax.random.split(key, len(candidates)), candidates)]
    return int(np.argmin(losses))                                # the index, not the value
""",
}

MUTANT_B = {
    "weight_decay_update": """
def weight_decay_update(params, grads, eta, lam):
    def upd(path, p, g):
        if isinstance(path[-1], jax.tree_util.DictKey) and path[-1].key == "w":
            return p - eta * (g + lam * p)                       # optax style: λ times η
        return p - eta * g
    return jax.tree_util.tree_map_with_path(upd, params, grads)
""",
    "dropout": """
def dropout(key, x, rate, train=True):
    if not train:
        return x
    keep = jax.random.bernoulli(key, 1 - rate, jnp.shape(x))
    return jnp.where(keep, x, 0.0)                               # survivors not rescaled
""",
    "standardize_fit": """
def standardize_fit(X):
    X = np.asarray(X, np.float64)
    return X.mean(axis=1), X.std(axis=1)                         # per example, not per feature
""",
    "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    return (np.asarray(X) - mean) / np.asarray(std)              # no eps
""",
    "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X, y = np.asarray(X), np.asarray(y)
    n = len(X); nv, nt = int(val_frac * n), int(test_frac * n)   # truncates
    p = np.asarray(jax.random.permutation(key, n))
    te, va, tr = p[:nt], p[nt:nt + nv], p[nt + nv:]
    return X[tr], y[tr], X[va], y[va], X[te], y[te]
""",
    "early_stopping": """
def early_stopping(val_losses, patience):
    losses = list(np.asarray(val_losses, float).ravel())
    best, wait = 0, 0
    for i in range(1, len(losses)):
        if losses[i] < losses[best]:
            best, wait = i, 0
        else:
            wait += 1
            if wait > patience:                                  # one epoch too many
                break
    return best
""",
    "select_hidden_size": """
def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    return max(candidates)                                       # bigger is always better?
""",
}

MUTANT_C = {
    "weight_decay_update": """
def weight_decay_update(params, grads, eta, lam):
    return [{"w": p["w"] - eta * g["w"] - lam * p["w"], "b": p["b"] - eta * g["b"]}
            for p, g in zip(params, grads)]                      # a list of layers only
""",
    "dropout": """
def dropout(key, x, rate, train=True):
    if not train:
        return x
    x = np.asarray(x)
    keep = np.random.uniform(size=x.shape) >= rate               # global state: ignores the key
    return np.where(keep, x / (1 - rate), 0.0)
""",
    "standardize_fit": """
def standardize_fit(X):
    X = np.asarray(X, np.float64)
    m = X.mean(axis=0)
    return m, np.sqrt(np.maximum((X ** 2).mean(axis=0) - m ** 2, 0.0))   # one pass: cancels
""",
    "standardize_apply": """
def standardize_apply(X, mean, std, eps=1e-8):
    X = np.asarray(X, np.float64)
    return (X - X.mean(axis=0)) / (X.std(axis=0) + eps)          # its own statistics: a leak
""",
    "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X, y = np.asarray(X), np.asarray(y)
    n = len(X); nv, nt = round(val_frac * n), round(test_frac * n)
    kx, ky = jax.random.split(key)
    px = np.asarray(jax.random.permutation(kx, n))
    py = np.asarray(jax.random.permutation(ky, n))               # X and y shuffled apart
    return (X[px[nt + nv:]], y[py[nt + nv:]], X[px[nt:nt + nv]], y[py[nt:nt + nv]],
            X[px[:nt]], y[py[:nt]])
""",
    "early_stopping": """
def early_stopping(val_losses, patience):
    return int(np.argmin(np.asarray(val_losses)))                # ignores patience
""",
    "select_hidden_size": """
def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    X_train = jnp.asarray(X_train, jnp.float32)
    y_train = jnp.asarray(y_train, jnp.int32)
    n_out = int(max(int(y_train.max()), int(jnp.max(jnp.asarray(y_val))))) + 1
    losses = [float(_loss(_fit(k, X_train, y_train, hidden=int(h), n_out=n_out), X_train, y_train))
              for k, h in zip(jax.random.split(key, len(candidates)), candidates)]
    return candidates[int(np.argmin(losses))]                    # the training loss decides
""",
}

MUTANT_SPLIT_REMAINDER = {
    "train_val_test_split": """
def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    X, y = np.asarray(X), np.asarray(y)
    n = len(X); nt = round(test_frac * n); nv = round(val_frac * (n - nt))   # of the rest
    p = np.asarray(jax.random.permutation(key, n))
    te, va, tr = p[:nt], p[nt:nt + nv], p[nt + nv:]
    return X[tr], y[tr], X[va], y[va], X[te], y[te]
""",
    "early_stopping": """
def early_stopping(val_losses, patience):
    losses = list(np.asarray(val_losses, float).ravel())
    best, wait = 0, 0
    for i in range(len(losses)):
        if losses[i] < losses[best]:
            best, wait = i, 0
        elif i:
            wait += 1
        if wait >= patience:                                     # patience 0 read literally
            break
    return best
""",
}


def grade_checks(source: str, keep):
    """Grade ``source`` (hidden checks included) on the checks whose name satisfies ``keep``."""
    chosen = [f"{c.function}/{c.name}" for c in course.load(EX).checks if keep(c.name)]
    return grade_source(EX, source, checks=chosen)


def _assert_caught(result, mutant):
    for function in mutant:
        assert failed(result, function), f"{function} mistake not caught:\n{summary(result)}"


def _message(result, check_name):
    return next(r.message for r in result.checks if r.check.name == check_name)


def test_mutant_keep_probability_ddof_ties_index_is_caught_with_helpful_messages():
    # The two selection checks that train more networks are left out: the index shows at once.
    result = grade_checks(_mutate(MUTANT_A), lambda n: n not in ("other_problems", "overfitting"))
    _assert_caught(result, MUTANT_A)
    assert "probability of dropping" in _message(result, "drop_and_rescale")
    assert "constant factor" in _message(result, "per_feature")  # ddof=1: sqrt(n / (n - 1))
    assert "position of the best candidate" in _message(result, "underfitting")


def test_mutant_eta_scale_axis_max_is_caught_with_helpful_messages():
    result = grade_source(EX, _mutate(MUTANT_B))
    _assert_caught(result, MUTANT_B)
    assert "not rescaled" in _message(result, "drop_and_rescale")
    assert _message(result, "underfitting") == ""  # max() is right there...
    assert failed(result, "select_hidden_size")  # ...but not where the big network overfits


def test_mutant_list_rng_leak_training_loss_is_caught():
    result = grade_checks(_mutate(MUTANT_C), lambda n: n not in ("underfitting", "other_problems"))
    _assert_caught(result, MUTANT_C)


def test_split_of_the_remainder_and_literal_patience_zero_are_caught():
    result = grade_source(
        EX, _mutate(MUTANT_SPLIT_REMAINDER), functions=["train_val_test_split", "early_stopping"]
    )
    _assert_caught(result, MUTANT_SPLIT_REMAINDER)
    zero = next(r for r in result.checks if r.check.name == "patience_zero")
    assert zero.status == "failed"
    others = [r for r in result.checks if r.check.function == "early_stopping" and r is not zero]
    assert all(r.status == "passed" for r in others), summary(result)


ALTERNATIVE = """
import jax
import jax.numpy as jnp
import numpy as np


def weight_decay_update(params, grads, eta, lam):
    def walk(p, g, name=None):
        if isinstance(p, dict):
            return {k: walk(p[k], g[k], k) for k in p}
        if isinstance(p, (list, tuple)):
            return type(p)(walk(a, b) for a, b in zip(p, g))
        p, g = np.asarray(p, np.float64), np.asarray(g, np.float64)
        return (1 - lam) * p - eta * g if name == "w" else p - eta * g
    return walk(params, grads)


def dropout(key, x, rate, train=True):
    if not train or rate == 0:
        return x
    u = jax.random.uniform(key, jnp.shape(x))      # another valid draw from the key
    return jnp.where(u >= rate, jnp.asarray(x) * (1.0 / (1.0 - rate)), 0.0)


def standardize_fit(X):
    X = [[float(v) for v in row] for row in np.asarray(X, np.float64)]
    n, d = len(X), len(X[0])
    mean = [sum(row[j] for row in X) / n for j in range(d)]
    var = [sum((row[j] - mean[j]) ** 2 for row in X) / n for j in range(d)]
    return np.array(mean), np.sqrt(np.array(var))


def standardize_apply(X, mean, std, eps=1e-8):
    return (jnp.asarray(X) - jnp.asarray(mean)) / (jnp.asarray(std) + eps)


def train_val_test_split(key, X, y, val_frac=0.2, test_frac=0.2):
    n = len(X)
    n_val, n_test = round(val_frac * n), round(test_frac * n)
    order = jax.random.permutation(key, n)
    X, y = jnp.asarray(X), jnp.asarray(y)
    val, test, train = order[:n_val], order[n_val:n_val + n_test], order[n_val + n_test:]
    return X[train], y[train], X[val], y[val], X[test], y[test]


def early_stopping(val_losses, patience):
    losses = [float(v) for v in np.asarray(val_losses).ravel()]
    best = 0
    epoch = 1
    bad = 0
    while epoch < len(losses):
        if losses[epoch] < losses[best]:
            best, bad = epoch, 0
        else:
            bad += 1
            if bad >= max(patience, 1):
                return best
        epoch += 1
    return best


def _train(X, y, hidden, k, seed, steps=2000, lr=1.0):
    # Plain full-batch gradient descent in numpy, sigmoid hidden layer, softmax output.
    r = np.random.default_rng(seed)
    W1 = r.normal(size=(X.shape[1], hidden)); b1 = np.zeros(hidden)
    W2 = r.normal(size=(hidden, k)) / np.sqrt(hidden); b2 = np.zeros(k)
    Y = np.eye(k)[y]
    for _ in range(steps):
        A = 1 / (1 + np.exp(-(X @ W1 + b1)))
        Z = A @ W2 + b2
        P = np.exp(Z - Z.max(axis=1, keepdims=True)); P /= P.sum(axis=1, keepdims=True)
        D = (P - Y) / len(X)
        DA = (D @ W2.T) * A * (1 - A)
        W2 -= lr * A.T @ D; b2 -= lr * D.sum(0); W1 -= lr * X.T @ DA; b1 -= lr * DA.sum(0)
    return W1, b1, W2, b2


def _loss(params, X, y):
    W1, b1, W2, b2 = params
    Z = (1 / (1 + np.exp(-(X @ W1 + b1)))) @ W2 + b2
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


def select_hidden_size(key, X_train, y_train, X_val, y_val, candidates):
    X_train, X_val = np.asarray(X_train, np.float64), np.asarray(X_val, np.float64)
    y_train, y_val = np.asarray(y_train), np.asarray(y_val)
    k = int(max(y_train.max(), y_val.max())) + 1
    seed = int(jax.random.randint(key, (), 0, 2**30))
    scores = {h: _loss(_train(X_train, y_train, int(h), k, seed), X_val, y_val) for h in candidates}
    return min(scores, key=scores.get)
"""


def test_correct_alternative_numpy_loops_and_plain_gradient_descent_passes():
    result = grade_source(EX, ALTERNATIVE)
    assert result.score == result.max_score, summary(result)


def test_selection_judge_reveals_the_best_candidate_in_public_checks_only():
    from dataclasses import replace

    import numpy as np

    from grader.course._ex11_judges import judge_selection
    from grader.course.common import case
    from grader.judging import redact

    data = (np.zeros((4, 2)), np.zeros(4), np.zeros((4, 2)), np.zeros(4))
    chosen = replace(case("a problem", "un problème", None, *data, [32, 2, 7]), secret=7)
    for wrong, en, fr in (
        (32, "but 7 has a clearly lower", "mais 7 a ici"),
        (2, "position of the best candidate", "position du meilleur candidat"),
    ):
        message = judge_selection([chosen], [wrong]).message
        for text, detail in ((message.en, en), (message.fr, fr)):
            public, hidden = redact(text, hidden=False), redact(text, hidden=True)
            assert detail in public and detail not in hidden, (public, hidden)
        assert "7" not in redact(message.en, hidden=True)
        assert "train each candidate" in redact(message.en, hidden=True)


def test_split_judge_reveals_the_expected_sizes_in_public_checks_only():
    import numpy as np

    from grader.course._ex11_judges import judge_split
    from grader.course.common import case
    from grader.judging import redact

    X, y = np.stack([np.arange(10.0), np.ones(10)], axis=1), np.arange(10.0)  # X[i, 0] = i
    split = case("10 examples", "10 exemples", None, X, y, 0.3, 0.2)  # (key, X, y, …)
    # Validation has 2 rows instead of round(0.3 · 10) = 3.
    out = [X[:5], y[:5], X[5:7], y[5:7], X[8:], y[8:]]
    message = judge_split([split], [out]).message
    for text, part in ((message.en, "; expected 3"), (message.fr, " ; attendu 3")):
        public, hidden = redact(text, hidden=False), redact(text, hidden=True)
        assert part in public and part not in hidden, (public, hidden)
        assert "round(val_frac·n)" in hidden
