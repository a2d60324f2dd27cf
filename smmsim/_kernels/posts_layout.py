"""What the content-calendar kernel records per post, by name.

Plain constants, no numba (the models and metrics read them without loading the
compiler). :mod:`smmsim._kernels.posts` writes one row of ``tallies`` per replicate (the
ledger's fourth output): post ``p``'s column ``q`` at ``p * N_POST_COLUMNS + q``, the
columns being :data:`POST_COLUMNS`.
"""

from __future__ import annotations

#: Largest number of posts one calendar may have: a worker keeps a state word per user
#: and post, and room for a sharer record per user and post.
MAX_POSTS = 32

POST_COLUMNS = (
    "impressions",
    "reach",
    "earned_reach",
    "engaged",
    "sharers",
    "conversions",
    "referral_conversions",
)
N_POST_COLUMNS = len(POST_COLUMNS)
(
    Q_IMPRESSIONS,
    Q_REACH,
    Q_EARNED_REACH,
    Q_ENGAGED,
    Q_SHARERS,
    Q_CONVERSIONS,
    Q_REFERRAL_CONVERSIONS,
) = range(N_POST_COLUMNS)


def tally_width(n_posts: int) -> int:
    """Entries of a replicate's tallies for ``n_posts`` posts."""
    return int(n_posts) * N_POST_COLUMNS
