"""The network the settings describe, and the model file the page exports."""

from __future__ import annotations

from ..engine.layers import Dropout, Residual
from ..engine.network import Network
from ..engine.scaling import fold_input_scaling
from .data import PlayData
from ..spec import NetworkSpec
from .settings import network_spec


def build(settings: dict, n_classes: int, seed: int = 0) -> Network:
    """The network the settings describe (``settings.network_spec``), weights from ``seed``."""
    return network_spec(settings, n_classes).build(seed)


def export_network(network: Network, data: PlayData, spec: NetworkSpec) -> Network:
    """A copy that takes the original coordinates, with the labels in its metadata.

    The playground trains on ``u = (x - mean) / scale``; the copy has that
    scaling folded into its first layer (``fold_input_scaling``), so it predicts
    on raw points exactly as the page shows. The metadata is what
    ``nnlearn train`` writes: the labels, the data's name and the network's
    description (``metadata["spec"]``).
    """
    net = fold_input_scaling(network, data.mean, data.scale)
    # the description of the page's network (``spec``): with the scaling folded in, it
    # takes raw points
    net.metadata = {"classes": list(data.classes), "data": data.name, "spec": spec.to_dict()}
    return net


def describe(network: Network) -> list[dict]:
    """The layers for the page's diagram: kind, widths, activation."""
    out = []
    for layer in network.layers:
        entry = {"kind": type(layer).__name__.lower(), "n_in": layer.n_in, "n_out": layer.n_out}
        if hasattr(layer, "activation"):
            entry["activation"] = layer.activation
        if isinstance(layer, Residual):
            entry["inner"] = layer.inner
        if isinstance(layer, Dropout):
            entry["p"] = layer.p
        out.append(entry)
    return out
