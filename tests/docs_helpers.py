"""What the documentation tests share: the site's hooks, loaded as mkdocs loads them."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parent.parent / "docs" / "hooks"
#: lines of what the documentation tests measured (the build's time), printed at the end
MEASURED = pytest.StashKey[list]()


@functools.cache
def hook(name: str):
    """The module ``docs/hooks/<name>.py`` (not on sys.path: loaded from its file)."""
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
