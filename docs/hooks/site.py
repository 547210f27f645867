"""MkDocs hook: the site as a reader finds it.

- The header shows the version (``nnlearn 0.1.0``), read from the package.
- The site works opened from disk (``use_directory_urls: false`` in
  ``mkdocs.yml``, the search index inlined by Material's ``offline`` plugin). With
  plain ``.html`` URLs a page ``report.md`` and a file ``report.html`` beside it
  would both be written to ``report.html`` (``--strict`` fails on that): the
  report folders' standalone ``report.html`` (what ``nnlearn reproduce`` writes,
  figures inlined) is excluded (``exclude_docs``) and served as
  ``report-standalone.html`` instead. A report written now names an empty icon
  of its own (``<link rel="icon" href="data:,">``), so that the browser asks
  for no ``favicon.ico`` that is not there; one written before is given it here.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

#: the folders of the committed reports (their report.html is excluded in mkdocs.yml)
REPORTS = ("reproduce", "reproduce-fashion")
#: an empty icon: without one a browser asks the server for /favicon.ico (a 404)
ICON = '<link rel="icon" href="data:,">'


def _with_icon(html: str) -> str:
    """The report's HTML with an (empty) icon of its own, so that opening it makes no
    request for a file that is not there."""
    if "rel=\"icon\"" in html:
        return html
    return html.replace("<head>", "<head>\n" + ICON, 1)


def on_config(config):
    from nnlearn import __version__

    if __version__ not in config.site_name:
        config.site_name = f"{config.site_name} {__version__}"
    return config


def on_files(files: Files, config) -> Files:
    docs = Path(config.docs_dir)
    for folder in REPORTS:
        report = docs / folder / "report.html"
        if report.is_file():
            files.append(File.generated(config, f"{folder}/report-standalone.html",
                                        content=_with_icon(report.read_text("utf-8"))))
    return files
