"""``nnlearn predict`` and ``nnlearn evaluate``: a trained model used on data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from ..fileio import check_output, spreadsheet_safe, write_text
from ..limits import MAX_PARAMS
from ..inference import evaluate, load_inputs, predict, shift_inputs
from ..run import training_source
from ..training import class_labels, load_model

MODEL = click.option("--model", "model_path", required=True, type=click.Path(dir_okay=False),
                     help="A model file written by nnlearn (train, the estimator, the playground).")
DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False), default=None,
                        help="Folder holding the data set files (else NNLEARN_DATA, ...).")
PART = click.option("--part", type=click.Choice(["test", "train"]), default="test",
                    show_default=True, help="Which part of a named data set.")
MAX_PARAMS_OPTION = click.option(
    "--max-params", type=click.IntRange(min=1), default=MAX_PARAMS, show_default=True,
    help="The most parameters the model file's network may have; a file that declares more "
         "is refused before its weights are read (see SECURITY.md).")
LABEL = click.option("--label", default=None,
                     help="CSV: the label column (a name or an index) [default: the model's "
                          "label column by name, or the column after the features in a file "
                          "without a header].")


def _label(value: str | None):
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else value


def _warn(inputs) -> None:
    for message in inputs.warnings:
        click.echo(f"nnlearn: warning: {message}", err=True)


def _shift(ctx, param, value):
    if value is None:
        return None
    try:
        dx, dy = (int(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not DX,DY (two whole numbers)") from None
    return dx, dy


@click.command()
@MODEL
@click.option("--data", required=True,
              help="A data set name, a .csv/.tsv/.npz file, or an IDX image file.")
@click.option("--out", type=click.Path(dir_okay=False), default="predictions.csv",
              show_default=True, help="CSV file of the predictions; - for standard output.")
@click.option("--top-k", type=click.IntRange(min=1), default=None,
              help="Write the K most probable labels of each row and their probabilities, "
                   "instead of every class's probability.")
@DATA_DIR
@PART
@LABEL
@MAX_PARAMS_OPTION
def predict_command(model_path, data, out, top_k, data_dir, part, label, max_params):
    """Predict the labels of DATA with a trained model; one CSV row per input row.

    Columns: `prediction`, then the probability of every class (`p_LABEL`), or
    with --top-k K: `label_1`, `p_1`, ... `label_K`, `p_K` (`label_1` is the
    prediction). A CSV file's columns are matched to the model's by name (any
    order; extra columns are ignored, with a warning).
    """
    reads = (model_path, data)
    if out != "-":  # standard output is no file to check
        check_output(out, inputs=reads)  # before the work, not after
    network = load_model(model_path, max_params=max_params)
    inputs = load_inputs(data, network, data_dir=data_dir, part=part, label=_label(label))
    _warn(inputs)
    labels, proba = predict(network, inputs.X, top_k=top_k)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    safe = spreadsheet_safe  # a label such as "=cmd|..." must not be a formula in a spreadsheet
    if top_k is None:
        writer.writerow(["prediction", *(safe(f"p_{c}") for c in class_labels(network).tolist())])
        for label_, row in zip(labels.tolist(), proba):
            writer.writerow([safe(label_), *(f"{p:.6g}" for p in row)])
    else:
        # label_1 is the prediction: written once
        writer.writerow([f"{name}_{i}" for i in range(1, top_k + 1) for name in ("label", "p")])
        for row_labels, row_p in zip(labels.tolist(), proba):
            writer.writerow([c for pair in zip(map(safe, row_labels),
                                               (f"{p:.6g}" for p in row_p))
                             for c in pair])
    if out == "-":  # standard output; what was done is said on standard error
        click.echo(buffer.getvalue(), nl=False)
        click.echo(f"{len(labels)} predictions for {inputs.name}", err=True)
        return
    write_text(out, buffer.getvalue(), inputs=reads)
    click.echo(f"{len(labels)} predictions for {inputs.name} -> {out}")


@click.command()
@MODEL
@click.option("--data", default=None,
              help="A data set name, a labelled .csv/.tsv/.npz file, or an IDX image file "
                   "with --labels. [default: the test part of the data the model was "
                   "trained on, split as in training]")
@click.option("--labels", "labels_file", type=click.Path(dir_okay=False), default=None,
              help="IDX label file that goes with an IDX image file.")
@click.option("--shift", "offset", callback=_shift, default=None, metavar="DX,DY",
              help="Images: evaluate on the images shifted DX pixels right and DY down.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Folder for evaluation.json and confusion_matrix.png.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@DATA_DIR
@PART
@LABEL
@MAX_PARAMS_OPTION
def evaluate_command(model_path, data, labels_file, offset, out, as_json, data_dir, part,
                     label, max_params):
    """Loss, accuracy and scikit-learn's classification report (precision, recall, F1 per
    class, macro and weighted averages) of a trained model on labelled data."""
    reads = (model_path, data, labels_file)
    if out is not None:  # before the work, not after
        for name in ("evaluation.json", "confusion_matrix.png"):
            check_output(Path(out) / name, inputs=reads)
    network = load_model(model_path, max_params=max_params)
    as_trained = data is None
    if data is None:
        recorded = training_source(network)
        data = recorded["data"] if recorded else (network.metadata or {}).get("data")
        if data is None:
            raise click.UsageError("the model does not say which data it was trained on; "
                                   "give --data")
    inputs = load_inputs(data, network, data_dir=data_dir, part=part, labels_file=labels_file,
                         label=_label(label), as_trained=as_trained)
    _warn(inputs)
    if offset is not None:
        inputs = shift_inputs(inputs, *offset)
    report = evaluate(network, inputs)
    if out is not None:
        from .. import plots
        folder = Path(out)
        write_text(folder / "evaluation.json", json.dumps(report, indent=2), inputs=reads)
        fig = plots.confusion_matrix(report["confusion_matrix"], report["classes"],
                                     title=f"{report['data']}: accuracy {report['accuracy']:.4f}")
        plots.save_figure(fig, folder / "confusion_matrix.png")
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{report['data']}: {report['n']} rows, loss {report['loss']:.4f}, "
               f"accuracy {report['accuracy']:.4f}")
    click.echo(report["classification_report_text"].rstrip("\n"))
    if out is not None:
        click.echo(f"  -> {Path(out) / 'evaluation.json'}, {Path(out) / 'confusion_matrix.png'}")
