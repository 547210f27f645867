"""Labels and weights: from what the user gives to what the training loop takes.

The network sees class indices ``0 .. k-1`` (the position of the 1 in the
one-hot ``y_i`` of eq. 7) and one weight per sample, the product of
``sample_weight`` and ``class_weight``.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import _check_sample_weight


def plain(values) -> list:
    """Labels as plain Python values for messages (``'x'``, not ``np.str_('x')``)."""
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]


def labels_for(y, classes, previous, *, incremental: bool) -> np.ndarray:
    """The sorted class labels of a call: new ones, or the ``previous`` ``classes_``.

    ``fit`` takes the labels of ``y``; the first ``partial_fit`` those of
    ``classes``; later calls keep ``previous`` and check that ``classes``, when
    given again, has not changed. A warm-started ``fit`` (``previous`` given,
    not ``incremental``) must see exactly the previous classes, as in
    ``MLPClassifier``, whose message this is.
    """
    if previous is None:
        return unique_labels(classes) if incremental else np.unique(y)
    if not incremental:
        present = np.unique(y)
        if set(present.tolist()) != set(previous.tolist()):
            raise ValueError("warm_start can only be used where `y` has the same classes as "
                             f"in the previous call to fit. Previously got {previous}, `y` "
                             f"has {present}")
    if classes is not None and not np.array_equal(unique_labels(classes), previous):
        raise ValueError(f"classes={plain(unique_labels(classes))} differs from the classes "
                         f"of the previous calls, {plain(previous)}")
    return previous


def encode(classes: np.ndarray, y) -> np.ndarray:
    """Class index of each label: its position in the sorted ``classes``."""
    try:
        index = np.searchsorted(classes, y)
        known = classes[np.minimum(index, len(classes) - 1)] == y
    except TypeError:  # labels of another type than classes do not compare
        index, known = None, np.zeros(len(y), dtype=bool)
    if not np.all(known):
        unknown = list(dict.fromkeys(plain(np.asarray(y)[~known])))
        raise ValueError(f"y contains labels that are not in classes_ {plain(classes)}: "
                         f"{unknown[:10]}")
    return index


def combined_weights(class_weight, labels, X, y_index, sample_weight, *, incremental):
    """``sample_weight * class_weight[y]`` as float64, or None when both are absent.

    ``class_weight="balanced"`` weighs class ``c`` by ``m / (k m_c)``; a dict
    maps labels to weights (missing labels weigh 1).
    """
    if class_weight is None and sample_weight is None:
        return None
    w = (np.ones(len(y_index)) if sample_weight is None else
         _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True))
    if class_weight is None:
        return w
    if isinstance(class_weight, str):  # "balanced", the only string params.py lets through
        if incremental:
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: one batch's class "
                "frequencies do not estimate the data's. Compute the weights once with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=..., "
                "y=...) on a large enough sample and pass them as a dict")
    else:
        unknown = [k for k in class_weight if not np.any(labels == k)]
        if unknown:
            raise ValueError(f"class_weight has labels that are not among the classes "
                             f"{plain(labels)}: {plain(unknown)}")
    per_class = compute_class_weight(class_weight, classes=labels, y=labels[y_index])
    if not np.all(np.isfinite(per_class)) or np.any(per_class < 0):
        raise ValueError(f"class weights must be finite and non-negative, "
                         f"got {dict(zip(plain(labels), per_class.tolist()))}")
    return w * per_class[y_index]


def drop_zero_weights(X, y_index, w, n_classes, *, incremental):
    """Leave out the samples of weight 0: they add nothing to the loss (nor to a batch)."""
    if w is None:
        return X, y_index, w
    keep = w > 0
    if not keep.any():
        raise ValueError("every sample has weight 0 (sample_weight times class_weight): "
                         "nothing to train on")
    if not incremental and n_classes > 1 and len(np.unique(y_index[keep])) < 2:
        raise ValueError("all samples with positive weight belong to one class; "
                         "a classifier needs at least two classes with positive weight")
    if keep.all():
        return X, y_index, w
    return X[keep], y_index[keep], w[keep]
