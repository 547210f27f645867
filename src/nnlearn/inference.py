"""Using a trained model: read inputs for it, predict labels, evaluate it.

The Python API behind ``nnlearn predict`` and ``nnlearn evaluate``. Inputs come
from a data set name (its test part, or its training part), a ``.csv``/``.tsv``
table (with or without a label column), an ``.npz`` file (``X``, and ``y`` if
present) or an IDX image file; they are checked against the width the model
takes; a model trained on scaled inputs gets its scaling folded into its first
layer (``nnlearn.spec.raw_input_network``). Labels are the model's own (``class_labels``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data import load, names
from .data.images import as_images
from .data.idx import read_idx
from .data.matching import ModelColumns, read_matched
from .data.npzfile import read_npz
from .data.transforms import image_shape_of, shift
from .engine.losses import evaluate_logits, softmax
from .errors import DataError
from .run.config import training_source
from .run.scores import classification_report
from .spec import raw_input_network
from .training.modelio import class_labels


@dataclass
class Inputs:
    """Rows to predict: features ``X`` (m, n_0), their labels (original values) or None."""

    name: str
    X: np.ndarray
    labels: np.ndarray | None = None
    image_shape: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)  # for a person: columns ignored, ...


def _is_idx(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return "idx" in name or name.endswith((".ubyte", ".idx"))


def load_inputs(source, network, *, data_dir=None, part="test", labels_file=None,
                label=None, header=None, delimiter=None, as_trained=False) -> Inputs:
    """Read what ``source`` names, as rows for ``network`` (see the module docstring).

    A data set name gives its ``part``; a file is read whole, unless
    ``as_trained`` and it is the file the model was trained on: then its
    ``part`` is split again as in training. ``labels_file``: an IDX label file to
    go with an IDX image file (for evaluating). A CSV file's columns are matched to
    the model's by name (``nnlearn.data.matching``); ``label``, ``header`` and
    ``delimiter`` as ``read_matched`` takes them.
    """
    key = str(source)
    recorded = training_source(network)
    same = recorded is not None and recorded["data"] == key
    if key in names() or (same and as_trained):
        # The model's own data is split as it was in training (its seed, its CSV
        # options); another named set with its default seed.
        options = dict(recorded.get("options", {})) if recorded and same else {"seed": 0}
        data = load(key, data_dir=data_dir, **options)
        X, y = (data.X_test, data.y_test) if part == "test" else (data.X_train, data.y_train)
        inputs = Inputs(f"{key} ({part})", X, np.asarray(data.classes)[y], data.image_shape)
    else:
        path = Path(source)
        if not path.is_file():
            raise DataError(f"{source}: neither a data set name ({', '.join(names())}) nor a "
                            f"file")
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            rows = read_matched(path, ModelColumns.of(network), label=label, header=header,
                                delimiter=delimiter)
            inputs = Inputs(path.name, rows.X, rows.labels, warnings=rows.warnings)
        elif suffix == ".npz":
            if not ModelColumns.of(network).encoding.is_plain:
                raise DataError(f"{path}: the model encodes its input columns (categories, "
                                f"missing cells); give it a CSV file with named columns")
            arrays = read_npz(path)
            X = arrays["X"]
            image_shape = X.shape[1:] if X.ndim == 3 else None
            inputs = Inputs(path.name, X.reshape(len(X), -1).astype(np.float64, copy=False),
                            arrays["y"], image_shape)
        elif _is_idx(path):
            pixels, _ = read_idx(path, what="images")
            if pixels.ndim != 3 or pixels.dtype != np.uint8:
                raise DataError(f"{path}: an IDX image file holds (n, height, width) bytes; "
                                f"this one holds {pixels.dtype} of shape {pixels.shape}")
            labels = None
            if labels_file is not None:
                labels, _ = read_idx(labels_file, shape=(len(pixels),), what="labels")
            inputs = Inputs(path.name, as_images(pixels), labels, pixels.shape[1:])
        else:
            raise DataError(f"{path}: nnlearn reads .csv, .tsv, .npz and IDX files")
    if inputs.X.shape[1] != network.n_in:
        raise DataError(f"{inputs.name} has {inputs.X.shape[1]} features, the model expects "
                        f"{network.n_in}")
    if labels_file is not None and not _is_idx(Path(str(source))):
        raise DataError("--labels goes with an IDX image file")
    return inputs


def prepare(network, X) -> tuple:
    """The network taking raw rows (its input scaling folded in, ``raw_input_network``)
    and ``X`` in its dtype."""
    network = raw_input_network(network)
    with np.errstate(over="ignore"):
        X = np.asarray(X, dtype=network.dtype)
    _refuse_non_finite(X, f"a value beyond {network.dtype}'s range")
    return network, X


def _refuse_non_finite(values: np.ndarray, what: str) -> None:
    """A ``DataError`` naming the first row (counted from 1) of ``values`` that is not all
    finite: NaN or infinite predictions are an error, never a result."""
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1)) if values.size \
        else np.empty(0, dtype=np.intp)
    if len(bad):
        raise DataError(f"row {bad[0] + 1} (of {len(values)}): {what}; no prediction is "
                        f"made from values that are not finite")


def _logits(network, X) -> np.ndarray:
    """The logits ``z_L`` (eq. 1) of the rows of ``X``, every one finite (``DataError``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = network.predict_logits(X)
    _refuse_non_finite(z, "the model's output is not finite (NaN or infinite logits: the "
                          "model's weights or the row's values overflow)")
    return z


def shift_inputs(inputs: Inputs, dx: int, dy: int) -> Inputs:
    """The same rows with every image moved ``dx`` pixels right and ``dy`` down (``data.shift``).

    Flat rows of a square number of values are square images (784 -> 28 x 28).
    """
    shape = image_shape_of(inputs.X.shape[1], inputs.image_shape)
    if shape is None:
        raise DataError(f"{inputs.name}: {inputs.X.shape[1]} features are not square images; "
                        f"only images can be shifted")
    try:
        X = shift(inputs.X, dx, dy, image_shape=shape)
    except ValueError as err:
        raise DataError(f"{inputs.name}: {err}") from None
    return Inputs(f"{inputs.name}, shifted by ({dx}, {dy})", X, inputs.labels, shape)


def predict(network, X, *, top_k=None):
    """Labels and probabilities for the rows of ``X``.

    Returns ``(labels, proba)``: ``labels`` (m,) the most probable class of each
    row, and ``proba`` (m, k) every class's probability (eq. 7's soft-max); with
    ``top_k`` they are (m, top_k), the ``top_k`` most probable classes, best first.
    """
    classes = class_labels(network)
    network, X = prepare(network, X)
    proba = softmax(_logits(network, X).astype(np.float64))
    if top_k is None:
        return classes[np.argmax(proba, axis=1)], proba
    if not 1 <= top_k <= len(classes):
        raise DataError(f"top-k must be between 1 and the number of classes ({len(classes)}), "
                        f"got {top_k}")
    order = np.argsort(-proba, axis=1, kind="stable")[:, :top_k]
    return classes[order], np.take_along_axis(proba, order, axis=1)


def label_indices(network, labels) -> np.ndarray:
    """Indices into the model's classes of ``labels``; refuses labels it does not know."""
    classes = class_labels(network)
    lookup = {str(c): i for i, c in enumerate(classes.tolist())}
    keys = [str(v) for v in np.asarray(labels).tolist()]
    unknown = sorted({k for k in keys if k not in lookup})
    if unknown:
        raise DataError(f"labels the model does not know: {', '.join(unknown[:5])}"
                        f"{' ...' if len(unknown) > 5 else ''} (it knows "
                        f"{', '.join(map(str, classes.tolist()))})")
    return np.array([lookup[k] for k in keys], dtype=np.int64)


def evaluate(network, inputs: Inputs) -> dict:
    """Loss (eq. 7), accuracy, per-class precision, recall and F1, scikit-learn's
    classification report (``"classification_report"``, with macro and weighted
    averages; its text under ``"classification_report_text"``) and the confusion matrix."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
    if inputs.labels is None:
        raise DataError(f"{inputs.name} has no labels to evaluate against")
    y = label_indices(network, inputs.labels)
    network, X = prepare(network, inputs.X)
    z = _logits(network, X)
    loss, accuracy = evaluate_logits(z, y)
    predicted = np.argmax(z, axis=1)
    k = network.n_out
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=np.arange(k), zero_division=0)
    classes = class_labels(network).tolist()
    report, text = classification_report(y, predicted, classes)
    return {"data": inputs.name, "n": int(len(y)), "loss": float(loss),
            "accuracy": float(accuracy),
            "per_class": [{"label": c, "precision": float(p), "recall": float(r),
                           "f1": float(f), "support": int(s)}
                          for c, p, r, f, s in zip(classes, precision, recall, f1, support)],
            "classification_report": report, "classification_report_text": text,
            "classes": classes,
            "confusion_matrix": confusion_matrix(y, predicted, labels=np.arange(k)).tolist()}
