"""MkDocs hook: the lecture's pages are Python scripts, run when the site is built.

A page of ``docs/lecture/`` is a script named ``NN_name.py`` in jupytext's
"percent" format: cells start with ``# %%``, and a ``# %% [markdown]`` cell
holds its text as comments. Such a file runs as it is (``python
01_network.py``), opens cell by cell in VS Code, Spyder or PyCharm, and opens
as a notebook with jupytext. At build, ``on_files`` runs each script and puts a
generated Markdown page in its place: the text cells as they are, each code
cell as a Python block followed by what it printed, the warnings it raised and
the figures it drew (PNG files beside the page). The script stays in the site,
to be downloaded, and beside it the same page as a notebook (``NN_name.ipynb``,
made here by jupytext from the one source); a link under the page's title
offers both. A page imports only the installed package (its helpers are
``nnlearn.experiments.lecture``), so that either download runs on its own.

The pages run in this process, one after the other (nnlearn and matplotlib are
imported once), each in a fresh namespace, with a scratch folder as the current
directory and the matplotlib Agg backend. A cell that raises fails the build,
naming the page and the cell. Why a hook rather than mkdocs-jupyter: see
``docs/about-this-site.md``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.lecture")

#: a lecture page: ``lecture/01_network.py`` (other scripts there are helpers), or a
#: walk-through of the user guide: ``guide/your_own_csv.py``
PAGE = re.compile(r"^(lecture/\d\d_[a-z0-9_]+|guide/[a-z0-9_]+)\.py$")
CELL = re.compile(r"^# %%(.*)$")
DPI = 100


def cells(text: str) -> list[tuple[str, str]]:
    """Split a percent-format script into ``(kind, source)`` cells, kind "code" or "markdown"."""
    found: list[tuple[str, list[str]]] = [("code", [])]
    for line in text.splitlines():
        marker = CELL.match(line)
        if marker:
            found.append(("markdown" if "[markdown]" in marker.group(1) else "code", []))
        else:
            found[-1][1].append(line)
    out = []
    for kind, lines in found:
        if kind == "markdown":
            lines = [re.sub(r"^# ?", "", line) for line in lines]
        source = "\n".join(lines).strip("\n")
        if source.strip():
            out.append((kind, source))
    return out


def _alt(fig, fallback: str) -> str:
    """A figure's alt text: its title (suptitle, else the first axes' title)."""
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    if not title:
        title = next((ax.get_title() for ax in fig.axes if ax.get_title()), "")
    title = re.sub(r"[\[\]\n$\\]", " ", title).strip()
    return re.sub(r"\s+", " ", title) or fallback


def _figures(stem: str, start: int) -> list[tuple[str, str, bytes]]:
    """Every open pyplot figure as ``(file name, alt text, PNG bytes)``; closes them."""
    import matplotlib.pyplot as plt

    out = []
    for number in plt.get_fignums():
        fig = plt.figure(number)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        index = start + len(out) + 1
        out.append((f"{stem}-{index}.png", _alt(fig, f"{stem}, figure {index}"),
                    buffer.getvalue()))
        plt.close(fig)
    return out


def run_page(path: Path) -> tuple[str, dict[str, bytes]]:
    """Run the script at ``path``; return its Markdown page and its figures by file name."""
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    plt.close("all")
    stem = path.stem
    namespace: dict = {"__name__": "__main__", "__file__": str(path)}
    parts: list[str] = []
    figures: dict[str, bytes] = {}
    here = os.getcwd()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            os.chdir(scratch)
            for number, (kind, source) in enumerate(cells(path.read_text("utf-8")), 1):
                if kind == "markdown":
                    parts.append(source)
                    continue
                printed = io.StringIO()
                with warnings.catch_warnings(record=True) as caught, \
                        contextlib.redirect_stdout(printed):
                    warnings.simplefilter("default")
                    try:
                        exec(compile(source, f"{path.name}, cell {number}", "exec"), namespace)
                    except Exception as err:
                        raise PluginError(f"{path.name}: cell {number} raised "
                                          f"{type(err).__name__}: {err}\n"
                                          f"{traceback.format_exc()}") from err
                parts.append(f"```python\n{source}\n```")
                if printed.getvalue().strip():
                    parts.append(f'```text title="output"\n{printed.getvalue().rstrip()}\n```')
                messages = dict.fromkeys(str(w.message).strip() for w in caught)
                if messages:
                    lines = "\n\n".join(messages).replace("\n", "\n    ")
                    parts.append(f'!!! warning "{"Warnings" if len(messages) > 1 else "Warning"}"'
                                 f"\n    {lines}")
                for name, alt, png in _figures(stem, len(figures)):
                    figures[name] = png
                    parts.append(f"![{alt}](figures/{name})")
    finally:
        os.chdir(here)
        plt.close("all")
    index = "index.html" if path.parent.name == "lecture" else "../lecture/index.html"
    return _with_download_link("\n\n".join(parts) + "\n", path.name, index), figures


def notebook(text: str) -> str:
    """The percent-format script ``text`` as a Jupyter notebook (JSON), by jupytext."""
    import jupytext

    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata.pop("jupytext", None)  # a plain notebook, not one paired with the script
    return jupytext.writes(nb, fmt="ipynb")


def _with_download_link(markdown: str, script: str, index: str = "index.html") -> str:
    """Put, under the page's first heading, the links that download it (``index``: the
    lecture's index page, relative to the page)."""
    book = script[:-3] + ".ipynb"
    link = (f'<p class="nnlearn-download">Download this page: '
            f'<a href="{script}" download>{script}</a> (a script) or '
            f'<a href="{book}" download>{book}</a> (a notebook). It was run when the site '
            "was built; either runs on its own with nnlearn installed (see "
            f'<a href="{index}">the lecture, runnable</a>).</p>')
    head, sep, rest = markdown.partition("\n")
    return f"{head}\n\n{link}\n{rest}" if head.startswith("# ") else f"{link}\n\n{markdown}"


def on_files(files: Files, config) -> Files:
    scripts = [f for f in files if PAGE.match(f.src_uri)]
    for script in sorted(scripts, key=lambda f: f.src_uri):
        t0 = time.perf_counter()
        markdown, figures = run_page(Path(script.abs_src_path))
        folder = script.src_uri.rsplit("/", 1)[0]
        files.append(File.generated(config, script.src_uri[:-3] + ".md", content=markdown))
        files.append(File.generated(config, script.src_uri[:-3] + ".ipynb",
                                    content=notebook(Path(script.abs_src_path).read_text("utf-8"))))
        for name, png in figures.items():
            files.append(File.generated(config, f"{folder}/figures/{name}", content=png))
        log.info("%s: ran in %.1f s, %d figure(s)", script.src_uri, time.perf_counter() - t0,
                 len(figures))
    return files
