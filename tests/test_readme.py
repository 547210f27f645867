"""The README stays true: its quick start is what CI runs, and its Python runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


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


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for code in _blocks("python"):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
