"""Bounded text for messages: short summaries of user values and capped lines.

Values read from a user can be hostile: a YAML alias bomb is a list that holds the
same list many times over (its ``repr`` is gigabytes), an integer can have
thousands of digits, a string can hold line breaks or lone surrogates that no
terminal can print. :func:`summarize` walks such a value with a character budget and
never expands more of it than it shows; :func:`one_line` makes any message a single
printable line of bounded length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_LINE", "is_utf8", "one_line", "summarize"]

#: Longest error line, in characters.
MAX_LINE = 300

# Integers beyond this many bits are described by their size, not written out:
# converting a huge integer to decimal is quadratic in its length.
_MAX_INT_BITS = 256

# Characters that ``str.splitlines`` treats as line breaks: none may reach a message.
_LINE_BREAKS = {
    "\n": "\\n",
    "\r": "\\r",
    "\x0b": "\\x0b",
    "\x0c": "\\x0c",
    "\x1c": "\\x1c",
    "\x1d": "\\x1d",
    "\x1e": "\\x1e",
    "\x85": "\\x85",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_ONE_LINE = str.maketrans(_LINE_BREAKS)


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escape_unprintable(text: str) -> str:
    """Lone surrogates (not encodable as UTF-8) as ``\\udXXX`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """``text`` as one printable line of at most ``limit`` characters.

    Line breaks are escaped, lone surrogates become ``\\udXXX`` and a longer text is
    cut with ``...``.

    Examples
    --------
    >>> one_line("a\\nb")
    'a\\\\nb'
    >>> len(one_line("x" * 1000))
    300
    """
    text = _escape_unprintable(str(text).translate(_ONE_LINE))
    if len(text) > limit:
        text = text[: max(limit - 3, 0)] + "..."
    return text


def _int_text(value: int) -> str:
    bits = value.bit_length()
    if bits <= _MAX_INT_BITS:
        return str(value)
    digits = int(bits * math.log10(2)) + 1
    sign = "-" if value < 0 else ""
    return f"<{sign}integer of about {digits:,} digits>"


class _Budget:
    """Characters still to write; :func:`summarize` stops when it runs out."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, text: str) -> str:
        self.left -= len(text)
        return text


def _walk(value: Any, budget: _Budget, stack: set[int]) -> str:
    if budget.left <= 0:
        return "..."
    if isinstance(value, bool) or value is None:
        return budget.take(repr(value))
    if isinstance(value, int):
        return budget.take(_int_text(int(value)))
    if isinstance(value, str):
        # cut before repr: repr of a long string would copy all of it
        cut = value[: max(budget.left, 0) + 1]
        return budget.take(_escape_unprintable(repr(cut)))
    if isinstance(value, float):
        return budget.take(repr(value))
    if isinstance(value, list | tuple | Mapping):
        if id(value) in stack:  # a recursive alias (&a [*a])
            return budget.take("[...]" if not isinstance(value, Mapping) else "{...}")
        stack.add(id(value))
        try:
            if isinstance(value, Mapping):
                opening, closing = "{", "}"
                items = value.items()
            else:
                opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
                items = value
            parts = [budget.take(opening)]
            for i, item in enumerate(items):
                if budget.left <= 0:
                    parts.append("...")
                    break
                if i:
                    parts.append(budget.take(", "))
                if isinstance(value, Mapping):
                    key, val = item
                    parts.append(_walk(key, budget, stack))
                    parts.append(budget.take(": "))
                    parts.append(_walk(val, budget, stack))
                else:
                    parts.append(_walk(item, budget, stack))
            if isinstance(value, tuple) and len(value) == 1:
                parts.append(budget.take(","))
            parts.append(budget.take(closing))
            return "".join(parts)
        finally:
            stack.discard(id(value))
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real problem
        text = f"<{type(value).__name__}>"
    return budget.take(_escape_unprintable(text[: max(budget.left, 0) + 1]))


def summarize(value: Any, limit: int = 60) -> str:
    """A short, single-line ``repr``-like text of ``value`` for messages.

    Work and output are bounded by ``limit``, whatever the value: nested lists that
    share items (YAML aliases) are not expanded beyond what is shown, recursive ones
    show ``[...]``, integers of more than 256 bits are described by their number of
    digits, strings are cut before they are quoted, and line breaks and lone
    surrogates are escaped.

    Examples
    --------
    >>> summarize([1, 2, 3])
    '[1, 2, 3]'
    >>> summarize(10**1000)
    '<integer of about 1,001 digits>'
    >>> summarize("\\ud800")
    "'\\\\ud800'"
    >>> summarize("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = _walk(value, _Budget(limit), set()).translate(_ONE_LINE)
    if len(text) > limit:
        text = text[: max(limit - 3, 0)] + "..."
    return text
