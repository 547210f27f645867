"""What a model file's layer list declares, checked before anything is built: the dtype
and shape of every parameter (``declared_shapes``), computed without allocating, and
the stored arrays against them (``check_stored_arrays``)."""

from __future__ import annotations

import numpy as np


def _dim(entry: dict, key: str, k: int) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"layer {k} ({entry.get('type')}): {key} must be a positive integer, "
                         f"got {value!r}")
    return value


def _dense_shapes(e, k):
    n_in, n_out = _dim(e, "n_in", k), _dim(e, "n_out", k)
    return {"W": (n_out, n_in), "b": (n_out,)}


def _residual_shapes(e, k):
    n = _dim(e, "width", k)
    h = n if e.get("inner") is None else _dim(e, "inner", k)
    return {"W1": (n, h), "W2": (h, n), "b": (h,)}


def _dropout_shapes(e, k):
    _dim(e, "width", k)
    return {}


def _features_shapes(e, k):
    names = e.get("names")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ValueError(f"layer {k} (features): names must be a list of feature names")
    return {}


# The parameter shapes each layer type of ``nnlearn.engine.layers`` has, from its
# spec alone (tests/test_modelio.py checks this table against the engine).
PARAMETER_SHAPES = {"dense": _dense_shapes, "residual": _residual_shapes,
                    "dropout": _dropout_shapes, "features": _features_shapes}


def declared_shapes(spec) -> tuple[np.dtype, dict[str, tuple]]:
    """The dtype and the shape of every parameter that ``Network.from_layer_list(spec)``
    would allocate, computed without allocating anything."""
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        raise ValueError("the network description has no list of layers")
    if not spec["layers"]:
        raise ValueError("the network description has no layers")
    try:
        dtype = np.dtype(spec.get("dtype"))
    except (TypeError, ValueError):
        raise ValueError(f"unknown dtype {spec.get('dtype')!r}") from None
    if dtype.kind != "f" or dtype.itemsize not in (4, 8):
        raise ValueError(f"weights must be float32 or float64, the description says {dtype}")
    shapes = {}
    for k, entry in enumerate(spec["layers"]):
        kind = entry.get("type") if isinstance(entry, dict) else None
        if not isinstance(kind, str) or kind not in PARAMETER_SHAPES:
            raise ValueError(f"layer {k} has unknown type {kind!r}")
        for name, shape in PARAMETER_SHAPES[kind](entry, k).items():
            shapes[f"layers.{k}.{name}"] = shape
    return dtype, shapes


def check_names(shapes: dict, stored) -> None:
    if set(shapes) != set(stored):
        missing, extra = sorted(set(shapes) - set(stored)), sorted(set(stored) - set(shapes))
        raise ValueError(f"parameter names do not match: missing {missing}, unexpected {extra}")


def check_stored_arrays(spec, arrays: dict) -> None:
    """Names, shapes and dtypes of the stored arrays are those the description declares."""
    dtype, shapes = declared_shapes(spec)
    check_names(shapes, arrays)
    for name, shape in shapes.items():
        a = arrays[name]
        if a.shape != shape:
            raise ValueError(f"{name} has shape {a.shape}, the description says {shape}")
        if a.dtype != dtype:
            raise ValueError(f"{name} is {a.dtype}, the description says {dtype}")
