"""Each experiment on tiny data (scikit-learn's 8x8 digits, embedded): the shape of
what it measures, not the lecture's numbers (those need MNIST and minutes)."""

import numpy as np
import pytest

from nnlearn.experiments import EXPERIMENTS, Runner, Scope, parse_names, run_experiments
from nnlearn.experiments import augment, capacity, data_size, depth, hidden, rings, shift, twin
from nnlearn.experiments.base import Task, confusion, train
from nnlearn.experiments.registry import with_needs

TINY = Scope(data="digits", quick=True, seeds=1)


@pytest.fixture(scope="module")
def runner():
    with Runner(1, threads=1) as r:
        yield r


@pytest.fixture(scope="module")
def capacity_record(runner):
    return capacity.run(TINY, runner)


def test_registry_order_needs_and_names():
    assert list(EXPERIMENTS) == ["rings", "capacity", "shift", "hidden", "data-size", "augment",
                                 "depth", "twin"]
    assert with_needs(["shift"]) == ["capacity", "shift"]
    assert with_needs(["augment", "rings"]) == ["rings", "data-size", "augment"]
    assert parse_names(None, "fashion-mnist") == ["capacity", "shift", "hidden", "data-size",
                                                  "augment", "depth"]
    with pytest.raises(ValueError, match="unknown experiment nope"):
        parse_names("shift,nope", "mnist")


def test_rings_training_separates_the_rings():
    record = rings.run(TINY)
    assert record.results["train_accuracy"] > 0.95
    loss = record.results["loss"]
    assert loss[-1] < 0.5 * loss[0]
    assert sorted(record.arrays["snapshots"]) == [50, 150, 250, 350, 500]
    assert record.claims[0]["verdict"] == "reproduced"


def test_capacity_measures_both_widths_and_recipes(capacity_record):
    res = capacity_record.results
    assert set(res) == {"data", "constant", "tuned"} and res["data"] == "digits"
    for recipe in (res["constant"], res["tuned"]):
        for h in (10, 32):
            assert 0.1 < recipe[f"hidden{h}"]["test_accuracy"]["mean"] <= 1
    # more hidden units, better accuracy: the lecture's point, visible even on 8x8 digits
    assert res["tuned"]["hidden32"]["test_accuracy"]["mean"] > \
        res["tuned"]["hidden10"]["test_accuracy"]["mean"]
    ids = {c["id"] for c in capacity_record.claims}
    assert {"digits_hidden10_test_acc", "digits_hidden32_test_acc"} <= ids
    assert capacity_record.recipe["tuned"]["schedule"] == "cosine"


def test_shift_accuracy_falls_with_the_shift(capacity_record):
    record = shift.run(TINY, capacity=capacity_record)
    for h in (10, 32):
        table = record.results[f"hidden{h}"]
        assert table["right_0"]["mean"] > table["right_2"]["mean"]
        assert set(table) >= {f"{d}_{p}" for d in ("right", "left", "up", "down", "down-right")
                              for p in (1, 2)}
        n_test = capacity_record.arrays["runs"][("tuned", h, 0)]["n_test"]
        assert record.arrays["confusion"][(h, 2)].sum() == n_test
    assert record.results["lecture_matches"] in ("hidden10", "hidden32")
    assert {c["id"] for c in record.claims} == {f"digits_hidden{h}_shift{p}_acc"
                                                for h in (10, 32) for p in (1, 2)}


def test_confusion_counts_pairs():
    C = confusion(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), 3)
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_hidden_units_are_the_rows_of_W1(capacity_record):
    record = hidden.run(TINY, capacity=capacity_record)
    W = capacity_record.arrays["runs"][("tuned", 10, 0)]["parameters"]["layers.0.W"]
    assert record.arrays["images"].shape == (10, 8, 8)
    np.testing.assert_array_equal(record.arrays["images"].reshape(10, 64), W)
    fig = hidden.draw(record)["hidden_units"]
    image = fig.axes[0].images[0]
    lo, hi = image.get_clim()
    assert lo == -hi  # one symmetric scale: zero sits in the middle (grey)
    assert all(ax.images[0].get_clim() == (lo, hi) for ax in fig.axes if ax.images)


def test_less_data_widens_the_gap(runner):
    record = data_size.run(TINY, runner)
    sizes = record.arrays["sizes"]
    gaps = [record.results[str(n)]["gap"]["mean"] for n in sizes]
    assert gaps[-1] > gaps[0]  # 100 images overfit more than the largest set
    small = record.results["100"]
    assert small["train_accuracy"]["mean"] > small["test_accuracy"]["mean"]


def test_augmentation_trains_on_shifted_batches(runner):
    plain = data_size.run(TINY, runner)
    record = augment.run(TINY, runner, **{"data-size": plain})
    # the same networks, the same seeds: only the random shifts differ, so the histories do
    full = max(data_size.plan(TINY))
    h_aug = record.arrays["runs"][(full, 0)]["history"]["train_loss"]
    h_plain = plain.arrays["runs"][(full, 0)]["history"]["train_loss"]
    assert len(h_aug) == len(h_plain) and h_aug != h_plain
    table = record.results["shifted_test"]
    assert set(table) == {"plain", "augmented"}
    assert table["augmented"][str(full)]["2"]["mean"] > table["plain"][str(full)]["2"]["mean"]


def test_depth_mlp_sigmoid_gradients_vanish_resnet_ones_do_not(runner):
    # Theorem 1: dL/dz_1 = D_1 W_2^T ... D_{L-1} W_L^T dL/dz_L. With sigmoid, D <= 1/4 per
    # factor: the first layer's gradient falls with depth. The ResNet adds I to each factor.
    out = {}
    for arch in ("mlp", "resnet"):
        for L in (2, 8):
            task = depth.depth_task(TINY, arch, "sigmoid", L, 0)
            r = train(Task(**{**task.__dict__, "epochs": 1}))
            norms = r["grad_norms_init"]
            assert len(norms) == L
            out[arch, L] = norms[0] / norms[-1]
    assert out["mlp", 8] < 1e-3 * out["mlp", 2]
    assert out["resnet", 8] > 0.3 * out["resnet", 2]


def test_depth_record_and_claims(runner):
    record = depth.run(TINY, runner)
    assert set(record.results) == {"mlp_sigmoid", "mlp_relu", "resnet_sigmoid",
                                   "resnet_relu"}
    assert all(len(record.results[k]["8"]["grad_norms_trained"]) == 8 for k in record.results)
    assert {c["id"] for c in record.claims} == {f"digits_depth_{k}" for k in record.results}
    acc = {k: record.results[k]["8"]["test_accuracy"]["mean"] for k in record.results}
    assert acc["resnet_sigmoid"] > acc["mlp_sigmoid"] + 0.05  # the deep plain one is stuck


def test_twin_agrees_with_the_engine(capacity_record, runner):
    pytest.importorskip("torch")
    record = twin.run(TINY, runner, capacity=capacity_record)
    for h in (10, 32):
        assert abs(record.results[f"hidden{h}"]["difference"]["mean"]) <= twin.AGREE
    assert all(c["verdict"] == "reproduced" for c in record.claims)


def test_missing_data_skips_what_needs_it(tmp_path, runner):
    settings = Scope(data="mnist", data_dir=str(tmp_path), quick=True, seeds=1)
    lines = []
    records = run_experiments(settings, ["rings", "shift"], runner, progress=lines.append)
    by_name = {r.name: r for r in records}
    assert by_name["rings"].skipped is None and by_name["rings"].claims
    assert "mnist is missing" in by_name["capacity"].skipped
    assert "mnist is missing" in by_name["shift"].skipped
    assert any("skipped" in line for line in lines)
