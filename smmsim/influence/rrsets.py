"""A growing collection of reverse-reachable sets, drawn in parallel.

Set ``i`` depends only on ``(root, i)`` (see :mod:`smmsim._kernels.rrsets`), so the
collection is the same whatever the number of threads: each thread draws a contiguous
stretch of set numbers and the stretches are joined in order.
"""

from __future__ import annotations

import threading

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.influence.reverse import reverse_lists

__all__ = ["RRSets", "draw_rr_sets"]


def draw_rr_sets(
    graph: CSRGraph,
    p_first: float,
    p: float,
    root: np.uint64,
    first: int,
    count: int,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """RR sets ``first .. first + count - 1`` as ``(offsets, nodes)``.

    Parameters
    ----------
    graph : CSRGraph
    p_first : float
        Probability that a share shows in a follower's feed (the first hop back).
    p : float
        Probability that an arc carries the content on to a new sharer (later hops).
    root : numpy.uint64
        Root key of the sets' streams.
    first, count : int
        The set numbers drawn.
    threads : int, optional
        Threads drawing at once (default: numba's thread count); the result does not
        depend on it.
    """
    import numba

    from smmsim._kernels.rrsets import rr_range

    rindptr, rindices = reverse_lists(graph)
    threads = numba.get_num_threads() if threads is None else max(1, int(threads))
    threads = max(1, min(threads, count))
    bounds = np.linspace(first, first + count, threads + 1).astype(np.int64)
    parts: list[tuple[np.ndarray, np.ndarray] | None] = [None] * threads

    def work(c: int) -> None:
        lo, hi = int(bounds[c]), int(bounds[c + 1])
        parts[c] = rr_range(
            rindptr, rindices, float(p_first), float(p), np.uint64(root), lo, hi - lo
        )

    if threads == 1:
        work(0)
    else:
        errors: list[BaseException] = []

        def body(c: int) -> None:
            try:
                work(c)
            except BaseException as exc:  # handed to the caller
                errors.append(exc)

        pool = [threading.Thread(target=body, args=(c,), daemon=True) for c in range(1, threads)]
        for t in pool:
            t.start()
        body(0)
        for t in pool:
            t.join()
        if errors:
            raise errors[0]
    done = [x for x in parts if x is not None]
    if len(done) == 1:
        return done[0]
    nodes = np.concatenate([x[1] for x in done])
    offsets = [np.zeros(1, dtype=np.int64)]
    base = 0
    for off, nod in done:
        offsets.append(off[1:] + base)
        base += nod.size
    return np.concatenate(offsets), nodes


class RRSets:
    """RR sets numbered from ``first`` on, extended on demand.

    Parameters
    ----------
    graph : CSRGraph
    p_first, p : float
        See :func:`draw_rr_sets`.
    root : numpy.uint64
    first : int
        Number of the first set (a later phase starts past an earlier one's sets, so
        the phases' samples are independent).
    threads : int, optional
    """

    def __init__(
        self,
        graph: CSRGraph,
        p_first: float,
        p: float,
        root: np.uint64,
        first: int = 0,
        threads: int | None = None,
    ) -> None:
        self.graph = graph
        self.p_first, self.p = float(p_first), float(p)
        self.root = np.uint64(root)
        self.first = int(first)
        self.threads = threads
        self.offsets = np.zeros(1, dtype=np.int64)
        self._chunks: list[np.ndarray] = []
        self._nodes: np.ndarray | None = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def nodes(self) -> np.ndarray:
        """Every set's users, one after the other."""
        if self._nodes is None:
            self._nodes = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int32)
            self._chunks = [self._nodes]
        return self._nodes

    @property
    def nbytes(self) -> int:
        """Memory the sets hold."""
        return int(self.offsets.nbytes + sum(c.nbytes for c in self._chunks))

    def extend_to(self, count: int) -> None:
        """Draw sets until there are ``count``."""
        have = len(self)
        if count <= have:
            return
        off, nod = draw_rr_sets(
            self.graph, self.p_first, self.p, self.root, self.first + have, count - have,
            self.threads,
        )  # fmt: skip
        base = int(self.offsets[-1])
        self.offsets = np.concatenate([self.offsets, off[1:] + base])
        if self._nodes is not None and not self._chunks:
            self._chunks = [self._nodes]
        self._chunks.append(nod)
        self._nodes = None

    def coverage(self, seeds: np.ndarray) -> int:
        """Number of sets that ``seeds`` meet."""
        from smmsim._kernels.rrsets import coverage

        return int(coverage(self.offsets, self.nodes, np.asarray(seeds, np.int64), self.graph.n))
