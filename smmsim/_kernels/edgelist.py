"""Edge-list parsing kernels: the bytes of a text file in, integer arc arrays out.

The grammar is the one documented in :func:`smmsim.io.read_edgelist`; the pure Python
parser in ``smmsim.io`` implements the same grammar and is the reference these kernels
are tested against. Files with integer ids (the usual case, and the large ones: SNAP
files of millions of ties) are read here, one pass over the bytes without a Python
object per token, which is tens of times faster than the Python parser; only files
declared to name users with strings go through Python.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.search import lower_bound

# Status codes returned by ``parse_edgelist``.
OK = 0
NOT_INT = 1  # a node id is not a decimal int64 (an error in a file of integer ids)
BAD_NCOLS = 2
BAD_WEIGHT = 3
EMPTY_FIELD = 4
NEGATIVE_WEIGHT = 5

WHITESPACE = 32  # ``delim`` value meaning "any run of whitespace"
AUTO = -1  # ``delim`` value meaning "decide from the first data line"
NO_COMMENT = -1

W_AUTO = 0  # weight column used when the first data line has three columns
W_REQUIRED = 1
W_IGNORED = 2

# byte classes of the whitespace tokenizer
_OTHER = 0
_DIGIT = 1
_SPACE = 2
_END = 3  # newline or comment character

_INT64_MIN = -9223372036854775807 - 1
_LIMIT_DIV10 = -922337203685477580  # _INT64_MIN == _LIMIT_DIV10 * 10 - 8
_MAX_EXACT = 2**53
# Exact powers of ten: with a mantissa below 2**53, one IEEE multiply or divide by one of
# these is correctly rounded (Clinger's fast path), so the result equals Python's float().
_POW10 = np.array([10.0**k for k in range(23)])


@jit
def _is_space(c):
    # ASCII whitespace except the newline, which ends a line: space, \t, \v, \f, \r
    return c == 32 or c == 9 or c == 11 or c == 12 or c == 13


@jit
def _is_digit(c):
    return c >= 48 and c <= 57


@jit(inline="always")
def _sign(buf, i, e):
    """Read an optional ``+`` or ``-`` at ``buf[i]`` (before ``e``). Returns ``(negative,
    i)``, ``i`` past the sign."""
    if i < e and (buf[i] == 43 or buf[i] == 45):
        return buf[i] == 45, i + 1
    return False, i


@jit
def parse_int(buf, s, e):
    """Parse ``buf[s:e]`` as ``[+-]digits`` into an int64; ``(False, 0)`` if it is not one."""
    i = s
    neg, i = _sign(buf, i, e)
    if i >= e:
        return False, 0
    # accumulate a non-positive value so that the int64 minimum is representable
    v = 0
    while i < e:
        c = buf[i]
        if not _is_digit(c):
            return False, 0
        d = np.int64(c) - 48
        if v < _LIMIT_DIV10 or (v == _LIMIT_DIV10 and d > 8):
            return False, 0
        v = v * 10 - d
        i += 1
    if not neg:
        if v == _INT64_MIN:
            return False, 0
        v = -v
    return True, v


@jit(inline="always")
def _keep_digit(mant, nd, c):
    """Append the digit byte ``c`` to ``mant`` while ``nd``, its significant digits, are
    fewer than 18. Returns ``(mant, nd, kept)``."""
    if nd < 18:
        mant = mant * 10 + (np.int64(c) - 48)
        if mant != 0:
            nd += 1
        return mant, nd, True
    return mant, nd, False


@jit
def parse_weight(buf, s, e):
    """Parse ``buf[s:e]`` as ``[+-](digits[.digits]|.digits)[(e|E)[+-]digits]``.

    Returns ``(code, value)``: code 0 with the correctly rounded value, 1 when the token
    is well formed but needs an exact slow conversion by the caller, 2 when it is not a
    number of that form.
    """
    i = s
    neg, i = _sign(buf, i, e)
    mant = 0
    nd = 0  # significant digits kept in mant
    exp10 = 0
    digits = False
    slow = False
    while i < e and _is_digit(buf[i]):
        digits = True
        mant, nd, kept = _keep_digit(mant, nd, buf[i])
        if not kept:
            slow = True
        i += 1
    if i < e and buf[i] == 46:
        i += 1
        while i < e and _is_digit(buf[i]):
            digits = True
            mant, nd, kept = _keep_digit(mant, nd, buf[i])
            if kept:
                exp10 -= 1
            else:
                slow = True
            i += 1
    if not digits:
        return 2, 0.0
    if i < e and (buf[i] == 101 or buf[i] == 69):
        i += 1
        eneg, i = _sign(buf, i, e)
        if i >= e or not _is_digit(buf[i]):
            return 2, 0.0
        ev = 0
        while i < e and _is_digit(buf[i]):
            if ev < 100000:
                ev = ev * 10 + (np.int64(buf[i]) - 48)
            i += 1
        exp10 += -ev if eneg else ev
    if i != e:
        return 2, 0.0
    if slow or mant > _MAX_EXACT:
        return 1, 0.0
    if mant == 0:
        v = 0.0
    elif exp10 == 0:
        v = float(mant)
    elif exp10 > 0 and exp10 <= 22:
        v = float(mant) * _POW10[exp10]
    elif exp10 < 0 and exp10 >= -22:
        v = float(mant) / _POW10[-exp10]
    else:
        return 1, 0.0
    return 0, -v if neg else v


@jit
def _detect_delimiter(buf, pos, comment):
    """``AUTO`` for a blank line, else ``44`` if the line's data part has a comma."""
    n = buf.shape[0]
    found = AUTO
    while pos < n and buf[pos] != 10 and buf[pos] != comment:
        c = buf[pos]
        if c == 44:
            return 44
        if not _is_space(c):
            found = WHITESPACE
        pos += 1
    return found


@jit
def _skip_line(buf, i):
    """Offset just past the newline that ends the line containing ``i``."""
    n = buf.shape[0]
    while i < n and buf[i] != 10:
        i += 1
    return i + 1


@jit
def _char_classes(comment):
    """Byte -> class table for the whitespace tokenizer: other, digit, space or line end."""
    cls = np.zeros(256, dtype=np.uint8)
    cls[48:58] = _DIGIT
    for c in (32, 9, 11, 12, 13):
        cls[c] = _SPACE
    cls[10] = _END
    if comment >= 0:
        cls[comment] = _END
    return cls


@jit
def _split_whitespace(buf, pos, cls, ts, te, ids, is_id):
    """Record the first 4 whitespace-separated fields of the line at ``pos``.

    Integer fields are parsed on the way: ``ids[k]`` holds field k's value when
    ``is_id[k]``. Returns the number of fields and the offset of the next line.
    """
    n = buf.shape[0]
    i = pos
    ntok = 0
    while True:
        while i < n and cls[buf[i]] == _SPACE:
            i += 1
        if i >= n or cls[buf[i]] == _END:
            break
        s = i
        neg = False
        if buf[i] == 45 or buf[i] == 43:
            neg = buf[i] == 45
            i += 1
        v = 0
        nd = 0
        ok = True
        while i < n:
            c = buf[i]
            k = cls[c]
            if k == _DIGIT:
                if nd < 18:  # longer ones are redone exactly below
                    v = v * 10 + (np.int64(c) - 48)
                nd += 1
            elif k == _OTHER:
                ok = False
            else:
                break
            i += 1
        if ntok < 4:
            ts[ntok] = s
            te[ntok] = i
            if ok and nd > 18:
                ok, v = parse_int(buf, s, i)  # exact, with int64 overflow checks
            elif ok and nd > 0:
                v = -v if neg else v
            else:
                ok = False
            ids[ntok] = v
            is_id[ntok] = ok
        ntok += 1
    return ntok, _skip_line(buf, i)


@jit
def _split_delimited(buf, pos, delim, comment, ts, te):
    """Record the first 4 ``delim``-separated fields of the line at ``pos``, stripped.

    Returns the number of fields (0 for a blank line), whether one is empty, and the
    offset of the next line.
    """
    n = buf.shape[0]
    i = pos
    ntok = 0
    empty = False
    while True:
        s = i
        while i < n:
            c = buf[i]
            if c == delim or c == 10 or c == comment:
                break
            i += 1
        a = s
        b = i
        while a < b and _is_space(buf[a]):
            a += 1
        while b > a and _is_space(buf[b - 1]):
            b -= 1
        if a == b:
            empty = True
        if ntok < 4:
            ts[ntok] = a
            te[ntok] = b
        ntok += 1
        if i < n and buf[i] == delim:
            i += 1
        else:
            break
    if ntok == 1 and empty:
        ntok = 0  # a blank line, possibly with a comment
    return ntok, empty, _skip_line(buf, i)


@jit
def parse_edgelist(buf, start, delim, comment, wmode):
    """Parse an edge list held as bytes.

    Parameters
    ----------
    buf : uint8 array
        The file's bytes.
    start : int
        Offset of the first byte to read (3 after a UTF-8 byte-order mark).
    delim : int
        ``AUTO``, ``WHITESPACE`` or the byte value of a non-space delimiter.
    comment : int
        Byte value of the comment character, or ``NO_COMMENT``.
    wmode : int
        ``W_AUTO``, ``W_REQUIRED`` or ``W_IGNORED``.

    Returns
    -------
    src, dst : int64 arrays
        Original node ids; the first ``m`` entries are the edges.
    w : float64 array
        Weights (NaN where the caller must convert the token listed in ``slow``).
    m : int
    status : int
        ``OK`` or the code of the first problem met; parsing stops there.
    info : int64 array of 6
        line of the problem, column count seen there, start and end of the token to blame
        (a node id that is not an integer, a bad or negative weight), line of the first
        data line, its column count.
    delim : int
        The delimiter used (``AUTO`` resolved).
    slow : int64 array, shape (4 k,)
        Edge index, token start, token end and line of each weight left to the caller.
    """
    n = buf.shape[0]
    cap = 1
    for i in range(start, n):
        if buf[i] == 10:
            cap += 1
    src = np.empty(cap, dtype=np.int64)
    dst = np.empty(cap, dtype=np.int64)
    w = np.empty(cap if wmode != W_IGNORED else 0, dtype=np.float64)
    slow = np.empty(64, dtype=np.int64)  # 4 entries per weight left to the caller
    nslow = 0
    info = np.zeros(6, dtype=np.int64)
    ts = np.zeros(4, dtype=np.int64)
    te = np.zeros(4, dtype=np.int64)
    ids = np.zeros(4, dtype=np.int64)
    is_id = np.zeros(4, dtype=np.bool_)
    cls = _char_classes(comment)
    m = 0
    line = 0
    first_line = 0
    first_ncols = 0
    status = OK
    pos = start
    while pos < n:
        line += 1
        if delim == AUTO:
            delim = _detect_delimiter(buf, pos, comment)
        if delim == WHITESPACE or delim == AUTO:
            ntok, pos = _split_whitespace(buf, pos, cls, ts, te, ids, is_id)
            empty = False
        else:
            ntok, empty, pos = _split_delimited(buf, pos, delim, comment, ts, te)
        if ntok == 0:
            continue
        info[0] = line
        info[1] = ntok
        if empty:
            status = EMPTY_FIELD
            break
        if ntok < 2 or ntok > 3 or (wmode == W_REQUIRED and ntok != 3):
            status = BAD_NCOLS
            break
        if first_line == 0:
            first_line = line
            first_ncols = ntok
        elif wmode == W_AUTO and ntok != first_ncols:
            status = BAD_NCOLS
            break
        if delim != WHITESPACE:
            is_id[0], ids[0] = parse_int(buf, ts[0], te[0])
            is_id[1], ids[1] = parse_int(buf, ts[1], te[1])
        if not (is_id[0] and is_id[1]):
            bad = 0 if not is_id[0] else 1
            info[2] = ts[bad]
            info[3] = te[bad]
            status = NOT_INT
            break
        src[m] = ids[0]
        dst[m] = ids[1]
        if ntok == 3 and wmode != W_IGNORED:
            code, value = parse_weight(buf, ts[2], te[2])
            if code == 2:
                info[2] = ts[2]
                info[3] = te[2]
                status = BAD_WEIGHT
                break
            if value < 0.0:
                info[2] = ts[2]
                info[3] = te[2]
                status = NEGATIVE_WEIGHT
                break
            if code == 1:
                if 4 * nslow == slow.shape[0]:
                    grown = np.empty(2 * slow.shape[0], dtype=np.int64)
                    for j in range(slow.shape[0]):
                        grown[j] = slow[j]
                    slow = grown
                slow[4 * nslow] = m
                slow[4 * nslow + 1] = ts[2]
                slow[4 * nslow + 2] = te[2]
                slow[4 * nslow + 3] = line
                nslow += 1
                value = np.nan
            w[m] = value
        m += 1
    info[4] = first_line
    info[5] = first_ncols
    return src, dst, w, m, status, info, delim, slow[: 4 * nslow].copy()


@jit
def relabel(src, dst, m):
    """Map the ids in ``src[:m]``, ``dst[:m]`` to 0..n-1 by rank among the distinct ids.

    Returns ``(labels, new_src, new_dst)`` where ``labels`` holds the sorted distinct ids.
    """
    if m == 0:
        return np.empty(0, dtype=np.int64), src[:0].copy(), dst[:0].copy()
    lo = src[0]
    hi = src[0]
    for i in range(m):
        a = src[i]
        b = dst[i]
        # explicit comparisons: builtin min/max of three values are slow to compile
        if a < lo:
            lo = a
        if b < lo:
            lo = b
        if a > hi:
            hi = a
        if b > hi:
            hi = b
    new_src = np.empty(m, dtype=np.int64)
    new_dst = np.empty(m, dtype=np.int64)
    # float arithmetic: hi - lo can overflow int64 when the ids span the whole range
    if float(hi) - float(lo) <= 2.0 * m + 1024.0:
        span = hi - lo + 1
        rank = np.zeros(span, dtype=np.int64)
        for i in range(m):
            rank[src[i] - lo] = 1
            rank[dst[i] - lo] = 1
        count = 0
        for k in range(span):
            if rank[k]:
                rank[k] = count
                count += 1
            else:
                rank[k] = -1
        labels = np.empty(count, dtype=np.int64)
        for k in range(span):
            if rank[k] >= 0:
                labels[rank[k]] = lo + k
        for i in range(m):
            new_src[i] = rank[src[i] - lo]
            new_dst[i] = rank[dst[i] - lo]
        return labels, new_src, new_dst
    # sparse ids: sort, deduplicate, binary search (np.unique is slow to compile)
    both = np.empty(2 * m, dtype=np.int64)
    both[:m] = src[:m]
    both[m:] = dst[:m]
    both.sort()
    count = 1
    for k in range(1, 2 * m):
        if both[k] != both[count - 1]:
            both[count] = both[k]
            count += 1
    labels = both[:count].copy()
    for i in range(m):
        new_src[i] = _rank(labels, src[i])
        new_dst[i] = _rank(labels, dst[i])
    return labels, new_src, new_dst


@jit
def _rank(sorted_values, x):
    """Index of ``x`` in ``sorted_values``, which must contain it."""
    return lower_bound(sorted_values, 0, sorted_values.shape[0], x)
