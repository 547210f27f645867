"""The Examples sections of the public docstrings run, as the API pages show them.

Each module below is run by ``doctest`` (as ``pytest --doctest-modules`` would):
the estimator, the network description and its settings, the data functions, the
command line's Python entry point and the lecture pages' helpers. Every class and
function that the API pages of the estimator, the network description and the data
show, and every public one of ``nnlearn.data``, must carry an Examples section
that runs here (``EXAMPLED`` names a few more), so that none can disappear unseen.
An example that needs MNIST (``NEEDS_DATA``) runs where MNIST is, and is skipped,
saying why, elsewhere (a failure in CI, as every test that needs the data).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import warnings
from pathlib import Path

import pytest

from data_helpers import need_data

MODULES = ["nnlearn.estimator.estimator", "nnlearn.spec", "nnlearn.engine.scaling", "nnlearn.cli",
           "nnlearn.experiments.lecture", "nnlearn.data.dataset", "nnlearn.data.registry",
           "nnlearn.data.sampling", "nnlearn.data.scaling", "nnlearn.data.toy",
           "nnlearn.data.transforms", "nnlearn.data.images", "nnlearn.data.npzfile",
           "nnlearn.data.sources", "nnlearn.data.tabular", "nnlearn.data.idx",
           "nnlearn.settings.table", "nnlearn.report.maths"]
#: The API pages whose every class and function must have an example.
PAGES = ["estimator", "spec", "data"]
API = Path(__file__).resolve().parent.parent / "docs" / "api"
#: Examples that need a data set, by the docstring's name: run only where it is.
NEEDS_DATA = {"nnlearn.data.images.load_image_set": "mnist"}
EXAMPLED = {
    # the class's example shows fit, predict, predict_proba, predict_log_proba, score,
    # save and load; partial_fit, called differently, has its own
    "nnlearn.estimator": ["NeuralNetClassifier", "NeuralNetClassifier.partial_fit"],
    "nnlearn.spec": ["NetworkSpec", "InputScaling", "spec_of", "raw_input_network"],
    "nnlearn.cli": ["main"],
    "nnlearn.experiments.lecture": ["mnist", "train", "quick"],
    "nnlearn.data": ["Dataset", "load", "names", "subset", "subset_quota", "train_val_split",
                     "standardize", "Standardizer", "rings", "moons", "spirals", "xor",
                     "blobs", "image_shape_of", "shift", "RandomShift", "GaussianNoise",
                     "Compose", "as_images", "read_npz", "load_digits", "read_csv",
                     "load_table", "read_idx", "write_idx", "find", "locate", "cache_home",
                     "status", "load_image_set", "checksums"],
}


def _run(tests) -> doctest.TestResults:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short fit's ConvergenceWarning is not a failure
        for test in tests:
            runner.run(test)
    return runner.summarize(verbose=False)


def _tests(name: str) -> list[doctest.DocTest]:
    return doctest.DocTestFinder().find(importlib.import_module(name))


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes, writes here
    monkeypatch.delenv("NNLEARN_LECTURE_QUICK", raising=False)
    result = _run(t for t in _tests(name) if t.name not in NEEDS_DATA)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0, f"{name}: {result.failed} example(s) failed (run pytest " \
                               f"--doctest-modules on it to see which)"


@pytest.mark.parametrize("dotted", sorted(NEEDS_DATA))
def test_the_examples_that_need_data_run_where_it_is(dotted, data_env, tmp_path, monkeypatch):
    need_data(NEEDS_DATA[dotted])
    monkeypatch.chdir(tmp_path)
    module = dotted.rsplit(".", 1)[0]
    assert module in MODULES
    result = _run(t for t in _tests(module) if t.name == dotted)
    assert result.attempted > 0 and result.failed == 0, dotted


def _documented(page: str) -> list[str]:
    """The dotted names that an API page shows (``::: name``, and its ``members``)."""
    text = (API / f"{page}.md").read_text(encoding="utf-8")
    names = []
    for name, options in re.findall(r"^::: (\S+)\n((?:    .*\n)*)", text + "\n", re.M):
        members = re.search(r"members: \[([^\]]*)\]", options)
        names += ([f"{name}.{m.strip()}" for m in members.group(1).split(",")] if members
                  else [name])
    return names


@pytest.mark.parametrize("page", PAGES)
def test_every_class_and_function_an_api_page_shows_has_an_example_that_runs(page):
    shown = [(dotted, pkgutil.resolve_name(dotted)) for dotted in _documented(page)]
    shown = [(d, o) for d, o in shown if inspect.isclass(o) or inspect.isfunction(o)]
    assert shown, page
    for dotted, obj in shown:
        assert "Examples\n" in (obj.__doc__ or ""), f"{dotted} (on docs/api/{page}.md)"
        assert obj.__module__ in MODULES, f"{dotted}: its module {obj.__module__} is not run"


def test_every_public_data_function_has_an_example():
    import nnlearn.data as data

    public = [n for n in data.__all__
              if inspect.isclass(getattr(data, n)) or inspect.isfunction(getattr(data, n))]
    assert sorted(public) == sorted(EXAMPLED["nnlearn.data"])


@pytest.mark.parametrize("package", sorted(EXAMPLED))
def test_the_public_objects_named_have_an_examples_section(package):
    module = importlib.import_module(package)
    for dotted in EXAMPLED[package]:
        obj = module
        for part in dotted.split("."):
            obj = getattr(obj, part)
        assert "Examples\n" in (obj.__doc__ or ""), f"{package}.{dotted}"
