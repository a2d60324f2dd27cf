"""What every part of a sweep shares: :class:`SweepError` and how values are written
(canonical JSON for identities, short text for messages)."""

from __future__ import annotations

import json
from typing import Any

from smmsim._text import one_line
from smmsim.errors import UserError
from smmsim.params import describe_value, format_number


class SweepError(UserError):
    """A sweep cannot run as asked (a folder holding another sweep, a bad sample
    spec); the message is one line of at most :data:`smmsim._text.MAX_LINE`
    characters."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def canonical(obj: Any) -> str:
    """``obj`` as canonical JSON (sorted keys, no spaces): equal values, equal text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def value_text(value: Any) -> str:
    """A value as a message shows it: numbers tidied, anything else described."""
    return format_number(value) if isinstance(value, int | float) else describe_value(value)
