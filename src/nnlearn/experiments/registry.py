"""The experiments in the lecture's order, and running a chosen set of them.

Each module has ``NAME``, ``TITLE``, ``NEEDS_DATA`` (it trains on the image
data set), ``NEEDS`` (experiments whose record it reads: the shift test reuses
the trained networks of the capacity experiment) and the functions
``recipe(scope)``, ``run(scope, runner, **needed_records) -> Record`` and
``draw(record) -> {name: figure}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..data import SOURCES, status
from . import (
    augment,
    backprop,
    capacity,
    data_size,
    depth,
    gradients,
    hidden,
    loss,
    rings,
    shift,
    twin,
)
from .base import Record, Scope

#: In the lecture's order: Theorem 1, the ResNet slide, eq. (7), the rings, MNIST, the
#: overfitting panels, data augmentation, Torch.
EXPERIMENTS = {m.NAME: m for m in (backprop, gradients, depth, loss, rings, capacity, shift,
                                   hidden, data_size, augment, twin)}
#: What ``--data fashion-mnist`` runs by default: the experiments about the data set.
DATA_EXPERIMENTS = ("gradients", "depth", "capacity", "shift", "hidden", "data-size",
                    "augment")


def default_names(data: str) -> list[str]:
    return list(EXPERIMENTS) if data == "mnist" else list(DATA_EXPERIMENTS)


def parse_names(text: str | None, data: str) -> list[str]:
    """``"shift,depth"`` -> those names, checked; None -> the default set for ``data``."""
    if not text:
        return default_names(data)
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown or not names:
        raise ValueError(f"unknown experiment {', '.join(unknown) or repr(text)}; choose from "
                         f"{', '.join(EXPERIMENTS)}")
    return names


def claim_ids(data: str) -> list[str]:
    """The ids of the lecture's statements that a run on ``data`` measures, in order."""
    prefix = data.replace("-", "_")
    return [f"{prefix}_{c}" for name in default_names(data)
            for c in getattr(EXPERIMENTS[name], "CLAIMS", ())]


def names_for_claim(claim: str, data: str) -> list[str]:
    """The experiment that measures ``claim`` (``with_needs`` adds what it reads)."""
    prefix = data.replace("-", "_") + "_"
    for name in default_names(data):
        if claim.startswith(prefix) and claim[len(prefix):] in getattr(EXPERIMENTS[name],
                                                                       "CLAIMS", ()):
            return [name]
    raise ValueError(f"unknown claim {claim!r} for --data {data}; choose one of "
                     f"{', '.join(claim_ids(data))}")


def claim_command(claim: str, data: str, seeds: int) -> str:
    """The command that reruns only what ``claim`` needs."""
    extra = "" if seeds == 5 else f" --seeds {seeds}"
    return f"nnlearn reproduce --data {data} --claim {claim}{extra} --out reproduce-{claim}"


def with_needs(names: list[str]) -> list[str]:
    """``names`` and what they need, in the lecture's order."""
    wanted = set(names)
    for name in reversed(list(EXPERIMENTS)):
        if name in wanted:
            wanted.update(EXPERIMENTS[name].NEEDS)
    return [n for n in EXPERIMENTS if n in wanted]


def data_missing(scope: Scope) -> str | None:
    """None when the data set is on this machine, else how to get it (nothing is downloaded)."""
    if scope.data not in SOURCES:
        return None
    found = status(scope.data, scope.data_dir)
    return None if found.folder is not None else found.message


def run_experiments(scope: Scope, names: list[str], runner,
                    progress: Callable[[str], None] = lambda line: None) -> list[Record]:
    """Run ``names`` (and what they need) in order; a record for each, skipped ones included."""
    order = with_needs(names)
    missing = data_missing(scope)
    records: dict[str, Record] = {}
    for i, name in enumerate(order, 1):
        module = EXPERIMENTS[name]
        head = f"[{i}/{len(order)}] {module.TITLE}"
        reason = None
        if module.NEEDS_DATA and missing:
            reason = f"{scope.data} is missing: {missing}"
        elif hasattr(module, "missing_requirement") and module.missing_requirement():
            reason = module.missing_requirement()
        elif any(records[n].skipped for n in module.NEEDS):
            reason = f"needs {', '.join(module.NEEDS)}, which was skipped"
        if reason:
            records[name] = Record(name, module.TITLE, "", skipped=reason)
            progress(f"{head}: skipped ({reason})")
            continue
        progress(f"{head} ...")
        t0 = time.perf_counter()
        needed = {n: records[n] for n in module.NEEDS}
        records[name] = module.run(scope, runner, **needed)
        records[name].seconds = time.perf_counter() - t0
        progress(f"{head}: done in {records[name].seconds:.1f} s")
    return [records[n] for n in order]


def draw(record: Record) -> dict:
    """The figures of a record (none for a skipped one)."""
    return {} if record.skipped else EXPERIMENTS[record.name].draw(record)
