"""MkDocs hook: the reproduction report's tables read at 1280 px, verdict first.

``report.md`` is written by ``nnlearn reproduce`` (``src/nnlearn/report/``),
for GitHub as much as for the site; its tables of claims and checks end on the
verdict, after long quotes that push it out of sight in a browser's width. In
the site's pages of the reports (``reproduce*/report.md``) this hook moves the
``verdict`` column of each table to the second place, and folds every long cell
(a quote, a description) into a ``<details>`` element that shows its first words
and opens on a click. Nothing is removed; the report's files are left as they are.
"""

from __future__ import annotations

import html
import re

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

    def row(match: re.Match) -> str:
        cells = CELL.findall(match.group(1))
        if len(cells) != len(header):
            return match.group(0)
        cells.insert(1, cells.pop(at))
        out = [f"<{tag}{attrs}>{content if tag == 'th' else _fold(content)}</{tag}>"
               for tag, attrs, content in cells]
        return "<tr>\n" + "\n".join(out) + "\n</tr>"

    # a class on the table itself would keep Material from styling it and from
    # wrapping it in its horizontal scroller: the class goes on a wrapper
    return f'<div class="nnlearn-report">{ROW.sub(row, table)}</div>'


def on_page_content(content: str, page, config, files) -> str:
    if not PAGE.match(page.file.src_uri):
        return content
    return TABLE.sub(lambda m: _table(m.group(0)), content)
