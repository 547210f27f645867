"""What scikit-learn asks of an estimator beyond fit and predict: its tags, and a
pickled state that any machine can read."""

from __future__ import annotations


class EstimatorProtocol:
    """``__sklearn_tags__`` and ``__getstate__`` of ``NeuralNetClassifier``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Dense or SciPy sparse numeric input (sparse stays sparse: engine/sparse.py);
        # NaN and inf are refused by validate_data.
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        # One label per sample, any number of classes (the soft-max has one output each).
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = False
        # Fitting on a GPU may not be bit-reproducible (cuBLAS reductions); the
        # NumPy engine and PyTorch on the CPU are, given random_state.
        tags.non_deterministic = self.backend == "torch" and self.device != "cpu"
        return tags

    def __getstate__(self):
        # A pickle is the fitted model: network_ (its parameters; no forward cache,
        # see Layer.__getstate__), the learned attributes and the hyper-parameters.
        # Never rows of the training data, and within twice the parameters'
        # size plus the metadata: so not the Trainer, whose optimiser state is
        # as large again (Adam's two moments) and whose early-stopping callback
        # keeps a copy of the best parameters; and a torch backend holds device
        # tensors that a machine without that device could not unpickle. A later
        # partial_fit or warm start rebuilds the trainer from network_, with a
        # fresh optimiser state (the history and counters are kept).
        state = super().__getstate__()
        return {**state, "_trainer": None}
