"""Binary search in sorted integer arrays (adjacency rows, sorted id lists)."""

from __future__ import annotations

from smmsim._config import jit


@jit
def lower_bound(values, lo, hi, x):
    """First position in ``values[lo:hi]`` (sorted) holding a value ``>= x`` (``hi``
    when none does)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo
