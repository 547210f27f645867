"""Property-based tests of the model-file loader, with generated and mutated files.

Whatever the bytes (random, a valid file truncated or with flipped bits, a
description declaring absurd sizes, wrong dtypes, non-UTF-8 headers, NaN
weights), ``load_model`` returns a usable network or raises ``ModelFileError``
naming the file: never another exception, a hang (Hypothesis' deadline) or a
large allocation (tracemalloc's peak, which counts NumPy's buffers).
"""

import io
import json
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnlearn.engine import mlp, resnet  # noqa: E402
from nnlearn.errors import ModelFileError  # noqa: E402
from nnlearn.training import class_labels, load_model, save_model  # noqa: E402

FUZZ = settings(max_examples=200, deadline=2000, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PEAK = 16 * 2**20  # bytes a load of these small files may allocate at most
NETWORKS = [mlp(3, [4], 2, seed=0), mlp(2, [], 3, dtype=np.float64),
            resnet(3, 4, 1, 2, inner=3, dropout=0.2, seed=1)]
SUFFIXES = (".npz", ".safetensors")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def valid_files(workdir):
    """(suffix, bytes) of a valid model file for each network and format."""
    files = []
    for k, net in enumerate(NETWORKS):
        net.metadata = {"classes": [f"c{j}" for j in range(net.n_out)], "data": "fuzz"}
        for suffix in SUFFIXES:
            files.append((suffix, save_model(net, workdir / f"valid{k}{suffix}").read_bytes()))
    return files


def load_or_refuse(path):
    """Load ``path``: a usable network, or a ``ModelFileError`` naming the file;
    anything else, or a peak allocation above ``PEAK``, fails the test."""
    tracemalloc.start()
    try:
        network = load_model(path)
    except ModelFileError as err:
        assert str(path) in str(err)
        event("refused")  # --hypothesis-show-statistics counts the outcomes
        return err
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < PEAK, f"loading allocated {peak} bytes"
    assert all(np.all(np.isfinite(p)) for p in network.parameters().values())
    assert network.predict_logits(np.zeros((2, network.n_in))).shape == (2, network.n_out)
    assert len(class_labels(network)) == network.n_out
    event("loaded")
    return network


def write(workdir, suffix, data: bytes):
    path = workdir / f"fuzzed{suffix}"
    path.write_bytes(data)
    return path


# -- 1. random bytes, some behind the magic of a zip or a safetensors header ---------------

@FUZZ
@given(suffix=st.sampled_from(SUFFIXES),
       data=st.one_of(st.binary(max_size=2048),
                      st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
                      st.binary(max_size=2048).map(
                          lambda b: struct.pack("<Q", len(b)) + b"{" + b)))
def test_random_bytes_are_refused(workdir, suffix, data):
    assert isinstance(load_or_refuse(write(workdir, suffix, data)), ModelFileError)


# -- 2. valid files, mutated: truncated, bits flipped, bytes overwritten, inserted, cut ----

@st.composite
def mutations(draw, data: bytes):
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "insert", "cut"]))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at:at + len(chunk)] = chunk
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at:at + draw(st.integers(1, 64))]
    return bytes(data)


@FUZZ
@given(pick=st.data())
def test_mutated_files_load_or_are_refused(workdir, valid_files, pick):
    suffix, data = pick.draw(st.sampled_from(valid_files))
    load_or_refuse(write(workdir, suffix, pick.draw(mutations(data))))


# -- 3. valid containers holding a mutated description or mutated arrays -------------------

JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 40),
    st.integers(min_value=2**20, max_value=2**80), st.integers(max_value=-1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.integers(0, 5), max_size=3), st.dictionaries(st.text(max_size=4),
                                                             st.integers(), max_size=2))
DTYPES = ["float16", "float32", "float64", "int32", "int64", "uint8", "bool", "complex64"]


@st.composite
def mutated_model(draw):
    """A header dict and arrays, starting from a valid model and changed in a few places."""
    net = draw(st.sampled_from(NETWORKS))
    header = {"format": "nnlearn-model", "version": 1, "network": net.layer_list(),
              "metadata": {"classes": list(range(net.n_out))}}
    arrays = {k: v.copy() for k, v in net.parameters().items()}
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["layer", "dtype", "top", "classes", "array dtype",
                                     "array shape", "non-finite", "drop", "extra"]))
        spec = header["network"] if isinstance(header["network"], dict) else {}
        layers = spec.get("layers") or []
        if kind == "layer" and layers:
            entry = layers[draw(st.integers(0, len(layers) - 1))]
            key = draw(st.sampled_from(sorted(entry) + ["extra"]))
            entry[key] = draw(st.one_of(JSON_VALUES, st.just(10**6), st.just(2**31)))
        elif kind == "dtype":
            spec["dtype"] = draw(st.one_of(st.sampled_from(DTYPES + ["O", "V8"]),
                                                        JSON_VALUES))
        elif kind == "top":
            header[draw(st.sampled_from(["format", "version", "network", "metadata"]))] = \
                draw(JSON_VALUES)
        elif kind == "classes":
            header["metadata"] = {"classes": draw(st.one_of(JSON_VALUES,
                                                            st.lists(JSON_VALUES, max_size=4)))}
        elif arrays:
            name = draw(st.sampled_from(sorted(arrays)))
            a = arrays[name]
            if kind == "array dtype":
                arrays[name] = a.astype(draw(st.sampled_from(DTYPES)))
            elif kind == "array shape":
                shape = draw(st.lists(st.integers(0, 6), max_size=3))
                arrays[name] = np.resize(a, shape)
            elif kind == "non-finite" and a.size and a.dtype.kind == "f":
                a.flat[draw(st.integers(0, a.size - 1))] = \
                    draw(st.sampled_from([np.nan, np.inf, -np.inf]))
            elif kind == "drop":
                del arrays[name]
            else:
                arrays[draw(st.text("abc.", min_size=1, max_size=6))] = a
    return header, arrays


def container(suffix, header_text, arrays):
    buf = io.BytesIO()
    if suffix == ".npz":
        np.savez(buf, **arrays, __nnlearn__=np.array(header_text))
        return buf.getvalue()
    from safetensors.numpy import save
    return save({k: np.ascontiguousarray(v) for k, v in arrays.items()},
                metadata={"__nnlearn__": header_text})


@pytest.mark.slow
@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), model=mutated_model())
def test_mutated_descriptions_and_arrays_load_or_are_refused(workdir, suffix, model):
    header, arrays = model
    try:
        text = json.dumps(header)
        data = container(suffix, text, arrays)
    except Exception:  # a container the writers cannot make (e.g. safetensors and complex)
        return
    load_or_refuse(write(workdir, suffix, data))


# -- 4. hand-made containers: lying .npy headers, raw safetensors headers, bad text ---------

NPY_DESCR = ["<f4", "<f8", ">f4", "<f2", "<i8", "|u1", "|b1", "<c8", "|O", "<U3", "|S4",
             "|V8", "<M8[s]", [("a", "<f4")]]


@st.composite
def npy_entry(draw):
    """Bytes of a .npy entry whose header may lie about its data."""
    shape = tuple(draw(st.lists(st.one_of(st.integers(0, 6), st.integers(2**20, 2**62)),
                                max_size=3)))
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {
        "descr": draw(st.sampled_from(NPY_DESCR)), "fortran_order": draw(st.booleans()),
        "shape": shape})
    return out.getvalue() + draw(st.binary(max_size=64))


@st.composite
def handmade_npz(draw):
    net = draw(st.sampled_from(NETWORKS))
    header = json.dumps({"format": "nnlearn-model", "version": 1, "network": net.layer_list(),
                         "metadata": {}})
    text_kind = draw(st.sampled_from(["text", "bytes", "bad code point"]))
    if text_kind == "text":
        head = np.array(header)
    elif text_kind == "bytes":
        head = np.frombuffer(header.encode() + draw(st.binary(max_size=4)), dtype="S1")
    else:  # UTF-32 text with a code point that is no character
        codes = np.array([ord(c) for c in header] + [draw(st.sampled_from(
            [0xD800, 0x110000, 0xFFFFFFFF]))], dtype="<u4")
        head = codes.view(f"<U{len(codes)}").reshape(())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=draw(st.sampled_from(
            [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
        npy = io.BytesIO()
        np.save(npy, head, allow_pickle=False)
        zf.writestr("__nnlearn__.npy", npy.getvalue())
        for name, p in net.parameters().items():
            if draw(st.integers(0, 3)) == 0:
                zf.writestr(f"{name}.npy", draw(npy_entry()))
            else:
                npy = io.BytesIO()
                np.save(npy, p)
                zf.writestr(f"{name}.npy", npy.getvalue())
    return buf.getvalue()


@st.composite
def handmade_safetensors(draw):
    net = draw(st.sampled_from(NETWORKS))
    text = json.dumps({"format": "nnlearn-model", "version": 1, "network": net.layer_list(),
                       "metadata": {}})
    tensors, offset, payload = {}, 0, b""
    for name, p in net.parameters().items():
        dtype = draw(st.sampled_from(["F32", "F64", "F16", "BF16", "I64", "U8", "BOOL", "X"]))
        shape = draw(st.one_of(st.just(list(p.shape)), st.lists(
            st.one_of(st.integers(0, 6), st.integers(2**20, 2**62)), max_size=3)))
        size = draw(st.one_of(st.just(p.nbytes), st.integers(0, 64)))
        end = draw(st.one_of(st.just(offset + size), st.integers(0, 2**63)))
        tensors[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, end]}
        payload += bytes(size)
        offset += size
    tensors["__metadata__"] = {"__nnlearn__": text}
    raw = json.dumps(tensors).encode()
    if draw(st.booleans()):  # not UTF-8
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + raw[at:]
    length = draw(st.one_of(st.just(len(raw)), st.integers(0, 2**64 - 1)))
    return struct.pack("<Q", length) + raw + payload


@pytest.mark.slow
@FUZZ
@given(made=st.one_of(handmade_npz().map(lambda b: (".npz", b)),
                      handmade_safetensors().map(lambda b: (".safetensors", b))))
def test_handmade_containers_load_or_are_refused(workdir, made):
    suffix, data = made
    load_or_refuse(write(workdir, suffix, data))
