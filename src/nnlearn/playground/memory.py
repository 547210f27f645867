"""Giving memory back to the system when a page closes, and measuring what the process holds.

A page's training thread allocates its activations in a malloc arena of its own.
When the page closes, NumPy frees them, but glibc keeps freed memory in its
arenas for reuse: after heavy pages the server stayed at about 1 GB with no
Python object alive. ``give_back`` collects the page's objects (a ``PageTrainer``
and its ``Trainer`` refer to each other, so only the cycle collector frees
them) and asks glibc to return free pages to the system (``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading

_lock = threading.Lock()  # one trim at a time: it walks every arena
_trim = None


def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS, Windows)."""
    global _trim
    if _trim is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _trim = libc.malloc_trim
            _trim.argtypes, _trim.restype = [ctypes.c_size_t], ctypes.c_int
        except (OSError, AttributeError, TypeError):
            _trim = False
    return _trim or None


def give_back() -> bool:
    """Free unreachable objects, then return the allocator's free pages to the system.

    Returns True where ``malloc_trim`` exists (glibc) and was called."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    with _lock:
        trim(0)
    return True


def rss_bytes() -> int | None:
    """The process's resident memory now (Linux ``/proc``; None elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
