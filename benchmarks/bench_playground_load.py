"""The playground under load: 16 tabs training at once, then closed; and pausing heavy runs.

``nnlearn playground`` runs as its own process. Sixteen WebSocket clients (the
most the server admits) each open a page, first train a heavy network for a few
iterations (a full batch of 4000 rows through 256-256 units: about 60 MB of
activations each, near a page's budget, 1 GB in all: what left the server at
1 GB before it gave memory back), then a page's usual network on its own data
set and seed for ``--minutes`` (5 by default), reading every frame as a page
would; then all close. Measured:

* frames per second received by each tab (target: each at least 5);
* the server's resident memory (RSS) before the tabs opened, its peak
  (``VmHWM``) and its RSS one minute after the last tab closed (target: within
  150 MB of the RSS before the tabs opened);
* then, one at a time, the two heaviest runs a page's memory budget allows
  (a full batch of 4000 rows, and the most work per iteration): the seconds
  from *Pause* to the frame that shows the run paused.

    nice python benchmarks/bench_playground_load.py [--minutes 5] [--after 60]

It takes ``minutes + after / 60 + 1`` minutes. Results go to
``benchmarks/results/playground_load.json`` (written atomically).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
from pathlib import Path

from bench_playground import start_server  # the same server the one-tab benchmark starts
from nnlearn.fileio import write_text
from nnlearn.playground.server import MAX_SESSIONS

RESULTS = Path(__file__).resolve().parent / "results" / "playground_load.json"
DATASETS = ("rings", "moons", "spirals", "xor", "blobs")
TAB = {"points": 500, "hidden": [32, 32], "batch_size": 10, "iterations": 1_000_000}
BURST = {"points": 5000, "hidden": [256, 256], "batch_size": 0, "iterations": 1_000_000}
BURST_ITERATIONS = 5
TARGET_FPS = 5
TARGET_RSS_MB = 150
# the heaviest runs the memory budget admits (tests/test_playground_attacks.py: the first)
HEAVY = {"full batch": {"points": 5000, "batch_size": 0, "hidden": [192] * 4},
         "most work": {"points": 5000, "batch_size": 1000, "hidden": [512] * 7}}


def memory_mb(pid: int) -> dict:
    """``VmRSS`` (now) and ``VmHWM`` (the peak so far) of process ``pid``, in MB."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def connect(url):
    from websockets.sync.client import connect
    return connect(url.replace("http://", "ws://") + "ws", proxy=None, max_size=2**25,
                   open_timeout=60)


def _until(ws, condition):
    while True:
        m = json.loads(ws.recv(timeout=120))
        if m["type"] == "error" or m["type"] == "settings" and m["messages"]:
            raise RuntimeError(m.get("message") or m["messages"])
        if condition(m):
            return m


def tab(url, k, seconds, ready, results):
    """One page: a heavy burst, then its own data set and seed; counts the frames it receives."""
    data = DATASETS[k % len(DATASETS)]
    with connect(url) as ws:
        ws.send(json.dumps({"type": "settings", "settings": {**BURST, "data": data}}))
        ws.send(json.dumps({"type": "start"}))
        _until(ws, lambda m: m["type"] == "frame" and m["iteration"] >= BURST_ITERATIONS)
        ws.send(json.dumps({"type": "settings", "settings": {**TAB, "data": data, "seed": k}}))
        run = _until(ws, lambda m: m["type"] == "network")["run"]
        _until(ws, lambda m: m["type"] == "frame" and m["run"] == run and m["iteration"] > 0)
        ready.wait()  # all tabs count over the same minutes
        frames, t0, first = 0, time.perf_counter(), None
        while time.perf_counter() - t0 < seconds:
            m = json.loads(ws.recv(timeout=60))
            if m["type"] == "error":
                raise RuntimeError(m["message"])
            if m["type"] == "frame" and m["iteration"] > 0:
                frames += 1
                first = m["iteration"] if first is None else first
                last = m["iteration"]
        elapsed = time.perf_counter() - t0
    results[k] = {"data": data, "fps": frames / elapsed,
                  "iterations_per_s": (last - first) / elapsed}


def pause_latency(url, settings):
    """Seconds from sending pause to the frame that shows the run paused."""
    with connect(url) as ws:
        ws.send(json.dumps({"type": "settings", "settings": {**settings, "iterations": 10**6}}))
        ws.send(json.dumps({"type": "start"}))
        while True:
            m = json.loads(ws.recv(timeout=120))
            if m["type"] == "settings" and m["messages"]:
                raise RuntimeError(f"{settings} refused: {m['messages']}")
            if m["type"] == "frame" and m["iteration"] >= 3:
                break
        t0 = time.perf_counter()
        ws.send(json.dumps({"type": "pause"}))
        while True:
            m = json.loads(ws.recv(timeout=120))
            if m["type"] == "frame" and m["state"] == "paused":
                return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--after", type=float, default=60.0,
                        help="seconds after the last tab closed to measure the RSS")
    args = parser.parse_args()
    proc, url = start_server()
    try:
        time.sleep(2)
        before = memory_mb(proc.pid)["VmRSS"]
        ready, results = threading.Barrier(MAX_SESSIONS, timeout=600), {}
        threads = [threading.Thread(target=tab, args=(url, k, 60 * args.minutes, ready,
                                                      results)) for k in range(MAX_SESSIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        closed = time.perf_counter()
        peak = memory_mb(proc.pid)["VmHWM"]
        time.sleep(max(0.0, args.after - (time.perf_counter() - closed)))
        after = memory_mb(proc.pid)["VmRSS"]
        pauses = {name: pause_latency(url, s) for name, s in HEAVY.items()}
    finally:
        proc.terminate()
        proc.wait(20)
    fps = [results[k]["fps"] for k in sorted(results)]
    result = {"machine": platform.machine(), "cpus": os.cpu_count(),
              "load_average_at_end": os.getloadavg(), "tabs": len(results),
              "minutes": args.minutes, "tab_settings": TAB, "burst_settings": BURST,
              "burst_iterations": BURST_ITERATIONS, "fps_per_tab": fps,
              "min_fps": min(fps), "target_fps": TARGET_FPS,
              "iterations_per_s_per_tab": [results[k]["iterations_per_s"]
                                           for k in sorted(results)],
              "rss_before_mb": before, "peak_rss_mb": peak,
              "rss_after_close_mb": after, "seconds_after_close": args.after,
              "rss_after_minus_before_mb": after - before, "target_rss_mb": TARGET_RSS_MB,
              "pause_seconds": pauses, "heavy_settings": HEAVY}
    print(f"{len(results)} tabs for {args.minutes:g} min: frames/s per tab "
          f"{min(fps):.1f} to {max(fps):.1f} (target: each >= {TARGET_FPS}; lowest "
          f"{min(fps) / TARGET_FPS:.2f}x the target)")
    print(f"server RSS: {before:.0f} MB before, peak {peak:.0f} MB, {after:.0f} MB "
          f"{args.after:.0f} s after the last tab closed ({after - before:+.0f} MB; target "
          f"within {TARGET_RSS_MB} MB)")
    for name, seconds in pauses.items():
        print(f"pause of the heaviest run allowed ({name}): paused frame after {seconds:.2f} s")
    write_text(RESULTS, json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
