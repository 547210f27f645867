"""``NeuralNetClassifier``: nnlearn's networks as a scikit-learn classifier.

The estimator is a thin layer over the pieces below it, read downward:

1. validate the hyper-parameters and the data (scikit-learn's ``validate_data``);
2. encode the labels as class indices ``0 .. k-1`` (the position of the 1 in
   the one-hot ``y_i`` of eq. 7) and combine ``sample_weight`` and
   ``class_weight`` into one weight per sample;
3. build the network (``mlp`` or ``resnet``), the optimiser and a backend
   (NumPy or PyTorch), and hand them to a ``Trainer`` that it keeps, so that
   ``partial_fit`` and ``warm_start`` continue where the last call stopped;
4. keep a NumPy copy of the trained network in ``network_``: prediction always
   runs on it, so a fitted estimator needs neither PyTorch nor a GPU to predict.
"""

from __future__ import annotations

import json
import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..engine.activations import ACTIVATIONS
from ..engine.losses import log_softmax, softmax
from ..engine.network import mlp, resnet
from ..engine.optim import SCHEDULES, make_optimizer, make_schedule
from ..errors import ModelFileError
from ..backends import make_backend
from ..training.backend import NumpyBackend
from ..training.callbacks import Callback, EarlyStopping
from ..training.modelio import load_model, save_model
from ..training.trainer import TrainConfig, Trainer

ARCHITECTURES = ("mlp", "resnet")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
BACKENDS = ("numpy", "torch")
DTYPES = ("float32", "float64")
NO_PATIENCE = 2**62  # "never stop": EarlyStopping still tracks (and restores) the best epoch


@dataclass(frozen=True)
class _Settings:
    """The hyper-parameters after validation, in the types the engine takes."""

    network_key: tuple  # what fixes the network's shape: changing it forbids warm starts
    backend_key: tuple  # what fixes the backend and optimiser: changing it rebuilds them
    batch_size: int | None
    patience: int | None
    dtype: np.dtype


class _PartialFitStopping(EarlyStopping):
    """Early stopping across ``partial_fit`` calls, one epoch each.

    ``EarlyStopping`` puts the best parameters back at the end of every
    ``Trainer.fit``; across ``partial_fit`` calls that would undo every epoch
    that did not beat the best, so this one restores them only once patience
    has run out (and training has stopped for good).
    """

    @property
    def exhausted(self) -> bool:
        return self.wait >= self.patience

    def on_train_end(self, trainer):
        if self.exhausted:
            super().on_train_end(trainer)


class NeuralNetClassifier(ClassifierMixin, BaseEstimator):
    """A neural network classifier (soft-max outputs, loss of eq. 7) trained by nnlearn.

    Parameters
    ----------
    hidden : int or sequence of int, default=(32,)
        Widths of the hidden layers of an MLP (``architecture="mlp"``):
        ``(32,)`` is the lecture's 2-layer network with 32 hidden nodes, ``()``
        is multinomial logistic regression. Ignored for ``"resnet"``.
    architecture : {"mlp", "resnet"}, default="mlp"
        ``"mlp"``: fully connected layers, eq. (1). ``"resnet"``: an input map
        to ``width`` units, ``depth`` residual blocks of eq. (6), a linear output map.
    width : int, default=64
        Width of a ResNet's residual blocks. Ignored for ``"mlp"``.
    depth : int, default=2
        Number of residual blocks of a ResNet (0 is allowed). Ignored for ``"mlp"``.
    activation : str or sequence of str, default="relu"
        The hidden layers' ``sigma``: one of ``nnlearn.engine.ACTIVATIONS``
        (``relu``, ``leaky_relu``, ``sigmoid``, ``tanh``, ``softplus``,
        ``identity``). An MLP also takes one name per hidden layer.
    dropout : float, default=0.0
        Probability of zeroing each hidden unit in training (inverted dropout);
        0 adds no dropout layers.
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default="adam"
        Plain gradient descent, heavy-ball momentum, Nesterov momentum or Adam.
    learning_rate : float, default=1e-3
        Initial step size of the optimiser.
    momentum : float, default=0.9
        Momentum of ``"momentum"`` and ``"nesterov"``; ignored otherwise.
    lr_schedule : {"constant", "step", "cosine"}, default="constant"
        How the step size changes during one ``fit`` call: constant, tenfold
        decay every third of the iterations, or half a cosine down to 0. In
        ``partial_fit`` the schedule advances one step per call over
        ``epochs`` calls and then keeps its last value.
    batch_size : int, None or "full", default=200
        Samples per optimiser step (clipped to the training set's size).
        ``None`` or ``"full"``: the whole training set in every step, the
        lecture's gradient descent on eq. (2).
    epochs : int, default=200
        Most passes over the training data in one ``fit`` call (training
        usually stops earlier, see ``patience``).
    weight_decay : float, default=0.0
        L2 penalty: ``weight_decay * W`` is added to every parameter's gradient.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified),
        stop when its accuracy has not improved by ``tol`` for ``patience``
        epochs, and keep the parameters of the best epoch. For ``partial_fit``
        see Notes.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    patience : int or None, default=10
        Epochs without an improvement larger than ``tol`` after which training
        stops. The monitored quantity is the validation accuracy with
        ``early_stopping`` and the training loss without. ``None`` never
        stops early: every ``fit`` runs all ``epochs`` (with
        ``early_stopping``, the best epoch's parameters are still kept).
    tol : float, default=1e-4
        Smallest change that counts as an improvement.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the order of the mini-batches, the dropout
        masks and the validation split. Pass an int for reproducible results.
    backend : {"numpy", "torch"}, default="numpy"
        Who does the arithmetic: nnlearn's NumPy engine, or its PyTorch twin
        (``nnlearn.torch``, needs PyTorch). Both see the same batches in the
        same order; with the same ``random_state`` they start from the same weights.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"`` (or ``"cuda:N"``), or ``"auto"``: a GPU when
        PyTorch sees one. Only the torch backend uses a GPU; the NumPy backend
        takes ``"cpu"`` and ``"auto"``.
    dtype : {"float32", "float64"}, default="float32"
        Floating point type of the parameters and of the data given to them.
    verbose : bool, default=False
        Show a progress bar while training.
    callbacks : list of nnlearn.training.Callback or None, default=None
        Passed to the ``Trainer`` (after the estimator's own early stopping),
        used as given: after ``fit`` they hold what they recorded.
    class_weight : None, "balanced" or dict, default=None
        Weight of each class, multiplied into ``sample_weight``. ``"balanced"``
        weighs class ``c`` by ``n_samples / (n_classes * n_c)``; a dict maps
        labels to weights (missing labels weigh 1).
    warm_start : bool, default=False
        Make ``fit`` continue from the current network, optimiser state and
        history instead of starting afresh.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` had string column names.
    network_ : nnlearn.engine.Network
        The trained network, in NumPy (whatever the backend).
    history_ : nnlearn.training.History
        One row per epoch: training loss and accuracy, validation loss and
        accuracy (NaN without early stopping), learning rate, time.
    loss_curve_ : list of float
        Mean training loss of each epoch.
    validation_loss_curve_ : list of float or None
        Loss on the validation data after each epoch; None without early stopping.
    validation_scores_ : list of float or None
        Accuracy on the validation data after each epoch; None without early stopping.
    best_validation_score_ : float or None
        Validation accuracy of the parameters kept; None without early stopping.
    converged_ : bool
        True when the last ``fit`` (or, with early stopping, the ``partial_fit``
        calls so far) stopped because the monitored quantity stopped improving.
    n_iter_ : int
        Number of epochs run, over all calls since the network was created.
    t_ : int
        Number of training samples the optimiser has seen, over the same calls.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's own MLP.

    Notes
    -----
    **Weights.** Each step minimises the weighted mean ``sum_i w_i L_i / sum_i w_i``
    over its batch, with ``w_i`` the product of ``sample_weight`` and
    ``class_weight``. Samples of weight 0 are removed before training: they
    change nothing in the loss, and removing them keeps them out of the batches.

    **partial_fit.** Each call runs one epoch over the samples given (in
    mini-batches of ``batch_size``), continuing the iteration count, optimiser
    state and history. ``classes`` must be given on the first call.
    ``class_weight="balanced"`` is refused there, as one batch's class
    frequencies are no estimate of the data's: pass a dict.

    **partial_fit with early_stopping.** Each call holds out a stratified
    ``validation_fraction`` of its own samples (at least one, so a call needs
    two; a random split when the batch is too small to stratify), trains on the rest, and
    records the accuracy on the held-out part in ``validation_scores_``: every
    score is measured on samples the network has never trained on. The best
    score and its parameters are tracked across calls. Once ``patience`` calls
    in a row have not improved on it by ``tol``, the best parameters are put
    back, ``converged_`` becomes True, and further ``partial_fit`` calls
    change nothing (until ``fit`` starts over).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from nnlearn import NeuralNetClassifier
    >>> X, y = load_iris(return_X_y=True)  # 150 samples: one step per epoch
    >>> clf = NeuralNetClassifier(hidden=(16,), learning_rate=1e-2, epochs=2000,
    ...                           random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).tolist(), clf.score(X, y) > 0.95
    ([0, 0, 0], True)
    """

    def __init__(self, hidden=(32,), *, architecture="mlp", width=64, depth=2,
                 activation="relu", dropout=0.0, optimizer="adam", learning_rate=1e-3,
                 momentum=0.9, lr_schedule="constant", batch_size=200, epochs=200,
                 weight_decay=0.0, early_stopping=False, validation_fraction=0.1, patience=10,
                 tol=1e-4, random_state=None, backend="numpy", device="auto", dtype="float32",
                 verbose=False, callbacks=None, class_weight=None, warm_start=False):
        self.hidden = hidden
        self.architecture = architecture
        self.width = width
        self.depth = depth
        self.activation = activation
        self.dropout = dropout
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.lr_schedule = lr_schedule
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.random_state = random_state
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.verbose = verbose
        self.callbacks = callbacks
        self.class_weight = class_weight
        self.warm_start = warm_start

    # -- scikit-learn protocol ------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Dense numeric input only; NaN and inf are refused by validate_data.
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        # One label per sample, any number of classes (the soft-max has one output each).
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = False
        # Fitting on a GPU may not be bit-reproducible (cuBLAS reductions); the
        # NumPy engine and PyTorch on the CPU are, given random_state.
        tags.non_deterministic = self.backend == "torch" and self.device != "cpu"
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        trainer = state.get("_trainer")
        if trainer is not None and not isinstance(trainer.backend, NumpyBackend):
            # A torch backend holds device tensors that a machine without that
            # device could not unpickle; network_ holds everything prediction
            # needs, and a later partial_fit or warm start rebuilds the backend
            # from it (with a fresh optimiser state).
            state = {**state, "_trainer": None}
        return state

    # -- fitting --------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, numeric; converted to ``dtype``.
        y : array-like of shape (n_samples,)
            Class labels of any type (strings, integers, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample.

        Returns
        -------
        self : NeuralNetClassifier
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch on ``X`` and ``y``, continuing from the previous call.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every label the data will ever hold; required on the first call
            (and when it is given later, it must be the same).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : NeuralNetClassifier

        Notes
        -----
        See the class's Notes for how early stopping works across calls.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        settings = self._check_params()
        fitted = hasattr(self, "network_")
        if incremental and not fitted and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        continuing = fitted and (incremental or self.warm_start)

        X, y = validate_data(self, X, y, reset=not continuing, dtype=settings.dtype)
        check_classification_targets(y)
        # classes_ is set only once everything is checked: a failed call must not
        # leave a fitted estimator with labels that do not match its network.
        labels = self._labels_for(y, incremental, continuing, classes)
        y_index = _encode(labels, y)
        w = self._combined_weights(labels, X, y_index, sample_weight, incremental)
        if w is not None:
            # Zero weights add nothing to the loss: leave those samples out of the batches.
            keep = w > 0
            if not keep.any():
                raise ValueError("every sample has weight 0 (sample_weight times "
                                 "class_weight): nothing to train on")
            if not incremental and len(labels) > 1 and len(np.unique(y_index[keep])) < 2:
                raise ValueError("all samples with positive weight belong to one class; "
                                 "a classifier needs at least two classes with positive weight")
            if not keep.all():
                X, y_index, w = X[keep], y_index[keep], w[keep]
        if (incremental and continuing and self._partial_stopper is not None
                and self._partial_stopper.exhausted):
            return self  # early stopping has ended training (see Notes)

        self.classes_ = labels
        trainer = self._trainer_for(settings, X.shape[1], continuing)
        if not incremental:
            self._partial_stopper = None
        stopper, validation, (X, y_index, w) = self._plan_validation(
            settings, incremental, X, y_index, w)
        trainer.callbacks = [cb for cb in [stopper, *(self.callbacks or [])] if cb is not None]
        trainer.config = self._train_config(settings, incremental)

        iteration0, epoch0 = trainer.iteration, trainer.epoch
        trainer.fit(X, y_index, sample_weight=w, validation_data=validation)
        if not isinstance(trainer.backend, NumpyBackend):
            self.network_ = trainer.backend.get_network()
        self._record(trainer, stopper, len(X), trainer.iteration - iteration0,
                     trainer.epoch - epoch0)

        # Stopped by patience; not by a user's callback, not by running out of epochs.
        self.converged_ = stopper is not None and stopper.wait >= stopper.patience
        if not incremental and settings.patience is not None:
            if not self.converged_ and not trainer.stop_training:
                warnings.warn(f"{type(self).__name__}: {self.epochs} epochs done and the "
                              f"{'validation accuracy' if self.early_stopping else 'training loss'}"
                              f" still improves by more than tol={self.tol}; "
                              "increase epochs", ConvergenceWarning, stacklevel=3)
        return self

    def _labels_for(self, y, incremental, continuing, classes):
        """The class labels of this call: new ones, or the previous ``classes_``."""
        if not continuing:
            return unique_labels(classes) if incremental else np.unique(y)
        if classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(f"classes={list(unique_labels(classes))} differs from the classes "
                             f"of the previous calls, {self.classes_.tolist()}")
        return self.classes_

    def _combined_weights(self, labels, X, y_index, sample_weight, incremental):
        """``sample_weight * class_weight[y]`` (float64), or None when both are absent."""
        class_weight = self.class_weight
        if class_weight is None and sample_weight is None:
            return None
        w = (np.ones(len(y_index)) if sample_weight is None else
             _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True))
        if class_weight is None:
            return w
        if isinstance(class_weight, str) and class_weight == "balanced" and incremental:
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: one batch's class "
                "frequencies do not estimate the data's. Compute the weights once with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=..., "
                "y=...) on a large enough sample and pass them as a dict")
        per_class = compute_class_weight(class_weight, classes=labels, y=labels[y_index])
        if not np.all(np.isfinite(per_class)) or np.any(per_class < 0):
            raise ValueError(f"class weights must be finite and non-negative, "
                             f"got {dict(zip(labels.tolist(), per_class.tolist()))}")
        return w * per_class[y_index]

    # -- the pieces: trainer, configuration, validation, records ---------------------
    def _trainer_for(self, settings, n_in, continuing) -> Trainer:
        """The ``Trainer``: kept when continuing, else built from fresh seeded weights."""
        if continuing:
            if not hasattr(self, "_seeds"):  # a loaded model: it has weights, nothing else
                self._start_counters()
            if getattr(self, "_network_key", None) is None:
                # A loaded model: does what the hyper-parameters build match its network?
                built = self._make_network(n_in, self.network_.n_out, settings)
                if built.spec() == self.network_.spec():
                    self._network_key = settings.network_key
            if settings.network_key != getattr(self, "_network_key", None):
                raise ValueError("the hyper-parameters that shape the network (architecture, "
                                 "hidden, width, depth, activation, dropout, dtype) do not "
                                 "match network_: a warm start or partial_fit cannot "
                                 "continue it; call fit with warm_start=False")
            trainer = getattr(self, "_trainer", None)
            if trainer is None or settings.backend_key != getattr(self, "_backend_key", None):
                # Keep the weights, counters and history; only the optimiser (and the
                # backend that holds its state) start over.
                backend = self._make_backend(self.network_, settings, self._seeds["backend"])
                if trainer is None:
                    trainer = Trainer(backend, TrainConfig(seed=self._seeds["batches"]))
                    trainer.epoch = self.n_iter_
                    if hasattr(self, "history_"):
                        trainer.history = self.history_
                trainer.backend = backend
        else:
            self._start_counters()
            network = self._make_network(n_in, len(self.classes_), settings)
            backend = self._make_backend(network, settings, self._seeds["backend"])
            trainer = Trainer(backend, TrainConfig(seed=self._seeds["batches"]))
        if isinstance(trainer.backend, NumpyBackend):
            self.network_ = trainer.backend.network  # trained in place: always current
        self._trainer = trainer
        self._network_key, self._backend_key = settings.network_key, settings.backend_key
        return trainer

    def _start_counters(self):
        """Seeds for everything random, drawn from ``random_state``; counters at 0."""
        rs = check_random_state(self.random_state)
        seeds = rs.randint(np.iinfo(np.int32).max, size=4)
        self._seeds = dict(zip(("network", "backend", "batches", "split"), map(int, seeds)))
        self._split_rng = np.random.default_rng(self._seeds["split"])
        self._partial_stopper = None
        self.n_iter_, self.t_ = 0, 0

    def _make_network(self, n_in, n_out, settings):
        seed, dtype = self._seeds["network"], settings.dtype
        if self.architecture == "mlp":
            return mlp(n_in, _hidden_tuple(self.hidden), n_out, self.activation,
                       dropout=self.dropout, seed=seed, dtype=dtype)
        return resnet(n_in, self.width, self.depth, n_out, self.activation,
                      dropout=self.dropout, seed=seed, dtype=dtype)

    def _make_backend(self, network, settings, seed):
        optimizer = make_optimizer(self.optimizer, momentum=self.momentum,
                                   weight_decay=self.weight_decay)
        # "auto" becomes a GPU when PyTorch sees one; a missing GPU is a ValueError there.
        return make_backend(self.backend, network, optimizer, device=self.device, seed=seed)

    def _train_config(self, settings, incremental) -> TrainConfig:
        lr, schedule = self.learning_rate, self.lr_schedule
        if incremental and schedule != "constant":
            # One call is one epoch: the schedule moves one step per call.
            lr = make_schedule(schedule, lr, self.epochs)(min(self.n_iter_, self.epochs - 1))
            schedule = "constant"
        return TrainConfig(epochs=1 if incremental else int(self.epochs),
                           batch_size=settings.batch_size, lr=lr, schedule=schedule,
                           seed=self._seeds["batches"], progress=bool(self.verbose))

    def _plan_validation(self, settings, incremental, X, y, w):
        """The stopping callback, the validation data, and what is left to train on."""
        patience = settings.patience
        if not self.early_stopping:
            if incremental or patience is None:
                return None, None, (X, y, w)
            # Without validation data, stop when the training loss stops falling.
            return (EarlyStopping("train_loss", patience, min_delta=self.tol, restore_best=False),
                    None, (X, y, w))
        if incremental:
            if self._partial_stopper is None:
                self._partial_stopper = _PartialFitStopping(
                    "val_accuracy", patience or NO_PATIENCE, min_delta=self.tol)
            stopper = self._partial_stopper
            seed = int(self._split_rng.integers(np.iinfo(np.int32).max))
        else:
            # patience=None trains every epoch; the stopper then only keeps the best one.
            stopper = EarlyStopping("val_accuracy", patience or NO_PATIENCE,
                                    min_delta=self.tol, restore_best=True)
            seed = self._seeds["split"]  # the same split for every warm-started fit
        X_train, X_val, y_train, y_val, w_train = _split(
            X, y, w, self.validation_fraction, seed, strict=not incremental)
        return stopper, (X_val, y_val), (X_train, y_train, w_train)

    def _record(self, trainer, stopper, m, iterations, epochs):
        """Learned attributes from the trainer after a call."""
        batch = min(self._trainer.config.batch_size or m, m)
        per_epoch = math.ceil(m / batch)
        # Whole epochs see every sample; a stopped epoch saw `batch` per iteration.
        self.t_ += (iterations // per_epoch) * m + (iterations % per_epoch) * batch
        self.n_iter_ += epochs
        self.history_ = trainer.history
        self.loss_curve_ = self.history_["train_loss"].tolist()
        if self.early_stopping:
            self.validation_loss_curve_ = self.history_["val_loss"].tolist()
            self.validation_scores_ = self.history_["val_accuracy"].tolist()
            self.best_validation_score_ = (-stopper.best if math.isfinite(stopper.best)
                                           else None)
        else:
            self.validation_loss_curve_ = self.validation_scores_ = None
            self.best_validation_score_ = None

    # -- prediction -----------------------------------------------------------------
    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype)
        return self.network_.predict_logits(X)

    def predict_proba(self, X):
        """Soft-max class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Column ``j`` is the probability of ``classes_[j]``.
        """
        return softmax(self._logits(X))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, by log-sum-exp (finite where
        ``predict_proba`` underflows to 0).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return log_softmax(self._logits(X))

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        # argmax of the probabilities (not of the logits), so that predict and
        # predict_proba agree even where rounding makes two probabilities equal.
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # -- model files ----------------------------------------------------------------
    def save(self, path):
        """Write the fitted network, its class labels and the hyper-parameters to a
        model file (``.npz`` or ``.safetensors``; never pickle).

        Hyper-parameters that JSON cannot hold exactly (callbacks, a dict
        ``class_weight`` with non-string keys, a ``RandomState``) are not
        saved: ``load`` gives them their defaults.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        path : pathlib.Path
        """
        check_is_fitted(self)
        labels, labels_dtype = _labels_to_json(self.classes_)
        metadata = {"estimator": type(self).__name__, "classes": labels,
                    "classes_dtype": labels_dtype, "params": _json_params(self.get_params())}
        if hasattr(self, "feature_names_in_"):
            metadata["feature_names_in"] = self.feature_names_in_.tolist()
        return save_model(self.network_, path, metadata=metadata)

    @classmethod
    def load(cls, path):
        """Read a model file written by ``save``: a fitted estimator.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        estimator : NeuralNetClassifier
            Predicts as the saved one did. ``fit`` starts afresh; ``partial_fit``
            or a warm start continue from the saved weights with a new
            optimiser state and history.
        """
        network = load_model(path)
        meta = network.metadata
        try:
            params = {k: tuple(v) if isinstance(v, list) else v
                      for k, v in meta.get("params", {}).items()}
            estimator = cls(**params)
            estimator.classes_ = _labels_from_json(meta["classes"], meta["classes_dtype"])
        except (KeyError, TypeError, ValueError) as err:
            raise ModelFileError(f"{path}: not a {cls.__name__} model file ({err!r})") from None
        if len(estimator.classes_) != network.n_out:
            raise ModelFileError(f"{path}: {len(estimator.classes_)} class labels for a network "
                                 f"with {network.n_out} outputs")
        estimator.network_ = network
        estimator.n_features_in_ = network.n_in
        if "feature_names_in" in meta:
            estimator.feature_names_in_ = np.asarray(meta["feature_names_in"], dtype=object)
        estimator._partial_stopper = None
        return estimator

    # -- hyper-parameters -----------------------------------------------------------
    def _check_params(self) -> _Settings:
        """Check every hyper-parameter; the error names the parameter and its value."""
        if self.architecture not in ARCHITECTURES:
            raise ValueError(_choice_message("architecture", self.architecture, ARCHITECTURES))
        if self.architecture == "mlp":
            hidden = _hidden_tuple(self.hidden)
            shape = ("mlp", hidden)
        else:
            _check_int("width", self.width, 1)
            _check_int("depth", self.depth, 0)
            shape = ("resnet", int(self.width), int(self.depth))
        activation = self.activation
        if isinstance(activation, str) or self.architecture == "resnet":
            _check_activation(activation)
        else:
            activation = tuple(activation) if _is_sequence(activation) else activation
            if not _is_sequence(activation) or len(activation) != len(hidden):
                raise ValueError(f"activation must be a name or one name per hidden layer "
                                 f"({len(hidden)}), got {self.activation!r}")
            for name in activation:
                _check_activation(name)
        _check_real("dropout", self.dropout, 0, 1, high_open=True)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(_choice_message("optimizer", self.optimizer, OPTIMIZERS))
        _check_real("learning_rate", self.learning_rate, 0, math.inf, low_open=True)
        _check_real("momentum", self.momentum, 0, 1, high_open=True)
        if self.lr_schedule not in SCHEDULES:
            raise ValueError(_choice_message("lr_schedule", self.lr_schedule, SCHEDULES))
        batch_size = self.batch_size
        if batch_size is None or (isinstance(batch_size, str) and batch_size == "full"):
            batch_size = None
        else:
            _check_int("batch_size", batch_size, 1, extra=", None or 'full'")
            batch_size = int(batch_size)
        _check_int("epochs", self.epochs, 1)
        _check_real("weight_decay", self.weight_decay, 0, math.inf)
        _check_bool("early_stopping", self.early_stopping)
        _check_real("validation_fraction", self.validation_fraction, 0, 1,
                    low_open=True, high_open=True)
        if self.patience is not None:
            _check_int("patience", self.patience, 1, extra=" or None")
        _check_real("tol", self.tol, 0, math.inf)
        check_random_state(self.random_state)  # raises for anything but None, int, RandomState
        if self.backend not in BACKENDS:
            raise ValueError(_choice_message("backend", self.backend, BACKENDS))
        device = self.device
        if not (isinstance(device, str) and (device in ("cpu", "cuda", "auto")
                                             or (device.startswith("cuda:")
                                                 and device[5:].isdigit()))):
            raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}")
        if self.backend == "numpy" and device not in ("cpu", "auto"):
            raise ValueError(f"device={device!r} needs backend='torch': the NumPy backend "
                             "runs on the CPU")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype is None or dtype.name not in DTYPES:
            raise ValueError(_choice_message("dtype", self.dtype, DTYPES))
        _check_bool("verbose", self.verbose)
        callbacks = self.callbacks
        if callbacks is not None and (not _is_sequence(callbacks) or
                                      not all(isinstance(cb, Callback) for cb in callbacks)):
            raise ValueError(f"callbacks must be None or a list of nnlearn.training.Callback, "
                             f"got {callbacks!r}")
        class_weight = self.class_weight
        if not (class_weight is None or isinstance(class_weight, dict)
                or (isinstance(class_weight, str) and class_weight == "balanced")):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, "
                             f"got {class_weight!r}")
        _check_bool("warm_start", self.warm_start)
        return _Settings(
            network_key=(*shape, activation, float(self.dropout), dtype.name),
            backend_key=(self.backend, device, self.optimizer, float(self.momentum),
                         float(self.weight_decay)),
            batch_size=batch_size, patience=None if self.patience is None else int(self.patience),
            dtype=dtype)


# -- helpers: small pure functions ------------------------------------------------------

def _encode(classes, y):
    """Class index of each label: its position in the sorted ``classes``."""
    try:
        index = np.searchsorted(classes, y)
        known = classes[np.minimum(index, len(classes) - 1)] == y
    except TypeError:  # labels of another type than classes do not compare
        index, known = None, np.zeros(len(y), dtype=bool)
    if not np.all(known):
        unknown = list(dict.fromkeys(np.asarray(y)[~known].tolist()))
        raise ValueError(f"y contains labels that are not in classes_ {classes.tolist()}: "
                         f"{unknown[:10]}")
    return index


def _split(X, y, w, fraction, seed, *, strict):
    """Hold out a stratified ``fraction`` of the rows: ``X_train, X_val, y_train,
    y_val, w_train``. With ``strict`` (fit), a set too small to stratify is an
    error; otherwise (one partial_fit batch) it falls back to a random split."""
    if len(y) < 2:
        raise ValueError(f"early_stopping needs at least 2 samples to hold some out for "
                         f"validation, got {len(y)}")
    arrays = [X, y] if w is None else [X, y, w]
    try:
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed, stratify=y)
    except ValueError as err:
        if strict:
            raise ValueError(f"early_stopping cannot hold out a stratified "
                             f"validation_fraction={fraction} of {len(y)} samples: {err}") from None
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed)
    X_train, X_val, y_train, y_val = parts[:4]
    return X_train, X_val, y_train, y_val, (parts[4] if w is not None else None)


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _hidden_tuple(hidden) -> tuple[int, ...]:
    """``hidden`` as a tuple of positive ints (an int is one hidden layer)."""
    layers = [hidden] if isinstance(hidden, numbers.Integral) else hidden
    if (not _is_sequence(layers) or isinstance(hidden, bool)
            or not all(isinstance(h, numbers.Integral) and not isinstance(h, bool) and h > 0
                       for h in layers)):
        raise ValueError(f"hidden must be a positive int or a sequence of positive ints, "
                         f"got {hidden!r}")
    return tuple(int(h) for h in layers)


def _choice_message(name, value, choices) -> str:
    return f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}"


def _check_activation(name):
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(_choice_message("activation", name, tuple(ACTIVATIONS)))


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_, numbers.Integral)):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def _check_int(name, value, low, extra=""):
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral)
            or value < low):
        raise ValueError(f"{name} must be an integer >= {low}{extra}, got {value!r}")


def _check_real(name, value, low, high, *, low_open=False, high_open=False):
    ok = (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
          and not math.isnan(value)
          and (value > low if low_open else value >= low)
          and (value < high if high_open else value <= high))
    if not ok:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")


def _labels_to_json(classes):
    """Class labels as JSON values and the dtype string that restores them."""
    values = [v.item() if isinstance(v, np.generic) else v for v in classes.tolist()]
    bad = [v for v in values if not isinstance(v, (str, int, float, bool))]
    if bad or classes.dtype.kind not in "biufUO":
        raise ValueError(f"class labels of type {type((bad or values)[0]).__name__} cannot be "
                         "stored in a model file (use str, int, float or bool labels)")
    return values, classes.dtype.str


def _labels_from_json(values, dtype_str):
    dtype = np.dtype(dtype_str)
    if dtype.kind != "O":
        return np.asarray(values, dtype=dtype)
    labels = np.empty(len(values), dtype=object)
    labels[:] = values
    return labels


def _json_params(params) -> dict:
    """The hyper-parameters that survive a JSON round trip exactly (tuples as lists)."""
    kept = {}
    for name, value in params.items():
        plain = (list(value) if isinstance(value, tuple) else
                 value.tolist() if isinstance(value, np.ndarray) else value)
        try:
            if json.loads(json.dumps(plain)) == plain:
                kept[name] = plain
        except (TypeError, ValueError):
            pass  # not JSON: callbacks, RandomState, ... take their defaults on load
    return kept
