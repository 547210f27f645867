"""Columns of words and missing cells read by the one bounded CSV reader (issues 24 and 28).

Issue 28 needs the text of feature columns; issue 24 forbids padding every cell to
the longest one. ``data.csvcells`` keeps text only for the columns that are not all
numbers, each cell a Python string as long as itself: these tests check that the
text is exact (a column of words whose first rows are numbers, a column a model reads
as words), and that a long word costs its own length, not the table's rows times it.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from nnlearn.data.columns import CATEGORY, Column, Encoding, Where, fit_encoding
from nnlearn.data.matching import ModelColumns, read_matched
from nnlearn.data.tabular import read_columns
from nnlearn.errors import DataError
from nnlearn.limits import MAX_CATEGORIES, MAX_CELL_CHARS, MAX_ENCODED_VALUES
from rss_helpers import run_nnlearn, run_python

LOAD_TABLE = ("import sys\nfrom nnlearn.data import load_table\nd = load_table(sys.argv[1], "
              "missing='impute')\nprint(len(d.X_train) + len(d.X_test), d.n_features)\n")


def test_a_column_of_words_keeps_the_exact_text_of_its_first_rows(tmp_path):
    # 007 and 1.0 read as numbers: as floats they would come back as 7.0 and 1.0
    path = tmp_path / "sizes.csv"
    path.write_text("a,size,label\n1,007,x\n2,1.0,y\n3,S,x\n4,M,y\n5,L,x\n6,S,y\n7,NA,x\n")
    table = read_columns(path)
    assert table.columns[0].dtype == np.float64  # numbers only: no text kept
    assert table.columns[1].dtype == object
    assert table.columns[1].tolist() == ["007", "1.0", "S", "M", "L", "S", "NA"]
    encoding, _ = fit_encoding(table.columns, table.feature_names, missing="impute")
    assert encoding.columns[1].categories == ["007", "1.0", "L", "M", "S"]


def test_a_headerless_first_row_keeps_its_word(tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("oops,0\n" + "".join(f"{i},{i % 2}\n" for i in range(1, 9)))
    table = read_columns(path, header=False)
    assert table.columns[0].tolist()[:3] == ["oops", "1", "2"]
    encoding, _ = fit_encoding(table.columns, ["x0"])  # mostly numbers: a number column
    with pytest.raises(DataError, match=r"line 1, column 1 \('x0'\): 'oops' is not a number"):
        encoding.transform(table.columns, where=Where(path, table.lines, table.positions))


def test_predict_reads_a_model_s_word_column_as_text_even_when_its_cells_are_numbers(tmp_path):
    model = ModelColumns(["a", "code"], Encoding([Column("a"),
                                                  Column("code", CATEGORY, None, ["01", "S"])]))
    path = tmp_path / "new.csv"
    path.write_text("code,a\n01,1.5\n01,2\nS,3\n")  # columns in another order, too
    rows = read_matched(path, model)
    np.testing.assert_array_equal(rows.X, [[1.5, 1, 0], [2, 1, 0], [3, 0, 1]])
    assert rows.labels is None and not rows.warnings


def test_a_column_of_identifiers_is_refused_before_it_is_one_hot_encoded():
    cells = np.array([[f"id{i}"] for i in range(MAX_CATEGORIES + 1)], dtype=object)
    with pytest.raises(DataError, match="MAX_CATEGORIES"):
        fit_encoding(cells, ["customer"])
    encoding, _ = fit_encoding(cells[:MAX_CATEGORIES], ["customer"])
    assert encoding.n_features == MAX_CATEGORIES


def test_words_that_would_one_hot_encode_past_memory_are_refused_first(tmp_path):
    # 20 columns of 1,000 words each stay under MAX_CATEGORIES, and 60,000 rows of them
    # are a 7 MB file; one-hot encoded they would be 60,000 x 20,000 float64: 9.6 GB
    rows, columns = 60_000, 20
    assert rows * columns * MAX_CATEGORIES > MAX_ENCODED_VALUES
    rng = np.random.default_rng(0)
    words = rng.integers(0, MAX_CATEGORIES, (rows, columns))
    words[:MAX_CATEGORIES] = np.arange(MAX_CATEGORIES)[:, None]  # every word occurs
    path = tmp_path / "wide.csv"
    lines = [",".join(f"c{j}" for j in range(columns)) + ",label"]
    lines += [",".join(f"w{w}" for w in row) + f",{i % 2}" for i, row in enumerate(words)]
    path.write_text("\n".join(lines) + "\n")
    r = run_nnlearn("train", "--data", str(path), "--iterations", "1", "--out",
                    str(tmp_path / "run"), timeout=300)
    assert r.returncode != 0 and "MAX_ENCODED_VALUES" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert r.peak_mb < 500, f"peak {r.peak_mb:.0f} MB"


def _long_word_table(path, n):
    long_word = "w" * MAX_CELL_CHARS  # the longest cell the reader takes
    path.write_text("a,colour,label\n" + f"1,{long_word},0\n"
                    + "".join(f"{i % 97},{('red', 'blue', '')[i % 3]},{i % 2}\n"
                              for i in range(n)))


def test_a_long_word_is_not_padded_into_every_row_of_its_column(tmp_path):
    # issue 28's reader made an (n, 3) array of 1,000-character strings: 1.2 GB here
    path = tmp_path / "words.csv"
    _long_word_table(path, 100_000)
    r = run_python(LOAD_TABLE, str(path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["100001", "4"]  # a, and colour's three words, one-hot
    assert r.peak_mb < 200, r.peak_mb


def test_predict_s_reader_allocates_in_proportion_to_the_file(tmp_path):
    path = tmp_path / "words.csv"
    _long_word_table(path, 20_000)
    model = ModelColumns(["a", "colour"], Encoding(
        [Column("a", fill=1.0), Column("colour", CATEGORY, "red", ["blue", "red"])], "impute"),
        "label")
    tracemalloc.start()
    try:
        rows = read_matched(path, model)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows.X.shape == (20_001, 3) and len(rows.labels) == 20_001
    assert any("not seen in training" in w for w in rows.warnings)  # the long word
    # the inputs themselves are 24 bytes a row; padded, the text alone was 80 MB
    assert peak < 64 * path.stat().st_size + 2**20, peak
