"""The committed reproductions (docs/reproduce, docs/reproduce-fashion) meet the bar.

Every verdict is recomputed here from the file alone, by the stated rule and
independently of ``nnlearn.experiments.verdicts``: the mean and the standard
deviation (ddof=1) from ``per_seed``, the 95% t-interval from Student's t, the
verdict from the interval and the lecture's number.
"""

import json
import math
from pathlib import Path

import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
DOCS = {"mnist": ROOT / "docs" / "reproduce", "fashion-mnist": ROOT / "docs" / "reproduce-fashion"}
HALF = 0.005


def _results(name):
    return json.loads((DOCS[name] / "results.json").read_text(encoding="utf-8"))


def _verdict(rule, values, lecture):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    lo, hi = mean - half, mean + half
    if rule == "whole_percent":
        if abs(mean - lecture) <= HALF + 1e-12:
            return "reproduced"
        return "consistent" if hi >= lecture - HALF and lo <= lecture + HALF else "differs"
    edge = -HALF if rule == "not_below" else 0.0
    if rule == "below_zero":
        return "reproduced" if hi < edge else "differs" if lo > edge else "consistent"
    assert rule in ("above_zero", "not_below")
    return "reproduced" if lo > edge else "differs" if hi < edge else "consistent"


@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_verdict_recomputes_from_the_file(name):
    r = _results(name)
    assert r["data"] == name and not r["quick"]
    assert r["claims"] and isinstance(r["checks"], list) and r["checks"]
    for c in r["claims"]:
        values = c["per_seed"]
        n = len(values)
        assert n >= 5, c["id"]  # every claim, accuracies included, has at least 5 seeds
        mean = sum(values) / n
        assert c["ours"] == pytest.approx(mean, abs=1e-12)
        assert c["sd"] == pytest.approx(math.sqrt(sum((v - mean) ** 2 for v in values)
                                                  / (n - 1)), abs=1e-12)
        assert c["verdict"] == _verdict(c["rule_id"], values, c["lecture"]), c["id"]
        assert c["quote"].strip() and c["rule"].strip()
        if c["verdict"] != "reproduced":
            assert c["explanation"] and len(c["explanation"]) > 40, c["id"]
    counts = {v: sum(c["verdict"] == v for c in r["claims"])
              for v in ("reproduced", "consistent", "differs")}
    assert {k: r["summary"][k] for k in counts} == counts
    assert r["summary"]["claims"] == len(r["claims"])
    assert all(c["verdict"] in ("pass", "measured") for c in r["checks"]), \
        [c["id"] for c in r["checks"] if c["verdict"] == "fail"]
    if name != "mnist":
        assert all("tried on" in c["note"] for c in r["claims"])
        assert "tried on other data" in r["claims_are"]


def _searches(value):
    if isinstance(value, dict):
        if value.get("searched"):
            yield value
        for v in value.values():
            yield from _searches(v)
    elif isinstance(value, list):
        for v in value:
            yield from _searches(v)


def test_the_mnist_reproduction_meets_the_bar():
    r = _results("mnist")
    ids = {c["id"] for c in r["claims"]}
    assert "mnist_gradient_blowup" in ids
    assert {"mnist_hidden10_test_acc", "mnist_hidden32_test_acc"} <= ids
    assert {f"mnist_hidden{h}_shift{p}_acc" for h in (10, 32) for p in (1, 2)} <= ids
    searches = list(_searches(r["recipes"]))
    assert len(searches) == 2 and all(s["selected_on"] == "validation" for s in searches)
    assert all(s["grid"]["recipes"] for s in searches)
    experiments = r["experiments"]
    assert experiments["hidden"]["rare_pixel_share"] <= 0.15
    change = experiments["rings"]["boundary_change"]
    assert len(change) == 5 and min(change[:4]) >= 0.005
    assert {c["id"] for c in r["checks"]} >= {"rings_separated", "eq7_log_sum_exp_exact",
                                              "theorem1_resnet_sigmoid",
                                              "mnist_hidden10_twin_difference"}
    assert r["run_seconds"] < 600


def test_the_readme_table_is_the_committed_run():
    """The README's results table is the committed results.json: one row per claim,
    in its order, with its verdict and the lecture's number."""
    claims = _results("mnist")["claims"]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| the lecture says | lecture | ours | 95% interval | verdict |")
    rows = [line for line in text[start:].split("\n\n")[0].splitlines()[2:]]
    assert len(rows) == len(claims)
    for row, c in zip(rows, claims):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[-1] == c["verdict"], (row, c["id"])
        if isinstance(c["lecture"], (int, float)):
            assert cells[1] == f"{100 * c['lecture']:.1f}%", (row, c["id"])
