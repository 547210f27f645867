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
    assert back.layer_list() == net.layer_list()
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

    # the first array fails to write: the zip file is begun, never finished
    monkeypatch.setattr(np.lib.format, "write_array", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(mlp(2, [3], 2, seed=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert zipfile.is_zipfile(path)


# -- one format: labels, and the description checked before anything is built -------------

def rewrite_npz(path, header=None, **arrays):
    """Write an .npz model file by hand: ``header`` (a dict) and ``arrays`` replace
    what ``path`` holds."""
    with np.load(path) as f:
        entries = {k: f[k] for k in f.files}
    if header is not None:
        entries["__nnlearn__"] = np.array(json.dumps(header))
    entries.update(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **entries)


def header_of(path):
    with np.load(path) as f:
        return json.loads(str(f["__nnlearn__"]))


@pytest.mark.parametrize("network", [mlp(3, [4, 5], 2, dropout=0.5), mlp(3, [], 4),
                                     resnet(3, 6, 2, 2, inner=4, dropout=0.1),
                                     resnet(2, 5, 0, 3, dtype=np.float64)])
def test_declared_shapes_agree_with_the_engine(network):
    from nnlearn.training.shapes import declared_shapes
    dtype, shapes = declared_shapes(network.layer_list())
    assert dtype == network.dtype
    assert shapes == {k: v.shape for k, v in network.parameters().items()}


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_huge_declared_size_is_refused_before_anything_is_allocated(tmp_path, suffix):
    import tracemalloc
    path = save_model(mlp(4, [8], 3), tmp_path / f"m{suffix}")
    spec = mlp(4, [8], 3).layer_list()
    spec["layers"][0]["n_in"] = 100_000  # W would be 8 x 100000: 3.2 MB in float32 ...
    spec["layers"][0]["n_out"] = spec["layers"][1]["n_in"] = 1080  # ... 432 MB here
    header = {"format": "nnlearn-model", "version": 1, "network": spec, "metadata": {}}
    if suffix == ".npz":
        rewrite_npz(path, header)
    else:
        from safetensors.numpy import load_file, save
        path.write_bytes(save(load_file(path), metadata={"__nnlearn__": json.dumps(header)}))
    assert path.stat().st_size < 4000
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"the network has 108,004,323 parameters"):
            load_model(path)  # past MAX_PARAMS: refused by the count alone
        with pytest.raises(ModelFileError, match=r"layers.0.W has shape \(8, 4\), the "
                                                 r"description says \(1080, 100000\)"):
            load_model(path, max_params=10**9)  # under the cap: the stored shape is wrong
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000


def _zip_copy(path, replace: dict, *, deflated: dict = ()):
    """Rewrite the .npz ``path`` with the entries in ``replace`` (name: bytes) instead of
    its own, and each entry of ``deflated`` (name: size) as that many zero bytes, deflated
    (written in chunks: the test never holds them)."""
    with zipfile.ZipFile(path) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    entries.update(replace)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            if name not in dict(deflated):
                zf.writestr(name, data)
        for name, size in dict(deflated).items():
            with zf.open(name, "w", force_zip64=True) as fh:
                for _ in range(size // 2**20):
                    fh.write(bytes(2**20))


def _peak_of_refusal(path, match):
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=match):
            load_model(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_npz_entry_that_declares_more_than_it_holds(tmp_path):
    import io
    path = save_model(mlp(4, [8], 3), tmp_path / "m.npz")
    npy = io.BytesIO()  # an entry whose header promises 400 MB, followed by 12 bytes
    np.lib.format.write_array_header_1_0(npy, {"descr": "<f4", "fortran_order": False,
                                               "shape": (10**8,)})
    npy.write(np.zeros(3, dtype=np.float32).tobytes())
    _zip_copy(path, {"layers.0.W.npy": npy.getvalue()})
    assert _peak_of_refusal(path, r"'layers.0.W' declares shape \(100000000,\)") < 2_000_000


@pytest.mark.parametrize("entry", ["layers.0.W.npy", "unexpected.npy", "__nnlearn__.npy"])
def test_a_deflated_entry_is_measured_against_its_shape_before_it_is_inflated(tmp_path, entry):
    """The review's file: a deflated entry of zeros far larger than the shape it must hold
    (here 48 MB where ``layers.0.W`` takes 128 bytes), or one the description does not
    declare at all, or a description of 48 MB: refused from the sizes the archive
    declares, nothing inflated (before, all 48 MB were, then refused)."""
    path = save_model(mlp(4, [8], 3), tmp_path / "m.npz")
    size = 48 * 2**20
    if entry == "__nnlearn__.npy":
        import nnlearn.training.modelio as modelio
        assert size > modelio.MAX_HEADER_BYTES
    _zip_copy(path, {}, deflated={entry: size})
    assert path.stat().st_size < 200_000  # deflate: about 1000 to 1
    match = {"layers.0.W.npy": r"'layers.0.W' declares 50,331,648 bytes; a \(8, 4\) array of "
                               r"float32 takes 128",
             "unexpected.npy": r"unexpected \['unexpected'\]",
             "__nnlearn__.npy": "a description takes at most"}[entry]
    assert _peak_of_refusal(path, match) < 2_000_000


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_an_entry_may_not_occur_twice(tmp_path):
    path = save_model(mlp(4, [8], 3), tmp_path / "m.npz")
    with zipfile.ZipFile(path) as zf:
        W = zf.read("layers.0.W.npy")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("layers.0.W.npy", W)
    with pytest.raises(ModelFileError, match="occurs twice"):
        load_model(path)


@pytest.mark.parametrize("written, named", [(".safetensors", ".npz"), (".npz", ".safetensors")])
def test_a_file_with_the_wrong_suffix_is_named_for_what_it_is(tmp_path, written, named):
    path = save_model(mlp(2, [3], 2), tmp_path / f"m{written}")
    wrong = path.rename(tmp_path / f"m{named}")
    with pytest.raises(ModelFileError) as err:
        load_model(wrong)
    assert str(err.value) == (f"{wrong}: this is a {written} file named {named}; "
                              f"rename it to m{written}")


def test_a_single_npy_array_is_not_a_model(tmp_path):
    path = tmp_path / "m.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(ModelFileError, match="a single .npy array, not a model file"):
        load_model(path)


@pytest.mark.parametrize("classes, expected", [
    (["cat", "dog", "eel"], np.array(["cat", "dog", "eel"])),
    ([3, -1, 7], np.array([3, -1, 7], dtype=np.int64)),
    ([0.5, 1, 2.5], np.array([0.5, 1.0, 2.5])),
    ([True, False, "maybe"], np.array([True, False, "maybe"], dtype=object)),
    (None, np.arange(3)),
])
@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_class_labels_are_the_stored_labels_with_a_sensible_dtype(tmp_path, classes, expected,
                                                                   suffix):
    from nnlearn.training import class_labels
    net = mlp(2, [4], 3)
    path = save_model(net, tmp_path / f"m{suffix}",
                      metadata={} if classes is None else {"classes": classes, "data": "x"})
    labels = class_labels(load_model(path))
    assert labels.dtype == expected.dtype and labels.tolist() == expected.tolist()


def test_labels_that_do_not_fit_the_outputs_are_refused(tmp_path):
    net = mlp(2, [4], 3)
    with pytest.raises(ValueError, match=r"one label per output \(3\)"):
        save_model(net, tmp_path / "m.npz", metadata={"classes": ["a", "b"]})
    path = save_model(net, tmp_path / "m.npz")
    header = header_of(path)
    for classes, message in [(["a", "b"], "one label per output"), (["a", "a", "b"], "differ"),
                             ([1.0, float("nan"), 2.0], "strings, numbers or booleans")]:
        rewrite_npz(path, {**header, "metadata": {"classes": classes}})
        with pytest.raises(ModelFileError, match=message):
            load_model(path)
