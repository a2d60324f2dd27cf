"""The event ledger every cascade kernel records into.

A kernel supplies a replicate's dynamics (who sees, engages, shares, converts, when);
this module owns what is recorded about it. Each event is one call (an impression,
a first exposure, an engagement, a conversion, shares made at a step), which adds it
to the replicate's running totals (the count table), to the row of its step (the
per-step series) and to the replicate's per-segment tallies. A breakdown written here
appears for every model; no kernel counts anything on its own.

The user-state flag bits every kernel stores beside its replicate stamp, and the
column layouts of the outputs, are in :mod:`smmsim._kernels.layout`.

Layout
------
``ledger`` (outputs of a batch, from :func:`smmsim._kernels.driver.new_ledger`) is the
tuple ``(runs, virality, events, tallies)``, which a kernel unpacks once:

* ``runs`` ``(R, R_SEGMENTS + n_segments * N_SEGMENT_COLUMNS)`` int64, one row a
  replicate: its totals (:data:`COUNT_COLUMNS`), cascade depth (``R_DEPTH``, the last
  step with new sharers), peak step (``R_PEAK``), the number of step rows it wrote
  (``R_USED``), its first events row (``R_EV_START``) and its per-segment tallies
  (:data:`SEGMENT_COLUMNS`, from ``R_SEGMENTS``);
* ``virality`` ``(R,)`` float64: structural virality of the replicate's sharer tree;
* ``events`` ``(rows, N_SERIES)`` int64: the per-step series, packed: replicate ``r``'s
  step ``t`` is row ``runs[r, R_EV_START] + t`` for ``t < runs[r, R_USED]``; later steps
  had no events;
* ``tallies`` ``(R, n)`` int64: a kernel's own record beyond the funnel, in a layout of
  its own (``n`` is 0 for every kernel but the competing contents', whose layout is
  :mod:`smmsim._kernels.compete_layout`).

``books`` (one worker's, from :func:`new_books`, reused from replicate to replicate) is
one int64 array: the running totals of the replicate under way, the counts of its step
under way (a hot loop's :func:`step_counts`), its per-step series so far and its
per-segment tallies. One array, so that recording an event hands over nothing but it:
numba counts references to every array a compiled function receives or takes out of a
tuple, and a small cascade (a fraction of a microsecond) cannot afford a dozen of them
per replicate. For the same reason a kernel takes the ledger's arrays out of their tuple
once per worker, not per replicate, and the helpers a kernel calls per event (the
``step_*`` counts) are compiled on their own: LLVM inlines them without the reference
counting that numba's own inlining (``inline="always"``, which the other helpers use)
adds for each array they take. Inlined by numba, they made the default kernel a third
slower on small cascades.

Two ways to record
------------------
* One call per event (:func:`impression`, :func:`reach`, :func:`engagement`,
  :func:`conversion`, :func:`shares`): simplest, for kernels whose events arrive one
  at a time at any step.
* A hot loop counts into the step's counts, ``acc = step_counts(books)``, through
  :func:`step_impression`, :func:`step_reach`, :func:`step_engagement` and
  :func:`step_conversion`, and calls :func:`close_step` once per step, which adds them to
  the totals and to the step's row (:func:`open_books` gives the books and counts).

Either way, a kernel tells the ledger who each event happened to through the per-user
hooks (:func:`user_reached`, ...) when :func:`segmented` says the audience has segments:
what is tallied per segment is decided here, once for every kernel. A replicate ends
with :func:`close_run` (or :func:`close_generations`, or :func:`seeds_only`), which
writes its books into the ledger and clears them.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.funnel import structural_virality
from smmsim._kernels.layout import *  # noqa: F403  (the ledger records in these layouts)

# where a worker's books keep what (see the module's docstring)
B_TALLY = 0
B_STEP = N_COUNTS
#: Entry holding where the per-segment tallies start (0: the audience has none).
B_SEGS_AT = 2 * N_COUNTS
B_SERIES = 2 * N_COUNTS + 1

#: The ``int32`` state word ``(replicate stamp << FLAG_BITS) | flags`` of the default and
#: SIR kernels: its flags, and the largest stamp it holds (a worker's state is cleared
#: after it, see :func:`next_stamp`).
FLAG_MASK_32 = np.int32(FLAG_MASK)
MAX_STAMP_32 = (1 << (31 - FLAG_BITS)) - 1


@jit(inline="always")
def new_books(ledger, segment_of, steps):
    """A worker's books for replicates of at most ``steps`` steps, with room for a tally
    per segment of the ledger's when ``segment_of`` (each user's segment id) is not
    empty."""
    runs = ledger[0]
    n_seg = runs.shape[1] - R_SEGMENTS if segment_of.shape[0] > 0 else 0
    size = B_SERIES + max(steps, 1) * N_SERIES
    books = np.zeros(size + n_seg, dtype=np.int64)
    if n_seg > 0:
        books[B_SEGS_AT] = size
    return books


@jit(inline="always")
def open_books(ledger, segment_of, steps):
    """A hot loop's books (:func:`new_books`), the counts of its step under way
    (:func:`step_counts`) and whether it calls the per-user hooks (:func:`segmented`)."""
    books = new_books(ledger, segment_of, steps)
    return books, step_counts(books), segmented(books)


@jit(inline="always")
def step_counts(books):
    """The counts of the step under way, by ``C_*`` column, for a hot loop to add to
    (:func:`close_step` records and clears them)."""
    return books[B_STEP : B_STEP + N_COUNTS]


# What each event adds to a hot loop's step counts ``acc``: who it happened to goes to
# the per-user hooks below.


@jit
def step_impression(acc, paid):
    """One impression (``paid``: of a brand post or an ad, not a peer's share)."""
    acc[C_IMPRESSIONS] += 1
    if paid:
        acc[C_PAID_IMPRESSIONS] += 1


@jit
def step_reach(acc, earned):
    """One first exposure (``earned``: through a peer)."""
    acc[C_REACH] += 1
    if earned:
        acc[C_EARNED_REACH] += 1


@jit
def step_engagement(acc, first):
    """One engagement (``first``: the user's first, who becomes engaged)."""
    acc[C_ENGAGEMENTS] += 1
    if first:
        acc[C_ENGAGED] += 1


@jit
def step_conversion(acc, referred):
    """One conversion (``referred``: the user's first exposure was a peer's)."""
    acc[C_CONVERSIONS] += 1
    if referred:
        acc[C_REFERRAL_CONVERSIONS] += 1


@jit(inline="always")
def next_stamp(state, cur, max_stamp):
    """The stamp of a worker's next replicate after ``cur``: users' state words are
    valid only under the current stamp, so nothing is cleared between replicates, except
    the whole ``state`` when the stamps would pass ``max_stamp`` (then it starts over).
    A kernel keeps ``cur`` in a local and stores it in its workspace's stamp once, after
    its replicates: stored each replicate, the default kernel measured 5-9% slower on
    small cascades."""
    cur += 1
    if cur > max_stamp:
        state[:] = 0
        cur = 1
    return cur


@jit
def stamped(state, cur, stamp_shift, flag_shift, flag_mask):
    """The users whose state word carries stamp ``cur`` (those the replicate just run
    reached or seeded), and their flags: a kernel's ``traced`` hands them to
    :func:`user_record`."""
    nodes = np.nonzero((state >> stamp_shift) == cur)[0].astype(np.int32)
    flags = ((state[nodes] >> flag_shift) & flag_mask).astype(np.uint8)
    return nodes, flags


@jit(inline="always")
def _count(books, t, column, series_column, n, part_column, n_part):
    """``n`` events of count ``column`` at step ``t`` (in the step's row under
    ``series_column``, unless it is -1), ``n_part`` of them also counted in
    ``part_column``."""
    books[B_TALLY + column] += n
    if series_column >= 0:
        books[B_SERIES + t * N_SERIES + series_column] += n
    if n_part:
        books[B_TALLY + part_column] += n_part


@jit(inline="always")
def impression(books, segment_of, t, v, paid):
    """One impression, on user ``v``, at step ``t`` (``paid``: of a brand post or an ad,
    not a peer's share)."""
    _count(books, t, C_IMPRESSIONS, T_IMPRESSIONS, 1, C_PAID_IMPRESSIONS, 1 if paid else 0)
    if segmented(books):
        user_impressed(books, segment_of, v, 1)


@jit(inline="always")
def impressions(books, t, n, n_paid):
    """``n`` impressions at step ``t``, ``n_paid`` of them paid (a kernel that finds
    impressions in bulk records them at once, and who saw them through
    :func:`user_impressed`)."""
    _count(books, t, C_IMPRESSIONS, T_IMPRESSIONS, n, C_PAID_IMPRESSIONS, n_paid)


@jit(inline="always")
def reach(books, segment_of, t, v, earned):
    """User ``v``'s first exposure, at step ``t`` (``earned``: through a peer)."""
    _count(books, t, C_REACH, T_REACH, 1, C_EARNED_REACH, 1 if earned else 0)
    if segmented(books):
        user_reached(books, segment_of, v, earned)


@jit(inline="always")
def reaches(books, t, n, n_earned):
    """``n`` first exposures at step ``t``, ``n_earned`` of them through a peer (a kernel
    that counts first exposures in closed form, such as every targeted user shown a
    first ad, records them at once, and who they were through :func:`user_reached`)."""
    _count(books, t, C_REACH, T_REACH, n, C_EARNED_REACH, n_earned)


@jit(inline="always")
def earned_after_paid(books, segment_of, v):
    """User ``v``, whose first exposure was the brand's (recorded then, through
    :func:`reach` or :func:`reaches`), counts as earned reach after all: the model
    credits what they did next to peers (Bass: an imitator who had seen the ad)."""
    books[B_TALLY + C_EARNED_REACH] += 1
    if segmented(books):
        _tally(books, segment_of, v, S_EARNED_REACH, 1)


@jit(inline="always")
def engagement(books, segment_of, t, v, first):
    """An engagement of user ``v`` at step ``t`` (``first``: their first, and they
    become engaged)."""
    _count(books, t, C_ENGAGEMENTS, T_ENGAGEMENTS, 1, C_ENGAGED, 1 if first else 0)
    if first and segmented(books):
        user_engaged(books, segment_of, v)


@jit(inline="always")
def engagements(books, t, n, n_first):
    """``n`` engagements at step ``t``, ``n_first`` of them users' first (a kernel that
    counts a batch of impressions' engagements records them at once, and who engaged
    through :func:`user_engaged`)."""
    _count(books, t, C_ENGAGEMENTS, T_ENGAGEMENTS, n, C_ENGAGED, n_first)


@jit(inline="always")
def conversion(books, segment_of, t, v, referred):
    """User ``v`` converts at step ``t`` (``referred``: their first exposure was a peer's)."""
    _count(books, t, C_CONVERSIONS, T_CONVERSIONS, 1, C_REFERRAL_CONVERSIONS, 1 if referred else 0)
    if segmented(books):
        user_converted(books, segment_of, v, referred)


@jit(inline="always")
def shares(books, t, n):
    """``n`` users share at step ``t`` (seeds at step 0 included; who they were goes to
    :func:`sharers`)."""
    _count(books, t, C_SHARES, T_SHARES, n, C_SHARES, 0)


@jit(inline="always")
def shared(books, segment_of, t, v):
    """User ``v`` shares at step ``t``."""
    _count(books, t, C_SHARES, T_SHARES, 1, C_SHARES, 0)
    if segmented(books):
        user_shared(books, segment_of, v)


@jit(inline="always")
def sharers(books, segment_of, order, head, end):
    """The users ``order[head:end]`` are those who share at a step (counted through
    :func:`shares` or the step's counts); for the per-segment tallies."""
    if segmented(books):
        for i in range(head, end):
            user_shared(books, segment_of, order[i])


@jit(inline="always")
def step_shares(books, segment_of, order, head, end):
    """The users ``order[head:end]`` share at the step under way (a hot loop's
    :func:`step_counts`, recorded by :func:`close_step`)."""
    books[B_STEP + C_SHARES] += end - head
    sharers(books, segment_of, order, head, end)


@jit(inline="always")
def step_shares_tallied(books, n):
    """``n`` users share at the step under way, each already told to the share hook
    (:func:`row_shared` or :func:`user_shared`) when they decided to (a kernel that has
    their segment at hand then saves looking it up again; those the horizon stops first
    go to :func:`unshared`)."""
    books[B_STEP + C_SHARES] += n


@jit(inline="always")
def unshared(books, segment_of, order, head, end):
    """The users ``order[head:end]`` were told to the share hook (:func:`row_shared` or
    :func:`user_shared`) but the horizon ended before they shared: their per-segment
    shares are taken back."""
    if segmented(books):
        for i in range(head, end):
            _tally(books, segment_of, order[i], S_SHARES, -1)


@jit(inline="always")
def seeded(books, n):
    """The replicate starts from ``n`` distinct seeds (their shares go through :func:`shares`)."""
    books[B_TALLY + C_SEEDS] += n


@jit(inline="always")
def pending(books, n):
    """``n`` users were about to share when the horizon ended."""
    books[B_TALLY + C_PENDING] += n


@jit(inline="always")
def close_step(books, t):
    """Add the step's counts (:func:`step_counts`) to the totals and to step ``t``'s row,
    and clear them for the next step."""
    row = B_SERIES + t * N_SERIES
    books[row + T_IMPRESSIONS] += books[B_STEP + C_IMPRESSIONS]
    books[row + T_REACH] += books[B_STEP + C_REACH]
    books[row + T_ENGAGEMENTS] += books[B_STEP + C_ENGAGEMENTS]
    books[row + T_SHARES] += books[B_STEP + C_SHARES]
    books[row + T_CONVERSIONS] += books[B_STEP + C_CONVERSIONS]
    for k in range(N_COUNTS):
        books[B_TALLY + k] += books[B_STEP + k]
        books[B_STEP + k] = 0


@jit(inline="always")
def segmented(books):
    """Does anything need the per-user hooks (the audience has segments and the ledger
    tallies something per segment)?"""
    return books[B_SEGS_AT] > 0 and N_SEGMENT_COLUMNS > 0


@jit(inline="always")
def _tally(books, segment_of, v, column, n):
    """``n`` more of per-segment tally ``column`` (an ``S_*``) in user ``v``'s segment."""
    books[segment_row(books, segment_of, v) + column] += n


# The per-user hooks: who each event counted in the totals happened to, called only
# when :func:`segmented`. What is tallied per segment is decided here, once for every
# kernel; each tally adds up, over the segments, to its count (SEGMENT_OF_COUNT).
# ``user_*(books, segment_of, v, ...)`` looks up user ``v``'s segment;
# ``row_*(books, row, ...)`` takes it looked up once, ``row = segment_row(books,
# segment_of, v)``, for a kernel that records several events of one user.


@jit(inline="always")
def segment_row(books, segment_of, v):
    """Where in ``books`` user ``v``'s segment's tallies start, for the ``row_*`` hooks."""
    return books[B_SEGS_AT] + np.int64(segment_of[v]) * N_SEGMENT_COLUMNS


@jit(inline="always")
def row_impressed(books, row, n):
    """The user whose segment's tallies start at ``row`` saw ``n`` impressions (``n``
    may be negative: a kernel that counts ad impressions in closed form credits a user
    with the ad steps ahead, then takes back those after they adopted)."""
    books[row + S_IMPRESSIONS] += n


@jit(inline="always")
def row_reached(books, row, earned):
    """The user at ``row`` (see :func:`row_impressed`) was reached (``earned``: through
    a peer)."""
    books[row + S_REACH] += 1
    if earned:
        books[row + S_EARNED_REACH] += 1


@jit(inline="always")
def row_engaged(books, row):
    """The user at ``row`` engaged for the first time."""
    books[row + S_ENGAGED] += 1


@jit(inline="always")
def row_converted(books, row, referred):
    """The user at ``row`` converted (``referred``: their first exposure was a peer's)."""
    books[row + S_CONVERSIONS] += 1
    if referred:
        books[row + S_REFERRAL_CONVERSIONS] += 1


@jit(inline="always")
def row_shared(books, row):
    """The user at ``row`` shared (a seed included). A user about to share when the
    horizon ends does not count: a kernel tallies the share when it is made, or when the
    user decides to make it and then takes back those the horizon stops
    (:func:`unshared`)."""
    books[row + S_SHARES] += 1


@jit(inline="always")
def user_impressed(books, segment_of, v, n):
    """User ``v`` saw ``n`` impressions (see :func:`row_impressed`)."""
    row_impressed(books, segment_row(books, segment_of, v), n)


@jit(inline="always")
def user_reached(books, segment_of, v, earned):
    """User ``v`` was reached (``earned``: through a peer)."""
    row_reached(books, segment_row(books, segment_of, v), earned)


@jit(inline="always")
def user_engaged(books, segment_of, v):
    """User ``v`` engaged for the first time."""
    row_engaged(books, segment_row(books, segment_of, v))


@jit(inline="always")
def user_converted(books, segment_of, v, referred):
    """User ``v`` converted (``referred``: their first exposure was a peer's)."""
    row_converted(books, segment_row(books, segment_of, v), referred)


@jit(inline="always")
def user_shared(books, segment_of, v):
    """User ``v`` shared (a seed included; see :func:`row_shared`)."""
    row_shared(books, segment_row(books, segment_of, v))


@jit(inline="always")
def peak_step(books, used, column):
    """First of the ``used`` steps with the most new events of series ``column``."""
    best = np.int64(-1)
    peak = 0
    for t in range(used):
        x = books[B_SERIES + t * N_SERIES + column]
        if x > best:
            best = x
            peak = t
    return peak


@jit(inline="always")
def close_run(books, runs, virality_out, events, r, ev_pos, used, depth, peak, virality):
    """Write replicate ``r``'s books into the ledger (``runs``, ``virality_out``,
    ``events``) and clear them. It wrote ``used`` step rows, from row ``ev_pos`` of the
    events; returns the first row free for the next replicate."""
    # the outputs arrive zeroed: only what is not zero is written, so a replicate touches
    # no page of a column it has nothing for
    for k in range(N_COUNTS):
        x = books[B_TALLY + k]
        if x:
            runs[r, k] = x
            books[B_TALLY + k] = 0
    if virality != 0.0:
        virality_out[r] = virality
    runs[r, R_EV_START] = ev_pos
    if depth:
        runs[r, R_DEPTH] = depth
    if peak:
        runs[r, R_PEAK] = peak
    if used:
        runs[r, R_USED] = used
    for t in range(used):
        row = B_SERIES + t * N_SERIES
        for c in range(N_SERIES):
            x = books[row + c]
            if x:
                events[ev_pos + t, c] = x
                books[row + c] = 0
    at = books[B_SEGS_AT]
    if at > 0:
        for i in range(books.shape[0] - at):
            x = books[at + i]
            if x:
                runs[r, R_SEGMENTS + i] = x
                books[at + i] = 0
    return ev_pos + used


@jit(inline="always")
def close_generations(books, runs, virality_out, events, r, ev_pos, steps_run, n_shared, tail,
                      parent, n_seeds, size):  # fmt: skip
    """Close replicate ``r`` of a kernel that spreads in generations, one a step (see
    :func:`close_run`): it ran ``steps_run`` steps (its depth is the last), its sharer
    tree is ``parent[:n_shared]`` over ``n_seeds`` seeds (``size`` is scratch space),
    and those it listed after them, up to ``tail``, were about to share when it stopped;
    its peak step is the first with the most impressions."""
    pending(books, tail - n_shared)
    if n_shared == n_seeds and n_shared >= 2:
        # seeds only: each hangs alone from the brand, every pair is 2 apart (what the
        # Wiener sum gives, exactly, without the sum)
        virality = 2.0
    else:
        virality = structural_virality(parent, n_shared, n_seeds, size)
    peak = peak_step(books, steps_run, T_IMPRESSIONS)
    depth = max(steps_run - 1, 0)
    return close_run(books, runs, virality_out, events, r, ev_pos, steps_run, depth, peak, virality)


@jit(inline="always")
def seeds_only(runs, virality_out, events, r, ev_pos, n_seeds, virality, books, segment_of,
               seeds):  # fmt: skip
    """Record replicate ``r`` as its ``n_seeds`` seeds' shares and nothing else (their
    posts showed to nobody), its one step row at ``ev_pos``; returns the next free row.
    The same record as :func:`seeded`, :func:`shares` at step 0, :func:`sharers` of the
    distinct seeds ``seeds[:n_seeds]`` and :func:`close_run`, at a fraction of the cost:
    a kernel can finish such a replicate without touching the audience or its books,
    and most small-cascade replicates are such."""
    runs[r, C_SEEDS] = n_seeds
    runs[r, C_SHARES] = n_seeds
    if segmented(books):
        for i in range(n_seeds):
            runs[r, R_SEGMENTS + segment_of[seeds[i]] * N_SEGMENT_COLUMNS + S_SHARES] += 1
    events[ev_pos, T_SHARES] = n_seeds
    runs[r, R_EV_START] = ev_pos
    runs[r, R_USED] = 1
    if virality != 0.0:
        virality_out[r] = virality
    return ev_pos + 1


@jit(inline="always")
def seed_run(books, segment_of, seeds, state, cur, stamp_shift, flag_shift, order, parent,
             record, referrer, first_step):  # fmt: skip
    """Place a replicate's seeds, each once, and record them (:func:`seeded`).

    A user's state word is ``stamp << stamp_shift | flags << flag_shift | ...`` (a
    kernel's own layout); each distinct user of ``seeds`` gets the word of stamp ``cur``
    with ``SHARER | SEED`` and is listed in ``order`` with ``parent`` -1, and with
    ``record`` gets referrer -1 and first step 0 (a user listed twice counts once).
    Returns the number of distinct seeds, who fill ``order`` from position 0 (their
    shares are recorded when they share, through :func:`shares` and :func:`sharers`).
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
            order[n] = s
            parent[n] = -1
            n += 1
    seeded(books, n)
    return n


@jit(inline="always")
def seed_again(books, order, n, state, cur, stamp_shift, flag_shift):
    """Place again, under stamp ``cur``, the ``n`` distinct seeds an earlier replicate of
    the same seed row placed with :func:`seed_run` (still listed in ``order[:n]``, with
    their parents), and record them: the same as :func:`seed_run` without finding the
    distinct seeds again. Returns ``n``."""
    word = (np.int64(cur) << stamp_shift) | (np.int64(SHARER | SEED) << flag_shift)
    for i in range(n):
        state[order[i]] = word
    seeded(books, n)
    return n


@jit
def clear_rows(events, ev_start, used):
    """Zero the step rows of the events that replicates wrote: replicate ``r``'s rows
    ``ev_start[r] .. ev_start[r] + used[r] - 1`` (a used ledger cleared for reuse). The
    replicates a worker ran one after another wrote one stretch of rows, cleared at once."""
    lo = 0
    hi = 0
    for r in range(ev_start.shape[0]):
        if ev_start[r] == hi:
            hi += used[r]
        else:
            events[lo:hi] = 0
            lo = ev_start[r]
            hi = lo + used[r]
    events[lo:hi] = 0


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
