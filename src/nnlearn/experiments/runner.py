"""Run many independent trainings: in this process, in joblib workers, or on Dask.

``Runner.map(tasks)`` returns ``[train(t) for t in tasks]`` in order. With
``jobs > 1`` the tasks go to joblib's process pool (loky); with a Dask
scheduler address they go to joblib's Dask backend, so that the same command
scales past one machine. Each task limits BLAS to ``threads`` threads while it
runs (default: the cores divided among the jobs), so that workers do not fight
over the cores; the numbers do not depend on where a task ran.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import replace

from ..errors import MissingExtraError
from .base import Task, train


def default_threads(jobs: int) -> int:
    """BLAS threads per worker: the cores shared evenly among ``jobs`` workers, at least 1."""
    return max(1, (os.cpu_count() or 1) // max(1, jobs))


class Runner:
    """Runs ``Task`` lists with ``jobs`` workers (joblib), or on the Dask scheduler at
    ``scheduler`` (``tcp://host:port``; needs ``pip install 'nnlearn[dask]'``)."""

    def __init__(self, jobs: int = 1, *, scheduler: str | None = None, threads: int | None = None):
        if jobs < 1:
            raise ValueError(f"jobs must be >= 1, got {jobs}")
        self.jobs = jobs
        self.scheduler = scheduler
        self.threads = threads or (1 if scheduler else default_threads(jobs))
        self._client = None
        self._done: dict[Task, dict] = {}  # a task asked for twice (experiments 2 and 5) runs once
        self.task_cpu_seconds = 0.0  # summed over the tasks run, wherever they ran

    def __enter__(self):
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError as err:
                raise MissingExtraError("--dask-scheduler needs dask.distributed, which is "
                                        "not installed: pip install 'nnlearn[dask]'") from err
            try:
                self._client = Client(self.scheduler, timeout=20)
            except OSError as err:
                raise OSError(f"cannot reach the Dask scheduler at {self.scheduler}: "
                              f"{err}") from None
        return self

    def __exit__(self, *exc):
        if self._client is not None:
            self._client.close()
            self._client = None

    def describe(self) -> dict:
        return {"jobs": self.jobs, "blas_threads_per_task": self.threads,
                "dask_scheduler": self.scheduler, "tasks_run": len(self._done),
                "task_cpu_seconds": round(self.task_cpu_seconds, 1)}

    def map(self, tasks: list[Task]) -> list[dict]:
        """``[train(t) for t in tasks]``, in parallel where the runner was asked to."""
        tasks = [replace(t, threads=self.threads) for t in tasks]
        todo = list(dict.fromkeys(t for t in tasks if t not in self._done))
        if self.scheduler is None and (self.jobs == 1 or len(todo) <= 1):
            outs = [train(t) for t in todo]
        else:
            from joblib import Parallel, delayed, parallel_config

            context = (parallel_config(backend="dask") if self.scheduler
                       else contextlib.nullcontext())
            with context, warnings.catch_warnings():
                # loky replaces a worker whose memory grew by a few hundred MB (a data set
                # and PyTorch loaded) after its task; the queued tasks go to the new one
                warnings.filterwarnings("ignore", message="A worker stopped while some jobs")
                n_jobs = -1 if self.scheduler else min(self.jobs, len(todo))
                outs = Parallel(n_jobs=n_jobs)(delayed(train)(t) for t in todo)
        self._done.update(zip(todo, outs))
        self.task_cpu_seconds += sum(o.get("cpu_seconds", 0.0) for o in outs)
        return [self._done[t] for t in tasks]
