"""Users' attributes: categorical columns (age band, region, interest, ...) of an audience.

An attribute is stored as ``(codes, values)``: an ``int32`` array with one code per
user and the tuple of the values the codes stand for (``values[codes[v]]`` is user
``v``'s value). Attributes come from a table joined by user id
(:func:`read_attribute_table`, ``audience.attributes`` in a scenario) or are drawn from
given shares (:func:`draw_attributes`, ``audience.draw``); :func:`with_attributes`
puts them on a graph, beside the segments a generator made (attribute ``segment``).

Every problem with a table is one line, ``path:line: problem`` (``path: row N:`` for
Parquet), naming what is wrong and what is allowed.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from smmsim.errors import UserError
from smmsim.params import ParamError, describe_value

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph

__all__ = [
    "ID_COLUMN",
    "AttributeTableError",
    "Attributes",
    "check_draw",
    "draw_attributes",
    "read_attribute_table",
    "with_attributes",
]

#: The column of an attribute table that holds the user ids.
ID_COLUMN = "user"
#: Attribute name of the segments a generator (or a networkx attribute) made.
SEGMENT_ATTRIBUTE = "segment"
#: Keys the stream of drawn attributes apart from the graph's own randomness.
DRAW_STREAM = 0xA77B
#: How far the shares of a drawn attribute may sum from 1.
SHARE_TOLERANCE = 1e-9
#: Ids named in a "users missing" message.
SHOWN_IDS = 5

Attributes = dict[str, tuple[np.ndarray, tuple[str, ...]]]


class AttributeTableError(UserError):
    """An attribute table cannot be joined to the audience: one line,
    ``path:line: problem`` (``path: problem`` when no line is to blame)."""

    __module__ = "smmsim.errors"

    @classmethod
    def at(cls, source: str, line: int | str | None, problem: str) -> AttributeTableError:
        """The error for ``problem`` at ``line`` (a CSV line number, or ``"row N"``)."""
        if line is None:
            return cls(f"{source}: {problem}")
        if isinstance(line, int):
            return cls(f"{source}:{line}: {problem}")
        return cls(f"{source}: {line}: {problem}")


# ---------------------------------------------------------------------- drawn attributes
def check_draw(value: Any, key: str) -> dict[str, dict[str, float]] | None:
    """A :class:`~smmsim.params.Param` check for ``audience.draw``: a mapping of
    attribute names to ``{value: share}`` mappings whose shares (each in [0, 1]) sum to 1
    within :data:`SHARE_TOLERANCE`. Returns it with values as text and shares as floats."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value:
        raise ParamError(
            key,
            "must be a mapping of attribute names to {value: share} mappings, e.g. "
            f'{{age_band: {{"18-34": 0.6, "35+": 0.4}}}}, got {describe_value(value)}',
        )
    out: dict[str, dict[str, float]] = {}
    for name, shares in value.items():
        where = f"{key}.{name}"
        if not isinstance(name, str) or not name.strip():
            raise ParamError(
                key, f"attribute names must be non-empty text, got {describe_value(name)}"
            )
        if name == ID_COLUMN:
            raise ParamError(where, f"{ID_COLUMN!r} is the user id, not an attribute")
        if not isinstance(shares, Mapping) or not shares:
            raise ParamError(
                where,
                f"must be a mapping of values to shares summing to 1, got {describe_value(shares)}",
            )
        row: dict[str, float] = {}
        for v, share in shares.items():
            if isinstance(v, bool) or not isinstance(v, str | int) or not str(v).strip():
                raise ParamError(where, f"values must be non-empty text, got {describe_value(v)}")
            ok = isinstance(share, numbers.Real) and not isinstance(share, bool)
            if not ok or not (math.isfinite(float(share)) and 0 <= float(share) <= 1):
                raise ParamError(
                    f"{where}.{v}", f"must be a share in [0, 1], got {describe_value(share)}"
                )
            if str(v) in row:
                raise ParamError(where, f"value {str(v)!r} is listed twice")
            row[str(v)] = float(share)
        total = math.fsum(row.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ParamError(where, f"shares must sum to 1, got {total:.12g}")
        out[name] = row
    return out


def draw_attributes(n: int, shares: Mapping[str, Mapping[str, float]], seed: int) -> Attributes:
    """Draw each user's value of every attribute of ``shares`` independently.

    Parameters
    ----------
    n : int
        Number of users.
    shares : mapping
        ``{attribute: {value: share}}`` (see :func:`check_draw`); the values keep their
        order.
    seed : int
        The audience's seed: the same seed draws the same attributes.

    Returns
    -------
    dict
        ``{attribute: (codes, values)}``.
    """
    out: Attributes = {}
    for i, (name, row) in enumerate(shares.items()):
        values = tuple(str(v) for v in row)
        p = np.array([float(x) for x in row.values()], dtype=np.float64)
        p = p / p.sum()
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), DRAW_STREAM, i]))
        cdf = np.cumsum(p)
        cdf[-1] = 1.0
        codes = np.searchsorted(cdf, rng.random(int(n)), side="right").astype(np.int32)
        out[name] = (np.minimum(codes, len(values) - 1).astype(np.int32), values)
    return out


# ---------------------------------------------------------------------- attribute tables
def read_attribute_table(path: str | Path, graph: CSRGraph, shown: str | None = None) -> Attributes:
    """The attributes of ``graph``'s users from a CSV or Parquet table.

    The table has a :data:`ID_COLUMN` column of user ids (the audience's ids, or its
    labels for an edge list read with text labels) and one column per attribute. Every
    user of the audience has exactly one row, and no value is empty.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.parquet`` / ``.pq`` files are read as Parquet, anything else as CSV.
    graph : CSRGraph
        The audience the table describes.
    shown : str, optional
        The file's name in messages (default: ``path``).

    Returns
    -------
    dict
        ``{attribute: (codes, values)}``, the values of each attribute sorted.

    Raises
    ------
    AttributeTableError
        Naming the file, the line (CSV) or row (Parquet) and the problem: no id column,
        an unknown or repeated id, users without a row, an empty value, a short row.
    """
    path = Path(path)
    source = str(path) if shown is None else shown
    if path.suffix.lower() in (".parquet", ".pq"):
        header, rows, where = _parquet_rows(path, source)
    else:
        header, rows, where = _csv_rows(path, source)
    return _join(header, rows, where, graph, source)


def _csv_rows(path: Path, source: str) -> tuple[list[str], list[list[str]], Any]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AttributeTableError.at(source, None, f"is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise AttributeTableError.at(source, None, f"cannot be read: {exc.strerror}") from None
    lines = list(csv.reader(io.StringIO(text, newline="")))
    numbered = [(i + 1, row) for i, row in enumerate(lines) if any(x.strip() for x in row)]
    if not numbered:
        raise AttributeTableError.at(
            source, None, f"is empty; expected a header line with a {ID_COLUMN!r} column"
        )
    first, header = numbered[0]
    header = [h.strip() for h in header]
    _check_header(header, source, first)
    width = len(header)
    rows = []
    line_of = []
    for line, row in numbered[1:]:
        if len(row) != width:
            raise AttributeTableError.at(
                source,
                line,
                f"expected {width} fields ({', '.join(header)}), got {len(row)}",
            )
        rows.append([x.strip() for x in row])
        line_of.append(line)
    return header, rows, lambda i: line_of[i]


def _parquet_rows(path: Path, source: str) -> tuple[list[str], list[list[str]], Any]:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:
        raise AttributeTableError.at(
            source, None, f"cannot be read as Parquet ({type(exc).__name__})"
        ) from None
    header = [str(c).strip() for c in frame.columns]
    _check_header(header, source, None)
    cols = []
    for c in frame.columns:
        col = frame[c]
        cols.append(["" if _missing(x) else str(x).strip() for x in col.tolist()])
    rows = [list(r) for r in zip(*cols, strict=True)] if cols else []
    return header, rows, lambda i: f"row {i + 1}"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _check_header(header: list[str], source: str, line: int | None) -> None:
    if ID_COLUMN not in header:
        close = difflib.get_close_matches(ID_COLUMN, header, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise AttributeTableError.at(
            source,
            line,
            f"no {ID_COLUMN!r} column of user ids; the header has: {', '.join(header)}{hint}",
        )
    seen: set[str] = set()
    for h in header:
        if not h:
            raise AttributeTableError.at(source, line, "a column has no name")
        if h in seen:
            raise AttributeTableError.at(source, line, f"column {h!r} appears twice")
        seen.add(h)
    if len(header) < 2:
        raise AttributeTableError.at(
            source, line, f"has no attribute columns besides {ID_COLUMN!r}"
        )


def _user_index(graph: CSRGraph) -> tuple[Any, str]:
    """A function from an id as written to the user's index (``None`` if unknown), and
    how the audience's ids look (for messages)."""
    n = graph.n
    if graph.labels is None:

        def index(token: str) -> int | None:
            try:
                v = int(token)
            except ValueError:
                return None
            return v if 0 <= v < n else None

        return index, f"ids 0..{n - 1}"
    lookup = {str(label): i for i, label in enumerate(graph.labels.tolist())}
    sample = ", ".join(str(x) for x in graph.labels[:3].tolist())
    return lookup.get, f"{n:,} users with ids such as {sample}"


def _join(header, rows, where, graph: CSRGraph, source: str) -> Attributes:
    n = graph.n
    index, known = _user_index(graph)
    id_col = header.index(ID_COLUMN)
    order = np.full(n, -1, dtype=np.int64)  # row of each user
    for i, row in enumerate(rows):
        token = row[id_col]
        if not token:
            raise AttributeTableError.at(source, where(i), f"empty {ID_COLUMN!r} id")
        v = index(token)
        if v is None:
            raise AttributeTableError.at(
                source, where(i), f"unknown user id {token!r} (the audience has {known})"
            )
        if order[v] >= 0:
            raise AttributeTableError.at(
                source,
                where(i),
                f"user {token!r} has a second row (the first is at {_at(where(int(order[v])))})",
            )
        order[v] = i
        for j, x in enumerate(row):
            if not x:
                raise AttributeTableError.at(
                    source, where(i), f"empty value in column {header[j]!r} (user {token!r})"
                )
    missing = np.flatnonzero(order < 0)
    if missing.size:
        first = ", ".join(str(graph.label_of(int(v))) for v in missing[:SHOWN_IDS])
        more = ", ..." if missing.size > SHOWN_IDS else ""
        raise AttributeTableError.at(
            source,
            None,
            f"{missing.size:,} of the audience's {n:,} users "
            f"{'has' if missing.size == 1 else 'have'} no row (every user needs one): "
            f"{first}{more}",
        )
    out: Attributes = {}
    for j, name in enumerate(header):
        if j == id_col:
            continue
        column = [rows[int(r)][j] for r in order]
        values, codes = np.unique(np.asarray(column, dtype=object).astype(str), return_inverse=True)
        out[name] = (codes.astype(np.int32).reshape(n), tuple(str(v) for v in values))
    return out


def _at(where: int | str) -> str:
    return f"line {where}" if isinstance(where, int) else where


# ---------------------------------------------------------------------- on the graph
def with_attributes(graph: CSRGraph, attributes: Attributes, key: str = "audience") -> CSRGraph:
    """``graph`` with ``attributes`` added to its own (a generator's segments become
    attribute :data:`SEGMENT_ATTRIBUTE`).

    Raises
    ------
    ParamError
        If an attribute is given twice (drawn and in the table, or named ``segment`` on
        an audience with segments).
    """
    merged: Attributes = dict(graph.attributes)
    if graph.segments is not None and SEGMENT_ATTRIBUTE not in merged:
        names = graph.segment_names or tuple(
            str(i) for i in range(int(graph.segments.max(initial=-1)) + 1)
        )
        merged[SEGMENT_ATTRIBUTE] = (np.ascontiguousarray(graph.segments, np.int32), tuple(names))
    for name, pair in attributes.items():
        if name in merged:
            raise ParamError(
                key,
                f"attribute {name!r} is given twice (the audience already has it: drawn, "
                "from the table or the generator's segments); rename one",
            )
        merged[name] = pair
    return dataclasses.replace(graph, attributes=merged, _cache={})
