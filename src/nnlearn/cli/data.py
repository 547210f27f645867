"""``nnlearn data``: list the data sets and show samples (see nnlearn.data and docs/data.md)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from ..data import image_shape_of, load, shift as shift_images
from ..data.images import status
from ..data.registry import EMBEDDED
from ..data.catalogue import SOURCES
from ..data.toy import TOY
from ..errors import DataError

DATA_DIR = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None,
    help="Folder holding the MNIST / Fashion-MNIST files (else $NNLEARN_DATA, the cache, "
         "/usr/share/datasets, a download).")


@click.group()
def data():
    """Data sets: where they are, and what they look like."""


@data.command("list")
@DATA_DIR
@click.option("--verify", is_flag=True,
              help="Check the checksums of the files found now (the first load does it anyway).")
def list_command(data_dir, verify):
    """Each data set, where it was found, and whether its checksums were verified."""
    rows = [(name, "generated (toy, 2 features)", "-", "") for name in TOY]
    rows += [(name, "embedded (scikit-learn, no download)", "-", "") for name in EMBEDDED]
    for name in SOURCES:
        st = status(name, data_dir, verify=verify)
        if st.folder is None:
            # an explicit --data-dir is never passed over, so nothing would be downloaded
            where = "missing" if data_dir else "missing (downloaded on first load when online)"
            rows.append((name, where, "-", st.message))
        elif st.message:
            rows.append((name, f"{st.folder} ({st.origin})", "FAILED", st.message))
        else:
            check = "verified" if st.verified else "not yet (on first load, or run --verify)"
            rows.append((name, f"{st.folder} ({st.origin})", check, ""))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    click.echo(f"{'name':<{widths[0]}}  {'where':<{widths[1]}}  checksum")
    for name, where, check, note in rows:
        click.echo(f"{name:<{widths[0]}}  {where:<{widths[1]}}  {check}")
        if note:
            click.echo(f"{'':<{widths[0]}}  {note}")


def _png(ctx, param, value):
    if value is not None and Path(value).suffix.lower() != ".png":
        raise click.BadParameter(f"{value!r} must be a .png file")
    return value


def _shift(ctx, param, value):
    """``--shift DX,DY``: two whole numbers of pixels, right and down."""
    if value is None:
        return None
    parts = value.split(",")
    try:
        dx, dy = (int(p) for p in parts)
    except ValueError:
        raise click.BadParameter(f"{value!r} must be DX,DY: two whole numbers of pixels "
                                 "(right and down; negative: left and up), e.g. 2,0") from None
    return dx, dy


@data.command("show")
@click.argument("name")
@click.option("--n", "n", type=click.IntRange(1, 400), default=25, show_default=True,
              help="How many images to draw.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, callback=_png,
              help="PNG file to write (default NAME-SPLIT.png).")
@DATA_DIR
@click.option("--split", type=click.Choice(["train", "test"]), default="train",
              show_default=True, help="Which part of the data set to draw from.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the choice of images (and of the split of digits and files).")
@click.option("--shift", "offset", metavar="DX,DY", default=None, callback=_shift,
              help="Draw the images moved DX pixels right and DY down (negative: left, up), "
                   "the vacated pixels 0: what the lecture's shifted test images look like.")
def show(name, n, out, data_dir, split, seed, offset):
    """Write a PNG grid of sample images of NAME (a data set or an .npz of images)."""
    dataset = load(name, seed=seed, data_dir=data_dir)
    # flat rows of a perfect square of values (784: 28x28) are images as well
    shape = image_shape_of(dataset.n_features, dataset.image_shape)
    if shape is None:
        raise DataError(f"{dataset.name} is not an image data set ({dataset.n_features} "
                        f"features per sample); data show draws digits, mnist, fashion-mnist "
                        f"or an .npz file of (n, h, w) images or of flat square ones")
    X, y = (dataset.X_train, dataset.y_train) if split == "train" else \
        (dataset.X_test, dataset.y_test)
    n = min(n, len(y))
    chosen = np.sort(np.random.default_rng(seed).choice(len(y), size=n, replace=False))
    images = np.asarray(X[chosen]).reshape(n, *shape)
    moved = ""
    if offset is not None:
        try:
            images = shift_images(images, *offset)
        except ValueError as err:  # an offset as large as the image: it would be blank
            raise DataError(f"--shift {offset[0]},{offset[1]}: {err}") from None
        moved = f", shifted by ({offset[0]}, {offset[1]}) pixels"
    out = Path(out or f"{Path(dataset.name).stem}-{split}.png")

    from .. import plots  # matplotlib only when drawing

    fig = plots.image_grid(images, dataset.classes[y[chosen]].tolist(),
                           title=f"{dataset.name}, {split}: {n} images (seed {seed}){moved}")
    plots.save_figure(fig, out)
    click.echo(f"wrote {out}: {n} {split} images of {dataset.name}{moved}")
