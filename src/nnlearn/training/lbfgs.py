"""Full-batch L-BFGS: SciPy's L-BFGS-B on the network's flat parameter buffer.

The lecture's eq. (2) over the whole training set (its weighted mean, so that
its scale does not grow with ``m``) plus the L2 penalty ``weight_decay / 2``
times the squared norm of every parameter is one smooth function of the
parameter vector ``theta``, which is the flat buffer ``P`` of
``Network.flat_layout()`` (zero padding included: its gradient is 0, so it never
moves). Its gradient is the engine's back propagation (Theorem 1), read from the
flat gradient buffer ``G``; the backend gives both through its protocol
(``Backend.flat_parameters``, ``Backend.loss_and_flat_gradient``).
``scipy.optimize.minimize(method="L-BFGS-B")`` then runs a quasi-Newton method
on it, as scikit-learn's ``MLPClassifier`` does for ``solver="lbfgs"``, its
recommended solver for small data sets.

Each L-BFGS iteration (an accepted point, after its line search) is one
iteration and one epoch of the training loop: one ``loss_curve_`` entry, the
callbacks, the validation score. A callback that sets ``stop_training`` ends
the run (``StopIteration`` in SciPy's callback). SciPy computes in float64;
a float32 network evaluates the loss and its gradient in float32.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize as scipy_minimize

from ..errors import TrainingDiverged


class Objective:
    """``theta -> (f, df/dtheta)`` for L-BFGS-B, and the last point's loss and accuracy.

    ``f`` is the weighted mean loss of eq. (7) over all rows plus
    ``weight_decay / 2 |theta|^2``; ``loss`` and ``correct`` (the weight of the rows
    predicted right) are kept for the history, without the penalty, as the
    step-by-step optimisers report theirs. The backend computes, through its
    protocol (``Backend.loss_and_flat_gradient``).
    """

    def __init__(self, backend, X, y, w, weight_decay: float, pause=None):
        self.backend, self.X, self.y, self.w = backend, X, y, w
        self.start = backend.flat_parameters()
        self.weight_decay = float(weight_decay)
        self.total = float(len(y)) if w is None else float(np.sum(w, dtype=np.float64))
        # called before each evaluation: a line search evaluates several times an
        # iteration, and the playground's pause must act within one evaluation
        self.pause = pause
        self.theta: np.ndarray | None = None  # the point of the last evaluation, and what it gave
        self.loss, self.correct = math.nan, math.nan

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        if self.pause is not None:
            self.pause()
        loss, self.correct, grad = self.backend.loss_and_flat_gradient(theta, self.X, self.y,
                                                                       self.w)
        self.theta = theta.copy()
        self.loss = loss
        f = loss
        if self.weight_decay:  # the penalty's value and its gradient, wd * theta
            f += 0.5 * self.weight_decay * float(theta @ theta)
            grad += self.weight_decay * theta
        return f, grad

    def at(self, theta: np.ndarray) -> None:
        """Make ``theta`` the network's parameters, with its loss and accuracy known."""
        if self.theta is None or not np.array_equal(theta, self.theta):
            self(theta)


def minimize(trainer, loop, end_epoch):
    """Run L-BFGS-B for ``trainer.fit``: at most ``loop.target - trainer.iteration``
    iterations on ``loop.X`` whole; ``end_epoch(row)`` records each one.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``status`` 0: converged (``tol``); 1: out of iterations or of evaluations
        (``max_fun``); 2: the line search failed; 99: a callback stopped training.
    """
    backend = trainer.backend
    optimizer = backend.solver()
    if loop.transform is not None:
        raise ValueError("L-BFGS minimises one fixed loss: it takes no data augmentation")
    objective = Objective(backend, loop.X, loop.y, loop.w, optimizer.weight_decay,
                          pause=getattr(backend, "pause_point", None))

    def callback(intermediate_result):
        theta = intermediate_result.x
        objective.at(theta)
        if not math.isfinite(objective.loss):
            raise TrainingDiverged(f"training diverged: the loss became {objective.loss} at "
                                   f"L-BFGS iteration {trainer.iteration + 1}; scale the "
                                   "inputs, or raise weight_decay")
        trainer._step_done(loop, objective.loss, objective.correct, objective.total, math.nan)
        trainer.epoch += 1
        end_epoch({"epoch": trainer.epoch, "iteration": trainer.iteration,
                   "train_loss": objective.loss,
                   "train_accuracy": objective.correct / objective.total, "lr": math.nan})
        if trainer.stop_training:
            raise StopIteration  # SciPy then returns this point, with status 99

    # Threads: Trainer.fit holds the backend's rule for steps of the whole set.
    result = scipy_minimize(
        objective, objective.start, method="L-BFGS-B", jac=True, callback=callback,
        options={"maxiter": loop.target - trainer.iteration, "maxfun": optimizer.max_fun,
                 "gtol": optimizer.tol, "maxcor": optimizer.memory})
    objective.at(result.x)  # the last accepted point, not a rejected trial of a line search
    optimizer.t += int(result.nit)
    return result
