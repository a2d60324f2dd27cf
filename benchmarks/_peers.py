"""Helpers for the benchmarks: peer tools driven on smmsim's graphs, a plain BFS, timing.

Every peer gets exactly the graph and the seed users that smmsim gets:

* CyNetDiff (``cynetdiff.models.IndependentCascadeModel``) reads the CSR arrays as
  ``array.array('I')`` (``starts`` = ``indptr[:-1]``, ``edges`` = ``indices``);
* EoN (``EoN.basic_discrete_SIR``) runs on the networkx form of the same CSR graph;
* :func:`bfs_reached` is a plain numba breadth-first search over the same arrays, the
  memory-bound limit of any cascade that visits the same users.

Activated users are counted the same way everywhere: seeds included (smmsim's
``shares`` with ``pending_shares == 0``, CyNetDiff's ``get_num_activated_nodes()``,
EoN's final ``R + I``).
"""

from __future__ import annotations

import array
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np

# --------------------------------------------------------------------------- timing


def loadavg() -> float:
    """One-minute load average (``nan`` where the OS does not say)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def wait_for_quiet(limit: float = 1.0, max_wait: float = 0.0, poll: float = 5.0) -> float:
    """Wait up to ``max_wait`` seconds for the load average to fall below ``limit``.

    Returns the load average when measuring starts.
    """
    deadline = time.monotonic() + max_wait
    load = loadavg()
    while load >= limit and time.monotonic() < deadline:
        time.sleep(poll)
        load = loadavg()
    return load


def machine() -> str:
    """CPU model and core count, for the report header."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def timed(fn: Callable, *args, **kwargs):
    """``(result, wall seconds)`` of one call."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def timed_cpu(fn: Callable, *args, **kwargs):
    """``(result, wall seconds, process CPU seconds)`` of one call.

    For single-threaded code the CPU time is what the call would take on an idle core:
    on a busy machine it is not inflated by the time slices that other processes take.
    """
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall0, time.process_time() - cpu0


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if len(xs) else float("nan")


@dataclass
class Sample:
    """Activated-user counts of independent runs, pooled over repeats."""

    values: list[float] = field(default_factory=list)

    def extend(self, xs) -> None:
        self.values.extend(float(x) for x in np.asarray(xs).ravel())

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if self.values else float("nan")

    @property
    def sem(self) -> float:
        if self.n < 2:
            return float("nan")
        return float(np.std(self.values, ddof=1) / math.sqrt(self.n))

    def z_against(self, other: Sample) -> float:
        """Difference of the means in units of its standard error."""
        se = math.hypot(self.sem, other.sem)
        return (self.mean - other.mean) / se if se > 0 else float("nan")


# --------------------------------------------------------------------------- CyNetDiff


def cynetdiff_arrays(indptr: np.ndarray, indices: np.ndarray) -> tuple[array.array, array.array]:
    """CSR arrays in CyNetDiff's input form: ``starts`` (one per node) and ``edges``."""
    starts = array.array("I")
    starts.frombytes(np.ascontiguousarray(indptr[:-1], dtype=np.uint32).tobytes())
    edges = array.array("I")
    edges.frombytes(np.ascontiguousarray(indices, dtype=np.uint32).tobytes())
    return starts, edges


class CyNetDiffIC:
    """CyNetDiff's independent cascade with fixed seeds, run the documented way."""

    def __init__(self, starts, edges, p: float, seeds: Sequence[int], rng: int):
        from cynetdiff.models import IndependentCascadeModel

        self.model = IndependentCascadeModel(starts, edges, activation_prob=p, rng=rng)
        self.model.set_seeds([int(s) for s in seeds])

    def run(self, runs: int) -> np.ndarray:
        """Activated users (seeds included) of ``runs`` independent cascades."""
        m = self.model
        out = np.empty(runs, dtype=np.int64)
        for r in range(runs):
            m.reset_model()
            m.advance_until_completion()
            out[r] = m.get_num_activated_nodes()
        return out

    def run_timed(self, runs: int) -> tuple[np.ndarray, np.ndarray]:
        """Activated users and wall seconds of each of ``runs`` cascades."""
        m = self.model
        out = np.empty(runs, dtype=np.int64)
        secs = np.empty(runs)
        clock = time.perf_counter
        for r in range(runs):
            start = clock()
            m.reset_model()
            m.advance_until_completion()
            out[r] = m.get_num_activated_nodes()
            secs[r] = clock() - start
        return out, secs


# --------------------------------------------------------------------------- EoN


def eon_final_size(G, p: float, seeds: Sequence[int], rng: np.random.Generator) -> int:
    """Users ever infected (final ``R + I``) in one ``EoN.basic_discrete_SIR`` run."""
    import EoN

    _t, _S, infected, recovered = EoN.basic_discrete_SIR(
        G, p, initial_infecteds=list(seeds), rng=rng
    )
    return int(recovered[-1] + infected[-1])


def eon_runs(
    G,
    p: float,
    seeds: Sequence[int],
    rng: np.random.Generator,
    *,
    min_runs: int,
    max_runs: int,
    budget_s: float,
    large: int,
    min_large: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Run EoN until ``min_runs`` (and ``min_large`` large outbreaks) or the time budget.

    Returns activated users and wall seconds of each run.
    """
    sizes, secs = [], []
    spent = 0.0
    while len(sizes) < max_runs:
        enough = len(sizes) >= min_runs and sum(s >= large for s in sizes) >= min_large
        if enough or (spent >= budget_s and len(sizes) >= 1):
            break
        size, dt = timed(eon_final_size, G, p, seeds, rng)
        sizes.append(size)
        secs.append(dt)
        spent += dt
    return np.asarray(sizes, dtype=np.int64), np.asarray(secs)


def stratified_seconds_per_run(
    sizes: np.ndarray, secs: np.ndarray, large: int, p_large: float
) -> float:
    """Mean seconds per run, weighting large and small outbreaks by ``p_large``.

    With few runs of a tool whose outbreaks are either small or large, the plain mean
    time depends mostly on how many large outbreaks the sample happened to hold; the
    probability of a large one is known far better from the fast tools' many runs.
    """
    is_large = sizes >= large
    if is_large.all() or not is_large.any():
        return float(secs.mean())
    return float(p_large * secs[is_large].mean() + (1 - p_large) * secs[~is_large].mean())


# --------------------------------------------------------------------------- BFS


@numba.njit(cache=True, nogil=True)
def bfs_reached(indptr, indices, source):
    """Users reachable from ``source``: a plain breadth-first search over every tie.

    Each reached user's row of ``indices`` is read once and every follower is checked,
    so this is the memory traffic any cascade over the same users must at least pay for
    the rows, with none of the random draws.
    """
    n = indptr.shape[0] - 1
    seen = np.zeros(n, dtype=np.uint8)
    queue = np.empty(n, dtype=np.int32)
    queue[0] = source
    seen[source] = 1
    tail = 1
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            if seen[v] == 0:
                seen[v] = 1
                queue[tail] = v
                tail += 1
    return tail


# --------------------------------------------------------------------------- table


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width text table (first column left-aligned, the rest right)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r):
        parts = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        return "  ".join(parts)

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def fmt_rate(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def fmt_ratio(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:,.0f}x" if x >= 100 else f"{x:.2f}x"
