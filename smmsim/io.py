"""Reading and writing audiences as edge lists, and the packaged Facebook audience.

An edge list is a text file with one tie per line, ``source target [weight]``, as
distributed by SNAP (Leskovec and Krevl, 2014) and written by most network tools.
Integer ids are parsed by a numba kernel over the file's bytes; files declared to name
users with strings (``labels="string"``) are read by a plain Python parser that follows
the same grammar.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from smmsim._config import FLOAT, INDEX
from smmsim._kernels import edgelist as _k
from smmsim._text import is_utf8
from smmsim.errors import UserError
from smmsim.graph import CSRGraph

__all__ = ["EdgeListError", "facebook", "read_edgelist", "write_edgelist"]

PathLike = str | os.PathLike

_BOM = b"\xef\xbb\xbf"
_WS_BYTES = b" \t\v\f\r"
_INT_RE = re.compile(rb"([+-]?)0*([0-9]+)\Z")
_FLOAT_RE = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_W_MODES = {None: _k.W_AUTO, True: _k.W_REQUIRED, False: _k.W_IGNORED}
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
LABELS = ("int", "string")


class EdgeListError(UserError):
    """An edge-list file cannot be read.

    The message is a single line, ``path:line: problem``, that says what is allowed.
    ``source`` and ``line`` (``None`` when no line is to blame) are kept as attributes.

    Examples
    --------
    >>> str(EdgeListError.at("data/x.txt", 17, "expected 2 or 3 columns, got 4"))
    'data/x.txt:17: expected 2 or 3 columns, got 4'
    """

    source: str | None = None
    line: int | None = None

    @classmethod
    def at(cls, source: str, line: int | None, problem: str) -> EdgeListError:
        """Build the error for ``problem`` at ``line`` of ``source``."""
        where = f"{source}:{line}" if line else source
        err = cls(f"{where}: {problem}")
        err.source = source
        err.line = line
        return err


@dataclass(frozen=True)
class _Parsed:
    """Arcs with internal ids 0..n-1, their weights and the original label of each id."""

    src: np.ndarray
    dst: np.ndarray
    weights: np.ndarray | None
    labels: np.ndarray


# ---------------------------------------------------------------------------- helpers
def _show(token: bytes) -> str:
    """A token for an error message: quoted, escaped to one line, truncated."""
    text = token[:40].decode("utf-8", errors="replace")
    return repr(text + ("..." if len(token) > 40 else ""))


def _ncols_problem(got: int, wmode: int, first_line: int, first_ncols: int) -> str:
    if wmode == _k.W_REQUIRED:
        return f"expected 3 columns (source target weight), got {got}"
    if got not in (2, 3):
        return f"expected 2 or 3 columns (source target [weight]), got {got}"
    return (
        f"expected {first_ncols} columns as on line {first_line}, got {got} "
        "(to ignore a third column: audience.weighted: false in a scenario, "
        "weighted=False in read_edgelist)"
    )


def _empty_problem(delim: int) -> str:
    return f"empty field (columns are separated by {chr(delim)!r})"


def _weight_problem(token: bytes) -> str:
    return f"bad weight {_show(token)} (expected a finite number >= 0 such as 0.5 or 2e-3)"


def _negative_weight_problem(token: bytes) -> str:
    return f"negative weight {_show(token)} (tie strengths must be >= 0)"


def _id_problem(token: bytes) -> str:
    """Why a node id of a file of integer ids is refused."""
    if b"\x00" in token:
        return f"NUL byte in node id {_show(token)} (is this a binary file?)"
    return (
        f"node id {_show(token)} is not an integer (ids are whole numbers; for users "
        "named by text: audience.labels: string in a scenario, labels='string' in "
        "read_edgelist)"
    )


def _slow_weight(token: bytes) -> float | None:
    """Exact value of a weight token, or ``None`` if it is malformed or not finite."""
    if _FLOAT_RE.match(token) is None:
        return None
    value = float(token)
    return value if math.isfinite(value) else None


def _check_weight(token: bytes, source: str, line: int) -> float:
    """The weight of ``token``, or the error for a malformed, infinite or negative one."""
    value = _slow_weight(token)
    if value is None:
        raise EdgeListError.at(source, line, _weight_problem(token))
    if value < 0:
        raise EdgeListError.at(source, line, _negative_weight_problem(token))
    return value


def _as_int64(token: bytes) -> int | None:
    """The token as an int64 when it is ``[+-]digits`` in range, else ``None``."""
    match = _INT_RE.match(token)
    if match is None or len(match.group(2)) > 19:
        return None
    value = int(match.group(1) + match.group(2))
    return value if _INT64_MIN <= value <= _INT64_MAX else None


# The one-character options of read_edgelist: the values with a meaning of their own
# (and the kernel's code for each), how the message names them, the punctuation
# characters refused, and examples for the message.
_CHAR_OPTIONS = {
    "comment": ({None: _k.NO_COMMENT, "": _k.NO_COMMENT}, "None", " +-.", "'#' or '%'"),
    "delimiter": (
        {None: _k.AUTO, " ": _k.WHITESPACE, "\t": _k.WHITESPACE},
        "None, ' ', '\\t'",
        "+-.",
        "',' or ';'",
    ),
}


def _char_option(name: str, value: object) -> int:
    """The kernel's code for the one-character option ``name`` of read_edgelist.

    Besides its own special values, the option takes one printable ASCII punctuation
    character, which the kernel receives as its code point.
    """
    special, named, refused, examples = _CHAR_OPTIONS[name]
    if (value is None or isinstance(value, str)) and value in special:
        return special[value]
    if (
        isinstance(value, str)
        and len(value) == 1
        and value.isascii()
        and value.isprintable()
        and not value.isalnum()
        and value not in refused
    ):
        return ord(value)
    raise ValueError(
        f"The {name!r} parameter of read_edgelist must be {named} or one ASCII "
        f"punctuation character such as {examples}, got {value!r}."
    )


def _resolve_options(
    delimiter: str | None, comment: str | None, weighted: bool | None, labels: str = "int"
) -> tuple[int, int, int]:
    """Check the reader's options and encode them as the kernel's integers."""
    if labels not in LABELS:
        raise ValueError(
            f"The 'labels' parameter of read_edgelist must be 'int' or 'string', got {labels!r}."
        )
    if not isinstance(weighted, bool | None):
        raise ValueError(
            f"The 'weighted' parameter of read_edgelist must be None, True or False, "
            f"got {weighted!r}."
        )
    com = _char_option("comment", comment)
    delim = _char_option("delimiter", delimiter)
    if delim == com and com != _k.NO_COMMENT:
        raise ValueError(
            f"The 'delimiter' and 'comment' parameters of read_edgelist must differ, "
            f"both are {delimiter!r}."
        )
    return delim, com, _W_MODES[weighted]


# ---------------------------------------------------------------------------- parsers
def _parse_fast(buf: np.ndarray, source: str, delim: int, comment: int, wmode: int) -> _Parsed:
    """Parse an edge list of integer ids with the numba kernel."""
    start = 3 if bytes(buf[:3]) == _BOM else 0
    src, dst, w, m, status, info, delim, slow = _k.parse_edgelist(buf, start, delim, comment, wmode)
    # weights the kernel could not convert exactly all lie before any problem it reports
    for edge, a, b, line in slow.reshape(-1, 4).tolist():
        w[edge] = _check_weight(bytes(buf[a:b]), source, line)
    line, got = int(info[0]), int(info[1])
    token = bytes(buf[info[2] : info[3]])
    if status == _k.NOT_INT:
        raise EdgeListError.at(source, line, _id_problem(token))
    if status == _k.NEGATIVE_WEIGHT:
        raise EdgeListError.at(source, line, _negative_weight_problem(token))
    if status == _k.BAD_NCOLS:
        raise EdgeListError.at(source, line, _ncols_problem(got, wmode, int(info[4]), int(info[5])))
    if status == _k.EMPTY_FIELD:
        raise EdgeListError.at(source, line, _empty_problem(delim))
    if status == _k.BAD_WEIGHT:
        raise EdgeListError.at(source, line, _weight_problem(token))
    weighted = wmode == _k.W_REQUIRED or (wmode == _k.W_AUTO and info[5] == 3)
    labels, new_src, new_dst = _k.relabel(src, dst, m)
    return _Parsed(new_src, new_dst, w[:m].copy() if weighted else None, labels)


def _split_line(data: bytes, delim: int) -> tuple[list[bytes], bool]:
    """Fields of a line's data part and whether one of them is empty."""
    if delim == _k.WHITESPACE:
        return data.split(), False
    if not data.strip(_WS_BYTES):
        return [], False
    fields = [f.strip(_WS_BYTES) for f in data.split(bytes([delim]))]
    return fields, not all(fields)


def _parse_python(
    buf: np.ndarray | bytes,
    source: str,
    delim: int,
    comment: int,
    wmode: int,
    labels: str = "int",
) -> _Parsed:
    """Parse any edge list: the reference for the kernel (``labels="int"``) and the
    reader of files that name users with strings (``labels="string"``)."""
    strings = labels == "string"
    data = bytes(buf)
    if data.startswith(_BOM):
        data = data[3:]
    com = bytes([comment]) if comment != _k.NO_COMMENT else None
    tokens: list[bytes] = []
    ints: list[int] = []
    weights: list[float] = []
    first_line = first_ncols = 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if com is not None:
            cut = raw.find(com)
            if cut >= 0:
                raw = raw[:cut]
        if delim == _k.AUTO:
            if not raw.strip(_WS_BYTES):
                continue
            delim = 44 if b"," in raw else _k.WHITESPACE
        fields, empty = _split_line(raw, delim)
        if not fields:
            continue
        if empty:
            raise EdgeListError.at(source, number, _empty_problem(delim))
        got = len(fields)
        if got not in (2, 3) or (wmode == _k.W_REQUIRED and got != 3):
            raise EdgeListError.at(
                source, number, _ncols_problem(got, wmode, first_line, first_ncols)
            )
        if not first_line:
            first_line, first_ncols = number, got
        elif wmode == _k.W_AUTO and got != first_ncols:
            raise EdgeListError.at(
                source, number, _ncols_problem(got, wmode, first_line, first_ncols)
            )
        for token in fields[:2]:
            if not strings:
                value = _as_int64(token)
                if value is None:
                    raise EdgeListError.at(source, number, _id_problem(token))
                ints.append(value)
            else:
                try:
                    text = token.decode("utf-8")
                except UnicodeDecodeError:
                    problem = f"node label {_show(token)} is not valid UTF-8 text"
                    raise EdgeListError.at(source, number, problem) from None
                if "\x00" in text:
                    problem = f"NUL byte in node label {_show(token)} (is this a binary file?)"
                    raise EdgeListError.at(source, number, problem)
            tokens.append(token)
        if got == 3 and wmode != _k.W_IGNORED:
            weights.append(_check_weight(fields[2], source, number))
    m = len(tokens) // 2
    weighted = wmode == _k.W_REQUIRED or (wmode == _k.W_AUTO and first_ncols == 3)
    w = np.array(weights, dtype=FLOAT) if weighted else None
    if not strings:
        ids = np.array(ints, dtype=INDEX)
        labels, src, dst = _k.relabel(ids[0::2].copy(), ids[1::2].copy(), m)
        return _Parsed(src, dst, w, labels)
    text = [t.decode("utf-8") for t in tokens]
    names = sorted(set(text))
    index = {name: i for i, name in enumerate(names)}
    ids = np.fromiter((index[t] for t in text), dtype=INDEX, count=len(text))
    labels = np.empty(len(names), dtype=object)
    labels[:] = names
    return _Parsed(ids[0::2].copy(), ids[1::2].copy(), w, labels)


def _read_bytes(path: PathLike, source: str) -> np.ndarray:
    try:
        with open(path, "rb") as fh:
            return np.frombuffer(bytearray(fh.read()), dtype=np.uint8)
    except FileNotFoundError:
        raise EdgeListError.at(source, None, "no such file") from None
    except IsADirectoryError:
        raise EdgeListError.at(source, None, "is a directory, not an edge-list file") from None
    except PermissionError:
        raise EdgeListError.at(source, None, "permission denied") from None
    except OSError as exc:
        raise EdgeListError.at(source, None, f"cannot read ({exc.strerror or exc})") from None


# ---------------------------------------------------------------------------- public API
def read_edgelist(
    path: PathLike,
    *,
    directed: bool = False,
    weighted: bool | None = None,
    delimiter: str | None = None,
    comment: str | None = "#",
    name: str | None = None,
    labels: str = "int",
) -> CSRGraph:
    """Read an audience from an edge-list text file.

    Each data line holds one tie, ``source target [weight]``. For directed files a line
    ``u v`` means v follows u (v sees what u posts); undirected files give mutual ties.
    Self-loops and repeated ties are dropped (a repeat keeps the first weight).

    The grammar:

    * Lines end with ``\\n``; a ``\\r`` before it (Windows files) is ignored, as is a
      UTF-8 byte-order mark at the start of the file.
    * ``comment`` starts a comment that runs to the end of the line, at the start of a
      line (SNAP headers) or after the data. Blank lines are skipped.
    * Columns are separated by runs of whitespace, or by a single-character
      ``delimiter`` such as ``,`` with spaces around each field ignored. With
      ``delimiter=None`` the first data line decides: a comma in it means comma-separated,
      otherwise whitespace-separated.
    * With ``labels="int"`` (the default) node ids are decimal integers within int64
      (``-3``, ``+7`` and ``007`` are the integers -3, 7 and 7), kept as int64 labels; any
      other id (``four``, ``4O``) is an error naming its line, so a typo never becomes a
      new user. With ``labels="string"`` every id is kept as written, as a string label
      (UTF-8 text, no NUL bytes; ``007`` and ``7`` are two users). Labels cannot contain
      the comment character, nor whitespace unless a non-space delimiter is used.
    * Weights are decimal numbers, ``[+-]digits[.digits][e[+-]digits]`` (``.5`` and
      ``5.`` too), finite and not negative after conversion; they are converted exactly
      as Python's ``float`` converts them.

    Internal ids 0..n-1 follow the sorted order of the labels; ``labels[i]`` is the
    original id of internal user ``i``. Users appear only through their ties, so a user
    with none is not in the audience.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    directed : bool, default False
        Keep each line as a one-way arc ``source -> target``; otherwise a mutual tie.
    weighted : bool or None, default None
        ``None``: use the third column as tie strength when the first data line has
        three columns, and then require three on every line (a mix of two and three
        columns is an error). ``True``: every line must have a weight. ``False``: accept
        two or three columns and ignore the third (for example SNAP timestamps) without
        reading it.
    delimiter : str or None, default None
        ``None`` (detect), ``" "`` or ``"\\t"`` (any run of whitespace), or one ASCII
        punctuation character such as ``","`` or ``";"``.
    comment : str or None, default "#"
        One ASCII punctuation character that starts a comment, or ``None`` for none.
    name : str, optional
        Description stored on the graph; defaults to the file name.
    labels : {"int", "string"}, default "int"
        Whether users are named by integers or by any text (``audience.labels`` of a
        scenario).

    Returns
    -------
    CSRGraph
        With ``labels`` (int64 or object array of str) and ``weights`` when weighted.

    Raises
    ------
    EdgeListError
        If the file is missing or unreadable, holds no edge, or a line breaks the grammar.
        The one-line message names the file and line and says what is allowed, e.g.
        ``data/x.txt:17: expected 2 or 3 columns (source target [weight]), got 4``.
    ValueError
        If an option has a value not listed above (a programming error, not a
        :class:`~smmsim.errors.UserError`).

    See Also
    --------
    write_edgelist : the inverse, in the SNAP layout.
    facebook : the packaged SNAP ego-Facebook audience.

    References
    ----------
    .. [1] J. Leskovec and A. Krevl, "SNAP Datasets: Stanford Large Network Dataset
       Collection", http://snap.stanford.edu/data, 2014.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ties.csv"
    >>> _ = path.write_text("# who,whom,strength\\n10,20,0.5\\n20,30,1.5\\n")
    >>> g = read_edgelist(path)
    >>> g.n, g.n_edges, g.labels.tolist()
    (3, 2, [10, 20, 30])
    """
    delim, com, wmode = _resolve_options(delimiter, comment, weighted, labels)
    source = os.fsdecode(path)
    if not source.isprintable():
        source = repr(source)
    buf = _read_bytes(path, source)
    if labels == "int":
        parsed = _parse_fast(buf, source, delim, com, wmode)
    else:
        parsed = _parse_python(buf, source, delim, com, wmode, labels)
    if parsed.src.size == 0:
        raise EdgeListError.at(
            source, None, "no edges found (expected lines 'source target [weight]')"
        )
    return CSRGraph.from_edges(
        parsed.src,
        parsed.dst,
        parsed.labels.shape[0],
        directed=bool(directed),
        weights=parsed.weights,
        labels=parsed.labels,
        name=Path(source).name if name is None else name,
    )


def write_edgelist(graph: CSRGraph, path: PathLike, *, delimiter: str = "\t") -> None:
    """Write an audience as a SNAP-style edge list that :func:`read_edgelist` reads back.

    A ``#`` header names the graph and its size, then one line per tie with the original
    labels (internal ids when the graph has none) and the weight when the graph has
    weights, written with ``repr`` so that it reads back exactly. Undirected ties are
    written once. Users without ties are not written: an edge list cannot hold them.

    Parameters
    ----------
    graph : CSRGraph
        The audience.
    path : str or os.PathLike
        Destination file (overwritten).
    delimiter : str, default "\\t"
        Column separator: ``"\\t"``, ``" "`` or ``","``.

    Raises
    ------
    ValueError
        If a label cannot be written so that it reads back (empty, or containing
        whitespace, ``#``, the delimiter or a NUL byte), or a weight is not finite.

    Notes
    -----
    A graph with string labels reads back with ``labels="string"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> g = CSRGraph.from_edges([0, 1], [1, 2], labels=np.array([5, 6, 7]))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ties.txt"
    >>> write_edgelist(g, path)
    >>> read_edgelist(path).labels.tolist()
    [5, 6, 7]
    """
    if delimiter not in ("\t", " ", ","):
        raise ValueError(
            f"The 'delimiter' parameter of write_edgelist must be '\\t', ' ' or ',', "
            f"got {delimiter!r}."
        )
    src = np.repeat(np.arange(graph.n, dtype=INDEX), np.diff(graph.indptr))
    dst = graph.indices.astype(INDEX)
    keep = slice(None) if graph.directed else src < dst
    src, dst = src[keep], dst[keep]
    if graph.labels is None:
        names = None
    elif np.issubdtype(graph.labels.dtype, np.integer):
        names = [str(int(x)) for x in graph.labels]
    else:
        names = [str(x) for x in graph.labels]
        bad_chars = set(" \t\n\v\f\r#\x00" + delimiter)
        for label in names:
            if not label or bad_chars.intersection(label) or not is_utf8(label):
                raise ValueError(f"label {label!r} cannot be written to an edge list")
    columns = [src.tolist(), dst.tolist()]
    if names is not None:
        columns = [[names[i] for i in column] for column in columns]
    header = ["FromNodeId", "ToNodeId"]
    if graph.weights is not None:
        w = graph.weights[keep]
        if not np.isfinite(w).all():
            raise ValueError("weights must be finite to be written to an edge list")
        columns.append([repr(x) for x in w.tolist()])
        header.append("Weight")
    kind = "Directed" if graph.directed else "Undirected"
    title = " ".join(str(graph.name).split())
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# {kind} graph: {title}\n")
        fh.write(f"# Nodes: {graph.n} Edges: {len(columns[0])}\n")
        fh.write("# " + delimiter.join(header) + "\n")
        fmt = delimiter.join(["{}"] * len(columns))
        rows = zip(*columns, strict=True)
        while block := [fmt.format(*row) for row in islice(rows, 1 << 16)]:
            fh.write("\n".join(block) + "\n")


def facebook() -> CSRGraph:
    """The SNAP ego-Facebook audience shipped with smmsim.

    Ten Facebook users' friend circles, anonymised: 4,039 users, 88,234 mutual ties and
    an average clustering coefficient of 0.6055, a real, highly clustered audience.

    Returns
    -------
    CSRGraph
        Undirected, with the SNAP user ids as ``labels``.

    References
    ----------
    .. [1] J. McAuley and J. Leskovec, "Learning to Discover Social Circles in Ego
       Networks", NIPS 2012.

    Examples
    --------
    >>> g = facebook()
    >>> g.n, g.n_edges
    (4039, 88234)
    """
    from importlib.resources import as_file, files

    with as_file(files("smmsim") / "data" / "facebook_combined.txt") as path:
        return read_edgelist(path, name="SNAP ego-Facebook")
