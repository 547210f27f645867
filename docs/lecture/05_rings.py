# %% [markdown]
# # 5. The rings and the training figure
#
# > Figure 2: "Synthetic data on rings consisting of two classes."
# >
# > Training: "2-Layer 100-hidden units", panels (a) to (f): iterations 50,
# > 150, 250, 350, 500 and 3000.
#
# The lecture's network: $L = 2$ weight layers, one hidden layer of 100 units
# (ReLU), trained by gradient descent on the whole training set at every step,
# eq. (2). nnlearn minimises the *mean* loss rather than the sum, so its
# learning rate 0.1 is the lecture's $0.1 / m$ on the summed loss.
# `Snapshots` keeps a copy of the network after the chosen iterations.
#
# The same from the command line, as the README's quick start runs it:
# `nnlearn train --data rings --hidden 100 --iterations 3000 --snapshots 50,150,250,350,500,3000 --out runs/rings`.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=lecture-rings`](http://127.0.0.1:8765/?preset=lecture-rings)): the lecture's
# recipe, trained on the page, with the decision regions frozen at iterations 50, 150, 250,
# 500, 1000 and 3000 beside the live view.

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlearn.data import load
from nnlearn.engine import make_optimizer, mlp
from nnlearn.plots import CLASS_COLOURS, decision_regions, learning_curves, network_diagram
from nnlearn.training import NumpyBackend, Snapshots, TrainConfig, Trainer

rings = load("rings")
print(rings)
fig, ax = plt.subplots(figsize=(4.2, 4.2))
for c in range(rings.n_classes):
    ax.scatter(*rings.X_train[rings.y_train == c].T, s=6, color=CLASS_COLOURS[c],
               label=f"class {rings.classes[c]}")
ax.set(aspect="equal", xlabel="feature 1", ylabel="feature 2")
ax.legend(loc="upper right", fontsize=8)
ax.set_title("Figure 2: the rings, two classes (training points)")

# %% [markdown]
# **The claim, tested.** The panels show the regions growing into the rings,
# and no training error by iteration 3000.

# %%
AT = [50, 150, 250, 350, 500, 3000]
net = mlp(2, [100], 2, activation="relu", seed=0)
snapshots = Snapshots(AT)
trainer = Trainer(NumpyBackend(net, make_optimizer("gd")),
                  TrainConfig(iterations=3000, lr=0.1, progress=False), callbacks=[snapshots])
history = trainer.fit(rings.X_train, rings.y_train,
                      validation_data=(rings.X_test, rings.y_test))
for i, snapshot in snapshots.snapshots.items():
    train = np.mean(snapshot.predict(rings.X_train) == rings.y_train)
    test = np.mean(snapshot.predict(rings.X_test) == rings.y_test)
    print(f"iteration {i:4d}: training accuracy {train:.3f}, test accuracy {test:.3f}")

title = "rings: 2-layer, 100 hidden units; gd, lr 0.1, full batch"
fig = decision_regions(snapshots.snapshots, rings.X_train, rings.y_train, classes=rings.classes,
                       title=title)

# %% [markdown]
# The loss and accuracy of every iteration (each is one epoch: the whole
# training set), on the training points and on a test sample drawn with another
# seed.

# %%
fig = learning_curves(history, title=title)

# %% [markdown]
# The trained network drawn as Figure 1, its weights on the edges (red
# positive, blue negative): each hidden unit is a half-plane
# $\{x : W_1[j] x + b_1[j] > 0\}$, and the output layer adds them up into the
# rings.

# %%
fig = network_diagram(net, title="The trained rings network: n = (2, 100, 2)")
