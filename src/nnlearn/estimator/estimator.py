"""``NeuralNetClassifier``: nnlearn's networks as a scikit-learn classifier.

A thin layer over the pieces beside and below it, read downward: check the
hyper-parameters (``params.py``, one table) and the data; encode the labels as class
indices ``0 .. k-1`` (the one-hot ``y_i`` of eq. 7) and the sample and class weights
(``samples.py``); put the run together (``nnlearn.assembly``) and keep its ``Trainer``
so that ``partial_fit`` and ``warm_start`` continue (``fitting.py``; early stopping's
held-out rows in ``validation.py``); predict with the NumPy copy in ``network_`` (no
PyTorch or GPU needed); read and write model files (``persistence.py``).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..engine.losses import log_softmax, softmax
from .attributes import FittedAttributes
from .fitting import FitMixin
from .frames import predict_input
from .params import PARAMETERS
from .persistence import ModelFiles
from .protocol import EstimatorProtocol

_D = {name: setting.default for name, setting in PARAMETERS.items()}


class NeuralNetClassifier(FitMixin, FittedAttributes, ModelFiles, EstimatorProtocol,
                          ClassifierMixin, BaseEstimator):
    """A neural network classifier (soft-max outputs, loss of eq. 7) trained by nnlearn.

    Parameters
    ----------
    hidden : int or sequence of int, default=(32,)
        Widths of the hidden layers of an MLP (``architecture="mlp"``):
        ``(32,)`` is the lecture's 2-layer network with 32 hidden units, ``()``
        is multinomial logistic regression. Ignored for ``"resnet"``.
    architecture : {"mlp", "resnet"}, default="mlp"
        ``"mlp"``: fully connected layers, eq. (1). ``"resnet"``: an input map
        to ``width`` units, ``depth`` residual blocks of eq. (6), a linear output map.
    width : int, default=32
        Width of a ResNet's residual blocks. Ignored for ``"mlp"``.
    depth : int, default=2
        Number of residual blocks of a ResNet (0 is allowed). Ignored for ``"mlp"``.
    activation : str or sequence of str, default="relu"
        The hidden layers' ``sigma``: one of ``nnlearn.engine.ACTIVATIONS``
        (``relu``, ``leaky_relu``, ``sigmoid``, ``tanh``, ``softplus``,
        ``identity``). An MLP also takes one name per hidden layer.
    dropout : float, default=0.0
        Probability of zeroing each hidden unit in training (inverted dropout).
    optimizer : {"adam", "gd", "sgd", "momentum", "nesterov", "lbfgs"}, default="adam"
        Adam, plain gradient descent (``"gd"`` and ``"sgd"`` are the same),
        heavy-ball or Nesterov momentum, or ``"lbfgs"``: SciPy's L-BFGS-B on the
        whole training set (``nnlearn.training.lbfgs``), for small data. It has
        no learning rate, schedule or batches: ``epochs`` bounds its iterations,
        ``max_fun`` its loss evaluations, ``tol`` its gradient; it needs
        ``backend="numpy"`` and ``dropout=0``, and offers no ``partial_fit``.
    lr : float or None, default=None
        Initial step size; None takes the optimiser's own,
        ``nnlearn.engine.optim.DEFAULT_LR`` (Adam 1e-3, gd/sgd 0.1, momentum 0.01).
    momentum : float, default=0.9
        Momentum of ``"momentum"`` and ``"nesterov"``; ignored otherwise.
    schedule : {"constant", "step", "cosine"}, default="constant"
        How the step size changes during one ``fit`` call: constant, tenfold
        decay every third of the iterations, or half a cosine down to 0. In
        ``partial_fit`` it advances one step per call over ``epochs`` calls and
        then keeps its last value.
    batch_size : int or "full", default=200
        Samples per optimiser step (clipped to the training set's size).
        ``"full"``: the whole training set in every step (gradient
        descent on the mean loss, eq. 2 divided by m).
    epochs : int, default=200
        Most passes over the training data in one ``fit`` call (training
        usually stops earlier, see ``patience``).
    weight_decay : float, default=0.0
        L2 penalty: ``weight_decay * W`` is added to every parameter's gradient.
        The same as ``regularization="l2", regularization_rate=weight_decay``.
    regularization : {"none", "l1", "l2"}, default="none"
        Penalty added to the loss: ``l1``, ``rate |W|_1``, or ``l2``, ``rate / 2 |W|^2``.
    regularization_rate : float, default=0.0
        Its rate lambda (``nnlearn.engine.optim.penalty``).
    features : str, sequence of str or None, default=None
        2-D data only: the input features the network computes first from the two
        columns (``nnlearn.engine.features``: x1, x2, x1sq, x2sq, x1x2, sin_x1,
        sin_x2), as TensorFlow Playground's; None: the columns as they are.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        accuracy has not improved by ``tol`` for ``patience`` epochs, and keep
        the parameters of the best epoch. ``fit`` holds out a stratified share;
        ``partial_fit`` holds out rows by a hash (see Notes).
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    patience : int or None, default=10
        MLPClassifier's ``n_iter_no_change``: training stops once more than
        ``patience`` epochs in a row fail to beat the best score so far by
        ``tol``. The score is the validation accuracy with ``early_stopping``,
        else the training loss (both weighted); the best epoch is kept on any
        strict improvement. ``None`` runs every epoch; ``lbfgs`` without
        ``early_stopping`` stops by ``tol`` alone.
    tol : float, default=1e-4
        The improvement that resets the count; ``lbfgs``: SciPy's ``gtol``.
    max_fun : int, default=15000
        ``lbfgs`` only: most evaluations of the loss in one ``fit``.
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
    verbose : bool or int, default=False
        As in ``MLPClassifier``: ``True`` (or an int > 0) prints
        ``Iteration 3, loss = 0.12345678`` on stdout after every epoch, and
        ``Validation score: 0.950000`` when there is validation data.
    progress_bar : bool, default=False
        Show a progress bar (tqdm, on stderr) while training.
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
    missing : {"error", "impute"}, default="error"
        A DataFrame with a missing value (or a column of words, one-hot
        encoded) is encoded as ``nnlearn train`` reads a CSV file: a missing
        value is an error that counts them all, or with ``"impute"`` is filled
        with its column's median or most frequent value, learnt in ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` had string column names.
    encoding_ : nnlearn.data.columns.Encoding
        How a DataFrame's columns become the network's inputs (one-hot
        categories, fill values); only when ``fit`` encoded them.
    network_ : nnlearn.engine.Network
        The trained network, in NumPy (whatever the backend).
    history_ : nnlearn.training.History
        One row per epoch: training loss and accuracy, validation loss and
        accuracy (NaN without early stopping), learning rate, time.
    loss_curve_, loss_ : list of float, float
        Mean training loss (weighted, without the penalty) of each epoch
        (``lbfgs``: iteration), and the last one.
    best_loss_ : float or None
        Least ``loss_curve_`` entry since the last ``fit`` began (None with early stopping).
    coefs_, intercepts_ : list of ndarray
        scikit-learn's layout, read-only views: ``coefs_[i]`` of shape ``(n_in,
        n_out)`` is ``W^T`` of the ``i``-th weight matrix (a ResNet block gives
        two, ``docs/estimator.md``), ``intercepts_[i]`` its bias.
    n_layers_, n_outputs_, out_activation_ : int, int, str
        ``len(coefs_) + 1``; one soft-max output per class (2 for a binary
        problem, where MLPClassifier has one logistic unit); ``"softmax"``.
    validation_scores_, validation_loss_curve_ : list of float or None
        Accuracy (weighted by the sample and class weights) and loss on the validation
        data after each epoch; None without early stopping.
    best_validation_score_ : float or None
        Validation accuracy of the parameters kept; None without early stopping.
    converged_ : bool
        The last ``fit`` (with early stopping, the ``partial_fit`` calls so far)
        stopped because its score stopped improving (``lbfgs``: or met ``tol``).
    n_iter_ : int
        Epochs (``lbfgs``: iterations) of the last ``fit``; ``partial_fit`` adds one.
    t_ : int
        Number of training samples the optimiser has seen since the network was made.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's own MLP.

    Notes
    -----
    Sparse ``X`` stays CSR (the torch backend densifies one batch at a time). Each step
    minimises the weighted mean ``sum_i w_i L_i / sum_i w_i`` of its batch, ``w_i`` the
    product of ``sample_weight`` and ``class_weight``; rows of weight 0 are removed.
    ``partial_fit`` runs one epoch a call, continuing the counts, optimiser state and
    history (``classes`` on the first call; ``class_weight="balanced"`` refused); with
    ``early_stopping`` it holds out the rows whose keyed hash falls below
    ``validation_fraction`` and keeps the best parameters in ``network_``. An
    interrupted fit (``KeyboardInterrupt``) keeps what it trained, then re-raises
    (``docs/estimator.md`` has each in full).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from nnlearn import NeuralNetClassifier
    >>> X, y = load_iris(return_X_y=True)  # 150 samples: one step per epoch
    >>> clf = NeuralNetClassifier(hidden=(16,), lr=1e-2, epochs=2000,
    ...                           random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).tolist(), clf.score(X, y) > 0.95
    ([0, 0, 0], True)
    >>> proba = clf.predict_proba(X[:2])  # one column per label of classes_
    >>> proba.shape, bool(np.allclose(np.exp(clf.predict_log_proba(X[:2])), proba))
    ((2, 3), True)
    >>> import os, tempfile
    >>> path = clf.save(os.path.join(tempfile.mkdtemp(), "iris.npz"))  # never pickle
    >>> bool((NeuralNetClassifier.load(path).predict(X) == clf.predict(X)).all())
    True
    """

    # The defaults are the settings table's (nnlearn.settings), written there once.
    def __init__(self, hidden=_D["hidden"], *, architecture=_D["architecture"],
                 width=_D["width"], depth=_D["depth"], activation=_D["activation"],
                 dropout=_D["dropout"], optimizer=_D["optimizer"], lr=_D["lr"],
                 momentum=_D["momentum"], schedule=_D["schedule"],
                 batch_size=_D["batch_size"], epochs=_D["epochs"],
                 weight_decay=_D["weight_decay"], regularization=_D["regularization"],
                 regularization_rate=_D["regularization_rate"], features=_D["features"],
                 early_stopping=_D["early_stopping"],
                 validation_fraction=_D["validation_fraction"], patience=_D["patience"],
                 tol=_D["tol"], max_fun=_D["max_fun"], random_state=_D["random_state"],
                 backend=_D["backend"], device=_D["device"], dtype=_D["dtype"],
                 verbose=_D["verbose"], progress_bar=_D["progress_bar"],
                 callbacks=_D["callbacks"], class_weight=_D["class_weight"],
                 warm_start=_D["warm_start"], missing=_D["missing"]):
        self.hidden = hidden
        self.architecture = architecture
        self.width = width
        self.depth = depth
        self.activation = activation
        self.dropout = dropout
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.schedule = schedule
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.regularization = regularization
        self.regularization_rate = regularization_rate
        self.features = features
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.max_fun = max_fun
        self.random_state = random_state
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.verbose = verbose
        self.progress_bar = progress_bar
        self.callbacks = callbacks
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.missing = missing

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
            Fitted.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_stochastic())
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch on ``X`` and ``y``, continuing from the previous call.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            This call's training data, numeric; converted to ``dtype``.
        y : array-like of shape (n_samples,)
            Its class labels, each one of ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every label the data will ever hold; required on the first call
            (and when it is given later, it must be the same).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in this call's epoch.

        Returns
        -------
        self : NeuralNetClassifier

        Notes
        -----
        See the class's Notes for how early stopping works across calls.

        Examples
        --------
        >>> clf = NeuralNetClassifier(hidden=(4,), random_state=0)
        >>> clf = clf.partial_fit([[0.0], [1.0]], [0, 1], classes=[0, 1]).partial_fit([[1.0]], [1])
        >>> clf.n_iter_
        2
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    # -- prediction -----------------------------------------------------------------
    def _logits(self, X):
        check_is_fitted(self)
        X = predict_input(self, X, self.network_.dtype)  # encoded as in fit (frames.py)
        return self.network_.predict_logits(X)

    def predict_proba(self, X):
        """Soft-max class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, numeric (the columns the estimator was fitted on).

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
            Samples, numeric (the columns the estimator was fitted on).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Column ``j`` is the log-probability of ``classes_[j]``.
        """
        return log_softmax(self._logits(X))

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, numeric (the columns the estimator was fitted on).

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        # argmax of the probabilities (not of the logits), so that predict and
        # predict_proba agree even where rounding makes two probabilities equal.
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
