"""The Examples sections of the public docstrings run, as the API pages show them.

Each module below is run by ``doctest`` (as ``pytest --doctest-modules`` would):
the estimator, the network description, the data functions, the command line's
Python entry point and the lecture pages' helpers. ``EXAMPLED`` names the public
objects that must carry an Examples section, so that one cannot disappear unseen.
"""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

MODULES = ["nnlearn.estimator.estimator", "nnlearn.spec", "nnlearn.engine.scaling", "nnlearn.cli",
           "nnlearn.experiments.lecture", "nnlearn.data.dataset", "nnlearn.data.registry",
           "nnlearn.data.sampling", "nnlearn.data.scaling", "nnlearn.data.toy",
           "nnlearn.data.transforms", "nnlearn.data.images", "nnlearn.data.npzfile",
           "nnlearn.report.maths"]
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
                     "Compose", "as_images", "read_npz", "load_digits"],
}


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes, writes here
    monkeypatch.delenv("NNLEARN_LECTURE_QUICK", raising=False)
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short fit's ConvergenceWarning is not a failure
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0, f"{name}: {result.failed} example(s) failed (run pytest " \
                               f"--doctest-modules on it to see which)"


@pytest.mark.parametrize("package", sorted(EXAMPLED))
def test_the_public_objects_named_have_an_examples_section(package):
    module = importlib.import_module(package)
    for dotted in EXAMPLED[package]:
        obj = module
        for part in dotted.split("."):
            obj = getattr(obj, part)
        assert "Examples\n" in (obj.__doc__ or ""), f"{package}.{dotted}"
