"""The gallery-like example scripts run in quick mode, write their figures, and show
what they say they show."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.filterwarnings("ignore::nnlearn.errors.TrainingWarning")


def example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_first_layer_weights_are_drawn_from_coefs(tmp_path):
    result = example("mnist_weights").run(quick=True, out=tmp_path)
    assert result["accuracy"] > 0.8 and result["tiles"] == (16, 8, 8)
    assert (tmp_path / "mnist_weights.png").read_bytes()[:8] == PNG


def test_weight_decay_shrinks_the_weights_it_draws(tmp_path):
    norms = example("weight_decay_regions").run(quick=True, out=tmp_path)[
        "squared_weight_norms"]
    values = [norms[("moons", d)] for d in (0.0, 0.001, 0.01, 0.1)]
    assert all(a > b for a, b in zip(values, values[1:])), values
    assert (tmp_path / "weight_decay_moons.png").read_bytes()[:8] == PNG


def test_each_optimizer_has_a_training_curve(tmp_path):
    result = example("optimizer_curves").run(quick=True, out=tmp_path)
    curves = result["curves"]
    assert set(curves) == {"gd", "momentum", "nesterov", "adam", "lbfgs"}
    assert all(len(c) == 15 for name, c in curves.items() if name != "lbfgs")
    assert all(np.isfinite(c).all() and c[-1] < c[0] for c in curves.values())
    assert (tmp_path / "optimizer_curves.png").read_bytes()[:8] == PNG


def test_text_features_stay_sparse_and_their_weights_name_the_topics(tmp_path):
    module = example("sparse_text")
    result = module.run(quick=True, out=tmp_path)
    assert result["density"] < 0.05 and min(result["accuracy"].values()) > 0.8
    for topic, words in result["top_words"].items():
        assert sum(w in module.TOPICS[topic].split() for w in words) >= 5, (topic, words)
    assert (tmp_path / "sparse_text.png").read_bytes()[:8] == PNG
