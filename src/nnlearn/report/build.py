"""Write the report of a reproduction run: a thin layer over the experiment records.

``build_results`` gathers every record into one JSON-ready dictionary (the
lecture's claims first, with the rule that gave their verdicts and a count of
them, then our checks, each experiment's recipe and numbers, the seeds, the
software, the machine and the run times); ``write_report`` draws the figures,
writes them as PNG and renders ``report.html`` (figures embedded as base64, so
the one file opens offline) and ``report.md`` from the Jinja2 templates beside
this module (``render``). ``schema.json`` describes ``results.json``.

Both reports open on a one-screen summary (``summary.md.j2``, and its HTML
twin): the statements with their verdicts, the key figures, then the audit.
Every table has its verdict in the second column, where a browser's width
cannot push it out of sight. Formulas are TeX between dollars in the texts;
the HTML gets them as MathML (``maths``).
"""

from __future__ import annotations

import base64
import json
import math
import os
import platform
import resource
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import re

import jinja2

from ..experiments import claim_command, draw
from ..experiments.base import Scope, measures, other_data, scope_notes
from ..experiments.deviations import deviations
from ..experiments.verdicts import MARGIN_SENTENCE, RULE_SENTENCE, RULES, VERDICTS, label
from ..fileio import write_bytes, write_text
from ..plots import save_figure
from . import maths

SCHEMA_PATH = Path(__file__).with_name("schema.json")
TEMPLATES = Path(__file__).with_name("templates")
PACKAGES = ("nnlearn", "numpy", "scikit-learn", "matplotlib", "torch", "joblib", "threadpoolctl",
            "jinja2", "latex2mathml", "dask", "distributed")
UNIT_IS_FRACTION = ("fraction", "accuracy difference")
#: The figures the summary shows, those a report has, in this order.
KEY_FIGURES = ("rings_decision_regions", "hidden_units", "shift_curves", "depth_accuracy")
#: The part of a claim's description that the summary leaves to the audit: the recipe.
ASIDE = re.compile(r"\s\(recipe\b[^()]*\)")


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _finite(value):
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # NumPy scalars
        return _finite(value.item())
    return value


def software() -> dict:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def machine(load_before=None) -> dict:
    def mib(kib):  # ru_maxrss is in KiB on Linux
        return round(kib / 1024, 1)
    info = {"platform": platform.platform(), "processor": platform.machine(),
            "cpu_count": os.cpu_count(),
            "peak_rss_mib_main": mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            "peak_rss_mib_largest_child": mib(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)}
    if hasattr(os, "getloadavg"):
        info["load_average_start"] = load_before
        info["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    return info


def build_results(records, settings, *, runner_info=None, started=None, seconds=None,
                  command=None, load_before=None, notes=(), provenance=None) -> dict:
    """Everything measured, as one JSON-ready dictionary (see ``schema.json``).

    ``claims`` are the lecture's statements, one row each, with our verdicts and the
    command that reruns each; ``checks`` are ours; ``summary`` counts the statements
    only; ``deviations`` lists the choices revised after seeing results.
    """
    claims = [{**c, "experiment": r.name,
               "command": claim_command(c["id"], settings.data, settings.seeds)}
              for r in records for c in r.claims]
    checks = [{**c, "experiment": r.name} for r in records for c in r.checks]
    counts = {v.replace(" ", "_"): sum(c["verdict"] == v for c in claims) for v in VERDICTS}
    about = ("the lecture's statements, measured on MNIST as the lecture did"
             if settings.data == "mnist" else
             f"the lecture's statements about MNIST, tried on other data ({settings.data}): "
             f"the qualitative statements get verdicts; the lecture's numbers are MNIST's, so "
             f"ours are shown beside them with no verdict")
    ran = [r.name for r in records if not r.skipped]
    return _finite({
        "schema_version": 2,
        "title": "nnlearn reproduce: the lecture's results, measured",
        "data": settings.data, "quick": settings.quick, "seeds": settings.seed_list,
        "command": command or "", "started": started or _now(), "finished": _now(),
        "run_seconds": seconds, "notes": list(notes),
        "claims_are": about,
        "rule": {"sentence": RULE_SENTENCE, "rules": RULES, "level": 0.95,
                 "not_worse_margin": MARGIN_SENTENCE,
                 "sd": "standard deviation over seeds, ddof=1",
                 "interval": "mean +- t(0.975, n-1) * sd / sqrt(n)"},
        "summary": {"statements": len(claims), "claims": len(claims), **counts,
                    "measurements": sum(len(c["measurements"]) for c in claims),
                    "checks": len(checks),
                    "checks_failed": sum(c["verdict"] == "fail" for c in checks)},
        "claims": claims,
        "checks": checks,
        "deviations": deviations(ran),
        "provenance": provenance or {},
        "experiments": {r.name: r.to_json() for r in records},  # in the lecture's order
        "recipes": {r.name: r.recipe for r in records if not r.skipped},
        "run_times": {r.name: round(r.seconds, 2) for r in records},
        "software": (provenance or {}).get("packages") or software(),
        "machine": machine(load_before), "runner": runner_info or {},
    })


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- formatting for the templates ---------------------------------------------------------

def fmt_value(value, unit="fraction") -> str:
    """A claim's or check's number as the report prints it."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit == "accuracy difference":  # a difference of accuracies, in percentage points
        return f"{100 * value:+.1f} pt"
    if unit == "log10 ratio":
        return f"{value:+.2f}"
    return f"{value:.3g}"


def fmt_spread(value, unit="fraction") -> str:
    """A standard deviation: points for accuracies."""
    if value is None:
        return ""
    return f"{100 * value:.2f}" if unit in UNIT_IS_FRACTION else f"{value:.2g}"


def fmt_interval(interval, unit="fraction") -> str:
    """``[lo, hi]`` of a 95% interval, in the claim's unit."""
    lo, hi = interval
    if lo is None or hi is None:
        return "–"
    if unit in UNIT_IS_FRACTION:
        return f"[{100 * lo:.1f}, {100 * hi:.1f}]"
    return f"[{lo:+.2f}, {hi:+.2f}]"


def fmt_short(text) -> str:
    """A claim's description without its recipe (the summary's)."""
    return ASIDE.sub("", str(text))


def fmt_recipe(value) -> str:
    """A recipe's value on one line (nested parts as compact JSON)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))


def _environment() -> jinja2.Environment:
    # report.html.j2 is escaped (its text may hold <, & or a quote); report.md.j2 is not
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "html.j2"]),
                             trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["value"] = fmt_value
    env.filters["spread"] = fmt_spread
    env.filters["interval"] = fmt_interval
    env.filters["recipe"] = fmt_recipe
    env.filters["short"] = fmt_short
    env.filters["tex"] = maths.html  # HTML: escaped, its $...$ as MathML
    env.filters["measurement_label"] = label
    env.filters["cell"] = lambda text: str(text).replace("|", "\\|")  # a Markdown table cell
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=1)
    return env


def _explained(results: dict) -> set[str]:
    """The experiments with a measurement that carries an explanation."""
    return {c["experiment"] for c in results["claims"]
            if any(m.get("explanation") for m in c["measurements"])}


def render(results: dict, figures: dict[str, list[dict]]) -> dict[str, str]:
    """``report.html`` and ``report.md`` (``{"html", "md"}``) of ``results``; ``figures``
    lists each experiment's figures (``{"file", "name", "base64"}``) by its name."""
    experiments = [{"shared_explanation": None, **e, "results": measures(e)}
                   for e in results["experiments"].values()]  # (a report of before has none)
    explained = _explained(results)
    drawn = {f["name"]: f for fs in figures.values() for f in fs}
    context = {"r": results, "figures": figures, "experiments": experiments,
               "explained": explained,
               "shared": [e["shared_explanation"] for e in experiments
                          if e["name"] in explained and e.get("shared_explanation")],
               "key_figures": [drawn[n] for n in KEY_FIGURES if n in drawn]}
    # what holds for the whole run (its data, --quick) is said once at the top: each
    # row of results.json keeps it, the report's rows and explanations do not repeat it
    scope = Scope(data=results["data"], quick=bool(results["quick"]))
    said, opening = set(scope_notes(scope)), other_data(scope)
    context["opening"] = opening.strip()
    env = _environment()
    env.filters["own_note"] = lambda note: "; ".join(
        part for part in str(note or "").split("; ") if part and part not in said)
    env.filters["own_explanation"] = lambda text: str(text).removeprefix(opening)
    return {kind: env.get_template(f"report.{kind}.j2").render(**context)
            for kind in ("html", "md")}


def summary_markdown(results: dict, figures) -> str:
    """The summary that opens ``report.md`` (Markdown), for ``results`` whose figures are
    the files ``figures``: the documentation site gives it to a report written before
    reports had their own (``docs/hooks/report_layout.py``)."""
    names = {Path(f).stem for f in figures}
    key = [{"file": f"{n}.png", "name": n} for n in KEY_FIGURES if n in names]
    return _environment().get_template("summary.md.j2").render(r=results, key_figures=key)


def write_report(records, results: dict, out) -> dict[str, Path]:
    """Draw every record's figures into ``out`` (PNG) and write the three report files."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, list[dict]] = {}
    written: dict[str, Path] = {}
    for record in records:
        figures[record.name] = []
        for name, fig in draw(record).items():
            path = out / f"{name}.png"
            save_figure(fig, path)
            written[name] = path
            figures[record.name].append({"file": path.name, "name": name, "base64":
                                         base64.b64encode(path.read_bytes()).decode("ascii")})
    for entry in results["experiments"].values():
        entry["figures"] = [f["file"] for f in figures.get(entry["name"], [])]
    results["figures"] = sorted(p.name for p in written.values())
    written["results"] = out / "results.json"
    write_text(written["results"], json.dumps(results, indent=1, allow_nan=False) + "\n")
    pages = render(results, figures)
    written["html"] = out / "report.html"
    write_bytes(written["html"], pages["html"].encode("utf-8"))
    written["md"] = out / "report.md"
    write_text(written["md"], pages["md"])
    return written
