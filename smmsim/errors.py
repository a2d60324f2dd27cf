"""The project's base class for mistakes a user made: :class:`UserError`.

The command line turns these, and only these, into a one-line message and exit
status 2; any other exception is a bug in smmsim.
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input from a user (a scenario, an option, a file): one line, no traceback."""
