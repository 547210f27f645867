"""Where data set files are found, in which order, and what a failed download leaves behind."""

import dataclasses
import os
import shutil

import pytest
import data_helpers
from data_helpers import files_in, need_data, write_tiny

from nnlearn.data import idx, sources
from nnlearn.data.sources import cache_home, find, is_writable, locate
from nnlearn.data.sources import fetch_url as real_fetch_url
from nnlearn.errors import DataError


def test_search_order_data_dir_env_cache_system(tiny, monkeypatch):
    places = {"system": tiny.system, "cache": tiny.cache, "NNLEARN_DATA": tiny.env / "tiny",
              "data_dir": tiny.root / "mine" / "tiny"}
    monkeypatch.setenv("NNLEARN_DATA", str(tiny.env))
    assert locate("tiny") is None
    for origin, folder in places.items():  # each new place outranks those before it
        write_tiny(folder, tiny.arrays)
        data_dir = tiny.root / "mine" if origin == "data_dir" else None
        found = locate("tiny", data_dir)
        assert (found.origin, found.folder) == (origin, folder)
        assert set(found.paths) == set(sources.ROLES)


def test_explicit_data_dir_is_never_passed_over(tiny, monkeypatch):
    write_tiny(tiny.cache, tiny.arrays)
    (tiny.root / "empty").mkdir()
    with pytest.raises(DataError, match="not in the data folder") as err:
        find("tiny", tiny.root / "empty")
    message = str(err.value)
    assert str(tiny.root / "empty") in message and "train-images-idx3-ubyte.gz" in message
    with pytest.raises(DataError, match="does not exist"):
        find("tiny", tiny.root / "no-such-folder")


def test_explicit_data_dir_may_hold_the_files_directly(tiny):
    write_tiny(tiny.root / "flat", tiny.arrays)
    assert locate("tiny", tiny.root / "flat").folder == tiny.root / "flat"


def test_explicit_data_dir_names_the_one_missing_file(tiny):
    folder = write_tiny(tiny.root / "part" / "tiny", tiny.arrays)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"lacks t10k-labels-idx1-ubyte\.gz\. Put"):
        find("tiny", tiny.root / "part")


def test_uncompressed_files_are_accepted(tiny):
    write_tiny(tiny.cache, tiny.arrays, gz=False)
    found = locate("tiny")
    assert found.origin == "cache"
    assert all(path.suffix != ".gz" for path in found.paths.values())


def test_failed_download_says_which_files_to_put_where_and_leaves_nothing(tiny):
    with pytest.raises(DataError) as err:
        find("tiny")
    message = str(err.value)
    assert "download failed" in message and "network is unreachable" in message
    for name in tiny.src.file_names():
        assert name in message
    assert f"{tiny.cache}/" in message and "--data-dir" in message
    assert "mirror-a.invalid" in message and "mirror-b.invalid" in message
    assert files_in(tiny.root / "xdg") == []
    assert not tiny.cache.exists()


def _serve(folder):
    """A downloader that serves the files of ``folder`` for any mirror, and counts the calls."""
    calls = []

    def fetch(url, dest):
        calls.append(url)
        shutil.copyfile(folder / url.rsplit("/", 1)[-1], dest)
    fetch.calls = calls
    return fetch


def test_download_with_wrong_bytes_is_a_checksum_error_and_leaves_nothing(tiny):
    other = dict(tiny.arrays, train_labels=tiny.arrays["train_labels"][::-1].copy())
    fetch = _serve(write_tiny(tiny.root / "evil-mirror", other))
    with pytest.raises(DataError, match="checksum mismatch") as err:
        find("tiny", fetch=fetch)
    assert "train-labels-idx1-ubyte.gz" in str(err.value)
    # the good file fetched before stays (a later download fetches only what is missing);
    # of the bad one, not even a temporary file is left
    assert files_in(tiny.cache) == ["train-images-idx3-ubyte.gz"]


def test_download_of_garbage_is_reported(tiny):
    def fetch(url, dest):
        dest.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(DataError, match="not a valid gzip file") as err:
        find("tiny", fetch=fetch)
    assert "mirror-b.invalid" in str(err.value)
    assert files_in(tiny.root / "xdg") == []


def test_download_tries_the_next_mirror_and_fetches_only_missing_files(tiny):
    mirror = write_tiny(tiny.root / "mirror", tiny.arrays)
    serve = _serve(mirror)

    def flaky(url, dest):
        if "mirror-a" in url:
            raise OSError("connection reset")
        serve(url, dest)
    write_tiny(tiny.cache, tiny.arrays)
    (tiny.cache / "train-images-idx3-ubyte.gz").unlink()
    found = find("tiny", fetch=flaky)
    assert found.origin == "download" and found.folder == tiny.cache
    assert serve.calls == ["https://mirror-b.invalid/tiny/train-images-idx3-ubyte.gz"]
    assert len(files_in(tiny.cache)) == 4
    assert locate("tiny").origin == "cache"  # and from now on it is simply found there


def test_the_real_downloader_works_on_file_urls(tiny, monkeypatch):
    mirror = write_tiny(tiny.root / "mirror", tiny.arrays)
    monkeypatch.setitem(sources.SOURCES, "tiny",
                        dataclasses.replace(tiny.src, mirrors=(mirror.as_uri() + "/",)))
    monkeypatch.setattr(sources, "fetch_url", real_fetch_url)  # undo the fixture's refusal
    found = find("tiny")  # urllib, a temporary file, a progress bar, the checksum
    assert found.origin == "download"
    assert idx.read_bytes(found.paths["test_labels"]) == idx.encode_idx(
        tiny.arrays["test_labels"])
    assert len(files_in(tiny.cache)) == 4


def test_no_download_when_not_allowed(tiny):
    with pytest.raises(DataError, match=r"tiny not found \(looked in .*\); put the files"):
        find("tiny", download=False)


def test_unwritable_cache_cannot_receive_a_download(tiny):
    (tiny.root / "xdg").mkdir()
    os.chmod(tiny.root / "xdg", 0o555)
    try:
        with pytest.raises(DataError, match="is not writable"):
            find("tiny")
    finally:
        os.chmod(tiny.root / "xdg", 0o755)


def test_cache_home_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert cache_home() == tmp_path / "c" / "nnlearn"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid per the XDG spec
    assert cache_home() == tmp_path / "home" / ".cache" / "nnlearn"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_home() == tmp_path / "home" / ".cache" / "nnlearn"


def test_read_only_and_system_folders_are_not_writable(tmp_path):
    assert is_writable(tmp_path / "not" / "yet")
    (tmp_path / "ro").mkdir(mode=0o555)
    assert not is_writable(tmp_path / "ro")  # even for root
    assert not is_writable(tmp_path / "ro" / "sub")
    assert not is_writable("/usr/share/datasets/fashion-mnist")


def test_unknown_source():
    with pytest.raises(DataError, match="unknown image data set 'mnist2'"):
        find("mnist2")


def test_absent_data_skips_but_fails_when_required(tiny, monkeypatch):
    monkeypatch.setattr(data_helpers, "REQUIRE_DATA", False)
    with pytest.raises(pytest.skip.Exception, match="tiny is not on this machine"):
        need_data("tiny")
    monkeypatch.setattr(data_helpers, "REQUIRE_DATA", True)
    with pytest.raises(pytest.fail.Exception, match="NNLEARN_REQUIRE_DATA=1 but tiny is not"):
        need_data("tiny")
    write_tiny(tiny.cache, tiny.arrays)
    assert need_data("tiny").origin == "cache"
