"""One ensemble driver for every kernel: deal replicates to workers, collect the ledger.

A kernel module provides three things, and nothing about threads or outputs:

* ``new_work(n, record)``: a worker's workspace for an audience of ``n`` users (a tuple
  of arrays; with ``record``, room for a trace's per-user record);
* ``run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger,
  segment_of)`` (compiled, releasing the GIL): simulate the replicates listed in
  ``reps`` in order, recording through :mod:`smmsim._kernels.ledger`, their step rows
  packed from row ``ev_pos``; ``args`` is the kernel's own tuple of audience arrays and
  parameters;
* ``traced(work, n_shared)``: after a recorded one-replicate run, the per-user record
  ``(nodes, flags, referrer, first_step, order, parent)``.

Replicates are cut into consecutive blocks (about :data:`BLOCKS_PER_WORKER` a worker, of
at least :data:`RUN_BLOCK` replicates), and each worker, a thread with a workspace of its
own, takes the next block not yet taken until none is left: a worker slowed by other work
on its CPU takes fewer. For the length of a call, each worker is held on a CPU of its own
(see :func:`on_cpus`). A replicate draws only from the streams keyed by its own number,
and writes its step rows from a row fixed by its number, so the result does not depend
on the worker count or on which worker ran which block.
Workspaces are kept between calls (mapping and zeroing megabytes of fresh memory on a
large audience can cost more than simulating a batch of small cascades); a kernel's
state words carry replicate stamps, so a kept workspace needs no clearing.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from smmsim._kernels.layout import (
    C_PENDING,
    C_SHARES,
    N_COUNTS,
    N_SEGMENT_COLUMNS,
    N_SERIES,
    R_DEPTH,
    R_EV_START,
    R_SEGMENTS,
    R_USED,
)

__all__ = [
    "RUN_BLOCK",
    "Ledger",
    "blocks",
    "ensemble",
    "in_threads",
    "new_ledger",
    "on_cpus",
    "trace",
]

#: Fewest consecutive replicates in a block (unless there are too few to go round): two
#: threads rarely write to the same cache lines of the outputs.
RUN_BLOCK = 64
#: Blocks a worker takes on average when several share an ensemble: enough that the
#: workers finish together when one of them is slowed.
BLOCKS_PER_WORKER = 8
#: Workspaces kept per kernel and audience size, at most this many bytes in all.
KEEP_BYTES = 256 * 2**20


@dataclass
class Ledger:
    """A batch's outputs (see :mod:`smmsim._kernels.ledger` for the layout)."""

    runs: np.ndarray
    virality: np.ndarray
    events: np.ndarray
    tallies: np.ndarray
    n_segments: int = 0
    #: The run table, virality and tallies still hold an earlier ensemble's values, to
    #: be cleared replicate by replicate before they are filled (see :func:`ensemble`).
    stale: bool = False

    def clear(self, first: int, stop: int) -> None:
        """Zero replicates ``first .. stop - 1`` of the run table, virality and tallies."""
        self.runs[first:stop] = 0
        self.virality[first:stop] = 0.0
        self.tallies[first:stop] = 0

    def as_tuple(self) -> tuple:
        """The outputs as a kernel receives them."""
        return (self.runs, self.virality, self.events, self.tallies)

    @property
    def counts(self) -> np.ndarray:
        """Each replicate's totals, by :data:`~smmsim._kernels.layout.COUNT_COLUMNS`."""
        return self.runs[:, :N_COUNTS]

    @property
    def profile(self) -> np.ndarray:
        """Each replicate's cascade depth, peak step and step rows written."""
        return self.runs[:, R_DEPTH : R_USED + 1]

    @property
    def used(self) -> np.ndarray:
        """Step rows each replicate wrote."""
        return self.runs[:, R_USED]

    @property
    def ev_start(self) -> np.ndarray:
        """Each replicate's first row of the events."""
        return self.runs[:, R_EV_START]

    @property
    def segment_counts(self) -> np.ndarray:
        """Per-segment tallies, ``(replicates, segments, N_SEGMENT_COLUMNS)``: a view of
        the run table, each (segment, tally) contiguous over the replicates (nothing is
        copied: a small-cascade ensemble leaves most of these columns unwritten)."""
        n = self.runs.shape[0]
        return self.runs[:, R_SEGMENTS:].reshape(n, self.n_segments, N_SEGMENT_COLUMNS)


def workspace(
    n: int, record: bool, state: type, scratch: tuple = (), recorded: tuple = ()
) -> tuple:
    """A worker's workspace for ``n`` users, laid out as every kernel's is: the users'
    state words (``state`` dtype, zeroed), the replicate stamp, one array per entry of
    ``scratch`` (a dtype; ``(dtype, k)`` for ``k`` values a user in one flat array;
    ``(dtype, (k,))`` for an ``(n, k)`` array), then
    one array per dtype of ``recorded``, of ``n`` entries with ``record`` and empty
    otherwise (a trace's per-user record). Scratch is left unmapped (``np.empty``):
    only what a replicate touches is ever paid for."""
    n = int(n)
    out = [np.zeros(n, dtype=state), np.zeros(1, dtype=np.int64)]
    for spec in scratch:
        dtype, per_user = spec if isinstance(spec, tuple) else (spec, 1)
        shape = (n, *per_user) if isinstance(per_user, tuple) else (n * per_user,)
        out.append(np.empty(shape, dtype=dtype))
    m = n if record else 0
    out += [np.empty(m, dtype=dtype) for dtype in recorded]
    return tuple(out)


def new_ledger(n_reps: int, steps: int, n_segments: int = 0, n_tallies: int = 0) -> Ledger:
    """Outputs for ``n_reps`` replicates of at most ``steps`` steps, with ``n_tallies`` of
    the kernel's own tallies a replicate (a model's own record, such as
    :mod:`smmsim._kernels.compete`'s): zeroed, but for the run table, virality and
    tallies of a reused set (``stale``), which :func:`ensemble` clears as it fills them.

    The events have room for every replicate to run every step, but only the pages of
    the rows written are ever touched: numpy's zeroed memory is handed over lazily by
    the operating system. Mapping fresh pages is itself costly (on a virtual machine,
    more than simulating a batch of small cascades), so the outputs of an earlier call
    of the same shape are cleared and handed out again once nothing else holds them
    (see :class:`_Ledgers`).
    """
    n_segments = max(int(n_segments), 0)
    shape = (int(n_reps), max(int(steps), 1), n_segments, max(int(n_tallies), 0))
    small = shape[0] * (R_SEGMENTS + n_segments * N_SEGMENT_COLUMNS) * 8 < _Ledgers.MIN_BYTES
    owners, stale = (_Ledgers.allocate(shape), False) if small else _LEDGERS.take(shape)
    return Ledger(
        # column-major, so each metric is one contiguous column for the summaries
        runs=owners[0].T,
        virality=owners[1],
        events=owners[2],
        tallies=owners[3],
        n_segments=n_segments,
        stale=stale,
    )


class _Ledgers:
    """Outputs kept for the next ensemble of the same shape.

    The arrays are kept here alone; a :class:`Ledger` and whatever is made from it
    (results, tables) holds views of them, so an array referenced from nowhere else is
    free. A free set is handed out again with the events' rows its run table says were
    written cleared; its run table, virality and tallies are cleared by the workers that
    fill them again (:attr:`Ledger.stale`). At most :data:`KEEP` sets
    of one shape (the latest) are kept, each of at most :data:`KEEP_BYTES` of run table,
    tallies and written events.
    """

    KEEP = 4
    KEEP_BYTES = 32 * 2**20
    #: Run tables smaller than this are allocated afresh and not kept (a trace's, say).
    MIN_BYTES = 2**20

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shape: tuple | None = None
        self._kept: list[tuple[np.ndarray, ...]] = []

    @staticmethod
    def allocate(shape: tuple) -> tuple[np.ndarray, ...]:
        """Fresh zeroed arrays of ``shape`` (see :meth:`take`)."""
        n_reps, rows, n_segments, n_tallies = shape
        columns = R_SEGMENTS + n_segments * N_SEGMENT_COLUMNS
        return (
            np.zeros((columns, n_reps), dtype=np.int64),
            np.zeros(n_reps, dtype=np.float64),
            np.zeros((n_reps * rows, N_SERIES), dtype=np.int64),
            np.zeros((n_reps, n_tallies), dtype=np.int64),
        )

    def take(self, shape: tuple) -> tuple[tuple[np.ndarray, ...], bool]:
        """Arrays ``(runs.T, virality, events, tallies)`` of ``shape`` ``(replicates, step
        rows each, segments, tallies each)``, and whether the run table, virality and
        tallies still hold an earlier ensemble's values (the events are zeroed)."""
        with self._lock:
            if shape != self._shape:
                self._shape, self._kept = shape, []
            for i, owners in enumerate(self._kept):
                # referenced only by this list, the loop's name and getrefcount's argument
                if all(sys.getrefcount(a) <= 3 for a in owners):
                    del self._kept[i]
                    break
            else:
                owners = None
        if owners is not None and not _cleared(owners, self.KEEP_BYTES):
            owners = None
        stale = owners is not None
        if owners is None:
            owners = self.allocate(shape)
        size = owners[0].nbytes + owners[3].nbytes
        with self._lock:
            if shape == self._shape and size <= self.KEEP_BYTES:
                self._kept = [*self._kept, owners][-self.KEEP :]
        return owners, stale


def _cleared(owners: tuple[np.ndarray, ...], limit: int) -> bool:
    """Clear the events of a used set of outputs for reuse (the run table, virality and
    tallies are cleared block by block by the workers that fill them again, see
    :func:`ensemble`); ``False`` (and nothing cleared) when the events written hold more
    than ``limit`` bytes (better handed back to the system)."""
    from smmsim._kernels.ledger import clear_rows

    runs, _, events, _ = owners
    written = int(runs[R_USED].sum()) * events.shape[1] * events.itemsize
    if written > limit:
        return False
    clear_rows(events, runs[R_EV_START], runs[R_USED])
    return True


_LEDGERS = _Ledgers()


def blocks(n_reps: int, n_workers: int) -> list[np.ndarray]:
    """The replicates ``0 .. n_reps - 1`` in consecutive blocks for ``n_workers``: one
    block for one worker; else about :data:`BLOCKS_PER_WORKER` blocks a worker, of at
    least :data:`RUN_BLOCK` replicates (fewer when there are too few to keep every worker
    busy: a few long replicates, such as continuous-time ones)."""
    n_workers = max(1, min(int(n_workers), n_reps))
    if n_workers == 1:
        return [np.arange(n_reps, dtype=np.int64)]
    size = max(
        min(RUN_BLOCK, -(-n_reps // n_workers)), -(-n_reps // (n_workers * BLOCKS_PER_WORKER))
    )
    return [np.arange(b, min(b + size, n_reps), dtype=np.int64) for b in range(0, n_reps, size)]


class _Workspaces:
    """Workspaces kept between calls, per kernel and audience size; a workspace is
    lent to one worker at a time, so concurrent ensembles never share one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: dict[tuple[str, int], list[tuple]] = {}

    def take(self, kernel: ModuleType, n: int, count: int) -> list[tuple]:
        key = (kernel.__name__, int(n))
        with self._lock:
            free = self._free.get(key, [])
            got = [free.pop() for _ in range(min(count, len(free)))]
        got += [kernel.new_work(n, False) for _ in range(count - len(got))]
        return got

    def give(self, kernel: ModuleType, n: int, works: list[tuple]) -> None:
        key = (kernel.__name__, int(n))
        size = sum(a.nbytes for w in works for a in w if isinstance(a, np.ndarray))
        with self._lock:
            # only the latest audience is kept
            self._free = {k: v for k, v in self._free.items() if k == key}
            kept = self._free.setdefault(key, [])
            total = sum(a.nbytes for w in kept for a in w if isinstance(a, np.ndarray))
            if total + size <= KEEP_BYTES:
                kept.extend(works)


_WORKSPACES = _Workspaces()


def ensemble(
    kernel: ModuleType,
    args: tuple,
    seed_sets: np.ndarray,
    root: np.uint64,
    first_replicate: int,
    n_reps: int,
    steps: int,
    n_workers: int,
    n_users: int,
    segment_of: np.ndarray | None = None,
    n_segments: int = 0,
    n_tallies: int = 0,
) -> Ledger:
    """Run replicates ``first_replicate .. first_replicate + n_reps - 1`` of ``kernel``.

    ``seed_sets`` has one row per replicate, or one row shared by all. ``segment_of``
    gives each user's segment id (``None``: no per-segment tallies). ``n_tallies``: the
    kernel's own tallies a replicate.
    """
    ledger = new_ledger(n_reps, steps, n_segments if segment_of is not None else 0, n_tallies)
    plan = blocks(n_reps, n_workers)
    n_workers = min(max(int(n_workers), 1), len(plan))
    works = _WORKSPACES.take(kernel, n_users, n_workers)
    seg = np.empty(0, np.int32) if segment_of is None else segment_of
    seeds = np.ascontiguousarray(seed_sets, dtype=np.int64)
    out = ledger.as_tuple()
    rows = max(int(steps), 1)
    # one iterator shared by the workers: taking its next block is atomic
    untaken = iter(plan)

    def work(i: int) -> None:
        for reps in untaken:
            if ledger.stale:
                # each worker clears the replicates it is about to fill: in parallel,
                # and while their lines are still on their way in
                ledger.clear(int(reps[0]), int(reps[-1]) + 1)
            kernel.run_reps(
                args, seeds, np.uint64(root), int(first_replicate), reps, int(reps[0]) * rows,
                int(steps), works[i], out, seg,
            )  # fmt: skip

    in_threads(work, n_workers)
    ledger.stale = False
    _WORKSPACES.give(kernel, n_users, works)
    return ledger


def in_threads(work, count: int) -> None:
    """``work(0 .. count - 1)``, each on its own thread (daemon threads: an interrupted
    caller's process can exit without waiting for them; with one, on the calling thread);
    the first error is raised."""
    if count <= 1:
        work(0)
        return
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # handed to the caller
            errors.append(exc)

    cpus = cpu_plan(count)

    def placed(i: int) -> None:
        with on_cpus(cpus, i):
            body(i)

    threads = [threading.Thread(target=placed, args=(i,), daemon=True) for i in range(1, count)]
    for t in threads:
        t.start()
    placed(0)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def cpu_plan(count: int) -> list[int] | None:
    """A CPU for each of ``count`` workers, or ``None`` to leave them to the scheduler.

    The calling thread keeps the CPU it runs on, and the others take the next CPUs this
    process may run on. A new thread otherwise starts on its creator's CPU and, in a call
    of a few tens of milliseconds, may share it for most of the call. ``None`` when
    there are fewer CPUs than workers or the system cannot tell (not Linux)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
        with open("/proc/thread-self/stat", "rb") as f:
            # the CPU last run on is field 39; the command name (field 2) may hold spaces
            here = int(f.read().rsplit(b")", 1)[1].split()[36])
    except (AttributeError, OSError, ValueError, IndexError):
        return None
    if count > len(allowed) or here not in allowed:
        return None
    start = allowed.index(here)
    return [allowed[(start + i) % len(allowed)] for i in range(count)]


@contextmanager
def on_cpus(cpus: list[int] | None, i: int):
    """Hold the calling thread on ``cpus[i]`` for the ``with`` block, then give it back
    the CPUs it had (nothing with ``cpus`` ``None``)."""
    if cpus is None:
        yield
        return
    try:
        before = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {cpus[i]})
    except OSError:
        yield
        return
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def trace(
    kernel: ModuleType,
    args: tuple,
    seeds: np.ndarray,
    root: np.uint64,
    replicate: int,
    steps: int,
    n_users: int,
    n_tallies: int = 0,
    segment_of: np.ndarray | None = None,
) -> tuple[Ledger, tuple]:
    """Run replicate ``replicate`` alone, recording who was reached by whom and when.

    ``segment_of`` gives each user's segment id to a kernel whose ``args`` hold
    per-segment parameters (no per-segment tallies are kept). Returns its ledger and
    ``kernel.traced``'s per-user record.
    """
    ledger = new_ledger(1, steps, 0, n_tallies)
    work = kernel.new_work(n_users, True)
    seed_sets = np.ascontiguousarray(seeds, dtype=np.int64).reshape(1, -1)
    kernel.run_reps(
        args, seed_sets, np.uint64(root), int(replicate), np.zeros(1, np.int64), 0,
        int(steps), work, ledger.as_tuple(),
        np.empty(0, np.int32) if segment_of is None else segment_of,
    )  # fmt: skip
    n_shared = int(ledger.counts[0, C_SHARES] + ledger.counts[0, C_PENDING])
    return ledger, kernel.traced(work, n_shared)
