"""Model files: exact round trips, and a clear error for every kind of bad file."""

import json
import zipfile

import numpy as np
import pytest

from nnlearn.engine import mlp, resnet
from nnlearn.errors import ModelFileError
from nnlearn.training import load_model, save_model


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_bit_identical(tmp_path, suffix, dtype, rng):
    net = resnet(5, 6, 2, 3, "tanh", inner=4, dropout=0.1, seed=2, dtype=dtype)
    for p in net.parameters().values():
        p[...] = rng.normal(size=p.shape)
    net.metadata = {"classes": ["cat", "dog", "eel"]}
    path = save_model(net, tmp_path / f"m{suffix}")
    back = load_model(path)
    assert back.spec() == net.spec()
    assert back.metadata == {"classes": ["cat", "dog", "eel"]}
    for k, v in net.parameters().items():
        assert back.parameters()[k].dtype == v.dtype
        np.testing.assert_array_equal(back.parameters()[k], v)
    X = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(back.forward(X), net.forward(X))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"m{suffix}"]


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_truncated_file_is_a_clear_error(tmp_path, suffix):
    path = save_model(mlp(4, [8], 3), tmp_path / f"m{suffix}")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt or truncated"):
        load_model(path)


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_garbage_file_is_a_clear_error(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    path.write_bytes(b"\x00not a model at all" * 10)
    with pytest.raises(ModelFileError, match=path.name):
        load_model(path)


def test_weights_that_do_not_match_the_architecture(tmp_path):
    path = save_model(mlp(4, [8], 3), tmp_path / "m.npz")
    with np.load(path) as f:
        entries = {k: f[k] for k in f.files}
    header = json.loads(str(entries["__nnlearn__"]))
    header["network"]["layers"][0]["n_out"] = 9  # the description now disagrees
    entries["__nnlearn__"] = np.array(json.dumps(header))
    with open(path, "wb") as fh:
        np.savez(fh, **entries)
    with pytest.raises(ModelFileError, match="do not match"):
        load_model(path)


def test_missing_weight_and_foreign_npz(tmp_path):
    path = save_model(mlp(4, [8], 3), tmp_path / "m.npz")
    with np.load(path) as f:
        entries = {k: f[k] for k in f.files if k != "layers.1.b"}
    with open(path, "wb") as fh:
        np.savez(fh, **entries)
    with pytest.raises(ModelFileError, match="missing"):
        load_model(path)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, X=np.zeros(3))
    with pytest.raises(ModelFileError, match="not an nnlearn model"):
        load_model(foreign)


def test_a_pickled_object_is_never_loaded(tmp_path):
    """An .npz entry holding a Python object needs pickle: refused, not executed."""
    path = tmp_path / "evil.npz"
    with open(path, "wb") as fh:
        np.savez(fh, __nnlearn__=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_non_finite_weights_and_bad_names(tmp_path):
    net = mlp(2, [3], 2)
    net.parameters()["layers.0.W"][0, 0] = np.nan
    path = save_model(net, tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="NaN"):
        load_model(path)
    with pytest.raises(ValueError, match=r"\.npz or \.safetensors"):
        save_model(net, tmp_path / "m.pkl")
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "absent.npz")


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = save_model(mlp(2, [3], 2, seed=0), tmp_path / "m.npz")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(mlp(2, [3], 2, seed=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert zipfile.is_zipfile(path)
