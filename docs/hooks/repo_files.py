"""MkDocs hook: the pages may point at files of the repository outside ``docs/``.

- ``CHANGELOG.md`` and ``SECURITY.md`` (at the root) become the pages
  ``changelog.md`` and ``security.md``, as they are.
- A link from a page to a data or image file elsewhere in the repository,
  written relative to the page as on GitHub (``../benchmarks/results/speed.png``),
  is served from ``repo/<path>`` in the site and the link rewritten to it, so
  that ``docs/*.md`` reads right both on GitHub and in the site.

A link to any other file outside ``docs/`` is left alone, and ``mkdocs build
--strict`` fails on it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File, Files

PAGES = {"CHANGELOG.md": "changelog.md", "SECURITY.md": "security.md"}
SERVED = (".png", ".svg", ".json", ".csv")
LINK = re.compile(r"(\]\()(\.\./[^)\s#]+)")


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def _docs(config) -> Path:
    return Path(config.docs_dir).resolve()


def on_files(files: Files, config) -> Files:
    root = _root(config)
    for source, page in PAGES.items():
        files.append(File.generated(config, page, content=(root / source).read_text("utf-8")))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    root, docs = _root(config), _docs(config)
    folder = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match) -> str:
        target = (docs / folder / match.group(2)).resolve()
        if (docs in target.parents or not target.is_file() or root not in target.parents
                or target.suffix not in SERVED):
            return match.group(0)
        served = "repo/" + target.relative_to(root).as_posix()
        if files.get_file_from_path(served) is None:
            files.append(File.generated(config, served, abs_src_path=str(target)))
        return match.group(1) + posixpath.relpath(served, folder or ".")

    return LINK.sub(rewrite, markdown)
