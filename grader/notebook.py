"""Jupyter notebooks as submissions: ``exNN_name.ipynb`` is graded as the module ``exNN_name.py``.

Code cells are concatenated in order; IPython magics (``%…``, ``%%…`` cells) and shell lines
(``!…``) cannot run in a plain module, so they are dropped, each leaving a comment that
says so. A line map kept beside the module lets messages point to the notebook's cell and
line instead of the generated file's line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

MAP_SUFFIX = ".cells.json"


def notebook_to_source(path: Path) -> tuple[str, list[list[int]], list[str]]:
    """The module source of a notebook, its line map and notes about dropped lines.

    Returns:
      ``(source, line_map, notes)`` where ``line_map[i]`` is ``[cell, line]`` (1-based,
      cells counted among code cells) for line ``i + 1`` of the source, or ``[0, 0]``.
    """
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises many kinds of errors on broken files
        raise ValueError(f"{path.name} is not a readable notebook: {exc}") from exc
    lines: list[str] = []
    line_map: list[list[int]] = []
    notes: list[str] = []
    cell_no = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell_no += 1
        lines.append(f"# --- cell {cell_no} ---")
        line_map.append([cell_no, 0])
        src = cell.source.splitlines()
        if src and src[0].lstrip().startswith("%%"):
            notes.append(f"cell {cell_no}: cell magic {src[0].split()[0]} dropped")
            lines.append(f"# (cell magic dropped: {src[0].strip()})")
            line_map.append([cell_no, 1])
            continue
        for k, line in enumerate(src, start=1):
            stripped = line.lstrip()
            if stripped.startswith("from __future__ import"):
                # Legal in any cell of a notebook, only at the top of a module: hoist it.
                lines.insert(0, stripped)
                line_map.insert(0, [cell_no, k])
                lines.append("pass  # from __future__ import moved to the top")
            elif stripped.startswith(("%", "!")) or re.match(r"^\w+\s*=\s*[%!]", stripped):
                notes.append(
                    f"cell {cell_no} line {k}: {stripped.split()[0]} dropped (IPython only)"
                )
                indent = line[: len(line) - len(stripped)]
                lines.append(f"{indent}pass  # IPython-only line dropped: {stripped[:60]}")
            else:
                lines.append(line)
            line_map.append([cell_no, k])
    return "\n".join(lines) + "\n", line_map, notes


def convert_notebooks(folder: Path) -> list[str]:
    """Convert every ``*.ipynb`` in ``folder`` into a ``.py`` module (unless one is given too).

    Returns:
      Notes about what was dropped, for the report.
    """
    notes = []
    for nb in sorted(Path(folder).glob("*.ipynb")):
        target = nb.with_suffix(".py")
        if target.exists():
            notes.append(f"{nb.name} ignored: {target.name} is in the submission too")
            continue
        source, line_map, dropped = notebook_to_source(nb)
        target.write_text(source, encoding="utf-8")
        (Path(folder) / (target.stem + MAP_SUFFIX)).write_text(json.dumps(line_map))
        notes += [f"{nb.name}: {d}" for d in dropped]
    return notes


def relabel(text: str, folder: Path) -> str:
    """Rewrite ``exNN.py", line L`` in messages as the notebook's cell and line."""

    def sub(m: re.Match) -> str:
        stem, line = m.group(1), int(m.group(2))
        map_file = Path(folder) / (stem + MAP_SUFFIX)
        try:
            line_map = json.loads(map_file.read_text())
            cell, k = line_map[line - 1]
        except (OSError, ValueError, IndexError, TypeError):
            return m.group(0)
        quote = '"' if m.group(0).count('"') else ""
        return f"{stem}.ipynb{quote}, cell {cell}, line {k}"

    return re.sub(r'(\w+)\.py"?,? line (\d+)', sub, text)
