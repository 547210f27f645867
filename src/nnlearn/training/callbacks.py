"""Callbacks: code the training loop calls at the start, after every iteration,
after every epoch and at the end. Set ``trainer.stop_training = True`` to stop."""

from __future__ import annotations

import math
import signal
import sys
import threading
import warnings
from typing import Any


from ..errors import TrainingWarning
from .modelio import save_model


class Callback:
    """Base class; override the hooks you need. Each receives the ``Trainer``, whose
    ``iteration``, ``epoch``, ``last_loss``, ``history`` and ``backend`` it may read."""

    def on_train_begin(self, trainer):
        """At the start of every ``fit``, before the first step.

        Parameters
        ----------
        trainer : Trainer
        """

    def on_iteration_end(self, trainer):
        """After every optimiser step; ``trainer.last_loss`` is its batch's mean loss.

        Parameters
        ----------
        trainer : Trainer
        """

    def on_epoch_end(self, trainer):
        """After every epoch, once its row (and validation) is in ``trainer.history``.

        Parameters
        ----------
        trainer : Trainer
        """

    def on_train_end(self, trainer):
        """At the end of every ``fit``, also when it stopped early or raised.

        Parameters
        ----------
        trainer : Trainer
        """


class Snapshots(Callback):
    """Keep a copy of the network after chosen iterations (the lecture's
    iterations 50, 150, ..., 3000): ``snapshots[i]`` is a NumPy ``Network``.

    Parameters
    ----------
    iterations : iterable of int
        The iterations (optimiser steps, counted from 1) to keep.
    fn : callable, optional
        ``fn(trainer)`` records something else instead of the network's copy.
    """

    def __init__(self, iterations, fn=None):
        self.at = sorted({int(i) for i in iterations})
        if any(i <= 0 for i in self.at):
            raise ValueError(f"snapshot iterations must be positive, got {self.at}")
        self.fn = fn or (lambda trainer: trainer.backend.get_network())
        self.snapshots: dict[int, Any] = {}  # a Network, or what fn records

    def on_iteration_end(self, trainer):
        """Record ``fn(trainer)`` when ``trainer.iteration`` is one of ``iterations``."""
        if trainer.iteration in self.at:
            self.snapshots[trainer.iteration] = self.fn(trainer)


class EarlyStopping(Callback):
    """Stop once ``patience`` epochs in a row have each failed to beat the best
    value of ``monitor`` so far by at least ``min_delta``.

    ``monitor`` is an epoch column of the history (``val_loss``, ``val_accuracy``,
    ``train_loss``, ...); losses should fall, accuracies rise. The best epoch is
    tracked on any strict improvement, however small: ``min_delta`` only decides
    which epochs count against ``patience``. With ``restore_best`` the
    parameters of the best epoch are put back at the end.

    This is scikit-learn's ``MLPClassifier`` rule (``_update_no_improvement_count``)
    with ``patience = n_iter_no_change + 1``: its count is compared with the
    best value so far, it stops when the count exceeds ``n_iter_no_change``.

    Parameters
    ----------
    monitor : str
        An epoch column of ``History``.
    patience : int
        Epochs in a row without an improvement of ``min_delta``, at least 1.
    min_delta : float
    restore_best : bool
    """

    def __init__(self, monitor="val_loss", patience=10, min_delta=0.0, restore_best=True):
        if patience < 1:
            raise ValueError(f"patience must be >= 1, got {patience}")
        self.monitor, self.patience = monitor, int(patience)
        self.min_delta, self.restore_best = float(min_delta), restore_best
        self.sign = -1.0 if "accuracy" in monitor else 1.0  # minimise sign * value
        self.reset()

    def reset(self):
        """Forget the best value and the count (a new run)."""
        self.best, self.best_epoch, self.best_parameters, self.wait = math.inf, None, None, 0

    def on_epoch_end(self, trainer):
        """Count the epoch against ``patience`` and keep the best parameters."""
        value = trainer.history.last(self.monitor)
        if math.isnan(value):
            raise ValueError(f"early stopping monitors {self.monitor!r}, which this run does "
                             "not record (give validation data, or monitor train_loss)")
        value *= self.sign
        # Counted before the best moves, as scikit-learn does: an epoch that beats
        # the best by less than min_delta still counts against patience.
        self.wait = self.wait + 1 if value > self.best - self.min_delta else 0
        if value < self.best:
            self.best, self.best_epoch = value, trainer.epoch
            if self.restore_best:
                self.best_parameters = {k: v.copy() for k, v in
                                        trainer.backend.get_network().parameters().items()}
        if self.wait >= self.patience:
            trainer.stop_training = True

    def on_train_end(self, trainer):
        """Put the best epoch's parameters back, with ``restore_best``."""
        if self.restore_best and self.best_parameters is not None:
            trainer.backend.set_parameters(self.best_parameters)


class Checkpoint(Callback):
    """Save the model every ``every`` epochs (atomically: a crash leaves the last good file).

    Parameters
    ----------
    path : str or Path
        A ``.npz`` or ``.safetensors`` file, overwritten each time (``save_model``).
    every : int
    metadata : dict, optional
        Passed to ``save_model``.
    """

    def __init__(self, path, every=1, metadata=None):
        if every < 1:
            raise ValueError(f"checkpoint interval must be >= 1, got {every}")
        self.path, self.every, self.metadata = path, int(every), metadata

    def on_epoch_end(self, trainer):
        """Save the network when the epoch count is a multiple of ``every``."""
        if trainer.epoch % self.every == 0:
            save_model(trainer.backend.get_network(), self.path, metadata=self.metadata)


class ProgressBar(Callback):
    """A tqdm bar over iterations, with the epoch's loss and accuracy.

    Parameters
    ----------
    disable : bool or None
        True: silent; None: silent whenever stderr is not a terminal.
    """

    def __init__(self, disable=None):
        self.disable = (not sys.stderr.isatty()) if disable is None else disable
        self.bar = None

    def on_train_begin(self, trainer):
        """Get ready; the bar opens at the first step, after what other callbacks print
        as training begins (the settings line), so that its first frame never splits
        their line on a terminal."""
        self.bar = None

    def _open(self, trainer):
        # tqdm.auto picks a notebook widget where there is one; imported here so that a
        # quiet run (every test, every notebook cell without a bar) never touches it.
        if self.disable:
            from tqdm import tqdm
        else:
            from tqdm.auto import tqdm
        self.bar = tqdm(total=trainer.planned_iterations, disable=self.disable,
                        unit="it", dynamic_ncols=True, leave=False)

    def on_iteration_end(self, trainer):
        """Advance the bar by one step (opening it at the first)."""
        if self.bar is None:
            self._open(trainer)
        self.bar.update(1)

    def on_epoch_end(self, trainer):
        """Show the epoch's training loss and accuracy (and validation accuracy)."""
        if self.bar is None:
            return
        h = trainer.history
        postfix = {"loss": f"{h.last('train_loss'):.4f}", "acc": f"{h.last('train_accuracy'):.3f}"}
        if h.has_validation():
            postfix["val_acc"] = f"{h.last('val_accuracy'):.3f}"
        self.bar.set_postfix(postfix, refresh=False)

    def on_train_end(self, trainer):
        """Close the bar."""
        if self.bar is not None:
            self.bar.close()


class DivergenceCheck(Callback):
    """Warn when training blew up without reaching inf or NaN, or learned nothing.

    The ``Trainer``'s default callback ``"divergence"``. A loss that rises to ``factor`` times its
    start (or ``ln k``, the loss of a uniform guess over ``k`` classes, when
    that is larger) means the steps overshoot: the learning rate is too large,
    even if the loss later falls back. A run that ends at chance level (the
    last epoch's training accuracy within ``margin`` of ``1/k``, no better and
    no worse, and its loss at ``ln k`` or above) has learned nothing. Either way
    a ``TrainingWarning`` says so once, at the end, with what to try;
    ``trainer.warnings`` keeps the text.

    Parameters
    ----------
    factor : float
        How many times its start the loss may rise to.
    margin : float
        How close to chance (``1/k``) an accuracy is at chance level.
    """

    def __init__(self, factor=10.0, margin=0.02):
        self.factor, self.margin = float(factor), float(margin)

    def on_train_begin(self, trainer):
        """Start watching; clear ``trainer.warnings``."""
        self.start, self.peak, self.peak_at = None, -math.inf, 0
        trainer.warnings = []

    def on_iteration_end(self, trainer):
        """Note the first loss and the highest so far."""
        loss = trainer.last_loss
        if self.start is None:
            self.start = loss
        if loss > self.peak:
            self.peak, self.peak_at = loss, trainer.iteration

    def on_train_end(self, trainer):
        """Warn if the loss blew up or the run ended at chance level."""
        if self.start is None:
            return
        k = trainer.backend.n_out
        chance_loss = math.log(k) if k > 1 else 0.0
        lr = trainer.config.lr
        messages = []
        if self.peak > self.factor * max(self.start, chance_loss):
            messages.append(
                f"training diverged: the loss rose from {self.start:.3g} to {self.peak:.3g} "
                f"at iteration {self.peak_at}; the learning rate ({lr:g}) is too large, "
                f"try {lr / 10:g} or less")
        h = trainer.history
        loss, accuracy = h.last("train_loss"), h.last("train_accuracy")
        if k > 1 and abs(accuracy - 1 / k) <= self.margin and \
                loss >= chance_loss * (1 - self.margin):
            advice = ("lower the learning rate" if messages else
                      "train longer, or change the learning rate or the input scaling")
            messages.append(f"training ended at chance level (accuracy {accuracy:.3f} for {k} "
                            f"classes, loss {loss:.3g} >= ln {k}): the network learned "
                            f"nothing; {advice}")
        for message in messages:
            trainer.warnings.append(message)
            warnings.warn(message, TrainingWarning, stacklevel=2)


class GracefulStop(Callback):
    """The first SIGINT (Ctrl-C) or SIGTERM ends training after the current step.

    ``trainer.interrupted`` is then True and ``fit`` returns normally, so the
    caller can keep (and save) what was learned. A second signal raises
    ``KeyboardInterrupt`` at once. Handlers are installed only in the main
    thread, for the length of the run, and the previous ones put back after.

    Parameters
    ----------
    message : str, optional
        Printed on stderr at the first signal.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, message=None):
        self.message = message
        self.previous = {}

    def on_train_begin(self, trainer):
        """Install the signal handlers (in the main thread only)."""
        self.trainer, self.previous = trainer, {}
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in self.SIGNALS:
            self.previous[sig] = signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        if self.trainer.interrupted:  # the second signal: stop now
            raise KeyboardInterrupt
        self.trainer.interrupted = self.trainer.stop_training = True
        if self.message:
            print(self.message, file=sys.stderr, flush=True)

    def on_train_end(self, trainer):
        """Put the previous signal handlers back."""
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous = {}


class PrintLoss(Callback):
    """Print each epoch's mean training loss on stdout as scikit-learn's
    ``MLPClassifier(verbose=True)`` does, ``Iteration 3, loss = 0.12345678``,
    followed by ``Validation score: 0.950000`` when the run has validation data.
    The number is the epoch's in the history (it counts on over warm starts)."""

    def on_epoch_end(self, trainer):
        """Print the epoch's line (and the validation score)."""
        h = trainer.history
        # sys.stdout looked up now, not at import: a redirected stdout receives it.
        print(f"Iteration {trainer.epoch}, loss = {h.last('train_loss'):.8f}", file=sys.stdout)
        score = h.last("val_accuracy")
        if not math.isnan(score):
            print(f"Validation score: {score:f}", file=sys.stdout)


class LambdaCallback(Callback):
    """Wrap plain functions ``f(trainer)`` as hooks.

    Parameters
    ----------
    on_train_begin, on_iteration_end, on_epoch_end, on_train_end : callable, optional
        Each replaces the ``Callback`` hook of its name.
    """

    def __init__(self, on_train_begin=None, on_iteration_end=None, on_epoch_end=None,
                 on_train_end=None):
        for name, fn in [("on_train_begin", on_train_begin), ("on_iteration_end", on_iteration_end),
                         ("on_epoch_end", on_epoch_end), ("on_train_end", on_train_end)]:
            if fn is not None:
                setattr(self, name, fn)
