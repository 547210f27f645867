"""The plane as the page draws it: cell centres of a grid, and arrays as base64 bytes.

Arrays travel as base64 bytes (a 80 x 80 grid is 6400 bytes per array), rows
from the top of the picture down, so the page copies them straight into pixels.
"""

from __future__ import annotations

import base64

import numpy as np


def b64(a: np.ndarray) -> str:
    """The bytes of ``a`` (C order) as base64 text."""
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def grid_points(domain, n) -> np.ndarray:
    """``(n * n, 2)`` cell centres, row by row from the top (largest y) down."""
    x0, x1, y0, y1 = domain
    dx, dy = (x1 - x0) / n, (y1 - y0) / n
    xs = x0 + dx * (np.arange(n) + 0.5)
    ys = y1 - dy * (np.arange(n) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])
