# %% [markdown]
# # 12. The PyTorch twin
#
# > "Classification with Torch (.ipynb)": the lecture ends by doing the same
# > with PyTorch.
#
# `nnlearn.torch` is the twin: the same networks as `torch.nn.Module`s, with
# the same layers (`Dense` is eq. 1, `Residual` eq. 6), the same parameter
# names and shapes, and the weights copied bit for bit both ways (`to_torch`,
# `from_torch`). `TorchBackend` lets the one training loop, `Trainer`, run
# either engine; `device="auto"` takes a GPU when there is one. Installing it:
# `pip install -e ".[torch]"`.
#
# **The claim, tested (1): one network, two engines.** In float64, on the
# summed loss of eqs. (2) and (7), PyTorch's autograd and Theorem 1 give the
# same gradients.

# %%
import time

import numpy as np
import torch
import torch.nn.functional as F

from nnlearn.engine import mlp
from nnlearn.plots.twin import engine_curves
from nnlearn.torch import from_torch, to_torch
from lecture_data import RECIPE, mnist, train

torch.manual_seed(0)
data = mnist()
net = mlp(data.n_features, [32], data.n_classes, seed=0)
twin = to_torch(net)
print(twin)
back = from_torch(twin)
print("from_torch(to_torch(net)) is bit-identical:",
      all(np.array_equal(a, b) for a, b in zip(net.parameters().values(),
                                                back.parameters().values())))

net64 = net.astype(np.float64)
twin64 = to_torch(net64)
X, y = data.X_train[:256].astype(np.float64), data.y_train[:256]
loss_engine, _ = net64.loss_and_gradients(X, y, reduction="sum")     # Theorem 1
loss_torch = F.cross_entropy(twin64(torch.from_numpy(X)), torch.from_numpy(y), reduction="sum")
loss_torch.backward()                                                # autograd
grads = net64.gradients()
difference = max(float(np.max(np.abs(p.grad.numpy() - grads[name]))
                       / np.max(np.abs(grads[name]))) for name, p in twin64.named_parameters())
print(f"loss: engine {loss_engine:.10f}, torch {loss_torch.item():.10f}; "
      f"gradients: largest relative difference {difference:.1e}")

# %% [markdown]
# **The claim, tested (2): the same training.** The network of
# [the MNIST page](06_mnist.md) (32 hidden units, the same recipe, the same
# seed) trained by both backends through the same `Trainer`: the same initial
# weights, the same batches in the same order. Both compute in float32, so
# rounding differs in the last bits and the runs drift apart only slowly. The
# [report](../reproduce/report.md) compares three seeds of both widths.

# %%
runs = {}
for engine in ("numpy", "torch"):
    net = mlp(data.n_features, [32], data.n_classes, seed=0)
    t0 = time.perf_counter()
    history = train(net, data, backend=engine)
    runs[engine] = {(32, 0): history}
    print(f"{engine:5s}: test accuracy {history.last('val_accuracy'):.4f} "
          f"({time.perf_counter() - t0:.1f} s)")
gap = runs["torch"][(32, 0)].last("val_accuracy") - runs["numpy"][(32, 0)].last("val_accuracy")
print(f"the twin minus the engine: {100 * gap:+.2f} points")
fig = engine_curves(runs, title=f"{data.name}, 32 hidden units: the NumPy engine (solid) and "
                                "the PyTorch twin (dashed)")

# %% [markdown]
# **A plain PyTorch loop.** nnlearn's data are NumPy arrays, so any PyTorch
# code can train the twin: shuffled batches, `F.cross_entropy` (the soft-max
# and the negative log likelihood of eq. 7 in one, through log-sum-exp), and
# `torch.optim.Adam` (here for 2 epochs at a constant rate). `from_torch` brings the trained module back to the engine,
# which predicts the same classes and saves it as every part of nnlearn reads
# it (`nnlearn.save_model`).

# %%
torch.set_num_threads(1)  # a network this small gains nothing from threads (docs/benchmarks.md)
model = to_torch(mlp(data.n_features, [32], data.n_classes, seed=0))
X_train, y_train = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
optimizer = torch.optim.Adam(model.parameters(), lr=RECIPE["lr"])
generator = torch.Generator().manual_seed(0)
for epoch in range(2):
    for batch in torch.randperm(len(y_train), generator=generator).split(RECIPE["batch_size"]):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_train[batch]), y_train[batch])   # mean over the batch
        loss.backward()
        optimizer.step()
with torch.no_grad():
    torch_predictions = model(torch.from_numpy(data.X_test)).argmax(dim=1).numpy()
engine_net = from_torch(model)
same = np.mean(engine_net.predict(data.X_test) == torch_predictions)
accuracy = np.mean(torch_predictions == data.y_test)
print(f"plain PyTorch loop, 2 epochs: test accuracy {accuracy:.3f}; "
      f"the engine predicts the same class for {100 * same:.2f}% of the test images")
