import click


@click.command()
def train():
    """Train a network (being written)."""
