"""The lecture's mathematics in NumPy: layers, losses, back propagation, optimisers.

Nothing here imports from the rest of nnlearn.
"""

from .activations import ACTIVATIONS
from .gradcheck import gradcheck
from .layers import Dense, Dropout, Layer, Residual
from .losses import evaluate_logits, log_softmax, logsumexp, nll, softmax
from .architectures import mlp, resnet
from .network import Network
from .optim import SGD, Adam
from .optim import make_optimizer
from .schedules import make_schedule

__all__ = ["ACTIVATIONS", "Adam", "Dense", "Dropout", "Layer", "Network", "Residual", "SGD",
           "evaluate_logits", "gradcheck", "log_softmax", "logsumexp", "make_optimizer",
           "make_schedule", "mlp", "nll", "resnet", "softmax"]
