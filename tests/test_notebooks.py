"""The notebooks under examples/ run top to bottom (on small data) and show sane numbers.

Each notebook is executed in a fresh kernel with ``NNLEARN_NOTEBOOK_QUICK=1`` (subsets,
few steps) and one BLAS / PyTorch thread (as the rest of the suite: on a busy machine
threads only wait for each other). A cell appended by the test prints the notebook's
key results as JSON; the notebooks themselves stay as a student reads them.
"""

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from nnlearn.data import sources  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MARK = "NNLEARN-TEST-RESULTS "

#: what each notebook must compute, and the test of each number
RESULTS = {
    "01_numpy_engine.ipynb": {
        "theorem1_vs_fd": lambda v: v < 1e-6,        # Theorem 1 vs central differences
        "theorem1_vs_engine": lambda v: v < 1e-12,   # by hand vs Network.backward, float64
        "rings_test_accuracy": lambda v: v > 0.95,
        "mnist_test_accuracy": lambda v: v > 0.7,   # 3 epochs on 3000 images
        "data.name": lambda v: v in ("mnist", "digits"),
    },
    "02_pytorch_twin.ipynb": {
        "logits_difference": lambda v: v < 1e-5,     # float32
        "gradient_difference": lambda v: v < 1e-12,  # float64, autograd vs Theorem 1
        "parity_weights": lambda v: v < 1e-10,       # float64, same loop, both backends
        "parity_loss": lambda v: v < 1e-10,
        "backend_test_accuracy": lambda v: v > 0.7,
        "torch_test_accuracy": lambda v: v > 0.7,
        "same_predictions": lambda v: v > 0.99,
        "rings_test_accuracy": lambda v: v > 0.95,
        "data.name": lambda v: v in ("mnist", "digits"),
    },
}
#: figures each notebook must show (inline PNGs)
#: 01: Figure 1, the regions, two learning curves, the trained rings network, hidden units;
#: 02: the learning curves, the hidden units, the regions
IMAGES = {"01_numpy_engine.ipynb": 6, "02_pytorch_twin.ipynb": 3}


@pytest.fixture
def quick_env(data_env, monkeypatch):
    monkeypatch.setenv("NNLEARN_NOTEBOOK_QUICK", "1")
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _execute(nb, names, cwd):
    """Run ``nb`` with a last cell that prints ``names``; return the notebook and the values."""
    report = ", ".join(f"{n!r}: {n}" for n in names)
    last = f"import json\nprint({MARK!r} + json.dumps({{{report}}}))"
    nb.cells.append(nbformat.v4.new_code_cell(last))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on an error
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    (line,) = [s for s in printed.splitlines() if s.startswith(MARK)]
    return nb, json.loads(line[len(MARK):])


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)


def test_notebooks_are_committed_without_outputs():
    found = sorted(p.name for p in EXAMPLES.glob("*.ipynb"))
    assert found == sorted(RESULTS)
    for name in found:
        nb = nbformat.read(EXAMPLES / name, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, name
        source = "\n".join(c.source for c in nb.cells)
        assert "NNLEARN_NOTEBOOK_QUICK" in source


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RESULTS))
def test_notebook_runs_top_to_bottom(name, quick_env, tmp_path):
    nb, values = _execute(nbformat.read(EXAMPLES / name, as_version=4), RESULTS[name], tmp_path)
    for key, check in RESULTS[name].items():
        assert check(values[key]), f"{name}: {key} = {values[key]!r}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert _images(nb) == IMAGES[name]
    expected = "mnist" if sources.locate("mnist") else "digits"
    assert values["data.name"] == expected
    assert ("Falling back" in _stdout(nb)) == (expected == "digits")


@pytest.mark.slow
def test_engine_notebook_falls_back_to_digits_without_mnist(quick_env, tmp_path, monkeypatch):
    """No MNIST anywhere (and no download in quick mode): a printed note, then the digits.

    Only the set-up cell and the MNIST part run (the rest does not touch MNIST)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("NNLEARN_DATA", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(empty))
    if sources.locate("mnist") is not None:
        pytest.skip("MNIST is in a system folder here; the fallback cannot be shown")
    nb = nbformat.read(EXAMPLES / "01_numpy_engine.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    start = next(i for i, c in enumerate(code) if 'load("mnist"' in c.source)
    nb.cells = [code[0], *code[start:]]
    nb, values = _execute(nb, ["data.name", "mnist_test_accuracy"], tmp_path)
    out = _stdout(nb)
    assert "Note: MNIST is not available here" in out and "Falling back" in out
    assert values["data.name"] == "digits"
    assert values["mnist_test_accuracy"] > 0.3  # 69 Adam steps on 1437 digits; chance is 0.1
    assert _images(nb) == 2  # the learning curves and the 8x8 hidden units
