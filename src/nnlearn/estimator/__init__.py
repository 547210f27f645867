"""``NeuralNetClassifier``: nnlearn's networks as a scikit-learn classifier."""

from .estimator import NeuralNetClassifier

__all__ = ["NeuralNetClassifier"]
