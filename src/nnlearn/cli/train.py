"""``nnlearn train``: options in, ``nnlearn.run.run`` and ``write_outputs`` out.

The options that the settings table declares are made from it (``table_option``);
the rest (data, outputs, resuming) are the command line's own.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

import click

from ..errors import TrainingWarning
from ..run import RunConfig, continue_run, describe, resolve_settings, run, write_outputs
from ..run.outputs import check_outputs
from ..run.recipes import RECIPE_OPTIONS
from ..training import GracefulStop, LambdaCallback
from .options import IntList, table_option


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
    from ..torch import barrier, cleanup, init_from_env, is_rank0
    init_from_env(cfg.device)
    try:
        yield is_rank0()
        # Every rank leaves the same way, after the last collective: the others
        # wait here while rank 0 writes, so that no process tears its connections
        # down under one still using them (which made a rank abort at exit).
        barrier()
    finally:
        cleanup()


RESUME_OPTIONS = {"epochs", "iterations", "data_dir"}  # besides --quiet and --out


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
@table_option("missing", default_from_table=False)
@table_option("standardize")
@table_option("architecture")
@table_option("hidden", default_from_table=False, extra_help="E.g. 100, or 32,32, or none.")
@table_option("width", default_from_table=False)
@table_option("depth", default_from_table=False)
@table_option("activation")
@table_option("features")
@table_option("dropout")
@table_option("init")
@table_option("dtype")
@table_option("optimizer")
@table_option("lr")
@table_option("momentum")
@table_option("weight_decay")
@table_option("regularization")
@table_option("regularization_rate")
@table_option("schedule")
@table_option("batch_size")
@table_option("epochs")
@table_option("iterations")
@click.option("--snapshots", type=IntList(), default="none",
              help="2-D data: iterations at which to draw the decision regions, e.g. 50,150,500.")
@click.option("--record-iterations", is_flag=True,
              help="Also record loss and accuracy after every iteration (iterations.csv).")
@click.option("--augment-shift", type=click.IntRange(min=0), default=0, show_default=True,
              help="Image data: shift each training image by up to this many pixels.")
@table_option("class_weight")
@table_option("early_stopping")
@table_option("patience")
@table_option("validation_fraction")
@table_option("seed")
@table_option("backend")
@table_option("device")
@click.option("--format", "model_format", type=click.Choice(["npz", "safetensors"]),
              default="npz", show_default=True, help="Model file format.")
@click.option("--resume", type=click.Path(file_okay=False), default=None,
              help="Continue the run in this folder (its model, optimizer state and history): "
                   "the rest of its plan, or --epochs/--iterations more.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--progress-bar/--no-progress-bar", default=True, show_default=True,
              help="Show a progress bar while training (when stderr is a terminal).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder. [default: runs/latest, or the --resume folder]")
@click.pass_context
def train(ctx, quiet, progress_bar, out, resume, **options):
    """Train a network and write the model, history, metrics and figures to --out.

    Options not given come from the data set's recipe (printed, and kept in
    metrics.json). The first Ctrl-C stops after the current step and writes
    what was learned (exit status 130); a second one aborts at once.

    \b
    The lecture's rings figure (2 layers, 100 hidden units):
      nnlearn train --data rings --hidden 100 --iterations 3000 \\
        --snapshots 50,150,250,350,500,3000 --out runs/rings
    """
    resume_state = None
    if resume is not None:
        given = [name for name in options if name not in RESUME_OPTIONS and
                 ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"--resume continues a run with its own settings; only "
                                   f"--epochs or --iterations may be given, not "
                                   f"--{given[0].replace('_', '-')}")
        cfg, resume_state = continue_run(resume, epochs=options["epochs"],
                                         iterations=options["iterations"])
        if options["data_dir"] is not None:
            cfg.data_dir = options["data_dir"]
        out = resume if out is None else out
    else:
        cfg = RunConfig(**options)
        out = "runs/latest" if out is None else out
        check_outputs(out, cfg)  # before training, not after
    cfg.progress = None if progress_bar and not quiet else False
    cfg, sources = resolve_settings(cfg)
    with process_group(cfg) as rank0:
        callbacks = [] if "WORLD_SIZE" in os.environ else [GracefulStop(
            "nnlearn: stopping after this step (Ctrl-C again to abort at once)")]
        if rank0 and not quiet:  # said as training begins, once Ctrl-C stops it gracefully
            def say(trainer):
                _print_settings(cfg, sources)
            callbacks.append(LambdaCallback(on_train_begin=say))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingWarning)  # said below, in one line each
            result = run(cfg, callbacks=callbacks, resume=resume_state, sources=sources)
        if not rank0:  # under torchrun, only rank 0 writes files and speaks
            return
        paths = write_outputs(result, out)
    m = result.metrics
    for message in m["warnings"]:
        click.echo(f"nnlearn: warning: {message}", err=True)
    if not quiet:
        for note in (result.dataset.info.get("notes", []) if result.dataset else []):
            click.echo(f"nnlearn: {note}")
        click.echo(f"{m['data']}, {describe(result.config)}: {m['iterations']} iterations "
                   f"({m['epochs']} epochs) in {m['train_seconds']:.1f} s")
        click.echo(f"train accuracy {m['train_accuracy']:.4f}, "
                   f"test accuracy {m['test_accuracy']:.4f} (loss {m['test_loss']:.4f})")
        if m.get("best_epoch") is not None:
            click.echo(f"early stopping: kept epoch {m['best_epoch']}, the best validation "
                       f"accuracy (of {m['epochs']} epochs)")
        width = max(map(len, paths))
        for name, path in paths.items():
            click.echo(f"  {name:{width}s} {path}")
    if m["interrupted"]:
        click.echo(f"nnlearn: interrupted at iteration {m['iterations']}; what was learned is "
                   f"in {out} (continue with: nnlearn train --resume {out})", err=True)
        raise click.exceptions.Exit(130)


def _print_settings(cfg, sources) -> None:
    parts = []
    for name in RECIPE_OPTIONS:
        value = getattr(cfg, name)
        if value is None:
            continue
        parts.append(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}")
        parts[-1] += f" ({sources.get(name, 'you')})"
    click.echo("settings: " + ", ".join(parts), nl=True)
    sys.stdout.flush()  # before a long training, even when stdout is a pipe
