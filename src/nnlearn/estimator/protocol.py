"""What scikit-learn asks of an estimator beyond fit and predict: its tags, and a
pickled state that any machine can read."""

from __future__ import annotations

from ..training.backend import NumpyBackend


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
        state = super().__getstate__()
        trainer = state.get("_trainer")
        if trainer is not None and not isinstance(trainer.backend, NumpyBackend):
            # A torch backend holds device tensors that a machine without that
            # device could not unpickle; network_ holds everything prediction
            # needs, and a later partial_fit or warm start rebuilds the backend
            # from it (with a fresh optimiser state).
            state = {**state, "_trainer": None}
        return state
