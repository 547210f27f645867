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
from dataclasses import replace

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..data.columns import Encoding, default_names
from ..errors import ModelFileError
from ..spec import NetworkSpec, raw_input_network, spec_of
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


def params_from_spec(spec: NetworkSpec | None) -> dict:
    """The hyper-parameters that build a network of this description.

    A model written by ``nnlearn train`` stores no hyper-parameters; with these
    a loaded one can continue training (``partial_fit``, ``warm_start``).
    """
    if spec is None:
        return {}
    params = {"architecture": spec.architecture, "activation": spec.activation,
              "dropout": spec.dropout, "dtype": spec.dtype}
    if spec.architecture == "mlp":
        return {**params, "hidden": spec.hidden}
    if spec.inner is not None or not isinstance(spec.activation, str):
        return {"dtype": spec.dtype}  # a ResNet the estimator's parameters cannot describe
    return {**params, "width": spec.width, "depth": spec.depth}


def check_saved_params(estimator, network, stored: NetworkSpec | None) -> None:
    """The hyper-parameters a file holds, checked as ``set_params`` and ``fit`` check them
    (``check_params``: no ``hidden=[1e9]``, no ``callbacks="os.system"``), and, where the
    network is one the estimator builds, describing that network: a file cannot make a
    later ``partial_fit`` build another; ``stored`` is ``spec_of(network)``. Raises
    ``ValueError``."""
    checked = check_params(estimator.get_params())
    if stored is None or len(params_from_spec(stored)) == 1:
        return  # a network the estimator's parameters do not describe: nothing to compare
    described = checked.network_spec(network.n_in, network.n_out)
    if described != replace(stored, scaling=None, init=None):
        args = params_from_spec(stored)
        raise ValueError(f"its hyper-parameters describe another network than its weights "
                         f"({', '.join(f'{k}={v!r}' for k, v in args.items() if k != 'dtype')})")


def save(estimator, path):
    """Write a fitted estimator to a model file (see ``NeuralNetClassifier.save``)."""
    check_is_fitted(estimator)
    labels, dtype = labels_to_json(estimator.classes_)
    spec = spec_of(estimator.network_)
    metadata = {**estimator.network_.metadata, "classes": labels, "classes_dtype": dtype,
                "estimator": type(estimator).__name__,
                "params": json_params(estimator.get_params())}
    if spec is not None:
        metadata["spec"] = spec.to_dict()
    if hasattr(estimator, "feature_names_in_"):
        metadata["feature_names_in"] = estimator.feature_names_in_.tolist()
    if hasattr(estimator, "encoding_"):
        metadata["encoding"] = estimator.encoding_.to_dict()
        metadata["feature_names_in"] = estimator.encoding_.names
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
        stored = spec_of(network)  # read and checked against the layers once
        estimator = cls(**{**params_from_spec(stored), **saved})
        check_saved_params(estimator, network, stored)
        network = raw_input_network(network, stored)  # the estimator takes raw rows
        encoding = Encoding.from_dict(meta["encoding"]) if "encoding" in meta else None
        if encoding is not None and encoding.is_plain:
            encoding = None  # numbers only: the plain path does the same
        if encoding is not None and encoding.n_features != network.n_in:
            raise ValueError(f"its encoding gives {encoding.n_features} inputs, its network "
                             f"takes {network.n_in}")
        width = network.n_in if encoding is None else len(encoding.columns)
        names = meta.get("feature_names_in")
        if names is not None and (not isinstance(names, list) or len(names) != width
                                  or not all(isinstance(n, str) for n in names)):
            raise TypeError(f"feature_names_in must list {width} strings")
        if names == default_names(width):
            names = None  # nnlearn train's x0, x1, ...: the data had no names
    except (TypeError, ValueError) as err:
        raise ModelFileError(f"{path}: not a {cls.__name__} model file ({err})") from None
    estimator.classes_ = labels
    estimator.network_ = network
    estimator.n_features_in_ = width
    if encoding is not None:
        estimator.encoding_ = encoding
    # a file keeps the weights, not how training went
    estimator.best_loss_ = estimator.best_validation_score_ = None
    estimator.validation_scores_ = estimator.validation_loss_curve_ = None
    if names is not None:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    return estimator


class ModelFiles:
    """The estimator's ``save`` and ``load`` (a mixin: ``NeuralNetClassifier`` shows them
    as its own on the API page, ``docs/hooks/griffe_api.py``)."""

    def save(self, path):
        """Write the fitted network, its class labels and the hyper-parameters to a
        model file (``.npz`` or ``.safetensors``; never pickle), in nnlearn's one
        model format (``docs/model-files.md``).

        Hyper-parameters that JSON cannot hold exactly (callbacks, a dict
        ``class_weight`` with non-string keys, a ``RandomState``) are not
        saved: ``load`` gives them their defaults.

        Parameters
        ----------
        path : str or path-like
            The file to write (written to a temporary file, then renamed).

        Returns
        -------
        path : pathlib.Path
            The file written.
        """
        return save(self, path)

    @classmethod
    def load(cls, path):
        """Read any nnlearn model file (from ``save``, ``nnlearn train``, ...) as a
        fitted estimator.

        Parameters
        ----------
        path : str or path-like
            A model file (``.npz`` or ``.safetensors``); read, never executed.

        Returns
        -------
        estimator : NeuralNetClassifier
            Predicts as the saved model did, with its class labels
            (``0 .. k-1`` when the file stores none). ``fit`` starts afresh;
            ``partial_fit`` or a warm start continue from the saved weights with
            a new optimiser state and history. A file without the estimator's
            hyper-parameters gets those that build its network.

        Raises
        ------
        nnlearn.errors.ModelFileError
            For a missing, corrupt or inconsistent file, naming it.
        """
        return load(cls, path)
