"""Static checks see through aliases and tricks, follow helpers, and spare unrelated code."""

from __future__ import annotations

import pytest

from grader.static import StaticSyntaxError, find_forbidden, find_forbidden_in_source

AUTODIFF = (
    "jax.grad",
    "jax.vjp",
    "jax.value_and_grad",
    "optax.losses",
    "solutions",
    "jaxnn.losses",
)

CAUGHT = {
    "plain": "import jax\ndef f(x):\n    return jax.grad(g)(x)\n",
    "from_import_alias": "from jax import grad as g\ndef f(x):\n    return g(h)(x)\n",
    "module_alias": "import jax as j\ndef f(x):\n    return j.grad(h)(x)\n",
    "module_level_alias": "import jax\nG = jax.grad\ndef f(x):\n    return G(h)(x)\n",
    "helper_function": "import jax\ndef helper(x):\n    return jax.vjp(h, x)\ndef f(x):\n    return helper(x)\n",
    "lambda_at_module_level": "import jax\nL = lambda x: jax.grad(h)(x)\ndef f(x):\n    return L(x)\n",
    "import_in_function": "def f(x):\n    from jax import value_and_grad\n    return value_and_grad(h)(x)\n",
    "getattr_literal": "import jax\ndef f(x):\n    return getattr(jax, 'grad')(h)(x)\n",
    "star_import": "from jax import *\ndef f(x):\n    return grad(h)(x)\n",
    "patched_at_import": "import jax\nimport jax.numpy as jnp\njnp.cheat = jax.grad\ndef f(x):\n    return jnp.cheat(h)(x)\n",
    "solutions_import": "from solutions.ex08_backprop import backprop\ndef f(x):\n    return backprop(x)\n",
    "library_loss": "import optax\ndef f(x):\n    return optax.losses.l2_loss(x)\n",
    "class_method": "import jax\nclass K:\n    def go(self, x):\n        return jax.grad(h)(x)\ndef f(x):\n    return K().go(x)\n",
}
DYNAMIC = {
    "getattr_computed": "import jax\ndef f(x):\n    return getattr(jax, 'gr' + 'ad')(h)(x)\n",
    "dunder_import": "def f(x):\n    return __import__('jax').grad(h)(x)\n",
    "importlib": "import importlib\ndef f(x):\n    return importlib.import_module('jax').grad(h)(x)\n",
    "eval": "def f(x):\n    return eval('jax.grad')(h)(x)\n",
    "sys_modules": "import sys\ndef f(x):\n    return sys.modules['jax'].grad(h)(x)\n",
}
CLEAN = {
    "numpy_only": "import numpy as np\ndef f(x):\n    return 2 * np.asarray(x)\n",
    "autodiff_elsewhere": "import jax\ndef other(x):\n    return jax.grad(h)(x)\ndef f(x):\n    return x\n",
    "import_unused": "from jax import grad\nimport jax.numpy as jnp\ndef f(x):\n    return jnp.tanh(x)\n",
    "name_shadowing_string": "def f(x):\n    s = 'jax.grad'\n    return x\n",
    "main_guard": "import jax\ndef f(x):\n    return x\nif __name__ == '__main__':\n    print(jax.grad(f)(1.0))\n",
}


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_forbidden_uses_are_found(name):
    found = find_forbidden_in_source(CAUGHT[name], "f", AUTODIFF)
    assert any(x.kind == "forbidden" for x in found), found


@pytest.mark.parametrize("name", sorted(DYNAMIC))
def test_hiding_tricks_are_reported(name):
    found = find_forbidden_in_source(DYNAMIC[name], "f", AUTODIFF)
    assert found, name


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_code_passes(name):
    assert find_forbidden_in_source(CLEAN[name], "f", AUTODIFF) == []


def test_dynamic_tricks_allowed_when_the_check_says_so():
    assert find_forbidden_in_source(DYNAMIC["getattr_computed"], "f", AUTODIFF, dynamic=False) == []


def test_helpers_in_other_files_of_the_submission_are_followed(tmp_path):
    (tmp_path / "helpers.py").write_text("import jax\ndef my_grad(f):\n    return jax.grad(f)\n")
    (tmp_path / "ex08.py").write_text(
        "from helpers import my_grad\ndef f(x):\n    return my_grad(h)(x)\n"
    )
    found = find_forbidden(tmp_path / "ex08.py", "f", AUTODIFF)
    assert [(x.file, x.name, x.line) for x in found] == [("helpers.py", "jax.grad", 3)]


def test_syntax_error_is_reported_with_its_line(tmp_path):
    (tmp_path / "ex.py").write_text("def f(x):\n    return (x\n")
    with pytest.raises(StaticSyntaxError) as info:
        find_forbidden(tmp_path / "ex.py", "f", AUTODIFF)
    assert info.value.line >= 2
