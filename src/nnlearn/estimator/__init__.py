"""``NeuralNetClassifier``: nnlearn's networks as a scikit-learn classifier.

One job per module:

- ``estimator``: the class, its public API (fit, predict, save, load) and docs;
- ``fitting``: what ``fit`` and ``partial_fit`` do, with skorch's seams
  (``_initialize_module``) and the run from ``nnlearn.assembly`` (``_assemble``);
- ``params``: the hyper-parameters as a table of constraints, checked by one loop;
- ``samples``: labels to class indices, sample and class weights;
- ``validation``: what early stopping holds out, and the ``partial_fit`` stopper;
- ``persistence``: nnlearn's one model file format, read and written.
"""

from .estimator import NeuralNetClassifier

__all__ = ["NeuralNetClassifier"]
