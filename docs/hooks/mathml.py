"""MkDocs hook: the pages' TeX becomes MathML when the site is built.

``pymdownx.arithmatex`` (generic mode) finds ``$...$`` and ``$$...$$`` outside
code and wraps them as ``\\(...\\)`` / ``\\[...\\]`` in elements of class
``arithmatex``; this hook replaces each with MathML made by ``latex2mathml``,
which the browser draws itself. No MathJax or KaTeX, no script, no font to
fetch: the site needs no network. The conversion is the package's own
(``nnlearn.report.maths.mathml``, which also typesets ``report.html``): a
command that ``latex2mathml`` does not know is logged as a warning, which
``mkdocs build --strict`` turns into an error.
"""

from __future__ import annotations

import html
import logging
import re

from nnlearn.report.maths import mathml

log = logging.getLogger("mkdocs.hooks.mathml")

MATH = re.compile(r'<(span|div) class="arithmatex">\s*\\([(\[])(.*?)\\[)\]]\s*</\1>', re.S)


def _mathml(match: re.Match, page: str) -> str:
    tex = html.unescape(match.group(3))
    display = "block" if match.group(2) == "[" else "inline"
    try:
        return mathml(tex, display)
    except ValueError as error:
        log.warning("%s: %s", page, error)
        return f"<code>{html.escape(tex)}</code>"


def on_page_content(content: str, page, config, files) -> str:
    return MATH.sub(lambda m: _mathml(m, page.file.src_uri), content)
