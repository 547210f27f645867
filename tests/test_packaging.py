"""The built wheel holds the licence, the typing marker and every file the package reads."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "nnlearn"

#: files of the kinds other parts read at run time (the playground's page, the report's
#: templates, schemas): the test plants one of each in its copy, beside any real ones, so
#: that the package-data globs are checked before such files exist
PLANTED = ("playground/static/planted.css", "playground/static/sub/planted.js",
           "report/templates/planted.html.j2", "experiments/planted.schema.json")


def _data_files(package: Path) -> set[str]:
    """Every file under ``package`` that is not Python source or a byte-code cache."""
    return {p.relative_to(package.parent).as_posix() for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


def test_license_and_changelog_are_in_the_repository():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License") and "the nnlearn developers" in text
    assert (SRC / "py.typed").is_file()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog and "## 0.1.0" in changelog


@pytest.mark.slow
def test_wheel_holds_license_py_typed_and_every_package_file(tmp_path):
    import setuptools
    major = int(setuptools.__version__.split(".")[0])
    assert major >= 77, (f"setuptools {setuptools.__version__} cannot build this project "
                         "(PEP 639 licence fields); pip install -e '.[test]' installs >= 77")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    package = project / "src" / "nnlearn"
    for rel in PLANTED:
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text("planted by test_packaging\n", encoding="utf-8")
    expected = _data_files(package)
    assert "nnlearn/py.typed" in expected

    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "--no-cache-dir", "-q", "-w", str(dist), str(project)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    (wheel,) = dist.glob("nnlearn-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = zf.read(metadata).decode()
        licences = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert licences, sorted(n for n in names if "dist-info" in n)
        assert zf.read(licences[0]).decode().startswith("BSD 3-Clause License")
    assert "License-Expression: BSD-3-Clause" in meta
    assert "License-File: LICENSE" in meta
    missing = expected - names
    assert not missing, f"files under src/nnlearn that the wheel lacks: {sorted(missing)}"
    # and every Python module, of course
    modules = {p.relative_to(package.parent).as_posix() for p in package.rglob("*.py")}
    assert not modules - names
