"""The ``nnlearn`` command: a thin layer over the Python API.

Each sub-command lives in its own module and only parses options, calls the
API and prints. Every error a user can cause ends in one readable line on
stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import sys
import warnings

import click

from ..errors import NNLearnError
from .data import data
from .gradcheck import gradcheck_command
from .playground import playground
from .predict import evaluate_command, predict_command
from .reproduce import reproduce
from .train import train


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nnlearn")
def cli():
    """nnlearn: classification with neural networks, from the lecture's equations."""


cli.add_command(train)
cli.add_command(data)
cli.add_command(gradcheck_command, name="gradcheck")
cli.add_command(predict_command, name="predict")
cli.add_command(evaluate_command, name="evaluate")
cli.add_command(playground)
cli.add_command(reproduce)


def _fail(message: str, code: int) -> None:
    first = " ".join(str(message).split())  # one line, whatever the exception held
    click.echo(f"nnlearn: error: {first}", err=True)
    sys.exit(code)


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:
    # A warning is for the person at the terminal: one line, like the errors, not
    # Python's file name, line number and source line.
    click.echo(f"nnlearn: warning: {' '.join(str(message).split())}", err=True)


def main(argv=None) -> None:
    """Entry point of the ``nnlearn`` script and of ``python -m nnlearn``.

    Runs the command line ``argv`` (``sys.argv[1:]`` when None) and exits: 0 on
    success, 1 with one line ``nnlearn: error: ...`` on bad input, 2 on a
    usage error, 130 when interrupted.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``nnlearn``.

    Raises
    ------
    SystemExit
        Always, with the exit status.

    Examples
    --------
    >>> try:
    ...     main(["data", "show", "rings"])
    ... except SystemExit as done:
    ...     print("exit status", done.code)
    exit status 1
    """
    warnings.showwarning = _warning_line
    try:
        code = cli.main(args=argv, prog_name="nnlearn", standalone_mode=False)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.ClickException as err:
        _fail(err.format_message(), 2)
    except (NNLearnError, ValueError, OSError) as err:
        _fail(str(err) or type(err).__name__, 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    sys.exit(code or 0)
