"""Learning-rate schedules: the step size as a function of the iteration ``t = 0, 1, ...``.

``constant``, ``step`` (a tenfold decay every third of the run, as
``torch.optim.lr_scheduler.StepLR``) and ``cosine`` (half a cosine down to 0);
``make_schedule`` picks one by name.
"""

from __future__ import annotations

import math


def constant_schedule(lr):
    """``lr`` at every step: the lecture's gradient descent.

    Parameters
    ----------
    lr : float

    Returns
    -------
    callable
        ``t -> lr``.
    """
    return lambda t: lr


def step_schedule(lr, step_size, gamma=0.1):
    """``lr * gamma ** (t // step_size)``, as ``torch.optim.lr_scheduler.StepLR``.

    Parameters
    ----------
    lr : float
    step_size : int
        Steps between decays, positive.
    gamma : float
        The factor of each decay.

    Returns
    -------
    callable
        ``t -> lr_t``.
    """
    if step_size <= 0:
        raise ValueError(f"step_size must be positive, got {step_size}")
    return lambda t: lr * gamma ** (t // step_size)


def cosine_schedule(lr, total, lr_min=0.0):
    """Half a cosine from ``lr`` at t = 0 down to ``lr_min`` at t = total (and after).

    ``lr_t = lr_min + (lr - lr_min) (1 + cos(pi t / total)) / 2``.

    Parameters
    ----------
    lr : float
    total : int
        The length of the run in steps, positive.
    lr_min : float

    Returns
    -------
    callable
        ``t -> lr_t``.
    """
    if total <= 0:
        raise ValueError(f"cosine schedule needs a positive length, got {total}")
    return lambda t: lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * min(t, total) / total))


SCHEDULES = ("constant", "step", "cosine")


def make_schedule(name: str, lr: float, total: int, *, step_size=None, gamma=0.1):
    """A learning-rate schedule by name: the step size of eq. (2)'s gradient descent
    at step ``t = 0, 1, ...`` of a run of ``total`` steps.

    Parameters
    ----------
    name : {"constant", "step", "cosine"}
    lr : float
        The initial step size, positive and finite.
    total : int
        The steps in the run.
    step_size : int, optional
        ``step``'s steps between decays; a third of ``total`` when None.
    gamma : float
        ``step``'s factor of each decay.

    Returns
    -------
    callable
        ``t -> lr_t``, a float for every integer ``t >= 0``.

    Raises
    ------
    ValueError
        For an unknown name or a bad ``lr``.
    """
    if lr <= 0 or not math.isfinite(lr):
        raise ValueError(f"learning rate must be positive and finite, got {lr}")
    if name == "constant":
        return constant_schedule(lr)
    if name == "step":
        return step_schedule(lr, step_size or max(1, total // 3), gamma)
    if name == "cosine":
        return cosine_schedule(lr, max(1, total))
    raise ValueError(f"unknown schedule {name!r}; choose one of: {', '.join(SCHEDULES)}")
