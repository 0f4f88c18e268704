"""R numpy Generators read together: the numbers ``Generator.random``, ``random(dtype=
float32)`` and ``integers`` would give each, made from the bit generators' raw 64-bit
outputs in a few array operations for all R at once.

A Generator call costs microseconds of overhead whatever its size, and ``integers``
several times more; a batch of replications (sim.model.replicas) makes some twenty
draws per replication per week, so the overhead of the calls is a large part of a
small run. Here one ``random_raw`` call per generator gives the raw outputs, and the
conversions are numpy's own (numpy/random/src/distributions):

* a double is ``(raw >> 11) * 2**-53``;
* a float32 is ``(u32 >> 8) * 2**-24`` and ``integers`` is Lemire's method on 32-bit
  words (with its rejections), where the 32-bit words are the low then the high half
  of each raw output, the unused high half kept for the next 32-bit draw (PCG64's
  ``has_uint32`` buffer, which is kept here, per generator, instead of in numpy).

Draws that read only whole raw outputs (``standard_normal``, ``poisson``) are the
generators' own calls; a call that reads 32-bit words through numpy (``permutation``)
goes through ``numpy_call``, which hands numpy the buffered half and takes it back.
"""

from __future__ import annotations

import numpy as np

_TO_DOUBLE = 1.0 / 9007199254740992.0
_TO_FLOAT = np.float32(1.0 / 16777216.0)


class Streams:
    """The R generators (PCG64, numpy's default) of a batch, in step with numpy."""

    def __init__(self, gens: list[np.random.Generator]):
        self.gens = gens
        self.R = len(gens)
        self._raw = [g.bit_generator.random_raw for g in gens]
        self.has = np.zeros(self.R, dtype=bool)   # a 32-bit half is buffered
        self.buf = np.zeros(self.R, dtype=np.uint32)
        for r, g in enumerate(gens):
            st = g.bit_generator.state
            if st["bit_generator"] != "PCG64":
                raise ValueError("Streams reads PCG64 generators only")
            if st["has_uint32"]:  # take numpy's buffered half over
                self.has[r], self.buf[r] = True, st["uinteger"]
                g.bit_generator.state = {**st, "has_uint32": 0}

    def raw(self, n: np.ndarray) -> np.ndarray:
        """n[r] raw 64-bit outputs of each generator, concatenated."""
        return np.concatenate([f(k) for f, k in zip(self._raw, n.tolist())])

    def random(self, k: np.ndarray) -> np.ndarray:
        """``Generator.random(k[r])`` of each generator, concatenated."""
        # below 2**53: as int64, whose conversion to double is the fast one
        return (self.raw(k) >> np.uint64(11)).view(np.int64).astype(np.float64) * _TO_DOUBLE

    def uint32(self, k: np.ndarray) -> np.ndarray:
        """k[r] 32-bit words of each generator (numpy's next_uint32), concatenated."""
        take = self.has & (k > 0)  # the buffered half comes first
        m = k - take               # halves needed from new raw outputs
        n_raw = (m + 1) // 2
        halves = self.raw(n_raw).view(np.uint32)  # low half, then high half of each
        odd = (m % 2) == 1         # ... the last one's high half is left over
        ends = 2 * np.cumsum(n_raw)
        left = ends[odd] - 1
        new_buf = halves[left]
        if len(left):
            keep = np.ones(len(halves), dtype=bool)
            keep[left] = False
            halves = halves[keep]
        if take.any():
            at = (np.cumsum(m) - m)[take]
            halves = np.insert(halves, at, self.buf[take])
        self.buf[odd] = new_buf
        self.has = np.where(k > 0, odd, self.has)
        return halves

    def floats(self, k: np.ndarray) -> np.ndarray:
        """``Generator.random(k[r], dtype=np.float32)`` of each, concatenated."""
        return (self.uint32(k) >> np.uint32(8)).view(np.int32).astype(np.float32) * _TO_FLOAT

    def integers(self, low: int, high: int, k: np.ndarray) -> np.ndarray:
        """``Generator.integers(low, high, size=k[r])`` (int64) of each, concatenated."""
        span = high - 1 - low
        if span == 0:  # numpy draws nothing
            return np.full(int(k.sum()), low, dtype=np.int64)
        if not 0 < span < 0xFFFFFFFF:
            raise ValueError("Streams.integers: a range of 2 to 2**32 - 1 values only")
        excl = np.uint64(span + 1)
        threshold = (0xFFFFFFFF - span) % (span + 1)
        m = self.uint32(k).astype(np.uint64) * excl
        bad = (m & np.uint64(0xFFFFFFFF)) < threshold
        if bad.any():  # rare: rejected words are replaced by the next words of that stream
            m = self._redraw(m, bad, k, excl, threshold)
        return (m >> np.uint64(32)).astype(np.int64) + low

    def _redraw(self, m, bad, k, excl, threshold):
        """Lemire's rejections: a rejected word is followed by the next word of its
        stream, so each output is the next accepted word, in stream order."""
        starts = (np.cumsum(k) - k).tolist()
        parts = []
        for r, (s, n) in enumerate(zip(starts, k.tolist())):
            if not bad[s:s + n].any():
                parts.append(m[s:s + n])
                continue
            accepted = [w for w, b in zip(m[s:s + n], bad[s:s + n]) if not b]
            one = np.zeros(self.R, dtype=np.int64)
            one[r] = 1
            while len(accepted) < n:
                w = self.uint32(one).astype(np.uint64) * excl
                if int(w[0] & np.uint64(0xFFFFFFFF)) >= threshold:
                    accepted.append(w[0])
            parts.append(np.array(accepted, dtype=np.uint64))
        return np.concatenate(parts)

    def numpy_call(self, r: int, method: str, *args, **kw):
        """``gens[r].method(*args, **kw)`` for a call that may read 32-bit words: numpy
        gets the buffered half for it and gives back what it leaves."""
        g = self.gens[r]
        st = g.bit_generator.state
        g.bit_generator.state = {**st, "has_uint32": int(self.has[r]), "uinteger": int(self.buf[r])}
        out = getattr(g, method)(*args, **kw)
        st = g.bit_generator.state
        self.has[r], self.buf[r] = bool(st["has_uint32"]), st["uinteger"]
        g.bit_generator.state = {**st, "has_uint32": 0}
        return out
