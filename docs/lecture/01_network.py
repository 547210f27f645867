# %% [markdown]
# # 1. The network: eq. (1) and Figure 1
#
# > "In more compact notation, we can write a fully connected neural network
# > with $L$ layers recursively as
# >
# > $$f_k = \sigma_k(W_k f_{k-1} + b_k), \quad k = 1, \dots, L, \qquad (1)$$
# >
# > where $f_0 \in \mathbb{R}^{n_0}$ is the input to the network, [...] the
# > weights $W_k \in \mathbb{R}^{n_k \times n_{k-1}}$ and biases
# > $b_k \in \mathbb{R}^{n_k}$ are the learnable parameters."
# >
# > Figure 1: "An example of a fully connected neural network with three hidden
# > layers. [...] The hidden layers have width $n_1 = 2$, $n_2 = 6$, and
# > $n_3 = 4$ and the number of input variables is $n_0 = 6$."
#
# In nnlearn a network is a list of layers; `mlp(n_0, [n_1, ..., n_{L-1}], n_L)`
# builds eq. (1) with one `Dense` layer per $k$. `network_diagram` draws a small
# one as the lecture's Figure 1: the input red, the hidden layers blue, the
# output green, one edge per entry of a $W_k$.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=rings`](http://127.0.0.1:8765/?preset=rings)): eq. (1) with 8 ReLU units: each
# hidden unit's map is one straight fold of the plane, and the output adds them into the
# ring.

# %%
import numpy as np

from nnlearn.engine import mlp
from nnlearn.plots import network_diagram

fig = network_diagram((6, 2, 6, 4, 1), title="The lecture's Figure 1: n = (6, 2, 6, 4, 1)")

# %% [markdown]
# The same network as numbers: each layer holds $W_k$ of shape $(n_k, n_{k-1})$
# and $b_k$ of shape $(n_k,)$, named as the PyTorch twin and the model files
# name them.

# %%
net = mlp(6, [2, 6, 4], 1, activation="sigmoid", seed=0)
for name, p in net.parameters().items():
    print(f"{name:10s} shape {p.shape}")
print("parameters in all:", net.n_parameters())

# %% [markdown]
# **The check.** Eq. (1), written out with the lecture's column vectors for one
# input $x$, gives the same output as the engine, which computes a whole batch
# at once (one row per sample: $Z = F W_k^T + b_k$). The last layer is linear:
# its outputs are the logits that the soft-max of [eq. (7)](04_softmax.md) turns
# into probabilities.

# %%
sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
X = np.random.default_rng(0).normal(size=(5, 6))  # five inputs f_0 in R^6
net64 = net.astype(np.float64)
by_hand = []
for x in X:
    f = x                                                   # f_0
    for k, layer in enumerate(net64.layers, start=1):
        z = layer.W @ f + layer.b                           # z_k = W_k f_{k-1} + b_k (eq. 3)
        f = sigmoid(z) if k < len(net64.layers) else z      # f_k = sigma_k(z_k)
    by_hand.append(f)
difference = np.max(np.abs(np.array(by_hand) - net64.predict_logits(X)))
print(f"eq. (1) by hand against Network.predict_logits: largest difference {difference:.1e}")

# %% [markdown]
# A network's weights can be drawn on the edges too: red positive, blue
# negative, the width proportional to $|W_k[i, j]|$, one scale for all layers.
# Here the random start (sigmoid layers get Glorot's initialisation); the
# [rings page](05_rings.md) draws a trained one.

# %%
fig = network_diagram(net, title="mlp(6, [2, 6, 4], 1) at initialisation: edges = weights")
