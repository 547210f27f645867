"""The folder layout is the architecture: imports flow one way.

Layers, from the bottom: ``engine`` -> ``data`` -> ``settings`` (the one table of
options) -> ``spec`` (the one network description) -> ``training``, ``torch`` ->
``assembly`` (the one place a run is put together, and the one that names both
backends) -> ``estimator``, ``run``, ``experiments`` -> ``inference``, ``report``,
``playground``, ``cli``. A module may import its own layer's peers only where the
table below allows it; it never imports a layer above its own.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "nnlearn"

# What each package may import of nnlearn (besides itself). Top-level modules
# (errors, fileio, limits) sit at the bottom and may be imported by anyone but the engine.
ALLOWED = {
    "engine": set(),
    "data": {"errors", "fileio"},
    "settings": {"engine", "data"},
    "spec": {"engine", "settings", "torch"},
    "plots": {"engine", "data", "errors", "fileio"},
    "training": {"engine", "errors", "fileio", "settings"},
    "torch": {"engine", "errors", "fileio"},
    "assembly": {"engine", "settings", "spec", "training", "torch"},
    "experiments": {"assembly", "training", "data", "plots", "engine", "errors", "fileio",
                    "spec", "settings"},
    "report": {"experiments", "plots", "errors", "fileio"},
    "playground": {"assembly", "engine", "training", "data", "plots", "errors", "fileio",
                   "spec", "settings"},
    "inference": {"engine", "training", "data", "errors", "run", "spec"},
    "run": {"assembly", "engine", "training", "data", "errors", "fileio", "plots", "spec",
            "settings"},
    "estimator": {"assembly", "engine", "training", "errors", "fileio", "spec", "settings",
                  "data"},  # data.columns: the encoding of a model file's columns
}
BOTTOM = {"errors", "fileio", "limits"}


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
        bad = outside - ALLOWED[layer] - (BOTTOM if layer != "engine" else set())
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)} (above its layer)"


def test_bottom_modules_import_no_package():
    for name in BOTTOM:
        assert _nnlearn_imports(SRC / f"{name}.py") <= BOTTOM, name


def test_the_walker_sees_imports():
    # the check above could pass by finding nothing: the walker must see real imports
    assert _nnlearn_imports(SRC / "assembly.py") >= {"engine", "training"}
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


def _callers(names: tuple[str, ...]) -> set[str]:
    """The modules of the package that call any of ``names`` (as ``name(`` or ``x.name(``)."""
    callers = set()
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in names:
                    callers.add(str(path.relative_to(SRC)))
    return callers


def test_one_module_assembles_a_run():
    """One assembly: only ``assembly.py`` makes a ``Trainer``, an optimiser or a
    backend; the command line, the estimator, the experiments, the rings figure
    and the playground all call ``assemble`` (issue 26)."""
    assert _callers(("Trainer",)) == {"assembly.py"}
    assert _callers(("make_optimizer", "make_backend", "make_torch_backend")) == {"assembly.py"}


def test_the_faces_call_the_assembly():
    faces = {"run/train.py", "estimator/fitting.py", "experiments/base.py",
             "experiments/rings.py", "playground/runner.py"}
    assert faces <= _callers(("assemble",))


def test_the_table_and_the_spec_load_light():
    """``import nnlearn.spec`` (and so the settings table) loads neither scikit-learn,
    SciPy nor torch: they point down, and a face that needs those imports them itself."""
    import subprocess
    import sys
    code = ("import sys, nnlearn.spec, nnlearn.settings; "
            "print(sorted(m for m in ('sklearn', 'scipy', 'torch', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def _resolves(dotted: str) -> bool:
    """Whether ``nnlearn.a.b.C.d`` names something (the longest importable module, then
    attributes: ``pkgutil.resolve_name``)."""
    import pkgutil
    try:
        pkgutil.resolve_name(dotted)
    except (ImportError, AttributeError):
        return False
    return True


def test_every_name_the_glossary_cites_exists():
    """The glossary is tested against the code: each ``nnlearn.…`` it cites resolves."""
    import re
    text = (SRC.parents[1] / "docs" / "glossary.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`(nnlearn(?:\.\w+)+)", text))
    assert len(cited) > 10  # the check reads real references
    missing = sorted(name for name in cited if not _resolves(name))
    assert not missing, f"the glossary cites names that do not exist: {missing}"
