"""One open page: its settings, data, network and training run, and the messages it handles.

``Session.handle(message)`` takes one decoded message from the page and returns
the replies to send. It never raises for anything the page can send: a bad
message gets an ``error`` reply and changes nothing.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from pathlib import Path

from ..errors import DataError
from ..limits import MIN_SAMPLE_INTERVAL_S
from ..training.modelio import save_model
from . import data as playdata
from .frames import metrics
from .memory import give_back
from .model import build, describe, export_network
from .runner import LIVE, MAX_SNAPSHOTS, Pace, PageTrainer, initial_gradients
from .settings import (DEFAULTS, UPLOAD, as_json, display, fit_to_data, network_spec,
                       parameter_count, unused, validate)

DATA_KEYS = ("data", "classes", "points", "noise", "test_fraction", "seed")
COMMANDS = ("settings", "start", "pause", "step", "reset", "sample", "upload", "ping", "pace",
            "view")
#: seconds a rebuild waits for the replaced run's thread to end (it ends within one step)
STOP_WAIT_S = 30.0


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
        self.pace = Pace()
        self.offsets: list[int] = []  # each drawn layer's first unit in the network view
        self._lock = threading.Lock()  # one command at a time
        self._sampled = -float("inf")  # when the last new sample was drawn (time.monotonic)
        self.seq: int | None = None  # the page's number of the last settings message taken
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
                self._answer(message.get("seq"))
                return self.apply(message.get("settings"))
            if kind == "upload":
                return self.load_upload(message.get("name"), message.get("text"))
            if kind == "pace":
                return self.set_pace(message)
            if kind == "view":
                return self.set_view(message.get("offsets"))
            if self.runner is None:  # nothing built yet: build the defaults first
                replies = self.apply({})
                return replies + self._command(kind)
            return self._command(kind)

    def _command(self, kind) -> list[dict]:
        if kind == "sample":
            now = time.monotonic()
            if now - self._sampled < MIN_SAMPLE_INTERVAL_S:  # a flood: one sample at a time
                return [error(f"new samples are drawn at most "
                              f"{1 / MIN_SAMPLE_INTERVAL_S:g} times a second; this one was "
                              f"skipped")]
            self._sampled = now
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
        live = self._live(new)
        self.settings = new
        if data_changed:
            replies.append({"type": "data", "name": data.name, "classes": data.classes,
                            "domain": data.domain, "points": data.points()})
        self.data = data
        replies.insert(0, self._settings_reply(messages))
        if live and self.runner is not None:
            self.runner.change(new, data)  # the run goes on with them: no new weights
            # a running page gets its next frame anyway; a waiting one is shown the change
            return replies + ([] if self.runner.state == "running" else [self.runner.frame()])
        return replies + self.rebuild(keep_running=True)

    def _live(self, new) -> bool:
        """Whether ``new`` differs from the settings in use only in ``LIVE`` ones that the
        current run can take while it trains (L-BFGS runs SciPy's loop: not in steps)."""
        if self.runner is None or self.runner.state in ("done", "failed", "stopped"):
            return False
        changed = {k for k in new if new[k] != self.settings[k]}
        return changed <= set(LIVE) and new["optimizer"] != "lbfgs"

    def set_pace(self, message) -> list[dict]:
        """``{"type": "pace", "steps_per_frame": k, "stop_at": n, "snapshots": [...]}``."""
        try:
            k = int(message.get("steps_per_frame") or 0)
            stop_at = int(message.get("stop_at") or 0)
            shots = message.get("snapshots") or []
            if not isinstance(shots, list) or len(shots) > MAX_SNAPSHOTS:
                raise ValueError(f"snapshots: a list of at most {MAX_SNAPSHOTS} iterations")
            snapshots = tuple(sorted({int(v) for v in shots}))
        except (TypeError, ValueError) as err:
            return [error(f"pace: {err}")]
        if k < 0 or stop_at < 0 or any(v < 1 for v in snapshots):
            return [error("pace: steps per frame, stop at and snapshots must be >= 0")]
        self.pace = Pace(k, stop_at, snapshots)
        if self.runner is not None:
            self.runner.set_pace(self.pace)
        return [{"type": "pace", "steps_per_frame": k, "stop_at": stop_at,
                 "snapshots": list(snapshots)}]

    def set_view(self, offsets) -> list[dict]:
        """Each drawn layer's first unit (``units.clamp_offsets`` keeps them in range)."""
        if not isinstance(offsets, list) or len(offsets) > 64:
            return [error("view: offsets must be a list of at most 64 numbers")]
        self.offsets = [v if isinstance(v, int) else 0 for v in offsets]
        if self.runner is not None:
            self.runner.set_offsets(self.offsets)
            if self.runner.state != "running":
                return [self.runner.frame()]
        return []

    def _answer(self, seq) -> None:
        """Note the page's number of a settings message (a whole number, else none)."""
        ok = isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**53
        self.seq = seq if ok else None

    def _settings_reply(self, messages) -> dict:
        """The settings in use. ``seq`` is the number the page gave its last settings
        message: a reply to an earlier one, still on its way when the page sent the next,
        must not put the earlier values back into the controls (``playground.js``)."""
        s = self.settings
        n_classes = self.data.n_classes if self.data is not None else None
        reply = {"type": "settings", "settings": as_json(s), "messages": messages,
                 "url": {k: display(k, v) for k, v in s.items() if k not in unused(s)},
                 "parameters": parameter_count(s, n_classes)}
        if self.seq is not None:
            reply["seq"] = self.seq
        return reply

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
        running, old = self.runner is not None and self.runner.state == "running", self.runner
        self._stop_runner()
        if old is not None:  # one run alive per page: a flood of rebuilds cannot pile runs up
            old.join(STOP_WAIT_S)
        data = self._current_data()
        network = build(self.settings, data.n_classes, seed=self.settings["seed"] + 1)
        initial_gradients(network, data)
        notes = []
        try:
            runner = PageTrainer(network, data, self.settings, self._forward, pace=self.pace,
                                 offsets=self.offsets)
        except ImportError as err:  # backend=torch where PyTorch cannot be imported
            self.settings["backend"] = "numpy"
            notes.append(self._settings_reply([f"backend: {err}; using numpy"]))
            runner = PageTrainer(network, data, self.settings, self._forward, pace=self.pace,
                                 offsets=self.offsets)
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
        """The current network for the original coordinates, labels and the test
        split's confusion counts in its metadata."""
        runner = self.runner
        if runner is None:
            raise DataError("nothing to export yet")
        data = runner.data
        with runner.backend.lock:
            trained = runner.network
            network = export_network(trained, data, network_spec(self.settings, data.n_classes))
            network.metadata["confusion_test"] = metrics(trained, data)["confusion"]
            return network, runner.trainer.iteration

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
        d, counts = self._current_data(), network.metadata["confusion_test"]
        fig = decision_regions({iteration: network}, d.X_train, d.y_train,
                               n_classes=d.n_classes, resolution=200,
                               title=f"{d.name}: decision regions; test confusion (rows: "
                                     f"true class) {counts}", ncols=1)
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
