# %% [markdown]
# # 4. Soft-max and log-sum-exp: eq. (7)
#
# > "For a $k$-class classification problem, the output of the neural network
# > $f_L(x)$ has $k$ components [...] and the classification of $x$ is taken
# > to be the largest component of $f_L(x)$. [...] These outputs are fed
# > through the *soft-max* function to convert them into probability vectors
# >
# > $$p_i(j) := \frac{e^{z_i(j)}}{\sum_{q=1}^k e^{z_i(q)}}.$$
# >
# > The loss used for classification is normally the negative log likelihood
# > loss [...]
# >
# > $$\mathcal{L}(f_L) = - \sum_{i=1}^m y_i^T \log(p_i). \qquad (7)$$
# >
# > We claim that
# >
# > $$\mathcal{L}(f_L) = - \sum_{i=1}^m f_L(x_i)^T y_i + \sum_{i=1}^m \log \left(\sum_{j=1}^k e^{f_L(x_i)^T e_j} \right).$$
#
# nnlearn computes the loss by the second form: `nll(z, y)` takes the logits
# $z_i = f_L(x_i)$ and never forms $\log p_i$ from a rounded $p_i$. Subtracting
# $\max_j z_i(j)$ inside the log-sum-exp keeps every exponent at most 0, which
# changes nothing mathematically and makes it exact for logits of any size.
# scikit-learn clips $p$ to $[\epsilon, 1 - \epsilon]$ instead.
#
# **The check.** Both sides of the lecture's identity, on random logits in
# float64; then the gradient, $\partial \ell / \partial z_i = p_i - y_i$,
# against finite differences.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=width`](http://127.0.0.1:8765/?preset=width)): soft-max over three classes: the
# output maps are the three probabilities p_c of eq. (7), and the confusion matrix says
# which class is taken for which.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlearn.engine import logsumexp, nll, softmax

rng = np.random.default_rng(0)
m, k = 6, 4
z = rng.normal(scale=3, size=(m, k))          # logits f_L(x_i), one row per sample
y = rng.integers(0, k, size=m)                # class indices; y_i = e_{y[i]}
Y = np.eye(k)[y]                              # the one-hot rows y_i^T

left = -np.sum(Y * np.log(softmax(z)))                         # eq. (7) as written
right = -np.sum(z * Y) + np.sum(logsumexp(z, axis=1))          # the lecture's identity
loss, dL_dz = nll(z, y, reduction="sum")
print(f"eq. (7): {left:.12f}; the identity: {right:.12f}; nll: {loss:.12f}")

eps, numeric = 1e-6, np.zeros_like(z)
for i in np.ndindex(z.shape):
    step = np.zeros_like(z)
    step[i] = eps
    numeric[i] = (nll(z + step, y, reduction="sum")[0]
                  - nll(z - step, y, reduction="sum")[0]) / (2 * eps)
print(f"gradient p - y against finite differences: {np.max(np.abs(dL_dz - numeric)):.1e}")
print("p - y:", np.allclose(dL_dz, softmax(z) - Y))

# %% [markdown]
# **Why the second form.** Scale the logits of one sample, $z = t\,(1, 0, -1)$,
# true class the last: the loss is $2t + \log(1 + e^{-t} + e^{-2t})$. Computed
# as written in float32, the true class's $p$ underflows to 0 past
# $t \approx 50$ ($\log p = -\infty$), and past $t \approx 88$ $e^{z}$
# overflows (`nan`). The log-sum-exp form stays exact.

# %%
t = np.logspace(-1, 3, 200).astype(np.float32)
Z = t[:, None] * np.array([1, 0, -1], dtype=np.float32)
labels = np.full(len(t), 2)
with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
    e = np.exp(Z)
    naive = -np.log(e[:, 2] / e.sum(axis=1))
stable = np.array([nll(Z[i:i + 1], labels[i:i + 1])[0] for i in range(len(t))])
first_bad = t[~np.isfinite(naive)].min()
exact = 2 * 1000.0 + np.log1p(np.exp(-1000.0) + np.exp(-2000.0))
print(f"as written, float32: the first t with an infinite or nan loss is {first_bad:.1f}; "
      f"log-sum-exp at t = 1000: {stable[-1]:.1f} (exact: {exact:.1f})")

fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.plot(t, stable, label="nll: log-sum-exp", lw=3, alpha=0.5)
ax.plot(t, np.where(np.isfinite(naive), naive, np.nan), "--", label="-log(softmax), float32")
ax.axvline(first_bad, color="C3", lw=0.8)
ax.text(first_bad * 1.1, 3, "overflow / underflow", color="C3", fontsize=8)
ax.set(xscale="log", yscale="log", xlabel="t (logits t (1, 0, -1))", ylabel="loss")
ax.legend()
ax.set_title("The loss of eq. (7) for growing logits, two ways")
fig.tight_layout()
