"""The project's error types for mistakes in what a user gave: :class:`UserError`.

Every error that means "the input is wrong, here is what is allowed" derives from
:class:`UserError`: an invalid scenario (:class:`smmsim.scenario.ScenarioError`), a
malformed edge list (:class:`smmsim.io.EdgeListError`), malformed graph arrays
(:class:`smmsim.graph.GraphError`), an output path that cannot be written
(:class:`OutputPathError`), and so on. The command line turns exactly these into one
line and exit status 2; any other exception is a bug in smmsim.

The classes also derive from :class:`ValueError`, so code that caught ``ValueError``
before keeps working.

This module imports nothing, so any module may use it.
"""

from __future__ import annotations

__all__ = ["AudienceError", "OutputPathError", "UserError"]


class UserError(ValueError):
    """Base of the errors caused by what a user gave (a file, a value, a path).

    The message is one line that names the file or option, the key and what is allowed.
    """

    __module__ = "smmsim.errors"


class OutputPathError(UserError):
    """An output path cannot be written: a file where a folder is needed, a folder
    that cannot be created or written, or a file format that is not supported."""

    __module__ = "smmsim.errors"


class AudienceError(UserError):
    """The audience lacks what the scenario asks of it (named segments, tie strengths)."""

    __module__ = "smmsim.errors"
