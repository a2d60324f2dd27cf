"""Reading packed per-step series: tables, profiles, per-step totals and CSV text.

A batch's per-step series is packed (see :class:`smmsim.series.PackedSeries`): run
``r``'s step ``t`` is row ``ev_start[r] + t`` of ``events`` for ``t < used[r]``, and the
steps from ``used[r]`` on had no events. Everything here reads those rows alone; the
steps after a run's last row are zeros that are written (as table cells or CSV text),
never read from a dense ``(runs, steps, columns)`` block.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit


@jit
def last_active(events, ev_start, used):
    """One past the last step in which some run had an event (0 when none had)."""
    last = 0
    for r in range(used.shape[0]):
        for t in range(used[r] - 1, last - 1, -1):
            row = ev_start[r] + t
            hit = False
            for k in range(events.shape[1]):
                if events[row, k] != 0:
                    hit = True
                    break
            if hit:
                last = t + 1
                break
    return last


@jit
def fill_columns(events, ev_start, used, steps, out):
    """Write run ``r``'s step ``t < steps`` into column ``r * steps + t`` of ``out``
    (``(columns, runs * steps)``, zeroed by the caller)."""
    for r in range(used.shape[0]):
        base = r * steps
        for t in range(min(used[r], steps)):
            row = ev_start[r] + t
            for k in range(events.shape[1]):
                out[k, base + t] = events[row, k]


@jit
def gather_rows(events, ev_start, used, out):
    """Copy every run's rows, run after run, into ``out`` (``sum(used)`` rows)."""
    pos = 0
    for r in range(used.shape[0]):
        for t in range(used[r]):
            for k in range(events.shape[1]):
                out[pos, k] = events[ev_start[r] + t, k]
            pos += 1


@jit
def profile(events, ev_start, used, peak_column):
    """Cascade depth and peak step of each run (as
    :func:`smmsim._kernels.funnel.series_profile` gives them from a dense series)."""
    n = used.shape[0]
    depth = np.zeros(n, dtype=np.int64)
    peak = np.zeros(n, dtype=np.int64)
    for r in range(n):
        best = -1
        for t in range(used[r]):
            row = ev_start[r] + t
            v = events[row, peak_column]
            if v > best:
                best = v
                peak[r] = t
            if events[row, 3] > 0:  # new sharers (the shares column)
                depth[r] = t
    return depth, peak


@jit
def step_totals(events, ev_start, used, out):
    """Add every run's events of step ``t < out.shape[0]`` to ``out[t]``."""
    steps = out.shape[0]
    for r in range(used.shape[0]):
        for t in range(min(used[r], steps)):
            row = ev_start[r] + t
            for k in range(events.shape[1]):
                out[t, k] += events[row, k]


@jit
def _put_int(buf, pos, v):
    if v < 0:
        buf[pos] = 45  # '-'
        pos += 1
        v = -v
    if v == 0:
        buf[pos] = 48
        return pos + 1
    n = 0
    x = v
    while x > 0:
        n += 1
        x //= 10
    end = pos + n
    for i in range(n):
        buf[end - 1 - i] = 48 + v % 10
        v //= 10
    return end


@jit
def csv_packed(first, events, ev_start, used, steps, r0, r1, eol, buf):
    """CSV lines ``run,step,<columns>`` of runs ``r0 .. r1 - 1`` and steps ``0 ..
    steps - 1`` into ``buf``; returns the bytes written. Steps at or after a run's
    ``used`` are written as zeros."""
    pos = 0
    n_cols = events.shape[1]
    for r in range(r0, r1):
        u = min(used[r], steps)
        for t in range(steps):
            pos = _put_int(buf, pos, first + r)
            buf[pos] = 44
            pos = _put_int(buf, pos + 1, t)
            if t < u:
                row = ev_start[r] + t
                for k in range(n_cols):
                    buf[pos] = 44
                    pos = _put_int(buf, pos + 1, events[row, k])
            else:
                for _ in range(n_cols):
                    buf[pos] = 44
                    buf[pos + 1] = 48
                    pos += 2
            for i in range(eol.shape[0]):
                buf[pos] = eol[i]
                pos += 1
    return pos


@jit
def csv_ints(columns, i0, i1, eol, buf):
    """CSV lines of rows ``i0 .. i1 - 1`` of integer ``columns`` (``(k, n)``) into
    ``buf``; returns the bytes written."""
    pos = 0
    k = columns.shape[0]
    for i in range(i0, i1):
        for j in range(k):
            if j:
                buf[pos] = 44
                pos += 1
            pos = _put_int(buf, pos, columns[j, i])
        for e in range(eol.shape[0]):
            buf[pos] = eol[e]
            pos += 1
    return pos
