"""The generic drivers of grader/sandboxed/drivers/generic.py."""

from __future__ import annotations

import numpy as np

from grader.sandboxed import drivers


def test_keeps_input_reports_an_in_place_change_of_the_watched_input():
    run = drivers.get_driver("keeps_input")

    def relu_in_place(z):
        z[z < 0] = 0
        return z

    z = np.array([-1.0, np.nan, 2.0])
    out = run(lambda z: np.maximum(z, 0), z)
    assert set(out) == {"output", "input_left_unchanged"}
    assert out["input_left_unchanged"] is True  # a NaN left as it is counts as unchanged
    assert out["output"][2] == 2.0
    assert run(relu_in_place, np.array([-1.0, 2.0]))["input_left_unchanged"] is False


def test_keeps_input_options_name_the_input_and_the_keys():
    run = drivers.get_driver("keeps_input")

    def descent_in_place(grad_fn, x0, steps):
        for _ in range(steps):
            x0 -= grad_fn(x0)
        return [x0]

    options = {"watch_arg": 1, "output_key": "path", "flag_key": "x0_left_unchanged"}
    out = run(descent_in_place, lambda x: 0.5 * x, np.ones(2), 2, **options)
    assert out["x0_left_unchanged"] is False
    assert np.allclose(out["path"][0], 0.25)
    out = run(lambda g, x0, steps: [x0 - g(x0)], lambda x: x, np.ones(2), 1, **options)
    assert out["x0_left_unchanged"] is True
