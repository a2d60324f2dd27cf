"""A growing collection of reverse-reachable sets, drawn in parallel.

Set ``i`` depends only on ``(root, i)`` (see :mod:`smmsim._kernels.rrsets`), so the
collection is the same whatever the number of threads: each thread draws a contiguous
stretch of set numbers and the stretches are joined in order.
"""

from __future__ import annotations

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
    sir: tuple[float, float] | None = None,
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
    sir : tuple of two float, optional
        ``(beta, gamma)``: the sets of the SIR model instead (``p_first`` and ``p`` are
        then unused; see :func:`smmsim._kernels.rrsets.rr_range_sir`).
    """
    import numba

    from smmsim._kernels.driver import in_threads
    from smmsim._kernels.rrsets import rr_range, rr_range_sir

    rindptr, rindices = reverse_lists(graph)
    threads = numba.get_num_threads() if threads is None else max(1, int(threads))
    threads = max(1, min(threads, count))
    bounds = np.linspace(first, first + count, threads + 1).astype(np.int64)
    parts: list[tuple[np.ndarray, np.ndarray] | None] = [None] * threads

    def work(c: int) -> None:
        lo, hi = int(bounds[c]), int(bounds[c + 1])
        if sir is None:
            parts[c] = rr_range(
                rindptr, rindices, float(p_first), float(p), np.uint64(root), lo, hi - lo
            )
        else:
            beta, gamma = sir
            parts[c] = rr_range_sir(
                rindptr, rindices, float(beta), float(gamma), np.uint64(root), lo, hi - lo
            )

    in_threads(work, threads)
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
    sir : tuple of two float, optional
        See :func:`draw_rr_sets`.
    """

    def __init__(
        self,
        graph: CSRGraph,
        p_first: float,
        p: float,
        root: np.uint64,
        first: int = 0,
        threads: int | None = None,
        sir: tuple[float, float] | None = None,
    ) -> None:
        self.graph = graph
        self.p_first, self.p = float(p_first), float(p)
        self.root = np.uint64(root)
        self.first = int(first)
        self.threads = threads
        self.sir = sir
        self._count = 0
        # each draw's (offsets from 0, users), joined only when read
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self._joined: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return self._count

    def _join(self) -> tuple[np.ndarray, np.ndarray]:
        if self._joined is None:
            if len(self._chunks) == 1:
                self._joined = self._chunks[0]
            else:
                bases = np.cumsum([0] + [c[1].size for c in self._chunks])
                offsets = np.concatenate(
                    [np.zeros(1, np.int64)]
                    + [c[0][1:] + b for c, b in zip(self._chunks, bases, strict=False)]
                )
                nodes = (
                    np.concatenate([c[1] for c in self._chunks])
                    if self._chunks
                    else np.zeros(0, np.int32)
                )
                self._joined = (offsets, nodes)
            self._chunks = [self._joined]
        return self._joined

    @property
    def offsets(self) -> np.ndarray:
        """Set ``i`` is ``nodes[offsets[i]:offsets[i + 1]]``."""
        return self._join()[0]

    @property
    def nodes(self) -> np.ndarray:
        """Every set's users, one after the other."""
        return self._join()[1]

    @property
    def nbytes(self) -> int:
        """Memory the sets hold."""
        return int(sum(c[0].nbytes + c[1].nbytes for c in self._chunks))

    def extend_to(self, count: int) -> None:
        """Draw sets until there are ``count``."""
        have = len(self)
        if count <= have:
            return
        off, nod = draw_rr_sets(
            self.graph, self.p_first, self.p, self.root, self.first + have, count - have,
            self.threads, self.sir,
        )  # fmt: skip
        self._chunks.append((off, nod))
        self._count = count
        self._joined = None

    def coverage(self, seeds: np.ndarray) -> int:
        """Number of sets that ``seeds`` meet."""
        from smmsim._kernels.rrsets import coverage

        return int(coverage(self.offsets, self.nodes, np.asarray(seeds, np.int64), self.graph.n))
