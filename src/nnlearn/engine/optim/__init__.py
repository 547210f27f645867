"""The optimisers of eq. (2): the update rules (``rules``: ``SGD`` with momentum or
Nesterov, ``Adam``) and the optimisers by name: ``OPTIMIZERS``, each one's own step
size ``DEFAULT_LR``, ``make_optimizer``, and the settings of full-batch L-BFGS.
"""

from __future__ import annotations

from .penalty import PENALTIES, penalty
from .rules import SGD, Adam, Optimizer, ParamArrays, Steppable, flush_subnormals


MAX_FUN = 15000  #: L-BFGS's default budget of loss evaluations, scikit-learn's


class LBFGS(Optimizer):
    """Settings of full-batch L-BFGS, run by ``nnlearn.training.lbfgs``: SciPy's L-BFGS-B
    on eq. (2) plus ``weight_decay / 2 |theta|^2``, as scikit-learn's ``solver="lbfgs"``.
    No learning rate; ``tol`` is SciPy's ``gtol``, ``max_fun`` bounds the loss evaluations."""

    full_batch = True  #: the loop hands it the whole set (``Trainer.fit``), not batches

    def __init__(self, weight_decay=0.0, *, max_fun=MAX_FUN, tol=1e-4, memory=10,
                 **penalty) -> None:
        super().__init__(weight_decay, **penalty)
        self.max_fun, self.tol, self.memory = int(max_fun), float(tol), int(memory)

    def set_penalty(self, regularization: str, regularization_rate: float) -> None:
        """``Optimizer.set_penalty``, refusing L1: L-BFGS needs a smooth loss."""
        kind, rate = penalty(regularization, regularization_rate)
        if kind == "l1" and rate:
            raise ValueError("optimizer='lbfgs' needs a smooth loss and |W|_1 has a kink at 0: "
                             "use regularization='l2' with lbfgs")
        super().set_penalty(kind, rate)

    def step(self, model: Steppable, lr: float) -> None:
        raise TypeError("L-BFGS is run by nnlearn.training.lbfgs (Trainer.fit), not step by step")


OPTIMIZERS = {"gd": SGD, "sgd": SGD, "momentum": SGD, "nesterov": SGD, "adam": Adam,
              "lbfgs": LBFGS}

# Each optimiser's own learning rate, used wherever none is given (command line,
# estimator, playground): the lecture's 0.1 for gradient descent, Adam's 1e-3 as
# in its paper and in torch.optim.Adam, and 0.01 for momentum, whose velocity
# adds up to 1 / (1 - 0.9) = 10 gradients. L-BFGS has none (its line search starts at 1).
DEFAULT_LR = {"gd": 0.1, "sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.001,
              "lbfgs": 1.0}


def make_optimizer(name: str, *, momentum=0.9, weight_decay=0.0, regularization="none",
                   regularization_rate=0.0, **lbfgs) -> Optimizer:
    """An optimiser by name (``gd`` = ``sgd``); ``DEFAULT_LR`` has each one's step size.

    Parameters
    ----------
    name : {"gd", "sgd", "momentum", "nesterov", "adam", "lbfgs"}
    momentum, weight_decay : float
    regularization : {"none", "l1", "l2"}
    regularization_rate : float
        The penalty (``nnlearn.engine.optim.penalty``; ``weight_decay`` is the L2 rate).
    **lbfgs
        ``LBFGS``'s ``max_fun``, ``tol``, ``memory``.

    Returns
    -------
    Optimizer
    """
    pen = dict(weight_decay=weight_decay, regularization=regularization,
               regularization_rate=regularization_rate)
    if name == "lbfgs":
        return LBFGS(**pen, **lbfgs)
    if name in ("gd", "sgd"):
        return SGD(**pen)
    if name == "momentum":
        return SGD(momentum=momentum, **pen)
    if name == "nesterov":
        return SGD(momentum=momentum, nesterov=True, **pen)
    if name == "adam":
        return Adam(**pen)
    raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")


__all__ = ["DEFAULT_LR", "LBFGS", "MAX_FUN", "OPTIMIZERS", "PENALTIES", "SGD", "Adam", "Optimizer",
           "ParamArrays", "Steppable", "flush_subnormals", "make_optimizer", "penalty"]
