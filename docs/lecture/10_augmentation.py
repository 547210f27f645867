# %% [markdown]
# # 10. Data augmentation
#
# > "Data Augmentation" (the lecture's heading, between the shifted test images
# > and the panels of less training data).
#
# The lecture names the remedy for both kinds of overfitting it shows: train on
# shifted copies of the images. `RandomShift(2)` moves every image of every
# training batch by its own random $(dx, dy)$ in $[-2, 2]$ pixels, drawn from
# the training loop's seeded generator, so the network never sees a digit at
# exactly the same place twice. `Trainer.fit(..., transform=...)` applies it;
# on the command line it is `nnlearn train --augment-shift 2`.
#
# **The claim, tested.** 32 hidden units trained with and without augmentation
# on all the training images and on 1000 of them (the quick setting; the
# [report](../reproduce/report.md) trains every size of [less data](09_less_data.md)
# with each of its seeds), then tested on images shifted right by 0 to 4 pixels.
#
# **Live in the playground** (`nnlearn playground`, then open
# [`?preset=rings`](http://127.0.0.1:8765/?preset=rings)): noise as augmentation: move the
# Noise slider while it trains (a new sample, the run goes on) and watch the regions follow.

# %%
from dataclasses import replace

import numpy as np

from nnlearn.data import RandomShift, shift, subset
from nnlearn.engine import mlp
from nnlearn.plots.shifts import shift_curves
from nnlearn.experiments.lecture import mnist, train

data = mnist()
PIXELS = [0, 1, 2, 3, 4]
small = replace(data, **dict(zip(("X_train", "y_train"),
                                 subset(data.X_train, data.y_train, 1000, 0))))
curves = {}
for name, part, epochs in (("all images", data, 5), ("1000 images", small, 40)):
    for augment in (False, True):
        transform = RandomShift(2, image_shape=data.image_shape) if augment else None
        net = mlp(data.n_features, [32], data.n_classes, seed=0)
        train(net, part, epochs=epochs, transform=transform)
        label = f"{name}, {'with' if augment else 'without'} augmentation"
        curves[label] = [np.mean(net.predict(shift(data.X_test, p, 0,
                                                   image_shape=data.image_shape))
                                 == data.y_test) for p in PIXELS]
        print(f"{label:38s} test accuracy: clean {curves[label][0]:.3f}, "
              f"shifted 2 pixels {curves[label][2]:.3f}")

fig = shift_curves(PIXELS, curves, pair_styles=True,
                   title=f"{data.name}, 32 hidden units: augmentation by random shifts of up "
                         "to 2 pixels")
