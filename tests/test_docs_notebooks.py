"""The lecture's downloads run on their own: the script and the notebook of a page,
made as the site's build makes them, in an empty folder, with only nnlearn installed.

CI runs the shifts page's two downloads in quick mode (``NNLEARN_LECTURE_QUICK=1``:
small subsets, one epoch); the notebook through a Jupyter kernel (nbclient and
ipykernel, in the ``test`` extra). Every page imports only the package: no
helper module beside it.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docs_helpers import hook

ROOT = Path(__file__).resolve().parent.parent
LECTURE = sorted((ROOT / "docs" / "lecture").glob("[0-9][0-9]_*.py"))
SHIFTS = ROOT / "docs" / "lecture" / "07_shifts.py"


def _hook():
    return hook("lecture")


@pytest.mark.parametrize("page", LECTURE, ids=lambda p: p.stem)
def test_a_page_imports_nothing_but_installed_packages(page):
    """No page imports a module that lies beside it (the old ``lecture_data``)."""
    beside = {p.stem for p in page.parent.glob("*.py")}
    tree = ast.parse(page.read_text("utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & beside, sorted(imported & beside)
    for name in imported:
        assert importlib.util.find_spec(name) is not None, name


def test_the_notebook_holds_the_scripts_cells_in_order():
    import nbformat

    text = SHIFTS.read_text("utf-8")
    nb = nbformat.reads(_hook().notebook(text), as_version=4)
    nbformat.validate(nb)
    ours = [(kind, source) for kind, source in _hook().cells(text)]
    theirs = [(c.cell_type, c.source.strip("\n")) for c in nb.cells]
    assert [k for k, _ in theirs] == [k for k, _ in ours]
    assert theirs[1][1] == ours[1][1]  # the first code cell, as written
    assert nb.metadata["kernelspec"]["name"] == "python3"


def _quick_env(tmp_path):
    return {**os.environ, "NNLEARN_LECTURE_QUICK": "1", "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "HOME": str(tmp_path)}


def test_the_shifts_script_downloaded_runs_alone_in_an_empty_folder(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / SHIFTS.name).write_bytes(SHIFTS.read_bytes())
    result = subprocess.run([sys.executable, SHIFTS.name], cwd=folder, env=_quick_env(tmp_path),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "shifted right: 1 pixel" in result.stdout


def test_the_shifts_notebook_downloaded_runs_alone_in_an_empty_folder(tmp_path, monkeypatch):
    import nbformat  # nbformat, nbclient, ipykernel: the test extra (fails, not skips, without)
    from nbclient import NotebookClient

    folder = tmp_path / "empty"
    folder.mkdir()
    path = folder / "07_shifts.ipynb"
    path.write_text(_hook().notebook(SHIFTS.read_text("utf-8")), encoding="utf-8")
    for name, value in _quick_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MPLBACKEND")  # the kernel draws inline, as in Jupyter
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for out in cell.outputs)
    assert "shifted right: 1 pixel" in printed
    assert any("image/png" in out.get("data", {}) for cell in nb.cells
               if cell.cell_type == "code" for out in cell.outputs)
    assert sorted(p.name for p in folder.iterdir()) == ["07_shifts.ipynb"]
