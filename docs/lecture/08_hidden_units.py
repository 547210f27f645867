# %% [markdown]
# # 8. The hidden units: Figure 3
#
# > Figure 3: "The 10 hidden nodes for MNIST classification."
#
# Hidden unit $j$ computes $\sigma(W_1[j]\, f_0 + b_1[j])$: row $j$ of $W_1$
# holds its 784 weights, one per pixel. Drawn as a 28x28 picture, it shows what
# the unit responds to: red pixels raise its input $z_1(j)$, blue ones lower
# it; one colour scale for all ten, zero in grey.
#
# **The figure, made.** The 10-unit network of [the MNIST page](06_mnist.md).
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=rings`](http://127.0.0.1:8765/?preset=rings)): every hidden unit as its own map,
# redrawn while it learns: the 2-D version of this page's first-layer pictures.

# %%
import numpy as np

from nnlearn.engine import mlp
from nnlearn.plots.weights import hidden_units
from nnlearn.experiments.lecture import mnist, train

data = mnist()
net = mlp(data.n_features, [10], data.n_classes, seed=0)
train(net, data)
print(f"test accuracy {np.mean(net.predict(data.X_test) == data.y_test):.3f}")

W1 = net.layers[0].W                                        # (10, 784): one row per unit
images = W1.reshape(len(W1), *data.image_shape)
fig = hidden_units(images, title=f"The 10 hidden units of the {data.name} network "
                                 "(rows of W_1), one scale, grey = 0")

# %% [markdown]
# **What the picture says, as a number.** MNIST's border pixels are 0 in
# nearly every image, so by eq. (5),
# $\partial \mathcal{L}/\partial W_1 = \partial \mathcal{L}/\partial z_1\, f_0^T$,
# their weights get no gradient and keep their random start: the noisy frame
# around each unit. The weights that moved are those of the pixels the digits
# cover.

# %%
init = mlp(data.n_features, [10], data.n_classes, seed=0).layers[0].W   # the same start
moved = np.abs(W1 - init).reshape(len(W1), *data.image_shape).mean(axis=0)
blank = (data.X_train.max(axis=0) == 0).reshape(data.image_shape)
print(f"pixels blank in every training image: {blank.sum()} of {blank.size}")
if blank.any():
    print(f"mean change of a weight from its start: {moved[blank].mean():.4f} on blank pixels, "
          f"{moved[~blank].mean():.4f} on the others")
