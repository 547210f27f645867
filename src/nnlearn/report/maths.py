"""The report's formulas: TeX between ``$...$`` in its text, MathML in ``report.html``.

The texts of a report (the claims' descriptions, the errata, the explanations,
the rule) write a formula in TeX between single dollars,
``$\\lvert \\partial \\mathcal{L}/\\partial z_1 \\rvert$``. ``report.md`` keeps
the TeX: GitHub typesets it, and so does the documentation site
(``pymdownx.arithmatex``, then ``docs/hooks/mathml.py``, which calls
``mathml`` below). ``report.html`` is one file opened offline, with no script:
its formulas are turned into MathML here, when the report is written, and the
browser draws them itself.

A formula never holds ``|``, which would split a Markdown table's cell:
absolute values are ``\\lvert ... \\rvert``. ``latex2mathml`` is a dependency
of the package (small, pure Python, no dependencies of its own), so that a
report's HTML is the same on every machine rather than typeset on some and
TeX on others.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: A formula in a text: ``$...$`` (one line, no dollar inside).
FORMULA = re.compile(r"\$([^$\n]+)\$")
#: latex2mathml leaves a command it does not know as its name, backslash and all
UNKNOWN = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)")


def mathml(tex: str, display: str = "inline") -> str:
    """``tex`` as a MathML ``<math>`` element (``display`` "inline" or "block").

    Raises
    ------
    ValueError
        When ``tex`` uses a command that ``latex2mathml`` does not know (it would
        show as a backslash in the page).

    Examples
    --------
    >>> mathml("D_k")[-61:]
    'inline"><mrow><msub><mi>D</mi><mi>k</mi></msub></mrow></math>'
    >>> mathml(r"\\nosuch x")
    Traceback (most recent call last):
    ...
    ValueError: latex2mathml does not know \\nosuch in $\\nosuch x$
    """
    from latex2mathml.converter import convert

    out = convert(tex, display=display)
    unknown = UNKNOWN.search(out)
    if unknown:
        raise ValueError(f"latex2mathml does not know {unknown.group(1)} in ${tex}$")
    return out


def html(text) -> Markup:
    """``text`` as HTML: escaped, each ``$...$`` formula as MathML.

    Examples
    --------
    >>> str(html("a < b and $W_1$"))[:60]
    'a &lt; b and <math xmlns="http://www.w3.org/1998/Math/MathML'
    >>> str(html("no formula"))
    'no formula'
    """
    text = str(text)
    out, end = [], 0
    for match in FORMULA.finditer(text):
        out += [str(escape(text[end:match.start()])), mathml(match.group(1))]
        end = match.end()
    out.append(str(escape(text[end:])))
    return Markup("".join(out))
