"""Training in a thread of its own, built on the ``Trainer``: start, pause, step, stop.

One ``PageTrainer`` trains one network for one page. It is a ``Callback``: after
every iteration the training loop calls ``on_iteration_end``, where the runner
publishes a frame when one is due, and waits while the page has paused it. So
the loop, the schedule and the optimiser are exactly those of ``nnlearn
train``; the runner only decides when to look and when to wait.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time

import numpy as np

from ..assembly import Seeds, assemble
from ..engine.network import Network
from ..errors import TrainingDiverged
from ..training.backend import Backend
from ..training.callbacks import Callback, DivergenceCheck
from .data import PlayData
from .frames import frame

log = logging.getLogger(__name__)
FPS = 25  # frames a second while training, at most
_ids = itertools.count(1)


class LockedBackend:
    """Any backend, whose updates hold ``lock``, so that another thread (a frame, an
    export) never reads half-updated weights. Everything else is the backend's own:
    it is driven through the ``Backend`` protocol only."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.lock = threading.RLock()

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def train_step(self, X, y, sample_weight, lr):
        with self.lock:
            return self.backend.train_step(X, y, sample_weight, lr)

    def train_rows(self, rows, sample_weight, lr):
        with self.lock:
            return self.backend.train_rows(rows, sample_weight, lr)

    def loss_and_flat_gradient(self, theta, X, y, sample_weight):
        with self.lock:
            return self.backend.loss_and_flat_gradient(theta, X, y, sample_weight)


class VerdictUnlessStopped(DivergenceCheck):
    """The ``Trainer``'s ``DivergenceCheck``, without its verdict at the end when the
    page stopped the run: a run cut short by a new setting has not "learned
    nothing", it was replaced."""

    def __init__(self, runner: PageTrainer):
        super().__init__()
        self.runner = runner

    def on_train_end(self, trainer):
        if not self.runner.stopped:
            super().on_train_end(trainer)


class PageTrainer(Callback):
    """Trains ``network`` on ``data`` as ``settings`` say; ``publish(frame)`` receives frames.

    ``state`` is ``ready`` (not started), ``running``, ``paused``, ``done`` (all
    iterations run), ``failed`` (diverged; ``message`` says why) or ``stopped``.
    """

    def __init__(self, network: Network, data: PlayData, settings: dict, publish, *, fps=FPS):
        self.id = next(_ids)
        self.data, self.publish = data, publish
        run = assemble(None, settings, seeds=Seeds.same(settings["seed"]), network=network,
                       callbacks=[self])
        self.lr = run.config.lr
        self.dtype = network.dtype
        self.backend = LockedBackend(run.backend)
        self.trainer = run.trainer.reconfigure(backend=self.backend)
        self.trainer.set_callback("divergence", VerdictUnlessStopped(self))
        self.min_interval = 1.0 / fps
        self.state, self.message = "ready", None
        self._cond = threading.Condition()
        self._budget: int | None = 0  # None: run on; k > 0: k more steps, then pause
        self._stop = False
        self._thread: threading.Thread | None = None
        self._last_frame, self._frame_cost = 0.0, 0.0

    # -- commands (from the page's thread) ---------------------------------------------
    def start(self) -> str | None:
        """Run until paused; returns a message instead when the run is over."""
        return self._go(None)

    def step(self) -> str | None:
        """One iteration, then pause."""
        return self._go(1)

    def _go(self, budget):
        with self._cond:
            if self.state in ("done", "failed", "stopped"):
                why = {"done": "has run all its iterations", "failed": "has failed",
                       "stopped": "was stopped"}[self.state]
                return f"this run {why}; press Reset (or change a setting) to train again"
            self._budget = budget
            self.state = "running"
            self._cond.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name=f"nnlearn-playground-{self.id}")
                self._thread.start()
        return None

    def pause(self) -> None:
        with self._cond:
            if self.state == "running":
                self._budget = 0  # the loop pauses after its current iteration

    def stop(self) -> None:
        """End training at the next iteration; the thread then exits and lets go of everything."""
        with self._cond:
            self._stop = True
            if self.state in ("ready", "running", "paused"):
                self.state = "stopped"
            self._cond.notify_all()

    def join(self, timeout=None) -> bool:
        """Wait for the thread to end; True when it has (or never started)."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def network(self) -> Network:
        """The network as trained so far (``Backend.current_network``: the NumPy
        engine's own, or a copy of the twin's); read it under ``backend.lock``."""
        return self.backend.current_network()

    @property
    def stopped(self) -> bool:
        return self._stop

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- frames ------------------------------------------------------------------
    def frame(self, state=None) -> dict:
        """The current picture (safe from any thread: it holds the backend's lock)."""
        with self.backend.lock:
            t0 = time.perf_counter()
            out = frame(self.backend.current_network(), self.data, iteration=self.trainer.iteration,
                        epoch=self.trainer.epoch, lr=self.lr, state=state or self.state)
            self._frame_cost = time.perf_counter() - t0
        out["run"] = self.id
        if self.message:
            out["message"] = self.message
        return out

    def _emit(self, state=None):
        self._last_frame = time.perf_counter()
        self.publish(self.frame(state))

    # -- the training thread -----------------------------------------------------------
    def _run(self):
        d = self.data
        try:
            self.trainer.fit(d.standardize(d.X_train).astype(self.dtype), d.y_train)
            final = "done"
            # The loop's own verdict (diverged, or ended at chance level), for the page.
            self.message = " ".join(self.trainer.warnings) or None
        except TrainingDiverged as err:
            final, self.message = "failed", str(err)
        except Exception as err:  # a bug must not pass silently, nor take the server down
            log.exception("playground training failed")
            final, self.message = "failed", f"training stopped: {err}"
        with self._cond:
            if self._stop:
                return  # nobody is watching: publish nothing
            self.state = final
        self._emit()

    def on_iteration_end(self, trainer):
        with self._cond:
            if self._budget:  # k > 0 steps left: one is done
                self._budget -= 1
            pause = self._budget == 0 and trainer.iteration < trainer.planned_iterations
            if self._stop:
                trainer.stop_training = True
                return
            if pause:
                self.state = "paused"
        # Frames take at most a third of the time, so that training keeps going.
        interval = max(self.min_interval, 2 * self._frame_cost)
        if pause or time.perf_counter() - self._last_frame >= interval:
            self._emit()
        if pause:
            with self._cond:
                while self._budget == 0 and not self._stop:
                    self._cond.wait()
                if self._stop:
                    trainer.stop_training = True
                else:
                    self.state = "running"


def initial_gradients(network: Network, data: PlayData, limit=500) -> None:
    """One backward pass (no update) on up to ``limit`` training points, so that the
    gradient bars (``Network.grad_norms()``) show the untrained network too."""
    X = data.standardize(data.X_train[:limit]).astype(network.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        network.loss_and_gradients(X, data.y_train[:limit], train=False)
