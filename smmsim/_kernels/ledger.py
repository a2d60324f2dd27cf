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

``books`` (one worker's view of the replicate it is running, from :func:`open_run`) is
``(tally, rows, segment_of, segment_tally)``: the running totals, the replicate's rows of
``events``, each user's segment id (empty: no segments) and the per-segment tallies.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit

# --- user-state flags: the low bits of a user's per-replicate state word. Every
# kernel uses these values; a kernel's own extra states take MODEL_FLAG_A and
# MODEL_FLAG_B (its docstring says what they mean there).
REACHED = 1  # saw the content at least once (a seed is not reached by its own post)
ENGAGED = 2
SHARER = 4  # shares (or has shared) the content
SEED = 8
REFERRED = 16  # first exposure came from a peer, not from the brand
CONVERTED = 32
MODEL_FLAG_A = 64
MODEL_FLAG_B = 128
#: Bits a state word reserves for the flags above.
FLAG_BITS = 8
FLAG_MASK = (1 << FLAG_BITS) - 1

#: Columns of the per-replicate count table, in order.
COUNT_COLUMNS = (
    "impressions",
    "paid_impressions",
    "reach",
    "earned_reach",
    "engaged",
    "engagements",
    "shares",
    "seeds",
    "pending_shares",
    "conversions",
    "referral_conversions",
)
C_IMPRESSIONS = 0
C_PAID_IMPRESSIONS = 1
C_REACH = 2
C_EARNED_REACH = 3
C_ENGAGED = 4
C_ENGAGEMENTS = 5
C_SHARES = 6
C_SEEDS = 7
C_PENDING = 8
C_CONVERSIONS = 9
C_REFERRAL_CONVERSIONS = 10
N_COUNTS = len(COUNT_COLUMNS)

#: Columns of the per-step series (new events in the step), in order.
SERIES_COLUMNS = ("impressions", "reach", "engagements", "shares", "conversions")
T_IMPRESSIONS = 0
T_REACH = 1
T_ENGAGEMENTS = 2
T_SHARES = 3
T_CONVERSIONS = 4
N_SERIES = len(SERIES_COLUMNS)

#: Per-segment tallies of each replicate, in order (see :func:`reach`).
SEGMENT_COLUMNS: tuple[str, ...] = ()
N_SEGMENT_COLUMNS = len(SEGMENT_COLUMNS)

# the ledger tuple's entries
L_COUNTS = 0
L_VIRALITY = 1
L_EVENTS = 2
L_EV_START = 3
L_PROFILE = 4
L_SEGMENTS = 5


@jit
def new_books(n_segments):
    """A worker's running totals and per-segment tallies, reused from replicate to
    replicate (:func:`open_run` clears them)."""
    tally = np.zeros(N_COUNTS, dtype=np.int64)
    seg = np.zeros((max(n_segments, 0), N_SEGMENT_COLUMNS), dtype=np.int64)
    return tally, seg


@jit
def open_run(ledger, ev_pos, steps, tally, segment_of, segment_tally):
    """The books of a replicate whose step rows start at row ``ev_pos`` of the events:
    totals and tallies cleared, and room for ``steps`` rows (which arrive zeroed)."""
    tally[:] = 0
    segment_tally[:] = 0
    events = ledger[L_EVENTS]
    end = min(ev_pos + steps, events.shape[0])
    return tally, events[ev_pos:end], segment_of, segment_tally


@jit
def impression(books, t, paid):
    """One impression at step ``t`` (``paid``: of a brand post or an ad, not a peer's share)."""
    tally, rows = books[0], books[1]
    tally[C_IMPRESSIONS] += 1
    rows[t, T_IMPRESSIONS] += 1
    if paid:
        tally[C_PAID_IMPRESSIONS] += 1


@jit
def impressions(books, t, n, n_paid):
    """``n`` impressions at step ``t``, ``n_paid`` of them paid (a kernel that finds
    impressions in bulk records them at once)."""
    tally, rows = books[0], books[1]
    tally[C_IMPRESSIONS] += n
    rows[t, T_IMPRESSIONS] += n
    tally[C_PAID_IMPRESSIONS] += n_paid


@jit
def reach(books, t, v, earned):
    """User ``v``'s first exposure, at step ``t`` (``earned``: through a peer)."""
    tally, rows = books[0], books[1]
    tally[C_REACH] += 1
    rows[t, T_REACH] += 1
    if earned:
        tally[C_EARNED_REACH] += 1


@jit
def engagement(books, t, first):
    """An engagement at step ``t`` (``first``: the user's first, who becomes engaged)."""
    tally, rows = books[0], books[1]
    tally[C_ENGAGEMENTS] += 1
    rows[t, T_ENGAGEMENTS] += 1
    if first:
        tally[C_ENGAGED] += 1


@jit
def conversion(books, t, referred):
    """A conversion at step ``t`` (``referred``: the buyer's first exposure was a peer's)."""
    tally, rows = books[0], books[1]
    tally[C_CONVERSIONS] += 1
    rows[t, T_CONVERSIONS] += 1
    if referred:
        tally[C_REFERRAL_CONVERSIONS] += 1


@jit
def shares(books, t, n):
    """``n`` users share at step ``t`` (seeds at step 0 included)."""
    tally, rows = books[0], books[1]
    tally[C_SHARES] += n
    rows[t, T_SHARES] += n


@jit
def seeded(books, n):
    """The replicate starts from ``n`` distinct seeds (their shares go through :func:`shares`)."""
    books[0][C_SEEDS] += n


@jit
def pending(books, n):
    """``n`` users were about to share when the horizon ended."""
    books[0][C_PENDING] += n


@jit
def peak_step(books, used, column):
    """First of the ``used`` steps with the most new events of series ``column``."""
    rows = books[1]
    best = np.int64(-1)
    peak = 0
    for t in range(min(used, rows.shape[0])):
        x = rows[t, column]
        if x > best:
            best = x
            peak = t
    return peak


@jit
def close_run(ledger, r, books, ev_pos, used, depth, peak, virality):
    """Write replicate ``r``'s books into the ledger. Its step rows are the ``used``
    rows from ``ev_pos``; returns the first row free for the next replicate."""
    counts = ledger[L_COUNTS]
    tally = books[0]
    for k in range(N_COUNTS):
        if tally[k]:
            counts[r, k] = tally[k]
    ledger[L_VIRALITY][r] = virality
    ledger[L_EV_START][r] = ev_pos
    profile = ledger[L_PROFILE]
    profile[r, 0] = depth
    profile[r, 1] = peak
    profile[r, 2] = used
    seg = ledger[L_SEGMENTS]
    if seg.shape[1] > 0 and seg.shape[2] > 0:
        seg[r] = books[3]
    return ev_pos + used


@jit
def reaches(books, t, n, n_earned):
    """``n`` first exposures at step ``t``, ``n_earned`` of them through a peer (a kernel
    that counts first exposures in closed form, such as every targeted user shown a
    first ad, records them at once)."""
    tally, rows = books[0], books[1]
    tally[C_REACH] += n
    rows[t, T_REACH] += n
    tally[C_EARNED_REACH] += n_earned


@jit
def earned_after_paid(books, v):
    """User ``v``, whose first exposure was the brand's (recorded then, through
    :func:`reach` or :func:`reaches`), counts as earned reach after all: the model credits
    what they did next to peers (Bass: an imitator who had seen the ad)."""
    books[0][C_EARNED_REACH] += 1
