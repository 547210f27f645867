"""nnlearn: classification with neural networks, from the lecture's equations to the GPU.

The pieces (see the README for a tour):

- ``nnlearn.engine``: the lecture's mathematics in NumPy (eqs. 1-7, Theorem 1).
- ``nnlearn.training``: the training loop, callbacks, history, model files.
- ``nnlearn.data``: toy sets, MNIST, Fashion-MNIST, digits, CSV/NPZ files, transforms.
- ``nnlearn.NeuralNetClassifier``: the scikit-learn estimator.
- ``nnlearn.torch``: the PyTorch twin (needs the ``torch`` extra).
"""

from .engine import Network, gradcheck, mlp, resnet

__version__ = "0.1.0"

__all__ = ["NeuralNetClassifier", "Network", "__version__", "gradcheck", "load_model", "mlp",
           "resnet", "save_model"]


def __getattr__(name):
    # The estimator imports scikit-learn (about a second) and the training package the
    # loop and model files: only when asked for, so that the command line, the engine
    # and the network description start fast.
    if name == "NeuralNetClassifier":
        from .estimator import NeuralNetClassifier
        return NeuralNetClassifier
    if name in ("load_model", "save_model"):
        from . import training
        return getattr(training, name)
    raise AttributeError(f"module 'nnlearn' has no attribute {name!r}")
