"""What the kernel tests share: reading a ledger's packed series."""

from __future__ import annotations

from smmsim.series import PackedSeries


def dense_of(ledger, steps):
    """The ledger's per-step series as a dense ``(runs, steps, 5)`` array."""
    return PackedSeries(ledger.events, ledger.ev_start, ledger.used, steps).dense
