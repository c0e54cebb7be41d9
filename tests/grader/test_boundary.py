"""The trust boundary is a folder: ``grader/sandboxed`` runs in the sandbox on its own."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import grader

GRADER = Path(grader.__file__).resolve().parent
BOUNDARY = GRADER / "sandboxed"


def _grader_imports(path: Path) -> set[str]:
    """Every ``grader...`` module that ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "grader"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "grader":
                found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_no_module_of_the_boundary_imports_the_rest_of_the_grader():
    outside = {
        f"{path.relative_to(GRADER)}: {name}"
        for path in BOUNDARY.rglob("*.py")
        for name in _grader_imports(path)
        if not name.startswith("grader.sandboxed")
    }
    assert not outside


def test_the_worker_and_every_driver_load_from_the_folder_alone(tmp_path):
    # What the sandbox mounts: grader/__init__.py and grader/sandboxed, nothing else.
    (tmp_path / "grader").mkdir()
    shutil.copy(GRADER / "__init__.py", tmp_path / "grader")
    shutil.copytree(BOUNDARY, tmp_path / "grader" / "sandboxed")
    code = (
        "import json, sys\n"
        "from grader.sandboxed import worker, drivers\n"
        "drivers.load_all()\n"
        "print(json.dumps([sorted(drivers.DRIVERS), sorted(m for m in sys.modules"
        " if m.startswith('grader'))]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n{code}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names, modules = json.loads(out.stdout.splitlines()[-1])
    assert {"call", "call_twice"} <= set(names)
    assert all(m == "grader" or m.startswith("grader.sandboxed") for m in modules)
    assert "grader.sandboxed.drivers.ex09" in modules
