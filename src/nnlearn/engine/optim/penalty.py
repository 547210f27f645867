"""The penalty added to the loss of eq. (2): its kinds and the one place that reads its
two spellings (``regularization`` with ``regularization_rate``, and torch's
``weight_decay``, which is the L2 rate)."""

from __future__ import annotations

PENALTIES = ("none", "l1", "l2")  #: the values of ``regularization``


def penalty(regularization: str = "none", regularization_rate: float = 0.0,
            weight_decay: float = 0.0) -> tuple[str, float]:
    """The penalty ``(regularization, rate)`` that the settings describe: one place
    that reads both spellings of L2 (``weight_decay`` is ``regularization="l2"``).

    Raises
    ------
    ValueError
        For an unknown kind, a negative rate, or both spellings at once.
    """
    if regularization not in PENALTIES:
        raise ValueError(f"regularization must be one of {', '.join(PENALTIES)}, "
                         f"got {regularization!r}")
    for name, rate in (("regularization_rate", regularization_rate),
                       ("weight_decay", weight_decay)):
        if not rate >= 0:
            raise ValueError(f"{name} must be >= 0, got {rate}")
    if weight_decay:
        if regularization != "none" and regularization_rate:
            raise ValueError("give weight_decay (the L2 rate) or regularization with "
                             "regularization_rate, not both")
        return "l2", float(weight_decay)
    return regularization, float(regularization_rate)
