"""One open page: its settings, data, network and training run, and the messages it handles.

``Session.handle(message)`` takes one decoded message from the page and returns
the replies to send. It never raises for anything the page can send: a bad
message gets an ``error`` reply and changes nothing.
"""

from __future__ import annotations

import io
import tempfile
import threading
from pathlib import Path

from ..errors import DataError
from ..training.modelio import save_model
from . import data as playdata
from .memory import give_back
from .model import build, describe, export_network
from .runner import PageTrainer, initial_gradients
from .settings import (DEFAULTS, UPLOAD, as_json, display, fit_to_data, network_spec,
                       parameter_count, validate)

DATA_KEYS = ("data", "classes", "points", "noise", "test_fraction", "seed")
COMMANDS = ("settings", "start", "pause", "step", "reset", "sample", "upload", "ping")


def error(message: str) -> dict:
    return {"type": "error", "message": " ".join(str(message).split())[:500]}


class Session:
    """State of one page. ``publish(frame)`` is called from the training thread."""

    def __init__(self, publish, token: str = ""):
        self.token = token
        self.publish = publish
        self.settings = dict(DEFAULTS)
        self.upload: tuple | None = None  # (name, X, y, classes) of the user's file
        self.data: playdata.PlayData | None = None
        self.runner: PageTrainer | None = None
        self._lock = threading.Lock()  # one command at a time
        self.closed = False

    # -- messages --------------------------------------------------------------------
    def handle(self, message) -> list[dict]:
        """Replies to one message ``{"type": ..., ...}`` from the page."""
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return [error('a message must be a JSON object with a "type"')]
        kind = message["type"]
        if kind not in COMMANDS:
            return [error(f"unknown message type {kind[:40]!r}; known: {', '.join(COMMANDS)}")]
        with self._lock:
            if self.closed:
                return []
            if kind == "ping":
                return [{"type": "pong"}]
            if kind == "settings":
                return self.apply(message.get("settings"))
            if kind == "upload":
                return self.load_upload(message.get("name"), message.get("text"))
            if self.runner is None:  # nothing built yet: build the defaults first
                replies = self.apply({})
                return replies + self._command(kind)
            return self._command(kind)

    def _command(self, kind) -> list[dict]:
        if kind == "sample":
            return self.apply({"seed": (self.settings["seed"] + 1) % 2**31})
        if kind == "reset":
            return self.rebuild(keep_running=False)
        runner = self.runner
        if runner is None:  # handle() builds one first
            return [error("nothing to run yet")]
        note = {"start": runner.start, "step": runner.step, "pause": runner.pause}[kind]()
        # A pause takes effect after the current iteration; its frame follows.
        state = "paused" if kind == "pause" and runner.state == "running" else runner.state
        replies = [{"type": "state", "state": state, "run": runner.id}]
        return replies + ([error(note)] if note else [])

    # -- settings, data, network ----------------------------------------------------------
    def apply(self, changes) -> list[dict]:
        """Validate ``changes``; rebuild what they touch; reply with the clean settings."""
        new, messages = validate(changes if changes is not None else {}, self.settings)
        if new["data"] == UPLOAD and self.upload is None:
            messages.append("data: no file uploaded yet; choose a CSV file first")
            new["data"] = self.settings["data"] if self.settings["data"] != UPLOAD else "rings"
        replies = []
        data_changed = self.data is None or any(new[k] != self.settings[k] for k in DATA_KEYS)
        try:
            data = self._make_data(new) if data_changed or self.data is None else self.data
        except DataError as err:
            return [self._settings_reply(messages), error(str(err))]
        if data.n_classes != new["classes"] and new["data"] != UPLOAD:
            new["classes"] = data.n_classes
        # the caps, again, on what will be built: this data's classes and training rows
        fit_to_data(new, data.n_classes, len(data.X_train), self.settings, messages)
        self.settings = new
        if data_changed:
            self.data = data
            replies.append({"type": "data", "name": data.name, "classes": data.classes,
                            "domain": data.domain, "points": data.points()})
        replies.insert(0, self._settings_reply(messages))
        return replies + self.rebuild(keep_running=True)

    def _settings_reply(self, messages) -> dict:
        s = self.settings
        n_classes = self.data.n_classes if self.data is not None else None
        return {"type": "settings", "settings": as_json(s), "messages": messages,
                "url": {k: display(k, v) for k, v in s.items()},
                "parameters": parameter_count(s, n_classes)}

    def _make_data(self, s) -> playdata.PlayData:
        if s["data"] == UPLOAD:
            if self.upload is None:
                raise DataError("no file uploaded yet; choose a CSV file first")
            name, X, y, classes = self.upload
            return playdata.split(name, X, y, classes, s)
        return playdata.toy_sample(s)

    def load_upload(self, name, text) -> list[dict]:
        try:
            upload = playdata.read_upload(name, text)
        except DataError as err:
            return [error(str(err))]
        previous = self.upload, self.data
        # no data: apply() draws a new split even when the data was already an upload
        self.upload, self.data = upload, None
        replies = self.apply({"data": UPLOAD})
        if self.data is None:  # the file could not be split: keep what the page had
            self.upload, self.data = previous
        return replies

    def rebuild(self, keep_running=False) -> list[dict]:
        """A fresh network and run for the current settings (the old run is stopped)."""
        running = self.runner is not None and self.runner.state == "running"
        self._stop_runner()
        data = self._current_data()
        network = build(self.settings, data.n_classes, seed=self.settings["seed"] + 1)
        initial_gradients(network, data)
        notes = []
        try:
            runner = PageTrainer(network, data, self.settings, self._forward)
        except ImportError as err:  # backend=torch where PyTorch cannot be imported
            self.settings["backend"] = "numpy"
            notes.append(self._settings_reply([f"backend: {err}; using numpy"]))
            runner = PageTrainer(network, data, self.settings, self._forward)
        self.runner = runner
        replies = [*notes, {"type": "network", "run": runner.id, "layers": describe(network),
                            "parameters": network.n_parameters()}, runner.frame()]
        if keep_running and running:
            runner.start()
            replies.append({"type": "state", "state": runner.state, "run": runner.id})
        return replies

    def _current_data(self) -> playdata.PlayData:
        if self.data is None:
            raise DataError("no data yet: choose a data set or upload a file")
        return self.data

    def _forward(self, frame):
        runner = self.runner
        if runner is not None and frame.get("run") == runner.id and not self.closed:
            self.publish(frame)

    def _stop_runner(self):
        if self.runner is not None:
            self.runner.stop()

    # -- exports -------------------------------------------------------------------
    def export_network(self):
        """The current network for the original coordinates, labels in its metadata."""
        runner = self.runner
        if runner is None:
            raise DataError("nothing to export yet")
        with runner.backend.lock:
            data = self._current_data()
            return export_network(runner.network, data,
                                  network_spec(self.settings, data.n_classes)), \
                runner.trainer.iteration

    def model_bytes(self, suffix=".npz") -> bytes:
        """The model file, as ``nnlearn train`` writes it (``save_model``)."""
        network, _ = self.export_network()
        with tempfile.TemporaryDirectory(prefix="nnlearn-export-") as tmp:
            path = save_model(network, Path(tmp) / f"model{suffix}")
            return path.read_bytes()

    def regions_png(self) -> bytes:
        """The decision regions with the training points, as ``nnlearn train`` draws them."""
        from ..plots.regions import decision_regions  # matplotlib: only when asked
        network, iteration = self.export_network()
        d = self._current_data()
        fig = decision_regions({iteration: network}, d.X_train, d.y_train,
                               n_classes=d.n_classes, resolution=200,
                               title=f"{d.name}: decision regions", ncols=1)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=200, bbox_inches="tight")
        fig.clf()
        import matplotlib.pyplot as plt
        plt.close(fig)
        return buffer.getvalue()

    def close(self, wait: float = 30.0) -> None:
        """Stop training, let go of the data and the network, and give the memory back
        to the system (``memory.give_back``) once the training thread has ended (it
        ends after its current iteration; ``wait`` bounds how long to wait for it)."""
        with self._lock:
            self.closed = True
            runner = self.runner
            self._stop_runner()
            self.runner = self.data = self.upload = None
        if runner is not None:
            runner.join(wait)
        del runner
        give_back()
