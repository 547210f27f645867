"""Image data sets: verified decoding, the decoded cache, MNIST, Fashion-MNIST and digits."""

import json
import os

import numpy as np
import pytest
from data_helpers import files_in, tiny_arrays, tiny_source, write_tiny

from nnlearn.data import idx, images, load, load_digits, load_image_set, sources
from nnlearn.errors import DataError
from nnlearn.data.transforms import subset

NPY = ["t10k-images-idx3-ubyte.npy", "t10k-labels-idx1-ubyte.npy",
       "train-images-idx3-ubyte.npy", "train-labels-idx1-ubyte.npy"]


def _no_decoding(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("decoded again although a verified cache exists")
    monkeypatch.setattr(images, "read_idx", fail)


# -- the tiny data set: every path through the cache ---------------------------------------

def test_images_as_float_or_bytes_flat_or_not(tiny):
    folder = write_tiny(tiny.cache, tiny.arrays)
    data = load_image_set("tiny")
    assert data.X_train.shape == (40, 16) and data.X_test.shape == (20, 16)
    assert data.X_train.dtype == np.float32
    np.testing.assert_array_equal(data.X_train * 255,
                                  tiny.arrays["train_images"].reshape(40, 16))
    assert data.X_train.max() <= 1 and data.X_train.min() >= 0
    assert data.y_train.dtype == np.int64
    assert list(data.classes) == ["ant", "bee", "cat", "dog"] and data.image_shape == (4, 4)
    assert data.info["origin"] == "cache" and data.info["folder"] == str(folder)
    raw = load_image_set("tiny", flatten=False, dtype="uint8")
    assert raw.X_test.shape == (20, 4, 4) and raw.X_test.dtype == np.uint8
    np.testing.assert_array_equal(raw.X_test, tiny.arrays["test_images"])
    assert not raw.X_test.flags.writeable  # a read-only map of the verified cache
    with pytest.raises(ValueError, match="dtype must be one of"):
        load_image_set("tiny", dtype="float16")


def test_cache_is_written_beside_writable_files_and_reused(tiny, monkeypatch):
    folder = write_tiny(tiny.root / "mine" / "tiny", tiny.arrays)
    first = load_image_set("tiny", data_dir=tiny.root / "mine")
    assert set(first.info["decoded"].values()) == {"verified"}
    assert [n for n in files_in(folder) if n.endswith(".npy")] == NPY
    meta = json.loads((folder / "train-images-idx3-ubyte.npy.json").read_text())
    assert meta["md5"] == tiny.src.files["train_images"].md5
    assert meta["npy_size"] == (folder / "train-images-idx3-ubyte.npy").stat().st_size
    assert {"source", "source_size", "source_mtime_ns", "shape", "dtype"} <= set(meta)
    _no_decoding(monkeypatch)
    second = load_image_set("tiny", data_dir=tiny.root / "mine")
    assert set(second.info["decoded"].values()) == {"cache"}
    np.testing.assert_array_equal(second.X_train, first.X_train)
    assert not any(name.endswith(".tmp") for name in files_in(folder))


def test_cache_goes_to_the_user_cache_when_the_data_folder_is_read_only(tiny):
    folder = write_tiny(tiny.root / "shared" / "tiny", tiny.arrays)
    os.chmod(folder, 0o555)
    try:
        load_image_set("tiny", data_dir=folder)
        assert not any(name.endswith((".npy", ".json")) for name in files_in(folder))
        assert [n for n in files_in(tiny.cache) if n.endswith(".npy")] == NPY
        assert images.is_verified(tiny.src, "train_images", folder / "train-images-idx3-ubyte.gz")
    finally:
        os.chmod(folder, 0o755)


def test_stale_cache_is_rebuilt_when_the_source_changes(tiny):
    folder = write_tiny(tiny.cache, tiny.arrays)
    load_image_set("tiny")
    source = folder / "train-labels-idx1-ubyte.gz"
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    data = load_image_set("tiny")
    assert data.info["decoded"]["train_labels"] == "verified"
    assert data.info["decoded"]["train_images"] == "cache"


@pytest.mark.parametrize("damage", ["truncate npy", "garble sidecar", "drop sidecar",
                                    "wrong size in sidecar"])
def test_damaged_cache_is_detected_and_rebuilt(tiny, damage):
    folder = write_tiny(tiny.cache, tiny.arrays)
    load_image_set("tiny")
    npy = folder / "train-images-idx3-ubyte.npy"
    side = folder / "train-images-idx3-ubyte.npy.json"
    if damage == "truncate npy":
        npy.write_bytes(npy.read_bytes()[:-7])
    elif damage == "garble sidecar":
        side.write_text("{not json")
    elif damage == "drop sidecar":
        side.unlink()
    else:
        side.write_text(json.dumps(dict(json.loads(side.read_text()), npy_size=3)))
    data = load_image_set("tiny", dtype="uint8", flatten=False)
    assert data.info["decoded"]["train_images"] == "verified"
    np.testing.assert_array_equal(data.X_train, tiny.arrays["train_images"])
    assert images.is_verified(tiny.src, "train_images", folder / "train-images-idx3-ubyte.gz")


def test_checksum_mismatch_is_an_error_and_nothing_is_cached(tiny):
    other = dict(tiny.arrays, test_images=tiny.arrays["test_images"] // 2)
    folder = write_tiny(tiny.cache, other)
    with pytest.raises(DataError, match="checksum mismatch") as err:
        load_image_set("tiny")
    message = str(err.value)
    assert str(folder / "t10k-images-idx3-ubyte.gz") in message
    assert tiny.src.files["test_images"].md5 in message and "not the published one" in message
    assert "t10k-images-idx3-ubyte.npy" not in files_in(folder)


def test_a_file_of_another_data_set_is_named(tiny, monkeypatch):
    other = tiny_arrays(seed=7)
    monkeypatch.setitem(sources.SOURCES, "tiny2", tiny_source(other, name="tiny2"))
    folder = write_tiny(tiny.cache, tiny.arrays)
    idx.write_idx(folder / "train-images-idx3-ubyte.gz", other["train_images"])
    with pytest.raises(DataError, match="this file is tiny2's train-images-idx3-ubyte, "
                                        "mislabelled"):
        load_image_set("tiny")


def test_swapped_files_fail_on_their_shape(tiny):
    folder = write_tiny(tiny.cache, tiny.arrays)
    images_file, labels_file = (folder / "t10k-images-idx3-ubyte.gz",
                                folder / "t10k-labels-idx1-ubyte.gz")
    images_bytes = images_file.read_bytes()
    images_file.write_bytes(labels_file.read_bytes())
    labels_file.write_bytes(images_bytes)
    with pytest.raises(DataError, match=r"expected images of shape \(n, 4, 4\)") as err:
        load_image_set("tiny")
    assert str(images_file) in str(err.value)


def test_images_and_labels_must_agree_in_number(tiny, monkeypatch):
    short = dict(tiny.arrays, test_labels=tiny.arrays["test_labels"][:-1])
    monkeypatch.setitem(sources.SOURCES, "tiny", tiny_source(short))
    write_tiny(tiny.cache, short)
    with pytest.raises(DataError, match="holds 20 images but .* holds 19 labels"):
        load_image_set("tiny")


def test_without_any_writable_cache_folder_it_still_loads(tiny):
    folder = write_tiny(tiny.root / "ro" / "tiny", tiny.arrays)
    os.chmod(folder, 0o555)
    (tiny.root / "xdg").mkdir()
    os.chmod(tiny.root / "xdg", 0o555)
    try:
        with pytest.warns(UserWarning, match="could not write a decoded cache"):
            data = load_image_set("tiny", data_dir=folder)
        assert data.X_train.shape == (40, 16)
    finally:
        os.chmod(folder, 0o755)
        os.chmod(tiny.root / "xdg", 0o755)


def test_status_reports_where_and_whether_verified(tiny):
    st = images.status("tiny")
    assert st.folder is None and st.verified is None and "put the files" in st.message
    write_tiny(tiny.system, tiny.arrays)
    st = images.status("tiny")
    assert (st.folder, st.origin, st.verified) == (tiny.system, "system", False)
    assert images.status("tiny", verify=True).verified is True
    assert images.status("tiny").verified is True  # the cache says so, no hashing


def test_registry_loads_registered_image_sets_with_subsets(tiny):
    write_tiny(tiny.cache, tiny.arrays)
    data = load("tiny", n_train=8, n_test=4, seed=3)
    assert np.bincount(data.y_train).tolist() == [2, 2, 2, 2]
    assert np.bincount(data.y_test).tolist() == [1, 1, 1, 1]
    with pytest.raises(DataError, match="n_train=400"):
        load("tiny", n_train=400)


# -- the real data sets ------------------------------------------------------------------------

MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.mark.needs_data("mnist")
def test_mnist_is_verified_and_complete(mnist):
    assert mnist.X_train.shape == (60000, 784) and mnist.X_test.shape == (10000, 784)
    assert mnist.X_train.dtype == np.float32
    assert 0 <= mnist.X_train.min() and mnist.X_train.max() == 1
    assert np.bincount(mnist.y_test).tolist() == MNIST_TEST_COUNTS
    assert np.bincount(mnist.y_train).tolist() == MNIST_TRAIN_COUNTS
    assert mnist.classes.tolist() == list(range(10)) and mnist.image_shape == (28, 28)
    assert "published checksum" in mnist.info["verified"]
    published = {"train_images": "6bbc9ace898e44ae57da46a324031adb",
                 "train_labels": "a25bea736e30d166cdddb491f175f624",
                 "test_images": "2646ac647ad5339dbf082846283269ea",
                 "test_labels": "27ae3e4e09519cfbb04c329615203637"}
    for role, path in mnist.info["files"].items():
        src = sources.SOURCES["mnist"]
        assert src.files[role].md5 == published[role]
        assert images.is_verified(src, role, path)


@pytest.mark.needs_data("mnist")
def test_mnist_second_load_reads_the_cache(mnist):
    # How fast is measured by benchmarks/bench_data.py; here: the second load reads the cache.
    again = load("mnist", download=False)
    assert set(again.info["decoded"].values()) == {"cache"}
    raw = load("mnist", dtype="uint8", flatten=False, download=False)
    assert raw.X_train.shape == (60000, 28, 28) and raw.X_train.dtype == np.uint8
    np.testing.assert_array_equal(raw.X_test[:100].reshape(100, -1) / np.float32(255),
                                  mnist.X_test[:100])


@pytest.mark.needs_data("fashion-mnist")
def test_fashion_mnist(fashion_mnist):
    data = fashion_mnist
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    assert data.classes[0] == "T-shirt/top" and data.classes[9] == "Ankle boot"
    assert "published checksum" in data.info["verified"]
    if data.info["origin"] == "system":  # through Debian's dataset-fashion-mnist package
        assert data.info["folder"] == "/usr/share/datasets/fashion-mnist"


def test_digits_is_embedded_scaled_and_split_stratified():
    data = load("digits")
    assert data.X_train.shape == (1437, 64) and data.X_test.shape == (360, 64)
    assert data.X_train.dtype == np.float32 and data.X_train.max() == 1
    assert data.image_shape == (8, 8)
    counts = np.bincount(data.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 20% of each class of ~180
    again, other = load("digits"), load("digits", seed=1)
    np.testing.assert_array_equal(again.X_test, data.X_test)
    assert not np.array_equal(other.X_test, data.X_test)
    assert load_digits(flatten=False).X_train.shape == (1437, 8, 8)


# -- the lecture's network on MNIST --------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.needs_data("mnist")
def test_784_32_10_network_reaches_96_percent_on_mnist(mnist):
    from nnlearn.data import Standardizer
    from nnlearn.engine import Adam, mlp
    from nnlearn.training import NumpyBackend, TrainConfig, Trainer

    scaler = Standardizer().fit(mnist.X_train)
    X_train, X_test = scaler.transform(mnist.X_train), scaler.transform(mnist.X_test)
    net = mlp(784, [32], 10, seed=0)
    trainer = Trainer(NumpyBackend(net, Adam()),
                      TrainConfig(epochs=5, batch_size=100, lr=3e-3, schedule="cosine",
                                  progress=False))
    trainer.fit(X_train, mnist.y_train)
    accuracy = np.mean(net.predict(X_test) == mnist.y_test)
    assert accuracy >= 0.96, f"test accuracy {accuracy:.4f}"


@pytest.mark.needs_data("mnist")
def test_the_lectures_training_set_sizes_are_subsets_of_mnist(mnist):
    X, y = subset(mnist.X_train, mnist.y_train, 60000)  # the whole training set
    assert len(y) == 60000 and np.bincount(y).tolist() == MNIST_TRAIN_COUNTS
    np.testing.assert_array_equal(y, mnist.y_train)
    _, y = subset(mnist.X_train, mnist.y_train, 55000)  # 5500 each: class 5 has only 5421
    counts = np.bincount(y)
    assert len(y) == 55000 and counts[5] == 5421
    assert counts.max() - counts[counts != 5421].min() <= 1
    assert load("mnist", n_train=60000, n_test=10000, download=False).X_train.shape == (60000, 784)
