"""A practitioner's own CSV through the command line: columns by name, missing cells,
categories (issue 28). The model file keeps the columns' names and their encoding."""

import csv
import json
import zipfile

import numpy as np
import pytest

from nnlearn.cli import main
from nnlearn.data import load
from nnlearn.data.columns import Encoding, fit_encoding
from nnlearn.errors import DataError
from nnlearn.training import load_model

COLOURS = np.array(["red", "green", "blue"])


def people(n=240, seed=0, gaps=True):
    """Mixed-scale numbers, a word feature, a word label, and (``gaps``) a few missing cells."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n)
    income = rng.normal(50_000, 15_000, n).round()
    colour = COLOURS[rng.integers(0, 3, n)]
    score = (age - 50) / 15 + (income - 50_000) / 15_000 + (colour == "red") * 1.5
    label = np.where(score > 0.3, "buys", "passes")
    rows = [[str(a), str(i), c, lab] for a, i, c, lab in zip(age, income, colour, label)]
    if gaps:
        for r, j, cell in ((3, 0, "NA"), (10, 1, ""), (17, 2, "null"), (40, 0, "NaN")):
            rows[r][j] = cell
    return ["age", "income", "colour", "label"], rows


def write(path, header, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        if header:
            w.writerow(header)
        w.writerows(rows)
    return path


def nnlearn(capsys, *args):
    """Run the command line in this process: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("people")
    header, rows = people()
    table = write(folder / "people.csv", header, rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.argv", ["nnlearn"])
        try:
            main(["train", "--data", str(table), "--missing", "impute", "--standardize",
                  "--hidden", "16", "--epochs", "40", "--quiet", "--out", str(folder / "run")])
        except SystemExit as exit_:
            assert exit_.code == 0
    return folder / "run" / "model.npz", table, header, rows


def predictions(capsys, model, data, *more):
    code, out, err = nnlearn(capsys, "predict", "--model", str(model), "--data", str(data),
                             "--out", "-", *more)
    assert code == 0, err
    return list(csv.reader(out.splitlines())), err


def test_missing_cells_are_counted_named_and_the_fix_is_named(tmp_path, capsys):
    header, rows = people()
    table = write(tmp_path / "p.csv", header, rows)
    code, _, err = nnlearn(capsys, "train", "--data", str(table), "--quiet",
                           "--out", str(tmp_path / "run"))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "4 missing value(s)" in err and "line 5, column 1 ('age')" in err
    assert "line 12, column 2 ('income')" in err and "--missing impute" in err


def test_impute_and_one_hot_are_printed_and_stored_as_json(tmp_path, capsys):
    header, rows = people()
    table = write(tmp_path / "p.csv", header, rows)
    code, out, err = nnlearn(capsys, "train", "--data", str(table), "--missing", "impute",
                             "--epochs", "2", "--no-progress-bar", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert "column 'colour': 3 categories, one-hot (blue, green, red)" in out
    assert "filled" in out and "missing cell(s)" in out
    meta = load_model(tmp_path / "r" / "model.npz").metadata
    assert meta["feature_names_in"] == ["age", "income", "colour"]
    assert meta["label_name"] == "label"
    encoding = Encoding.from_dict(meta["encoding"])
    assert encoding.n_features == 5 and encoding.missing == "impute"
    # the fill values are the training part's: recomputed here from it
    data = load(str(table), missing="impute")
    ages = data.X_train[:, 0]
    assert encoding.columns[0].fill == float(np.median(ages))
    # plain arrays and JSON: every entry of the file loads without pickle
    with zipfile.ZipFile(tmp_path / "r" / "model.npz") as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())
    np.load(tmp_path / "r" / "model.npz", allow_pickle=False)["__nnlearn__"]


def test_swapped_columns_give_the_same_predictions(tmp_path, capsys, trained):
    model, _, header, rows = trained
    clean = [r for r in rows if not {"NA", "NaN", "", "null"} & set(r)][:30]
    same, _ = predictions(capsys, model, write(tmp_path / "a.csv", header, clean))
    order = [3, 2, 0, 1]  # label, colour, age, income
    swapped = write(tmp_path / "b.csv", [header[j] for j in order],
                    [[r[j] for j in order] for r in clean])
    other, err = predictions(capsys, model, swapped)
    assert other == same and "warning" not in err
    assert same[0] == ["prediction", "p_buys", "p_passes"]


def test_a_missing_column_is_one_line_naming_it_and_extras_are_ignored(tmp_path, capsys,
                                                                        trained):
    model, _, header, rows = trained
    code, _, err = nnlearn(capsys, "predict", "--model", str(model), "--data",
                           str(write(tmp_path / "c.csv", ["age", "colour", "label"],
                                     [[r[0], r[2], r[3]] for r in rows[:5]])), "--out", "-")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "no column named 'income', which the model takes" in err
    extra = write(tmp_path / "e.csv", ["id", *header], [[str(i), *r] for i, r in
                                                         enumerate(rows[:5])])
    got, err = predictions(capsys, model, extra)
    assert len(got) == 6 and "ignoring column(s) the model does not take: 'id'" in err


def test_a_file_without_a_header_is_taken_in_order_with_a_warning(tmp_path, capsys, trained):
    model, _, header, rows = trained
    named, _ = predictions(capsys, model, write(tmp_path / "h.csv", header, rows[:20]))
    plain, err = predictions(capsys, model, write(tmp_path / "n.csv", None, rows[:20]))
    assert plain == named and "no header row" in err


def test_rows_with_a_missing_cell_and_an_unseen_category(tmp_path, capsys, trained):
    model, _, header, rows = trained
    new = [["NA", "52000", "purple", "buys"], ["35", "", "violet", "passes"],
           ["60", "70000", "red", "buys"]]
    got, err = predictions(capsys, model, write(tmp_path / "new.csv", header, new))
    assert len(got) == 4 and {row[0] for row in got[1:]} <= {"buys", "passes"}
    assert "2 cell(s) of column 'colour' hold categories not seen in training" in err
    assert "filled 2 missing cell(s)" in err
    # an unseen category is all zeros: the same as a row whose colour inputs are zero
    encoding = Encoding.from_dict(load_model(model).metadata["encoding"])
    X, _ = encoding.transform(np.array(new)[:, :3])
    assert X[0, 2:].tolist() == [0, 0, 0] and X[2, 2:].tolist() == [0, 0, 1]
    code, out, err = nnlearn(capsys, "evaluate", "--model", str(model), "--data",
                             str(tmp_path / "new.csv"), "--json")
    assert code == 0, err
    assert json.loads(out)["n"] == 3


def test_top_k_one_writes_the_label_once_to_standard_output(tmp_path, capsys, trained):
    model, table, _, _ = trained
    got, err = predictions(capsys, model, table, "--top-k", "1")
    assert got[0] == ["label_1", "p_1"] and all(len(row) == 2 for row in got)
    assert "predictions for people.csv" in err and not (tmp_path / "-").exists()


def test_a_model_of_a_named_set_keeps_x0_names(tmp_path, capsys):
    code, _, err = nnlearn(capsys, "train", "--data", "rings", "--iterations", "3", "--quiet",
                           "--out", str(tmp_path))
    assert code == 0, err
    assert load_model(tmp_path / "model.npz").metadata["feature_names_in"] == ["x0", "x1"]


def test_a_headerless_csv_gets_the_same_x0_names_and_its_estimator_none(tmp_path, capsys):
    """Columns that came without names are ``x0, x1, ...`` everywhere (scikit-learn's), so
    an estimator loaded from such a model, like one fitted on an array, has no names."""
    from nnlearn import NeuralNetClassifier
    _, rows = people(gaps=False)
    write(tmp_path / "plain.csv", None, [[a, i, lab] for a, i, _, lab in rows])
    code, _, err = nnlearn(capsys, "train", "--data", str(tmp_path / "plain.csv"),
                           "--iterations", "3", "--quiet", "--out", str(tmp_path / "run"))
    assert code == 0, err
    assert load_model(tmp_path / "run" / "model.npz").metadata["feature_names_in"] == ["x0", "x1"]
    clf = NeuralNetClassifier.load(tmp_path / "run" / "model.npz")
    assert not hasattr(clf, "feature_names_in_") and clf.n_features_in_ == 2


def test_a_word_in_a_column_of_numbers_is_a_typo_not_a_category():
    cells = np.array([["1"], ["2"], ["3"], ["oops"]])
    with pytest.raises(DataError, match="'oops' is not a number, and the column holds numbers"):
        encoding, _ = fit_encoding(cells, ["a"])
        encoding.transform(cells)


def test_a_malformed_encoding_in_a_model_file_is_refused():
    for bad in ({"missing": "maybe", "columns": []},
                {"missing": "error", "columns": [{"name": "c", "kind": "category",
                                                  "categories": ["a", "a"]}]},
                {"missing": "error", "columns": [{"name": "n", "kind": "number", "fill": "x"}]},
                {"missing": "impute", "columns": [{"name": "n", "kind": "number"}]}):
        with pytest.raises(ValueError, match="encoding is malformed"):
            Encoding.from_dict(bad)
