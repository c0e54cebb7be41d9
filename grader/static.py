"""Static checks: does a function use a forbidden API? (AST analysis; nothing is executed.)

The analysis starts at the student's function and follows what it can reach: module-level
functions, classes and lambdas it names, helpers imported from other files of the
submission, and module-level statements (which run at import). Names are resolved through
imports and aliases, so ``from jax import grad as g; g(f)``, ``import jax as j; j.grad(f)``
and ``G = jax.grad`` at module level are all seen as ``jax.grad``. Tricks that hide what
is called (``getattr`` with a computed name, ``__import__``, ``importlib``, ``eval``, ``exec``,
``globals()``, ``sys.modules``…) are reported too when the check asks for it.

    >>> src = "import jax as j\\ndef f(x):\\n    return j.grad(lambda y: y * y)(x)\\n"
    >>> [(x.name, x.line) for x in find_forbidden_in_source(src, "f", ("jax.grad",))]
    [('jax.grad', 3)]
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

_DYNAMIC_CALLS = {
    "getattr": "getattr() with a computed name",
    "__import__": "__import__()",
    "eval": "eval()",
    "exec": "exec()",
    "compile": "compile()",
    "globals": "globals()",
    "vars": "vars()",
    "locals": "locals()",
    "importlib.import_module": "importlib.import_module()",
    "importlib.__import__": "importlib.__import__()",
    "builtins.getattr": "getattr() with a computed name",
    "setattr": "setattr()",
}
_DYNAMIC_NAMES = {
    "sys.modules": "sys.modules",
    "importlib": "importlib",
    "builtins": "builtins",
    "__builtins__": "__builtins__",
}


@dataclass(frozen=True)
class Finding:
    """One use of a forbidden API (``kind="forbidden"``) or of a hiding trick (``"dynamic"``)."""

    kind: str
    name: str
    line: int
    file: str


class StaticSyntaxError(Exception):
    def __init__(self, file: str, line: int, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message


class _Module:
    def __init__(self, name: str, source: str, file: str):
        self.name = name
        self.file = file
        try:
            self.tree = ast.parse(source, filename=file)
        except SyntaxError as exc:
            raise StaticSyntaxError(file, exc.lineno or 0, exc.msg) from exc
        self.aliases: dict[str, str] = {}
        self.defs: dict[str, ast.AST] = {}
        self.toplevel: list[ast.AST] = []
        self.star_imports: list[tuple[str, int]] = []
        for node in self.tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._add_import(node, self.aliases)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs[node.name] = node
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.defs[node.targets[0].id] = node.value
            elif (
                isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value
            ):
                self.defs[node.target.id] = node.value
            elif not _is_main_guard(node):  # a __main__ block never runs when graded
                self.toplevel.append(node)

    def _add_import(self, node: ast.AST, table: dict[str, str]) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    table[a.asname] = a.name
                else:
                    root = a.name.split(".")[0]
                    table[root] = root
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            for a in node.names:
                if a.name == "*":
                    self.star_imports.append((base, node.lineno))
                    continue
                full = f"{base}.{a.name}" if node.module else f"{base}{a.name}"
                table[a.asname or a.name] = full


def _is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``"""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    t = node.test
    names = [t.left, *t.comparators]
    return (
        len(t.ops) == 1
        and isinstance(t.ops[0], ast.Eq)
        and any(isinstance(n, ast.Name) and n.id == "__name__" for n in names)
        and any(isinstance(n, ast.Constant) and n.value == "__main__" for n in names)
    )


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def _matches(name: str, forbidden: tuple[str, ...]) -> str | None:
    for f in forbidden:
        if name == f or name.startswith(f + "."):
            return f
    return None


class _Analyzer:
    def __init__(self, root: Path | None, forbidden: tuple[str, ...], dynamic: bool):
        self.root = root
        self.forbidden = forbidden
        self.dynamic = dynamic
        self.modules: dict[str, _Module] = {}
        self.findings: dict[tuple, Finding] = {}
        self.seen: set[tuple[str, int]] = set()

    def module(
        self, name: str, source: str | None = None, file: str | None = None
    ) -> _Module | None:
        if name in self.modules:
            return self.modules[name]
        if source is None:
            if self.root is None:
                return None
            path = self.root / (name.replace(".", "/") + ".py")
            if not path.is_file():
                return None
            source = path.read_text(encoding="utf-8", errors="replace")
            file = path.name
        mod = _Module(name, source, file or f"{name}.py")
        self.modules[name] = mod
        # What runs at import is reachable whatever the function is.
        for node in mod.toplevel:
            self.visit(mod, node, mod.aliases)
        for base, line in mod.star_imports:
            if any(f == base or f.startswith(base + ".") for f in self.forbidden):
                self.add("forbidden", f"from {base} import *", line, mod.file)
        return mod

    def add(self, kind: str, name: str, line: int, file: str) -> None:
        self.findings.setdefault((kind, name, line, file), Finding(kind, name, line, file))

    def local_target(self, dotted: str) -> tuple[_Module, str] | None:
        """A name defined in a file of the submission: (module, attribute)."""
        parts = dotted.lstrip(".").split(".")
        for i in range(len(parts) - 1, 0, -1):
            mod = self.module(".".join(parts[:i]))
            if mod is not None:
                return mod, parts[i]
        return None

    def reach(self, mod: _Module, name: str) -> None:
        node = mod.defs.get(name)
        if node is not None:
            self.visit(mod, node, mod.aliases)
            return
        target = mod.aliases.get(name)
        if target:
            local = self.local_target(target)
            if local:
                self.reach(*local)

    def visit(self, mod: _Module, node: ast.AST, aliases: dict[str, str]) -> None:
        key = (mod.file, id(node))
        if key in self.seen:
            return
        self.seen.add(key)
        local_aliases = dict(aliases)
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                mod._add_import(sub, local_aliases)
        for sub in ast.walk(node):
            line = getattr(sub, "lineno", 0)
            if isinstance(sub, (ast.Name, ast.Attribute)):
                dotted = _dotted(sub, local_aliases)
                if dotted is None:
                    continue
                hit = _matches(dotted, self.forbidden)
                if hit:
                    self.add("forbidden", hit, line, mod.file)
                if self.dynamic and dotted in _DYNAMIC_NAMES:
                    self.add("dynamic", _DYNAMIC_NAMES[dotted], line, mod.file)
                dunder = isinstance(sub, ast.Attribute) and sub.attr in ("__dict__", "__builtins__")
                if dunder and self.dynamic:
                    self.add("dynamic", f".{sub.attr}", line, mod.file)
                if isinstance(sub, ast.Name) and sub.id in mod.defs:
                    self.reach(mod, sub.id)
                elif "." in dotted or dotted in local_aliases:
                    local = self.local_target(dotted)
                    if local:
                        self.reach(*local)
            if isinstance(sub, ast.Call):
                callee = _dotted(sub.func, local_aliases)
                if callee in ("getattr", "builtins.getattr") and len(sub.args) >= 2:
                    attr = sub.args[1]
                    if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
                        base = _dotted(sub.args[0], local_aliases)
                        hit = base and _matches(f"{base}.{attr.value}", self.forbidden)
                        if hit:
                            self.add("forbidden", hit, line, mod.file)
                    elif self.dynamic:
                        self.add("dynamic", _DYNAMIC_CALLS["getattr"], line, mod.file)
                elif self.dynamic and callee in _DYNAMIC_CALLS and callee != "getattr":
                    self.add("dynamic", _DYNAMIC_CALLS[callee], line, mod.file)
            if isinstance(sub, ast.ImportFrom) and sub.module:
                base = ("." * sub.level) + sub.module
                for a in sub.names:
                    local = self.local_target(f"{base}.{a.name}")
                    if local:
                        self.reach(*local)
                    if _matches(f"{base}.{a.name}", self.forbidden) and sub is not node:
                        # an import inside reachable code is itself a use
                        self.add(
                            "forbidden",
                            _matches(f"{base}.{a.name}", self.forbidden),
                            line,
                            mod.file,
                        )
            elif isinstance(sub, ast.Import):
                for a in sub.names:
                    hit = _matches(a.name, self.forbidden)
                    if hit and sub is not node:
                        self.add("forbidden", hit, line, mod.file)


def find_forbidden(
    module_file: Path,
    function: str,
    forbidden: tuple[str, ...],
    *,
    dynamic: bool = True,
) -> list[Finding]:
    """Uses of ``forbidden`` APIs reachable from ``function`` in ``module_file`` and its
    sibling files. Raises :class:`StaticSyntaxError` if a file does not parse."""
    module_file = Path(module_file)
    an = _Analyzer(module_file.parent, tuple(forbidden), dynamic)
    source = module_file.read_text(encoding="utf-8", errors="replace")
    mod = an.module(module_file.stem, source, module_file.name)
    an.reach(mod, function)
    return sorted(an.findings.values(), key=lambda f: (f.file, f.line, f.name))


def find_forbidden_in_source(
    source: str, function: str, forbidden: tuple[str, ...], *, dynamic: bool = True
) -> list[Finding]:
    """Like :func:`find_forbidden` for one module's source text (no sibling files)."""
    an = _Analyzer(None, tuple(forbidden), dynamic)
    mod = an.module("student", source, "student.py")
    an.reach(mod, function)
    return sorted(an.findings.values(), key=lambda f: (f.file, f.line, f.name))


def function_state(module_file: Path, function: str) -> str:
    """``"missing"``, ``"stub"`` (only a docstring, ``pass``, ``...`` or
    ``raise NotImplementedError``) or ``"defined"``: a static check gives no points for
    code that does not exist yet. Raises :class:`StaticSyntaxError` if the file does not parse."""
    source = Path(module_file).read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise StaticSyntaxError(Path(module_file).name, exc.lineno or 0, exc.msg) from exc
    node = None
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == function:
            node = stmt
        elif isinstance(stmt, (ast.Assign, ast.ImportFrom, ast.Import)):
            targets = (
                [t.id for t in stmt.targets if isinstance(t, ast.Name)]
                if isinstance(stmt, ast.Assign)
                else [a.asname or a.name.split(".")[0] for a in stmt.names]
            )
            if function in targets:
                return "defined"
    if node is None:
        return "missing"
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]

    def is_placeholder(stmt: ast.stmt) -> bool:
        if isinstance(stmt, ast.Pass):
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return True
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
        return False

    return "stub" if all(is_placeholder(s) for s in body) else "defined"
