"""The NumPy engine against PyTorch, in float64: same loss, same gradients, same steps.

Torch's autograd knows nothing of Theorem 1: it differentiates the forward pass
operation by operation. The engine's gradients agreeing with it to 1e-10 is the
independent check that ``Network.backward`` implements eqs. (4) and (5).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from nnlearn.engine import SGD, Adam, mlp, resnet  # noqa: E402
from nnlearn.engine.activations import ACTIVATIONS  # noqa: E402
from nnlearn.torch import TorchBackend, to_torch, weighted_nll_sum  # noqa: E402
from nnlearn.training import NumpyBackend, TrainConfig, Trainer  # noqa: E402


NETWORKS = {
    **{f"mlp-{act}": (lambda act=act: mlp(5, [9, 7], 4, act, seed=1, dtype=np.float64))
       for act in ACTIVATIONS},
    "resnet-relu": lambda: resnet(5, 8, 3, 4, "relu", inner=6, seed=2, dtype=np.float64),
    "resnet-tanh": lambda: resnet(5, 8, 4, 4, "tanh", seed=3, dtype=np.float64),
    "resnet-leaky": lambda: resnet(5, 6, 2, 4, "leaky_relu", inner=9, seed=4, dtype=np.float64),
}


def _batch(m=33, n_in=5, k=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n_in)) * 2
    y = rng.integers(0, k, size=m)
    w = rng.uniform(0.1, 3.0, size=m)
    return X, y, w


def _rel(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


@pytest.mark.parametrize("name", list(NETWORKS))
@pytest.mark.parametrize("weighted", [False, True], ids=["mean", "weighted"])
def test_loss_and_gradients_match_autograd(name, weighted):
    net = NETWORKS[name]()
    X, y, w = _batch()
    w = w if weighted else None
    loss, _ = net.loss_and_gradients(X, y, sample_weight=w, train=False)

    module = to_torch(net)
    z = module(torch.from_numpy(X))
    wt = None if w is None else torch.from_numpy(w)
    t_loss = weighted_nll_sum(z, torch.from_numpy(y), wt) / (len(y) if w is None else w.sum())
    t_loss.backward()

    assert abs(loss - t_loss.item()) <= 1e-10 * abs(loss)
    grads = net.gradients()
    for pname, p in module.named_parameters():
        assert _rel(grads[pname], p.grad.numpy()) < 1e-10, pname


def test_back_propagation_gives_every_dL_dz_as_autograd_does():
    """Eq. (4), layer by layer: the engine's ``dz[k]`` is autograd's dL/dz_k."""
    net = mlp(5, [9, 7, 6], 4, "tanh", seed=5, dtype=np.float64)
    X, y, _ = _batch()
    net.loss_and_gradients(X, y, train=False)

    module = to_torch(net)
    f, zs = torch.from_numpy(X), []
    for layer in module.layers:  # eq. (3) then eq. (1), keeping each z_k
        z = F.linear(f, layer.W, layer.b)
        z.retain_grad()
        zs.append(z)
        f = layer.sigma(z)
    F.cross_entropy(f, torch.from_numpy(y)).backward()
    for k, z in enumerate(zs):
        assert _rel(net.dz[k], z.grad.numpy()) < 1e-10, k


def test_extreme_logits_stay_finite_and_agree():
    net = mlp(5, [9], 4, "identity", seed=6, dtype=np.float64)
    for p in net.parameters().values():
        p *= 300  # logits in the thousands: exp would overflow without log-sum-exp
    X, y, _ = _batch()
    loss, _ = net.loss_and_gradients(X, y, train=False)
    t_loss = F.cross_entropy(to_torch(net)(torch.from_numpy(X)), torch.from_numpy(y))
    assert np.isfinite(loss) and abs(loss - t_loss.item()) <= 1e-10 * loss


OPTIMIZERS = {
    "sgd": lambda: SGD(),
    "momentum": lambda: SGD(momentum=0.9),
    "nesterov": lambda: SGD(momentum=0.8, nesterov=True),
    "sgd-weight-decay": lambda: SGD(momentum=0.9, weight_decay=1e-2),
    "adam": lambda: Adam(),
    "adam-weight-decay": lambda: Adam(beta1=0.8, beta2=0.99, eps=1e-7, weight_decay=1e-3),
    "sgd-l1": lambda: SGD(momentum=0.9, regularization="l1", regularization_rate=1e-2),
    "adam-l1": lambda: Adam(regularization="l1", regularization_rate=1e-3),
    "adam-l2": lambda: Adam(regularization="l2", regularization_rate=1e-3),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_100_steps_of_engine_optim_and_torch_optim_agree(name):
    """The same batches through the same loop: NumPy ``engine.optim`` against ``torch.optim``."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + 2 * (X[:, 2] > 0)
    w = rng.uniform(0.5, 2.0, size=120)
    lr = 0.01 if name.startswith("adam") else 0.1
    config = TrainConfig(iterations=100, batch_size=16, lr=lr, schedule="cosine", seed=3,
                         progress=False)
    weights = []
    for backend in (NumpyBackend, TorchBackend):
        net = resnet(5, 8, 2, 4, "tanh", seed=8, dtype=np.float64)
        trainer = Trainer(backend(net, OPTIMIZERS[name]()), config)
        trainer.fit(X, y, sample_weight=w)
        assert trainer.iteration == 100
        weights.append(trainer.backend.get_network().parameters())
    for pname, p in weights[0].items():
        assert _rel(weights[1][pname], p) < 1e-8, pname
