# %% [markdown]
# # 9. Less data, more overfitting
#
# > "Overfitting with less training data. 32 hidden nodes." Panels: (a) 60000
# > training images, (b) 10000, (c) 1000, (d) 100.
#
# The lecture's panels show training and test accuracy per epoch: with fewer
# images the network still fits its training set, while test accuracy stays
# lower, and the gap between the two grows. `subset(X, y, n)` keeps a
# stratified subset (as equal a number of each class as the classes allow).
#
# **The claim, tested.** 32 hidden units on each size, the smaller sets
# trained for more epochs so that each fits its training set (the quick
# setting here; the [report](../reproduce/report.md) runs 20 to 150 epochs and
# each of its seeds).
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=width`](http://127.0.0.1:8765/?preset=width)): fewer points: lower Points and
# watch the gap between the train and test curves (log iteration axis) and the confusion
# matrix.

# %%
from dataclasses import replace

from nnlearn.data import subset
from nnlearn.engine import mlp
from nnlearn.plots.panels import size_panels
from nnlearn.experiments.lecture import mnist, train

data = mnist()
PLAN = {60000: 5, 10000: 10, 1000: 40, 100: 100}   # training images -> epochs
gaps, panels = {}, {}
for n, epochs in PLAN.items():
    if n > len(data.y_train):
        continue                                   # the 8x8 digits have 1437 training images
    X, y = subset(data.X_train, data.y_train, n, 0) if n < len(data.y_train) else (
        data.X_train, data.y_train)
    net = mlp(data.n_features, [32], data.n_classes, seed=0)
    history = train(net, replace(data, X_train=X, y_train=y), epochs=epochs)
    gaps[n] = history.last("train_accuracy") - history.last("val_accuracy")
    panels[f"{n} training images"] = [history]
    print(f"{n:5d} training images: training accuracy {history.last('train_accuracy'):.3f}, "
          f"test accuracy {history.last('val_accuracy'):.3f}, gap {100 * gaps[n]:.1f} points")

fig = size_panels(panels, title=f"{data.name}, 32 hidden units: training and test accuracy "
                                "per epoch")
