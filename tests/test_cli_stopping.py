"""``nnlearn train --class-weight balanced --early-stopping`` and ``evaluate``'s
classification report (issue 28: what the estimator had, on the command line)."""

import json

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_sample_weight

from nnlearn.cli import main
from nnlearn.data import load
from nnlearn.run import RunConfig, run
from nnlearn.run.holdout import fit_data


def nnlearn(capsys, *args):
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_early_stopping_holds_out_part_of_the_training_set_and_keeps_the_best_epoch():
    cfg = RunConfig(data="moons", epochs=400, early_stopping=True, patience=3,
                    validation_fraction=0.2, progress=False)
    result = run(cfg)
    history, m = result.history, result.metrics
    assert m["epochs"] < 400  # it stopped
    best = m["best_epoch"]
    assert best == int(np.argmax(history["val_accuracy"])) + 1
    assert m["epochs"] - best == cfg.patience + 1  # MLPClassifier's n_iter_no_change rule
    # the validation rows are a fifth of the training part, never the test part
    fit = fit_data(result.config, result.dataset)
    X_val, y_val = fit.validation
    assert len(y_val) == round(0.2 * len(result.dataset.y_train)) and len(fit.y) + len(y_val) \
        == len(result.dataset.y_train)
    # and the network kept is the best epoch's: its accuracy there is the recorded one
    kept = (result.network.predict(X_val.astype(np.float32)) == y_val).mean()
    assert kept == pytest.approx(history["val_accuracy"][best - 1], abs=1e-12)


def test_balanced_class_weights_are_scikit_learns(tmp_path):
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.15).astype(int)  # 15 % of one class
    X = rng.normal(size=(300, 2)) + y[:, None]
    table = tmp_path / "rare.csv"
    table.write_text("a,b,rare\n" + "".join(f"{u:.5f},{v:.5f},{c}\n" for (u, v), c in zip(X, y)))
    cfg = RunConfig(data=str(table), class_weight="balanced", epochs=5, progress=False)
    data = load(str(table))
    fit = fit_data(cfg, data)
    np.testing.assert_allclose(fit.w, compute_sample_weight("balanced", data.y_train))
    assert fit.validation[0] is data.X_test  # no early stopping: the test part validates
    plain = run(RunConfig(data=str(table), epochs=5, progress=False)).network
    weighted = run(cfg).network
    assert not np.array_equal(plain.layers[0].W, weighted.layers[0].W)


def test_evaluate_prints_and_writes_the_classification_report(tmp_path, capsys):
    code, _, err = nnlearn(capsys, "train", "--data", "blobs", "--epochs", "5", "--quiet",
                           "--class-weight", "balanced", "--early-stopping",
                           "--out", str(tmp_path / "run"))
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert {"macro avg", "weighted avg", "accuracy"} <= set(metrics["classification_report"])
    code, out, err = nnlearn(capsys, "evaluate", "--model", str(tmp_path / "run" / "model.npz"),
                             "--out", str(tmp_path / "ev"))
    assert code == 0, err
    assert "f1-score" in out and "macro avg" in out and "weighted avg" in out
    report = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    macro = report["classification_report"]["macro avg"]
    f1 = [row["f1"] for row in report["per_class"]]
    assert macro["f1-score"] == pytest.approx(np.mean(f1))
    assert report["classification_report"]["accuracy"] == pytest.approx(report["accuracy"])
