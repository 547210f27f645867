"""MkDocs hook: the reproduction report's tables read at 1280 px, verdict first.

``report.md`` is written by ``nnlearn reproduce`` (``src/nnlearn/report/``),
for GitHub as much as for the site; its tables of claims and checks end on the
verdict, after long quotes that push it out of sight in a browser's width. In
the site's pages of the reports (``reproduce*/report.md``) this hook moves the
``verdict`` column of each table to the second place, and folds every long cell
(a quote, a description) into a ``<details>`` element that shows its first words
and opens on a click. Nothing is removed; the report's files are left as they are.

It also opens each report page with a one-screen summary, made from the
report's own ``results.json``: the count of verdicts, one short row per claim
(what was measured, the lecture's number, ours, the verdict) and the key
figures; the audit follows. A report that has its own ``## Summary`` keeps it.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

PAGE = re.compile(r"^reproduce[^/]*/report\.md$")
TABLE = re.compile(r"<table>.*?</table>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r"<(t[hd])([^>]*)>(.*?)</\1>", re.S)
#: a cell longer than this (in characters of text) is folded
LONG = 70
#: the words a folded cell shows
SHOWN = 48


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _fold(content: str) -> str:
    text = _text(content)
    if len(text) <= LONG:
        return content
    cut = text[:SHOWN].rsplit(" ", 1)[0]
    return (f'<details class="nnlearn-cell"><summary>{html.escape(cut)} …</summary>'
            f"{content}</details>")


def _table(table: str) -> str:
    rows = ROW.findall(table)
    if not rows:
        return table
    header = [_text(c[2]) for c in CELL.findall(rows[0])]
    if "verdict" not in header or header.index("verdict") <= 1:
        return table
    at = header.index("verdict")
    fold = "what we measured" not in header  # the summary's rows stay whole
    def row(match: re.Match) -> str:
        cells = CELL.findall(match.group(1))
        if len(cells) != len(header):
            return match.group(0)
        cells.insert(1, cells.pop(at))
        out = [f"<{tag}{attrs}>{_fold(content) if tag == 'td' and fold else content}</{tag}>"
               for tag, attrs, content in cells]
        return "<tr>\n" + "\n".join(out) + "\n</tr>"

    # a class on the table itself would keep Material from styling it and from
    # wrapping it in its horizontal scroller: the class goes on a wrapper
    return f'<div class="nnlearn-report">{ROW.sub(row, table)}</div>'


#: the figures the summary shows, those the report has, in this order
KEY_FIGURES = ("rings_decision_regions.png", "hidden_units.png", "shift_curves.png",
               "depth_accuracy.png")
#: the parts of a claim's description the summary leaves to the audit
ASIDE = re.compile(r"\s\((?:ours|recipe|\|dL|the ResNet)[^()]*(?:\([^()]*\)[^()]*)*\)")


def _number(value, unit: str) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit == "accuracy difference":
        return f"{100 * value:+.1f} pt"
    if unit == "log10 ratio":
        return f"{value:+.2f} (log10)"
    return f"{value:.3g}"


def summary(results: dict, figures: list[str]) -> str:
    """The one-screen summary of a report (Markdown), from its ``results.json``."""
    s = results["summary"]
    lines = ["## Summary", "",
             f"**{s['claims']} claims of the lecture, measured on {results['data']} with "
             f"seeds {', '.join(map(str, results['seeds']))}: {s['reproduced']} reproduced, "
             f"{s['consistent']} consistent, {s['differs']} differ.** The rule, each claim's "
             "quote and the numbers per seed follow below.", "",
             "| # | what we measured | lecture | ours | verdict |",
             "| ---: | --- | ---: | ---: | --- |"]
    for number, claim in enumerate(results["claims"], 1):
        what = ASIDE.sub("", claim["claim"]).replace("|", "\\|")
        lecture = claim["lecture"] if claim["unit"] != "fraction" else \
            f"{100 * claim['lecture']:.0f}%"
        lines.append(f"| {number} | {what} | {lecture} | {_number(claim['ours'], claim['unit'])} "
                     f"| **{claim['verdict']}** |")
    if figures:
        lines += ["", '<div class="nnlearn-figures" markdown>', "",
                  " ".join(f"![{Path(f).stem}]({f})" for f in figures), "", "</div>"]
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page, config, files) -> str:
    if not PAGE.match(page.file.src_uri) or re.search(r"^## Summary\b", markdown, re.M | re.I):
        return markdown
    folder = Path(page.file.abs_src_path).parent
    results = json.loads((folder / "results.json").read_text("utf-8"))
    figures = [f for f in KEY_FIGURES if (folder / f).is_file()]
    head, sep, rest = markdown.partition("\n## ")
    return f"{head}\n{summary(results, figures)}{sep}{rest}" if sep else markdown


def on_page_content(content: str, page, config, files) -> str:
    if not PAGE.match(page.file.src_uri):
        return content
    return TABLE.sub(lambda m: _table(m.group(0)), content)
