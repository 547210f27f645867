"""What one step of the twin uses: ``torch_optimizer`` (the ``torch.optim`` twin of an
engine optimiser) and ``weighted_nll_sum`` (eq. 7 per row, summed with weights)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..engine.optim import SGD, Adam, Optimizer


# Placeholder learning rate for building torch optimisers: the loop sets the real
# one before every step (train_step's ``lr``), so this value is never used.
_UNSET_LR = 1e-3


def torch_optimizer(optimizer: Optimizer, params) -> torch.optim.Optimizer:
    """The ``torch.optim`` twin of an engine optimiser, with its hyper-parameters.

    The engine's update rules are written to match torch's (see
    ``nnlearn.engine.optim``): ``SGD`` maps to ``torch.optim.SGD`` (momentum,
    nesterov, L2 weight decay added to the gradient, no dampening) and ``Adam``
    to ``torch.optim.Adam`` (betas, eps, L2 weight decay: not AdamW). Only the
    hyper-parameters are read: the torch optimiser starts with empty state.

    Raises
    ------
    TypeError
        For any other optimiser.
    """
    if isinstance(optimizer, SGD):
        return torch.optim.SGD(params, lr=_UNSET_LR, momentum=optimizer.momentum,
                               nesterov=optimizer.nesterov, weight_decay=optimizer.weight_decay)
    if isinstance(optimizer, Adam):
        return torch.optim.Adam(params, lr=_UNSET_LR, betas=(optimizer.beta1, optimizer.beta2),
                                eps=optimizer.eps, weight_decay=optimizer.weight_decay)
    raise TypeError(f"no torch.optim twin for optimizer {type(optimizer).__name__}; "
                    "use nnlearn.engine.optim.SGD or Adam")


def weighted_nll_sum(z, y, w=None):
    """``sum_i w_i l_i`` with ``l_i = -log p_i(y_i)`` (eq. 7): ``F.cross_entropy`` per row.

    Parameters
    ----------
    z : Tensor of shape (m, k)
        Logits.
    y : Tensor of int64, shape (m,)
    w : Tensor of shape (m,), optional
        Sample weights; None weighs every row 1.

    Returns
    -------
    Tensor of shape ()
        The sum, not the mean: the caller divides by the batch's total weight,
        which for a shard of a batch is not the shard's own (see ``distributed``).
    """
    if w is None:
        return F.cross_entropy(z, y, reduction="sum")
    return torch.dot(F.cross_entropy(z, y, reduction="none"), w)
