"""Generated and mutated input for the readers of IDX, CSV and NPZ files (Hypothesis).

The property, for every reader: whatever the bytes, it returns what it
documents (an array of the declared shape, a ``Dataset`` of finite features
and labels in range) or raises ``nnlearn.errors.DataError`` with a message
that names the file. Never another exception, never a hang (each example
has a deadline), never an allocation far beyond the file's size (peak traced
memory, NumPy's included, stays under ``ALLOC_LIMIT``).

Each property runs ``max_examples`` cases (200 by default; set
``NNLEARN_FUZZ_EXAMPLES`` for a longer hunt).
"""

from __future__ import annotations

import gzip
import io
import os
import tempfile
import tracemalloc
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlearn.data import load_table, read_csv, read_npz
from nnlearn.data.idx import IDX_TYPES, encode_idx, parse_idx, read_idx
from nnlearn.errors import DataError

EXAMPLES = int(os.environ.get("NNLEARN_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=2), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: the most a reader may allocate for one of these small files (they are all under 64 KB)
ALLOC_LIMIT = 32 * 2**20


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory(prefix="nnlearn-fuzz-") as name:
        yield Path(name)


def outcome(read, path, limit=ALLOC_LIMIT):
    """``read(path)``, or the ``DataError`` it raised; any other exception fails the test.

    Also fails when the call's peak allocation exceeds ``limit`` (``ALLOC_LIMIT``), and on
    any warning (an overflow in a cast is a defect, not a message for the user).
    """
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return read(path)
    except DataError as err:
        assert str(path) in str(err), f"the message does not name the file: {err}"
        return err
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < limit, f"reading a {path.stat().st_size}-byte file allocated {peak}"


# -- IDX -----------------------------------------------------------------------------------

idx_arrays = st.builds(
    lambda code, shape, seed: (np.random.default_rng(seed).integers(-100, 100, shape)
                               .astype(IDX_TYPES[code].newbyteorder("="))),
    st.sampled_from(sorted(IDX_TYPES)), st.lists(st.integers(1, 6), min_size=1, max_size=3),
    st.integers(0, 2**32 - 1))


def mutate(data: bytes, draw) -> bytes:
    """One of the ways a file goes wrong: cut short, bits flipped, bytes overwritten or added."""
    kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "append", "huge_dim",
                                 "type", "ndim"]))
    buf = bytearray(data)
    if kind == "truncate":
        return bytes(buf[:draw(st.integers(0, max(len(buf) - 1, 0)))])
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(buf) - 1))
            buf[i] ^= 1 << draw(st.integers(0, 7))
        return bytes(buf)
    if kind == "overwrite":
        i = draw(st.integers(0, len(buf) - 1))
        patch = draw(st.binary(min_size=1, max_size=16))
        buf[i:i + len(patch)] = patch
        return bytes(buf)
    if kind == "append":
        return bytes(buf) + draw(st.binary(min_size=1, max_size=64))
    if kind == "huge_dim" and len(buf) >= 8:  # an IDX size field set to a huge value
        dim = draw(st.integers(0, max(buf[3] - 1, 0))) if len(buf) > 3 else 0
        at = 4 + 4 * dim
        buf[at:at + 4] = draw(st.sampled_from([2**32 - 1, 2**31, 10**9, 65536])).to_bytes(4, "big")
        return bytes(buf)
    if kind == "type" and len(buf) >= 4:
        buf[2] = draw(st.integers(0, 255))
        return bytes(buf)
    if kind == "ndim" and len(buf) >= 4:
        buf[3] = draw(st.integers(0, 255))
        return bytes(buf)
    return bytes(buf)


@FUZZ
@given(st.binary(max_size=600))
def test_idx_parser_on_random_bytes(buf):
    try:
        array = parse_idx(buf, source="fuzz.idx")
    except DataError as err:
        assert "fuzz.idx" in str(err)
        return
    assert array.nbytes == len(buf) - 4 - 4 * array.ndim


@FUZZ
@given(idx_arrays, st.booleans(), st.data())
def test_idx_reader_on_mutated_files(folder, array, gz, data):
    raw = mutate(encode_idx(array), data.draw)
    path = folder / ("m-idx-ubyte.gz" if gz else "m-idx-ubyte")
    path.write_bytes(gzip.compress(raw, mtime=0) if gz else raw)
    got = outcome(read_idx, path)
    if not isinstance(got, DataError):
        back, _ = got
        assert back.nbytes == len(raw) - 4 - 4 * back.ndim


@FUZZ
@given(idx_arrays, st.data())
def test_idx_reader_on_mutated_gzip_streams(folder, array, data):
    path = folder / "g-idx-ubyte.gz"
    path.write_bytes(mutate(gzip.compress(encode_idx(array), mtime=0), data.draw))
    outcome(lambda p: read_idx(p, shape=(None, *array.shape[1:]), dtype=array.dtype), path)


# -- CSV -----------------------------------------------------------------------------------

CELLS = ["0", "1", "2", "-3.5", "1e3", "7", "nan", "NaN", "inf", "-inf", "", " ", "abc", "x",
         "setosa", "1e400", "0x10", "1_000", "\u0661", "NA", "?", "null", '"', '"a,b"', "\x00",
         "\u00e9", "3,5", "\t", "9" * 30]


@st.composite
def csv_texts(draw):
    width = draw(st.integers(1, 5))
    n = draw(st.integers(0, 12))
    rows = [[draw(st.sampled_from(CELLS)) for _ in range(draw(st.sampled_from([width] * 6 +
                                                                              [width + 1, 1])))]
            for _ in range(n)]
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    return "\n".join(delimiter.join(row) for row in rows) + draw(st.sampled_from(["", "\n"])), \
        delimiter


def check_dataset(got):
    if isinstance(got, DataError):
        return
    assert np.isfinite(got.X_train).all() and np.isfinite(got.X_test).all()
    assert got.n_classes >= 2
    for y in (got.y_train, got.y_test):
        assert y.dtype == np.int64 and ((0 <= y) & (y < got.n_classes)).all()


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["f.csv", "f.tsv", "F.CSV"]))
def test_csv_reader_on_random_bytes(folder, raw, name):
    path = folder / name
    path.write_bytes(raw)
    check_dataset(outcome(load_table, path))


@FUZZ
@given(csv_texts(), st.sampled_from([None, 0, -1, 1, 7, "label", "0"]),
       st.sampled_from([None, True, False]), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_csv_reader_on_generated_tables(folder, table, label, header, encoding):
    text, delimiter = table
    path = folder / "g.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    check_dataset(outcome(lambda p: load_table(p, label=label, header=header,
                                               delimiter=delimiter), path))


def valid_csv(seed=0, n=30):
    rng = np.random.default_rng(seed)
    rows = [f"{a:.3f},{b:.3f},{'yes' if a > b else 'no'}" for a, b in rng.normal(size=(n, 2))]
    return ("f1,f2,answer\n" + "\n".join(rows) + "\n").encode()


@FUZZ
@given(st.integers(0, 2**16), st.data())
def test_csv_reader_on_mutated_tables(folder, seed, data):
    path = folder / "m.csv"
    path.write_bytes(mutate(valid_csv(seed), data.draw))
    check_dataset(outcome(load_table, path))
    outcome(read_csv, path)


# -- NPZ -----------------------------------------------------------------------------------

def npz_bytes(arrays: dict, compressed: bool) -> bytes:
    out = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(out, **arrays)
    return out.getvalue()


def valid_npz(seed, compressed, images):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 255, (20, 3, 4) if images else (20, 5)).astype(np.uint8)
    return npz_bytes({"X": X, "y": np.arange(20) % 2}, compressed)


@FUZZ
@given(st.integers(0, 2**16), st.booleans(), st.booleans(), st.data())
def test_npz_reader_on_mutated_files(folder, seed, compressed, images, data):
    path = folder / "m.npz"
    path.write_bytes(mutate(valid_npz(seed, compressed, images), data.draw))
    check_dataset(outcome(load_table, path))


def npy_member(shape, descr="<f8", body=b"", fortran=False) -> bytes:
    """The bytes of an ``.npy`` file whose header declares ``shape``, followed by ``body``."""
    header = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + body


@FUZZ
@given(st.lists(st.sampled_from([0, 1, 2, 20, 10**4, 10**6, 2**31, 10**12, 2**62]),
                min_size=1, max_size=3),
       st.sampled_from(["<f8", "|u1", "<i8", "<U5", "|S3", "<c16", "|b1", "<M8[s]", "|O",
                        "[('a', '<f4')]", "<V7", "<f2", ">f8"]),
       st.integers(0, 200), st.booleans(), st.sampled_from(["X", "y", "X_test"]))
def test_npz_reader_on_declared_shapes_and_dtypes(folder, shape, descr, body, deflate, member):
    """Members whose headers declare huge shapes or odd dtypes over a few bytes of data."""
    arrays = {"X": npy_member((20, 2), body=np.zeros((20, 2)).tobytes()),
              "y": npy_member((20,), "<i8", (np.arange(20) % 2).astype("<i8").tobytes()),
              "X_test": npy_member((4, 2), body=np.ones((4, 2)).tobytes()),
              "y_test": npy_member((4,), "<i8", (np.arange(4) % 2).astype("<i8").tobytes())}
    try:
        arrays[member] = npy_member(shape, descr, bytes(body))
    except (TypeError, ValueError):
        return
    path = folder / "d.npz"
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, content in arrays.items():
            zf.writestr(name + ".npy", content)
    check_dataset(outcome(load_table, path))
    outcome(read_npz, path)


@FUZZ
@given(st.sampled_from([np.float64, np.float32, np.int8, np.uint16, bool, np.complex64, "U3",
                        "S2", "datetime64[D]"]),
       st.sampled_from([(12, 3), (12,), (12, 2, 2), (0, 3), (12, 0), (12, 1, 1, 1)]),
       st.sampled_from([np.int64, np.float64, "U4", bool, np.float16]),
       st.sampled_from([12, 11, 0]), st.sampled_from([None, np.nan, np.inf, -np.inf]))
def test_npz_reader_on_arrays_of_every_kind(folder, x_dtype, x_shape, y_dtype, n_y, bad):
    rng = np.random.default_rng(0)
    X = (rng.random(x_shape) * 10).astype(x_dtype) if np.dtype(x_dtype).kind != "M" else \
        np.zeros(x_shape, dtype=x_dtype)
    y = (np.arange(n_y) % 3).astype(y_dtype)
    if bad is not None and X.dtype.kind == "f" and X.size:
        X.flat[X.size // 2] = bad
    if bad is not None and y.dtype.kind == "f" and y.size:
        y[-1] = bad
    path = folder / "k.npz"
    np.savez(path, X=X, y=y)
    check_dataset(outcome(load_table, path))


# -- memory in proportion to the file (issue 24) ---------------------------------------------

SIZED = settings(FUZZ, max_examples=max(10, EXAMPLES // 4))


@SIZED
@given(st.integers(50, 3000), st.integers(2, 6), st.integers(0, 1500), st.data())
def test_csv_reader_allocates_in_proportion_to_the_file(folder, n, width, long, data):
    """One long cell among many short ones: the reader's memory grows with the file's
    bytes, never with rows x columns x the longest cell (the padding of issue 24: a 251 KB
    file asked for 29 GiB)."""
    rows = [",".join(str(j + i % 7) for j in range(width - 1)) + f",{i % 3}" for i in range(n)]
    i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, width - 1))
    cells = rows[i].split(",")
    cells[j] = "1" * long if j < width - 1 else "c" * long  # a long number, or a long label
    rows[i] = ",".join(cells)
    path = folder / "sized.csv"
    path.write_text("\n".join(rows) + "\n")
    size = path.stat().st_size
    check_dataset(outcome(load_table, path, limit=64 * size + 2**20))


@SIZED
@given(st.lists(st.integers(1, 2**12), min_size=1, max_size=3), st.integers(0, 4 * 2**20))
def test_a_gzip_idx_stream_is_read_no_further_than_its_header_declares(folder, shape, zeros):
    """A gzip IDX file of any declared shape over any amount of (well compressed) data: the
    reader never holds more than the declared size, whatever the stream inflates to."""
    declared = int(np.prod(shape))
    header = bytes([0, 0, 8, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)
    path = folder / "z-idx-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(zeros), compresslevel=1, mtime=0))
    got = outcome(read_idx, path, limit=2 * min(declared, zeros) + 2**20)
    if not isinstance(got, DataError):
        assert got[0].shape == tuple(shape) and zeros == declared
