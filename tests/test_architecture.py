"""The folder layout is the architecture: imports flow one way.

Layers, from the bottom: ``engine`` -> ``training``, ``torch``, ``data``, ``plots``
-> ``backends`` -> ``settings`` (the one table of options) -> ``spec`` (the one
network description) -> ``estimator``, ``run``, ``experiments`` ->
``inference``, ``report``, ``playground``, ``cli``. A module may import its own
layer's peers only where the table below allows it; it never imports a layer
above its own.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "nnlearn"

# What each package may import of nnlearn (besides itself). Top-level modules
# (errors, fileio) sit at the bottom and may be imported by anyone but the engine.
ALLOWED = {
    "engine": set(),
    "data": {"errors", "fileio"},
    "plots": {"engine", "data", "errors", "fileio"},
    "training": {"engine", "errors", "fileio"},
    "torch": {"engine", "errors", "fileio"},
    "backends": {"engine", "training", "torch"},
    "settings": {"engine", "data", "training", "backends"},
    "spec": {"engine", "settings", "torch"},
    "experiments": {"backends", "training", "data", "plots", "engine", "errors", "fileio",
                    "spec", "settings"},
    "report": {"experiments", "plots", "errors", "fileio"},
    "playground": {"engine", "training", "data", "plots", "errors", "fileio", "spec",
                   "settings"},
    "inference": {"engine", "training", "data", "errors", "run", "spec"},
    "run": {"engine", "training", "data", "backends", "errors", "fileio", "plots", "spec",
            "settings"},
    "estimator": {"engine", "training", "backends", "errors", "fileio", "spec", "settings",
                  "data"},  # data.columns: the encoding of a model file's columns
}
BOTTOM = {"errors", "fileio"}


def _nnlearn_imports(path: Path) -> set[str]:
    """The first-level nnlearn packages/modules that ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(SRC).with_suffix("")
    package = rel.parts[:-1] if rel.name != "__init__" else rel.parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)] if node.level > 1
                            else package)
                target = base + (node.module.split(".") if node.module else [])
                if not target:  # "from . import x" at the top: x is the first level
                    target = [alias.name for alias in node.names]
                    found.update(target)
                    continue
                found.add(target[0])
            elif node.module and node.module.split(".")[0] == "nnlearn":
                parts = node.module.split(".")
                found.add(parts[1] if len(parts) > 1 else node.names[0].name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "nnlearn" and len(parts) > 1:
                    found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_flow_one_way(layer):
    root = SRC / layer
    files = sorted(root.rglob("*.py")) if root.is_dir() else [SRC / f"{layer}.py"]
    assert files, f"no module for layer {layer}"
    for path in files:
        outside = _nnlearn_imports(path) - {layer}
        bad = outside - ALLOWED[layer]
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)} (above its layer)"


def test_bottom_modules_import_no_package():
    for name in BOTTOM:
        assert _nnlearn_imports(SRC / f"{name}.py") <= BOTTOM, name


def test_the_walker_sees_imports():
    # the check above could pass by finding nothing: the walker must see real imports
    assert _nnlearn_imports(SRC / "backends.py") >= {"engine", "training"}
    assert "engine" in _nnlearn_imports(SRC / "training" / "backend.py")


def test_modules_stay_readable():
    """One module, one job: none grows much past 400 lines."""
    long = {str(p.relative_to(SRC)): n for p in sorted(SRC.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert not long, f"modules over ~400 lines: {long}"


CONSTRUCTORS = ("mlp(", "resnet(", "Dense(", "Residual(")


def test_one_module_outside_the_engine_builds_networks():
    """One network description: outside ``engine/`` and ``torch/`` only ``spec.py``
    calls the network constructors; every face builds through ``NetworkSpec``."""
    callers = set()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("engine", "torch"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if f"{name}(" in CONSTRUCTORS:
                    callers.add(str(rel))
    assert callers == {"spec.py"}
