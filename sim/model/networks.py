"""Network builders: the customers' social network and the employees' network.

The customer network is built straight into compressed sparse rows (two integer
arrays), because a networkx graph of a million nodes would take gigabytes; the
employee network is small and is a networkx graph, with edge arrays for the
vectorised learning and access computations.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class CSR:
    """An undirected graph as compressed sparse rows: neighbours of i are
    ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i]:self.indptr[i + 1]]

    def neighbours_of(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All (source, neighbour) pairs for the given nodes, as two flat arrays."""
        starts = self.indptr[nodes]
        lens = self.indptr[nodes + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, self.indices.dtype)
        src = np.repeat(nodes, lens)
        offsets = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        return src, self.indices[np.repeat(starts, lens) + offsets]

    def random_neighbours(self, nodes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One uniformly drawn neighbour per entry of ``nodes`` (-1 where a node has none)."""
        if len(self.indices) == 0:  # a network without edges: nobody has a neighbour
            rng.random(len(nodes), dtype=np.float32)  # the draw a network with edges makes
            return np.full(len(nodes), -1, dtype=np.int64)
        starts = self.indptr[nodes]
        lens = (self.indptr[nodes + 1] - starts).astype(np.float32)
        offset = (rng.random(len(nodes), dtype=np.float32) * lens).astype(np.int64)
        np.minimum(offset, np.maximum(lens - 1, 0).astype(np.int64), out=offset)  # rounding
        out = self.indices[np.minimum(starts + offset, len(self.indices) - 1)].astype(np.int64)
        out[lens == 0] = -1
        return out

    def to_networkx(self, nodes: np.ndarray | None = None) -> nx.Graph:
        """The graph (or the subgraph induced by ``nodes``) as networkx, for drawing."""
        g = nx.Graph()
        keep = np.arange(self.n) if nodes is None else np.asarray(nodes)
        g.add_nodes_from(keep.tolist())
        src, dst = self.neighbours_of(keep)
        inside = np.isin(dst, keep)
        g.add_edges_from(zip(src[inside].tolist(), dst[inside].tolist()))
        return g


def _csr_from_edges(n: int, u: np.ndarray, v: np.ndarray) -> CSR:
    """Undirected CSR from an edge list, dropping self-loops and duplicates: each row's
    neighbours in ascending order."""
    keep = u != v
    u, v = u[keep].astype(np.int64), v[keep].astype(np.int64)
    shift = _key_shift(n)
    key = np.concatenate([(u << shift) | v, (v << shift) | u])
    del u, v, keep
    key.sort()
    return _csr_from_sorted_keys(n, key, shift)


def small_world(n: int, mean_degree: float, rewire: float, rng: np.random.Generator) -> CSR:
    """Watts-Strogatz small world: a ring lattice whose edges are rewired with
    probability ``rewire``. Labels follow the ring, so neighbours sit close in memory;
    who is a customer and who a prospect is drawn at random elsewhere."""
    half = max(1, int(round(mean_degree / 2)))
    half = min(half, max(1, (n - 1) // 2))
    moved = _draw_below(n * half, rewire, rng).reshape(n, half)  # edge (i, i + k): [i, k - 1]
    target = rng.integers(0, n, size=int(np.count_nonzero(moved)))
    if n < 2 * half + 2:  # a ring too short for its lattice: the general way
        u = np.repeat(np.arange(n, dtype=np.int64), half)
        v = (u + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
        v[moved.ravel()] = target
        return _csr_from_edges(n, u, v)
    return _ring_csr(n, half, moved, target)


RNG_CHUNK = 1 << 22  # random numbers drawn per piece when only a comparison is kept


def _draw_below(m: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """``rng.random(m) < p``, the same numbers drawn in pieces (the generator's stream
    does not depend on how a draw of doubles is split) without an m-sized float array."""
    out = np.empty(m, dtype=bool)
    buf = np.empty(min(m, RNG_CHUNK))
    for s in range(0, m, RNG_CHUNK):
        part = buf[:min(RNG_CHUNK, m - s)]
        rng.random(out=part)
        np.less(part, p, out=out[s:s + len(part)])
    return out


def _ring_csr(n: int, half: int, moved: np.ndarray, target: np.ndarray) -> CSR:
    """The CSR that ``_csr_from_edges`` gives for a ring lattice of ``half`` ties each
    side whose edges ``moved[i, k - 1]`` (from i to i + k) go to ``target`` instead, in
    time linear in the edges and without an array of every edge: the rewired ties (a
    tenth at the defaults) are sorted on their own; then, a block of rows at a time,
    the lattice's kept ties are laid out in order and merged with the block's rewired
    ones (a stable sort, timsort: two sorted runs merge in one pass)."""
    shift = _key_shift(n)
    src = np.flatnonzero(moved) // half
    keep = src != target  # a rewired tie to oneself is dropped
    src, target = src[keep], target[keep]
    rewired = np.concatenate([(src << shift) | target, (target << shift) | src])
    del src, target, keep
    rewired.sort()
    # a lattice tie at offset d (-half..-1, 1..half) of row r is kept unless the edge
    # it came from was rewired: forward, edge (r, r + d); backward, edge (r + d, r)
    offsets = np.concatenate([np.arange(-half, 0), np.arange(1, half + 1)])
    n_lattice = 2 * int(moved.size - np.count_nonzero(moved))

    def blocks():
        per_block = max(1, BLOCK_ENTRIES // (2 * half))  # rows
        kept = np.empty((min(n, per_block), 2 * half), dtype=bool)
        for r0 in range(0, n, per_block):
            r1 = min(n, r0 + per_block)
            rows = np.arange(r0, r1, dtype=np.int64)
            ok = kept[:r1 - r0]
            for j, d in enumerate(offsets):
                np.logical_not(_ring_rows(moved[:, abs(d) - 1], r0 + min(d, 0), r1 - r0),
                               out=ok[:, j])
            cols = rows[:, None] + offsets[None, :]
            # the ring closes in its first and last half rows (only they leave 0..n-1)
            head, tail = max(0, min(r1, half) - r0), max(0, r1 - max(r0, n - half))
            cols[:head] %= n
            cols[len(cols) - tail:] %= n
            cols += rows[:, None] << shift
            lo, hi = np.searchsorted(rewired, [r0 << shift, r1 << shift])
            key = np.concatenate([cols[ok], rewired[lo:hi]])
            key.sort(kind="stable")
            yield key

    return _csr_from_key_blocks(n, blocks(), shift, n_lattice + len(rewired))


def _ring_rows(col: np.ndarray, start: int, k: int) -> np.ndarray:
    """``col[(start + arange(k)) % len(col)]`` by slices (start >= -len(col), k <= len)."""
    n = len(col)
    if start < 0:
        start += n
    end = start + k
    return col[start:end] if end <= n else np.concatenate([col[start:], col[:end - n]])


BLOCK_ENTRIES = 1 << 21  # lattice ties laid out per block (16 MB of keys)


def _key_shift(n: int) -> int:
    """Bits of a column in a key row << shift | column."""
    return max(1, int(n - 1).bit_length())


def _csr_from_key_blocks(n: int, blocks, shift: int, size: int) -> CSR:
    """CSR from blocks of keys row << shift | column, sorted within and across blocks,
    at most ``size`` in all (repeats allowed, dropped here)."""
    idx_dtype = np.int32 if n < 2**31 - 1 else np.int64
    indices = np.empty(size, dtype=idx_dtype)
    counts = np.zeros(n, dtype=np.int64)
    mask, at, last = (1 << shift) - 1, 0, -1
    for key in blocks:
        if len(key) == 0:
            continue
        first = np.empty(len(key), dtype=bool)
        first[0] = key[0] != last
        np.not_equal(key[1:], key[:-1], out=first[1:])
        last = key[-1]
        if not first.all():
            key = key[first]
            if len(key) == 0:
                continue
        np.bitwise_and(key, mask, out=indices[at:at + len(key)], casting="unsafe")
        row = key >> shift
        counts[row[0]:row[-1] + 1] += np.bincount(row - row[0])  # rows ascend
        at += len(key)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return CSR(indptr, indices[:at])


def _csr_from_sorted_keys(n: int, key: np.ndarray, shift: int) -> CSR:
    """CSR from sorted keys row << shift | column (repeats allowed, dropped here)."""
    step = BLOCK_ENTRIES
    return _csr_from_key_blocks(n, (key[s:s + step] for s in range(0, len(key), step)),
                                shift, len(key))


def scale_free(n: int, mean_degree: float, rng: np.random.Generator,
               exponent: float = 2.5) -> CSR:
    """Static scale-free model (Goh, Kahng & Kim 2001): edge ends drawn with weight
    i**(-1/(exponent-1)), which gives a power-law degree distribution, vectorised.
    Hubs have low labels; statuses are drawn at random elsewhere."""
    alpha = 1.0 / (exponent - 1.0)
    w = np.arange(1, n + 1, dtype=np.float64) ** (-alpha)
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    m = int(round(n * mean_degree / 2))
    u = np.searchsorted(cdf, rng.random(m))
    v = np.searchsorted(cdf, rng.random(m))
    np.minimum(u, n - 1, out=u)
    np.minimum(v, n - 1, out=v)
    return _csr_from_edges(n, u, v)


def append_block(net: CSR, k: int, params: dict, rng: np.random.Generator) -> CSR:
    """The network with k new nodes: a block of the same shape among themselves, tied
    to the existing nodes by a share ``rewire`` of their edges (two markets that
    overlap a little)."""
    n = net.n
    block = build_customer_network(k, params, rng)
    m = int(round(k * params["customer_degree"] / 2 * params["rewire"]))
    a = n + rng.integers(0, k, size=m)
    b = rng.integers(0, max(n, 1), size=m)
    keep = a != b
    a, b = a[keep], b[keep]
    shift = _key_shift(n + k)
    ties = np.concatenate([(a << shift) | b, (b << shift) | a])
    ties.sort()
    # both networks' rows are in order already: three sorted runs, merged by timsort
    key = np.concatenate([_sorted_keys(net, 0, shift), _sorted_keys(block, n, shift), ties])
    del ties
    key.sort(kind="stable")
    return _csr_from_sorted_keys(n + k, key, shift)


def _sorted_keys(net: CSR, offset: int, shift: int) -> np.ndarray:
    """The keys (row + offset) << shift | (column + offset) of every entry of ``net``."""
    rows = np.repeat(np.arange(offset, offset + net.n, dtype=np.int64), net.degree())
    rows <<= shift
    rows |= net.indices + np.int64(offset)
    return rows


def build_customer_network(n: int, params: dict, rng: np.random.Generator) -> CSR:
    """The social network of customers and prospects, by ``customer_network``."""
    if params["customer_network"] == "scale_free":
        return scale_free(n, params["customer_degree"], rng)
    return small_world(n, params["customer_degree"], params["rewire"], rng)


def build_org_network(dept: np.ndarray, params: dict, rng: np.random.Generator) -> nx.Graph:
    """Employee network: dense inside each department, cross-department ties scaled by
    (1 - silo_barrier), plus ``bridges`` boundary spanners per department pair, each
    tied to ``bridge_ties`` members of the other department (the ties of ``org_ties``).

    Edges carry ``kind``: 'within', 'cross' or 'bridge'.
    """
    a, b, kind = org_ties(dept, params, rng)
    g = nx.Graph()
    g.add_nodes_from((i, {"dept": int(dept[i])}) for i in range(len(dept)))
    names = np.array(TIE_KINDS, dtype=object)[kind]
    g.add_edges_from((x, y, {"kind": k}) for x, y, k in zip(a.tolist(), b.tolist(), names))
    return g


TIE_KINDS = ("within", "cross", "bridge")  # the employee network's kinds of tie


def org_ties(dept: np.ndarray, params: dict, rng: np.random.Generator):
    """The employee network's ties as drawn, in the order they are drawn (a tie drawn
    twice is there twice, the later one's kind counts): arrays (a, b, kind), kind an
    index into TIE_KINDS. build_org_network makes the graph of them; ``tie_arrays``
    gives the graph's edge arrays without making it."""
    n = len(dept)
    parts: list[tuple] = []
    n_dept = int(dept.max()) + 1
    members = [np.flatnonzero(dept == d) for d in range(n_dept)]
    for m in members:  # G(n, p) inside each department, expected degree within_degree
        k = len(m)
        if k < 2:
            continue
        p = min(1.0, params["within_degree"] / (k - 1))
        iu, ju = _gnp_pairs(k, p, rng)
        parts.append((m[iu], m[ju], 0))
    # random pairs, dropping same-department ones: draw 1/(share of cross pairs) as many
    cross_share = 1.0 - np.sum((np.bincount(dept) / n) ** 2)
    mean_cross = n * params["cross_degree"] * (1.0 - params["silo_barrier"]) / 2
    n_cross = rng.poisson(mean_cross / cross_share) if cross_share > 0 else 0
    if n_cross and n_dept > 1:
        u = rng.integers(0, n, size=n_cross)
        v = rng.integers(0, n, size=n_cross)
        ok = dept[u] != dept[v]
        parts.append((u[ok], v[ok], 1))
    spanners, targets = [], []  # each spanner's ties, in the order drawn
    for a in range(n_dept):
        for b in range(n_dept):
            if a == b or not len(members[a]) or not len(members[b]):
                continue
            # bridges per unordered pair: half from each side, the odd one from the lower
            count = params["bridges"] // 2 + (params["bridges"] % 2 if a < b else 0)
            for _ in range(count):
                # rng.choice(members[a])'s one draw (choice with replacement is integers)
                spanners.append(int(members[a][rng.integers(0, len(members[a]))]))
                ties = min(params["bridge_ties"], len(members[b]))
                targets.append(rng.choice(members[b], size=ties, replace=False))
    if spanners:
        parts.append((np.repeat(spanners, [len(t) for t in targets]), np.concatenate(targets), 2))
    if not parts:
        e = np.empty(0, np.int64)
        return e, e.copy(), np.empty(0, np.int8)
    a = np.concatenate([np.asarray(x, np.int64) for x, _, _ in parts])
    b = np.concatenate([np.asarray(y, np.int64) for _, y, _ in parts])
    kind = np.concatenate([np.full(len(x), k, np.int8) for x, _, k in parts])
    return a, b, kind


def tie_arrays(n: int, a: np.ndarray, b: np.ndarray, kind: np.ndarray):
    """``edge_arrays(graph, "kind")`` of the graph of these ties (build_org_network)
    without making it: networkx lists an edge once, as (lower node, higher node), by
    the lower node, then by when the pair was first added, with the kind it was given
    last. Returns (u, v, kind) with kind as indices into TIE_KINDS."""
    if len(a) == 0:
        e = np.empty(0, np.int64)
        return e, e.copy(), np.empty(0, np.int8)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    code = lo * n + hi
    pairs, first = np.unique(code, return_index=True)
    _, last_rev = np.unique(code[::-1], return_index=True)
    last = len(code) - 1 - last_rev
    order = np.lexsort((first, pairs // n))
    lo, hi, k = (pairs // n)[order], (pairs % n)[order], kind[last][order]
    return np.concatenate([lo, hi]), np.concatenate([hi, lo]), k


ALL_PAIRS_LIMIT = 1_000_000  # pairs of a department drawn one by one up to this many


CACHED_PAIRS = 10_000  # departments this small keep their pairs (at most 64 x 160 kB)


@functools.lru_cache(maxsize=64)
def _pairs_of(k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(k, 1)``, kept for the next department of k (read-only)."""
    iu, ju = np.triu_indices(k, 1)
    iu.flags.writeable = ju.flags.writeable = False
    return iu, ju


def _gnp_pairs(k: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The edges (i < j) of G(k, p). Up to ALL_PAIRS_LIMIT pairs each pair is drawn
    (the draw every recorded seed was made with); above it, which would take memory
    quadratic in the department's size, the number of edges is drawn from its binomial
    and that many distinct pairs uniformly: the same distribution, in time and memory
    linear in the edges."""
    pairs = k * (k - 1) // 2
    if pairs <= ALL_PAIRS_LIMIT:
        iu, ju = _pairs_of(k) if pairs <= CACHED_PAIRS else np.triu_indices(k, 1)
        hit = rng.random(len(iu)) < p
        return iu[hit], ju[hit]
    m = int(rng.binomial(pairs, p))
    found = np.empty(0, dtype=np.int64)
    while len(found) < m:  # distinct pair codes i * k + j, i < j; few rounds at p << 1
        i = rng.integers(0, k, size=2 * (m - len(found)) + 16)
        j = rng.integers(0, k, size=len(i))
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        code = (lo * k + hi)[lo < hi]
        found = np.unique(np.concatenate([found, code]))
    code = rng.permutation(found)[:m]
    return code // k, code % k


def edge_arrays(g: nx.Graph, attr: str | None = None):
    """Both directions of every edge of ``g`` as two integer arrays (u, v); with
    ``attr``, also each edge's value of that attribute (once per edge, in g.edges()
    order: the first half of u and v)."""
    if g.number_of_edges() == 0:
        empty = (np.empty(0, np.int64), np.empty(0, np.int64))
        return empty if attr is None else empty + (np.empty(0, object),)
    if attr is None:
        e = np.array(list(g.edges()), dtype=np.int64)
    else:
        a, b, value = zip(*g.edges(data=attr))
        e = np.column_stack([np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)])
    u, v = np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]])
    return (u, v) if attr is None else (u, v, np.array(value, dtype=object))


def department_access(u: np.ndarray, v: np.ndarray, dept: np.ndarray, n_dept: int,
                      direct: float = 0.5, two_hop: float = 0.1) -> np.ndarray:
    """access[e, d]: chance employee e finds someone in department d who will take a
    hand-off, through a direct tie (each works with ``direct``) or a colleague's tie
    (each two-step path works with ``two_hop``). Own department gets 1."""
    n = len(dept)
    ties = np.zeros((n, n_dept))
    np.add.at(ties, (u, dept[v]), 1.0)
    paths = np.zeros((n, n_dept))
    np.add.at(paths, u, ties[v])
    access = 1.0 - (1.0 - direct) ** ties * (1.0 - two_hop) ** paths
    access[np.arange(n), dept] = 1.0
    return access
