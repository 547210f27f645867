"""Model files for the estimator: nnlearn's one format, read and written.

``save`` writes the network with ``nnlearn.training.modelio.save_model`` (never
pickle) and, in its metadata, the class labels under ``"classes"`` (as every
writer of nnlearn model files does) plus the estimator's own extras: the
labels' NumPy dtype, the feature names, and every hyper-parameter that JSON
holds exactly. ``load`` reads any nnlearn model file: one written by
``nnlearn train`` has no extras, so its hyper-parameters are read off the
network's description where the estimator can build that network, and the
input scaling it may record is folded into the first layer.
See ``docs/model-files.md``.
"""

from __future__ import annotations

import json

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..errors import ModelFileError
from ..training.modelio import class_labels, load_model, save_model
from .params import PARAMETERS, check_params
from .samples import plain

RENAMED = {"learning_rate": "lr", "lr_schedule": "schedule"}  # names used before 0.1.0


def labels_to_json(classes: np.ndarray) -> tuple[list, str]:
    """Class labels as JSON values, and the NumPy dtype string that restores them."""
    values = plain(classes)
    bad = [v for v in values if not isinstance(v, (str, int, float, bool))]
    if bad or classes.dtype.kind not in "biufUO":
        raise ValueError(f"class labels of type {type((bad or values)[0]).__name__} cannot be "
                         "stored in a model file (use str, int, float or bool labels)")
    return values, classes.dtype.str


def labels_with_dtype(labels: np.ndarray, dtype_str) -> np.ndarray:
    """``class_labels`` given back the dtype the estimator had (``object``, ``int32``, ...)."""
    dtype = np.dtype(dtype_str)  # TypeError for a name NumPy does not know
    if dtype.kind == "O":
        out = np.empty(len(labels), dtype=object)
        out[:] = plain(labels)
        return out
    if dtype.kind == "U" and labels.dtype.kind == "U":
        return labels  # the width follows the labels, whatever the file says
    if dtype.kind not in "biuf" or labels.dtype.kind not in "biuf" or dtype.itemsize > 8:
        raise ValueError(f"labels {plain(labels)[:5]} cannot be of dtype {dtype}")
    out = labels.astype(dtype)
    if not np.array_equal(out, labels):
        raise ValueError(f"labels {plain(labels)[:5]} change when made {dtype}")
    return out


def json_params(params: dict) -> dict:
    """The hyper-parameters that survive a JSON round trip exactly (tuples as lists)."""
    kept = {}
    for name, value in params.items():
        value = (list(value) if isinstance(value, tuple) else
                 value.tolist() if isinstance(value, np.ndarray) else value)
        try:
            if json.loads(json.dumps(value)) == value:
                kept[name] = value
        except (TypeError, ValueError):
            pass  # not JSON: callbacks, RandomState, ... take their defaults on load
    return kept


def params_from_spec(spec: dict) -> dict:
    """The hyper-parameters that build a network of this description, as far as the
    estimator builds such networks (an MLP or a ResNet of ``nnlearn.engine``).

    A model written by ``nnlearn train`` stores no hyper-parameters; with these
    a loaded one can continue training (``partial_fit``, ``warm_start``).
    """
    layers = spec["layers"]
    params = {"dtype": spec["dtype"]}
    rates = {entry["p"] for entry in layers if entry["type"] == "dropout"}
    weights = [entry for entry in layers if entry["type"] != "dropout"]
    if len(rates) > 1 or not weights:
        return params
    params["dropout"] = rates.pop() if rates else 0.0
    kinds = [entry["type"] for entry in weights]
    if set(kinds) == {"dense"}:
        names = tuple(entry["activation"] for entry in weights[:-1])
        activation = names[0] if len(set(names)) == 1 else (names or "relu")
        return {**params, "architecture": "mlp", "activation": activation,
                "hidden": tuple(entry["n_out"] for entry in weights[:-1])}
    if kinds[0] == kinds[-1] == "dense" and set(kinds[1:-1]) == {"residual"}:
        return {**params, "architecture": "resnet", "activation": weights[0]["activation"],
                "width": weights[0]["n_out"], "depth": len(weights) - 2}
    return params


def _network_shape(params: dict) -> tuple:
    """What in ``params`` fixes the network (``Settings.network_key``), with one
    activation name for an MLP whose layers all have it (``"relu"`` and
    ``("relu", "relu")`` build the same network) and none without hidden layers."""
    key = check_params(params).network_key
    *shape, activation, dropout, dtype = key
    if shape[0] == "mlp" and not isinstance(activation, str):
        activation = activation[0] if len(set(activation)) == 1 else activation
    if shape[0] == "mlp" and not shape[1]:
        activation = None
    return (*shape, activation, dropout, dtype)


def check_saved_params(params: dict, derived: dict) -> None:
    """The hyper-parameters a file holds, checked as ``set_params`` and ``fit`` check them
    (``check_params``: no ``hidden=[1e9]``, no ``callbacks="os.system"``), and, where the
    network is one the estimator builds (``derived``, from ``params_from_spec``),
    describing that network: a file cannot make a later ``partial_fit`` build another.
    Raises ``ValueError``."""
    shape = _network_shape(params)
    if len(derived) > 1 and shape != _network_shape({**params, **derived}):
        stored = {k: v for k, v in derived.items() if k != "dtype"}
        raise ValueError(f"its hyper-parameters describe another network than its weights "
                         f"({', '.join(f'{k}={v!r}' for k, v in stored.items())})")


def fold_standardization(network, scaling) -> None:
    """Fold ``metadata["standardize"]`` (``{"mean": [...], "scale": [...]}``, the input
    scaling ``nnlearn train --standardize`` records) into the first layer, in place:
    ``W ((x - mean) / scale) + b = (W / scale) x + (b - W (mean / scale))``, eq. (3).
    The estimator then takes raw inputs, as ``nnlearn predict`` does."""
    n_in, first = network.n_in, network.layers[0]
    try:
        mean = np.asarray(scaling["mean"], dtype=np.float64)
        scale = np.asarray(scaling["scale"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"standardize must hold mean and scale lists ({err!r})") from None
    if mean.shape != (n_in,) or scale.shape != (n_in,) or not (
            np.all(np.isfinite(mean)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
        raise ValueError(f"standardize must hold {n_in} finite means and positive scales")
    if "W" not in first.params:
        raise ValueError("standardize needs a network whose first layer is dense")
    W = first.params["W"].astype(np.float64)
    first.params["b"][...] = first.params["b"] - W @ (mean / scale)
    first.params["W"][...] = W / scale


def save(estimator, path):
    """Write a fitted estimator to a model file (see ``NeuralNetClassifier.save``)."""
    check_is_fitted(estimator)
    labels, dtype = labels_to_json(estimator.classes_)
    metadata = {**estimator.network_.metadata, "classes": labels, "classes_dtype": dtype,
                "estimator": type(estimator).__name__,
                "params": json_params(estimator.get_params())}
    if hasattr(estimator, "feature_names_in_"):
        metadata["feature_names_in"] = estimator.feature_names_in_.tolist()
    return save_model(estimator.network_, path, metadata=metadata)


def load(cls, path):
    """Read any nnlearn model file as a fitted ``cls`` (see ``NeuralNetClassifier.load``)."""
    network = load_model(path)  # checks the weights and metadata["classes"]
    meta = network.metadata
    try:
        labels = class_labels(network)
        if "classes_dtype" in meta:
            labels = labels_with_dtype(labels, meta["classes_dtype"])
        saved = meta.get("params", {})
        if not isinstance(saved, dict):
            raise TypeError(f"params is a {type(saved).__name__}, not an object")
        saved = {RENAMED.get(k, k): tuple(v) if isinstance(v, list) else v
                 for k, v in saved.items()}
        unknown = sorted(set(saved) - set(PARAMETERS))
        if unknown:
            raise TypeError(f"unknown hyper-parameters {unknown}")
        derived = params_from_spec(network.spec())
        estimator = cls(**{**derived, **saved})
        check_saved_params(estimator.get_params(), derived)
        if meta.get("standardize"):
            fold_standardization(network, meta["standardize"])
            network.metadata = {k: v for k, v in meta.items() if k != "standardize"}
        names = meta.get("feature_names_in")
        if names is not None and (not isinstance(names, list) or len(names) != network.n_in
                                  or not all(isinstance(n, str) for n in names)):
            raise TypeError(f"feature_names_in must list {network.n_in} strings")
    except (TypeError, ValueError) as err:
        raise ModelFileError(f"{path}: not a {cls.__name__} model file ({err})") from None
    estimator.classes_ = labels
    estimator.network_ = network
    estimator.n_features_in_ = network.n_in
    if names is not None:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    return estimator
