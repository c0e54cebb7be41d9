"""jaxnn.parallel: data-parallel fit over a mesh, init_distributed.

XLA reads ``XLA_FLAGS`` once, when JAX starts its CPU backend, and pytest has already
started it with one device; the 4-device checks therefore run in a fresh Python process
with ``--xla_force_host_platform_device_count=4`` (CPU devices that behave like 4
accelerators for sharding). Multi-host training cannot be tested on one machine: only
``init_distributed``'s single-process no-op and its decision rule are.
"""

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.sharding import PartitionSpec as P

from jaxnn import parallel
from jaxnn.train import fit

# Runs in the 4-device subprocess; prints one JSON object of facts the test asserts on.
CHILD = textwrap.dedent(
    """
    import json, re
    import jax, jax.numpy as jnp, numpy as np, optax
    from jaxnn import parallel
    from jaxnn.sharding import Placement
    from jaxnn.train import _call_rule, _epoch_function, _EpochConfig, fit

    out = {"devices": len(jax.devices())}
    mesh = parallel.data_mesh()
    rng = np.random.default_rng(0)  # numpy: no op-by-op compilations to wait for
    w_true = rng.standard_normal((5, 3))
    X = rng.standard_normal((103, 5)).astype(np.float32)  # 103 = 6 batches of 16 + 7
    y = np.argmax(X @ w_true, axis=1).astype(np.int32)
    Xv = rng.standard_normal((22, 5)).astype(np.float32)  # 22 = 2 eval batches of 8 + 6
    yv = np.argmax(Xv @ w_true, axis=1).astype(np.int32)
    params = jax.device_put([
        {"w": rng.standard_normal((5, 16)).astype(np.float32) * 0.5, "b": np.zeros(16, np.float32)},
        {"w": rng.standard_normal((16, 3)).astype(np.float32) * 0.5, "b": np.zeros(3, np.float32)},
    ])
    seen = []

    def apply(p, x, *, train=False, key=None):
        # At compile time: how the batch is laid out across the devices.
        jax.debug.inspect_array_sharding(
            x,
            callback=lambda s, shape=x.shape: seen.append(
                [list(shape), list(s.shard_shape(shape)), s.is_fully_replicated]
            ),
        )
        h = jax.nn.relu(x @ p[0]["w"] + p[0]["b"])
        if train:  # dropout: per-step keys must match single-device training too
            h = jnp.where(jax.random.bernoulli(key, 0.8, h.shape), h / 0.8, 0.0)
        return h @ p[1]["w"] + p[1]["b"]

    data_layout = set()

    def callback(epoch, logs):
        for a in jax.live_arrays():
            if a.ndim and a.shape[0] == 104:  # the training set, padded to 4 x 26 rows
                data_layout.add((a.shape[0], a.sharding.shard_shape(a.shape)[0]))

    opt = optax.adam(1e-2)
    kwargs = dict(optimizer=opt, epochs=3, batch_size=16, key=jax.random.key(1),
                  validation_data=(Xv, yv), eval_batch_size=8)
    p1, h1 = fit(apply, params, (X, y), **kwargs)
    seen.clear()
    p4, h4 = fit(apply, params, (X, y), mesh=mesh, callback=callback, **kwargs)
    out["callers_params_alive"] = not any(a.is_deleted() for a in jax.tree.leaves(params))
    fit(apply, p4, (X, y), mesh=mesh, **kwargs)  # params already replicated: still copied
    out["replicated_params_alive"] = not any(a.is_deleted() for a in jax.tree.leaves(p4))
    out["single"] = [np.asarray(a).ravel().tolist() for a in jax.tree.leaves(p1)]
    out["mesh"] = [np.asarray(a).ravel().tolist() for a in jax.tree.leaves(p4)]
    out["history"] = [h1, h4]
    out["batches"] = sorted(map(list, {(tuple(a), tuple(b), c) for a, b, c in seen}))
    out["data_layout"] = sorted(map(list, data_layout))
    out["param_specs"] = sorted({str(a.sharding.spec) for a in jax.tree.leaves(p4)})
    out["param_devices"] = sorted({len(a.sharding.device_set) for a in jax.tree.leaves(p4)})

    # The compiled epoch (the one fit just used, from the cache): XLA's collectives.
    place = Placement(mesh)
    cfg = _EpochConfig(n=103, batch_size=16, shuffle=True, drop_last=False, n_val=22,
                       val_start=0, eval_batch_size=8)
    fn = _epoch_function(apply, _call_rule(apply, None), "softmax_cross_entropy", opt, cfg, place)
    args = (place.copy(params), place.copy(opt.init(params)), place.put(jax.random.key(1)),
            place.examples((X, y)), place.examples((Xv, yv)))
    hlo = fn.lower(*args).compile().as_text()
    out["collectives"] = sorted(set(re.findall(r"(all-reduce|all-gather|all-to-all)\\(", hlo)))

    # parallel.fit: every device by default (an equal mesh: the compiled epoch is reused).
    p_default, h_default = parallel.fit(apply, params, (X, y), **kwargs)
    out["default_devices"] = len(jax.tree.leaves(p_default)[0].sharding.device_set)
    out["default_same"] = h_default == h4

    out["errors"] = []
    for bad in (dict(batch_size=30), dict(batch_size=16, eval_batch_size=10)):
        try:
            fit(apply, params, (X, y), mesh=mesh, optimizer=optax.sgd(0.1),
                key=jax.random.key(0), **bad)
            out["errors"].append(None)
        except ValueError as e:
            out["errors"].append(str(e))
    try:
        parallel.shard(X, mesh)
        out["errors"].append(None)
    except ValueError as e:
        out["errors"].append(str(e))
    print("RESULT " + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def four_devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


def test_four_devices_are_seen(four_devices):
    assert four_devices["devices"] == 4


def test_same_seed_same_params_as_single_device(four_devices):
    for single, sharded in zip(four_devices["single"], four_devices["mesh"], strict=True):
        np.testing.assert_allclose(sharded, single, rtol=1e-5, atol=1e-6)
    assert four_devices["callers_params_alive"]  # fit donates its own replicated copies
    assert four_devices["replicated_params_alive"]
    h1, h4 = four_devices["history"]
    assert list(h1) == list(h4) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    for k in h1:
        np.testing.assert_allclose(h4[k], h1[k], rtol=1e-5, atol=1e-6)


def test_batches_are_split_across_the_devices(four_devices):
    layouts = {tuple(shape): (tuple(shard), replicated) for shape, shard, replicated in four_devices["batches"]}  # fmt: skip
    # Full training batches of 16 and evaluation batches of 8: a quarter per device.
    assert layouts[(16, 5)] == ((4, 5), False)
    assert layouts[(8, 5)] == ((2, 5), False)
    # The remainders (103 mod 16 = 7, 22 mod 8 = 6) do not divide by 4: replicated.
    assert layouts[(7, 5)] == ((7, 5), True)
    assert layouts[(6, 5)] == ((6, 5), True)
    # The data set is split by rows once (one copy over the mesh, padded to 4 x 26)...
    assert four_devices["data_layout"] == [[104, 26]]
    # ...params come back replicated on all 4 devices, and XLA averages the gradients
    # with its own all-reduce (no hand-written collective in jaxnn).
    assert four_devices["param_specs"] == [str(P())]
    assert four_devices["param_devices"] == [4]
    assert "all-reduce" in four_devices["collectives"]
    assert four_devices["default_devices"] == 4 and four_devices["default_same"]


def test_indivisible_batch_sizes_are_clear_errors(four_devices):
    batch, evaluation, shard = four_devices["errors"]
    assert batch is not None and "batch_size=30" in batch and "4 devices" in batch
    assert "batch_size=28" in batch and "batch_size=32" in batch  # what to choose
    assert evaluation is not None and "eval_batch_size=10" in evaluation
    assert "eval_batch_size=8" in evaluation and "eval_batch_size=12" in evaluation
    assert shard is not None and "103" in shard and "multiple of 4" in shard


# ---------------------------------------------------------------------------------------
# In this process (one CPU device).


def _clear_launcher_env(monkeypatch):
    for var in (
        "JAX_COORDINATOR_ADDRESS",
        "SLURM_STEP_NUM_TASKS",
        "SLURM_NTASKS",
        "OMPI_COMM_WORLD_SIZE",
        "PMI_SIZE",
        "TPU_WORKER_HOSTNAMES",
    ):
        monkeypatch.delenv(var, raising=False)


def test_init_distributed_is_a_noop_on_one_process(monkeypatch):
    _clear_launcher_env(monkeypatch)
    calls = []
    monkeypatch.setattr(jax.distributed, "initialize", lambda *a, **k: calls.append((a, k)))
    assert parallel.init_distributed() is False
    assert parallel.init_distributed(num_processes=1) is False
    assert calls == [] and not jax.distributed.is_initialized()
    with pytest.raises(ValueError, match="positive integer"):
        parallel.init_distributed(num_processes=0)
    # A launcher that says there are several processes, or explicit arguments: initialize.
    monkeypatch.setenv("SLURM_NTASKS", "2")
    assert parallel.init_distributed() is True
    _clear_launcher_env(monkeypatch)
    assert parallel.init_distributed("10.0.0.1:1234", 2, 1) is True
    assert calls == [((None, None, None), {}), (("10.0.0.1:1234", 2, 1), {})]


def test_one_device_mesh_trains_like_no_mesh():
    mesh = parallel.data_mesh()
    assert mesh.size == len(jax.devices()) == 1 and mesh.axis_names == ("data",)
    kx, kw = jax.random.split(jax.random.key(0))
    X = jax.random.normal(kx, (50, 4))
    y = jnp.argmax(X @ jax.random.normal(kw, (4, 3)), axis=1)
    params = {"w": jnp.zeros((4, 3)), "b": jnp.zeros(3)}
    apply = lambda p, x: x @ p["w"] + p["b"]
    kwargs = dict(optimizer=optax.sgd(0.5), epochs=2, batch_size=7, key=jax.random.key(1))
    plain, _ = fit(apply, params, (X, y), **kwargs)
    meshed, _ = parallel.fit(apply, params, (X, y), **kwargs)
    for a, b in zip(jax.tree.leaves(plain), jax.tree.leaves(meshed), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    assert meshed["w"].sharding.spec == P()


def test_helpers_place_and_check():
    mesh = parallel.data_mesh()
    placed = parallel.shard({"x": np.ones((6, 2)), "y": np.arange(6)}, mesh)
    assert placed["x"].sharding == parallel.batch_sharding(mesh)
    assert placed["x"].dtype == jnp.float32  # float64 numpy becomes float32 (x64 off)
    copy = parallel.replicate(placed, mesh)
    assert copy["x"].sharding == parallel.replicated(mesh)
    assert copy["x"].unsafe_buffer_pointer() != placed["x"].unsafe_buffer_pointer()
    assert parallel.check_batch_size(7, mesh) == 7  # one device divides everything
    with pytest.raises(ValueError, match="Mesh"):
        fit(lambda p, x: x, {}, (np.ones((4, 1)), np.ones(4)), optimizer=optax.sgd(0.1),
            key=jax.random.key(0), mesh="all")  # fmt: skip
    with pytest.raises(ValueError, match="no devices"):
        parallel.data_mesh([])
