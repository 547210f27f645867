"""Training: the loop, its callbacks and history, the backend seam, model files."""

from .backend import Backend, NumpyBackend
from .callbacks import (Callback, Checkpoint, DivergenceCheck, EarlyStopping, GracefulStop,
                        LambdaCallback, PrintLoss, ProgressBar, Snapshots)
from .history import History
from .modelio import class_labels, load_model, save_model
from .config import TrainConfig, check_arrays
from .trainer import Trainer

__all__ = ["Backend", "Callback", "Checkpoint", "DivergenceCheck", "EarlyStopping",
           "GracefulStop", "History", "LambdaCallback",
           "NumpyBackend", "PrintLoss", "ProgressBar", "Snapshots", "TrainConfig", "Trainer",
           "check_arrays",
           "class_labels", "load_model", "save_model"]
