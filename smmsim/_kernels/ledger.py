"""The event ledger every cascade kernel records into.

A kernel supplies a replicate's dynamics (who sees, engages, shares, converts, when);
this module owns what is recorded about it. Each event is one call (an impression,
a first exposure, an engagement, a conversion, shares made at a step), which adds it
to the replicate's running totals (the count table), to the row of its step (the
per-step series) and to the replicate's per-segment tallies. A breakdown written here
appears for every model; no kernel counts anything on its own.

It also owns the user-state flag bits every kernel stores beside its replicate stamp,
and the column layouts of the outputs.

Layout
------
``ledger`` (outputs of a batch, from :func:`smmsim._kernels.driver.new_ledger`) is the
tuple ``(counts, virality, events, ev_start, profile, segment_counts)``:

* ``counts`` ``(R, N_COUNTS)`` int64: the totals of each replicate (:data:`COUNT_COLUMNS`);
* ``virality`` ``(R,)`` float64: structural virality of the replicate's sharer tree;
* ``events`` ``(rows, N_SERIES)`` int64: the per-step series, packed: replicate ``r``'s
  step ``t`` is row ``ev_start[r] + t`` for ``t < profile[r, 2]``; later steps had no
  events;
* ``ev_start`` ``(R,)`` int64; ``profile`` ``(R, 3)`` int64: cascade depth (last step with
  new sharers), peak step, and ``used``, the number of step rows the replicate wrote;
* ``segment_counts`` ``(R, n_segments, N_SEGMENT_COLUMNS)`` int64: per-segment tallies
  (:data:`SEGMENT_COLUMNS`), empty when the audience has no segments.

``books`` (one worker's view of the replicate it is running, from :func:`new_books` and
:func:`open_run`) is ``(tally, events, segment_of, segment_tally, first_row, step)``:
the running totals, the ledger's events, each user's segment id (empty: no segments),
the per-segment tallies, in ``first_row[0]`` the events row of the replicate's step 0,
and the counts of the step under way. Opening a replicate only moves the row (no array
is made per replicate: a small cascade costs a fraction of a microsecond, and so must
its bookkeeping).

Two ways to record
------------------
* One call per event (:func:`impression`, :func:`reach`, :func:`engagement`,
  :func:`conversion`, :func:`shares`): simplest, for kernels whose events are few or
  costly anyway.
* A hot loop counts into the step's counts, ``step = books[5]``, indexed by the ``C_*``
  columns (``step[C_IMPRESSIONS] += 1``), and calls :func:`close_step` once per step,
  which adds them to the totals and to the step's row. A call per impression that
  passes arrays costs reference counting on each, more than the impression itself.

The helpers a kernel calls once per replicate or per step are inlined into it at
numba's IR level (a compiled call that hands over the ledger's and books' arrays costs
more than a small replicate's bookkeeping); the per-event helpers are left to LLVM.

Either way, a kernel tells the ledger who each event happened to through the per-user
hooks (:func:`user_reached`, ...) when :func:`segmented` says the audience has segments:
what is tallied per segment is decided here, once for every kernel.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.funnel import structural_virality
from smmsim._kernels.layout import *  # noqa: F403  (the ledger records in these layouts)

# the ledger tuple's entries
L_COUNTS = 0
L_VIRALITY = 1
L_EVENTS = 2
L_EV_START = 3
L_PROFILE = 4
L_SEGMENTS = 5


@jit(inline="always")
def new_books(ledger, segment_of):
    """A worker's books, reused from replicate to replicate (:func:`open_run` clears
    them)."""
    tally = np.zeros(N_COUNTS, dtype=np.int64)
    seg = np.zeros((ledger[L_SEGMENTS].shape[1], N_SEGMENT_COLUMNS), dtype=np.int64)
    step = np.zeros(N_COUNTS, dtype=np.int64)
    return tally, ledger[L_EVENTS], segment_of, seg, np.zeros(1, dtype=np.int64), step


@jit(inline="always")
def next_stamp(state, cur, max_stamp):
    """The stamp of a worker's next replicate after ``cur``: users' state words are
    valid only under the current stamp, so nothing is cleared between replicates, except
    the whole ``state`` when the stamps would pass ``max_stamp`` (then it starts over)."""
    cur += 1
    if cur > max_stamp:
        state[:] = 0
        cur = 1
    return cur


@jit(inline="always")
def next_replicate(books, ev_pos, state, cur, max_stamp):
    """Start a worker's next replicate: its stamp after ``cur`` (:func:`next_stamp`,
    returned) and its books opened at row ``ev_pos`` (:func:`open_run`)."""
    open_run(books, ev_pos)
    return next_stamp(state, cur, max_stamp)


@jit(inline="always")
def open_run(books, ev_pos):
    """Start a replicate whose step rows begin at row ``ev_pos`` of the events (they
    arrive zeroed; the totals and tallies were cleared by :func:`close_run`)."""
    books[4][0] = ev_pos


@jit(inline="always")
def _count(books, t, column, series_column, n, part_column, n_part):
    """``n`` events of count ``column`` at step ``t`` (in the step's row under
    ``series_column``, unless it is -1), ``n_part`` of them also counted in
    ``part_column``."""
    books[0][column] += n
    if series_column >= 0:
        books[1][books[4][0] + t, series_column] += n
    if n_part:
        books[0][part_column] += n_part


@jit
def impression(books, t, paid):
    """One impression at step ``t`` (``paid``: of a brand post or an ad, not a peer's share)."""
    _count(books, t, C_IMPRESSIONS, T_IMPRESSIONS, 1, C_PAID_IMPRESSIONS, 1 if paid else 0)


@jit
def impressions(books, t, n, n_paid):
    """``n`` impressions at step ``t``, ``n_paid`` of them paid (a kernel that finds
    impressions in bulk records them at once)."""
    _count(books, t, C_IMPRESSIONS, T_IMPRESSIONS, n, C_PAID_IMPRESSIONS, n_paid)


@jit
def reach(books, t, v, earned):
    """User ``v``'s first exposure, at step ``t`` (``earned``: through a peer)."""
    _count(books, t, C_REACH, T_REACH, 1, C_EARNED_REACH, 1 if earned else 0)
    if segmented(books):
        user_reached(books, v, earned)


@jit
def engagement(books, t, first):
    """An engagement at step ``t`` (``first``: the user's first, who becomes engaged)."""
    _count(books, t, C_ENGAGEMENTS, T_ENGAGEMENTS, 1, C_ENGAGED, 1 if first else 0)


@jit
def conversion(books, t, referred):
    """A conversion at step ``t`` (``referred``: the buyer's first exposure was a peer's)."""
    _count(books, t, C_CONVERSIONS, T_CONVERSIONS, 1, C_REFERRAL_CONVERSIONS, 1 if referred else 0)


@jit(inline="always")
def shares(books, t, n):
    """``n`` users share at step ``t`` (seeds at step 0 included)."""
    _count(books, t, C_SHARES, T_SHARES, n, C_SHARES, 0)


@jit(inline="always")
def seeded(books, n):
    """The replicate starts from ``n`` distinct seeds (their shares go through :func:`shares`)."""
    books[0][C_SEEDS] += n


@jit(inline="always")
def pending(books, n):
    """``n`` users were about to share when the horizon ended."""
    books[0][C_PENDING] += n


@jit(inline="always")
def close_step(books, t):
    """Add the step's counts (``books[5]``, by ``C_*`` column) to the totals and to
    step ``t``'s row, and clear them for the next step."""
    tally, rows, at, step = books[0], books[1], books[4][0], books[5]
    row = at + t
    rows[row, T_IMPRESSIONS] += step[C_IMPRESSIONS]
    rows[row, T_REACH] += step[C_REACH]
    rows[row, T_ENGAGEMENTS] += step[C_ENGAGEMENTS]
    rows[row, T_SHARES] += step[C_SHARES]
    rows[row, T_CONVERSIONS] += step[C_CONVERSIONS]
    for k in range(N_COUNTS):
        tally[k] += step[k]
        step[k] = 0


@jit(inline="always")
def segmented(books):
    """Does anything need the per-user hooks (the audience has segments and the ledger
    tallies something per segment)?"""
    return books[2].shape[0] > 0 and books[3].size > 0


@jit
def user_reached(books, v, earned):
    """User ``v`` was reached (``earned``: through a peer); for the per-segment tallies."""
    books[3][books[2][v], S_REACH] += 1


@jit
def user_engaged(books, v):
    """User ``v`` engaged for the first time; for the per-segment tallies."""


@jit
def user_converted(books, v, referred):
    """User ``v`` converted; for the per-segment tallies."""


@jit
def user_shared(books, v):
    """User ``v`` became a sharer (a seed included); for the per-segment tallies."""


@jit(inline="always")
def peak_step(books, used, column):
    """First of the ``used`` steps with the most new events of series ``column``."""
    rows, at = books[1], books[4][0]
    best = np.int64(-1)
    peak = 0
    for t in range(used):
        x = rows[at + t, column]
        if x > best:
            best = x
            peak = t
    return peak


@jit(inline="always")
def close_generations(ledger, r, books, steps_run, n_pending, parent, n_shared, n_seeds, size):
    """Close replicate ``r`` of a kernel that spreads in generations, one a step: it ran
    ``steps_run`` steps (its depth is the last), ``n_pending`` users were about to share
    when it stopped, and its sharer tree is ``parent[:n_shared]`` over ``n_seeds`` seeds
    (``size`` is scratch space); its peak step is the first with the most impressions.
    Returns the first events row free for the next replicate."""
    pending(books, n_pending)
    if n_shared == n_seeds and n_shared >= 2:
        # seeds only: each hangs alone from the brand, every pair is 2 apart (what the
        # Wiener sum gives, exactly, without the sum)
        virality = 2.0
    else:
        virality = structural_virality(parent, n_shared, n_seeds, size)
    peak = peak_step(books, steps_run, T_IMPRESSIONS)
    return close_run(ledger, r, books, steps_run, max(steps_run - 1, 0), peak, virality)


@jit(inline="always")
def seeds_only(ledger, r, ev_pos, n_seeds, virality):
    """Record replicate ``r`` as its ``n_seeds`` seeds' shares and nothing else (their
    posts showed to nobody), its one step row at ``ev_pos``; returns the next free row.
    The same record as opening, :func:`seeded`, :func:`shares` at step 0 and
    :func:`close_run`, at a fraction of the cost: a kernel can finish such a replicate
    without touching the audience, and most small-cascade replicates are such."""
    counts = ledger[L_COUNTS]
    counts[r, C_SEEDS] = n_seeds
    counts[r, C_SHARES] = n_seeds
    ledger[L_EVENTS][ev_pos, T_SHARES] = n_seeds
    ledger[L_EV_START][r] = ev_pos
    ledger[L_PROFILE][r, 2] = 1
    if virality != 0.0:
        ledger[L_VIRALITY][r] = virality
    return ev_pos + 1


@jit(inline="always")
def close_run(ledger, r, books, used, depth, peak, virality):
    """Write replicate ``r``'s books into the ledger. It wrote ``used`` step rows;
    returns the first row free for the next replicate."""
    ev_pos = books[4][0]
    counts = ledger[L_COUNTS]
    tally = books[0]
    # the outputs arrive zeroed: only what is not zero is written, so a replicate touches
    # no page of a column it has nothing for; the books are cleared for the next one
    for k in range(N_COUNTS):
        if tally[k]:
            counts[r, k] = tally[k]
            tally[k] = 0
    if virality != 0.0:
        ledger[L_VIRALITY][r] = virality
    ledger[L_EV_START][r] = ev_pos
    profile = ledger[L_PROFILE]
    if depth:
        profile[r, 0] = depth
    if peak:
        profile[r, 1] = peak
    if used:
        profile[r, 2] = used
    seg_tally = books[3]
    if seg_tally.size > 0:
        seg = ledger[L_SEGMENTS]
        for i in range(seg_tally.shape[0]):
            for k in range(seg_tally.shape[1]):
                if seg_tally[i, k]:
                    seg[r, i, k] = seg_tally[i, k]
                    seg_tally[i, k] = 0
    return ev_pos + used


@jit
def user_record(nodes, flags, referrer, first_step, order, parent, n_shared):
    """The per-user record a kernel's ``traced`` hands to
    :func:`smmsim._kernels.driver.trace`, from the users the replicate reached or seeded
    (``nodes``) and their ``flags``: each one's referrer and first step, and the first
    ``n_shared`` sharers in activation order with their parents' positions."""
    return (
        nodes,
        flags,
        referrer[nodes],
        first_step[nodes],
        order[:n_shared].copy(),
        parent[:n_shared].copy(),
    )


@jit
def seed_run(books, seeds, state, cur, stamp_shift, flag_shift, order, parent, record,
             referrer, first_step):  # fmt: skip
    """Place a replicate's seeds, each once, and record them (:func:`seeded`).

    A user's state word is ``stamp << stamp_shift | flags << flag_shift | ...`` (a
    kernel's own layout); each distinct user of ``seeds`` gets the word of stamp ``cur``
    with ``SHARER | SEED`` and is listed in ``order`` with ``parent`` -1, and with
    ``record`` gets referrer -1 and first step 0 (a user listed twice counts once).
    Returns the number of distinct seeds, who fill ``order`` from position 0.
    """
    mark = np.int64(cur) << stamp_shift
    word = mark | (np.int64(SHARER | SEED) << flag_shift)
    n = 0
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if (np.int64(state[s]) >> stamp_shift) != cur:
            state[s] = word
            if record:
                referrer[s] = -1
                first_step[s] = 0
            if segmented(books):
                user_shared(books, s)
            order[n] = s
            parent[n] = -1
            n += 1
    seeded(books, n)
    return n


@jit
def reaches(books, t, n, n_earned):
    """``n`` first exposures at step ``t``, ``n_earned`` of them through a peer (a kernel
    that counts first exposures in closed form, such as every targeted user shown a
    first ad, records them at once)."""
    _count(books, t, C_REACH, T_REACH, n, C_EARNED_REACH, n_earned)


@jit
def earned_after_paid(books, v):
    """User ``v``, whose first exposure was the brand's (recorded then, through
    :func:`reach` or :func:`reaches`), counts as earned reach after all: the model credits
    what they did next to peers (Bass: an imitator who had seen the ad)."""
    books[0][C_EARNED_REACH] += 1
