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

#: Each rule in words, as the reports print it (formulas in TeX: ``nnlearn.report.maths``).
RULES = {
    "whole_percent": r"reproduced when $\lvert \text{mean} - \text{lecture} \rvert \le 0.5$ "
                     r"points; consistent when not, but the 95% t-interval of the mean reaches "
                     r"$[\text{lecture} - 0.5, \text{lecture} + 0.5]$; differs otherwise",
    "above_zero": "reproduced when the 95% t-interval of the mean lies above 0; differs when "
                  "it lies below 0; consistent when it contains 0",
    "below_zero": "reproduced when the 95% t-interval of the mean lies below 0; differs when "
                  "it lies above 0; consistent when it contains 0",
    "not_below": "not worse: reproduced when the 95% t-interval of the mean difference lies "
                 "above -0.5 points; differs when it lies below -0.5 points; consistent "
                 "otherwise",
}
#: "no verdict": a number of the lecture's MNIST tried on other data is shown, not judged.
NO_VERDICT = "no verdict"
VERDICTS = ("reproduced", "consistent", "differs", NO_VERDICT, "skipped")
#: Least favourable first: a row resting on several measurements takes the lowest.
RANK = {"differs": 0, "consistent": 1, "skipped": 2, NO_VERDICT: 3, "reproduced": 4}
CHECK_VERDICTS = ("pass", "fail", "measured")
#: The rule in one sentence, for the reports and the README.
RULE_SENTENCE = ("A number the lecture gives in whole percent is reproduced when our mean over "
                 "seeds lies within 0.5 points of it, consistent when the 95% t-interval of "
                 "our mean still reaches that half-point band, and differs otherwise; a "
                 "qualitative claim is reproduced when the 95% interval of its effect lies on "
                 "the claimed side of 0 (of -0.5 points for \"not worse\").")


#: Why "not worse" allows half a point, in the report's words.
MARGIN_SENTENCE = ("\"Not worse\" allows a loss of up to 0.5 points: the lecture states accuracies "
                   "in whole percent, so a difference under half a point is one its own numbers "
                   "could not show. The margin is the lecture's resolution, the same half point "
                   "as the whole-percent rule; it was set with that rule, before these runs, "
                   "and is not tuned.")


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


def measurement(*, network: str, optimizer: str | None, init_scale: float | None = 1.0,
                width: int | None, values, rule: str, lecture, judged: bool = True,
                explanation: str | None = None, note: str = "",
                beside: dict | None = None) -> dict:
    """One way a statement was measured: its own per-seed numbers and verdict.

    ``network``, ``optimizer``, ``init_scale`` (the weights at initialisation as a
    multiple of the default initialiser's) and ``width`` tell the measurements
    of one statement apart. ``judged=False`` (a number of the lecture's MNIST
    tried on other data) keeps the numbers and gives the verdict ``"no verdict"``.
    ``explanation``: why a measurement that is not reproduced differs, citing
    what was measured on that network.
    """
    values = [float(v) for v in values]
    n = len(values)
    lo, hi = t_interval(values) if n else (None, None)
    result = verdict(rule, values, lecture) if judged else NO_VERDICT
    return {"network": network, "optimizer": optimizer, "init_scale": init_scale,
            "width": width, "per_seed": values, "seeds": n,
            "ours": float(np.mean(values)) if n else None,
            "sd": float(np.std(values, ddof=1)) if n > 1 else None,
            "interval": [_finite(lo), _finite(hi)], "verdict": result,
            "explanation": (explanation or "Nothing measured here explains the difference.")
            if result in ("consistent", "differs") else None,
            "note": note, "beside": beside or {}}


def label(m: dict) -> str:
    """A measurement as the report names it: ``"mlp relu, sgd, width 32, init x1"``."""
    parts = [m["network"]]
    if m["optimizer"]:
        parts.append(m["optimizer"])
    if m["width"] is not None:
        parts.append(f"width {m['width']}")
    if m["init_scale"] is not None and m["init_scale"] != 1.0:
        parts.append(f"weights {m['init_scale']:g} x default")
    return ", ".join(parts)


def statement(id_: str, *, quote: str, claim: str, lecture, rule: str, measurements: list,
              rests_on: list[int] | None = None, why: str, unit: str = "fraction",
              note: str = "", command: str = "") -> dict:
    """One row of the claims table: one statement of the lecture, however many ways measured.

    The row's verdict rests on the measurements ``rests_on`` (indices; all when
    None) and is the least favourable of theirs: where the lecture's words cover
    several networks (it names no network, no activation, no initialisation),
    every one of them must bear the statement out, so that no kinder
    measurement is picked. ``why`` says which measurements, and why those. The
    row's ``per_seed``, ``ours``, ``sd`` and ``interval`` are those of the
    measurement that decided (the first of the least favourable); each
    measurement gets its ``label``, by which ``rests_on`` and ``deciding`` name it.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    for m in measurements:
        m["label"] = label(m)
    chosen = list(range(len(measurements))) if rests_on is None else list(rests_on)
    deciding = min(chosen, key=lambda i: (RANK[measurements[i]["verdict"]], chosen.index(i)))
    d = measurements[deciding]
    return {"id": id_, "quote": quote, "claim": claim, "lecture": lecture, "rule_id": rule,
            "rule": RULES[rule], "unit": unit, "measurements": measurements,
            "rests_on": [measurements[i]["label"] for i in chosen], "why": why,
            "deciding": d["label"], "verdict": d["verdict"],
            **{k: d[k] for k in ("per_seed", "seeds", "ours", "sd", "interval")},
            "explanation": d["explanation"], "note": note, "command": command}


def by(row: dict, field: str) -> dict:
    """The verdict per value of a measurement ``field`` (``"optimizer"``): the least
    favourable of that value's measurements, as ``statement`` combines them."""
    out: dict = {}
    for m in row["measurements"]:
        key = str(m[field])
        if key not in out or RANK[m["verdict"]] < RANK[out[key]]:
            out[key] = m["verdict"]
    return out


def check(id_: str, *, what: str, value, limit=None, passed: bool | None = None,
          unit: str = "", note: str = "") -> dict:
    """One row of the checks table: ``passed`` None means it only reports a number."""
    state = "measured" if passed is None else "pass" if passed else "fail"
    return {"id": id_, "what": what, "value": _finite(value), "limit": limit, "unit": unit,
            "verdict": state, "note": note}


def undecided(c: dict, unit: str = "fraction") -> str:
    """The explanation of a *consistent* claim: its seeds vary more than the rule can
    settle (empty for any other verdict)."""
    if c["verdict"] != "consistent":
        return ""
    lo, hi = c["interval"]
    scale, unit = (100, " points") if unit in ("fraction", "accuracy difference") else (1, "")
    return (f"The 95% interval of our mean, [{scale * lo:+.1f}, {scale * hi:+.1f}]{unit}, holds "
            f"values on both sides of the rule's edge: the {c['seeds']} seeds vary more than "
            f"the difference in question, so they neither confirm nor refute the claim. ")


def _finite(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def points(fraction: float) -> str:
    """A fraction as percent with one decimal: ``0.9312`` -> ``"93.1%"``."""
    return f"{100 * fraction:.1f}%"
