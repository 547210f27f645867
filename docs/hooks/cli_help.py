"""MkDocs hook: a page shows a command's ``--help`` as the build prints it.

A line ``<!-- nnlearn-help: train -->`` becomes a collapsed block holding the
output of ``nnlearn train --help``, run in this process with click's test
runner. The options are declared once, in ``nnlearn.cli``; the site shows what
the command says, and cannot fall behind it. A command that fails to print its
help fails the build.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

MARK = re.compile(r"^<!-- nnlearn-help: ([a-z -]+) -->$", re.M)


def _help(words: str) -> str:
    from click.testing import CliRunner

    from nnlearn.cli import cli

    result = CliRunner().invoke(cli, [*words.split(), "--help"], terminal_width=88,
                                prog_name="nnlearn")
    if result.exit_code != 0:
        raise PluginError(f"nnlearn {words} --help failed: {result.output}")
    text = result.output.rstrip().replace("\n", "\n    ")
    return f'??? note "`nnlearn {words} --help`"\n    ```text\n    {text}\n    ```'


def on_page_markdown(markdown: str, page, config, files) -> str:
    return MARK.sub(lambda m: _help(m.group(1)), markdown)
