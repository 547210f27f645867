"""Theorem 1 checked: back propagation against central finite differences, in float64.

Theorem 1 gives ``dL/dz_{k-1} = D_{k-1} W_k^T dL/dz_k`` (eq. 4) and
``dL/dW_k = dL/dz_k f_{k-1}^T``, ``dL/db_k = dL/dz_k`` (eq. 5); the residual
block of eq. (6) has its own version. For each layer kind (the dense layer of
an mlp, the residual block of a resnet) and each activation, a small float64
network on random data compares its gradients with central differences
``(L(p + eps) - L(p - eps)) / (2 eps)`` of the summed loss of eq. (2)/(7)
(``nnlearn.engine.gradcheck``; biases random so that no ``z`` sits on relu's
kink). The largest relative error over the parameters must be at most the
engine's ``TOLERANCE``: central differences at its ``EPS`` in float64 are good
to about ``1e-9``, so anything above would be a wrong formula. ``nnlearn
gradcheck`` runs the same networks (``CHECK_SIZES``) from the command line.
"""

from __future__ import annotations

import time

import numpy as np

from ..engine import gradcheck
from ..engine.activations import ACTIVATIONS
from ..engine.gradcheck import CHECK_SIZES, EPS, TOLERANCE, randomise_biases
from ..spec import NetworkSpec
from .base import Record, Scope
from .verdicts import check

NAME = "backprop"
TITLE = "Theorem 1: back propagation against finite differences"
NEEDS_DATA = False
NEEDS: tuple = ()
INPUTS, HIDDEN, CLASSES, SAMPLES = CHECK_SIZES
LAYER_KINDS = {"mlp": "dense layer, eq. (1)", "resnet": "residual block, eq. (6)"}
#: The lecture's slip in the unrolled product of its ResNet slide, noted where it is quoted.
#: (The report's texts write formulas in TeX between dollars: ``nnlearn.report.maths``.)
ERRATUM = (r"Erratum: the lecture's ResNet slide unrolls Theorem 1 as $\partial\mathcal{L}/"
           r"\partial z_1 = D_1 W_2^T D_2 W_3^T \cdots D_L W_L^T\, \partial\mathcal{L}/"
           r"\partial z_L$; by Theorem 1 (eq. 4) the product ends in $D_{L-1} W_L^T\, "
           r"\partial\mathcal{L}/\partial z_L$. $D_L W_L^T$ does not even conform unless "
           r"$n_L = n_{L-1}$. The gradients measured here are the engine's, which equal the "
           r"corrected product (tests/test_experiments.py checks it).")
#: Theorem 1 as the section quotes it.
THEOREM = (r"Theorem 1 (Back propagation): $\partial\mathcal{L}/\partial z_{k-1} = D_{k-1} "
           r"W_k^T\, \partial\mathcal{L}/\partial z_k$ (4), $\partial\mathcal{L}/\partial W_k"
           r" = \partial\mathcal{L}/\partial z_k\, f_{k-1}^T$ and $\partial\mathcal{L}/"
           r"\partial b_k = \partial\mathcal{L}/\partial z_k$ (5).")


def check_spec(architecture: str, activation: str, *, inputs=INPUTS, hidden=HIDDEN,
               classes=CLASSES) -> NetworkSpec:
    """The small float64 network whose gradients are checked: an mlp of widths ``hidden``,
    or a resnet of two blocks whose inner width (4) differs from their width (5), so that
    ``W_{k,1}`` and ``W_{k,2}`` are told apart."""
    if architecture == "mlp":
        return NetworkSpec(inputs, classes, hidden=hidden, activation=activation,
                           dtype="float64")
    return NetworkSpec(inputs, classes, architecture="resnet", width=5, depth=2, inner=(4, 4),
                       activation=activation, dtype="float64")


def relative_errors(architecture: str, activation: str, *, seed=0, samples=SAMPLES,
                    eps=EPS, reduction="sum", **sizes) -> dict[str, float]:
    """Each parameter's largest relative error, Theorem 1 against finite differences."""
    spec = check_spec(architecture, activation, **sizes)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(samples, spec.n_in))
    y = rng.integers(0, spec.n_out, size=samples)
    net = spec.build(seed)
    randomise_biases(net, rng)
    return gradcheck(net, X, y, eps=eps, reduction=reduction)


def recipe(scope: Scope) -> dict:
    return {"dtype": "float64", "eps": EPS, "loss": "sum of eq. (7), as eq. (2) writes it",
            "mlp": f"mlp({INPUTS}, {list(HIDDEN)}, {CLASSES})",
            "resnet": f"resnet({INPUTS}, width 5, 2 blocks of inner width 4, {CLASSES})",
            "samples": f"{SAMPLES} random normal rows, random labels", "seed": 0,
            "biases": "random (normal, 0.1)", "tolerance": TOLERANCE,
            "activations": list(ACTIVATIONS)}


def run(scope: Scope, runner=None) -> Record:
    t0 = time.perf_counter()
    results, checks = {}, []
    for arch, kind in LAYER_KINDS.items():
        for act in ACTIVATIONS:
            errors = relative_errors(arch, act)
            worst = max(errors.values())
            results[f"{arch}_{act}"] = {"max_relative_error": worst, "by_parameter": errors}
            checks.append(check(f"theorem1_{arch}_{act}",
                                what=f"Theorem 1, {kind}, {act}: largest relative error of the "
                                     f"gradient against central differences (float64)",
                                value=worst, limit=f"<= {TOLERANCE:g}",
                                passed=worst <= TOLERANCE))
    return Record(NAME, TITLE, THEOREM, recipe(scope), results, {}, [], checks, notes=[ERRATUM],
                  seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    return {}
