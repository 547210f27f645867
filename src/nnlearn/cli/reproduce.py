"""``nnlearn reproduce``: rerun the lecture's experiments and write the report."""

from __future__ import annotations

import os
import shlex
import sys
import time
from datetime import datetime, timezone

import click

DATA_CHOICES = ("mnist", "fashion-mnist", "digits")


@click.command("reproduce")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder for report.html, report.md, results.json and the PNG figures.")
@click.option("--data", type=click.Choice(DATA_CHOICES), default="mnist", show_default=True,
              help="Image data set of the experiments that train on images (fashion-mnist "
                   "runs those by default and tries the lecture's MNIST claims on it; digits "
                   "is scikit-learn's embedded 8x8 set, for a try without downloads).")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Folder holding the data set's files (else the usual search, see docs/data.md).")
@click.option("--quick", is_flag=True,
              help="Everything on small subsets and few epochs: about a minute; not comparable "
                   "with the lecture's numbers.")
@click.option("--only", default=None, metavar="NAME,...",
              help="Run only these experiments (and what they need): backprop, gradients, "
                   "depth, loss, rings, capacity, shift, hidden, data-size, augment, twin.")
@click.option("--seeds", type=click.IntRange(1, 100), default=5, show_default=True,
              help="Seeds 0..N-1 for every stochastic training; the 95% intervals of the "
                   "verdicts need at least 2, the reproduction's rule asks for 5.")
@click.option("--jobs", type=click.IntRange(1, 512), default=1, show_default=True,
              help="Trainings run in parallel (joblib); BLAS gets cores/jobs threads each.")
@click.option("--threads", type=click.IntRange(1, 512), default=None,
              help="BLAS threads per training (default: the cores divided by --jobs; 1 on Dask).")
@click.option("--dask-scheduler", default=None, metavar="ADDRESS",
              help="Send the trainings to this Dask scheduler (tcp://host:port) through "
                   "joblib's Dask backend; needs pip install 'nnlearn[dask]' and the data "
                   "set on every worker. The scheduler runs code sent as pickles: give only "
                   "one you trust (see SECURITY.md).")
@click.option("--claim", "claim", default=None, metavar="ID",
              help="Rerun only the experiments that this statement of the lecture needs "
                   "(its id in results.json, e.g. mnist_shift2_acc); works with --quick.")
@click.option("--allow-dirty", is_flag=True,
              help="Write a report inside the repository even though the source tree has "
                   "uncommitted changes (recorded as provenance.dirty).")
def reproduce(out, data, data_dir, quick, only, seeds, jobs, threads, dask_scheduler, claim,
              allow_dirty):
    """Rerun every experiment of the lecture and write a report beside its numbers.

    One progress line per experiment goes to stderr. A missing data set is not
    downloaded: the message says how to get it, and what needs no download
    (the rings) still runs. A report written inside the repository must come
    from a committed tree (else --allow-dirty); results.json records the
    commit, the data files' sha256 and the packages' versions.
    """
    from ..experiments import (
        Runner,
        Scope,
        data_missing,
        names_for_claim,
        parse_names,
        run_experiments,
    )
    from ..data import checksums
    from ..report import build_results, write_report
    from ..report.build import software
    from ..report.provenance import provenance, refuse_dirty

    scope = Scope(data=data, data_dir=data_dir, quick=quick, seeds=seeds)
    if claim and only:
        raise click.UsageError("give --claim or --only, not both")
    names = names_for_claim(claim, data) if claim else parse_names(only, data)
    refusal = refuse_dirty(out, allow_dirty)
    if refusal:
        raise click.ClickException(refusal)
    origin = provenance(scope, software(), checksums(data, data_dir), out=out,
                        allow_dirty=allow_dirty)
    notes = []
    missing = data_missing(scope)
    if missing:
        line = f"{data} is not on this machine, so the experiments that need it are skipped. " \
               f"{missing}"
        click.echo(f"nnlearn reproduce: {line}", err=True)
        notes.append(line)
    load_before = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0, cpu0 = time.perf_counter(), time.process_time()
    with Runner(jobs, scheduler=dask_scheduler, threads=threads) as runner:
        records = run_experiments(scope, names, runner,
                                  progress=lambda line: click.echo(line, err=True))
        info = runner.describe()
    seconds = time.perf_counter() - t0
    # CPU time hardly grows with other work on a shared machine: the trainings' (spread over
    # the jobs) plus this process's own (shifted tests, gradient norms; serial) estimate the
    # wall-clock time on quiet cores
    info["main_cpu_seconds"] = round(time.process_time() - cpu0, 1)
    info["quiet_estimate_seconds"] = round(info["task_cpu_seconds"] / jobs
                                           + info["main_cpu_seconds"], 1)
    command = "nnlearn " + " ".join(shlex.quote(a) for a in sys.argv[1:]) \
        if sys.argv[1:2] == ["reproduce"] else "nnlearn reproduce"
    results = build_results(records, scope, runner_info=info, started=started,
                            seconds=seconds, command=command, load_before=load_before,
                            notes=notes, provenance=origin)
    paths = write_report(records, results, out)
    n = results["summary"]
    failed = f", {n['checks_failed']} failed" if n["checks_failed"] else ""
    unjudged = f", {n['no_verdict']} without a verdict" if n["no_verdict"] else ""
    if claim:
        row = next((c for c in results["claims"] if c["id"] == claim), None)
        if row is not None:
            click.echo(f"{claim}: {row['verdict']} (" + "; ".join(
                f"{m['network']}, {m['optimizer']}: {m['verdict']}"
                for m in row["measurements"]) + ")")
    click.echo(f"{n['reproduced']} of {n['statements']} statements reproduced, "
               f"{n['consistent']} consistent, {n['differs']} differ{unjudged} "
               f"({n['checks']} checks{failed}) in {seconds:.0f} s; report: {paths['html']}")
