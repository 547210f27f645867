"""``load``: its options, and the toy sets' documented classes."""

import numpy as np
import pytest

from nnlearn.data import load, xor
from nnlearn.errors import DataError


@pytest.mark.parametrize("name, bad, accepted", [
    ("digits", "n_trian", "test_size"),
    ("rings", "noize", "noise"),
    ("mnist", "label", "flatten"),
])
def test_unknown_keywords_name_themselves_and_the_accepted_ones(name, bad, accepted):
    with pytest.raises(TypeError) as err:
        load(name, **{bad: 10})
    message = str(err.value)
    assert f"'{bad}'" in message and accepted in message and "n_train" in message
    assert "_" + "load" not in message and "load_digits" not in message  # no internal names
    assert isinstance(err.value, DataError)  # the command line prints it as one line


def test_a_close_misspelling_is_suggested():
    with pytest.raises(TypeError, match="did you mean 'n_train'"):
        load("digits", n_trian=10)


def test_csv_options_are_refused_for_npz_files(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, X=np.zeros((10, 2)), y=np.arange(10) % 2)
    with pytest.raises(DataError, match="label apply to CSV files"):
        load(path, label=0)


def test_xor_classes_are_as_documented():
    X, y = xor(400, seed=0)
    same_sign = X[:, 0] * X[:, 1] > 0
    assert (y[same_sign] == 0).all() and (y[~same_sign] == 1).all()
    doc = " ".join(xor.__doc__.lower().split())
    assert "class 0 where x1 and x2 share a sign" in doc and "class 1 where" in doc
