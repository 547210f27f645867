"""MkDocs hook: the reproduction report's tables read at 1280 px, verdict in sight.

``report.md`` is written by ``nnlearn reproduce`` (``src/nnlearn/report/``),
for GitHub as much as for the site. Its tables have the verdict in the second
column and it opens on its own one-screen summary. In the site's pages of the
reports (``reproduce*/report.md``) this hook folds every long cell (a quote, a
description) into a ``<details>`` element that shows its first words and opens
on a click, and wraps each table with a verdict column for the site's style.
Nothing is removed; the report's files are left as they are.

A report written before reports had these (the verdict last, no summary) is
still shown the same way: the hook moves its ``verdict`` column to the second
place and opens the page with the summary that ``nnlearn reproduce`` writes
now (``nnlearn.report.build.summary_markdown``, from the report's own
``results.json``). A report that has its own ``## Summary`` keeps it, alone.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from nnlearn.report.build import summary_markdown

PAGE = re.compile(r"^reproduce[^/]*/report\.md$")
TABLE = re.compile(r"<table>.*?</table>", re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
MATH = re.compile(r"<math\b.*?</math>", re.S)
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
    # a formula's MathML read as text loses its layout (e^{z_c} reads "ezc"): the
    # words shown stop before the first formula
    words = _text(MATH.sub("\x00", content))[:SHOWN]
    cut = words.split("\x00")[0].rstrip() if "\x00" in words else words.rsplit(" ", 1)[0]
    return (f'<details class="nnlearn-cell"><summary>{html.escape(cut)} …</summary>'
            f"{content}</details>")


def _table(table: str) -> str:
    rows = ROW.findall(table)
    if not rows:
        return table
    header = [_text(c[2]) for c in CELL.findall(rows[0])]
    if "verdict" not in header:
        return table
    at = header.index("verdict")
    fold = "what we measured" not in header  # the summary's rows stay whole

    def row(match: re.Match) -> str:
        cells = CELL.findall(match.group(1))
        if len(cells) != len(header):
            return match.group(0)
        if at > 1:  # a report of before: its verdict last
            cells.insert(1, cells.pop(at))
        out = [f"<{tag}{attrs}>{_fold(content) if tag == 'td' and fold else content}</{tag}>"
               for tag, attrs, content in cells]
        return "<tr>\n" + "\n".join(out) + "\n</tr>"

    # a class on the table itself would keep Material from styling it and from
    # wrapping it in its horizontal scroller: the class goes on a wrapper
    return f'<div class="nnlearn-report">{ROW.sub(row, table)}</div>'


def on_page_markdown(markdown: str, page, config, files) -> str:
    if not PAGE.match(page.file.src_uri) or re.search(r"^## Summary\b", markdown, re.M | re.I):
        return markdown
    folder = Path(page.file.abs_src_path).parent
    results = json.loads((folder / "results.json").read_text("utf-8"))
    summary = summary_markdown(results, [p.name for p in folder.glob("*.png")])
    head, sep, rest = markdown.partition("\n## ")
    return f"{head}\n{summary}\n\n{sep.lstrip()}{rest}" if sep else markdown


def on_page_content(content: str, page, config, files) -> str:
    if not PAGE.match(page.file.src_uri):
        return content
    return TABLE.sub(lambda m: _table(m.group(0)), content)
