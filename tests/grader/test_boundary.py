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
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] == "grader"
        ):
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


# The modules on either side of the protocol: every message kind they send or accept is one
# of grader.sandboxed.protocol's constants, never a string of their own.
PROTOCOL_USERS = [*sorted(GRADER.glob("sandbox*.py")), BOUNDARY / "worker.py"]


def _op_literals(path: Path) -> list[str]:
    """String literals used as a message kind in ``path``: the value of an ``"op"`` key in a
    dict display, or compared with ``x.get("op")`` / ``x["op"]``."""

    def is_op_lookup(node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr == "get" and any(
                isinstance(a, ast.Constant) and a.value == "op" for a in node.args[:1]
            )
        return isinstance(node, ast.Subscript) and (
            isinstance(node.slice, ast.Constant) and node.slice.value == "op"
        )

    def strings(node: ast.AST) -> list[str]:
        return [
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is str
        ]

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "op":
                    found += strings(value)
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_op_lookup(s) for s in sides):
                found += [x for s in sides if not is_op_lookup(s) for x in strings(s)]
    return found


def test_message_kinds_are_the_protocol_constants_on_both_sides():
    from grader.sandboxed import protocol

    assert {p.name for p in PROTOCOL_USERS} >= {"sandbox.py", "worker.py"}
    literals = {f"{p.relative_to(GRADER)}: {s!r}" for p in PROTOCOL_USERS for s in _op_literals(p)}
    assert not literals
    # ... and the constants they name are the protocol's, each used by both sides.
    kinds = protocol.HOST_OPS | protocol.WORKER_OPS
    for path in (GRADER / "sandbox.py", BOUNDARY / "worker.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "grader.sandboxed.protocol"
            for a in n.names
            if a.name.startswith("OP_")
        }
        assert imported and {getattr(protocol, name) for name in imported} <= kinds


def test_the_op_scan_finds_a_bare_message_kind(tmp_path):
    # The scan above must see what it forbids, or it proves nothing.
    sample = tmp_path / "sample.py"
    sample.write_text(
        'send({"op": "done"})\nif msg.get("op") in ("released", "x"):\n    pass\n'
        'ok = m["op"] == "ready"\nif job.get("op") != OP_RUN:\n    pass\n',
        encoding="utf-8",
    )
    assert sorted(_op_literals(sample)) == ["done", "ready", "released", "x"]
