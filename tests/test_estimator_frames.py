"""The estimator's DataFrame path: columns of words and missing values, with the rule of
``nnlearn train`` (issue 28), saved in the model file, and CLI models that encode."""

import warnings

import numpy as np
import pytest

from nnlearn import NeuralNetClassifier
from nnlearn.data.columns import fit_encoding
from nnlearn.estimator.frames import frame_cells
from nnlearn.errors import DataError

pd = pytest.importorskip("pandas")


def frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"age": rng.normal(0, 1, n),
                      "colour": rng.choice(["red", "blue", "green"], n)})
    y = np.where((X.age > 0.3) | (X.colour == "red"), "yes", "no")
    X.loc[3, "age"] = np.nan
    X.loc[5, "colour"] = None
    return X, y


def quiet(f, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


def test_missing_values_are_counted_unless_imputed():
    X, y = frame()
    with pytest.raises(DataError, match=r"2 missing value.* row 3, column 1 \('age'\).*impute"):
        NeuralNetClassifier(epochs=2).fit(X, y)
    clf = quiet(NeuralNetClassifier(epochs=80, lr=1e-2, missing="impute", random_state=0).fit,
                X, y)
    # the encoding is the command line's, learnt on these rows
    names, cells = frame_cells(X)
    expected, _ = fit_encoding(cells, names, missing="impute")
    assert clf.encoding_ == expected and clf.encoding_.columns[0].fill == X.age.median()
    assert clf.n_features_in_ == 2 and clf.feature_names_in_.tolist() == ["age", "colour"]
    assert clf.network_.n_in == 4 and clf.score(X, y) > 0.9


def test_an_unseen_category_is_zeros_with_a_warning_and_the_file_keeps_the_encoding(tmp_path):
    X, y = frame()
    clf = quiet(NeuralNetClassifier(epochs=20, missing="impute", random_state=0).fit, X, y)
    new = pd.DataFrame({"age": [0.5, np.nan], "colour": ["purple", "red"]})
    with pytest.warns(UserWarning, match="not seen in training \\(purple\\): encoded as all zero"):
        p = clf.predict_proba(new)
    clean = pd.DataFrame({"age": [0.5], "colour": ["red"]})
    assert np.isfinite(p).all() and p.shape == (2, 2)
    back = NeuralNetClassifier.load(clf.save(tmp_path / "frame.npz"))
    assert back.encoding_ == clf.encoding_
    np.testing.assert_array_equal(quiet(back.predict_proba, new), quiet(clf.predict_proba, new))
    np.testing.assert_array_equal(back.predict_proba(clean), clf.predict_proba(clean))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(new[["colour", "age"]])  # scikit-learn's rule: the columns as in fit


def test_numeric_frames_and_arrays_take_scikit_learns_path():
    X, y = frame()
    X = X.assign(colour=(X.colour == "red").astype(float)).fillna(0.0)
    clf = quiet(NeuralNetClassifier(epochs=2, random_state=0).fit, X, y)
    assert not hasattr(clf, "encoding_") and clf.network_.n_in == 2
    quiet(clf.fit, X.to_numpy(), y)
    assert not hasattr(clf, "encoding_") and not hasattr(clf, "feature_names_in_")


def test_a_cli_model_that_encodes_its_columns_loads_and_predicts_as_the_cli(tmp_path):
    from nnlearn.inference import load_inputs, predict
    from nnlearn.run import RunConfig, run, write_outputs
    X, y = frame()
    table = tmp_path / "t.csv"
    X.assign(label=y).to_csv(table, index=False)
    result = run(RunConfig(data=str(table), missing="impute", epochs=20, progress=False))
    model = write_outputs(result, tmp_path / "run")["model"]
    clf = NeuralNetClassifier.load(model)
    assert clf.feature_names_in_.tolist() == ["age", "colour"] and clf.n_features_in_ == 2
    from nnlearn.training import load_model
    network = load_model(model)
    labels, proba = predict(network, load_inputs(str(table), network).X)
    np.testing.assert_allclose(quiet(clf.predict_proba, X), proba, rtol=1e-6, atol=1e-7)
