"""Every figure nnlearn draws (matplotlib, no screen needed), one module per kind."""

from .base import CLASS_COLOURS, save_figure
from .confusion import confusion_matrix
from .curves import iteration_curves, learning_curves
from .images import image_grid
from .network import network_diagram
from .regions import decision_regions

__all__ = ["CLASS_COLOURS", "confusion_matrix", "decision_regions", "image_grid",
           "iteration_curves", "learning_curves", "network_diagram", "save_figure"]
