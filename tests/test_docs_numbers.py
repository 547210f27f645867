"""No stale number in the docs: what they quote of the reproduction and of the quick
starts agrees with ``docs/reproduce/results.json`` and with what the quick start prints.

The site's pages write such numbers as ``{{ name }}`` fields, filled in at build
(``docs/hooks/quoted_numbers.py``); README.md, read on GitHub, writes them out,
so it is checked number by number here. ``stale`` is the one rule, run on the
sources here and on the built site in test_docs_site.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docs_helpers import hook

ROOT = Path(__file__).resolve().parent.parent
RESULTS = json.loads((ROOT / "docs" / "reproduce" / "results.json").read_text("utf-8"))
WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
#: benchmarks.md quotes its own runs (their seeds are the benchmark's, not the report's);
#: the reports and the changelog are records of their time
OWN_NUMBERS = ("benchmarks", "reproduce/", "reproduce-fashion/", "changelog", "CHANGELOG")
SEEDS = re.compile(r"\b(\d+|" + "|".join(WORDS) + r") seeds\b", re.I)
SEED_RANGE = re.compile(r"\bseeds (\d+)\s*(?:-|–|to)\s*(\d+)\b")
SEED_LIST = re.compile(r"\bseeds ((?:\d+, )*\d+ and \d+|(?:\d+, )+\d+)\b")


def _count(word: str) -> int:
    return int(word) if word.isdigit() else WORDS.index(word.lower())


def stale(text: str) -> list[str]:
    """What ``text`` says of the reproduction's seeds that results.json does not."""
    seeds = RESULTS["seeds"]
    found = [m.group(0) for m in SEEDS.finditer(text) if _count(m.group(1)) != len(seeds)]
    found += [m.group(0) for m in SEED_RANGE.finditer(text)
              if list(range(int(m.group(1)), int(m.group(2)) + 1)) != seeds]
    found += [m.group(0) for m in SEED_LIST.finditer(text)
              if [int(s) for s in re.findall(r"\d+", m.group(1))] != seeds]
    return found


def sources() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             *sorted((ROOT / "docs" / "lecture").glob("*.py"))]
    return [f for f in files if not any(part in f.relative_to(ROOT).as_posix()
                                        for part in OWN_NUMBERS)]


def test_the_rule_finds_what_it_looks_for():
    assert stale("the full runs, 20 epochs and three seeds, are in the report") == ["three seeds"]
    assert stale("seeds 0, 1 and 2") == ["seeds 0, 1 and 2"]
    n = len(RESULTS["seeds"])
    fine = f"{WORDS[n]} seeds, {n} seeds, seeds 0-{n - 1}, seeds " + ", ".join(
        map(str, range(n)))
    assert stale(fine) == []


@pytest.mark.parametrize("path", sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_source_quotes_a_stale_seed_count(path):
    text = path.read_text("utf-8")
    assert "three seeds" not in text.lower() or len(RESULTS["seeds"]) == 3
    assert stale(text) == []


def test_no_page_says_three_seeds():
    """The phrase "three seeds" was stale in
    seven pages (issue 27). Every source, the benchmark notes included."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             *sorted((ROOT / "docs" / "lecture").glob("*.py"))]
    said = [f.relative_to(ROOT).as_posix() for f in files
            if "three seeds" in f.read_text("utf-8").lower()]
    assert said == [] or len(RESULTS["seeds"]) == 3, said


def _rows(text: str) -> list[list[str]]:
    table = text.split("| the lecture says | lecture | ours | 95% interval | verdict |")[1]
    rows = []
    for line in table.strip().splitlines()[1:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def _agrees(written: str, value: float) -> bool:
    """``written`` (as the README rounds it) is ``value`` rounded to its decimals."""
    decimals = len(written.split(".")[1]) if "." in written else 0
    return abs(float(written) - value) <= 0.5 * 10 ** -decimals + 1e-9


def test_the_readmes_table_is_results_json():
    rows = _rows((ROOT / "README.md").read_text("utf-8"))
    claims = RESULTS["claims"]
    assert len(rows) == len(claims)
    for row, claim in zip(rows, claims):
        scale = 1.0 if claim["unit"] == "log10 ratio" else 100.0
        # a row shows one measurement, or several ("10 units: ...; 32 units: ..."): each
        # written "mean ± sd" and "[low, high]" is one of the claim's measurements
        measured = [claim, *claim.get("measurements", [])]
        means = re.findall(r"([-+]?\d+\.\d+)(?: pt|%)? ± (\d+\.\d+)", row[2])
        intervals = re.findall(r"\[([-+]?\d+\.\d+), ([-+]?\d+\.\d+)\]", row[3])
        assert means and len(means) == len(intervals), (row, claim["id"])
        for (mean, sd), (low, high) in zip(means, intervals):
            assert any(_agrees(mean, scale * m["ours"]) and _agrees(sd, scale * m["sd"])
                       and _agrees(low, scale * m["interval"][0])
                       and _agrees(high, scale * m["interval"][1])
                       for m in measured), (row, claim["id"])
        assert row[4] == claim["verdict"], (row, claim["id"])


def _hook():
    return hook("quoted_numbers")


def test_the_fields_are_filled_from_results_json_and_an_unknown_one_fails():
    from mkdocs.exceptions import PluginError

    hook = _hook()
    n = len(RESULTS["seeds"])
    text = hook.fill("{{ seeds }} seeds: {{ seed_list }}; {{claims}} claims", str(ROOT))
    assert text == (f"{WORDS[n]} seeds: {', '.join(map(str, RESULTS['seeds']))}; "
                    f"{RESULTS['summary']['claims']} claims")
    with pytest.raises(PluginError, match="no number named 'nope'"):
        hook.fill("{{ nope }}", str(ROOT), "x.md")


@pytest.mark.slow
def test_install_pages_estimator_score_is_what_its_code_prints():
    """The field install.md shows is computed by running install.md's own code block."""
    install = (ROOT / "docs" / "install.md").read_text("utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", install, re.S)
                 if "{{ estimator_score }}" in b)
    printed = []
    exec(compile(block, "install.md", "exec"), {"print": lambda *a: printed.extend(a)})
    assert f"{printed[-1]:.3f}" == _hook().estimator_score()
