"""The training loop: mini-batch or full-batch gradient descent on eq. (2).

One loop for every backend decides the batches (shuffled each epoch by its own
seeded generator), each step's learning rate, the history, the callbacks and
stopping on divergence; the backend only computes (``backend.py``). L-BFGS, whose
SciPy routine drives its own iterations, gets the whole set instead (``lbfgs.py``):
each of its iterations is one iteration and one epoch, with the same callbacks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.schedules import make_schedule
from ..engine.sparse import issparse
from ..errors import TrainingDiverged
from .backend import Backend
from .callbacks import Callback, DivergenceCheck, ProgressBar
from .config import TrainConfig, check_arrays
from .history import History


@dataclass
class FitLoop:
    """What the epochs of one ``fit`` call share: the checked data, the plan and
    the callbacks. ``Trainer._epoch`` reads it; the counters live on the trainer."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None  # sample weights, or None
    batch: int  # rows per step (the last step of an epoch may have fewer)
    transform: Callable | None  # transform(X_batch, rng): augmentation, or None
    lr_at: Callable[[int], float]  # learning rate at a step of the schedule
    first: int  # the iteration at which the schedule starts
    target: int  # the iteration at which this call stops
    callbacks: list[Callback]
    held: bool  # the backend holds the set: it gathers each batch itself (train_rows)


class Trainer:
    """Runs ``TrainConfig`` on a backend; ``fit`` again continues where the last
    call stopped (iteration count, optimiser state, history, random stream), as
    ``partial_fit`` needs.

    Every ``fit`` calls the default callbacks first, in the order of
    ``DEFAULT_CALLBACKS`` (``"progress"``: a ``ProgressBar`` as ``config.progress``
    says; ``"divergence"``: a ``DivergenceCheck``; ``"early_stopping"``: none
    unless set), then ``callbacks``. ``set_callback`` replaces one by name or
    turns it off, as skorch's ``callbacks__<name>`` does.

    Parameters
    ----------
    backend : Backend
        What computes: ``NumpyBackend``, or the twin's ``TorchBackend``.
    config : TrainConfig, optional
    callbacks : sequence of Callback
    """

    DEFAULT_CALLBACKS = ("progress", "divergence", "early_stopping")

    def __init__(self, backend: Backend, config: TrainConfig | None = None, callbacks=()):
        self.backend = backend
        self.config = config or TrainConfig()
        self.callbacks: list[Callback] = list(callbacks)
        self.history = History()
        self.iteration = 0
        self.epoch = 0
        self.rng = np.random.default_rng(self.config.seed)
        self.stop_training = False
        self.interrupted = False  # set by GracefulStop when a signal ended the run early
        self.planned_iterations = 0
        self.last_loss = math.nan  # mean loss of the last batch, for callbacks
        self.warnings: list[str] = []  # what DivergenceCheck said about the last fit
        # A full-batch solver's result of the last fit (scipy's OptimizeResult for
        # L-BFGS: status, message, nit, nfev); None for step-by-step optimisers.
        self.solver_result = None
        # The learning-rate schedule runs over iterations [origin, origin + total):
        # one fit call's plan, unless a resumed run continues an earlier plan.
        self._schedule: tuple[int, int] | None = None
        # Defaults replaced by set_callback (None: turned off); the others are made
        # afresh for every fit, so that the progress bar follows the config.
        self._replaced: dict[str, Callback | None] = {}

    def set_callback(self, name: str, callback: Callback | None) -> None:
        """Replace a default callback from the next ``fit`` on.

        Parameters
        ----------
        name : {"progress", "divergence", "early_stopping"}
        callback : Callback or None
            The replacement; None turns the default off.

        Raises
        ------
        ValueError
            For a name that is not one of ``DEFAULT_CALLBACKS``.
        """
        if name not in self.DEFAULT_CALLBACKS:
            raise ValueError(f"no default callback named {name!r}; the defaults are "
                             f"{', '.join(self.DEFAULT_CALLBACKS)}")
        self._replaced[name] = callback

    @property
    def default_callbacks(self) -> list[tuple[str, Callback]]:
        """The ``(name, callback)`` pairs the next ``fit`` calls before ``callbacks``,
        in order; those turned off are left out."""
        cfg = self.config
        made: dict[str, Callback | None] = {
            "progress": ProgressBar(disable=None if cfg.progress is None else not cfg.progress),
            "divergence": DivergenceCheck(),
            "early_stopping": None,
        }
        pairs = [(name, self._replaced.get(name, made[name])) for name in self.DEFAULT_CALLBACKS]
        return [(name, cb) for name, cb in pairs if cb is not None]

    def state_dict(self) -> dict:
        """Where the loop stands: with parameters, optimiser state and history, enough to resume.

        Returns
        -------
        dict
            JSON-ready: the counters, the schedule's plan, the generator's state.
        """
        origin, total = self._schedule or (self.iteration, 0)
        return {"iteration": self.iteration, "epoch": self.epoch,
                "planned_iterations": self.planned_iterations,
                "schedule_origin": origin, "schedule_total": total,
                "rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict, history: History | None = None) -> None:
        """Continue from ``state_dict()``: the next ``fit`` picks up its counters,
        its random stream and (with ``continue_schedule=True``) its schedule.

        Parameters
        ----------
        state : dict
        history : History, optional
            The history to continue (else the trainer's own).
        """
        try:
            iteration, epoch = int(state["iteration"]), int(state["epoch"])
            origin, total = int(state["schedule_origin"]), int(state["schedule_total"])
            self.rng.bit_generator.state = state["rng"]
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a training state: {err!r}") from None
        if min(iteration, epoch, origin, total) < 0 or origin > iteration:
            raise ValueError(f"inconsistent training state {state!r}")
        self.iteration, self.epoch = iteration, epoch
        self._schedule = (origin, total) if total else None
        if history is not None:
            self.history = history

    def reconfigure(self, config: TrainConfig | None = None, *, callbacks=None,
                    backend=None) -> Trainer:
        """Continue with a new ``config``, ``callbacks`` or ``backend`` (those given),
        keeping the counters, history, random stream and ``set_callback`` choices.

        Parameters
        ----------
        config : TrainConfig, optional
        callbacks : sequence of Callback, optional
        backend : Backend, optional

        Returns
        -------
        Trainer
            This trainer.
        """
        self.config = config if config is not None else self.config
        self.callbacks = list(callbacks) if callbacks is not None else self.callbacks
        self.backend = backend if backend is not None else self.backend
        return self

    def fit(self, X, y, *, validation_data=None, sample_weight=None, transform=None,
            continue_schedule=False) -> History:
        """Minimise the loss of eqs. (2) and (7) on ``(X, y)``, from where the last fit stopped.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (m, n_0)
        y : array-like of shape (m,)
            Class indices ``0 .. n_L - 1``.
        validation_data : (X_val, y_val) or (X_val, y_val, w_val), optional
            Evaluated after every epoch (weighted means with ``w_val``).
        sample_weight : array-like of shape (m,), optional
        transform : callable, optional
            ``transform(X_batch, rng)`` on every training batch (augmentation),
            with the loop's generator, so that a seed fixes it.
        continue_schedule : bool
            Keep the schedule loaded by ``load_state_dict`` (a resumed run).

        Returns
        -------
        History
            ``self.history``.

        Raises
        ------
        TrainingDiverged
            When the loss becomes infinite or NaN.
        """
        cfg, backend = self.config, self.backend
        X, y, w = check_arrays(X, y, backend.n_in, backend.n_out, sample_weight)
        if validation_data is not None:
            if len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be (X, y) or (X, y, sample_weight)")
            X_val, y_val, w_val = check_arrays(
                validation_data[0], validation_data[1], backend.n_in, backend.n_out,
                validation_data[2] if len(validation_data) == 3 else None, what="validation")
        m = len(y)
        solver = backend.full_batch  # L-BFGS: the whole set at every iteration
        batch = m if solver else cfg.rows_per_step(m)
        planned = cfg.planned_iterations(m, full_batch=solver)
        target = self.iteration + planned
        if not (continue_schedule and self._schedule):
            self._schedule = (self.iteration, planned)
        first, total = self._schedule
        lr_at = make_schedule(cfg.schedule, cfg.lr, total)
        callbacks = [cb for _, cb in self.default_callbacks] + self.callbacks
        self.planned_iterations, self.stop_training = planned, False
        self.interrupted = False
        t0 = time.perf_counter()

        # A backend that can keep the set where it computes (a GPU) gathers each
        # batch there; augmentation works on host arrays, so it keeps the host path.
        held = transform is None and backend.hold(X, y, w)
        loop = FitLoop(X, y, w, batch, transform, lr_at, first, target, callbacks, held)
        self.solver_result = None

        def end_epoch(row: dict) -> None:
            row["time"] = time.perf_counter() - t0
            if validation_data is not None:
                # Train and validation at the same parameters, after the epoch's last
                # step: the running mean of the batches is taken before each step,
                # which on full batches made the two curves a step apart.
                if "train_loss" in row:
                    row["train_loss"], row["train_accuracy"] = backend.evaluate(X, y, w)
                row["val_loss"], row["val_accuracy"] = backend.evaluate(X_val, y_val, w_val)
            self.history.record_epoch(**row)
            for cb in callbacks:
                cb.on_epoch_end(self)

        for cb in callbacks:
            cb.on_train_begin(self)
        try:
            # Overflow is not an error here: a non-finite loss is caught in
            # _epoch with a message that says what to do; NumPy's warnings
            # would only be noise. Threads: the backend's rule for steps of this size.
            with np.errstate(over="ignore", invalid="ignore"), backend.threads(batch):
                if solver:
                    from .lbfgs import minimize  # SciPy, imported only when asked for
                    self.solver_result = minimize(self, loop, end_epoch)
                else:
                    while self.iteration < target and not self.stop_training:
                        end_epoch(self._epoch(loop))
        finally:
            if held:
                backend.release()
            for cb in callbacks:
                cb.on_train_end(self)
        return self.history

    def _epoch(self, loop: FitLoop) -> dict:
        """One pass over the training set (cut short at ``loop.target`` iterations)."""
        cfg, X, y, w, batch = self.config, loop.X, loop.y, loop.w, loop.batch
        m = len(y)
        # A full batch needs no shuffling: its gradient is the same sum in any order.
        order = self.rng.permutation(m) if cfg.shuffle and batch < m else None
        # Weighted sums: with sample weights an epoch's mean is sum w L / sum w,
        # the same mean the steps minimise and the validation columns report.
        loss_sum, correct, seen = 0.0, 0.0, 0.0
        rows: slice | np.ndarray
        for start in range(0, m, batch):
            rows = slice(start, start + batch) if order is None else order[start:start + batch]
            wb = None if w is None else w[rows]
            lr = loop.lr_at(self.iteration - loop.first)
            if loop.held:  # the backend gathers the rows itself
                loss, n_correct = self.backend.train_rows(rows, wb, lr)
            else:
                # A slice is a view (nothing copied); take gathers scattered rows
                # faster than X[rows] (docs/benchmarks.md). A CSR X gathers its rows.
                Xb = X[rows] if isinstance(rows, slice) or issparse(X) else X.take(rows, axis=0)
                if loop.transform is not None:
                    Xb = loop.transform(Xb, self.rng)
                loss, n_correct = self.backend.train_step(Xb, y[rows], wb, lr)
            if not math.isfinite(loss):
                raise TrainingDiverged(
                    f"training diverged: the loss became {loss} at iteration "
                    f"{self.iteration + 1} with learning rate {lr:g}; try a smaller learning rate")
            weight = min(batch, m - start) if wb is None else float(np.sum(wb, dtype=np.float64))
            loss_sum += loss * weight
            correct += n_correct
            seen += weight
            self._step_done(loop, loss, n_correct, weight, lr)
            if self.iteration >= loop.target or self.stop_training:
                break
        self.epoch += 1
        if not seen:  # every weight in this epoch was zero: nothing was learned from it
            return {"epoch": self.epoch, "iteration": self.iteration, "lr": lr}
        return {"epoch": self.epoch, "iteration": self.iteration, "train_loss": loss_sum / seen,
                "train_accuracy": correct / seen, "lr": lr}

    def _step_done(self, loop: FitLoop, loss: float, n_correct: float, weight: float,
                   lr: float) -> None:
        """Count an optimiser step whose batch had mean loss ``loss``, ``n_correct``
        of ``weight`` right: the iteration, its history row, the callbacks."""
        self.iteration += 1
        self.last_loss = loss
        if self.config.record_iterations:
            self.history.record_iteration(self.iteration, self.epoch + 1, loss,
                                          n_correct / weight if weight else math.nan, lr)
        for cb in loop.callbacks:
            cb.on_iteration_end(self)
