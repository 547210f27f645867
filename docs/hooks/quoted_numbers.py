"""MkDocs hook: the numbers the pages quote are computed when the site is built.

A page writes ``{{ seeds }}`` where it quotes a figure of the reproduction or
of a quick start; this hook puts in the value, read from the committed
``docs/reproduce/results.json`` or measured by running the quick start during
the build. So a page cannot fall behind a new reproduction run.
``tests/test_docs_numbers.py`` greps the sources and the built site for what
must not be written by hand ("three seeds", a stale count or score).

An unknown name fails the build.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

FIELD = re.compile(r"\{\{ ?([a-z_]+) ?\}\}")
WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def in_words(n: int) -> str:
    """``5`` -> ``"five"`` (up to ten, then digits), as the pages write counts."""
    return WORDS[n] if 0 <= n < len(WORDS) else str(n)


@functools.cache
def results(root: str, folder: str = "reproduce") -> dict:
    return json.loads((Path(root) / "docs" / folder / "results.json").read_text("utf-8"))


def run_fields(prefix: str, r) -> dict:
    """A committed run's time, load and memory (``r()`` its results), as ``prefix_...``."""
    def runner(key):
        return lambda: f"{r()['runner'][key]:.0f}"

    def load(key):
        return lambda: f"{r()['machine'][key][0]:.1f}"

    def gib(key):
        return lambda: f"{r()['machine'][key] / 1024:.1f}"

    return {f"{prefix}_seconds": lambda: f"{r()['run_seconds']:.0f}",
            f"{prefix}_trainings": runner("tasks_run"),
            f"{prefix}_cpu_trainings": runner("task_cpu_seconds"),
            f"{prefix}_cpu_main": runner("main_cpu_seconds"),
            f"{prefix}_quiet_seconds": runner("quiet_estimate_seconds"),
            f"{prefix}_load_start": load("load_average_start"),
            f"{prefix}_load_end": load("load_average_end"),
            f"{prefix}_peak_worker_gib": gib("peak_rss_mib_largest_child"),
            f"{prefix}_peak_main_gib": gib("peak_rss_mib_main")}


@functools.cache
def estimator_score() -> str:
    """What install.md's estimator quick start prints (run here, a few seconds)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score

    from nnlearn import NeuralNetClassifier

    X, y = load_digits(return_X_y=True)
    clf = NeuralNetClassifier(hidden=(32,), early_stopping=True, random_state=0)
    return f"{cross_val_score(clf, X / 16, y, cv=3).mean():.3f}"


def values(root: str) -> dict:
    """Every field a page may use, by name (callables, so that each runs only when used)."""
    r = functools.partial(results, root)
    return {
        "seeds": lambda: in_words(len(r()["seeds"])),
        "seed_list": lambda: ", ".join(map(str, r()["seeds"])),
        "claims": lambda: str(r()["summary"]["claims"]),
        "claims_reproduced": lambda: str(r()["summary"]["reproduced"]),
        "claims_consistent": lambda: str(r()["summary"]["consistent"]),
        "claims_differ": lambda: str(r()["summary"]["differs"]),
        **run_fields("reproduce", r),
        **run_fields("fashion", functools.partial(results, root, "reproduce-fashion")),
        "estimator_score": estimator_score,
    }


def fill(markdown: str, root: str, where: str = "") -> str:
    """``markdown`` with every ``{{ name }}`` replaced by its value."""
    known = values(root)

    def value(match: re.Match) -> str:
        if match.group(1) not in known:
            raise PluginError(f"{where}: no number named {match.group(1)!r} "
                              f"(known: {', '.join(sorted(known))})")
        return known[match.group(1)]()

    return FIELD.sub(value, markdown)


def on_page_markdown(markdown: str, page, config, files) -> str:
    root = str(Path(config.config_file_path).resolve().parent)
    return fill(markdown, root, page.file.src_uri)
