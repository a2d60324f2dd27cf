"""How much memory a scenario will need, estimated from its settings alone.

:func:`estimate_memory` adds up what a run keeps (the audience graph and what building
it takes, the model's per-user workspace, the per-run results and the per-step
series) using the resolved scenario only: no audience is built and no kernel is
loaded, so ``smmsim validate`` can refuse a scenario that ``smmsim run`` could not
execute, before either allocates anything. :func:`check_memory` compares the estimate
with a limit (:func:`default_memory_limit`, a fraction of the machine's memory, or
``--max-memory``) and raises :class:`~smmsim.scenario.ScenarioError` naming the
setting that dominates.

The figures are upper estimates in the sense that matters for a refusal: series are
counted as if every run lasted to the horizon, and an edge list's ties as if every
line were a tie. They are not exact; they are meant to tell "fits" from "cannot fit"
by a wide margin.
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from smmsim._kernels.layout import N_SEGMENT_COLUMNS
from smmsim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from smmsim.scenario import Scenario

__all__ = [
    "MemoryEstimate",
    "check_memory",
    "default_memory_limit",
    "estimate_memory",
    "format_bytes",
    "parse_memory",
]

#: Share of the machine's memory (or of the container's limit) a run may plan to use.
DEFAULT_FRACTION = 0.8

# Bytes per stored arc (one direction of a tie): an int32 neighbour id, plus the
# int64 endpoint pairs, their sorted copy and counters while the graph is built.
_ARC_BYTES = 4
_ARC_BUILD_BYTES = 16
_WEIGHT_BYTES = 8
# Bytes per user: CSR offsets, degree arrays and the model's state words, per thread.
_USER_BYTES = 32
_USER_THREAD_BYTES = 16
# Per user, post of a content calendar and thread: the user's word for the post and room
# for a sharer record (user, parent, post, scratch).
_USER_POST_THREAD_BYTES = 17
# Per run: counts, virality, seeds, prices and summary columns (about 1 KB measured).
_RUN_BYTES = 1024
# Per run and audience segment: the ledger's int64 per-segment tallies, and as much again
# for the per-run-per-segment table built from them.
_SEGMENT_RUN_BYTES = 2 * 8 * N_SEGMENT_COLUMNS
# Per run and step: the five int64 series columns.
_STEP_BYTES = 5 * 8
# Per line of an edge-list file: the bytes read plus the parsed endpoint pair.
_LINE_BYTES = 16


@dataclass(frozen=True)
class MemoryEstimate:
    """The memory a scenario will need, by part, in bytes.

    Attributes
    ----------
    parts : dict of str to int
        ``"audience"``, ``"workspace"``, ``"runs"`` and ``"series"``.
    users : int
        Number of users (for an edge list, at most twice its lines).
    ties : float
        Expected number of ties (for an edge list, at most its lines).
    """

    parts: dict[str, int] = field(default_factory=dict)
    users: int = 0
    ties: float = 0.0

    @property
    def total(self) -> int:
        """Sum of the parts, in bytes."""
        return sum(self.parts.values())

    def largest(self) -> str:
        """Name of the largest part."""
        return max(self.parts, key=lambda k: self.parts[k])

    def describe(self, parts: int | None = None) -> str:
        """``"audience 1.2 GiB, runs 3.4 MiB, ..."``, largest first (the first
        ``parts`` of them if given)."""
        order = sorted(self.parts, key=lambda k: -self.parts[k])[:parts]
        return ", ".join(f"{k} {format_bytes(self.parts[k])}" for k in order)


def format_bytes(n: float) -> str:
    """``1536`` -> ``"1.5 KiB"``; powers of 1024."""
    n = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:,.0f} bytes" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}


def parse_memory(text: str) -> int:
    """Bytes in ``"8G"``, ``"512MiB"``, ``"1.5GB"`` or ``"1000000"``.

    Units K, M, G, T and P are powers of 1024, with or without ``i`` and ``B``.

    Raises
    ------
    ValueError
        If the text is not such a size or is zero.

    Examples
    --------
    >>> parse_memory("2G")
    2147483648
    >>> parse_memory("512 MiB")
    536870912
    """
    match = _SIZE.match(str(text)) if len(str(text)) <= 40 else None
    if not match or (match.group(3) and match.group(3).lower() == "i"):
        raise ValueError(
            f"expected a size such as 8G, 512MiB or 2000000000 (bytes), got {str(text)[:40]!r}"
        )
    value = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if not math.isfinite(value) or value < 1:
        raise ValueError(f"must be at least 1 byte, got {str(text)[:40]!r}")
    return int(value)


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except (OSError, ValueError):
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    return None


def machine_memory() -> int | None:
    """Physical memory, or the container's limit if smaller; ``None`` if unknown."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        physical = None
    limits = [x for x in (physical, _cgroup_limit()) if x]
    return min(limits) if limits else None


def default_memory_limit() -> int:
    """:data:`DEFAULT_FRACTION` of :func:`machine_memory` (8 GiB if unknown)."""
    total = machine_memory()
    return int(DEFAULT_FRACTION * total) if total else 8 * 2**30


def _powerlaw_mean_degree(exponent: float, k_min: int, k_max: int) -> float:
    """Mean of ``P(k) ~ k**-exponent`` on ``k_min..k_max``, without a loop over k_max.

    The first terms are summed exactly, the tail by the Euler-Maclaurin formula
    (integral plus half the end terms), which is accurate to far better than the
    precision a memory estimate needs.
    """
    head_end = min(k_max, k_min + 10_000)
    num = math.fsum(k ** (1.0 - exponent) for k in range(k_min, head_end + 1))
    den = math.fsum(k ** (-exponent) for k in range(k_min, head_end + 1))
    if k_max > head_end:
        a, b = head_end, k_max  # tail over (a, b]: integral from a to b minus f(a)/2 + f(b)/2

        def tail(p: float) -> float:  # sum over (a, b] of k**-p
            integral = math.log(b / a) if p == 1.0 else (b ** (1 - p) - a ** (1 - p)) / (1 - p)
            return integral - a ** (-p) / 2 + b ** (-p) / 2

        num += tail(exponent - 1.0)
        den += tail(exponent)
    return num / den


def _generated_ties(audience: dict) -> tuple[int, float, str]:
    """``(users, expected arcs, dominant key)`` of a generated audience."""
    gen, n = audience["generator"], int(audience["n"])
    if gen == "barabasi_albert":
        return n, 2.0 * audience["m"] * n, "audience.m"
    if gen == "powerlaw":
        k_max = audience.get("max_degree") or n - 1
        mean = _powerlaw_mean_degree(audience["exponent"], audience["min_degree"], k_max)
        return n, mean * n, "audience.exponent"
    return n, float(audience["mean_degree"]) * n, "audience.mean_degree"


def _edgelist_lines(path: Path, stop_after: int) -> int:
    """Lines of the file, counted in chunks (stops counting once past ``stop_after``);
    remembered while the file keeps its size and modification time."""
    try:
        info = path.stat()
    except OSError:
        return 0
    return _count_lines(str(path), info.st_size, info.st_mtime_ns, stop_after)


@functools.lru_cache(maxsize=16)
def _count_lines(path: str, size: int, mtime_ns: int, stop_after: int) -> int:
    lines = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                lines += chunk.count(b"\n")
                if lines > stop_after:
                    break
    except OSError:
        return 0
    return lines + 1


def _segments(audience: dict) -> int:
    """Segments of a generated audience that declares them (0 when it does not say)."""
    seg = audience.get("segments") if audience.get("generator") == "sbm" else None
    if isinstance(seg, int):
        return seg
    return len(seg) if isinstance(seg, list | tuple) else 0


def estimate_memory(
    scenario: Scenario, runs: int | None = None, threads: int | None = None
) -> MemoryEstimate:
    """Bytes a scenario will need, by part, from its settings alone.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    runs : int, optional
        Monte Carlo runs (default: ``simulation.runs``).
    threads : int, optional
        Worker threads (default: the machine's cores).

    Returns
    -------
    MemoryEstimate

    Examples
    --------
    >>> from smmsim.scenario import default_scenario
    >>> estimate_memory(default_scenario()).total < 2**30
    True
    """
    a = scenario.data["audience"]
    sim = scenario.data["simulation"]
    runs = int(sim["runs"] if runs is None else runs)
    threads = int(threads or os.cpu_count() or 1)
    posts = len(scenario.data.get("posts") or [])
    weighted = False
    if a["generator"] == "edgelist":
        path = scenario.audience_path()
        size = path.stat().st_size if path is not None and path.exists() else 0
        lines = _edgelist_lines(path, stop_after=2**40) if size else 0
        users, arcs = 2 * lines, 2.0 * lines
        weighted = a.get("weighted") is not False
        reading = size + lines * (_LINE_BYTES + (_WEIGHT_BYTES if weighted else 0))
    else:
        users, arcs, _ = _generated_ties(a)
        reading = 0
    arc = _ARC_BYTES + _ARC_BUILD_BYTES + (_WEIGHT_BYTES if weighted else 0)
    parts = {
        "audience": int(reading + arcs * arc + users * _USER_BYTES),
        "workspace": int(users * (_USER_THREAD_BYTES + _USER_POST_THREAD_BYTES * posts) * threads),
        "runs": int(runs * (_RUN_BYTES + _segments(a) * _SEGMENT_RUN_BYTES)),
        "series": int(runs * int(sim["steps"]) * _STEP_BYTES),
    }
    return MemoryEstimate(parts=parts, users=users, ties=arcs / 2)


_ADVICE = {
    "audience": "a smaller audience",
    "workspace": "a smaller audience or fewer --threads",
    "runs": "fewer simulation.runs",
    "series": "fewer simulation.runs or simulation.steps",
}
_KEY = {"runs": "simulation.runs"}
#: Horizon above which long series, not many runs, are blamed for their size.
_LONG_HORIZON = 10_000


def _audience_key(audience: dict, estimate: MemoryEstimate) -> str:
    """The audience setting to blame: the file, the degree when ties are dense, or n."""
    if audience["generator"] == "edgelist":
        return "audience.path"
    users, arcs, degree_key = _generated_ties(audience)
    return degree_key if arcs > _DENSE_DEGREE * users else "audience.n"


#: Mean degree above which the ties, not the users, are blamed for a large audience.
_DENSE_DEGREE = 100


def check_memory(
    scenario: Scenario,
    runs: int | None = None,
    limit: int | None = None,
    threads: int | None = None,
) -> MemoryEstimate:
    """The estimate of :func:`estimate_memory`, or an error if it exceeds ``limit``.

    Parameters
    ----------
    scenario, runs, threads
        What to estimate, as in :func:`estimate_memory`.
    limit : int, optional
        Bytes allowed (default: :func:`default_memory_limit`).

    Returns
    -------
    MemoryEstimate

    Raises
    ------
    ScenarioError
        ``"<file>: <key>: needs about 45.0 GiB (audience 44.7 GiB, ...), more than the
        limit of 18.4 GiB; ..."``.
    """
    estimate = estimate_memory(scenario, runs=runs, threads=threads)
    limit = default_memory_limit() if limit is None else int(limit)
    if estimate.total > limit:
        part = estimate.largest()
        key = _KEY.get(part)
        if part == "series":
            steps = int(scenario.data["simulation"]["steps"])
            key = "simulation.steps" if steps > _LONG_HORIZON else "simulation.runs"
        elif key is None:
            key = _audience_key(scenario.data["audience"], estimate)
        raise ScenarioError(
            scenario.source,
            key,
            f"needs about {format_bytes(estimate.total)} of memory ({estimate.describe(2)}), "
            f"more than the limit of {format_bytes(limit)}; use {_ADVICE[part]} "
            f"or raise --max-memory",
        )
    return estimate
