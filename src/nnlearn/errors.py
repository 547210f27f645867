"""Errors that nnlearn raises for bad input, each with a message meant for a person."""


class NNLearnError(Exception):
    """Base class: the command line prints these as one line and exits non-zero."""


class DataError(NNLearnError, ValueError):
    """A data set or data file is missing, corrupt, or not what it claims to be."""


class ModelFileError(NNLearnError, ValueError):
    """A model file is corrupt, truncated, or does not match its description."""


class TrainingDiverged(NNLearnError, FloatingPointError):
    """The loss became NaN or infinite during training."""


class TrainingWarning(UserWarning):
    """Training ended, but what it learned is suspect (it blew up, or it learned nothing)."""


class OptionError(DataError, TypeError):
    """An option that the called loader does not take (a ``TypeError``, as Python's own)."""


class OutputError(NNLearnError, ValueError):
    """A path nnlearn was asked to write and refuses: a link, a device or FIFO, an input."""


class MissingExtraError(NNLearnError, ImportError):
    """An option needs an optional dependency (an extra) that is not installed."""
