"""The IDX reader: what it decodes, and the clear error for each kind of broken file."""

import gzip

import numpy as np
import pytest

from nnlearn.data.idx import encode_idx, md5_of_content, parse_idx, read_bytes, read_idx, write_idx
from nnlearn.errors import DataError


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
def test_write_then_read_gives_the_array_back(tmp_path, dtype, name):
    array = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    write_idx(tmp_path / name, array)
    back, md5 = read_idx(tmp_path / name)
    assert back.dtype == dtype and back.shape == (2, 3, 5)
    np.testing.assert_array_equal(back, array)
    # the checksum is of the uncompressed content, whatever the wrapping
    assert md5 == md5_of_content(tmp_path / name)
    assert read_bytes(tmp_path / name) == encode_idx(array)


def test_header_layout_is_the_published_one():
    data = encode_idx(np.zeros((60000, 28, 28), np.uint8)[:2])
    assert data[:4] == b"\x00\x00\x08\x03"
    assert data[4:16] == (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    assert len(data) == 16 + 2 * 784


def test_gzip_output_is_deterministic(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def _valid(tmp_path, name="x-idx3-ubyte"):
    path = tmp_path / name
    write_idx(path, np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4))
    return path


def test_truncated_file_names_the_file_and_the_missing_bytes(tmp_path):
    path = _valid(tmp_path)
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(DataError, match="truncated") as err:
        read_idx(path)
    assert str(path) in str(err.value) and "needs 48 bytes" in str(err.value)


def test_truncated_gzip_is_reported(tmp_path):
    path = _valid(tmp_path, "x-idx3-ubyte.gz")
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(DataError, match="gzip stream is truncated") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_gzip_garbage_is_reported(tmp_path):
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 500, dtype=np.uint8).tobytes())
    with pytest.raises(DataError, match="not a valid gzip file") as err:
        read_idx(path)
    assert str(path) in str(err.value)
    with pytest.raises(DataError, match="not a valid gzip file"):
        md5_of_content(path)


def test_corrupt_deflate_data_inside_a_gzip_header(tmp_path):
    path = tmp_path / "x-idx3-ubyte.gz"
    good = gzip.compress(encode_idx(np.arange(200, dtype=np.uint8)))
    path.write_bytes(good[:10] + bytes(b ^ 0x5A for b in good[10:-8]) + good[-8:])
    with pytest.raises(DataError, match=r"x-idx3-ubyte\.gz: (not a valid gzip|the gzip)"):
        read_idx(path)


def test_wrong_magic_number(tmp_path):
    path = _valid(tmp_path)
    path.write_bytes(b"\x08\x03\x00\x00" + path.read_bytes()[4:])
    with pytest.raises(DataError, match="bad magic number 0x08030000") as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_unknown_element_type(tmp_path):
    path = _valid(tmp_path)
    path.write_bytes(b"\x00\x00\x07\x03" + path.read_bytes()[4:])
    with pytest.raises(DataError, match="unknown element type 0x07"):
        read_idx(path)


def test_gzip_file_without_gz_suffix_gets_a_hint(tmp_path):
    path = tmp_path / "x-idx1-ubyte"
    path.write_bytes(gzip.compress(encode_idx(np.arange(5, dtype=np.uint8))))
    with pytest.raises(DataError, match=r"gzip-compressed: name it \*\.gz"):
        read_idx(path)


def test_trailing_bytes_and_short_headers(tmp_path):
    path = _valid(tmp_path)
    path.write_bytes(path.read_bytes() + b"\x00\x01")
    with pytest.raises(DataError, match="2 bytes of unexpected data"):
        read_idx(path)
    with pytest.raises(DataError, match="header of 3 dimensions needs 16 bytes"):
        parse_idx(b"\x00\x00\x08\x03\x00\x00\x00\x01", source="h")
    with pytest.raises(DataError, match="shorter than the 4-byte magic"):
        parse_idx(b"\x00\x00", source="h")
    with pytest.raises(DataError, match="zero dimensions"):
        parse_idx(b"\x00\x00\x08\x00", source="h")


def test_mislabelled_file_fails_on_its_shape(tmp_path):
    labels = tmp_path / "train-images-idx3-ubyte"
    write_idx(labels, np.arange(10, dtype=np.uint8))  # labels where images belong
    with pytest.raises(DataError, match=r"shape \(10,\), expected images of shape "
                                        r"\(n, 28, 28\); is it the right file"):
        read_idx(labels, shape=(None, 28, 28), what="images")
    write_idx(labels, np.arange(10, dtype=np.int32))
    with pytest.raises(DataError, match="int32 elements, expected uint8"):
        read_idx(labels, dtype=np.uint8)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_idx(tmp_path / "nothing.gz")


def test_encode_refuses_what_idx_cannot_hold():
    with pytest.raises(ValueError, match="IDX cannot hold"):
        encode_idx(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="IDX cannot hold"):
        encode_idx(np.float32(1.0))


def test_huge_declared_sizes_are_reported_exactly_without_reading_the_file(tmp_path):
    huge = (2**32 - 1).to_bytes(4, "big") * 3
    with pytest.raises(DataError, match=r"needs 79228162458924105385300197375 bytes of data, "
                                        r"the file has 10"):
        parse_idx(b"\x00\x00\x08\x03" + huge + bytes(10), source="h")
    path = tmp_path / "big-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x08\x01" + (2**20).to_bytes(4, "big") + bytes(10))
    with pytest.raises(DataError, match=r"big-idx3-ubyte: truncated: shape \(1048576,\) needs "
                                        r"1048576 bytes of data, the file has 10"):
        read_idx(path)
