"""``nnlearn playground``: serve the page on which a network trains live on 2-D data."""

from __future__ import annotations

import click

from ..errors import NNLearnError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback lets other machines in.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A host name (or address) under which other machines reach the page; "
                   "needed, and repeatable, when --host is not a loopback address. Requests "
                   "for other names are refused (DNS rebinding).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
def playground(host, port, allow_hosts, open_browser):
    """Watch a network learn: a page, served locally, where it trains live on 2-D data.

    Prints the address and serves until Ctrl-C. Needs the playground extra:
    pip install "nnlearn[playground]".
    """
    try:
        from ..playground.serve import allowed_hosts, is_loopback, serve
    except ImportError as err:
        missing = (err.name or "a module").split(".")[0]
        raise NNLearnError(f"the playground needs Starlette and uvicorn ({missing} is "
                           f"missing): pip install \"nnlearn[playground]\"") from None
    allowed_hosts(host, allow_hosts)  # refuses an open address without --allow-host
    if not is_loopback(host):
        click.echo(f"nnlearn playground: warning: listening on {host}, not only on this "
                   "machine: anyone who can reach it can use the page (and its CPU)", err=True)
    try:
        serve(host, port, allow_hosts=allow_hosts, open_browser=open_browser, echo=click.echo)
    except KeyboardInterrupt:
        pass
