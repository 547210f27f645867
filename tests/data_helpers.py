"""Helpers of the data tests: real data sets that may be absent, and tiny fake ones.

Real data (MNIST, Fashion-MNIST) is found the way users find it: through
``NNLEARN_DATA`` (CI sets it to ``../shared/datasets``; when it is unset and
that sibling folder exists, the tests use it the same way) and the system
folder. A test that needs a data set that is absent is skipped with the
reason, unless ``NNLEARN_REQUIRE_DATA=1`` (as in CI), which makes it a failure.

The decoded cache goes to a fresh ``XDG_CACHE_HOME`` per session, so no test
depends on leftovers and MNIST is decoded once per session.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace
from urllib.error import URLError

import numpy as np
import pytest

from nnlearn.data import idx, sources
from nnlearn.data.catalogue import ROLES, FileSpec, Source

REQUIRE_DATA = os.environ.get("NNLEARN_REQUIRE_DATA") == "1"
#: ``../shared/datasets`` beside the repository, the folder CI names in NNLEARN_DATA
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def need_data(name: str) -> sources.Location:
    """The location of data set ``name``; skip (or fail, in CI) the test if it is absent."""
    found = sources.locate(name)
    if found is None:
        reason = (f"{name} is not on this machine (looked in "
                  f"{', '.join(str(f) for _, f in sources.search_path(name))}); "
                  f"set NNLEARN_DATA, see docs/data.md")
        if REQUIRE_DATA:
            pytest.fail(f"NNLEARN_REQUIRE_DATA=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def data_env(tmp_path_factory):
    """Session-wide ``NNLEARN_DATA`` (defaulted as CI sets it) and a fresh ``XDG_CACHE_HOME``."""
    patch = pytest.MonkeyPatch()
    if not os.environ.get("NNLEARN_DATA") and SHARED_DATA.is_dir():
        patch.setenv("NNLEARN_DATA", str(SHARED_DATA))
    cache = tmp_path_factory.mktemp("xdg-cache")
    patch.setenv("XDG_CACHE_HOME", str(cache))
    yield cache
    patch.undo()


def load_real(name: str):
    """``load(name)`` of a real data set, never downloading: skip (or fail) if it is absent."""
    from nnlearn.data import load

    need_data(name)
    return load(name, download=False)


@pytest.fixture(scope="session")
def mnist(data_env):
    """MNIST as ``load("mnist")`` gives it, decoded (and verified) once per session."""
    return load_real("mnist")


@pytest.fixture(scope="session")
def fashion_mnist(data_env):
    """Fashion-MNIST, found through NNLEARN_DATA or Debian's /usr/share/datasets."""
    return load_real("fashion-mnist")


def refuse_download(url, dest):
    """A downloader for a machine without network."""
    raise URLError("network is unreachable (test)")


@pytest.fixture
def offline(monkeypatch):
    """Any download fails, as it does on a machine without network."""
    monkeypatch.setattr(sources, "fetch_url", refuse_download)


# -- a tiny MNIST-style data set, for the file handling ------------------------------------

TINY_CLASSES = ("ant", "bee", "cat", "dog")


def tiny_arrays(n_train=40, n_test=20, side=4, seed=0) -> dict[str, np.ndarray]:
    """Random byte images ``(n, side, side)`` and labels, every class present."""
    rng = np.random.default_rng(seed)
    k = len(TINY_CLASSES)
    return {"train_images": rng.integers(0, 256, (n_train, side, side), dtype=np.uint8),
            "train_labels": (np.arange(n_train) % k).astype(np.uint8),
            "test_images": rng.integers(0, 256, (n_test, side, side), dtype=np.uint8),
            "test_labels": (np.arange(n_test) % k).astype(np.uint8)}


TINY_NAMES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
              "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


def tiny_source(arrays, name="tiny", side=4) -> Source:
    """A ``Source`` whose checksums are those of ``arrays`` written as IDX."""
    files = {}
    for role in ROLES:
        data = idx.encode_idx(arrays[role])
        files[role] = FileSpec(TINY_NAMES[role], hashlib.md5(data).hexdigest(), len(data))
    return Source(name=name, title=f"{name} test images", files=files,
                  mirrors=tuple(f"https://mirror-{m}.invalid/{name}/" for m in "ab"),
                  classes=TINY_CLASSES, image_shape=(side, side))


def write_tiny(folder, arrays, *, gz=True) -> Path:
    """Write the four files of ``arrays`` into ``folder`` (``.gz`` or not)."""
    folder = Path(folder)
    for role in ROLES:
        idx.write_idx(folder / (TINY_NAMES[role] + (".gz" if gz else "")), arrays[role])
    return folder


def files_in(folder) -> list[str]:
    """Names of the files below ``folder`` (none when it does not exist)."""
    folder = Path(folder)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) \
        if folder.exists() else []


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A registered data set ``tiny`` and an isolated search path, all under ``tmp_path``.

    ``tiny.arrays`` holds the true arrays; nothing is written yet, so each test
    puts the files where its case needs them (``write_tiny``). Downloads fail.
    """
    arrays = tiny_arrays()
    src = tiny_source(arrays)
    monkeypatch.setitem(sources.SOURCES, "tiny", src)
    monkeypatch.delenv("NNLEARN_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sources, "SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setattr(sources, "fetch_url", refuse_download)
    return SimpleNamespace(
        arrays=arrays, src=src, root=tmp_path,
        cache=tmp_path / "xdg" / "nnlearn" / "tiny",
        system=tmp_path / "system" / "tiny",
        env=tmp_path / "env",
    )


#: the fixtures that reach for real data sets
DATA_FIXTURES = {"data_env", "mnist", "fashion_mnist"}


def pytest_collection_modifyitems(items):
    """Mark every test that uses a real-data fixture ``needs_data``, as the image tests
    are by hand: ``pytest -m needs_data`` runs them all (CI's pass with no data folder)."""
    for item in items:
        if DATA_FIXTURES & set(getattr(item, "fixturenames", ())) and \
                item.get_closest_marker("needs_data") is None:
            item.add_marker(pytest.mark.needs_data("any"))
