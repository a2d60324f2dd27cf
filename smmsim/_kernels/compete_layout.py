"""What the competing-contents kernel records beyond the brand's funnel, by name.

Plain constants, no numba (the models and metrics read them without loading the
compiler). :mod:`smmsim._kernels.compete` writes one row of ``tallies`` per replicate
(the ledger's fourth output), laid out by :func:`tally_layout`:

* per content ``c`` (``c * N_CONTENT_COLUMNS``): :data:`CONTENT_COLUMNS`;
* the claim and response totals (from ``X_FIXED``): :data:`FIXED_COLUMNS`;
* customer-service reply delays in steps (from ``X_HIST``): a histogram of
  ``DELAY_BINS`` bins, the last for every delay of ``DELAY_BINS - 1`` steps or more;
* per step ``t`` and owner ``o`` (from ``X_STEPS``): impressions and newly engaged
  users, at ``X_STEPS + (t * N_OWNERS + o) * 2 + {0, 1}``;
* per segment ``g`` (from ``X_SEGS``): :data:`SEGMENT_TALLIES`, at
  ``X_SEGS + g * N_SEGMENT_TALLIES + k``.
"""

from __future__ import annotations

#: Who a content speaks for; the rebuttal is the brand's.
OWNERS = ("brand", "competitor", "claim")
OWNER_BRAND = 0
OWNER_COMPETITOR = 1
OWNER_CLAIM = 2
N_OWNERS = len(OWNERS)
#: What a content is: a post (it sells, or un-sells) or the brand's rebuttal of the claim.
ROLE_POST = 0
ROLE_REBUTTAL = 1
#: Largest number of contents one scenario may have (the brand's post, a competitor's,
#: the claim and the rebuttal): a user's per-content flags are bits of one 32-bit word.
MAX_CONTENTS = 4

CONTENT_COLUMNS = ("impressions", "reach", "engaged", "sharers", "conversions")
N_CONTENT_COLUMNS = len(CONTENT_COLUMNS)
Q_IMPRESSIONS, Q_REACH, Q_ENGAGED, Q_SHARERS, Q_CONVERSIONS = range(N_CONTENT_COLUMNS)

FIXED_COLUMNS = (
    "believers",
    "believers_ever",
    "corrected",
    "inoculated",
    "last_believer_step",
    "rebuttal_step",
    "replies",
    "replies_in_time",
    "reply_delay_sum",
)
N_FIXED = len(FIXED_COLUMNS)
(
    F_BELIEVERS,
    F_BELIEVERS_EVER,
    F_CORRECTED,
    F_INOCULATED,
    F_LAST_BELIEVER,
    F_REBUTTAL_STEP,
    F_REPLIES,
    F_IN_TIME,
    F_DELAY_SUM,
) = range(N_FIXED)

DELAY_BINS = 65

SEGMENT_TALLIES = (
    "brand_reach",
    "brand_engaged",
    "competitor_reach",
    "competitor_engaged",
    "claim_reach",
    "claim_engaged",
    "brand_conversions",
    "believers",
)
G_BRAND_CONVERSIONS = 2 * N_OWNERS
G_BELIEVERS = 2 * N_OWNERS + 1
N_SEGMENT_TALLIES = len(SEGMENT_TALLIES)

#: Entries of the layout array :func:`tally_layout` returns.
L_FIXED = 0
L_HIST = 1
L_STEPS = 2
L_SEGS = 3
L_SEGMENTS = 4
L_WIDTH = 5


def tally_layout(n_contents: int, steps: int, n_segments: int) -> list[int]:
    """Where each block of a replicate's tallies starts, and the row's width: ``[X_FIXED,
    X_HIST, X_STEPS, X_SEGS, segments, width]`` (index it by the ``L_*`` names)."""
    fixed = n_contents * N_CONTENT_COLUMNS
    hist = fixed + N_FIXED
    at_steps = hist + DELAY_BINS
    segs = at_steps + max(int(steps), 1) * N_OWNERS * 2
    width = segs + max(int(n_segments), 0) * N_SEGMENT_TALLIES
    return [fixed, hist, at_steps, segs, max(int(n_segments), 0), width]
