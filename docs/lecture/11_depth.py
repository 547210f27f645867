# %% [markdown]
# # 11. Depth: vanishing and exploding gradients
#
# > "The traditional neural network architecture [...] often yields worse
# > performance for deeper networks compared to shallower ones.
# >
# > $$\frac{\partial \mathcal{L}}{\partial z_1} = D_1 W_2^T D_2 W_3^T D_3 W_4^T \cdots D_L W_L^T \frac{\partial \mathcal{L}}{\partial z_L}$$
# >
# > Vanishing Grad. Gradient Blowup."
#
# Unrolling Theorem 1 from the top down to the first layer multiplies $L - 1$
# factors $D_{k-1} W_k^T$. A sigmoid's derivative is at most $1/4$, so with
# sigmoid units each factor tends to shrink the gradient and a deep plain
# network's first layers hardly learn: the gradient *vanishes*. Weights a
# little too large make each factor grow instead, and the gradient *blows up*.
# A ResNet block (eq. 6) adds the identity to its factor
# ($\partial \mathcal{L}/\partial f_{k-1} = (I + \dots)\, \partial \mathcal{L}/\partial f_k$),
# so the gradient passes down whatever the depth.
#
# **The claim, tested (1): the gradients.** `network.grad_norms()` gives
# $|\partial \mathcal{L}/\partial z_k|$ for every layer after a backward pass.
# Here at initialisation, for networks of $L = 32$ weight layers of width 32,
# on a batch of 1000 training images.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=vanishing`](http://127.0.0.1:8765/?preset=vanishing)): depth and vanishing
# gradients: a deep sigmoid network's short bars near the input; compare the ResNet preset.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlearn.engine import mlp, resnet
from nnlearn.plots.depth import depth_accuracy
from nnlearn.experiments.lecture import mnist, train

data = mnist(n_train=5000)
X, y = data.X_train[:1000], data.y_train[:1000]
L, WIDTH = 32, 32
blowup = mlp(data.n_features, [WIDTH] * (L - 1), data.n_classes, activation="relu", seed=0)
for layer in blowup.layers:
    layer.W[...] *= 1.5                                  # weights 1.5 times He's scale
networks = {
    "mlp, sigmoid": mlp(data.n_features, [WIDTH] * (L - 1), data.n_classes,
                        activation="sigmoid", seed=0),
    "mlp, relu": mlp(data.n_features, [WIDTH] * (L - 1), data.n_classes, seed=0),
    "mlp, relu, weights x 1.5": blowup,
    "resnet, sigmoid": resnet(data.n_features, WIDTH, L - 2, data.n_classes,
                              activation="sigmoid", seed=0),
}
fig, ax = plt.subplots(figsize=(6.8, 3.8))
for name, net in networks.items():
    net.loss_and_gradients(X, y, train=False)            # forward, eq. (7), Theorem 1
    norms = net.grad_norms()                             # |dL/dz_k|, k = 1 .. L
    ax.plot(np.arange(1, L + 1), np.maximum(norms, 1e-30), marker="o", ms=3, label=name)
    print(f"{name:26s} |dL/dz_1| / |dL/dz_L| = {norms[0] / norms[-1]:.1e}"
          + (" (dL/dz_1 underflowed float32 to 0)" if norms[0] == 0 else ""))
ax.set(yscale="log", xlabel="layer k (1 = input side)", ylabel="|dL/dz_k|")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
ax.set_title(f"L = {L} weight layers of width {WIDTH}, at initialisation ({data.name})")
fig.tight_layout()

# %% [markdown]
# **The claim, tested (2): accuracy against depth.** Plain networks and
# ResNets of $L = 2$ to 32 weight layers, sigmoid and ReLU, each trained alike
# on 5000 training images for 5 epochs (the [report](../reproduce/report.md)
# has each of its seeds for each, and the gradient norms after training too).

# %%
DEPTHS = [2, 4, 8, 16, 32]
accuracy = {}
for kind in ("mlp", "resnet"):
    for activation in ("sigmoid", "relu"):
        values = []
        for depth in DEPTHS:
            net = (mlp(data.n_features, [WIDTH] * (depth - 1), data.n_classes,
                       activation=activation, seed=0) if kind == "mlp" else
                   resnet(data.n_features, WIDTH, depth - 2, data.n_classes,
                          activation=activation, seed=0))
            train(net, data)
            values.append(np.mean(net.predict(data.X_test) == data.y_test))
        accuracy[f"{kind}, {activation}"] = values
        print(f"{kind + ', ' + activation:16s} test accuracy at L = {DEPTHS}: "
              + ", ".join(f"{v:.3f}" for v in values))

fig = depth_accuracy(DEPTHS, accuracy, title=f"{data.name}: test accuracy against depth")

# %% [markdown]
# **What the figures show, and why.** Theorem 1 writes the gradient at layer
# 1 as a product, $\frac{\partial \mathcal{L}}{\partial z_1} = D_1 W_2^T D_2
# W_3^T \cdots D_L W_L^T \frac{\partial \mathcal{L}}{\partial z_L}$: one factor
# $D_k W_k^T$ per layer, where $D_k$ is the diagonal of the activation's
# derivatives. The sigmoid's derivative is at most $1/4$, so with weights of
# the usual size each factor shrinks a vector, and $L$ factors shrink it
# geometrically: the first layers of the deep sigmoid network get almost no
# gradient (the vanishing gradient, the curve falling toward the input) and
# barely learn, which is why its accuracy collapses with depth. With ReLU,
# $D_k$ holds 0s and 1s and the product neither shrinks nor grows much at He
# initialisation, but scaled weights make each factor grow it instead (the
# gradient blow-up). A ResNet's block adds its input to its output, so each
# factor becomes $I + D_k W_k^T$: the identity carries the gradient past
# every layer, the product no longer vanishes, and a deeper ResNet does not do
# worse than a shallow one.
