"""nnlearn: classification with neural networks, from the lecture's equations to the GPU."""

from .engine import Network, gradcheck, mlp, resnet

__version__ = "0.1.0"

__all__ = ["Network", "__version__", "gradcheck", "mlp", "resnet"]
