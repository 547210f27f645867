"""``NetworkSpec``: one description of a network, from which every face builds it.

The command line, the estimator, the experiments, the playground and
``gradcheck`` each turn their own settings into a ``NetworkSpec`` and call
``build(seed)``; this is the one module outside ``engine/`` and ``torch/`` that
calls the network constructors. The model file stores ``to_dict()`` under
``metadata["spec"]`` (as nanoGPT's checkpoints keep ``model_args``), and
``from_dict`` reads it back; ``from_layers`` reads the layer list of a model
file that predates it (nnlearn 0.1.0).

The input scaling (``InputScaling``, kept beside the fold in
``nnlearn.engine.scaling``), when there is one, is part of the description: the network
was trained on ``u = (x - mean) / scale``, and ``raw_input_network`` folds that
into the first layer (``nnlearn.engine.scaling``) so that it takes raw rows.
``spec_of(network)`` reads the description a model file keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from .engine.architectures import mlp, resnet
from .engine.features import Features, feature_names
from .engine.network import Network
from .engine.scaling import InputScaling, fold_input_scaling
from .settings import ARCHITECTURES, DTYPES, SETTINGS, default
from .settings.constraints import Integer, NoneValue, SequenceOf, check


def _names_of(activation) -> tuple[str, ...]:
    return (activation,) if isinstance(activation, str) else tuple(activation)


@dataclass(frozen=True)
class NetworkSpec:
    """A network of eq. (1) or eq. (6), described by value.

    Parameters
    ----------
    n_in, n_out : int
        Input width ``n_0`` and number of classes ``n_L``.
    architecture : {"mlp", "resnet"}
        ``"mlp"``: ``n_in -> hidden[0] -> ... -> n_out`` (eq. 1).
        ``"resnet"``: an input map ``n_in -> width``, ``depth`` residual blocks
        of eq. (6), and a linear output map ``width -> n_out``.
    hidden : tuple of int
        mlp: the hidden layers' widths (``()``: a linear model).
    width, depth : int
        resnet: the blocks' width and their number.
    inner : tuple of int or None
        resnet: each block's inner width (``W_{k,2}`` maps ``width -> inner``);
        None: ``width`` for every block.
    activation : str or tuple of str
        One name, or one per hidden layer (mlp: ``len(hidden)``; resnet: the
        input map and then each block, ``1 + depth``).
    dropout : float
        A dropout layer of this rate after every hidden layer (resnet: the
        input map and every block) when positive.
    init : str or None
        The weights' initialiser; None: He for relu, Glorot otherwise.
    dtype : {"float32", "float64"}
    scaling : InputScaling or None
        How inputs were scaled in training, if they were.
    features : tuple of str or None
        2-D points: the input features a first ``Features`` layer computes; None: none.

    Examples
    --------
    The lecture's 2-layer network with 32 hidden units on MNIST, built:

    >>> spec = NetworkSpec(784, 10, hidden=[32])
    >>> spec.hidden, spec.activation, spec.n_parameters()
    ((32,), 'relu', 25450)
    >>> spec.build(seed=0).layer_list() == spec.build(seed=1).layer_list()  # other weights
    True
    """

    n_in: int
    n_out: int
    architecture: str = default("architecture")
    hidden: tuple[int, ...] = default("hidden")
    width: int = default("width")
    depth: int = default("depth")
    inner: tuple[int, ...] | None = None
    activation: str | tuple[str, ...] = default("activation")
    dropout: float = default("dropout")
    init: str | None = default("init")
    dtype: str = default("dtype")
    scaling: InputScaling | None = None
    features: str | tuple[str, ...] | None = None  # one name or several; kept as a tuple

    def __post_init__(self):
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r}; choose "
                             f"{' or '.join(ARCHITECTURES)}")
        if np.dtype(self.dtype).name not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        # Descriptions of the same network compare equal: tuples, not lists; the dtype's
        # name; one activation name when every layer has it; the table's defaults for
        # the sizes the architecture does not use.
        setattr_ = object.__setattr__
        setattr_(self, "hidden", tuple(int(h) for h in self.hidden))
        setattr_(self, "activation", _one_or_all(_names_of(self.activation)))
        setattr_(self, "dtype", np.dtype(self.dtype).name)
        setattr_(self, "features", feature_names(self.features, self.n_in))
        if self.inner is not None:
            setattr_(self, "inner", tuple(int(i) for i in self.inner))
            if len(self.inner) != self.depth:
                raise ValueError(f"inner gives {len(self.inner)} widths for {self.depth} blocks")
        if self.architecture == "mlp":
            setattr_(self, "width", default("width"))
            setattr_(self, "depth", default("depth"))
            setattr_(self, "inner", None)
            if not self.hidden:  # no hidden layer to name
                setattr_(self, "activation", default("activation"))
        else:
            setattr_(self, "hidden", default("hidden"))
            if self.inner is not None and set(self.inner) <= {self.width}:
                setattr_(self, "inner", None)

    # -- building ---------------------------------------------------------------------------
    def build(self, seed: int | np.random.Generator = 0) -> Network:
        """The network this describes, with fresh weights drawn from ``seed``.

        Parameters
        ----------
        seed : int or numpy.random.Generator

        Returns
        -------
        nnlearn.engine.Network
            ``nnlearn.engine``'s ``mlp`` (eq. 1) or ``resnet`` (eq. 6), mapping
            ``(m, n_in)`` to logits ``(m, n_out)``. It takes scaled inputs when
            ``scaling`` is set (see ``raw_input_network``).
        """
        common: dict[str, Any] = dict(dropout=self.dropout, init=self.init, seed=seed,
                                      dtype=np.dtype(self.dtype))
        net = (mlp(self.n_first, self.hidden, self.n_out, self.activation, **common)
               if self.architecture == "mlp" else
               resnet(self.n_first, self.width, self.depth, self.n_out, self.activation,
                      inner=self.inner, **common))
        return net if self.features is None else Network([Features(self.features), *net.layers],
                                                         dtype=net.dtype)

    @property
    def n_first(self) -> int:  # the first weight layer's inputs
        return self.n_in if self.features is None else len(self.features)

    def build_torch(self, seed: int | np.random.Generator = 0, device=None):
        """The PyTorch twin of ``build(seed)``: the same layers, parameter names and
        weights, bit for bit (``nnlearn.torch.to_torch``; needs PyTorch).

        Parameters
        ----------
        seed : int or numpy.random.Generator
        device : str or torch.device, optional
            See ``nnlearn.torch.resolve_device``; the CPU by default.

        Returns
        -------
        nnlearn.torch.TorchNetwork
        """
        from .torch import to_torch
        return to_torch(self.build(seed), device=device)

    def n_parameters(self) -> int:
        """Weights and biases of the network, counted without building it.

        Returns
        -------
        int
            The entries of every ``W_k`` and ``b_k`` (eq. 1; eq. 6's ``W_{k,1}``,
            ``W_{k,2}``, ``b_k`` for a block).
        """
        if self.architecture == "mlp":
            widths = [self.n_first, *self.hidden, self.n_out]
            return sum((a + 1) * b for a, b in zip(widths, widths[1:]))
        inner = self.inner or (self.width,) * self.depth
        w = self.width
        return (self.n_first + 1) * w + sum(2 * w * i + i for i in inner) + (w + 1) * self.n_out

    def describe(self) -> str:
        """The architecture in the lecture's words: "2-layer, 100 hidden units".

        Returns
        -------
        str
        """
        if self.architecture == "resnet":
            return f"ResNet, width {self.width}, depth {self.depth}"
        if not self.hidden:
            return "linear (1 layer, no hidden units)"
        return (f"{len(self.hidden) + 1}-layer, {','.join(map(str, self.hidden))} "
                f"hidden units")

    # -- the model file ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The description as a model file stores it (``metadata["spec"]``).

        Returns
        -------
        dict
            JSON-ready: tuples as lists, the scaling as ``{"mean": [...], "scale": [...]}``.
        """
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["activation"] = (self.activation if isinstance(self.activation, str)
                           else list(self.activation))
        d["inner"] = None if self.inner is None else list(self.inner)
        d["scaling"] = None if self.scaling is None else self.scaling.to_dict()
        d["features"] = None if self.features is None else list(self.features)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> NetworkSpec:
        """Read ``to_dict()`` output.

        Parameters
        ----------
        d : dict

        Returns
        -------
        NetworkSpec

        Raises
        ------
        ValueError
            For anything but a description: unknown keys, bad values.
        """
        if not isinstance(d, dict):
            raise ValueError(f"a network description is an object, got {type(d).__name__}")
        unknown = sorted(set(d) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown network description keys {unknown}")
        _check_fields(d)
        d = dict(d)
        if d.get("scaling") is not None:
            d["scaling"] = InputScaling.from_dict(d["scaling"])
        try:
            return cls(**d)
        except TypeError as err:
            raise ValueError(f"malformed network description: {err}") from None

    @classmethod
    def from_layers(cls, layers: dict, scaling: Any = None) -> NetworkSpec | None:
        """The description of a network given its layer list, for model files without one.

        Parameters
        ----------
        layers : dict
            ``Network.layer_list()``: ``{"dtype": ..., "layers": [...]}``.
        scaling : dict, optional
            The recorded input scaling (``metadata["standardize"]``).

        Returns
        -------
        NetworkSpec or None
            None when it is no network that ``build`` makes.
        """
        entries = layers["layers"]
        features = entries[0]["names"] if entries and entries[0]["type"] == "features" else None
        entries = entries[1:] if features else entries
        rates = {e["p"] for e in entries if e["type"] == "dropout"}
        weights = [e for e in entries if e["type"] != "dropout"]
        if len(rates) > 1 or not weights or weights[-1]["type"] != "dense":
            return None
        common: dict[str, Any] = dict(
            n_in=2 if features else weights[0].get("n_in", weights[0].get("width")),
            n_out=weights[-1]["n_out"], features=features,
            dropout=rates.pop() if rates else 0.0, dtype=layers["dtype"],
            scaling=None if not scaling else InputScaling.from_dict(scaling))
        inits = {e["init"] for e in weights[:-1]}
        if len(inits) == 1:
            common["init"] = _explicit_init(inits.pop(), weights[:-1])
        kinds = [e["type"] for e in weights]
        if set(kinds) == {"dense"}:
            spec = cls(architecture="mlp", hidden=tuple(e["n_out"] for e in weights[:-1]),
                       activation=_one_or_all([e["activation"] for e in weights[:-1]]),
                       **common)
        elif kinds[0] == "dense" and set(kinds[1:-1]) == {"residual"}:
            blocks = weights[1:-1]
            width = weights[0]["n_out"]
            inner = tuple(e["inner"] for e in blocks)
            spec = cls(architecture="resnet", width=width, depth=len(blocks),
                       inner=None if set(inner) <= {width} else inner,
                       activation=_one_or_all([e["activation"] for e in weights[:-1]]),
                       **common)
        else:
            return None
        # Only a description that builds these very layers is one.
        return spec if spec.build().layer_list() == layers else None


#: the fields of a description that are no setting of the table, and what they accept
_SIZES = {"n_in": (Integer(1),), "n_out": (Integer(1),),
          "inner": (NoneValue(), SequenceOf(Integer(1), "a list of positive integers"))}


def _check_fields(d: dict) -> None:
    """Every field of a stored description, checked by the settings table's row of its name
    (``dropout`` as ``nnlearn train --dropout`` is), the sizes by ``_SIZES``: ``ValueError``."""
    for name, value in d.items():
        if name in SETTINGS:
            SETTINGS[name].check(value)
        elif name in _SIZES:
            check(name, _SIZES[name], value)


def _one_or_all(names: Sequence[str]) -> str | tuple[str, ...]:
    if not names:  # a linear model has no hidden layer to name
        return default("activation")
    return names[0] if len(set(names)) == 1 else tuple(names)


def _explicit_init(init: str, hidden_layers) -> str | None:
    """None when ``init`` is each layer's default for its activation (what ``build``
    chooses by itself), else ``init``."""
    from .engine.init import default_init
    if all(default_init(e["activation"]) == init for e in hidden_layers):
        return None
    return init


def spec_of(network: Network) -> NetworkSpec | None:
    """The description a model file keeps with ``network`` (``metadata["spec"]``).

    Parameters
    ----------
    network : nnlearn.engine.Network

    Returns
    -------
    NetworkSpec or None
        For a file written before descriptions were kept, the one its layers
        and its recorded input scaling (``metadata["standardize"]``) imply, or None.

    Raises
    ------
    ValueError
        When the kept description is malformed or does not build these layers.

    Examples
    --------
    >>> from nnlearn.engine import mlp
    >>> spec_of(mlp(2, [8], 3, seed=0)).hidden
    (8,)
    """
    meta = network.metadata or {}
    if "spec" not in meta:
        return NetworkSpec.from_layers(network.layer_list(), scaling=meta.get("standardize"))
    spec = NetworkSpec.from_dict(meta["spec"])
    if (spec.n_in, spec.n_out) != (network.n_in, network.n_out) or \
            spec.n_parameters() != network.n_parameters() or \
            spec.build().layer_list() != network.layer_list():
        raise ValueError("the network description does not match the network's layers")
    return spec


def raw_input_network(network: Network, spec: NetworkSpec | None = None) -> Network:
    """``network`` taking raw rows: its recorded input scaling (if any) folded into
    the first layer of a copy: ``z_1 = W_1 u + b_1`` of eq. (3) rewritten in ``x``
    (``nnlearn.engine.scaling``).

    Parameters
    ----------
    network : nnlearn.engine.Network
        As ``load_model`` returns it.
    spec : NetworkSpec, optional
        ``spec_of(network)``, when the caller has read it already.

    Returns
    -------
    nnlearn.engine.Network
        ``network`` itself when it records no scaling; else the copy, whose
        metadata records none.

    Examples
    --------
    >>> from nnlearn.engine import mlp
    >>> net = mlp(2, [8], 2, seed=0)
    >>> raw_input_network(net) is net  # no scaling recorded: nothing to fold
    True
    """
    spec = spec if spec is not None else spec_of(network)
    if spec is None or spec.scaling is None:
        return network
    scaling = spec.scaling
    net = fold_input_scaling(network, scaling.mean, scaling.scale)
    net.metadata = {k: v for k, v in network.metadata.items() if k != "standardize"}
    net.metadata["spec"] = replace(spec, scaling=None).to_dict()
    return net
