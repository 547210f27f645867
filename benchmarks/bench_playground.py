"""The playground's frame rate: how often the page is redrawn while a network trains.

The issue's case: a 2-100-2 network on 500 rings points (batch 10, Adam),
training in ``nnlearn playground`` run as its own process. Measured here:

* the frames a WebSocket client receives per second;
* the frames the real page draws per second in headless Chromium (skipped
  when playwright or /usr/bin/chromium is missing);
* the training iterations per second meanwhile, and the time one frame takes
  to compute (regions, unit maps, metrics) in this process, with one BLAS thread.

The target is 10 frames a second; the server sends at most 25.

    python benchmarks/bench_playground.py [--seconds 5]

Results go to ``benchmarks/results/playground.json`` (written atomically).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from nnlearn.fileio import write_text
from nnlearn.playground.session import Session

RESULTS = Path(__file__).resolve().parent / "results" / "playground.json"
SETTINGS = {"data": "rings", "points": 500, "hidden": [100], "batch_size": 10,
            "optimizer": "adam", "lr": 0.01, "iterations": 1_000_000}
TARGET_FPS = 10
CHROMIUM = "/usr/bin/chromium"


def start_server():
    src = Path(__file__).resolve().parent.parent / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen([sys.executable, "-m", "nnlearn", "playground", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env=env)
    url = re.search(r"http://\S+/", proc.stdout.readline()).group(0)
    return proc, url


def socket_rate(url, seconds, settings=SETTINGS, sizes=None):
    """Frames per second and iterations per second seen by a WebSocket client; the
    bytes of each frame are appended to ``sizes`` when given."""
    from websockets.sync.client import connect
    with connect(url.replace("http://", "ws://") + "ws", proxy=None, max_size=2**25) as ws:
        ws.send(json.dumps({"type": "settings", "settings": settings}))
        ws.send(json.dumps({"type": "start"}))
        frames, first, t0 = 0, None, None
        while t0 is None or time.perf_counter() - t0 < seconds:
            text = ws.recv(timeout=30)
            m = json.loads(text)
            if m["type"] != "frame" or m["iteration"] == 0:
                continue
            if t0 is None:  # count from the first training frame
                t0, first = time.perf_counter(), m["iteration"]
                continue
            frames += 1
            last = m["iteration"]
            if sizes is not None:
                sizes.append(len(text.encode("utf-8")))
        elapsed = time.perf_counter() - t0
    return frames / elapsed, (last - first) / elapsed


def page_rate(url, seconds, settings=SETTINGS):
    """Frames per second the page draws in headless Chromium, or None without a browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not os.access(CHROMIUM, os.X_OK):
        return None
    query = "?" + "&".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
                           for k, v in settings.items())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1280, "height": 960})
        page.goto(url + query)
        page.wait_for_function("window.nnlearnPlayground.framesDrawn > 0")
        page.click("#start")
        page.wait_for_function("window.nnlearnPlayground.frame.iteration > 0")
        n0, t0 = page.evaluate("window.nnlearnPlayground.framesDrawn"), time.perf_counter()
        time.sleep(seconds)
        n1, t1 = page.evaluate("window.nnlearnPlayground.framesDrawn"), time.perf_counter()
        browser.close()
    return (n1 - n0) / (t1 - t0)


def frame_cost(repeat=30, settings=SETTINGS):
    """Seconds to compute one frame of the benchmark's network, median of ``repeat``."""
    session = Session(lambda frame: None)
    session.handle({"type": "settings", "settings": settings})
    times = []
    with threadpool_limits(1):
        for _ in range(repeat):
            t0 = time.perf_counter()
            session.runner.frame()
            times.append(time.perf_counter() - t0)
    session.close()
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    cost = frame_cost()
    proc, url = start_server()
    try:
        socket_fps, iterations = socket_rate(url, args.seconds)
        page_fps = page_rate(url, args.seconds)
    finally:
        proc.terminate()
        proc.wait(20)
    result = {"machine": platform.machine(), "cpus": os.cpu_count(),
              "network": "2-100-2", "points": SETTINGS["points"],
              "batch_size": SETTINGS["batch_size"], "seconds": args.seconds,
              "frame_compute_s": cost, "socket_fps": socket_fps, "page_fps": page_fps,
              "iterations_per_s": iterations, "target_fps": TARGET_FPS,
              "page_fps_over_target": None if page_fps is None else page_fps / TARGET_FPS,
              "socket_fps_over_target": socket_fps / TARGET_FPS}
    print(f"one frame computed in {1000 * cost:.1f} ms")
    print(f"WebSocket client: {socket_fps:.1f} frames/s while training at "
          f"{iterations:.0f} iterations/s ({socket_fps / TARGET_FPS:.1f}x the target "
          f"of {TARGET_FPS})")
    if page_fps is None:
        print("page in Chromium: skipped (no playwright or no /usr/bin/chromium)")
    else:
        print(f"page in Chromium: {page_fps:.1f} frames drawn/s "
              f"({page_fps / TARGET_FPS:.1f}x the target)")
    write_text(RESULTS, json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
