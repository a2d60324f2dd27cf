"""Synthetic audiences: random social graphs generated natively, in O(n + m) time.

Every generator returns a :class:`~smmsim.graph.CSRGraph` and takes ``rng``, which is
normalised with :func:`smmsim.rng.resolve_seed`; the integer seed actually used is
recorded in the graph's ``name`` so that any audience can be regenerated exactly. The
edges come from numba kernels with SplitMix64 streams keyed by that seed, so the same
seed gives the same graph on any machine and thread count.

All generators except :func:`erdos_renyi` with ``directed=True`` make undirected
friendship graphs (every tie stored both ways). Self-loops and repeated ties are
never kept: where a model can produce them, they are erased when the CSR form is
built, as each docstring says.

Every generator checks its arguments first and raises ``ValueError``, with a one-line
message that names the argument, when one is out of range; the Raises sections below
list only what goes beyond that.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from smmsim._config import INDEX, NODE
from smmsim.graph import CSRGraph
from smmsim.rng import RandomLike, resolve_seed, root_key

__all__ = ["barabasi_albert", "erdos_renyi", "powerlaw", "sbm", "watts_strogatz"]


# ---------------------------------------------------------------------- validation
def _check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` as a Python int in ``[low, high]``, else a one-line ValueError."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f">= {low} and <= {high}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return value


def _check_real(
    name: str, value: object, low: float, high: float | None = None, *, low_open: bool = False
) -> float:
    """``value`` as a finite float in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    above = value > low if low_open else value >= low
    if not (math.isfinite(value) and above and (high is None or value <= high)):
        allowed = f"{'>' if low_open else '>='} {low:g}"
        if high is not None:
            allowed += f" and <= {high:g}"
        raise ValueError(f"{name} must be a finite number {allowed}, got {value:g}")
    return value


def _inv_log_q(p: float) -> float:
    """``1 / log(1 - p)`` for the geometric gap draws.

    Returns 0 when ``p`` is 1 (every gap is 0) and when ``p`` is 0 (callers then
    draw nothing).
    """
    return 0.0 if p <= 0.0 or p >= 1.0 else 1.0 / math.log1p(-p)


def _capacity(expected: float) -> int:
    """Initial edge-array length: the mean plus 8 standard deviations (Poisson bound)."""
    return int(expected + 8.0 * math.sqrt(expected) + 64.0)


_NO_EDGES = np.empty(0, dtype=INDEX)
_MAX_USERS = int(np.iinfo(NODE).max)  # node ids are stored as int32


# ---------------------------------------------------------------------- generators
def erdos_renyi(
    n: int, mean_degree: float, *, directed: bool = False, rng: RandomLike = None
) -> CSRGraph:
    """Erdős–Rényi random audience G(n, p), drawn in O(n + m) time.

    Each pair of users is tied independently with probability
    ``p = mean_degree / (n - 1)``. Instead of testing every pair, the generator jumps
    from one tie to the next with a geometric gap (Batagelj & Brandes 2005), so the
    work is proportional to the number of ties, not to ``n**2``.

    Parameters
    ----------
    n : int
        Number of users (>= 1).
    mean_degree : float
        Expected number of ties per user, in ``[0, n - 1]``. For a directed audience it
        is the expected number of followers (and of followed accounts) per user.
    directed : bool, default False
        If True, each ordered pair ``u -> v`` (v follows u) is drawn independently, so
        a mutual follow happens with probability ``p**2``.
    rng : int, numpy.random.SeedSequence, numpy.random.Generator or None, optional
        Indicator of random number generation state (see the module notes).

    Returns
    -------
    CSRGraph
        Undirected unless ``directed``; the number of ties is Binomial(N, p) with
        ``N = n (n - 1) / 2`` pairs (``n (n - 1)`` when directed).

    Examples
    --------
    >>> from smmsim.generators import erdos_renyi
    >>> g = erdos_renyi(1000, 8.0, directed=True, rng=42)
    >>> g.directed, round(g.n_edges / g.n, 1)  # follows per user, close to 8
    (True, 7.9)

    References
    ----------
    .. [1] P. Erdős and A. Rényi, "On random graphs I", Publicationes Mathematicae 6,
       290-297 (1959).
    .. [2] V. Batagelj and U. Brandes, "Efficient generation of large random
       networks", Physical Review E 71, 036113 (2005).
    """
    from smmsim._kernels.generators import erdos_renyi_edges, sorted_ties_csr

    n = _check_int("n", n, 1, _MAX_USERS)
    mean_degree = _check_real("mean_degree", mean_degree, 0.0, n - 1.0)
    directed = bool(directed)
    seed = resolve_seed(rng)
    p = mean_degree / (n - 1) if n > 1 else 0.0
    if p > 0.0:
        pairs = n * (n - 1) if directed else n * (n - 1) // 2
        src, dst = erdos_renyi_edges(
            root_key(seed), n, _inv_log_q(p), directed, _capacity(p * pairs)
        )
    else:
        src = dst = _NO_EDGES
    # ties come out distinct and in row order: no erasure or sorting needed
    indptr, indices = sorted_ties_csr(src, dst, n, directed)
    return CSRGraph(
        indptr,
        indices,
        directed=directed,
        name=f"erdos_renyi(n={n}, mean_degree={mean_degree!r}, directed={directed}, rng={seed})",
    )


def barabasi_albert(n: int, m: int, *, rng: RandomLike = None) -> CSRGraph:
    """Barabási–Albert audience grown by linear preferential attachment.

    The construction is that of ``networkx.barabasi_albert_graph``: start from a star
    on users ``0 .. m`` (hub 0); each later user ``s = m + 1, ..., n - 1`` ties to ``m``
    distinct earlier users, each picked with probability proportional to its current
    degree (uniformly from the list holding every user once per tie end, redrawing
    repeats). The degree distribution has a power-law tail
    ``P(k) = 2 m (m + 1) / (k (k + 1) (k + 2))`` (exponent 3), and older users are the
    hubs, as early adopters often are.

    Parameters
    ----------
    n : int
        Number of users.
    m : int
        Ties made by each joining user, ``1 <= m < n``; also the minimum degree.
    rng : int, numpy.random.SeedSequence, numpy.random.Generator or None, optional
        Indicator of random number generation state (see the module notes).

    Returns
    -------
    CSRGraph
        Undirected, with exactly ``m * (n - m - 1) + m`` ties.

    Examples
    --------
    >>> from smmsim.generators import barabasi_albert
    >>> g = barabasi_albert(1000, 3, rng=42)
    >>> g.n_edges
    2991

    References
    ----------
    .. [1] A.-L. Barabási and R. Albert, "Emergence of scaling in random networks",
       Science 286, 509-512 (1999).
    .. [2] B. Bollobás, O. Riordan, J. Spencer and G. Tusnády, "The degree sequence of
       a scale-free random graph process", Random Structures & Algorithms 18,
       279-290 (2001).
    """
    from smmsim._kernels.generators import barabasi_albert_csr, barabasi_albert_targets

    n = _check_int("n", n, 2, _MAX_USERS)
    m = _check_int("m", m, 1, n - 1)
    seed = resolve_seed(rng)
    targets = barabasi_albert_targets(root_key(seed), n, m)
    # ties are distinct by construction and made in row order: filled directly
    indptr, indices = barabasi_albert_csr(targets, n, m)
    return CSRGraph(
        indptr, indices, directed=False, name=f"barabasi_albert(n={n}, m={m}, rng={seed})"
    )


def powerlaw(
    n: int,
    exponent: float,
    min_degree: int = 1,
    max_degree: int | None = None,
    *,
    rng: RandomLike = None,
) -> CSRGraph:
    """Scale-free audience from the erased configuration model.

    Each user's degree is drawn independently from the discrete power law
    ``P(k) = k**-exponent / Z`` for ``min_degree <= k <= max_degree``. If the degrees
    sum to an odd number, one user picked at random redraws its degree until the sum
    is even. The stubs (one per tie end) are then shuffled and paired in order, which
    makes every matching equally likely (Molloy & Reed 1995; Newman, Strogatz & Watts
    2001). Self-loops and repeated ties are erased, so the realised degrees can fall
    below the drawn ones; the loss concentrates on the hubs and is small when
    ``max_degree`` is at most about ``sqrt(n * mean degree)``.

    Parameters
    ----------
    n : int
        Number of users (>= 2).
    exponent : float
        Power-law exponent, > 1 (real audiences mostly lie between 2 and 3).
    min_degree : int, default 1
        Smallest degree, ``1 <= min_degree <= n - 1``.
    max_degree : int, optional
        Largest degree, ``min_degree <= max_degree <= n - 1``. The default is
        ``n - 1``, the largest degree a simple graph allows; the law is then cut off
        only by the sample itself, whose largest degree grows like the natural cutoff
        ``min_degree * n**(1 / (exponent - 1))``. Pass ``int(math.sqrt(n))`` (the
        structural cutoff of Catanzaro, Boguñá & Pastor-Satorras 2005) for an audience
        that loses almost no ties to erasure and has no degree correlations.
    rng : int, numpy.random.SeedSequence, numpy.random.Generator or None, optional
        Indicator of random number generation state (see the module notes).

    Returns
    -------
    CSRGraph
        Undirected.

    Raises
    ------
    ValueError
        If ``min_degree == max_degree`` is odd and ``n`` is odd (no graph has an odd
        degree sum).

    Examples
    --------
    >>> from smmsim.generators import powerlaw
    >>> g = powerlaw(10_000, 2.5, min_degree=2, rng=42)
    >>> int(g.out_degree().min()) >= 0
    True

    References
    ----------
    .. [1] M. Molloy and B. Reed, "A critical point for random graphs with a given
       degree sequence", Random Structures & Algorithms 6, 161-180 (1995).
    .. [2] M. E. J. Newman, S. H. Strogatz and D. J. Watts, "Random graphs with
       arbitrary degree distributions and their applications", Physical Review E 64,
       026118 (2001).
    .. [3] M. Catanzaro, M. Boguñá and R. Pastor-Satorras, "Generation of uncorrelated
       random scale-free networks", Physical Review E 71, 027103 (2005).
    """
    from smmsim._kernels.generators import configuration_pairs

    n = _check_int("n", n, 2, _MAX_USERS)
    exponent = _check_real("exponent", exponent, 1.0, low_open=True)
    min_degree = _check_int("min_degree", min_degree, 1, n - 1)
    if max_degree is None:
        max_degree = n - 1
    max_degree = _check_int("max_degree", max_degree, min_degree, n - 1)
    if min_degree == max_degree and min_degree % 2 == 1 and n % 2 == 1:
        raise ValueError(
            f"min_degree == max_degree must be even when n is odd, got {min_degree} with n={n}"
        )
    seed = resolve_seed(rng)
    root = root_key(seed)
    degrees = _powerlaw_degrees(root, n, exponent, min_degree, max_degree)
    src, dst = configuration_pairs(root, degrees)
    return CSRGraph.from_edges(
        src,
        dst,
        n,
        directed=False,
        name=(
            f"powerlaw(n={n}, exponent={exponent!r}, min_degree={min_degree}, "
            f"max_degree={max_degree}, rng={seed})"
        ),
    )


def _powerlaw_degrees(
    root: np.uint64, n: int, exponent: float, min_degree: int, max_degree: int
) -> np.ndarray:
    """Degree sequence with an even sum drawn from the truncated discrete power law."""
    from smmsim._kernels.generators import powerlaw_degrees

    k = np.arange(min_degree, max_degree + 1, dtype=np.float64)
    cdf = np.cumsum(k**-exponent)
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return powerlaw_degrees(root, n, cdf, min_degree)


def watts_strogatz(n: int, mean_degree: int, rewire: float, *, rng: RandomLike = None) -> CSRGraph:
    """Small-world audience: a ring lattice with randomly rewired ties.

    Users sit on a ring and each is tied to the ``mean_degree / 2`` nearest users on
    either side. Each tie ``(u, u + j)`` then independently, with probability
    ``rewire``, keeps ``u`` and gets a new far end drawn uniformly from the other
    ``n - 1`` users (Watts & Strogatz 1998); rewired ties are located by geometric
    skipping. A rewired tie that repeats an existing one is erased, so the mean degree
    can fall slightly below ``mean_degree`` (by about ``rewire * mean_degree**2 / n``);
    self-loops cannot occur. Unlike ``networkx.watts_strogatz_graph``, a rewired end
    is not redrawn to avoid existing neighbours.

    Parameters
    ----------
    n : int
        Number of users (>= 1).
    mean_degree : int
        Even number of lattice neighbours, ``0 <= mean_degree < n``.
    rewire : float
        Probability of rewiring each tie, in ``[0, 1]``. 0 gives the ring lattice,
        whose clustering coefficient is ``3 (k - 2) / (4 (k - 1))``; 1 gives a random
        graph.
    rng : int, numpy.random.SeedSequence, numpy.random.Generator or None, optional
        Indicator of random number generation state (see the module notes).

    Returns
    -------
    CSRGraph
        Undirected, with at most ``n * mean_degree / 2`` ties.

    Raises
    ------
    ValueError
        If ``mean_degree`` is odd.

    Examples
    --------
    >>> from smmsim.generators import watts_strogatz
    >>> g = watts_strogatz(1000, 10, 0.0, rng=42)
    >>> g.n_edges
    5000

    References
    ----------
    .. [1] D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world'
       networks", Nature 393, 440-442 (1998).
    .. [2] A. Barrat and M. Weigt, "On the properties of small-world network models",
       European Physical Journal B 13, 547-560 (2000).
    """
    from smmsim._kernels.generators import watts_strogatz_edges

    n = _check_int("n", n, 1, _MAX_USERS)
    mean_degree = _check_int("mean_degree", mean_degree, 0, n - 1)
    if mean_degree % 2:
        raise ValueError(f"mean_degree must be even, got {mean_degree}")
    rewire = _check_real("rewire", rewire, 0.0, 1.0)
    seed = resolve_seed(rng)
    src, dst = watts_strogatz_edges(
        root_key(seed), n, mean_degree // 2, rewire > 0.0, _inv_log_q(rewire)
    )
    return CSRGraph.from_edges(
        src,
        dst,
        n,
        directed=False,
        name=f"watts_strogatz(n={n}, mean_degree={mean_degree}, rewire={rewire!r}, rng={seed})",
    )


def _segment_sizes(n: int, segments: int | Sequence[int] | Sequence[float]) -> np.ndarray:
    """Sizes of the segments (int64, all >= 1, summing to ``n``)."""
    if isinstance(segments, numbers.Integral) and not isinstance(segments, bool | np.bool_):
        count = _check_int("segments", segments, 1, n)
        sizes = np.full(count, n // count, dtype=np.int64)
        sizes[: n % count] += 1
        return sizes
    try:
        values = np.asarray(segments)
    except (TypeError, ValueError):
        values = np.empty(0, dtype=object)
    if values.ndim != 1 or values.size == 0 or values.dtype.kind not in "iuf":
        raise ValueError(
            "segments must be an int, a sequence of sizes or a sequence of fractions, "
            f"got {segments!r}"
        )
    if values.dtype.kind in "iu":
        sizes = values.astype(np.int64)
        if sizes.min() < 1 or int(sizes.sum()) != n:
            raise ValueError(
                f"segments must be positive integer sizes summing to n={n}, got {segments!r}"
            )
        return sizes
    fractions = values.astype(np.float64)
    if (
        not np.all(np.isfinite(fractions))
        or fractions.min() <= 0
        or abs(fractions.sum() - 1) > 1e-9
    ):
        raise ValueError(f"segments must be fractions > 0 summing to 1, got {segments!r}")
    # largest-remainder rounding; ties go to the earlier segment
    exact = fractions * n
    sizes = np.floor(exact).astype(np.int64)
    short = n - int(sizes.sum())
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:short]] += 1
    if sizes.min() < 1:
        raise ValueError(f"segments must give every segment at least one user, got {segments!r}")
    return sizes


def sbm(
    n: int,
    segments: int | Sequence[int] | Sequence[float],
    mean_degree: float,
    homophily: float,
    *,
    segment_names: Sequence[str] | None = None,
    rng: RandomLike = None,
) -> CSRGraph:
    """Audience of segments: a stochastic block model with homophily.

    Users fall into contiguous segments (segment 0 holds users ``0 .. n_0 - 1``, and
    so on). Two users of the same segment are tied with probability ``p_in``, two
    users of different segments with ``p_out`` (Holland, Laskey & Leinhardt 1983).
    With ``W = sum_b n_b (n_b - 1) / 2`` within-segment pairs,
    ``B = n (n - 1) / 2 - W`` cross-segment pairs and ``E = n * mean_degree / 2``
    expected ties, the probabilities are::

        p_in  = homophily * E / W
        p_out = (1 - homophily) * E / B

    so the expected number of ties is ``E`` (mean degree ``mean_degree``) and the
    expected fraction of ties that join two users of the same segment is
    ``homophily``. With equal segment sizes this is also each user's expected fraction
    of ties inside their own segment; with unequal sizes users of larger segments have
    a larger fraction, since ``p_in`` and ``p_out`` are shared by all segments. Every
    segment and pair of segments is generated by geometric skipping (Batagelj &
    Brandes 2005), in O(n + m) time overall.

    Parameters
    ----------
    n : int
        Number of users (>= 2).
    segments : int or sequence of int or sequence of float
        Number of segments of (nearly) equal size, the first ``n % segments`` one user
        larger; or each segment's size (positive ints summing to ``n``); or each
        segment's share of the audience (positive floats summing to 1, rounded to
        sizes by largest remainder).
    mean_degree : float
        Expected number of ties per user, >= 0.
    homophily : float
        Expected fraction of ties within a segment, in ``[0, 1]``. The share of pairs
        that lie within segments, ``W / (W + B)``, gives an audience that ignores
        segments; larger values cluster ties inside segments.
    segment_names : sequence of str, optional
        One distinct name per segment; default ``"segment-0"``, ``"segment-1"``, ...
    rng : int, numpy.random.SeedSequence, numpy.random.Generator or None, optional
        Indicator of random number generation state (see the module notes).

    Returns
    -------
    CSRGraph
        Undirected, with ``segments`` (int32 segment id per user) and
        ``segment_names`` set.

    Raises
    ------
    ValueError
        If ``p_in`` or ``p_out`` would exceed 1 (or be needed where there are no
        pairs, e.g. ``homophily < 1`` with a single segment).

    Examples
    --------
    >>> from smmsim.generators import sbm
    >>> g = sbm(1000, [600, 400], 10.0, 0.8, segment_names=["students", "parents"], rng=42)
    >>> g.segment_names
    ('students', 'parents')

    References
    ----------
    .. [1] P. W. Holland, K. B. Laskey and S. Leinhardt, "Stochastic blockmodels: First
       steps", Social Networks 5, 109-137 (1983).
    .. [2] V. Batagelj and U. Brandes, "Efficient generation of large random
       networks", Physical Review E 71, 036113 (2005).
    """
    from smmsim._kernels.generators import sbm_edges

    n = _check_int("n", n, 2, _MAX_USERS)
    sizes = _segment_sizes(n, segments)
    count = sizes.size
    if segment_names is None:
        names = tuple(f"segment-{i}" for i in range(count))
    else:
        if isinstance(segment_names, str):
            raise ValueError(f"segment_names must be a sequence of str, got {segment_names!r}")
        names = tuple(str(name) for name in segment_names)
        if len(names) != count or len(set(names)) != count:
            raise ValueError(
                f"segment_names must hold {count} distinct names, got {list(segment_names)!r}"
            )
    mean_degree = _check_real("mean_degree", mean_degree, 0.0, n - 1.0)
    homophily = _check_real("homophily", homophily, 0.0, 1.0)
    within = float((sizes * (sizes - 1) // 2).sum())
    across = n * (n - 1) / 2 - within
    expected = n * mean_degree / 2
    p_in = p_out = 0.0
    if homophily > 0 and expected > 0:
        if within == 0:
            raise ValueError("homophily must be 0 when every segment has a single user")
        p_in = homophily * expected / within
    if homophily < 1 and expected > 0:
        if across == 0:
            raise ValueError("homophily must be 1 when there is a single segment")
        p_out = (1 - homophily) * expected / across
    if p_in > 1 or p_out > 1:
        raise ValueError(
            f"mean_degree={mean_degree!r} with homophily={homophily!r} needs tie "
            f"probabilities p_in={p_in:.3g}, p_out={p_out:.3g}; both must be <= 1"
        )
    seed = resolve_seed(rng)
    src, dst = sbm_edges(
        root_key(seed),
        sizes,
        _inv_log_q(p_in),
        _inv_log_q(p_out),
        p_in > 0,
        p_out > 0,
        _capacity(expected),
    )
    return CSRGraph.from_edges(
        src,
        dst,
        n,
        directed=False,
        segments=np.repeat(np.arange(count, dtype=NODE), sizes),
        segment_names=names,
        name=(
            f"sbm(n={n}, segments={count}, mean_degree={mean_degree!r}, "
            f"homophily={homophily!r}, rng={seed})"
        ),
    )
