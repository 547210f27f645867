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


#: ``mallopt`` parameter: allocations of at least this many bytes get pages of their own
M_MMAP_THRESHOLD = -3
#: the size from which the server's arrays are mapped, not carved from a thread's arena
MMAP_FROM = 1 << 20


def map_large_arrays() -> bool:
    """Make glibc give every allocation of ``MMAP_FROM`` bytes or more pages of its own,
    returned to the system when freed.

    By default glibc raises that threshold to the largest block freed so far (up to
    32 MB), so a page's activations soon come from its training thread's arena and
    stay there when freed: every new run is a new thread, and a flood of new
    samples grew the server by hundreds of MB that no page held. Returns True where
    ``mallopt`` exists (glibc)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_FROM))


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
