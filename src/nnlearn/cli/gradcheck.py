"""``nnlearn gradcheck``: back propagation against finite differences, in float64."""

from __future__ import annotations

import click
import numpy as np

from ..engine import gradcheck
from ..engine.activations import ACTIVATIONS
from ..engine.gradcheck import CHECK_SIZES, EPS, TOLERANCE, randomise_biases
from ..errors import NNLearnError
from ..settings import ARCHITECTURES, SETTINGS
from .options import IntList, NameList


@click.command()
@click.option("--architecture", type=click.Choice([*ARCHITECTURES, "both"]), default="both",
              show_default=True)
@click.option("--activation", type=NameList(SETTINGS["activation"]),
              default=",".join(ACTIVATIONS),
              show_default=True, help="Activations to check, one network each.")
@click.option("--inputs", type=click.IntRange(min=1), default=CHECK_SIZES.inputs,
              show_default=True)
@click.option("--hidden", type=IntList(SETTINGS["hidden"]), show_default=True,
              default=",".join(map(str, CHECK_SIZES.hidden)),
              help="MLP hidden widths.")
@click.option("--classes", type=click.IntRange(min=2), default=CHECK_SIZES.classes,
              show_default=True)
@click.option("--samples", type=click.IntRange(min=1), default=CHECK_SIZES.samples,
              show_default=True)
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=EPS,
              show_default=True, help="Finite-difference step.")
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=TOLERANCE,
              show_default=True, help="Largest relative error that passes.")
@click.option("--seed", type=int, default=0, show_default=True)
def gradcheck_command(architecture, activation, inputs, hidden, classes, samples, eps, tol, seed):
    """Compare Theorem 1's gradients with central finite differences.

    Builds small float64 networks on random data and prints, for each one, the
    largest relative error over its parameters. Exits with status 1 if any
    error is above --tol.
    """
    # the same small networks as the report's Theorem 1 section (imported here: the
    # experiments package draws figures, which this command does not need at start-up)
    from ..experiments.backprop import check_spec

    names = (activation,) if isinstance(activation, str) else activation
    archs = list(ARCHITECTURES) if architecture == "both" else [architecture]
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(samples, inputs))
    y = rng.integers(0, classes, size=samples)
    worst = 0.0
    for arch in archs:
        for act in names:
            spec = check_spec(arch, act, inputs=inputs, hidden=hidden, classes=classes)
            net = spec.build(seed)
            randomise_biases(net, rng)
            errors = gradcheck(net, X, y, eps=eps)
            err = max(errors.values())
            worst = max(worst, err)
            verdict = "ok" if err <= tol else "FAIL"
            numbers = sum(p.size for p in net.parameters().values())
            click.echo(f"{arch:7s} {act:11s} {numbers:4d} parameters in {len(errors)} arrays  "
                       f"max relative error {err:.2e}  {verdict}")
    if worst > tol:
        raise NNLearnError(f"gradient check failed: relative error {worst:.2e} > {tol:g}")
