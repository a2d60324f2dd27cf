"""What the kernel tests share: a recorded replicate through the driver, the count
columns by the slow references' names, and a ledger's packed series."""

from __future__ import annotations

from smmsim._kernels import driver
from smmsim._kernels.layout import COUNT_COLUMNS
from smmsim.series import PackedSeries

#: Count columns by the names the slow references use.
REFERENCE_COUNTS = {
    ("pending" if name == "pending_shares" else name): i for i, name in enumerate(COUNT_COLUMNS)
}


def dense_of(ledger, steps):
    """The ledger's per-step series as a dense ``(runs, steps, 5)`` array."""
    return PackedSeries(ledger.events, ledger.ev_start, ledger.used, steps).dense


def traced(kernel, args, seeds, steps, root, replicate, n, segment_of=None):
    """One recorded replicate of ``kernel`` through the driver: its per-user record
    (``kernel.traced``) followed by its counts, dense series and structural virality."""
    ledger, record = driver.trace(
        kernel, args, seeds, root, replicate, steps, n, segment_of=segment_of
    )
    return (*record, ledger.counts[0], dense_of(ledger, steps)[0], ledger.virality[0])
