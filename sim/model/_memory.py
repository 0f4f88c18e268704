"""Keep large numpy temporaries in the process heap.

A step at a million customers makes arrays of several megabytes. glibc serves those
with mmap and returns them with munmap, so every step pays page faults to zero fresh
memory again (measured: about 15% of a step at 1M customers). Raising the mmap and
trim thresholds lets freed blocks be reused. glibc caps the mmap threshold at 32 MB,
so the arrays of a larger population (a float32 array of 5M customers and 5M
prospects is 40 MB) were still mapped and faulted in afresh every time: on this
project's 2-core VM a 40 MB temporary then cost about 3 ns an element instead of
1 ns, and a step at 5M customers took twice the time per customer of one at 1M.
So mmap is switched off too (M_MMAP_MAX 0): every block comes from the heap and is
reused. Only glibc has mallopt; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -2, -3, -4
_MMAP_MAX = 32 * 2**20  # glibc's ceiling for the mmap threshold on 64-bit
_TRIM = 1 * 2**30
_TOP_PAD = 64 * 2**20  # grow the heap in big steps: fewer brk calls and faults
_done = False


def keep_temporaries_in_heap() -> bool:
    """Raise glibc's mmap and trim thresholds and top pad, and switch mmap off, once per
    process; True if applied."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = all(libc.mallopt(k, v) for k, v in ((M_MMAP_THRESHOLD, _MMAP_MAX),
                                                   (M_TRIM_THRESHOLD, _TRIM), (M_TOP_PAD, _TOP_PAD),
                                                   (M_MMAP_MAX, 0)))
    except (OSError, AttributeError):
        return False
    _done = bool(ok)
    return _done
