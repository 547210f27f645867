"""The rule that turns per-seed numbers into verdicts, against hand computations."""

import math

import pytest

from nnlearn.experiments.verdicts import (
    RULES,
    by,
    check,
    measurement,
    statement,
    t_interval,
    verdict,
)

# Student's t, two-sided 95%, from printed tables: df = 1 and df = 4
T_1, T_4 = 12.706204736, 2.776445105


def test_t_interval_against_the_printed_quantile():
    values = [0.931, 0.925, 0.940, 0.928, 0.936]
    mean = sum(values) / 5
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 4)  # ddof = 1
    lo, hi = t_interval(values)
    assert lo == pytest.approx(mean - T_4 * sd / math.sqrt(5), abs=1e-9)
    assert hi == pytest.approx(mean + T_4 * sd / math.sqrt(5), abs=1e-9)
    lo, hi = t_interval([1.0, 3.0])
    assert (lo, hi) == pytest.approx((2 - T_1 * math.sqrt(2) / math.sqrt(2),
                                      2 + T_1 * math.sqrt(2) / math.sqrt(2)))
    assert t_interval([1.0]) == (-math.inf, math.inf)


@pytest.mark.parametrize("values, expected", [
    ([0.934, 0.934, 0.935, 0.934, 0.935], "reproduced"),  # mean 93.44: within half a point
    ([0.937, 0.936, 0.937, 0.936, 0.937], "differs"),  # 93.66, tight: the interval misses
    ([0.925, 0.945, 0.940, 0.930, 0.950], "consistent"),  # 93.8, wide: reaches 93.5
    ([0.900, 0.901, 0.899, 0.900, 0.900], "differs"),
])
def test_whole_percent(values, expected):
    assert verdict("whole_percent", values, 0.93) == expected


def test_signs_and_not_worse():
    assert verdict("below_zero", [-0.1, -0.12, -0.09], None) == "reproduced"
    assert verdict("below_zero", [0.1, 0.12, 0.09], None) == "differs"
    assert verdict("below_zero", [-0.1, 0.1, 0.0], None) == "consistent"
    assert verdict("above_zero", [3.1, 2.9, 3.0], None) == "reproduced"
    # not worse: the interval must clear -0.5 points
    assert verdict("not_below", [-0.001, 0.0, 0.001], None) == "reproduced"
    assert verdict("not_below", [-0.02, -0.021, -0.019], None) == "differs"
    assert verdict("not_below", [-0.01, 0.0, 0.01], None) == "consistent"
    with pytest.raises(ValueError, match="unknown rule"):
        verdict("close", [1.0], 1.0)


def _m(values, lecture=0.93, **kw):
    fields = {"network": "mlp", "optimizer": "sgd", "width": 10, **kw}
    return measurement(values=values, rule="whole_percent", lecture=lecture, **fields)


def test_a_measurement_carries_everything_needed_to_recompute_it():
    m = _m([0.95, 0.951, 0.949], explanation="because")
    assert m["sd"] == pytest.approx(0.001) and m["ours"] == pytest.approx(0.95)
    assert m["verdict"] == "differs" and m["explanation"] == "because" and m["seeds"] == 3
    assert _m([0.93, 0.931], explanation="unused")["explanation"] is None
    assert "Nothing measured here" in _m([0.9, 0.91], lecture=0.5)["explanation"]
    shown = _m([0.5, 0.6], judged=False)  # MNIST's number on other data: shown, not judged
    assert shown["verdict"] == "no verdict" and shown["explanation"] is None
    assert shown["per_seed"] == [0.5, 0.6]
    assert check("c", what="w", value=1.0, limit="<= 2", passed=True)["verdict"] == "pass"
    assert check("c", what="w", value=1.0)["verdict"] == "measured"


def test_a_statement_rests_on_named_measurements_and_takes_the_least_favourable():
    good = _m([0.93, 0.931, 0.929], width=10)  # reproduced
    wide = _m([0.925, 0.945, 0.940, 0.930, 0.950], width=32)  # consistent
    bad = _m([0.90, 0.901, 0.899], width=64)  # differs
    row = statement("mnist_x", quote="q", claim="c", lecture=0.93, rule="whole_percent",
                    measurements=[good, wide, bad], why="the lecture names no network")
    assert [m["verdict"] for m in row["measurements"]] == ["reproduced", "consistent",
                                                           "differs"]
    # all three: the kinder ones are not picked
    assert row["verdict"] == "differs" and row["deciding"] == bad["label"]
    assert row["per_seed"] == bad["per_seed"] and row["explanation"] == bad["explanation"]
    assert row["rests_on"] == [m["label"] for m in (good, wide, bad)]
    # resting on the first two only (say the lecture names them): consistent
    row = statement("mnist_x", quote="q", claim="c", lecture=0.93, rule="whole_percent",
                    measurements=[good, wide, bad], rests_on=[0, 1], why="w")
    assert row["verdict"] == "consistent" and row["rests_on"] == [good["label"], wide["label"]]
    assert row["why"] == "w" and row["rule"] == RULES["whole_percent"]
    # a verdict per optimiser
    adam = _m([0.93, 0.931, 0.929], optimizer="adam", width=64)
    row = statement("mnist_x", quote="q", claim="c", lecture=0.93, rule="whole_percent",
                    measurements=[bad, adam], rests_on=[0], why="w")
    assert by(row, "optimizer") == {"sgd": "differs", "adam": "reproduced"}
    assert "width 64" in adam["label"] and "adam" in adam["label"]
    with pytest.raises(ValueError, match="unknown rule"):
        statement("x", quote="q", claim="c", lecture=1, rule="close", measurements=[good],
                  why="w")
