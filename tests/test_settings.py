"""One table of settings: every face reads its defaults, ranges and help from it."""

import inspect
from pathlib import Path

import click
import pytest

from nnlearn import NeuralNetClassifier
from nnlearn.cli.train import train
from nnlearn.playground import settings as play
from nnlearn.run import RunConfig
from nnlearn.settings import ESTIMATOR, PLAYGROUND, SETTINGS, TRAIN, for_face, markdown_table

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_estimator_defaults_and_checks_are_the_tables():
    signature = inspect.signature(NeuralNetClassifier.__init__).parameters
    rows = for_face(ESTIMATOR)
    assert set(signature) - {"self"} == set(rows)
    for name, row in rows.items():
        assert signature[name].default == row.default, name
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\), got 1.5"):
        NeuralNetClassifier(dropout=1.5).fit([[0.0], [1.0]], [0, 1])


def test_the_command_line_options_come_from_the_table():
    options = {p.name: p for p in train.params if isinstance(p, click.Option)}
    for name, row in for_face(TRAIN).items():
        option = options[name]
        assert row.help in option.help, name
        if row.recipe:  # not given: the data set's recipe fills it
            assert option.default is None and "recipe" in option.help, name
    # a default in the table is the option's default and RunConfig's
    for name in ("dropout", "momentum", "weight_decay", "dtype", "backend", "device", "seed"):
        assert options[name].default == SETTINGS[name].default
        assert getattr(RunConfig(), name) == SETTINGS[name].default
    # one validator: the option parses the text and the table checks it
    assert options["dropout"].type.setting is SETTINGS["dropout"]
    assert options["dropout"].type.convert("0.5", None, None) == 0.5
    with pytest.raises(click.BadParameter, match=r"dropout must be a number in \[0, 1\)"):
        options["dropout"].type.convert("1", None, None)
    with pytest.raises(click.BadParameter, match="batch_size must be an integer >= 1 or 'full'"):
        options["batch_size"].type.convert("0", None, None)


def test_the_playground_fields_and_caps_come_from_the_table():
    rows = for_face(PLAYGROUND)
    assert set(play.FIELDS) == set(rows)
    for name, row in rows.items():
        assert play.DEFAULTS[name] == row.play_default, name
    hidden = SETTINGS["hidden"].play
    assert (play.MAX_WIDTH, play.MAX_LAYERS) == (hidden.high, hidden.items)
    assert play.FIELDS["dropout"].hi == SETTINGS["dropout"].play.high < 1
    assert play.DEFAULTS["architecture"] == "mlp"  # one name for eq. (1), as everywhere
    s, messages = play.validate({"dropout": 0.95})
    assert s["dropout"] == 0.9 and "limit" in messages[0]


def test_the_estimator_page_prints_the_table():
    text = (DOCS / "estimator.md").read_text(encoding="utf-8")
    assert markdown_table(ESTIMATOR) in text, (
        "docs/estimator.md differs from the settings table; paste the output of "
        "python -c 'from nnlearn.settings import markdown_table; print(markdown_table())'")
