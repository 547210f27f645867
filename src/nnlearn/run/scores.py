"""Per-class scores of a classifier's predictions: scikit-learn's classification report.

One place for what ``nnlearn train`` writes to ``metrics.json`` (on the test
part) and ``nnlearn evaluate`` prints and writes to ``evaluation.json``:
precision, recall, F1 and support per class, and their macro and weighted
averages (``sklearn.metrics.classification_report``).
"""

from __future__ import annotations

import numpy as np


def classification_report(y, predicted, classes) -> tuple[dict, str]:
    """Scikit-learn's classification report of class indices ``predicted`` against ``y``.

    Parameters
    ----------
    y, predicted : ndarray of shape (m,)
        Class indices ``0 .. k-1``.
    classes : sequence of length k
        The original labels, which name the rows.

    Returns
    -------
    report : dict
        ``output_dict=True``'s form: one entry per class label (as text),
        ``"accuracy"``, ``"macro avg"`` and ``"weighted avg"``, each with
        ``precision``, ``recall``, ``f1-score`` and ``support``; plain floats and ints.
    text : str
        The same, as scikit-learn prints it.
    """
    from sklearn.metrics import classification_report as report
    k = len(classes)
    names = [str(c) for c in classes]
    args = dict(labels=np.arange(k), target_names=names, zero_division=0, digits=4)
    as_dict = report(y, predicted, output_dict=True, **args)
    plain = {key: ({m: (int(v) if m == "support" else float(v)) for m, v in value.items()}
                   if isinstance(value, dict) else float(value))
             for key, value in as_dict.items()}
    return plain, report(y, predicted, **args)
