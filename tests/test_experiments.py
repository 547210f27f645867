"""Each experiment on tiny data (scikit-learn's 8x8 digits, embedded): the shape of
what it measures, not the lecture's numbers (those need MNIST and minutes)."""

import numpy as np
import pytest

from nnlearn.data import load
from nnlearn.experiments import EXPERIMENTS, Runner, Scope, parse_names, run_experiments
from nnlearn.experiments import (
    augment,
    backprop,
    capacity,
    data_size,
    depth,
    gradients,
    hidden,
    loss,
    rings,
    search,
    shift,
    twin,
)
from nnlearn.experiments.base import Task, confusion, load_data, train
from nnlearn.experiments.registry import with_needs

TINY = Scope(data="digits", quick=True, seeds=2)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")  # the draw() calls leave their figures open


@pytest.fixture(scope="module")
def runner():
    with Runner(1, threads=1) as r:
        yield r


@pytest.fixture(scope="module")
def capacity_record(runner):
    return capacity.run(TINY, runner)


@pytest.fixture(scope="module")
def shift_record(runner, capacity_record):
    return shift.run(TINY, runner, capacity=capacity_record)


def test_registry_order_needs_and_names():
    assert list(EXPERIMENTS) == ["backprop", "gradients", "depth", "loss", "rings", "capacity",
                                 "shift", "hidden", "data-size", "augment", "twin"]
    assert with_needs(["shift"]) == ["capacity", "shift"]
    assert with_needs(["augment", "rings"]) == ["rings", "data-size", "augment"]
    assert parse_names(None, "fashion-mnist") == ["gradients", "depth", "capacity", "shift",
                                                  "hidden", "data-size", "augment"]
    with pytest.raises(ValueError, match="unknown experiment nope"):
        parse_names("shift,nope", "mnist")


def test_rings_panels_show_the_boundary_moving_and_the_rings_separated():
    record = rings.run(TINY)
    assert sorted(record.arrays["snapshots"]) == [50, 150, 250, 350, 500, 3000]
    change = record.results["boundary_change"]
    assert len(change) == 5 and min(change[:4]) >= 0.005
    acc = record.results["snapshot_train_accuracy"]
    assert acc["50"] < 0.9 < acc["3000"]  # the panels show learning as it happens
    loss_curve = record.results["loss"]
    assert loss_curve[-1] < 0.5 * loss_curve[0]
    assert record.claims == [] and all(c["verdict"] == "pass" for c in record.checks)
    assert record.recipe["data"]["radii"] == [1.0, 2.0] and record.recipe["data"]["noise"] == 0.1
    assert "rings_data" in rings.draw(record)


def test_the_search_sees_the_training_images_only():
    data = load("digits")
    held = load_data("digits", None, None, None, 0, 300)
    assert len(held.y_test) == 300 and len(held.y_train) == len(data.y_train) - 300
    # every held-out row is a training image, none a test image
    train_rows = {row.tobytes() for row in data.X_train}
    assert all(row.tobytes() in train_rows for row in held.X_test)
    out = train(Task(data="digits", hidden=(10,), epochs=2, validation=300))
    assert out["evaluated"] == "validation" and "test_accuracy" not in out
    assert len(out["history"]["val_accuracy"]) == 2


def test_search_picks_the_best_validation_epoch():
    curves = [[0.5, 0.7, 0.6], [0.8, 0.8, 0.79]]
    outs = [{"history": {"val_accuracy": c}, "n_train": 90, "train_accuracy": 1.0}
            for c in curves]
    grid = ({"optimizer": "sgd", "lr": 0.1}, {"optimizer": "adam", "lr": 1e-3})
    chosen = search.select(outs, 10, 3, grid)
    assert chosen["selected_on"] == "validation" and chosen["searched"] is True
    assert chosen["selected"] == {"optimizer": "adam", "lr": 1e-3, "epochs": 1,
                                  "label": "adam 0.001", "validation_accuracy": 0.8}


def test_capacity_chooses_on_validation_then_tests_once(capacity_record):
    rec = capacity_record
    for h in (10, 32):
        s = rec.recipe[f"hidden{h}"]
        assert s["searched"] and s["selected_on"] == "validation"
        assert len(s["tried"]) == len(search.GRID)
        tasks = [rec.arrays["tasks"][(h, seed)] for seed in TINY.seed_list]
        assert all(t.validation == 0 and not t.monitor_test for t in tasks)
        assert [t.subset_seed for t in tasks] == TINY.seed_list  # each seed its own subset
        assert all(t.epochs == s["selected"]["epochs"] for t in tasks)
    ids = {c["id"]: c for c in rec.claims}
    assert set(ids) == {"digits_hidden10_test_acc", "digits_hidden32_test_acc"}
    c = ids["digits_hidden32_test_acc"]
    assert c["per_seed"] == [rec.arrays["runs"][(32, s)]["test_accuracy"] for s in (0, 1)]
    assert c["sd"] == pytest.approx(np.std(c["per_seed"], ddof=1))
    assert c["quote"].startswith("2-Layer network with 32 hidden nodes")
    assert rec.checks and all(k["verdict"] == "measured" for k in rec.checks)


def test_shift_claims_for_both_networks_explained_by_the_ablation(shift_record,
                                                                   capacity_record):
    record = shift_record
    for h in (10, 32):
        table = record.results[f"hidden{h}"]
        assert table["right_0"]["mean"] > table["right_2"]["mean"]
        n_test = capacity_record.arrays["runs"][(h, 0)]["n_test"]
        assert record.arrays["confusion"][(h, 2)].sum() == n_test
    # one row per statement, each measured on both widths, no verdict off MNIST
    assert [c["id"] for c in record.claims] == ["digits_shift1_acc", "digits_shift2_acc"]
    for c in record.claims:
        assert [m["width"] for m in c["measurements"]] == [10, 32]
        assert c["verdict"] == "no verdict" and c["explanation"] is None
        assert all(m["verdict"] == "no verdict" for m in c["measurements"])
    # the study: widths 10 and 32, right/down/down-right, 1 and 2 pixels, every seed
    rows = record.results["directions"]
    assert {(r["width"], r["direction"], r["pixels"]) for r in rows} == {
        (h, d, p) for h in (10, 32) for d in ("right", "down", "down-right") for p in (1, 2)}
    assert all(len(r["per_seed"]) == len(TINY.seed_list) for r in rows)
    for h in (10, 32):
        table = record.results["ablation"][f"hidden{h}"]
        keys = {r["key"] for r in table["variants"]} | {d["key"] for d in table["dropped"]}
        assert {"base", "standardize", "raw", "sgd", "adam", "few_epochs", "book", "roll",
                "left"} <= keys
        # every trained variant chose its rate on validation, the book keeps its own
        rates = table["learning_rates"]
        assert {"standardize", "raw", "few_epochs"} <= set(rates)
        assert all(r["selected_on"] == "validation" for r in rates.values())
        book = next(r for r in table["variants"] if r["key"] == "book")
        assert book["lr"] == 0.01
        base = next(r for r in table["variants"] if r["key"] == "base")
        # the base row is the capacity experiment's own networks, retested
        assert base["shift2"]["per_seed"] == record.results[f"hidden{h}"]["right_2"]["per_seed"]
    assert "width5" in {r["key"] for r in record.results["ablation"]["hidden10"]["variants"]}
    assert record.results["closest_to_62"]["statement"].startswith("Closest to 62.0%")
    assert "shift_ablation" in shift.draw(record)


def test_each_width_is_explained_by_its_own_ablation_and_the_shared_part_once(shift_record):
    """On MNIST-like judging, a measurement's explanation cites its own network's numbers;
    what the four explanations share (the variants, the fills, when a variant is sound) is
    the record's ``shared_explanation``, in none of them."""
    from nnlearn.experiments import ablation
    from nnlearn.experiments.verdicts import measurement, points

    tables = shift_record.results["ablation"]
    shared = shift_record.shared_explanation
    assert shared == ablation.shared(tables)
    texts = {}
    for h in (10, 32):
        for pixels in (1, 2):
            entry = shift_record.results[f"hidden{h}"][f"right_{pixels}"]
            m = measurement(network="n", optimizer="o", width=h, values=entry["per_seed"],
                            rule="whole_percent", lecture=shift.LECTURE[pixels])
            text = ablation.explain(m, tables[f"hidden{h}"], pixels, shift.LECTURE[pixels])
            texts[(h, pixels)] = text
            assert f"The {h}-unit network's ablation at {pixels} pixel" in text
            for r in tables[f"hidden{h}"]["variants"][1:]:  # every variant's own number
                assert f"{r['label']} {points(r[f'shift{pixels}']['mean'])}" in text
    assert len(set(texts.values())) == 4
    table = tables["hidden10"]
    differ = table["fills_differ"]
    assert any(differ.values())  # the 8x8 digits' borders are not all zero
    for said_once in (f"differ on {differ['1']} and {differ['2']} of the {table['test_images']} "
                      "test images", "784-64-10, Adam 0.01", "$W_1$ initialised at He / 255",
                      "within 1 point of the lecture's", "93.0% for 10 units"):
        assert said_once in shared, said_once
        assert not any(said_once in t for t in texts.values()), said_once
    roll = next(r for r in table["variants"] if r["key"] == "roll")
    assert roll["label"] == "rolled, not zero-filled"  # the count is said once, not per row


def test_confusion_counts_pairs():
    C = confusion(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 0]), 3)
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_hidden_units_by_sgd_and_adam_and_their_rare_pixel_share(runner, capacity_record):
    record = hidden.run(TINY, runner, capacity=capacity_record)
    assert set(record.recipe["sgd"]) >= {"lr", "epochs"} and record.recipe["adam"]["lr"]
    assert record.arrays["images"]["sgd"].shape == (10, 8, 8)
    assert len(record.results["rare_pixel_share_adam"]["per_seed"]) == len(TINY.seed_list)
    W = record.arrays["images"]["sgd"].reshape(10, 64)
    X = load("digits").X_train
    rare = (X > 0).mean(axis=0) < 0.001
    expected = np.abs(W[:, rare]).sum() / np.abs(W).sum()
    assert record.results["rare_pixel_share"] == pytest.approx(expected)
    assert record.results["rare_pixel_share_even"] == pytest.approx(rare.mean())
    fig = hidden.draw(record)["hidden_units"]
    lo, hi = fig.axes[0].images[0].get_clim()
    assert lo == -hi  # one symmetric scale: zero sits in the middle (grey)
    assert all(ax.images[0].get_clim() == (lo, hi) for ax in fig.axes if ax.images)


def test_less_data_widens_the_gap_and_each_seed_draws_its_subset(runner):
    record = data_size.run(TINY, runner)
    small = record.results["100"]
    assert small["train_accuracy"]["mean"] > small["test_accuracy"]["mean"]
    a, b = (data_size.size_task(TINY, 100, 1, s) for s in (0, 1))
    Xa = load_data(a.data, None, 100, a.n_test, a.subset_seed).X_train
    Xb = load_data(b.data, None, 100, b.n_test, b.subset_seed).X_train
    assert not np.array_equal(Xa, Xb)
    c = record.claims[0]
    assert c["rule_id"] == "above_zero" and c["seeds"] == 2


def test_augmentation_trains_on_shifted_batches(runner):
    plain = data_size.run(TINY, runner)
    record = augment.run(TINY, runner, **{"data-size": plain})
    full = max(data_size.plan(TINY))
    h_aug = record.arrays["runs"][(full, 0)]["history"]["train_loss"]
    h_plain = plain.arrays["runs"][(full, 0)]["history"]["train_loss"]
    assert len(h_aug) == len(h_plain) and h_aug != h_plain
    table = record.results["shifted_test"]
    assert table["augmented"][str(full)]["2"]["mean"] > table["plain"][str(full)]["2"]["mean"]
    assert "Data Augmentation" in record.lecture and record.claims == []


def test_depth_gradient_norms_in_float64_do_not_underflow():
    # Theorem 1: with sigmoid each factor D_k W_k^T shrinks the gradient; at L = 32 the
    # first layer's |dL/dz_1| is far below float32's smallest square, yet not 0
    task = depth.depth_task(TINY, "mlp", "sigmoid", 32, 0)
    r = train(Task(**{**task.__dict__, "epochs": 1, "n_train": 200}))
    norms = r["grad_norms_init"]
    assert len(norms) == 32 and min(norms) > 0 and norms[0] / norms[-1] < 1e-15


def test_depth_runs_sgd_and_adam_each_at_its_rate_with_a_verdict_each(runner):
    record = depth.run(TINY, runner)
    c = {x["id"]: x for x in record.claims}
    assert set(c) == {"digits_depth_plain_worse", "digits_depth_resnet_not_worse"}
    assert c["digits_depth_plain_worse"]["rule_id"] == "below_zero"
    assert c["digits_depth_resnet_not_worse"]["rule_id"] == "not_below"
    for row in c.values():
        assert {(m["optimizer"], m["network"].split(",")[0]) for m in row["measurements"]} == {
            (o, f"{k} {a}") for o in ("sgd", "adam") for a in ("sigmoid", "relu")
            for k in (("plain",) if row["rule_id"] == "below_zero" else ("resnet",))}
        # the row rests on SGD, the lecture's gradient descent
        assert all(", sgd," in r for r in row["rests_on"])
        assert set(record.results["verdict_by_optimizer"][row["id"]]) == {"sgd", "adam"}
    for key, by_depth in record.results.items():
        if key != "verdict_by_optimizer":
            for entry in by_depth.values():
                assert entry["lr_choice"]["selected_on"] == "validation"
                assert entry["lr"] in search.DEPTH_LR_GRID[key.split("_")[0]]


def test_gradients_vanish_and_blow_up_in_plain_networks_not_in_resnets():
    record = gradients.run(TINY)
    c = {x["id"]: x for x in record.claims}
    blow, vanish = c["digits_gradient_blowup"], c["digits_gradient_vanishing"]
    scaled, default = blow["measurements"]
    assert scaled["init_scale"] == 1.5 and default["init_scale"] == 1.0
    assert scaled["verdict"] == "reproduced" and min(scaled["per_seed"]) > 3
    assert max(scaled["beside"]["resnet_log10_ratio"]) < 1.5
    # at He's own scale the product does not grow: the row rests on both, so not reproduced
    assert max(default["per_seed"]) < 0.5 and blow["verdict"] != "reproduced"
    (v,) = vanish["measurements"]
    assert vanish["verdict"] == "reproduced" and max(v["per_seed"]) < -10
    assert min(v["beside"]["resnet_log10_ratio"]) > -1.5
    assert "D_{L-1} W_L^T" in vanish["note"]


def test_the_corrected_theorem1_product_is_the_engines_gradient():
    """dL/dz_1 = D_1 W_2^T D_2 W_3^T ... D_{L-1} W_L^T dL/dz_L (the lecture's slide writes
    D_L W_L^T at the end, which does not conform when n_L != n_{L-1})."""
    from nnlearn.spec import NetworkSpec

    rng = np.random.default_rng(0)
    net = NetworkSpec(6, 3, hidden=(5, 4, 7), activation="sigmoid", dtype="float64").build(0)
    X, y = rng.normal(size=(1, 6)), np.array([2])
    net.loss_and_gradients(X, y, reduction="sum", train=False)
    layers = net.layers  # L = 4 weight layers: widths 5, 4, 7, 3
    D = [np.diag(layer.sigma_prime(layer.z, layer.f)[0]) for layer in layers]
    product = net.dz[-1][0]  # dL/dz_L
    for k in range(len(layers) - 1, 0, -1):  # ... D_{k-1} W_k^T, from k = L down to 2
        product = D[k - 1] @ layers[k].W.T @ product
    np.testing.assert_allclose(product, net.dz[0][0], rtol=1e-12, atol=1e-15)
    # the lecture's last factor D_L W_L^T: a (3 x 3) times a (7 x 3) does not conform
    with pytest.raises(ValueError):
        D[-1] @ layers[-1].W.T


def test_theorem1_and_eq7_checks_pass():
    for module in (backprop, loss):
        record = module.run(TINY)
        assert record.checks and all(c["verdict"] == "pass" for c in record.checks), \
            [c for c in record.checks if c["verdict"] != "pass"]
    assert len(backprop.run(TINY).checks) == 12  # two layer kinds, six activations


def test_twin_agrees_with_the_engine(capacity_record, runner):
    pytest.importorskip("torch")
    record = twin.run(TINY, runner, capacity=capacity_record)
    assert record.claims == [] and all(c["verdict"] == "pass" for c in record.checks)


def test_missing_data_skips_what_needs_it(tmp_path, runner):
    settings = Scope(data="mnist", data_dir=str(tmp_path), quick=True, seeds=1)
    lines = []
    records = run_experiments(settings, ["rings", "shift"], runner, progress=lines.append)
    by_name = {r.name: r for r in records}
    assert by_name["rings"].skipped is None and by_name["rings"].checks
    assert "mnist is missing" in by_name["capacity"].skipped
    assert "mnist is missing" in by_name["shift"].skipped
    assert any("skipped" in line for line in lines)
