"""What ``fit`` and ``partial_fit`` do: from checked data to a trained network.

``FitMixin._fit`` is the one path both take, read downward: check the
hyper-parameters and the data, encode labels and weights, build or continue
the ``Trainer``, hold samples out for early stopping, train, and record the
learned attributes. The seams where a subclass may build things differently
are ``_initialize_module`` (the network, skorch's name) and ``_assemble`` (the run
around it, from ``nnlearn.assembly``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ..assembly import Seeds, assemble, learning_rate, train_config
from ..engine.schedules import make_schedule
from ..training.callbacks import DivergenceCheck, EarlyStopping, PrintLoss
from ..training.config import TrainConfig
from ..training.trainer import Trainer
from .frames import fit_input
from .params import NO_PATIENCE, check_params
from .samples import combined_weights, drop_zero_weights, encode, labels_for
from .validation import PartialFitStopping, split_by_hash, split_stratified

SEEDS = ("network", "backend", "batches", "split")


class FitMixin:
    """Training for ``NeuralNetClassifier``; its hyper-parameters are attributes of ``self``."""

    # set by NeuralNetClassifier.__init__ (the settings table's estimator rows)
    architecture: str
    width: int
    depth: int
    dropout: float
    optimizer: str
    lr: float | None
    momentum: float
    weight_decay: float
    regularization: str
    regularization_rate: float
    schedule: str
    epochs: int
    early_stopping: bool
    validation_fraction: float
    tol: float
    max_fun: int
    random_state: object
    backend: str
    device: str
    verbose: bool | int
    progress_bar: bool
    callbacks: list | None
    class_weight: object
    warm_start: bool
    missing: str
    get_params: Callable[..., dict]  # scikit-learn's BaseEstimator, later in the MRO

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        settings = check_params(self.get_params(deep=False))
        fitted = hasattr(self, "network_")
        if incremental and not fitted and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        continuing = fitted and (incremental or self.warm_start)

        if type_of_target(y).startswith("multilabel"):
            raise ValueError("multilabel y (one column per label) is not supported: the network "
                             "has one soft-max over the classes; fit one classifier per label "
                             "(sklearn.multioutput.MultiOutputClassifier)")
        # Sparse X (any SciPy format) becomes CSR, never dense: engine/sparse.py.
        # A DataFrame's columns of words and missing cells are encoded (frames.py).
        X, y = fit_input(self, X, y, reset=not continuing, dtype=settings.dtype,
                         missing=self.missing)
        check_classification_targets(y)
        # classes_ is set only once everything is checked: a failed call must not
        # leave a fitted estimator with labels that do not match its network.
        labels = labels_for(y, classes, self.classes_ if continuing else None,
                            incremental=incremental)
        y_index = encode(labels, y)
        w = combined_weights(self.class_weight, labels, X, y_index, sample_weight,
                             incremental=incremental)
        X, y_index, w = drop_zero_weights(X, y_index, w, len(labels), incremental=incremental)
        stopper = getattr(self, "_partial_stopper", None)
        if incremental and continuing and stopper is not None and stopper.exhausted:
            return self  # early stopping has ended training (see Notes)

        self.classes_ = labels
        if continuing:
            trainer = self._continue_trainer(settings, X.shape[1])
        else:
            trainer = self._initialize(settings, X.shape[1])
        if not incremental:
            self._run_start = len(trainer.history)  # where best_loss_ starts looking
        stopper, validation, (X, y_index, w) = self._plan_validation(
            settings, incremental, X, y_index, w)
        if len(y_index) == 0:  # partial_fit: every row of this call is held out
            self._record(trainer, stopper, 1, trainer.iteration, trainer.epoch, incremental)
            self.converged_ = False
            return self
        printer = PrintLoss() if self.verbose else None
        trainer.reconfigure(self._train_config(settings, incremental),
                            callbacks=[*([printer] if printer else []),
                                       *(self.callbacks or [])])
        trainer.set_callback("early_stopping", stopper)
        # DivergenceCheck judges a whole run; a partial_fit call is one epoch of a stream.
        trainer.set_callback("divergence", None if incremental else DivergenceCheck())
        iteration0, epoch0 = trainer.iteration, trainer.epoch
        try:
            trainer.fit(X, y_index, sample_weight=w, validation_data=validation)
        except KeyboardInterrupt:
            # Keep what was learned so far (as Keras and Lightning do), then stop.
            self._record(trainer, stopper, len(y_index), iteration0, epoch0, incremental)
            self.converged_ = False
            raise
        self._record(trainer, stopper, len(y_index), iteration0, epoch0, incremental)

        if incremental:
            self.converged_ = stopper is not None and stopper.exhausted
            return self
        self._judge_convergence(trainer, stopper)
        return self

    def _judge_convergence(self, trainer, stopper) -> None:
        """``converged_``, and a ``ConvergenceWarning`` where MLPClassifier gives one."""
        # Stopped by patience; not by a user's callback, not by running out of epochs.
        stopped = stopper is not None and stopper.wait >= stopper.patience
        result, name = trainer.solver_result, type(self).__name__
        if result is None:
            self.converged_ = stopped
            if self.n_iter_ == self.epochs and not stopped:
                # Every epoch of this fit ran and the stopping rule did not end it on
                # the last one (also with patience=None: n_iter_no_change=np.inf).
                warnings.warn(f"{name}: Maximum iterations ({self.epochs}) reached and the "
                              "optimization hasn't converged yet; increase epochs",
                              ConvergenceWarning, stacklevel=4)
            return
        # lbfgs, as scikit-learn's _check_optimize_result: SciPy's status 0 is
        # convergence; 99 is a callback's stop (ours: early stopping).
        self.converged_ = stopped or result.status == 0
        if result.status not in (0, 99):
            message = (f"{name}: lbfgs failed to converge after {self.n_iter_} iteration(s) "
                       f"(status={result.status}): {result.message}")
            if self.n_iter_ == self.epochs:
                message += f"; increase epochs (its iteration budget, {self.epochs})"
            warnings.warn(message, ConvergenceWarning, stacklevel=4)

    def _check_stochastic(self) -> bool:
        """``partial_fit`` exists for the step-by-step optimisers only (as in MLPClassifier)."""
        if self.optimizer == "lbfgs":
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 "lbfgs is not stochastic.")
        return True

    # -- the pieces: network, then the run around it (nnlearn.assembly) ---------------
    def _initialize(self, settings, n_in) -> Trainer:
        """A fresh ``Trainer`` around a network with fresh seeded weights."""
        self._start_counters()
        network = self._initialize_module(n_in, len(self.classes_), settings)
        self._trainer = self._assemble(network)
        self._network_key, self._backend_key = settings.network_key, settings.backend_key
        return self._trainer

    def _assemble(self, network) -> Trainer:
        """The run around ``network`` (``nnlearn.assembly.assemble``) with these
        hyper-parameters and this fit's seeds."""
        seeds = Seeds(self._seeds["network"], self._seeds["backend"], self._seeds["batches"])
        return assemble(None, self.get_params(deep=False), seeds=seeds, network=network).trainer

    def _start_counters(self):
        """Seeds for everything random, drawn from ``random_state``; counters at 0."""
        seeds = check_random_state(self.random_state).randint(np.iinfo(np.int32).max, size=4)
        self._seeds = dict(zip(SEEDS, map(int, seeds)))
        self._partial_stopper = None
        self.n_iter_, self.t_, self._run_start = 0, 0, 0

    def _initialize_module(self, n_in, n_out, settings):
        """The network the hyper-parameters describe: an MLP (eq. 1) or a ResNet (eq. 6)."""
        return settings.network_spec(n_in, n_out).build(self._seeds["network"])

    def _continue_trainer(self, settings, n_in) -> Trainer:
        """The kept ``Trainer``, or one rebuilt around ``network_`` (a loaded or
        unpickled model); a new optimiser or backend keeps the weights and counters."""
        if not hasattr(self, "_seeds"):  # a loaded model: it has weights, nothing else
            self._start_counters()
        if getattr(self, "_network_key", None) is None:
            # A loaded model: does what the hyper-parameters build match its network?
            built = self._initialize_module(n_in, self.network_.n_out, settings)
            if built.layer_list() == self.network_.layer_list():
                self._network_key = settings.network_key
        if settings.network_key != getattr(self, "_network_key", None):
            raise ValueError("the hyper-parameters that shape the network (architecture, "
                             "hidden, width, depth, activation, dropout, dtype) do not "
                             "match network_: a warm start or partial_fit cannot "
                             "continue it; call fit with warm_start=False")
        trainer = getattr(self, "_trainer", None)
        if trainer is None:
            trainer = self._assemble(self.network_)
            trainer.history = getattr(self, "history_", trainer.history)
            trainer.epoch = len(trainer.history)
        elif settings.backend_key != self._backend_key:
            # Keep the weights (the latest, not a kept best), counters and history;
            # only the optimiser, and the backend that holds its state, start over.
            trainer.reconfigure(backend=self._assemble(_latest_network(trainer)).backend)
        self._trainer = trainer
        self._backend_key = settings.backend_key
        return trainer

    def _train_config(self, settings, incremental) -> TrainConfig:
        params = self.get_params(deep=False)
        if incremental:  # one call is one epoch
            params["epochs"] = 1
            if self.schedule != "constant":  # the schedule moves one step per call
                lr = learning_rate(self.optimizer, self.lr)
                params["lr"] = make_schedule(self.schedule, lr, self.epochs)(
                    min(self.n_iter_, self.epochs - 1))
                params["schedule"] = "constant"
        return train_config(params, seed=self._seeds["batches"],
                            progress=bool(self.progress_bar))

    def _plan_validation(self, settings, incremental, X, y, w):
        """The stopping callback, the validation data, and what is left to train on.

        The rule is MLPClassifier's: an epoch counts against ``patience`` unless it
        beats the best score so far by at least ``tol``, and training stops at the
        first epoch past ``patience`` such epochs in a row; hence ``patience + 1``
        for ``EarlyStopping``, which stops once its count reaches its patience.
        """
        count = NO_PATIENCE if settings.patience is None else settings.patience + 1
        if not incremental:
            self._partial_stopper = None
        if not self.early_stopping:
            if incremental or self.optimizer == "lbfgs":  # lbfgs stops by tol, in SciPy
                return None, None, (X, y, w)
            # Without validation data, stop when the (weighted) training loss stops
            # falling; with patience=None the stopper only counts.
            return (EarlyStopping("train_loss", count, min_delta=self.tol, restore_best=False),
                    None, (X, y, w))
        if incremental:
            if self._partial_stopper is None:
                self._partial_stopper = PartialFitStopping("val_accuracy", count,
                                                           min_delta=self.tol)
            stopper = self._partial_stopper
            train, val = split_by_hash(X, y, w, self.validation_fraction, self._seeds["split"])
        else:
            # patience=None trains every epoch; the stopper then only keeps the best one.
            stopper = EarlyStopping("val_accuracy", count, min_delta=self.tol,
                                    restore_best=True)
            # The same split for every warm-started fit, stratified by the labels.
            train, val = split_stratified(X, y, w, self.validation_fraction,
                                          self._seeds["split"], labels=self.classes_)
        validation = None if len(val[1]) == 0 else val if val[2] is not None else val[:2]
        return stopper, validation, train

    def _record(self, trainer, stopper, m, iteration0, epoch0, incremental):
        """Learned attributes from the trainer after a call (finished or interrupted)."""
        self.network_ = _latest_network(trainer)
        self.network_.forget()  # the last batch's rows are not part of a fitted model
        if (incremental and isinstance(stopper, PartialFitStopping) and not stopper.exhausted
                and stopper.best_parameters is not None):
            # Predict with the best parameters so far; training goes on from the latest.
            self.network_ = self.network_.copy()
            self.network_.set_parameters(stopper.best_parameters)
        iterations, epochs = trainer.iteration - iteration0, trainer.epoch - epoch0
        full = trainer.backend.full_batch  # L-BFGS: each iteration sees the whole set
        batch = m if full else trainer.config.rows_per_step(m)
        per_epoch = math.ceil(m / batch)
        # Whole epochs see every sample; a stopped epoch saw `batch` per iteration.
        self.t_ += (iterations // per_epoch) * m + (iterations % per_epoch) * batch
        # As MLPClassifier (its issue 16812): the epochs of the last fit; partial_fit
        # counts on, one epoch per call.
        self.n_iter_ = self.n_iter_ + epochs if incremental else epochs
        self.history_ = trainer.history
        self.loss_curve_ = self.history_["train_loss"].tolist()
        # MLPClassifier's attributes of the stopping rule: the validation ones with early
        # stopping, best_loss_ (since this fit began) without; None otherwise.
        validated = bool(self.early_stopping)
        history = self.history_
        self.validation_scores_ = history["val_accuracy"].tolist() if validated else None
        self.validation_loss_curve_ = history["val_loss"].tolist() if validated else None
        self.best_validation_score_ = (-stopper.best if validated and math.isfinite(stopper.best)
                                       else None)
        losses = [v for v in self.loss_curve_[self._run_start:] if not math.isnan(v)]
        self.best_loss_ = min(losses) if losses and not validated else None


def _latest_network(trainer):
    """The network being trained (``Backend.current_network``): the NumPy backend's own
    (trained in place, so ``network_`` stays current), or a NumPy copy of a torch
    backend's."""
    return trainer.backend.current_network()
