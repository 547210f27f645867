"""Training in a thread of its own, built on the ``Trainer``: start, pause, step, stop.

One ``PageTrainer`` trains one network for one page. It is a ``Callback``: after
every iteration the training loop calls ``on_iteration_end``, where the runner
publishes a frame when one is due, and waits while the page has paused it. So
the loop, the schedule and the optimiser are exactly those of ``nnlearn
train``; the runner only decides when to look and when to wait.

Some settings change while it trains (``LIVE``): the learning rate scales every
step's rate from the schedule, the regularisation is the optimiser's own, and a new
batch size or a new sample of the data (noise) ends the current ``fit`` call and
starts the next one where it stopped, so the iteration count goes on. The pace
(``Pace``) sets steps per frame, an iteration to stop at, and iterations whose
decision regions are sent as snapshots.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
import logging
import threading
import time
from dataclasses import dataclass, replace

import numpy as np

from ..assembly import Seeds, assemble, learning_rate, train_config
from ..engine.network import Network
from ..errors import TrainingDiverged
from ..training.backend import Backend
from ..training.callbacks import Callback, DivergenceCheck
from .data import PlayData
from .frames import frame, snapshot

log = logging.getLogger(__name__)
FPS = 25  # frames a second while training, at most
_ids = itertools.count(1)
#: settings a run takes while it trains, without a restart
LIVE = ("lr", "regularization", "regularization_rate", "batch_size", "noise")
MAX_SNAPSHOTS = 12


@dataclass(frozen=True)
class Pace:
    """How the page watches a run: ``steps_per_frame`` (0: as many as the frame rate
    lets through; k: a frame after every k steps, at most ``FPS`` a second), ``stop_at``
    (pause at that iteration; 0: never) and ``snapshots`` (iterations whose decision
    regions are sent once, for the strip of the lecture's figure)."""

    steps_per_frame: int = 0
    stop_at: int = 0
    snapshots: tuple = ()


class LockedBackend:
    """Any backend, whose updates hold ``lock``, so that another thread (a frame, an
    export) never reads half-updated weights. Everything else is the backend's own:
    it is driven through the ``Backend`` protocol only. ``lr_scale`` multiplies the
    schedule's rate: the page's live learning rate over the one the run began with."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.lock = threading.RLock()
        # called by L-BFGS before each evaluation (``PageTrainer.pause_point``)
        self.pause_point: Callable[[], None] | None = None
        self.lr_scale = 1.0

    def set_penalty(self, regularization: str, rate: float) -> None:
        """A live change of the regularisation (``Backend.set_penalty``), between steps."""
        with self.lock:
            self.backend.set_penalty(regularization, rate)

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def train_step(self, X, y, sample_weight, lr):
        with self.lock:
            return self.backend.train_step(X, y, sample_weight, lr * self.lr_scale)

    def train_rows(self, rows, sample_weight, lr):
        with self.lock:
            return self.backend.train_rows(rows, sample_weight, lr * self.lr_scale)

    def loss_and_flat_gradient(self, theta, X, y, sample_weight):
        with self.lock:
            return self.backend.loss_and_flat_gradient(theta, X, y, sample_weight)


class RunStopped(Exception):
    """Raised within an L-BFGS evaluation (``PageTrainer.pause_point``) when the page has
    stopped the run: SciPy's minimiser has no other way out of a line search."""


class VerdictUnlessStopped(DivergenceCheck):
    """The ``Trainer``'s ``DivergenceCheck``, without its verdict at the end when the
    page stopped the run: a run cut short by a new setting has not "learned
    nothing", it was replaced."""

    def __init__(self, runner: PageTrainer):
        super().__init__()
        self.runner = runner

    def on_train_end(self, trainer):
        if not self.runner.stopped and not self.runner.refitting:
            super().on_train_end(trainer)


class PageTrainer(Callback):
    """Trains ``network`` on ``data`` as ``settings`` say; ``publish(frame)`` receives frames.

    ``state`` is ``ready`` (not started), ``running``, ``paused``, ``done`` (all
    iterations run), ``failed`` (diverged; ``message`` says why) or ``stopped``.
    """

    def __init__(self, network: Network, data: PlayData, settings: dict, publish, *, fps=FPS,
                 pace: Pace | None = None, offsets=None):
        self.id = next(_ids)
        self.data, self.publish = data, publish
        run = assemble(None, settings, seeds=Seeds.same(settings["seed"]), network=network,
                       callbacks=[self])
        self.lr = run.config.lr
        self.dtype = network.dtype
        self.backend = LockedBackend(run.backend)
        self.trainer = run.trainer.reconfigure(backend=self.backend)
        self.trainer.set_callback("divergence", VerdictUnlessStopped(self))
        self.backend.pause_point = self.pause_point  # L-BFGS: a pause within its line search
        self.min_interval = 1.0 / fps
        self.state, self.message = "ready", None
        self._cond = threading.Condition()
        self._budget: int | None = 0  # None: run on; k > 0: k more steps, then pause
        self._stop = False
        self._thread: threading.Thread | None = None
        self._last_frame, self._frame_cost = 0.0, 0.0
        self.note: str | None = None  # a notice for the page (not an error)
        self.total = self.trainer.config.iterations or 0
        self.base_lr = self.lr
        self.pace = pace or Pace()
        self.offsets = offsets
        self._refit: tuple | None = None  # (batch size, data) for the next fit call
        self.refitting = False

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
            self.state, self.note = "running", None
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

    def change(self, settings: dict, data: PlayData) -> None:
        """Take the ``LIVE`` settings and ``data`` (a new sample) while training."""
        with self.backend.lock:
            self.lr = learning_rate(settings["optimizer"], settings.get("lr"))
            self.backend.lr_scale = self.lr / self.base_lr
        self.backend.set_penalty(settings["regularization"], settings["regularization_rate"])
        batch = train_config(settings).batch_size
        with self._cond:
            if batch != self.trainer.config.batch_size or data is not self.data:
                self._refit = (batch, data)
                self._cond.notify_all()
            if self._thread is None:  # not started: the first fit takes them
                self._take_refit()

    def _take_refit(self) -> None:
        """(Holding ``_cond``.) The next fit call's batch size and data."""
        if self._refit is not None:
            batch, self.data = self._refit
            self.trainer.config = replace(self.trainer.config, batch_size=batch)
            self._refit = None

    def set_pace(self, pace: Pace) -> None:
        self.pace = pace

    def set_offsets(self, offsets) -> None:
        self.offsets = offsets

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
            out = frame(self.backend.current_network(), self.data,
                        iteration=self.trainer.iteration, epoch=self.trainer.epoch, lr=self.lr,
                        state=state or self.state, offsets=self.offsets)
            self._frame_cost = time.perf_counter() - t0
        out["run"] = self.id
        if self.message:
            out["message"] = self.message
        if self.note:
            out["note"] = self.note
        return out

    def _emit(self, state=None):
        self._last_frame = time.perf_counter()
        self.publish(self.frame(state))

    # -- the training thread -----------------------------------------------------------
    def _fit_until_done(self):
        """``trainer.fit`` until the run's iterations are done; a live change of the batch
        size or the data ends one call, and the next goes on from its iteration."""
        first = True
        while True:
            d = self.data
            remaining = self.total - self.trainer.iteration
            if remaining <= 0:
                return
            self.trainer.config = replace(self.trainer.config, iterations=remaining)
            self.trainer.fit(d.standardize(d.X_train).astype(self.dtype), d.y_train,
                             continue_schedule=not first)
            first = False
            with self._cond:
                if self._stop or self._refit is None:
                    return
                self._take_refit()
                self.refitting = False
                paused = self._budget == 0 and not self._stop
            if paused:  # the page waits: show it the new sample now, not at its next step
                self._emit()
            with self._cond:
                while self._budget == 0 and not self._stop:  # paused: stay so
                    self._cond.wait()
                if self._stop:
                    return
                self.state = "running"

    def _run(self):
        try:
            self._fit_until_done()
            final = "done"
            # The loop's own verdict (diverged, or ended at chance level), for the page.
            self.message = " ".join(self.trainer.warnings) or None
        except RunStopped:
            return  # stopped within an L-BFGS line search: nobody is watching
        except TrainingDiverged as err:
            final, self.message = "failed", str(err)
        except Exception as err:  # a bug must not pass silently, nor take the server down
            log.exception("playground training failed")
            final, self.message = "failed", f"training stopped: {err}"
        last = self.frame(final)
        with self._cond:
            if self._stop:
                return  # nobody is watching: publish nothing
            # the last frame goes out before the state says the run is over, so that
            # whoever sees the state finds the frame sent
            self._last_frame = time.perf_counter()
            self.publish(last)
            self.state = final

    def pause_point(self) -> None:
        """Called by L-BFGS before each evaluation of the loss: one of its iterations may
        evaluate twenty times (the line search), so a pause waits here, not for the
        iteration's end (4.6 s before). Resumed, the evaluation goes on where it was."""
        trainer = self.trainer
        with self._cond:
            if self._stop:
                raise RunStopped  # the page replaced or closed the run: end it now
            if self._budget != 0 or trainer.iteration >= trainer.planned_iterations:
                return
            self.state = "paused"
        self._emit()
        with self._cond:
            while self._budget == 0 and not self._stop:
                self._cond.wait()
            if self._stop:
                raise RunStopped
            self.state = "running"

    def on_iteration_end(self, trainer):
        pace, it = self.pace, trainer.iteration
        with self._cond:
            if self._budget:  # k > 0 steps left: one is done
                self._budget -= 1
            if pace.stop_at and it == pace.stop_at:
                self._budget = 0
                self.note = f"stopped at iteration {it}, as asked; Start goes on"
            pause = self._budget == 0 and it < self.total
            if self._stop:
                trainer.stop_training = True
                return
            if pause:
                self.state = "paused"
        if it in pace.snapshots:
            with self.backend.lock:
                shot = snapshot(self.backend.current_network(), self.data, it)
            self.publish({**shot, "run": self.id})
        if pace.steps_per_frame:
            due = it % pace.steps_per_frame == 0
            if due:  # slow enough to watch: at most FPS frames a second
                time.sleep(max(0.0, self._last_frame + self.min_interval - time.perf_counter()))
        else:  # frames take at most a third of the time, so that training keeps going
            due = time.perf_counter() - self._last_frame >= max(self.min_interval,
                                                                 2 * self._frame_cost)
        if pause or due:
            self._emit()
        if pause:
            with self._cond:
                while self._budget == 0 and not self._stop and self._refit is None:
                    self._cond.wait()
                if self._stop:
                    trainer.stop_training = True
                elif self._budget != 0:
                    self.state = "running"
        with self._cond:
            if self._refit is not None and not self._stop:
                self.refitting = True  # the next fit call takes the new batch size or data
                trainer.stop_training = True


def initial_gradients(network: Network, data: PlayData, limit=500) -> None:
    """One backward pass (no update) on up to ``limit`` training points, so that the
    gradient bars (``Network.grad_norms()``) show the untrained network too."""
    X = data.standardize(data.X_train[:limit]).astype(network.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        network.loss_and_gradients(X, data.y_train[:limit], train=False)
