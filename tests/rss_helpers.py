"""Peak memory of a command, measured inside a fresh child process.

The attack tests feed a crafted file to a fresh process (the CLI or a loader)
and assert both the clear error and the peak resident memory of that process
alone. The child reports its own high-water mark (``VmHWM``, Linux) when it
exits, from an ``atexit`` hook: ``ru_maxrss`` would not do, since a spawned
child inherits the parent's peak (the kernel carries the old address space's
high-water mark across ``exec``), and the test session's is large.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: the most the CLI or a loader may reach on one crafted file (the issue's budget)
CLI_BUDGET_MB = 500

_WRAPPER = """\
import atexit, runpy, sys
report = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as fh:
        kib = next(line.split()[1] for line in fh if line.startswith("VmHWM"))
    with open(report, "w") as fh:
        fh.write(kib)
atexit.register(_peak)
mode = sys.argv.pop(1)
if mode == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    code = sys.argv.pop(1)
    exec(compile(code, "<attack>", "exec"), {"__name__": "__main__"})
"""


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


def _measure(args, timeout) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="nnlearn-rss-") as tmp:
        report = Path(tmp) / "peak"
        r = subprocess.run([sys.executable, "-c", _WRAPPER, str(report), *args],
                           capture_output=True, text=True, timeout=timeout)
        peak = int(report.read_text()) / 1024 if report.exists() else float("nan")
    return Outcome(r.returncode, r.stdout, r.stderr, peak)


def run_python(code: str, *args: str, timeout=120) -> Outcome:
    """Run ``code`` as a script with ``args`` and measure it (peak RSS in MB)."""
    return _measure(["-c", code, *args], timeout)


def run_nnlearn(*args: str, timeout=120) -> Outcome:
    """Run ``python -m nnlearn args...`` and measure it (peak RSS in MB)."""
    return _measure(["-m", "nnlearn", *args], timeout)
