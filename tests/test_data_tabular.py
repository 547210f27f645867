"""The user's own data: CSV and .npz files, their test split, and their errors."""

import numpy as np
import pytest

from nnlearn.data import load, load_table, read_csv, read_npz
from nnlearn.errors import DataError

IRIS_LIKE = """sepal_length,sepal_width,species
5.1,3.5,setosa
4.9,3.0,setosa
7.0,3.2,versicolor
6.4,3.2,versicolor
6.3,3.3,virginica
5.8,2.7,virginica
"""


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_and_string_labels(tmp_path):
    X, labels, features, label = read_csv(write(tmp_path, IRIS_LIKE))
    assert X.shape == (6, 2) and X.dtype == np.float64 and X[2, 0] == 7.0
    assert labels.tolist() == ["setosa"] * 2 + ["versicolor"] * 2 + ["virginica"] * 2
    assert features == ["sepal_length", "sepal_width"] and label == "species"


def test_no_header_is_detected_and_numeric_labels_are_integers(tmp_path):
    X, labels, features, label = read_csv(write(tmp_path, "1,2,0\n3,4,1\n5,6,10\n"))
    assert X.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 10]
    assert features == ["x0", "x1"] and label == "x2"  # scikit-learn's names


def test_label_column_by_name_or_index(tmp_path):
    path = write(tmp_path, "a,label,b\n1,x,2\n3,y,4\n")
    for choice in ("label", 1, -2, "1"):
        X, labels, features, _ = read_csv(path, label=choice)
        assert X.tolist() == [[1, 2], [3, 4]] and labels.tolist() == ["x", "y"]
        assert features == ["a", "b"]
    X, labels, _, _ = read_csv(write(tmp_path, "y;f\nb;1.5\na;2.5\n"), label=0, delimiter=";")
    assert X.tolist() == [[1.5], [2.5]] and labels.tolist() == ["b", "a"]


def test_header_may_be_forced(tmp_path):
    path = write(tmp_path, "1,2,3\n4,5,6\n7,8,9\n")
    X, _, features, _ = read_csv(path, header=True)
    assert features == ["1", "2"] and X.shape == (2, 2)
    path = write(tmp_path, "a,b,c\n", name="odd.csv")
    with pytest.raises(DataError, match="'a' is not a number"):
        read_csv(path, header=False)


def test_tsv_blank_lines_bom_and_spaces(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_bytes("\ufeffx\ty\tclass\n 1 \t2\tA\n\n3\t4\tB\n".encode())
    X, labels, features, _ = read_csv(path)
    assert X.tolist() == [[1, 2], [3, 4]] and labels.tolist() == ["A", "B"]
    assert features == ["x", "y"]


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("a,b,label\n", "header row .* but no data rows"),
    ("a,b,label\n1,,x\n", r"1 missing value.* at line 2, column 2 \('b'\);.*--missing impute"),
    ("a,b,label\n1,2,x\n3,abc,y\n5,6,x\n7,8,y\n9,1,x\n",
     r"line 3, column 2 \('b'\): 'abc' is not a number, and the column holds numbers"),
    ("a,b,label\n1,2,x\nnan,4,y\n", r"1 missing value.* at line 3, column 1 \('a'\)"),
    ("a,b,label\n1,2,x\ninf,4,y\n3,4,x\n5,6,y\n7,8,x\n",
     r"line 3, column 1 \('a'\): 'inf' is not a finite number"),
    ("a,b,label\n1,2,x\n3,4\n", "line 3 has 2 columns, line 1 has 3"),
    ("a,b,label\n1,2,\n", r"line 2, column 3 \('label'\): missing label"),
    ("label\nx\n", "only one column"),
    ("a,b,label\n1,2,x\n3,4,x\n", "classification needs at least 2 classes"),
])
def test_bad_csv_files_name_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=message) as err:
        load_table(path)
    assert str(path) in str(err.value)


def test_missing_label_columns(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n")
    with pytest.raises(DataError, match="no label column named 'kind'; the columns are: a, b, "
                                        "label"):
        read_csv(path, label="kind")
    with pytest.raises(DataError, match="label column 5 does not exist: line 1 has 3 columns"):
        read_csv(path, label=5)
    path = write(tmp_path, "1,2,0\n3,4,1\n", name="plain.csv")
    with pytest.raises(DataError, match="given by name, but the file has no header row"):
        read_csv(path, label="kind", header=False)


def test_not_a_text_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(DataError, match="not a UTF-8 text file"):
        read_csv(path)
    with pytest.raises(DataError, match="file not found"):
        read_csv(tmp_path / "none.csv")


def test_load_a_csv_by_path_with_a_stratified_seeded_split(tmp_path):
    rows = [f"{i},{i % 7},{'cat' if i % 3 else 'dog'}" for i in range(60)]
    path = write(tmp_path, "f1,f2,animal\n" + "\n".join(rows) + "\n")
    data = load(str(path), seed=0)
    assert data.name == "data.csv" and data.classes.tolist() == ["cat", "dog"]
    assert len(data.y_test) == 12 and np.bincount(data.y_test).tolist() == [8, 4]
    assert data.X_train.shape == (48, 2) and data.info["features"] == ["f1", "f2"]
    # y holds indices into classes, the original labels
    animal = np.where(data.X_test[:, 0] % 3 != 0, "cat", "dog")
    assert data.classes[data.y_test].tolist() == animal.tolist()
    np.testing.assert_array_equal(load(path, seed=0).X_test, data.X_test)
    assert not np.array_equal(load(path, seed=1).X_test, data.X_test)
    assert len(load(path, test_size=0.5).y_test) == 30
    assert load(path, n_train=10).y_train.tolist().count(0) == 5


def test_npz_files(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, X=rng.random((50, 3)), y=np.repeat(["no", "yes"], 25))
    data = load(path)
    assert data.classes.tolist() == ["no", "yes"] and data.X_train.shape == (40, 3)
    np.savez(path, X=rng.integers(0, 255, (30, 4, 5), dtype=np.uint8),
             y=np.arange(30) % 3, X_test=rng.integers(0, 255, (6, 4, 5)), y_test=np.arange(6) % 3)
    data = load(path)
    assert data.image_shape == (4, 5) and data.X_train.shape == (30, 20)
    assert data.X_train.dtype == np.float64 and len(data.y_test) == 6
    np.savez(path, X=rng.random((6, 2)), y=np.array([1.0, 2.0, 1.0, 2.0, 1.0, 2.0]))
    assert load(path, test_size=2).classes.tolist() == [1, 2]


@pytest.mark.parametrize("arrays, message", [
    (dict(X=np.zeros((3, 2)), labels=np.zeros(3)), "needs arrays named 'X' and 'y'; it has: "
                                                   "X, labels"),
    (dict(X=np.array([[1.0, np.nan]]), y=np.zeros(1)), r"X\[0, 1\] is nan"),
    (dict(X=np.zeros((3, 2)), y=np.zeros(2)), r"one label per row of X \(3\)"),
    (dict(X=np.zeros(3), y=np.zeros(3)), "one sample per row"),
    (dict(X=np.array([["a", "b"]]), y=np.zeros(1)), "features must be real numbers"),
    (dict(X=np.zeros((2, 2)), y=np.array([0.0, np.inf])), r"y\[1\] is inf"),
])
def test_bad_npz_files(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match=message):
        read_npz(path)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "pickle.npz"
    np.savez(path, X=np.zeros((2, 2)), y=np.array(["a", None], dtype=object))
    with pytest.raises(DataError, match="pickled.*does not load"):
        read_npz(path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="not a valid .npz"):
        read_npz(tmp_path / "junk.npz")


def test_unknown_names_and_suffixes(tmp_path):
    with pytest.raises(DataError, match="unknown data set 'mnsit'; choose one of: .*mnist"):
        load("mnsit")
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(DataError, match="unsupported file type '.xlsx'"):
        load(path)
    with pytest.raises(DataError, match="file not found"):
        load(tmp_path / "missing.csv")


# -- issue 7: header detection, missing and implausible labels, suffixes, npz test part -----

NUMBERED = "0,1,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n7.0,3.2,versicolor\n6.4,3.2,versicolor\n"


def test_header_of_numeric_names_above_string_labels_is_detected(tmp_path):
    X, labels, features, label = read_csv(write(tmp_path, NUMBERED))
    assert X.shape == (4, 2) and labels.tolist() == ["setosa"] * 2 + ["versicolor"] * 2
    assert features == ["0", "1"] and label == "species"
    # the same file without its header row keeps every row
    X, labels, features, _ = read_csv(write(tmp_path, NUMBERED.split("\n", 1)[1], "no.csv"))
    assert X.shape == (4, 2) and features == ["x0", "x1"] and "species" not in labels.tolist()


def test_header_can_be_set_either_way(tmp_path):
    path = write(tmp_path, "0,1,2\n5,6,0\n7,8,1\n9,9,0\n1,1,1\n")
    X, labels, features, label = read_csv(path)  # all numbers: no header, by default
    assert X.shape == (5, 2) and labels.tolist() == [2, 0, 1, 0, 1]
    X, labels, features, label = read_csv(path, header=True)
    assert X.shape == (4, 2) and features == ["0", "1"] and label == "2"
    X, labels, _, _ = read_csv(write(tmp_path, NUMBERED, "n.csv"), header=False)
    assert "species" in labels.tolist() and X.shape == (5, 2)
    data = load(write(tmp_path, NUMBERED * 1, "h.csv"), header=True, test_size=2)
    assert data.classes.tolist() == ["setosa", "versicolor"]


@pytest.mark.parametrize("cell", ["nan", "NaN", "", "inf", "NA", "null"])
def test_a_missing_numeric_label_is_refused(tmp_path, cell):
    path = write(tmp_path, f"a,b,label\n1,2,0\n3,4,1\n5,6,{cell}\n7,8,1\n")
    with pytest.raises(DataError, match=r"line 4, column 3 \('label'\): .*missing label") as err:
        load_table(path)
    assert str(path) in str(err.value)


def test_string_labels_may_be_words_such_as_none(tmp_path):
    path = write(tmp_path, "a,label\n1,none\n2,some\n3,none\n4,some\n")
    assert load_table(path, test_size=2).classes.tolist() == ["none", "some"]


def wine_like(n=178, label_last=False, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.arange(n) % 3
    proline = rng.integers(300, 1700, n)  # a feature of many distinct whole values
    cols = [y, X[:, 0], X[:, 1], X[:, 2], proline] if label_last is False else \
        [X[:, 0], X[:, 1], X[:, 2], proline, y]
    return "\n".join(",".join(str(v) for v in row) for row in zip(*cols)) + "\n"


def test_a_csv_whose_last_column_is_a_feature_is_refused(tmp_path):
    path = write(tmp_path, wine_like())  # the class is the FIRST column, as in UCI's wine.data
    with pytest.raises(DataError, match=r"distinct values in 178 rows.*label=") as err:
        load(path)
    assert str(path) in str(err.value) and "--label" in str(err.value)
    data = load(path, label=0)
    assert data.classes.tolist() == [0, 1, 2] and data.n_features == 4


def test_continuous_labels_are_refused(tmp_path):
    rows = [f"{i},{i * 0.37:.2f}" for i in range(40)]
    path = write(tmp_path, "a,weight\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match="fractional numbers .* not class labels"):
        load(path)
    # whole numbers stored as floats are classes
    path = write(tmp_path, "a,c\n" + "\n".join(f"{i},{i % 2}.0" for i in range(20)) + "\n", "w.csv")
    assert load(path).classes.tolist() == [0, 1]


def test_upper_case_tsv_is_read_with_tabs(tmp_path):
    path = tmp_path / "D.TSV"
    path.write_text("x\ty\tclass\n1\t2\tA\n3\t4\tB\n5\t6\tA\n7\t8\tB\n")
    X, labels, features, _ = read_csv(path)
    assert X.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]] and features == ["x", "y"]
    assert load(path, test_size=2).classes.tolist() == ["A", "B"]


def test_delimiter_by_name_or_escape(tmp_path):
    path = write(tmp_path, "x\ty\tc\n1\t2\ta\n3\t4\tb\n")
    for delimiter in ("\t", "\\t", "tab"):
        assert read_csv(path, delimiter=delimiter)[0].tolist() == [[1, 2], [3, 4]]
    with pytest.raises(DataError, match="one character"):
        read_csv(path, delimiter=";;")


def test_npz_test_part_is_cast_like_the_training_part(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "bytes.npz"
    np.savez(path, X=rng.integers(0, 255, (30, 4, 5), dtype=np.uint8), y=np.arange(30) % 3,
             X_test=rng.integers(0, 255, (6, 4, 5), dtype=np.uint8), y_test=np.arange(6) % 3)
    data = load(path)
    assert data.X_train.dtype == data.X_test.dtype == np.float64
    # arithmetic on the test part is no longer modular uint8 arithmetic
    assert (data.X_test - 255).min() < 0


def test_messages_print_plain_labels(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,barolo\n3,4,barolo\n")
    with pytest.raises(DataError) as err:
        load_table(path)
    assert "'barolo'" in str(err.value) and "np." not in str(err.value)
