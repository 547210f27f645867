"""The twin of the engine's ``Features`` layer: input features of 2-D points, in torch."""

from __future__ import annotations

import torch
from torch import nn

from ..engine.features import FEATURES, Features as EngineFeatures


class Features(nn.Module):
    """Points ``(m, 2)`` to the columns ``names`` of ``nnlearn.engine.features.FEATURES``
    (the same formulas, with ``torch.sin``), after the optional scaling
    ``(x - mean) / scale``; no parameters.

    Parameters
    ----------
    names : sequence of str
    mean, scale : sequence of 2 float, optional
    """

    def __init__(self, names, mean=None, scale=None) -> None:
        super().__init__()
        checked = EngineFeatures(names, mean, scale)  # the engine's checks, one place
        self.names, self.mean, self.scale = checked.names, checked.mean, checked.scale
        self.n_in, self.n_out = checked.n_in, checked.n_out

    def forward(self, f_prev):
        """The feature columns of ``f_prev`` (m, 2): (m, len(names))."""
        x = f_prev
        if self.mean is not None:
            x = (x - torch.tensor(self.mean, dtype=x.dtype, device=x.device)) / torch.tensor(
                self.scale, dtype=x.dtype, device=x.device)
        x1, x2 = x[:, 0], x[:, 1]
        return torch.stack([FEATURES[n](x1, x2, torch.sin) for n in self.names], dim=1)

    def entry(self) -> dict:
        """The engine's ``Features.entry()`` of this layer."""
        return EngineFeatures(self.names, self.mean, self.scale).entry()

    def extra_repr(self):
        return ", ".join(self.names)
