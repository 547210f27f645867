"""The network view's frame rate and payload (issue 25): hidden layers 8,8,8 with all 7
input features, every unit's map and every weight redrawn while it trains.

Measured in one run, against the page's older peer (the 2-100-2 network of
``bench_playground.py``, x1 and x2 only) on the same machine:

* the time one frame takes to compute in this process (one BLAS thread);
* frames per second and the server's training steps per second seen by a
  WebSocket client, and the bytes of each frame (mean and largest);
* the frames the real page draws per second in headless Chromium.

The target is 20 frames drawn a second for the 8,8,8 network with 7 features.

    python benchmarks/bench_playground_view.py [--seconds 5]

Results go to ``benchmarks/results/playground_view.json`` (written atomically).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

from bench_playground import SETTINGS as PEER, frame_cost, page_rate, socket_rate, start_server

from nnlearn.fileio import write_text

RESULTS = Path(__file__).resolve().parent / "results" / "playground_view.json"
VIEW = {"data": "spirals", "points": 500, "hidden": [8, 8, 8], "batch_size": 10,
        "optimizer": "adam", "lr": 0.01, "iterations": 1_000_000,
        "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2"]}
TARGET_FPS = 20


def measure(url, settings, seconds) -> dict:
    sizes: list[int] = []
    socket_fps, steps = socket_rate(url, seconds, settings, sizes)
    return {"frame_compute_s": frame_cost(settings=settings), "socket_fps": socket_fps,
            "server_steps_per_s": steps, "frame_bytes_mean": sum(sizes) / max(len(sizes), 1),
            "frame_bytes_max": max(sizes, default=0),
            "page_fps": page_rate(url, seconds, settings)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    proc, url = start_server()
    try:
        view = measure(url, VIEW, args.seconds)
        peer = measure(url, PEER, args.seconds)
    finally:
        proc.terminate()
        proc.wait(20)
    result = {"machine": platform.machine(), "cpus": os.cpu_count(), "seconds": args.seconds,
              "target_fps": TARGET_FPS, "view_8_8_8_seven_features": view, "peer_2_100_2": peer,
              "page_fps_over_target": None if view["page_fps"] is None
              else view["page_fps"] / TARGET_FPS,
              "steps_per_s_over_peer": view["server_steps_per_s"] / peer["server_steps_per_s"],
              "frame_bytes_over_peer": view["frame_bytes_mean"] / peer["frame_bytes_mean"]}
    for name, r in (("8,8,8 with 7 features", view), ("2-100-2 (peer)", peer)):
        page = "skipped" if r["page_fps"] is None else f"{r['page_fps']:.1f}"
        print(f"{name}: frame computed in {1000 * r['frame_compute_s']:.1f} ms; socket "
              f"{r['socket_fps']:.1f} frames/s, server {r['server_steps_per_s']:.0f} steps/s; "
              f"frames of {r['frame_bytes_mean'] / 1000:.1f} kB (largest "
              f"{r['frame_bytes_max'] / 1000:.1f} kB); page draws {page} frames/s")
    if result["page_fps_over_target"] is not None:
        print(f"page frame rate / target ({TARGET_FPS}): {result['page_fps_over_target']:.2f}")
    print(f"steps/s, view over peer: {result['steps_per_s_over_peer']:.2f}; frame bytes, "
          f"view over peer: {result['frame_bytes_over_peer']:.2f}")
    write_text(RESULTS, json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
