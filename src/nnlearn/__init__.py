"""nnlearn: classification with neural networks, from the lecture's equations to the GPU."""

from .engine import Network, gradcheck, mlp, resnet
from .estimator import NeuralNetClassifier

__version__ = "0.1.0"

__all__ = ["NeuralNetClassifier", "Network", "__version__", "gradcheck", "mlp", "resnet"]
