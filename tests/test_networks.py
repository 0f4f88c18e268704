"""The customer network's builders: the linear-time small world (a laid-out lattice
and a merge of sorted runs) gives exactly the network of the plain edge-list build,
draws the same random numbers, and every build gives sorted, distinct neighbours."""

import numpy as np
import pytest

from sim.model import networks
from sim.model.networks import _csr_from_edges, append_block, scale_free, small_world


def _reference(n: int, u, v) -> tuple[np.ndarray, np.ndarray]:
    """The undirected CSR of an edge list, the slow obvious way."""
    rows = [set() for _ in range(n)]
    for a, b in zip(u.tolist(), v.tolist()):
        if a != b:
            rows[a].add(b)
            rows[b].add(a)
    indptr = np.cumsum([0] + [len(r) for r in rows])
    return indptr, np.array([c for r in rows for c in sorted(r)], dtype=np.int64)


def _lattice_edges(n: int, mean_degree: float, rewire: float, rng):
    """The edge list small_world rewires, drawn as it draws it."""
    half = min(max(1, int(round(mean_degree / 2))), max(1, (n - 1) // 2))
    u = np.repeat(np.arange(n), half)
    v = (u + np.tile(np.arange(1, half + 1), n)) % n
    moved = rng.random(len(v)) < rewire
    v[moved] = rng.integers(0, n, size=int(moved.sum()))
    return u, v


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 40, 257])
@pytest.mark.parametrize("degree", [2, 4, 10, 30])
@pytest.mark.parametrize("rewire", [0.0, 0.1, 0.6, 1.0])
def test_small_world_is_the_rewired_lattice_exactly(n, degree, rewire):
    a, b = np.random.default_rng(n * 7 + degree), np.random.default_rng(n * 7 + degree)
    net = small_world(n, degree, rewire, a)
    indptr, indices = _reference(n, *_lattice_edges(n, degree, rewire, b))
    assert np.array_equal(net.indptr, indptr) and np.array_equal(net.indices, indices)
    assert a.random() == b.random()  # the same numbers drawn, none more
    assert net.indices.dtype == np.int32 and net.indptr.dtype == np.int64


def test_small_world_built_in_pieces_is_the_same(monkeypatch):
    """Random numbers and lattice rows handled in pieces give the one-piece network."""
    whole = small_world(3001, 10, 0.1, np.random.default_rng(3))
    monkeypatch.setattr(networks, "RNG_CHUNK", 1000)
    monkeypatch.setattr(networks, "BLOCK_ENTRIES", 970)
    pieces = small_world(3001, 10, 0.1, np.random.default_rng(3))
    assert np.array_equal(whole.indptr, pieces.indptr)
    assert np.array_equal(whole.indices, pieces.indices)


def test_edge_lists_with_repeats_and_self_loops():
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(1, 200))
        u, v = rng.integers(0, n, size=(2, int(rng.integers(0, 1500))))
        net = _csr_from_edges(n, u, v)
        indptr, indices = _reference(n, u, v)
        assert np.array_equal(net.indptr, indptr) and np.array_equal(net.indices, indices)


@pytest.mark.parametrize("kind", ["small_world", "scale_free"])
def test_appended_block_holds_both_networks_and_the_ties_between(kind):
    rng = np.random.default_rng(1)
    old = small_world(500, 6, 0.1, rng)
    params = dict(customer_network=kind, customer_degree=6.0, rewire=0.2)
    a, b = np.random.default_rng(2), np.random.default_rng(2)
    grown = append_block(old, 300, params, a)
    # the same draws by hand: the block, then the ties between the two markets
    block = small_world(300, 6, 0.2, b) if kind == "small_world" else scale_free(300, 6, b)
    m = int(round(300 * 6 / 2 * 0.2))
    ta, tb = 500 + b.integers(0, 300, size=m), b.integers(0, 500, size=m)
    u = np.concatenate([np.repeat(np.arange(500), old.degree()), 500 + np.repeat(np.arange(300), block.degree()), ta])
    v = np.concatenate([old.indices, 500 + block.indices, tb])
    indptr, indices = _reference(800, u, v)
    assert np.array_equal(grown.indptr, indptr) and np.array_equal(grown.indices, indices)
    assert a.random() == b.random()
