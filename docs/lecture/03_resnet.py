# %% [markdown]
# # 3. ResNets: eq. (6)
#
# > "The traditional neural network architecture [...] often yields worse
# > performance for deeper networks compared to shallower ones. [...] The
# > *Residual Neural Network (ResNet)* architecture [...] solves this problem by
# > changing the architecture to
# >
# > $$f_k = f_{k-1} + W_{k,1}\, \sigma_k(W_{k,2} f_{k-1} + b_k), \quad k = 1, \dots, L. \qquad (6)$$
# >
# > The idea is to have each layer learn the *residual* $f_k - f_{k-1}$, which
# > allows the network to easily skip layers, by setting $f_k = f_{k-1}$. Thus, a
# > deeper network with ResNet architecture should not perform worse than a
# > shallower network."
#
# In nnlearn one block of eq. (6) is a `Residual` layer: `W2` is the lecture's
# $W_{k,2}$ (shape $(h, n)$, the inner width $h$ by the width $n$), `b` is
# $b_k$ and `W1` is $W_{k,1}$ (shape $(n, h)$). `resnet(n_0, width, depth, k)`
# stacks an input map $n_0 \to$ `width`, `depth` blocks and a linear output map.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=resnet`](http://127.0.0.1:8765/?preset=resnet)): eq. (6) live: residual blocks
# keep the gradient bars even; switch the architecture to mlp to see the plain network's
# bars shrink.

# %%
import numpy as np

from nnlearn.data import load
from nnlearn.engine import gradcheck, make_optimizer, mlp, resnet
from nnlearn.plots import decision_regions
from nnlearn.training import NumpyBackend, TrainConfig, Trainer

net = resnet(2, 8, 3, 2, seed=0, dtype=np.float64)
print(net)
block = net.layers[1]
for name, p in block.params.items():
    print(f"block 1: {name:2s} shape {p.shape}")

# %% [markdown]
# **The check.** Eq. (6) by hand against the block, and the lecture's "skip":
# with $W_{k,1} = 0$ the block is the identity, $f_k = f_{k-1}$. `gradcheck`
# confirms that back propagation through the skip connection is right (its
# $\partial \mathcal{L}/\partial f_{k-1}$ is
# $\partial \mathcal{L}/\partial f_k + W_{k,2}^T D_k W_{k,1}^T \partial \mathcal{L}/\partial f_k$:
# the identity term passes the gradient down undiminished).

# %%
F = np.random.default_rng(0).normal(size=(4, 8))            # four inputs f_{k-1}, one per row
p = block.params
by_hand = F + np.maximum(F @ p["W2"].T + p["b"], 0) @ p["W1"].T   # eq. (6), relu
print(f"eq. (6) by hand against Residual.apply: {np.max(np.abs(by_hand - block.apply(F))):.1e}")
skip = block.params["W1"].copy()
block.params["W1"][...] = 0
print("with W_{k,1} = 0 the block is the identity:", np.array_equal(block.apply(F), F))
block.params["W1"][...] = skip

rings = load("rings")
for name, p in net.parameters().items():
    if name.endswith(".b"):
        p[...] = np.random.default_rng(1).normal(0, 0.1, size=p.shape)  # off relu's kink
errors = gradcheck(net, rings.X_train[:32], rings.y_train[:32])
print(f"gradcheck through 3 residual blocks: largest relative error {max(errors.values()):.1e}")

# %% [markdown]
# **Deeper, not worse.** The spirals are harder than the rings. Eight hidden
# layers of 16 units, trained alike (Adam, rate 0.01, full batch, 1500 steps):
# a plain network of eq. (1) with sigmoid units, whose gradients vanish on the
# way down (see [depth](11_depth.md)), against a ResNet of the same width and
# depth. The [depth page](11_depth.md) measures the same on MNIST.

# %%
spirals = load("spirals")
networks = {
    "mlp, 8 sigmoid layers": mlp(2, [16] * 8, 2, activation="sigmoid", seed=0),
    "resnet, 8 sigmoid layers": resnet(2, 16, 7, 2, activation="sigmoid", seed=0),
}
for name, network in networks.items():
    Trainer(NumpyBackend(network, make_optimizer("adam")),
            TrainConfig(iterations=1500, lr=0.01, progress=False)).fit(
        spirals.X_train, spirals.y_train)
    accuracy = np.mean(network.predict(spirals.X_test) == spirals.y_test)
    print(f"{name}: test accuracy {accuracy:.3f}")
fig = decision_regions(networks, spirals.X_train, spirals.y_train, classes=spirals.classes,
                       title="spirals, 8 hidden layers of 16 sigmoid units: plain against ResNet",
                       ncols=2)
