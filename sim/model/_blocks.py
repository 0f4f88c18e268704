"""Element-wise work over a large population a block at a time.

A chain of numpy operations over arrays of millions of entries streams every
intermediate through main memory; done a block at a time, the intermediates stay in
the cache and only the inputs and outputs cross to memory. Per element the
operations, their order and dtypes are the same, so the results are identical (only
for element-wise work: a sum done in blocks would add in another order).
"""

from __future__ import annotations

BLOCK = 1 << 16  # entries: a float32 block is 256 kB, a few of them fit a core's L2


def blocks(n: int, size: int | None = None):
    """Slices covering range(n) in order, ``size`` (default BLOCK) entries each (the
    last shorter)."""
    size = size or BLOCK
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))
