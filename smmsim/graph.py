"""The audience: one compressed-sparse-row graph type for the whole engine.

An arc ``u -> v`` means *v sees what u posts* (v follows u). ``indptr``/``indices``
therefore list each user's followers: the people a share reaches. Undirected
friendship graphs store every tie in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from smmsim._config import FLOAT, INDEX, NODE
from smmsim.errors import UserError
from smmsim.params import describe_value

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CSRGraph", "DegreeStats", "GraphError"]


class GraphError(UserError):
    """An audience graph is malformed (bad arrays, ids out of range, ...)."""


@dataclass(frozen=True)
class DegreeStats:
    """Degree moments that percolation theory needs (Newman 2002).

    For undirected graphs ``mean_in = mean_out = mean`` and ``mean_in_out = second``.
    ``excess`` is the mean number of further followers of a user reached along a random
    tie: ``<k^2>/<k> - 1`` undirected, ``<k_in k_out>/<k_in>`` directed.
    """

    n: int
    n_edges: int
    directed: bool
    mean: float
    second: float
    excess: float
    max_degree: int
    mean_in: float
    mean_out: float
    second_in: float
    second_out: float
    mean_in_out: float
    isolated: int

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready)."""
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class CSRGraph:
    """An audience in compressed sparse row form.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        Row offsets; the followers of ``u`` are ``indices[indptr[u]:indptr[u + 1]]``.
    indices : ndarray of int32
        Follower ids, sorted within each row, no self-loops, no duplicates.
    directed : bool
        ``False`` for mutual ties stored in both directions.
    weights : ndarray of float64, optional
        One weight per arc (tie strength), aligned with ``indices``.
    segments : ndarray of int32, optional
        Audience segment id of each user.
    segment_names : tuple of str, optional
        Name of each segment id.
    labels : ndarray, optional
        Original node label of each internal id (edge-list ids, networkx nodes).
    attributes : dict, optional
        Users' categorical attributes (age band, region, ...): each name maps to
        ``(codes, values)``, an int32 array of one code per user and the tuple of the
        values the codes stand for (see :mod:`smmsim.attributes`).
    name : str
        Human-readable description of how the audience was made.
    """

    indptr: np.ndarray
    indices: np.ndarray
    directed: bool = False
    weights: np.ndarray | None = None
    segments: np.ndarray | None = None
    segment_names: tuple[str, ...] | None = None
    labels: np.ndarray | None = None
    name: str = "audience"
    attributes: dict[str, tuple[np.ndarray, tuple[str, ...]]] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(
        cls,
        src: np.ndarray,
        dst: np.ndarray,
        n: int | None = None,
        *,
        directed: bool = False,
        weights: np.ndarray | None = None,
        **attrs: Any,
    ) -> CSRGraph:
        """Build from arc lists, dropping self-loops and duplicate ties.

        Parameters
        ----------
        src, dst : array_like of int
            Endpoints; for directed graphs ``src -> dst`` means dst follows src.
        n : int, optional
            Number of users (default: largest id + 1).
        directed : bool
            Keep arcs one-way; otherwise each pair becomes a mutual tie.
        weights : array_like of float, optional
            Tie strengths aligned with ``src``.
        **attrs
            Passed to the constructor (``segments``, ``labels``, ``name``, ...).
        """
        from smmsim._kernels.csr import build_csr

        src = np.ascontiguousarray(src, dtype=INDEX)
        dst = np.ascontiguousarray(dst, dtype=INDEX)
        if src.shape != dst.shape or src.ndim != 1:
            raise GraphError("src and dst must be 1-d arrays of equal length")
        top = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
        if n is None:
            n = top
        if src.size and (min(src.min(), dst.min()) < 0 or top > n):
            raise GraphError(f"node ids must lie in [0, {n})")
        has_w = weights is not None
        w = np.ascontiguousarray(weights, dtype=FLOAT) if has_w else np.empty(0, dtype=FLOAT)
        if has_w and w.shape != src.shape:
            raise GraphError("weights must align with the edge list")
        indptr, indices, wt = build_csr(src, dst, w, int(n), not directed, has_w)
        return cls(indptr, indices, directed=directed, weights=wt if has_w else None, **attrs)

    @classmethod
    def from_networkx(
        cls, graph: nx.Graph, *, weight: str | None = None, segment: str | None = None
    ) -> CSRGraph:
        """Convert any networkx graph; original nodes are kept in ``labels``.

        Parameters
        ----------
        graph : networkx.Graph or networkx.DiGraph
            For a DiGraph, an edge ``u -> v`` means v follows u.
        weight : str, optional
            Edge attribute holding tie strength.
        segment : str, optional
            Node attribute holding the audience segment (any hashable values).
        """
        nodes = list(graph.nodes())
        index = {node: i for i, node in enumerate(nodes)}
        m = graph.number_of_edges()
        src = np.empty(m, dtype=INDEX)
        dst = np.empty(m, dtype=INDEX)
        w = np.empty(m, dtype=FLOAT) if weight else None
        for i, (u, v, data) in enumerate(graph.edges(data=True)):
            src[i] = index[u]
            dst[i] = index[v]
            if w is not None:
                w[i] = float(data.get(weight, 1.0))
        seg = names = None
        if segment is not None:
            values = [graph.nodes[node].get(segment) for node in nodes]
            names_list = sorted({str(v) for v in values})
            lookup = {name: i for i, name in enumerate(names_list)}
            seg = np.array([lookup[str(v)] for v in values], dtype=NODE)
            names = tuple(names_list)
        labels = np.empty(len(nodes), dtype=object)
        labels[:] = nodes
        return cls.from_edges(
            src,
            dst,
            len(nodes),
            directed=graph.is_directed(),
            weights=w,
            segments=seg,
            segment_names=names,
            labels=labels,
            name=f"networkx {type(graph).__name__}",
        )

    def to_networkx(self) -> nx.Graph:
        """A networkx (Di)Graph with internal ids 0..n-1 and ``segment`` attributes."""
        import networkx as nx

        g = nx.DiGraph() if self.directed else nx.Graph()
        g.add_nodes_from(range(self.n))
        src = np.repeat(np.arange(self.n), np.diff(self.indptr))
        dst = self.indices
        if not self.directed:
            keep = src < dst
            src, dst = src[keep], dst[keep]
            w = self.weights[keep] if self.weights is not None else None
        else:
            w = self.weights
        if w is None:
            g.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
        else:
            g.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), w.tolist(), strict=True))
        if self.segments is not None:
            nx.set_node_attributes(g, dict(enumerate(self.segments.tolist())), "segment")
        return g

    # ------------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        """Number of users."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_arcs(self) -> int:
        """Number of stored arcs (each undirected tie counts twice)."""
        return int(self.indices.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of ties: arcs for directed graphs, pairs for undirected ones."""
        return self.n_arcs if self.directed else self.n_arcs // 2

    def out_degree(self) -> np.ndarray:
        """Followers of each user (the audience a share can reach)."""
        if "out" not in self._cache:
            self._cache["out"] = np.diff(self.indptr)
        return self._cache["out"]

    def in_degree(self) -> np.ndarray:
        """Accounts each user follows (equal to ``out_degree`` when undirected)."""
        if not self.directed:
            return self.out_degree()
        if "in" not in self._cache:
            from smmsim._kernels.csr import in_degrees

            self._cache["in"] = in_degrees(self.indices, self.n)
        return self._cache["in"]

    def degree_stats(self) -> DegreeStats:
        """Degree moments for percolation theory; see :class:`DegreeStats`."""
        if "stats" not in self._cache:
            self._cache["stats"] = self._degree_stats()
        return self._cache["stats"]

    def _degree_stats(self) -> DegreeStats:
        kout = self.out_degree().astype(FLOAT)
        kin = self.in_degree().astype(FLOAT)
        n = max(self.n, 1)
        mean_out = float(kout.sum() / n)
        mean_in = float(kin.sum() / n)
        second_out = float((kout * kout).sum() / n)
        second_in = float((kin * kin).sum() / n)
        mean_in_out = float((kin * kout).sum() / n)
        if self.directed:
            excess = mean_in_out / mean_in if mean_in > 0 else 0.0
            second = mean_in_out
        else:
            excess = second_out / mean_out - 1.0 if mean_out > 0 else 0.0
            second = second_out
        return DegreeStats(
            n=self.n,
            n_edges=self.n_edges,
            directed=self.directed,
            mean=mean_out,
            second=second,
            excess=excess,
            max_degree=int(kout.max(initial=0)),
            mean_in=mean_in,
            mean_out=mean_out,
            second_in=second_in,
            second_out=second_out,
            mean_in_out=mean_in_out,
            isolated=int(((kout == 0) & (kin == 0)).sum()),
        )

    def label_of(self, node: int) -> Any:
        """Original label of internal id ``node``."""
        return node if self.labels is None else self.labels[node]

    def node_ids(self, labels: list[Any]) -> np.ndarray:
        """Internal ids of original ``labels``; raises ``KeyError`` naming the first unknown."""
        if self.labels is None:
            out = np.asarray(labels, dtype=INDEX)
            bad = (out < 0) | (out >= self.n)
            if bad.any():
                raise KeyError(labels[int(np.argmax(bad))])
            return out
        if "label_index" not in self._cache:
            self._cache["label_index"] = {lab: i for i, lab in enumerate(self.labels.tolist())}
        index = self._cache["label_index"]
        out = np.empty(len(labels), dtype=INDEX)
        for i, lab in enumerate(labels):
            if lab not in index and type(lab) is int and str(lab) in index:
                lab = str(lab)  # an id written as a number, of users named by text
            if lab not in index:
                raise KeyError(lab)
            out[i] = index[lab]
        return out

    def unknown_id(self, label: Any) -> str:
        """Plain words for ``label``, which is none of the users' ids (what
        :meth:`node_ids` raised): which ids the audience has, and the user meant when
        ``label`` is one's id written as text, of users numbered from 0 to n - 1, or
        written as a number, of users named by text."""
        if self.labels is None:
            return f"unknown user id {describe_value(label)} (the audience has ids 0..{self.n - 1})"
        known = ", ".join(describe_value(x) for x in self.labels[:3].tolist())
        hint = ""
        other = str(label) if isinstance(label, int) else _as_int(label)
        if other is not None:
            try:
                self.node_ids([other])
                hint = f"; did you mean {describe_value(other)}?"
            except KeyError:
                pass
        return (
            f"unknown user id {describe_value(label)} (the audience has {self.n:,} users "
            f"with ids such as {known}){hint}"
        )

    def validate(self) -> CSRGraph:
        """Check the arrays' shapes, dtypes and ranges; return ``self``."""
        ip, ix = self.indptr, self.indices
        if ip.ndim != 1 or ip.size < 1 or ip[0] != 0 or ip[-1] != ix.size:
            raise GraphError("indptr must start at 0 and end at len(indices)")
        if np.any(np.diff(ip) < 0):
            raise GraphError("indptr must be non-decreasing")
        if ix.size and (ix.min() < 0 or ix.max() >= self.n):
            raise GraphError(f"indices must lie in [0, {self.n})")
        if self.weights is not None and self.weights.shape != ix.shape:
            raise GraphError("weights must align with indices")
        if self.segments is not None and self.segments.shape != (self.n,):
            raise GraphError("segments must hold one id per user")
        for key, (codes, _) in self.attributes.items():
            if codes.shape != (self.n,):
                raise GraphError(f"attribute {key!r} must hold one code per user")
        return self

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"CSRGraph({self.name!r}, n={self.n:,}, edges={self.n_edges:,}, {kind})"


def _as_int(label: Any) -> int | None:
    """``label`` read as a whole number, if it is text that reads as one."""
    if isinstance(label, str):
        try:
            return int(label)
        except ValueError:
            return None
    return None
