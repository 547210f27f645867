"""The record of a training run: one row per epoch and, on request, per iteration."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np

from ..fileio import write_text

EPOCH_COLUMNS = ("epoch", "iteration", "train_loss", "train_accuracy", "val_loss",
                 "val_accuracy", "lr", "time")
ITERATION_COLUMNS = ("iteration", "epoch", "loss", "accuracy", "lr")


class History:
    """Columns of numbers, filled as training goes.

    ``history["train_loss"]`` is the epoch column as an array; ``history.epochs``
    and ``history.iterations`` are the raw dicts of lists. When validation data
    is given, an epoch row holds the loss and accuracy on the whole training set
    and on the validation data, both at the epoch's end (the same parameters);
    without it, the mean loss and accuracy of the training batches seen in that
    epoch (each taken before its step). Missing values (no validation data) are NaN.

    Attributes
    ----------
    epochs : dict of str to list
        One list per column of ``EPOCH_COLUMNS``: ``epoch``, ``iteration``,
        ``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``,
        ``lr``, ``time`` (seconds since the start of the ``fit``).
    iterations : dict of str to list
        One list per column of ``ITERATION_COLUMNS`` (``iteration``, ``epoch``,
        ``loss``, ``accuracy``, ``lr``), filled with ``record_iterations``.
    """

    def __init__(self):
        self.epochs: dict[str, list] = {c: [] for c in EPOCH_COLUMNS}
        self.iterations: dict[str, list] = {c: [] for c in ITERATION_COLUMNS}

    def record_epoch(self, **row) -> None:
        """Append an epoch row; columns not given are NaN.

        Parameters
        ----------
        **row
            Values by column name, from ``EPOCH_COLUMNS``; another name is a ``KeyError``.
        """
        unknown = set(row) - set(EPOCH_COLUMNS)
        if unknown:
            raise KeyError(f"unknown history columns {sorted(unknown)}")
        for column in EPOCH_COLUMNS:
            self.epochs[column].append(row.get(column, math.nan))

    def record_iteration(self, iteration, epoch, loss, accuracy, lr) -> None:
        """Append an iteration row: one optimiser step's batch.

        Parameters
        ----------
        iteration, epoch : int
            The step (counted from 1) and the epoch it belongs to.
        loss, accuracy : float
            The batch's mean loss before the step, and its accuracy.
        lr : float
            The step's learning rate.
        """
        for column, value in zip(ITERATION_COLUMNS, (iteration, epoch, loss, accuracy, lr)):
            self.iterations[column].append(value)

    def __getitem__(self, column: str) -> np.ndarray:
        return np.asarray(self.epochs[column], dtype=float)

    def __len__(self) -> int:
        return len(self.epochs["epoch"])

    def last(self, column: str) -> float:
        """The last epoch's value of ``column``, NaN before the first epoch.

        Parameters
        ----------
        column : str

        Returns
        -------
        float
        """
        values = self.epochs[column]
        return values[-1] if values else math.nan

    def has_validation(self) -> bool:
        """Whether any epoch was evaluated on validation data.

        Returns
        -------
        bool
        """
        return any(not math.isnan(v) for v in self.epochs["val_loss"])

    # -- files ------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Both tables, ``{"epochs": {...}, "iterations": {...}}`` (the lists themselves).

        Returns
        -------
        dict
        """
        return {"epochs": self.epochs, "iterations": self.iterations}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        """The history ``to_dict`` described (``iterations`` may be missing).

        Parameters
        ----------
        data : dict

        Returns
        -------
        History
        """
        history = cls()
        for column in EPOCH_COLUMNS:
            history.epochs[column] = list(data["epochs"][column])
        for column in ITERATION_COLUMNS:
            history.iterations[column] = list(data.get("iterations", {}).get(column, []))
        return history

    def to_json(self, path) -> None:
        """Write both tables as JSON, atomically, missing values as ``null``.

        Parameters
        ----------
        path : str or Path
        """
        # NaN is not JSON: missing values are written as null.
        def clean(d):
            return {k: [None if isinstance(v, float) and math.isnan(v) else v for v in vs]
                    for k, vs in d.items()}
        write_text(path, json.dumps({"epochs": clean(self.epochs),
                                     "iterations": clean(self.iterations)}, indent=1))

    @classmethod
    def from_json(cls, path) -> History:
        """Read a file written by ``to_json``.

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        History
        """
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        for table in data.values():
            for column, values in table.items():
                table[column] = [math.nan if v is None else v for v in values]
        return cls.from_dict(data)

    def to_csv(self, path, table="epochs") -> None:
        """Write a table as CSV with a header row, atomically.

        Parameters
        ----------
        path : str or Path
        table : {"epochs", "iterations"}
        """
        data = self.epochs if table == "epochs" else self.iterations
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(data.keys())
        writer.writerows(zip(*data.values()))
        write_text(path, out.getvalue())

    def __repr__(self):
        return (f"History({len(self)} epochs, {len(self.iterations['iteration'])} "
                f"iteration rows)")
