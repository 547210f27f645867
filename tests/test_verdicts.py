"""The rule that turns per-seed numbers into verdicts, against hand computations."""

import math

import pytest

from nnlearn.experiments.verdicts import RULES, check, claim, t_interval, verdict

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


def test_a_claim_row_carries_everything_needed_to_recompute_it():
    c = claim("mnist_x", quote="93% testing accuracy", statement="ours", lecture=0.93,
              values=[0.95, 0.951, 0.949], rule="whole_percent", explanation="because")
    assert c["sd"] == pytest.approx(0.001) and c["ours"] == pytest.approx(0.95)
    assert c["verdict"] == "differs" and c["explanation"] == "because"
    assert c["rule"] == RULES["whole_percent"] and c["seeds"] == 3
    ok = claim("mnist_y", quote="q", statement="s", lecture=0.93, values=[0.93, 0.931],
               rule="whole_percent", explanation="unused")
    assert ok["verdict"] == "reproduced" and ok["explanation"] is None
    silent = claim("mnist_z", quote="q", statement="s", lecture=0.5, values=[0.9, 0.91],
                   rule="whole_percent")
    assert "Nothing measured here" in silent["explanation"]
    assert check("c", what="w", value=1.0, limit="<= 2", passed=True)["verdict"] == "pass"
    assert check("c", what="w", value=1.0)["verdict"] == "measured"
