"""``nnlearn data``: list the data sets and show samples (see nnlearn.data)."""

import click


@click.group()
def data():
    """Data sets: where they are, and what they look like."""
