"""``nnlearn train``: options in, ``nnlearn.pipeline.run`` and ``write_outputs`` out."""

from __future__ import annotations

import contextlib
import os

import click

from ..engine.activations import ACTIVATIONS
from ..engine.init import INITIALISERS
from ..engine.optim import OPTIMIZERS, SCHEDULES
from ..pipeline import RunConfig, describe, run, write_outputs


class IntList(click.ParamType):
    """Comma-separated positive integers: ``100`` or ``32,32``; ``none`` for an empty list."""

    name = "INTS"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower()
        if text in ("", "none", "0"):
            return ()
        try:
            items = tuple(int(v) for v in text.split(","))
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of integers", param, ctx)
        if any(v <= 0 for v in items):
            self.fail(f"{value!r} must hold positive integers", param, ctx)
        return items


class NameList(click.ParamType):
    """One name, or a comma-separated name per hidden layer, from ``choices``."""

    name = "NAME[,NAME...]"

    def __init__(self, choices):
        self.choices = tuple(choices)

    def convert(self, value, param, ctx):
        names = tuple(v.strip() for v in str(value).split(","))
        bad = [n for n in names if n not in self.choices]
        if bad:
            self.fail(f"unknown {bad[0]!r}; choose from {', '.join(self.choices)}", param, ctx)
        return names[0] if len(names) == 1 else names


def _batch_size(ctx, param, value):
    if value is None or str(value).lower() == "full":
        return None
    try:
        size = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a whole number or 'full'") from None
    if size <= 0:
        raise click.BadParameter(f"must be positive, got {size}")
    return size


POSITIVE = click.IntRange(min=1)


@contextlib.contextmanager
def process_group(cfg: RunConfig):
    """Join torchrun's process group for the torch backend; yields True on rank 0.

    Started by ``torchrun --nproc-per-node N -m nnlearn train --backend torch``,
    every process trains on its shard of each batch (see nnlearn.torch.distributed).
    A plain run is one process, rank 0.
    """
    if "WORLD_SIZE" not in os.environ:
        yield True
        return
    if cfg.backend != "torch":
        raise click.UsageError("data-parallel training (torchrun) needs --backend torch")
    from ..torch import cleanup, init_from_env, is_rank0
    init_from_env(cfg.device)
    try:
        yield is_rank0()
    finally:
        cleanup()


@click.command()
@click.option("--data", default="rings", show_default=True,
              help="Data set name (rings, moons, spirals, xor, blobs, digits, mnist, "
                   "fashion-mnist) or a .csv/.npz file.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Folder holding the data set files (else NNLEARN_DATA, the cache, ...).")
@click.option("--data-seed", type=int, default=0, show_default=True,
              help="Seed of the toy data (the test set is drawn with its own seed from it).")
@click.option("--n-train", type=POSITIVE, default=None,
              help="Training samples: points drawn for toy data, else a stratified subset.")
@click.option("--n-test", type=POSITIVE, default=None,
              help="Test samples: points drawn for toy data, else a stratified subset.")
@click.option("--label", default=None,
              help="CSV files: the label column, by name or index (0 the first, -1 the last) "
                   "[default: the last column].")
@click.option("--delimiter", default=None,
              help="CSV files: the cell separator, one character or 'tab' [default: a tab for "
                   ".tsv, else a comma].")
@click.option("--header/--no-header", default=None,
              help="CSV files: whether the first line names the columns [default: detected].")
@click.option("--standardize", is_flag=True,
              help="Scale each feature to mean 0 and standard deviation 1 (learnt on the "
                   "training part; kept in the model file).")
@click.option("--architecture", type=click.Choice(["mlp", "resnet"]), default="mlp",
              show_default=True, help="Fully connected (eq. 1) or residual (eq. 6).")
@click.option("--hidden", type=IntList(), default="100", show_default=True,
              help="Hidden layer widths: '100' is the lecture's 2-layer network (L = 2), "
                   "'32,32' has two hidden layers, 'none' is a linear model.")
@click.option("--width", type=POSITIVE, default=32, show_default=True,
              help="ResNet: width of the residual blocks.")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True,
              help="ResNet: number of residual blocks.")
@click.option("--activation", type=NameList(ACTIVATIONS), default="relu", show_default=True,
              help="sigma of the hidden layers: one name, or one per hidden layer.")
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), default=0.0,
              show_default=True, help="Dropout probability after each hidden layer.")
@click.option("--init", type=click.Choice(INITIALISERS), default=None,
              help="Weight initialisation [default: He for relu, Glorot otherwise].")
@click.option("--dtype", type=click.Choice(["float32", "float64"]), default="float32",
              show_default=True)
@click.option("--optimizer", type=click.Choice(list(OPTIMIZERS)), default="gd",
              show_default=True, help="gd/sgd: plain gradient descent; momentum, nesterov, adam.")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=0.1,
              show_default=True, help="Learning rate.")
@click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=0.9,
              show_default=True, help="Momentum of the momentum and nesterov optimisers.")
@click.option("--weight-decay", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="L2 penalty on every parameter.")
@click.option("--schedule", type=click.Choice(SCHEDULES), default="constant", show_default=True,
              help="Learning-rate schedule over the run.")
@click.option("--batch-size", callback=_batch_size, default="full", show_default=True,
              help="Samples per step, or 'full' for gradient descent on the whole set (eq. 2).")
@click.option("--epochs", type=POSITIVE, default=None, help="Passes over the training set.")
@click.option("--iterations", type=POSITIVE, default=None,
              help="Optimiser steps (instead of --epochs) [default: 10 epochs].")
@click.option("--snapshots", type=IntList(), default="none",
              help="Iterations at which to draw the decision regions, e.g. 50,150,500.")
@click.option("--record-iterations", is_flag=True,
              help="Also record loss and accuracy after every iteration (iterations.csv).")
@click.option("--augment-shift", type=click.IntRange(min=0), default=0, show_default=True,
              help="Image data: shift each training image by up to this many pixels.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the initial weights, the batch order and dropout.")
@click.option("--backend", type=click.Choice(["numpy", "torch"]), default="numpy",
              show_default=True, help="The NumPy engine or its PyTorch twin.")
@click.option("--device", default="cpu", show_default=True,
              help="torch backend: cpu, cuda, cuda:N or auto.")
@click.option("--format", "model_format", type=click.Choice(["npz", "safetensors"]),
              default="npz", show_default=True, help="Model file format.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--out", type=click.Path(file_okay=False), default="runs/latest",
              show_default=True, help="Output folder.")
def train(quiet, out, **options):
    """Train a network and write the model, history, metrics and figures to --out.

    The lecture's rings figure (2 layers, 100 hidden units):

      nnlearn train --data rings --hidden 100 --iterations 3000
      --snapshots 50,150,250,350,500,3000 --out runs/rings
    """
    if options["epochs"] is not None and options["iterations"] is not None:
        raise click.UsageError("give --epochs or --iterations, not both")
    cfg = RunConfig(**options, progress=False if quiet else None)
    with process_group(cfg) as rank0:
        result = run(cfg)
        if not rank0:  # under torchrun, only rank 0 writes files and speaks
            return
        paths = write_outputs(result, out)
    if not quiet:
        m = result.metrics
        click.echo(f"{m['data']}, {describe(cfg)}: {m['iterations']} iterations "
                   f"({m['epochs']} epochs) in {m['train_seconds']:.1f} s")
        click.echo(f"train accuracy {m['train_accuracy']:.4f}, "
                   f"test accuracy {m['test_accuracy']:.4f} (loss {m['test_loss']:.4f})")
        for name, path in paths.items():
            click.echo(f"  {name:13s} {path}")
