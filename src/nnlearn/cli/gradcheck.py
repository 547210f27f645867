import click


@click.command()
def gradcheck_command():
    """Gradient check (being written)."""
