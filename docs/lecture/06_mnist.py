# %% [markdown]
# # 6. MNIST with 10 and 32 hidden units
#
# > "We consider classification of MNIST digits with 60000 training images and
# > 10000 testing images.
# >
# > - 2-Layer network with 10 hidden nodes: 93% testing accuracy
# > - 2-Layer network with 32 hidden nodes: 97% testing accuracy"
#
# Each image is a row of 784 pixels in $[0, 1]$ ($n_0 = 784$), and there are
# $k = 10$ classes: `mlp(784, [10], 10)` and `mlp(784, [32], 10)`. The lecture
# gives no training recipe. These pages train with the one in
# `nnlearn.experiments.lecture` (Adam, rate $5 \cdot 10^{-3}$, a cosine
# schedule, batches of 128) for 5 epochs, a few seconds each: the quick
# setting of this site. The [reproduction report](../reproduce/report.md)
# trains 20 epochs with every seed it lists and has the numbers to quote.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=width`](http://127.0.0.1:8765/?preset=width)): width on a 2-D set: 10 hidden
# units against 32 on three spirals, with the confusion matrix of the test split.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlearn.engine import mlp
from nnlearn.plots import image_grid
from nnlearn.experiments.lecture import EPOCHS, RECIPE, mnist, train

data = mnist()
print(data)
print("recipe:", RECIPE, f"epochs: {EPOCHS}")
fig = image_grid(data.X_test[:36].reshape(-1, *data.image_shape), data.y_test[:36],
                 title=f"{data.name}: the first 36 test images and their labels")

# %% [markdown]
# **The claim, tested.**

# %%
LECTURE = {10: 0.93, 32: 0.97}
histories = {}
for hidden in (10, 32):
    net = mlp(data.n_features, [hidden], data.n_classes, seed=0)
    histories[hidden] = train(net, data)
    accuracy = np.mean(net.predict(data.X_test) == data.y_test)
    print(f"{hidden} hidden units: test accuracy {accuracy:.3f} (lecture: {LECTURE[hidden]:.2f}), "
          f"training accuracy {histories[hidden].last('train_accuracy'):.3f}")

fig, ax = plt.subplots(figsize=(6.4, 3.8))
for i, (hidden, history) in enumerate(histories.items()):
    ax.plot(history["epoch"], history["val_accuracy"], "o-", color=f"C{i}",
            label=f"{hidden} hidden units, test")
    ax.plot(history["epoch"], history["train_accuracy"], ":", color=f"C{i}",
            label=f"{hidden} hidden units, training")
    ax.axhline(LECTURE[hidden], color=f"C{i}", lw=0.8, ls="--")
low = min(0.85, *(min(h["val_accuracy"]) for h in histories.values()))
ax.set(xlabel="epoch", ylabel="accuracy", ylim=(low, 1.0), xticks=history["epoch"])
ax.legend(fontsize=8, loc="lower right")
ax.grid(alpha=0.3)
ax.set_title(f"{data.name}: 2-layer networks; the lecture's 93% and 97% dashed")
fig.tight_layout()

# %% [markdown]
# **What the figure shows, and why.** Read the dotted lines, the accuracy on
# the training images, against the solid ones, on the test images. With 10
# hidden units both stay low and close together: the network does not fit
# even the images it is trained on, so more data or more epochs would not
# lift its test accuracy much. That is *underfitting*: $W_1$ has $10 \times
# 784$ weights, but every image must pass through 10 numbers $z_1$ before the
# output layer separates 10 classes, too few features for all the ways a
# digit is written. With 32 units the training accuracy climbs well above the
# 10-unit one, and the test accuracy follows: capacity was the limit, which is
# the lecture's 93% against 97%. The small gap that begins to open between the 32-unit
# network's training and test curves is the start of the other side,
# overfitting; [the hidden-units page](08_hidden_units.md) follows it to
# wider networks.
