"""The front door stays true: the README's quick start is what CI runs, and the Python of
the first-steps page (docs/install.md, where the README's examples moved) runs."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FIRST_STEPS = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")


def _blocks(language, text=FIRST_STEPS):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_quick_start_has_two_commands_and_ci_runs_them_verbatim():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in _blocks_of(quick) if line.strip()]
    assert len(commands) == 2, commands
    assert "nnlearn train" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci


def _blocks_of(text):
    return [line for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
            for line in block.splitlines()]


def test_first_steps_python_runs_and_prints_what_the_page_says(tmp_path, monkeypatch):
    """Every Python block runs; a ``print`` whose comment starts with a number must
    print that number (to half a unit of its last decimal): the stated results stay
    the real ones. A number the site fills in at build (``{{ estimator_score }}``,
    docs/hooks/quoted_numbers.py) is filled in first, as the build does."""
    from docs_helpers import hook

    monkeypatch.chdir(tmp_path)
    checked = 0
    for code in _blocks("python", hook("quoted_numbers").fill(FIRST_STEPS, str(ROOT))):
        out = io.StringIO()
        namespace = {"__name__": "readme"}
        with contextlib.redirect_stdout(out):
            exec(compile(code, "docs/install.md", "exec"), namespace)
        prints = [line for line in code.splitlines() if line.startswith("print(")]
        printed = out.getvalue().splitlines()
        assert len(printed) >= len(prints), printed
        for line, shown in zip(prints, printed):
            stated = re.search(r"#\s*(-?\d+\.?\d*)", line)
            if stated:
                decimals = len(stated.group(1).partition(".")[2])
                assert float(shown.split()[0]) == pytest.approx(
                    float(stated.group(1)), abs=0.5 * 10 ** -decimals + 1e-12), line
                checked += 1
        if "save_model(net" in code:  # the rings example: its file holds the network
            from nnlearn.training import load_model
            again = load_model(tmp_path / "rings.npz")
            X = namespace["data"].X_test
            np.testing.assert_array_equal(again.predict(X), namespace["net"].predict(X))
            assert sorted(namespace["snaps"].snapshots) == [50, 500, 3000]
    assert checked >= 2  # the rings' accuracy and the estimator's cross-validation score
