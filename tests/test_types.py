"""The package's type hints hold: mypy finds no error in ``src/nnlearn``.

The wheel ships ``py.typed``, which tells every downstream type checker to
believe these hints, so they are checked as the code is linted.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_nothing():
    pytest.importorskip("mypy", reason="mypy comes with the test extra: pip install -e '.[test]'")
    r = subprocess.run([sys.executable, "-m", "mypy", "src/nnlearn", "--ignore-missing-imports"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
