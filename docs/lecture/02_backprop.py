# %% [markdown]
# # 2. Back propagation: Theorem 1
#
# > "We will write $z_k = W_k f_{k-1} + b_k$ (3), so that $f_k = \sigma_k(z_k)$.
# > [...] We also let $D_k$ be the diagonal $n_k \times n_k$ matrix with
# > diagonal entries given by the vector $\sigma_k'(z_k)$."
# >
# > **Theorem 1 (Back propagation).** For $k = 2, \dots, L$ we have
# >
# > $$\frac{\partial \mathcal{L}}{\partial z_{k-1}} = D_{k-1} W_k^T \frac{\partial \mathcal{L}}{\partial z_k}, \qquad (4)$$
# >
# > $$\frac{\partial \mathcal{L}}{\partial W_k} = \frac{\partial \mathcal{L}}{\partial z_k} f_{k-1}^T \quad \text{and} \quad \frac{\partial \mathcal{L}}{\partial b_k} = \frac{\partial \mathcal{L}}{\partial z_k}. \qquad (5)$$
#
# The loss is a sum over the training set, eq. (2):
# $\mathcal{L} = \sum_{i=1}^m \ell(f_L(x_i), y_i)$. For the soft-max and the
# negative log likelihood of [eq. (7)](04_softmax.md), one sample's
# $\partial \ell / \partial z_L = p - y$: the probabilities minus the one-hot
# label.
#
# **The check.** Theorem 1 written out by hand, one sample at a time with the
# lecture's column vectors, against central finite differences
# $(\mathcal{L}(w + \varepsilon) - \mathcal{L}(w - \varepsilon)) / 2\varepsilon$
# of every weight, in float64. `tanh` keeps the loss smooth (relu's kink at 0
# would spoil a finite difference that straddles it).
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=vanishing`](http://127.0.0.1:8765/?preset=vanishing)): Theorem 1 live: eight
# sigmoid layers, and the gradient bars (a fixed log scale) fall by about a factor of four
# per layer towards the input.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlearn.data import load
from nnlearn.engine import ACTIVATIONS, gradcheck, mlp

rings = load("rings")
X, y = rings.X_train[:16].astype(np.float64), rings.y_train[:16]
net = mlp(2, [5, 4], 2, activation="tanh", seed=1, dtype=np.float64)
W = [layer.W.copy() for layer in net.layers]                   # W_1, W_2, W_3
b = [layer.b.copy() + 0.1 for layer in net.layers]
sigma = [np.tanh, np.tanh, lambda z: z]                        # the output layer is linear
sigma_prime = [lambda z: 1 - np.tanh(z) ** 2] * 2 + [np.ones_like]


def loss(W, b):
    """Eqs. (1), (2) and (7): the summed negative log likelihood."""
    total = 0.0
    for x, label in zip(X, y):
        f = x
        for Wk, bk, s in zip(W, b, sigma):
            f = s(Wk @ f + bk)
        total += np.log(np.sum(np.exp(f - f.max()))) + f.max() - f[label]
    return total


def theorem1(W, b):
    """dL/dW_k and dL/db_k by eqs. (4) and (5), summed over the samples (eq. 2)."""
    dW = [np.zeros_like(Wk) for Wk in W]
    db = [np.zeros_like(bk) for bk in b]
    for x, label in zip(X, y):
        fs, zs = [x], []
        for Wk, bk, s in zip(W, b, sigma):                     # forward, keeping z_k and f_k
            zs.append(Wk @ fs[-1] + bk)
            fs.append(s(zs[-1]))
        p = np.exp(fs[-1] - fs[-1].max())
        p /= p.sum()
        dz = p - np.eye(len(p))[label]                         # dl/dz_L = p - y (eq. 7)
        for k in range(len(W) - 1, -1, -1):
            dW[k] += np.outer(dz, fs[k])                       # eq. (5): dl/dz_k f_{k-1}^T
            db[k] += dz                                        # eq. (5)
            if k > 0:
                D = np.diag(sigma_prime[k - 1](zs[k - 1]))
                dz = D @ W[k].T @ dz                           # eq. (4): D_{k-1} W_k^T dl/dz_k
    return dW, db


def finite_differences(W, b, eps=1e-6):
    grads = []
    for P in [*W, *b]:
        G = np.zeros_like(P)
        for i in np.ndindex(P.shape):
            old = P[i]
            P[i] = old + eps
            up = loss(W, b)
            P[i] = old - eps
            down = loss(W, b)
            P[i] = old
            G[i] = (up - down) / (2 * eps)
        grads.append(G)
    return grads


def relative(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b))))


dW, db = theorem1(W, b)
by_hand_vs_fd = max(relative(g, n) for g, n in zip([*dW, *db], finite_differences(W, b)))
print(f"Theorem 1 by hand against finite differences: largest relative difference "
      f"{by_hand_vs_fd:.1e}")

# %% [markdown]
# The engine's `Network.backward` is the same theorem on a whole batch (one row
# per sample): each `Dense.backward` forms $D_k\, \partial \mathcal{L}/\partial f_k$,
# stores eq. (5) and hands $W_k^T \partial \mathcal{L}/\partial z_k$ down, where
# the layer below completes eq. (4). With the same weights it gives the same
# gradients, to rounding.

# %%
net.set_parameters({**{f"layers.{k}.W": W[k] for k in range(3)},
                    **{f"layers.{k}.b": b[k] for k in range(3)}})
net.loss_and_gradients(X, y, reduction="sum")
grads = net.gradients()
by_hand_vs_engine = max(max(relative(dW[k], grads[f"layers.{k}.W"]),
                            relative(db[k], grads[f"layers.{k}.b"])) for k in range(3))
print(f"Theorem 1 by hand against Network.backward: largest relative difference "
      f"{by_hand_vs_engine:.1e}")

# %% [markdown]
# `gradcheck(network, X, y)` does the finite-difference check on any network
# (`nnlearn gradcheck` on the command line). Below, for every activation nnlearn
# has, on a network with two hidden layers: each bar is the largest relative
# error of one parameter array. Central differences with $\varepsilon = 10^{-6}$
# are good to about $10^{-8}$ to $10^{-10}$; a wrong gradient would be off by
# order 1.

# %%
rng = np.random.default_rng(0)
errors = {}
for activation in ACTIVATIONS:
    net = mlp(2, [6, 5], 2, activation=activation, seed=2, dtype=np.float64)
    for name, p in net.parameters().items():
        if name.endswith(".b"):
            p[...] = rng.normal(0, 0.1, size=p.shape)   # keep z off relu's kink at 0
    errors[activation] = gradcheck(net, X, y)
worst = max(max(e.values()) for e in errors.values())
print(f"largest relative error over {len(errors)} activations: {worst:.1e}")

names = list(next(iter(errors.values())))
fig, ax = plt.subplots(figsize=(8, 3.4))
width = 0.8 / len(errors)
for i, (activation, e) in enumerate(errors.items()):
    ax.bar(np.arange(len(names)) + i * width, [e[n] for n in names], width, label=activation)
ax.set(yscale="log", ylabel="relative error", xticks=np.arange(len(names)) + 0.4 - width / 2)
ax.set_xticklabels(names, fontsize=8)
ax.axhline(1e-6, color="k", lw=0.8, ls="--")
ax.legend(fontsize=7, ncol=3)
ax.set_title("Theorem 1 against finite differences, per parameter (float64)")
fig.tight_layout()
