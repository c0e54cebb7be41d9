"""jaxnn.train: fit, evaluate, predict, train_step."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxnn.data import load_digits, train_test_split
from jaxnn.train import EarlyStopping, evaluate, fit, predict, train_step

# Comparisons of the same quantity computed in different batchings. On GPUs and TPUs
# float32 matmuls default to TF32/bf16 passes, so the agreement there is only ~1e-3.
RTOL = 1e-5 if jax.default_backend() == "cpu" else 2e-2


def init_mlp(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        {"w": jax.random.normal(k, (a, b)) * jnp.sqrt(2.0 / a), "b": jnp.zeros(b)}
        for k, a, b in zip(keys, sizes[:-1], sizes[1:], strict=True)
    ]


def mlp_apply(params, x):
    for p in params[:-1]:
        x = jax.nn.relu(x @ p["w"] + p["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(flatten=True)
    return train_test_split(jax.random.key(0), X, y, 0.2)


def small_data(n=103, d=4, k=3, seed=0):
    kx, kw = jax.random.split(jax.random.key(seed))
    X = jax.random.normal(kx, (n, d))
    y = jnp.argmax(X @ jax.random.normal(kw, (d, k)), axis=1).astype(jnp.int32)
    return X, y


def test_fit_reaches_95_percent_on_digits(digits):
    Xtr, ytr, Xte, yte = digits
    params = init_mlp(jax.random.key(1), [64, 128, 10])
    params, history = fit(
        mlp_apply,
        params,
        (Xtr, ytr),
        loss="softmax_cross_entropy",
        optimizer=optax.adam(1e-3),
        epochs=25,
        batch_size=32,
        key=jax.random.key(2),
    )
    assert evaluate(mlp_apply, params, Xte, yte)["accuracy"] >= 0.95
    assert history["loss"][-1] < history["loss"][0] / 5
    assert set(history) == {"loss", "accuracy"}  # no validation: no val_ keys


class FlaxMLP(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Dense(64)(x))
        return nn.Dense(10)(x)


def test_flax_module_trains_through_fit(digits):
    Xtr, ytr, Xte, yte = digits
    model = FlaxMLP()
    variables = jax.jit(model.init)(jax.random.key(0), Xtr[:1])  # jit: compiles faster
    variables, history = fit(
        model.apply,
        variables,
        (Xtr, ytr),
        optimizer=optax.adam(3e-3),
        epochs=10,
        batch_size=64,
        key=jax.random.key(1),
        validation_split=0.2,
    )
    assert set(variables) == {"params"}
    assert evaluate(model.apply, variables, Xte, yte)["accuracy"] >= 0.9
    assert history["val_accuracy"][-1] >= 0.9
    logits = predict(model.apply, variables, Xte, batch_size=50)
    np.testing.assert_allclose(
        logits, model.apply(variables, Xte), rtol=max(RTOL, 1e-4), atol=max(RTOL, 1e-4)
    )


def test_history_lengths_and_keras_validation_split():
    X, y = small_data(n=100)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    _, history = fit(
        mlp_apply,
        params,
        (X, y),
        optimizer=optax.sgd(0.0),  # params never move: the losses are those of `params`
        epochs=3,
        batch_size=16,
        key=jax.random.key(1),
        validation_split=0.25,
    )
    assert list(history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 3 for v in history.values())
    # Keras: the first int(100 · 0.75) = 75 examples train, the last 25 validate.
    on_train = evaluate(mlp_apply, params, X[:75], y[:75])
    on_val = evaluate(mlp_apply, params, X[75:], y[75:])
    np.testing.assert_allclose(history["loss"], [on_train["loss"]] * 3, rtol=RTOL)
    np.testing.assert_allclose(history["val_loss"], [on_val["loss"]] * 3, rtol=RTOL)
    np.testing.assert_allclose(history["val_accuracy"][0], on_val["accuracy"])
    assert on_train["loss"] != pytest.approx(evaluate(mlp_apply, params, X, y)["loss"])


def test_partial_last_batch_counts_every_example_once():
    X, y = small_data(n=103)  # 103 = 6 · 16 + 7
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    _, history = fit(
        mlp_apply,
        params,
        (X, y),
        optimizer=optax.sgd(0.0),
        epochs=2,
        batch_size=16,
        key=jax.random.key(1),
    )
    full = evaluate(mlp_apply, params, X, y, batch_size=1000)
    # With a zero learning rate the epoch loss is the plain mean over all 103 examples:
    # the 7-example batch weighs 7/103, not 1/7 of the epoch.
    np.testing.assert_allclose(history["loss"], [full["loss"]] * 2, rtol=RTOL)
    np.testing.assert_allclose(history["accuracy"], [full["accuracy"]] * 2, rtol=1e-6)
    # evaluate with a partial last batch agrees too.
    np.testing.assert_allclose(
        evaluate(mlp_apply, params, X, y, batch_size=10)["loss"], full["loss"], rtol=RTOL
    )


def test_last_batch_gradient_is_the_mean_over_its_own_examples():
    # Linear regression, no shuffle, N = 5, batch 3: step 1 on rows 0-2, step 2 on rows 3-4.
    X = jnp.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    y = jnp.array([[2.0], [1.0], [0.0], [3.0], [-1.0]])
    apply = lambda p, x: x @ p["w"] + p["b"]
    loss = lambda out, t: jnp.mean((out - t) ** 2)
    p0 = {"w": jnp.array([[0.5]]), "b": jnp.array([0.1])}
    lr = 0.05
    params, _ = fit(
        apply,
        p0,
        (X, y),
        loss=loss,
        optimizer=optax.sgd(lr),
        epochs=1,
        batch_size=3,
        key=jax.random.key(0),
        shuffle=False,
    )
    expected = p0
    for rows in (slice(0, 3), slice(3, 5)):
        g = jax.grad(lambda p, rows=rows: loss(apply(p, X[rows]), y[rows]))(expected)
        expected = jax.tree.map(lambda p, g: p - lr * g, expected, g)
    for k in ("w", "b"):
        np.testing.assert_allclose(params[k], expected[k], rtol=RTOL)


def test_no_recompilation_across_epochs():
    traces = []

    def counting_apply(params, x):
        traces.append(1)  # runs only while jax traces the function
        return mlp_apply(params, x)

    X, y = small_data(n=103)
    Xv, yv = small_data(n=21, seed=1)
    kwargs = dict(batch_size=16, key=jax.random.key(0), validation_data=(Xv, yv))
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    # A new optimizer object each time: a fresh compiled epoch (the same object would reuse
    # the first call's; see test_second_fit_reuses_the_compiled_epoch).
    fit(counting_apply, params, (X, y), epochs=1, optimizer=optax.adam(1e-3), **kwargs)
    one_epoch = len(traces)
    traces.clear()
    fit(counting_apply, params, (X, y), epochs=4, optimizer=optax.adam(1e-3), **kwargs)
    assert len(traces) == one_epoch
    # Full-batch step, remainder step, and the same two for validation: 4 traces, plus one
    # on the CPU, where fit looks for convolutions to choose its epoch mode.
    assert one_epoch <= 4 + (jax.default_backend() == "cpu")


def test_train_and_key_are_passed_only_to_apply_fns_that_take_them():
    calls = []
    seen_keys = []

    def jaxnn_style(params, x, *, train=False, key=None):
        calls.append((train, key is not None))
        if key is not None:
            jax.debug.callback(lambda k: seen_keys.append(np.asarray(k).tobytes()), _data(key))
        return mlp_apply(params, x)

    X, y = small_data(n=40)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    params, _ = fit(
        jaxnn_style,
        params,
        (X, y),
        optimizer=optax.sgd(0.1),
        epochs=3,
        batch_size=16,  # 3 steps per epoch (16, 16, 8)
        key=jax.random.key(0),
        validation_data=(X, y),
    )
    assert (True, True) in calls and (False, False) in calls  # train with key, eval without
    assert (True, False) not in calls and (False, True) not in calls
    # One fresh key per step, never reused: 3 epochs x 3 steps = 9 distinct keys.
    assert len(seen_keys) == 9 and len(set(seen_keys)) == 9
    calls.clear()
    predict(jaxnn_style, params, X)
    assert calls == [(False, False)] * len(calls) and calls

    # A plain apply_fn(params, x) and a **kwargs one get no extra keywords at all.
    def strict(params, x, **kwargs):
        assert not kwargs, kwargs
        return mlp_apply(params, x)

    fit(strict, params, (X, y), optimizer=optax.sgd(0.1), epochs=1, key=jax.random.key(0))


def _data(key):
    return jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key


def test_apply_kwargs_hook_for_flax_dropout(digits):
    class Dropper(nn.Module):
        @nn.compact
        def __call__(self, x, deterministic: bool = True):
            x = nn.relu(nn.Dense(64)(x))
            x = nn.Dropout(0.5)(x, deterministic=deterministic)
            return nn.Dense(10)(x)

    Xtr, ytr, Xte, yte = digits
    model = Dropper()
    variables = jax.jit(model.init)(jax.random.key(0), Xtr[:1])  # jit: compiles faster
    hook = lambda train, key: {"deterministic": False, "rngs": {"dropout": key}} if train else {}
    variables, history = fit(
        model.apply,
        variables,
        (Xtr, ytr),
        optimizer=optax.adam(3e-3),
        epochs=5,
        batch_size=64,
        key=jax.random.key(1),
        apply_kwargs=hook,
    )
    assert evaluate(model.apply, variables, Xte, yte, apply_kwargs=hook)["accuracy"] > 0.85
    # Dropout is on in training, off in evaluation: training accuracy is lower.
    train_eval = evaluate(model.apply, variables, Xtr, ytr, apply_kwargs=hook)["accuracy"]
    assert history["accuracy"][-1] < train_eval


def conflicting_data():
    # Validation labels are the opposite of the training labels: as training improves,
    # val_loss only gets worse, so the best epoch is the first.
    X, y = small_data(n=64, k=2)
    return (X, y), (X, 1 - y)


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_stops_and_restores_best(restore_best):
    train, val = conflicting_data()
    params, history = fit(
        mlp_apply,
        init_mlp(jax.random.key(0), [4, 8, 2]),
        train,
        optimizer=optax.adam(1e-2),
        epochs=50,
        batch_size=16,
        key=jax.random.key(1),
        validation_data=val,
        early_stopping=EarlyStopping(patience=3, restore_best=restore_best),
    )
    vl = history["val_loss"]
    best = int(np.argmin(vl))
    assert len(vl) == best + 1 + 3 < 50  # stopped `patience` epochs after the best
    got = evaluate(mlp_apply, params, *val)["loss"]
    # Without restoring, the params are the last epoch's, and val_loss was computed with
    # the params at the end of that epoch.
    np.testing.assert_allclose(got, vl[best] if restore_best else vl[-1], rtol=RTOL)


def test_early_stopping_min_delta_and_monitor_checks():
    X, y = small_data(n=64)
    common = dict(optimizer=optax.adam(1e-3), batch_size=16, key=jax.random.key(0))
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    # Only the first epoch beats +inf by more than a huge min_delta: stop after 1 + 2.
    _, history = fit(
        mlp_apply,
        params,
        (X, y),
        epochs=20,
        early_stopping=EarlyStopping(patience=2, min_delta=100.0, monitor="loss"),
        **common,
    )
    assert len(history["loss"]) == 3
    with pytest.raises(ValueError, match="Pass validation_data or validation_split"):
        fit(mlp_apply, params, (X, y), epochs=2, early_stopping=2, **common)


def test_loss_by_name_equals_the_same_loss_as_a_callable():
    X, y = small_data(n=50)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    ce = lambda logits, labels: optax.softmax_cross_entropy_with_integer_labels(
        logits, labels
    ).mean()
    by_name = evaluate(mlp_apply, params, X, y, loss="softmax_cross_entropy", batch_size=16)
    by_fn = evaluate(mlp_apply, params, X, y, loss=ce, batch_size=16)
    assert by_name == pytest.approx(by_fn, rel=RTOL)
    np.testing.assert_allclose(by_name["loss"], ce(mlp_apply(params, X), y), rtol=RTOL)
    with pytest.raises(ValueError, match=r"Unknown loss 'cross_entropy'.*softmax_cross_entropy"):
        fit(
            mlp_apply,
            params,
            (X, y),
            loss="cross_entropy",
            optimizer=optax.sgd(0.1),
            key=jax.random.key(0),
        )


def test_binary_loss_name_reports_accuracy():
    X, y = small_data(n=64, k=2)
    params = init_mlp(jax.random.key(0), [4, 8, 1])
    params, history = fit(
        mlp_apply,
        params,
        (X, y),
        loss="sigmoid_binary_cross_entropy",
        optimizer=optax.adam(1e-2),
        epochs=30,
        batch_size=16,
        key=jax.random.key(0),
    )
    assert history["accuracy"][-1] > 0.85
    logits = predict(mlp_apply, params, X)
    assert logits.shape == (64, 1)
    np.testing.assert_allclose(
        evaluate(mlp_apply, params, X, y, loss="sigmoid_binary_cross_entropy")["accuracy"],
        np.mean((np.asarray(logits[:, 0]) > 0) == np.asarray(y)),
    )


def test_callers_params_stay_valid_despite_donation(capsys):
    X, y = small_data(n=32)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    before = jax.tree.map(np.array, params)
    new, _ = fit(mlp_apply, params, (X, y), optimizer=optax.sgd(0.1), key=jax.random.key(0))
    assert capsys.readouterr().out == ""  # progress=None off a terminal: silent
    for old, kept in zip(jax.tree.leaves(before), jax.tree.leaves(params), strict=True):
        assert not kept.is_deleted()
        np.testing.assert_array_equal(kept, old)
    assert not np.allclose(jax.tree.leaves(new)[0], jax.tree.leaves(before)[0])


def test_progress_lines_off_a_terminal(capsys):
    X, y = small_data(n=32)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    fit(
        mlp_apply,
        params,
        (X, y),
        optimizer=optax.sgd(0.1),
        epochs=2,
        batch_size=16,
        key=jax.random.key(0),
        progress=True,
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("Epoch 2/2") and "loss:" in lines[1]


def test_callback_can_stop_training(capsys):
    X, y = small_data(n=32)
    seen = []
    _, history = fit(
        mlp_apply,
        init_mlp(jax.random.key(0), [4, 8, 3]),
        (X, y),
        optimizer=optax.sgd(0.1),
        epochs=10,
        key=jax.random.key(0),
        callback=lambda epoch, logs: seen.append(epoch) or epoch == 2,
        progress=False,
    )
    assert seen == [0, 1, 2] and len(history["loss"]) == 3
    assert capsys.readouterr().out == ""


def test_argument_errors_are_clear():
    X, y = small_data(n=32)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    ok = dict(optimizer=optax.sgd(0.1), key=jax.random.key(0))
    with pytest.raises(ValueError, match="not both"):
        fit(mlp_apply, params, (X, y), validation_data=(X, y), validation_split=0.2, **ok)
    with pytest.raises(ValueError, match=r"key must be a jax\.random\.key"):
        fit(mlp_apply, params, (X, y), optimizer=optax.sgd(0.1), key=0)
    with pytest.raises(ValueError, match="optax GradientTransformation"):
        fit(mlp_apply, params, (X, y), optimizer="adam", key=jax.random.key(0))
    with pytest.raises(ValueError, match="validation_split must be in"):
        fit(mlp_apply, params, (X, y), validation_split=1.5, **ok)
    with pytest.raises(ValueError, match="pair"):
        fit(mlp_apply, params, X, **ok)
    with pytest.raises(ValueError, match="leading"):
        fit(mlp_apply, params, (X, y[:10]), **ok)
    with pytest.raises(ValueError, match="expected a scalar"):
        fit(mlp_apply, params, (X, y), loss=lambda o, t: o, **ok)


def test_train_step_is_a_pure_jittable_step():
    X, y = small_data(n=32)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    optimizer = optax.adam(1e-2)
    step = jax.jit(train_step(mlp_apply, "softmax_cross_entropy", optimizer))
    opt_state = optimizer.init(params)
    first = None
    for _ in range(20):
        params, opt_state, logs = step(params, opt_state, X, y)
        first = first if first is not None else float(logs["loss"])
    assert set(logs) == {"loss", "accuracy"}
    assert float(logs["loss"]) < first


def test_with_jaxnn_layers_when_available(digits):
    models = pytest.importorskip("jaxnn.models")
    if not hasattr(models, "mlp"):
        pytest.skip("jaxnn.models.mlp not written yet")
    Xtr, ytr, Xte, yte = digits
    net = models.mlp([64, 64, 10])
    _, params = net.init(jax.random.key(0), (None, 64))
    params, _ = fit(
        net.apply,
        params,
        (Xtr, ytr),
        optimizer=optax.adam(3e-3),
        epochs=10,
        batch_size=64,
        key=jax.random.key(1),
    )
    assert evaluate(net.apply, params, Xte, yte)["accuracy"] >= 0.9


# ---------------------------------------------------------------------------------------
# Speed and memory: what fit does not do (compile again, sync per step, copy the data).


@pytest.fixture
def xla_compiles():
    """Names of the functions XLA compiles while the test runs (``jit(_epoch)``, ...)."""
    names = []

    def listener(event, duration, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            names.append(kwargs.get("fun_name", "?"))

    jax.monitoring.register_event_duration_secs_listener(listener)
    yield names
    jax.monitoring.unregister_event_duration_listener(listener)


def test_xla_compiles_the_epoch_once_whatever_the_epochs(xla_compiles):
    X, y = small_data(n=103)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    kwargs = dict(batch_size=16, key=jax.random.key(0), validation_split=0.2)
    # Fresh optimizer objects: each fit compiles its own epoch function, exactly once.
    fit(mlp_apply, params, (X, y), epochs=1, optimizer=optax.adam(1e-3), **kwargs)
    assert xla_compiles.count("jit(_epoch)") == 1
    xla_compiles.clear()
    fit(mlp_apply, params, (X, y), epochs=6, optimizer=optax.adam(1e-3), **kwargs)
    assert xla_compiles.count("jit(_epoch)") == 1  # 6 epochs, one compilation


def test_second_fit_reuses_the_compiled_epoch(xla_compiles):
    traces = []

    def counting_apply(params, x):
        traces.append(1)  # runs only while jax traces the function
        return mlp_apply(params, x)

    X, y = small_data(n=103)
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    kwargs = dict(optimizer=optax.adam(1e-3), batch_size=16, key=jax.random.key(0))
    first, _ = fit(counting_apply, params, (X, y), epochs=2, **kwargs)
    assert traces and "jit(_epoch)" in xla_compiles
    traces.clear()
    xla_compiles.clear()
    # Same apply_fn, loss, optimizer object and shapes: no tracing, no XLA compilation at
    # all (like calling a hand-written jitted loop again), and the same result.
    again, _ = fit(counting_apply, params, (X, y), epochs=2, **kwargs)
    assert traces == [] and xla_compiles == []
    for a, b in zip(jax.tree.leaves(first), jax.tree.leaves(again), strict=True):
        np.testing.assert_array_equal(a, b)
    # Other shapes compile anew (the cache is keyed on them).
    fit(counting_apply, params, (X[:50], y[:50]), epochs=1, **kwargs)
    assert traces and xla_compiles.count("jit(_epoch)") == 1


def test_no_implicit_transfer_and_one_host_sync_per_epoch(monkeypatch):
    X, y = small_data(n=1000)  # on device; 90 training steps of 10 per epoch
    params = init_mlp(jax.random.key(0), [4, 8, 3])
    gets = []
    device_get = jax.device_get
    monkeypatch.setattr(jax, "device_get", lambda x: gets.append(1) or device_get(x))
    key = jax.random.key(1)  # made outside the guard: jax.random.key(1) sends the 1
    # "disallow": any implicit host<->device transfer raises (float(loss), np.asarray of
    # a device array, a Python scalar sent to the device...); explicit ones are allowed.
    with jax.transfer_guard("disallow"):
        _, history = fit(
            mlp_apply,
            params,
            (X, y),
            optimizer=optax.adam(1e-2),
            epochs=3,
            batch_size=10,
            key=key,
            validation_split=0.1,
            early_stopping=EarlyStopping(patience=5),
        )
    assert len(history["loss"]) == 3
    assert len(gets) == 3  # one explicit device_get per epoch, not one per step


def test_fit_holds_one_float32_copy_of_the_data():
    n, d = 20_000, 128
    rng = np.random.default_rng(0)
    X64 = rng.standard_normal((n, d))  # numpy float64 on the host
    y = rng.integers(0, 10, n).astype(np.int32)
    params = init_mlp(jax.random.key(0), [d, 64, 10])
    param_bytes = sum(a.nbytes for a in jax.tree.leaves(params))
    data_bytes = n * d * 4  # float32 on the device
    optimizer = optax.adam(1e-3)

    def new_arrays_during_fit(data, **kwargs):
        before = jax.live_arrays()  # kept alive: their ids cannot be reused
        known = {id(a) for a in before}
        seen = []

        def callback(epoch, logs):
            seen.append([a for a in jax.live_arrays() if id(a) not in known])

        fit(mlp_apply, params, data, optimizer=optimizer, epochs=2, batch_size=500,
            key=jax.random.key(1), callback=callback, **kwargs)  # fmt: skip
        return seen

    # numpy float64 in: exactly one float32 copy on the device, no float64 anywhere,
    # nothing else but params and Adam's two moments (plus small scalars).
    for arrays in new_arrays_during_fit((X64, y)):
        assert [a.shape for a in arrays if a.shape[:1] == (n,) and a.ndim == 2] == [(n, d)]
        assert not [a for a in arrays if a.dtype == jnp.float64]
        assert sum(a.nbytes for a in arrays) <= data_bytes + y.nbytes + 3 * param_bytes + 1024
    # jax arrays in, with a validation split: fit shares the caller's arrays (the split is
    # a range of rows): no copy of the data at all.
    Xj, yj = jnp.asarray(X64, jnp.float32), jnp.asarray(y)
    for arrays in new_arrays_during_fit((Xj, yj), validation_split=0.2):
        assert sum(a.nbytes for a in arrays) <= 3 * param_bytes + 1024

    # Inside the compiled epoch: no shuffled copy of the data (batches are gathered by
    # index), and params and optimizer state are donated (their buffers are reused for the
    # outputs). XLA's temporaries must not grow with the data: compiled for n and for 2n
    # examples, they differ by a small fraction of the added data (a backend's fixed
    # workspaces, e.g. a GPU's, cancel out).
    from jaxnn.sharding import Placement
    from jaxnn.train import _call_rule, _epoch_function, _EpochConfig

    def analysis(rows):
        cfg = _EpochConfig(
            n=rows,
            batch_size=500,
            shuffle=True,
            drop_last=False,
            n_val=0,
            val_start=0,
            eval_batch_size=500,
        )
        fn = _epoch_function(
            mlp_apply, _call_rule(mlp_apply, None), "softmax_cross_entropy", optimizer, cfg,
            Placement(),
        )  # fmt: skip
        data = (jnp.zeros((rows, d), jnp.float32), jnp.zeros((rows,), jnp.int32))
        compiled = fn.lower(params, optimizer.init(params), jax.random.key(0), data, None).compile()
        return compiled, compiled.memory_analysis()

    (compiled, stats), (_, stats2) = analysis(n), analysis(2 * n)
    if stats is None or stats2 is None:
        pytest.skip("this backend reports no memory analysis")
    state_bytes = param_bytes + sum(a.nbytes for a in jax.tree.leaves(optimizer.init(params)))
    assert stats2.temp_size_in_bytes - stats.temp_size_in_bytes < 0.1 * data_bytes
    assert stats.alias_size_in_bytes >= state_bytes - 16  # donated: updated in place
    assert "callback" not in compiled.as_text()  # nothing calls back to the host per step


def _small_cnn():
    from jaxnn.layers import conv2d, dense, dropout, flatten, max_pool, relu, serial

    return serial(conv2d(4, 3), relu, max_pool(2), flatten(), dropout(0.25), dense(3))


def test_steps_and_scan_epochs_give_the_same_training():
    # The per-step mode (chosen on CPU for convolutions) takes the same steps, in the same
    # order, with the same keys: same params and history as the scan, remainder and
    # validation included.
    model = _small_cnn()
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(70, 6, 6, 1)).astype(np.float32)
    y = rng.integers(0, 3, 70).astype(np.int32)
    _, params = model.init(jax.random.key(0), (None, 6, 6, 1))
    runs = {}
    for mode in ("scan", "steps"):
        runs[mode] = fit(
            model.apply,
            params,
            (X, y),
            optimizer=optax.adam(1e-2),
            epochs=3,
            batch_size=16,
            key=jax.random.key(1),
            validation_split=0.2,
            epoch_mode=mode,
            progress=False,
        )
    jax.tree.map(
        lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6),
        runs["scan"][0],
        runs["steps"][0],
    )
    for k in runs["scan"][1]:
        np.testing.assert_allclose(runs["scan"][1][k], runs["steps"][1][k], rtol=1e-5)


def test_auto_epoch_mode_steps_for_cpu_convolutions_only():
    from jaxnn.models import mlp
    from jaxnn.sharding import Placement
    from jaxnn.train import _call_rule, _steps_pay_off

    def pays(model, shape):
        _, params = model.init(jax.random.key(0), (None, *shape))
        opt = optax.sgd(0.1)
        data = (jnp.zeros((8, *shape)), jnp.zeros((8,), jnp.int32))
        rule = _call_rule(model.apply, None)
        return _steps_pay_off(
            model.apply,
            rule,
            "softmax_cross_entropy",
            opt,
            Placement(),
            params,
            opt.init(params),
            data,
            4,
        )

    assert pays(_small_cnn(), (6, 6, 1)) == (jax.default_backend() == "cpu")
    assert not pays(mlp([5, 8, 3]), (5,))


def test_bad_epoch_mode_is_refused_with_the_choices():
    from jaxnn.models import mlp

    model = mlp([4, 3])
    _, params = model.init(jax.random.key(0), (None, 4))
    with pytest.raises(ValueError, match="'auto', 'scan' or 'steps'"):
        fit(
            model.apply,
            params,
            (np.zeros((8, 4)), np.zeros(8, np.int32)),
            optimizer=optax.sgd(0.1),
            key=jax.random.key(0),
            epoch_mode="loop",
        )
