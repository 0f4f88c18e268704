"""R numpy Generators read together: the numbers ``Generator.random``, ``random(dtype=
float32)`` and ``integers`` would give each, made from the bit generators' raw 64-bit
outputs in a few array operations for all R at once.

A Generator call costs microseconds of overhead whatever its size, and ``integers``
several times more; a batch of replications (sim.model.replicas) makes some twenty
draws per replication per week, so the overhead of the calls is a large part of a
small run. Here each generator's raw outputs are drawn ahead into a row of a buffer
(one ``random_raw`` call per generator for several draws), and a draw for all R is a
gather from the rows; the conversions are numpy's own (numpy/random/src/distributions):

* a double is ``(raw >> 11) * 2**-53``;
* a float32 is ``(u32 >> 8) * 2**-24`` and ``integers`` is Lemire's method on 32-bit
  words (with its rejections), where the 32-bit words are the low then the high half
  of each raw output, the unused high half kept for the next 32-bit draw (PCG64's
  ``has_uint32`` buffer, which is kept here, per generator, instead of in numpy).

Draws that numpy must make itself (``standard_normal``, ``poisson``, ``permutation``)
go through ``numpy_call`` or ``native``: the generator is first moved back to the first
raw output not yet used (PCG64 ``advance`` by minus the unused ones; the buffered rest
is dropped), and numpy gets the buffered half and gives back what it leaves. How far
ahead to draw is learnt from the week before: ``tick`` marks a week's start, and a
refill draws what the same stretch of the last week used up to the next numpy call
(drawing too far only costs the unused numbers; too short, another refill).
"""

from __future__ import annotations

import numpy as np

_TO_DOUBLE = 1.0 / 9007199254740992.0
_TO_FLOAT = np.float32(1.0 / 16777216.0)
_BACK = 1 << 128  # PCG64's period: advancing by _BACK - d moves back d outputs
_SLACK = 32  # raw outputs drawn beyond last week's use (and an eighth more), per refill


class Streams:
    """The R generators (PCG64, numpy's default) of a batch, in step with numpy. Once
    they are handed to it, every draw from them goes through it."""

    def __init__(self, gens: list[np.random.Generator], width: int = 1 << 12):
        self.gens = gens
        self.R = R = len(gens)
        self._raw = [g.bit_generator.random_raw for g in gens]
        self._advance = [g.bit_generator.advance for g in gens]
        self._methods: dict[str, list] = {}
        self.has = np.zeros(R, dtype=bool)   # a 32-bit half is buffered
        self.buf = np.zeros(R, dtype=np.uint32)
        for r, g in enumerate(gens):
            st = g.bit_generator.state
            if st["bit_generator"] != "PCG64":
                raise ValueError("Streams reads PCG64 generators only")
            if st["has_uint32"]:  # take numpy's buffered half over
                self.has[r], self.buf[r] = True, st["uinteger"]
                g.bit_generator.state = {**st, "has_uint32": 0}
        # raw outputs drawn ahead: row r holds rows[r][pos[r]:end[r]] not yet used, and
        # generator r stands after them
        self._alloc(width)
        self.pos = np.zeros(R, dtype=np.int64)
        self.end = np.zeros(R, dtype=np.int64)
        # how far ahead to draw: raw outputs used in each stretch between two marks
        # (a numpy call or a tick), and whether that stretch ended in a numpy call
        self.used = np.zeros(R, dtype=np.int64)  # in the current stretch
        self.stretch = 0                         # its number since the last tick
        self.last: dict[int, tuple[np.ndarray, bool]] = {}  # last week's, by number
        self._ahead: np.ndarray | None = None   # to draw up to the next numpy call

    def _alloc(self, width: int, old: np.ndarray | None = None) -> None:
        self.W = width
        self.rawbuf = np.zeros((self.R, width), dtype=np.uint64)
        if old is not None:
            self.rawbuf[:, :old.shape[1]] = old
        self.flat = self.rawbuf.reshape(-1)
        self.flat32 = self.flat.view(np.uint32)
        self.rows = list(self.rawbuf)
        self.base = np.arange(self.R, dtype=np.int64) * width

    # --- drawing ahead ---------------------------------------------------------------
    def _mark(self, numpy_call: bool) -> None:
        """The end of a stretch: remember what each generator used in it."""
        self.last[self.stretch] = (self.used.copy(), numpy_call)
        self.used[:] = 0
        self.stretch += 1
        self._ahead = None

    def tick(self) -> None:
        """A week starts: stretches are counted from here."""
        self._mark(False)
        self.stretch = 0

    def _lookahead(self) -> np.ndarray:
        """Raw outputs each generator used, last week, from the current stretch's
        start to the next numpy call (0 where not known)."""
        if self._ahead is None:
            total = np.zeros(self.R, dtype=np.int64)
            j = self.stretch
            for _ in range(len(self.last)):  # a stretch that ends in a tick goes on
                if j not in self.last:       # in the next week's first
                    break
                used, ends_in_call = self.last[j]
                total += used
                if ends_in_call or j == 0:
                    break
                j = 0
            self._ahead = total
        return self._ahead

    def _fill(self, need: np.ndarray) -> None:
        """Make at least need[r] raw outputs of each generator available."""
        avail = self.end - self.pos
        short = np.flatnonzero(avail < need)
        if not len(short):
            return
        want = np.maximum(need, self._lookahead() * 9 // 8 - self.used + _SLACK)[short]
        if int(want.max()) > self.W:
            self._alloc(1 << int(int(want.max()) - 1).bit_length(), self.rawbuf)
        rows, raw = self.rows, self._raw
        for r, k, p, left in zip(short.tolist(), want.tolist(), self.pos[short].tolist(),
                                 avail[short].tolist()):
            row = rows[r]
            if left:
                row[:left] = row[p:p + left]
            row[left:k] = raw[r](k - left)  # k > left: the row was short
        self.pos[short] = 0
        self.end[short] = want

    def raw(self, n: np.ndarray) -> np.ndarray:
        """n[r] raw 64-bit outputs of each generator, concatenated."""
        self._fill(n)
        out = _runs(self.flat, self.base + self.pos, n)
        self.pos += n
        self.used += n
        return out

    # --- numbers --------------------------------------------------------------------
    def random(self, k: np.ndarray) -> np.ndarray:
        """``Generator.random(k[r])`` of each generator, concatenated."""
        # below 2**53: as int64, whose conversion to double is the fast one
        return (self.raw(k) >> np.uint64(11)).view(np.int64).astype(np.float64) * _TO_DOUBLE

    def uint32(self, k: np.ndarray) -> np.ndarray:
        """k[r] 32-bit words of each generator (numpy's next_uint32), concatenated."""
        take = self.has & (k > 0)  # the buffered half comes first
        m = k - take               # halves needed from new raw outputs
        n_raw = (m + 1) // 2
        self._fill(n_raw)
        first = 2 * (self.base + self.pos)  # low half of each generator's next output
        out = _runs(self.flat32, first, m, take, self.buf)
        odd = (m % 2) == 1         # ... the last output's high half is left over
        self.buf[odd] = self.flat32[(first + m)[odd]]
        self.has = np.where(k > 0, odd, self.has)
        self.pos += n_raw
        self.used += n_raw
        return out

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

    # --- numpy's own draws ----------------------------------------------------------
    def _rewind(self, rows: np.ndarray) -> None:
        """Generators ``rows`` moved back to their first raw outputs not yet used."""
        ahead = self.end[rows] - self.pos[rows]
        for r, a in zip(rows.tolist(), ahead.tolist()):
            if a:
                self._advance[r](_BACK - a)
        self.end[rows] = self.pos[rows]

    def numpy_call(self, r: int, method: str, *args, **kw):
        """``gens[r].method(*args, **kw)`` for a call that may read 32-bit words: numpy
        gets the buffered half for it and gives back what it leaves."""
        self._rewind(np.array([r]))
        self._mark(True)
        g = self.gens[r]
        st = g.bit_generator.state
        g.bit_generator.state = {**st, "has_uint32": int(self.has[r]), "uinteger": int(self.buf[r])}
        out = getattr(g, method)(*args, **kw)
        st = g.bit_generator.state
        self.has[r], self.buf[r] = bool(st["has_uint32"]), st["uinteger"]
        g.bit_generator.state = {**st, "has_uint32": 0}
        return out

    def native(self, method: str, k: np.ndarray, *args) -> np.ndarray:
        """``gens[r].method(*args[r], size=k[r])`` of each generator, concatenated, for
        a method that reads whole raw outputs only (``poisson``, ``standard_normal``);
        an argument that is an array is one value per generator."""
        per = [a.tolist() if isinstance(a, np.ndarray) else [a] * self.R for a in args]
        calls = self._methods.get(method)
        if calls is None:
            calls = self._methods[method] = [getattr(g, method) for g in self.gens]
        rows = np.flatnonzero(k)  # a draw of none reads nothing
        self._rewind(rows)
        self._mark(True)
        if not len(rows):  # numpy's dtype of an empty draw
            return calls[0](*(p[0] for p in per), size=0)
        return np.concatenate([calls[r](*(p[r] for p in per), size=n)
                               for r, n in zip(rows.tolist(), k[rows].tolist())])


def _runs(flat: np.ndarray, first: np.ndarray, k: np.ndarray, head: np.ndarray | None = None,
          values: np.ndarray | None = None) -> np.ndarray:
    """flat[first[r]:first[r] + k[r]] of each r, concatenated, each preceded by
    values[r] where head[r]."""
    n = k if head is None else k + head
    total = int(n.sum())
    if total < 64 * len(k):  # short runs: one gather
        idx = np.repeat(first - (np.cumsum(n) - n) - (0 if head is None else head), n)
        idx += np.arange(total)
        out = flat[idx]  # (a head's place reads the entry before: replaced)
        if head is not None:
            out[(np.cumsum(n) - n)[head]] = values[head]
        return out
    if head is None or not head.any():  # long ones: a copy of each
        return np.concatenate([flat[s:s + m] for s, m in zip(first.tolist(), k.tolist())])
    parts = []
    for r, (s, m, h) in enumerate(zip(first.tolist(), k.tolist(), head.tolist())):
        if h:
            parts.append(values[r:r + 1])
        parts.append(flat[s:s + m])
    return np.concatenate(parts)
