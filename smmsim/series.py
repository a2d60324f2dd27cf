"""A batch's per-step series as kernels pack it, and the tables built from it.

A run of a long horizon is usually active for a few steps only: kernels store the rows
of the steps a run was active in, run after run, rather than a dense ``(runs, steps,
len(SERIES_COLUMNS))`` block. :class:`PackedSeries` holds those rows; the per-step
table (:func:`series_frame`), the CSV text of ``timeseries.csv`` (:func:`write_csv`),
cascade profiles and per-step totals are built from them, and a step after a run's last
row is a zero that is written, never read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

import numpy as np

from smmsim._kernels.layout import SERIES_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SERIES_COLUMNS",
    "PackedSeries",
    "as_packed",
    "series_frame",
    "series_profile",
    "step_means",
    "write_csv",
    "write_frame_csv",
]

#: Rows of CSV text formatted at a time (bounds the buffer).
CSV_BLOCK_ROWS = 1 << 16


class PackedSeries:
    """A batch's per-step series, packed: only the steps each run was active in.

    Run ``r``'s step ``t`` is row ``ev_start[r] + t`` of ``events`` for ``t <
    used[r]``; steps from ``used[r]`` to ``steps - 1`` had no events. Indexing,
    ``np.asarray`` and :attr:`dense` give the dense ``(runs, steps, 5)`` array (built
    once, on first use) for code that wants it; the tables and files are built from
    the packed rows.

    Parameters
    ----------
    events : ndarray of int64, shape (rows, len(SERIES_COLUMNS))
        The rows (a larger buffer of which only the rows of the runs are read is fine).
    ev_start : ndarray of int64, shape (R,)
        First row of each run.
    used : ndarray of int64, shape (R,)
        Rows of each run (its steps ``0 .. used - 1``).
    steps : int
        The horizon: steps of the dense array.
    """

    ndim = 3

    def __init__(self, events, ev_start, used, steps: int):
        self._dense: np.ndarray | None = None
        self._set(events, ev_start, used, steps)

    def _set(self, events, ev_start, used, steps) -> None:
        self._events = np.asarray(events, dtype=np.int64)
        self._ev_start = np.asarray(ev_start, dtype=np.int64)
        self._used = np.minimum(np.asarray(used, dtype=np.int64), int(steps))
        self.steps = int(steps)
        self.shape = (int(self._used.shape[0]), self.steps, len(SERIES_COLUMNS))

    @property
    def events(self) -> np.ndarray:
        """The rows (possibly a larger buffer; see :attr:`ev_start` and :attr:`used`)."""
        return self._events

    @property
    def ev_start(self) -> np.ndarray:
        """First row of each run."""
        return self._ev_start

    @property
    def used(self) -> np.ndarray:
        """Rows (active steps) of each run."""
        return self._used

    @classmethod
    def from_dense(cls, dense: np.ndarray) -> PackedSeries:
        """Pack a dense ``(runs, steps, len(SERIES_COLUMNS))`` array: each run keeps
        its steps through its last one with an event."""
        dense = np.asarray(dense)
        if dense.ndim != 3:
            raise ValueError(f"a per-step series has 3 dimensions, got shape {dense.shape}")
        steps = dense.shape[1]
        hit = dense.any(axis=2)
        used = np.where(hit.any(axis=1), steps - np.argmax(hit[:, ::-1], axis=1), 0)
        used = used.astype(np.int64)
        keep = np.arange(steps)[None, :] < used[:, None]
        events = np.ascontiguousarray(dense[keep], dtype=np.int64).reshape(-1, dense.shape[2])
        ev_start = np.concatenate([[0], np.cumsum(used)[:-1]]).astype(np.int64)
        out = cls(events, ev_start, used, steps)
        out._dense = dense
        return out

    @classmethod
    def concat(cls, parts: Sequence[PackedSeries | np.ndarray]) -> PackedSeries:
        """One series of the runs of ``parts`` in order (the longest horizon of them)."""
        packed = [as_packed(p) for p in parts]
        if len(packed) == 1:
            return packed[0]
        compact = [p.compact() for p in packed]
        used = np.concatenate([p._used for p in compact])
        events = np.concatenate([p._events for p in compact])
        ev_start = np.concatenate([[0], np.cumsum(used)[:-1]]).astype(np.int64)
        return cls(events, ev_start, used, max(p.steps for p in packed))

    def compact(self) -> PackedSeries:
        """The same series with only the runs' rows, run after run (``self`` when they
        already are)."""
        used, start = self.used, self.ev_start
        total = int(used.sum())
        bounds = np.concatenate([[0], np.cumsum(used)[:-1]])
        if self._events.shape[0] == total and np.array_equal(start, bounds):
            return self
        from smmsim._kernels.series import gather_rows

        rows = np.empty((total, self._events.shape[1]), dtype=np.int64)
        gather_rows(self._events, start, used, rows)
        return PackedSeries(rows, bounds.astype(np.int64), used, self.steps)

    def truncated(self, steps: int) -> PackedSeries:
        """The first ``steps`` steps (the same rows)."""
        out = PackedSeries(self.events, self.ev_start, self.used, steps)
        return out

    @property
    def cut(self) -> int:
        """One past the last step any run has a row for."""
        return int(self.used.max(initial=0))

    def last_active(self) -> int:
        """One past the last step in which some run had an event (0 when none had)."""
        from smmsim._kernels.series import last_active

        return int(last_active(self.events, self.ev_start, self.used))

    @property
    def dense(self) -> np.ndarray:
        """The dense ``(runs, steps, len(SERIES_COLUMNS))`` array (built on first
        access, then kept)."""
        if self._dense is None:
            R, steps, k = self.shape
            cols = np.zeros((k, R * steps), dtype=np.int64)
            if R and steps:
                from smmsim._kernels.series import fill_columns

                fill_columns(self._events, self._ev_start, self._used, steps, cols)
            self._dense = cols.reshape(k, R, steps).transpose(1, 2, 0)
        return self._dense

    def __getitem__(self, key):
        return self.dense[key]

    def __array__(self, dtype=None, copy=None):
        a = self.dense
        return a if dtype is None else a.astype(dtype)

    def __len__(self) -> int:
        return self.shape[0]

    def __getstate__(self) -> dict:
        # only the runs' rows travel (a kernel's buffer has room for every step)
        c = self.compact()
        return {"events": c._events, "ev_start": c._ev_start, "used": c._used, "steps": c.steps}

    def __setstate__(self, state: dict) -> None:
        self._dense = None
        self._set(state["events"], state["ev_start"], state["used"], state["steps"])

    def __repr__(self) -> str:
        return f"PackedSeries(runs={self.shape[0]}, steps={self.steps})"


def as_packed(series: PackedSeries | np.ndarray) -> PackedSeries:
    """``series`` as a :class:`PackedSeries` (a dense array is packed)."""
    if isinstance(series, PackedSeries):
        return series
    return PackedSeries.from_dense(np.asarray(series))


def series_profile(
    series: PackedSeries | np.ndarray, cut: int, peak_column: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Cascade depth and peak step of each run (see
    :func:`smmsim._kernels.funnel.series_profile`), from packed rows when packed."""
    if isinstance(series, PackedSeries) and series._dense is None:
        from smmsim._kernels.series import profile

        return profile(series.events, series.ev_start, series.used, int(peak_column))
    from smmsim._kernels.funnel import series_profile as dense_profile

    return dense_profile(np.asarray(series), int(cut), int(peak_column))


def _steps_of(series: PackedSeries, steps: int | None) -> int:
    """Steps of the table: ``steps``, or through the last step with an event (at least
    one)."""
    if steps is None:
        return max(1, series.last_active())
    return int(steps)


def series_frame(
    series: PackedSeries | np.ndarray, first: int = 0, steps: int | None = None
) -> pd.DataFrame:
    """Tidy per-step table: one row per (run, step), new events per step.

    Parameters
    ----------
    series : PackedSeries or ndarray of shape (R, steps, len(SERIES_COLUMNS))
    first : int
        Number of the first run.
    steps : int, optional
        Rows per run (default: through the last step in which any run had an event).
    """
    import pandas as pd

    s = as_packed(series)
    steps = _steps_of(s, steps)
    R = len(s)
    cols = np.zeros((len(SERIES_COLUMNS), R * steps), dtype=np.int64)
    if R and steps:
        from smmsim._kernels.series import fill_columns

        fill_columns(s.events, s.ev_start, s.used, steps, cols)
    frame = {
        "run": np.repeat(np.arange(first, first + R), steps),
        "step": np.tile(np.arange(steps), R),
    }
    for i, name in enumerate(SERIES_COLUMNS):
        frame[name] = cols[i]
    return pd.DataFrame(frame)


def step_means(series: PackedSeries | np.ndarray, steps: int | None = None) -> np.ndarray:
    """Mean new events per step over the runs: ``(steps, len(SERIES_COLUMNS))``."""
    from smmsim._kernels.series import step_totals

    s = as_packed(series)
    steps = _steps_of(s, steps)
    out = np.zeros((steps, len(SERIES_COLUMNS)), dtype=np.int64)
    step_totals(s.events, s.ev_start, s.used, out)
    return out / max(len(s), 1)


def _eol() -> np.ndarray:
    return np.frombuffer(os.linesep.encode(), dtype=np.uint8)


def _digits(x: int) -> int:
    return len(str(int(x)))


def write_csv(
    path: str | os.PathLike,
    series: PackedSeries | np.ndarray,
    first: int = 0,
    steps: int | None = None,
    append: bool = False,
    dates: Sequence[str] | None = None,
) -> None:
    """Write the rows of :func:`series_frame` as CSV to ``path`` (with a header line
    unless ``append``, which adds the rows to the end of the file).

    The text is what ``series_frame(series, first, steps).to_csv(path, index=False)``
    writes, formatted straight from the packed rows, a block of runs at a time. With
    ``dates`` (the text of each step's date, :meth:`smmsim.timeline.Timeline.labels`),
    a ``date`` column follows ``step``.
    """
    with open(path, "ab" if append else "wb") as fh:
        _write_packed(fh, series, first, steps, not append, dates)


def _dated(block: np.ndarray, step_of_line: np.ndarray, fields: int, dates: np.ndarray):
    """CSV lines ``block`` (``fields`` fields each, the second the step) with ``,date``
    inserted after the step; ``dates`` is ``(steps, width)`` bytes, one row a step."""
    commas = np.flatnonzero(block == 44)
    at = commas[1 :: fields - 1]  # the comma after each line's step
    width = dates.shape[1]
    values = np.empty((at.size, width + 1), dtype=np.uint8)
    values[:, 0] = 44
    values[:, 1:] = dates[step_of_line]
    return np.insert(block, np.repeat(at, width + 1), values.ravel())


def _date_bytes(dates: Sequence[str]) -> np.ndarray:
    """The dates' text as a ``(steps, width)`` byte array (every date is as long)."""
    return np.frombuffer("".join(dates).encode(), dtype=np.uint8).reshape(len(dates), -1)


def _write_packed(
    fh: IO[bytes], series, first: int, steps: int | None, header: bool, dates=None
) -> None:
    from smmsim._kernels.series import csv_packed

    s = as_packed(series)
    steps = _steps_of(s, steps)
    eol = _eol()
    if header:
        names = ("run", "step", *(("date",) if dates is not None else ()), *SERIES_COLUMNS)
        fh.write(",".join(names).encode() + eol.tobytes())
    R = len(s)
    if not R or not steps:
        return
    c = s.compact()
    events, ev_start, used = c.events, c.ev_start, c.used
    peak = int(np.abs(events).max(initial=0))
    width = (
        _digits(first + R)
        + _digits(steps)
        + len(SERIES_COLUMNS) * (_digits(peak) + 1)
        + len(SERIES_COLUMNS)
        + 1
        + eol.size
        + 1
    )
    per_block = max(1, CSV_BLOCK_ROWS // steps)
    buf = np.empty(width * steps * min(per_block, R), dtype=np.uint8)
    for r0 in range(0, R, per_block):
        r1 = min(R, r0 + per_block)
        n = csv_packed(int(first), events, ev_start, used, steps, r0, r1, eol, buf)
        if dates is None:
            fh.write(buf[:n].data)
        else:
            lines = np.tile(np.arange(steps), r1 - r0)
            block = _dated(buf[:n], lines, 2 + len(SERIES_COLUMNS), _date_bytes(dates[:steps]))
            fh.write(block.data)


def write_frame_csv(
    path: str | os.PathLike,
    frame: pd.DataFrame,
    append: bool = False,
    dates: Sequence[str] | None = None,
) -> None:
    """Write ``frame`` as ``frame.to_csv(path, index=False)`` does (with ``append``,
    ``mode="a", header=False``); integer tables such as the per-step table are
    formatted by compiled code. With ``dates`` (the text of each step's date), the
    per-step table gets a ``date`` column after ``step`` (one it has is replaced)."""
    if dates is not None:
        frame = frame.drop(columns="date", errors="ignore")
        if _plain_ints(frame) and list(frame.columns[:2]) == ["run", "step"]:
            with open(path, "ab" if append else "wb") as fh:
                _write_ints(fh, frame, not append, dates)
            return
        frame = frame.copy()
        frame.insert(2, "date", np.asarray(dates, dtype=object)[frame["step"].to_numpy()])
    if not _plain_ints(frame):
        frame.to_csv(path, mode="a" if append else "w", header=not append, index=False)
        return
    with open(path, "ab" if append else "wb") as fh:
        _write_ints(fh, frame, not append)


def _plain_ints(frame: pd.DataFrame) -> bool:
    """Numpy integer columns under plain names (nothing the CSV would quote)."""
    return (
        frame.shape[1] > 0
        and all(isinstance(t, np.dtype) and np.issubdtype(t, np.integer) for t in frame.dtypes)
        and all(isinstance(c, str) and c and not set(c) & set(',"\r\n') for c in frame.columns)
    )


def _write_ints(fh: IO[bytes], frame: pd.DataFrame, header: bool, dates=None) -> None:
    from smmsim._kernels.series import csv_ints

    eol = _eol()
    if header:
        names = list(frame.columns)
        if dates is not None:
            names.insert(2, "date")
        fh.write(",".join(names).encode() + eol.tobytes())
    n = len(frame)
    if not n:
        return
    cols = np.ascontiguousarray(frame.to_numpy(dtype=np.int64).T)
    width = frame.shape[1] * (_digits(int(np.abs(cols).max())) + 2) + eol.size
    block = CSV_BLOCK_ROWS
    buf = np.empty(width * min(block, n), dtype=np.uint8)
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        m = csv_ints(cols, i0, i1, eol, buf)
        if dates is None:
            fh.write(buf[:m].data)
        else:
            fh.write(_dated(buf[:m], cols[1, i0:i1], frame.shape[1], _date_bytes(dates)).data)
