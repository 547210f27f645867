"""The lecture's claims and our checks, and the one rule that turns numbers into verdicts.

A *claim* is a statement of the lecture (its words in ``quote``) with our
measurement beside it: one number per seed (``per_seed``), their mean
(``ours``), their standard deviation with ``ddof=1`` (``sd``), the 95%
t-interval of the mean, and a verdict computed here by the claim's ``rule``:

- ``whole_percent`` (a number the lecture gives in whole percent, so that
  "93%" stands for [92.5%, 93.5%]): *reproduced* when
  ``|mean - lecture| <= 0.5`` points; *consistent* when not, but the 95%
  t-interval of the mean reaches ``[lecture - 0.5, lecture + 0.5]``;
  *differs* otherwise.
- ``above_zero`` / ``below_zero`` (a qualitative claim that an effect has a
  sign: "worse", "grows"): *reproduced* when the 95% interval lies on the
  claimed side of 0, *differs* when it lies on the other side, *consistent*
  when it contains 0 (the seeds cannot tell).
- ``not_below`` ("should not perform worse"): *reproduced* when the 95%
  interval lies above -0.5 points (the lecture's resolution), *differs* when
  it lies below -0.5 points, *consistent* otherwise.

A *check* is ours, not the lecture's (the PyTorch twin, gradient checks,
log-sum-exp, the rings' separation, recipe variants): a value beside a limit,
``pass`` or ``fail``, or ``measured`` where it only reports. The report counts
claims only.
"""

from __future__ import annotations

import math

import numpy as np

#: Confidence level of every interval.
LEVEL = 0.95
#: Half of the lecture's last digit: its whole percents stand for +-0.5 points.
HALF_POINT = 0.005

RULES = {
    "whole_percent": "reproduced when |mean - lecture| <= 0.5 points; consistent when not, "
                     "but the 95% t-interval of the mean reaches [lecture - 0.5, lecture + 0.5]; "
                     "differs otherwise",
    "above_zero": "reproduced when the 95% t-interval of the mean lies above 0; differs when "
                  "it lies below 0; consistent when it contains 0",
    "below_zero": "reproduced when the 95% t-interval of the mean lies below 0; differs when "
                  "it lies above 0; consistent when it contains 0",
    "not_below": "not worse: reproduced when the 95% t-interval of the mean difference lies "
                 "above -0.5 points; differs when it lies below -0.5 points; consistent "
                 "otherwise",
}
VERDICTS = ("reproduced", "consistent", "differs", "skipped")
CHECK_VERDICTS = ("pass", "fail", "measured")
#: The rule in one sentence, for the reports and the README.
RULE_SENTENCE = ("A number the lecture gives in whole percent is reproduced when our mean over "
                 "seeds lies within 0.5 points of it, consistent when the 95% t-interval of "
                 "our mean still reaches that half-point band, and differs otherwise; a "
                 "qualitative claim is reproduced when the 95% interval of its effect lies on "
                 "the claimed side of 0 (of -0.5 points for \"not worse\").")


def t_interval(values, level: float = LEVEL) -> tuple[float, float]:
    """The ``level`` t-interval of the mean of ``values``: ``mean +- t * sd / sqrt(n)``.

    ``sd`` has ``ddof=1``; ``t`` is the two-sided quantile of Student's t with
    ``n - 1`` degrees of freedom. With one value the interval is unbounded.
    """
    from scipy import stats

    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    if len(x) < 2:
        return -math.inf, math.inf
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean - half, mean + half


def verdict(rule: str, values, lecture=None) -> str:
    """The verdict of ``rule`` (a key of ``RULES``) on the per-seed ``values``."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if len(values) == 0:
        return "skipped"
    mean = float(np.mean(values))
    lo, hi = t_interval(values)
    if rule == "whole_percent":
        if abs(mean - lecture) <= HALF_POINT + 1e-12:
            return "reproduced"
        reaches = hi >= lecture - HALF_POINT and lo <= lecture + HALF_POINT
        return "consistent" if reaches else "differs"
    edge = -HALF_POINT if rule == "not_below" else 0.0
    if rule == "below_zero":
        return "reproduced" if hi < edge else "differs" if lo > edge else "consistent"
    return "reproduced" if lo > edge else "differs" if hi < edge else "consistent"


def claim(id_: str, *, quote: str, statement: str, lecture, values, rule: str,
          unit: str = "fraction", explanation: str | None = None, note: str = "",
          beside: dict | None = None) -> dict:
    """One row of the claims table.

    Parameters
    ----------
    id_ : str
        ``{data}_{what}``, e.g. ``mnist_hidden10_test_acc``.
    quote : str
        The lecture's words.
    statement : str
        What we measured, in our words.
    lecture : float or str
        The lecture's number (whole percent, as a fraction) or, for a
        qualitative claim, a short statement.
    values : sequence of float
        One measurement per seed.
    rule : str
        A key of ``RULES``; whole percents need a number in ``lecture``.
    unit : {"fraction", "accuracy difference", "log10 ratio"}
    explanation : str, optional
        Why a claim that is not reproduced differs, citing what was measured.
    beside : dict, optional
        Other per-seed numbers shown with the claim (the ResNet beside the
        plain network).
    """
    values = [float(v) for v in values]
    n = len(values)
    ours = float(np.mean(values)) if n else None
    sd = float(np.std(values, ddof=1)) if n > 1 else None
    lo, hi = t_interval(values) if n else (None, None)
    result = verdict(rule, values, lecture)
    return {"id": id_, "quote": quote, "claim": statement, "lecture": lecture,
            "per_seed": values, "seeds": n, "ours": ours, "sd": sd,
            "interval": [_finite(lo), _finite(hi)], "rule_id": rule, "rule": RULES[rule],
            "unit": unit, "verdict": result,
            "explanation": None if result == "reproduced" else
            (explanation or "Nothing measured here explains the difference."),
            "note": note, "beside": beside or {}}


def check(id_: str, *, what: str, value, limit=None, passed: bool | None = None,
          unit: str = "", note: str = "") -> dict:
    """One row of the checks table: ``passed`` None means it only reports a number."""
    state = "measured" if passed is None else "pass" if passed else "fail"
    return {"id": id_, "what": what, "value": _finite(value), "limit": limit, "unit": unit,
            "verdict": state, "note": note}


def undecided(c: dict) -> str:
    """The explanation of a *consistent* claim: its seeds vary more than the rule can
    settle (empty for any other verdict)."""
    if c["verdict"] != "consistent":
        return ""
    lo, hi = c["interval"]
    scale, unit = (100, " points") if c["unit"] in ("fraction", "accuracy difference") else (1, "")
    return (f"The 95% interval of our mean, [{scale * lo:+.1f}, {scale * hi:+.1f}]{unit}, holds "
            f"values on both sides of the rule's edge: the {c['seeds']} seeds vary more than "
            f"the difference in question, so they neither confirm nor refute the claim. ")


def _finite(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def points(fraction: float) -> str:
    """A fraction as percent with one decimal: ``0.9312`` -> ``"93.1%"``."""
    return f"{100 * fraction:.1f}%"
