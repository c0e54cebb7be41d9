"""Registers the exercise-specific driver modules (``grader/sandboxed/drivers/exNN.py``)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

for _info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _info.name.startswith("ex"):
        importlib.import_module(f"grader.sandboxed.drivers.{_info.name}")
