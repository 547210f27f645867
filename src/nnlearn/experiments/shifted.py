"""Trained networks tested on shifted images: what the shift study and its ablation share.

``shift`` (the study) imports ``ablation`` (its hypotheses), and both import this
module, so the imports run one way.
"""

from __future__ import annotations

import numpy as np

from .base import Scope, load_data, shifted_test_images
from .capacity import plan


def network_of(run: dict):
    """The trained network a task kept (``keep_parameters=True``)."""
    from ..engine import Network

    net = Network.from_layer_list(run["spec"])
    net.set_parameters(run["parameters"])
    return net


def test_data(scope: Scope):
    """The test set the capacity networks were evaluated on (all of it, or --quick's subset)."""
    p = plan(scope)
    return load_data(scope.data, scope.data_dir, p["n_train"], p["n_test"], 0)


def accuracy(net, data, pixels, direction="right", mode="zero") -> float:
    """Test accuracy of ``net`` on the test images moved ``pixels`` in ``direction``."""
    return float((net.predict(shifted_test_images(data, pixels, direction, mode))
                  == data.y_test).mean())


def fills_differ(data, pixels, direction="right") -> int:
    """How many test images differ between rolling and zero-filling a shift: none when
    every image's border strip is zero (MNIST's), and then the fill cannot matter."""
    rolled = shifted_test_images(data, pixels, direction, "roll")
    zeroed = shifted_test_images(data, pixels, direction, "zero")
    return int(np.any(rolled != zeroed, axis=1).sum())
