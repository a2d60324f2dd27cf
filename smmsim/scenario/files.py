"""Files named by a user, checked before they are read: :func:`check_user_file` and
:func:`read_user_file`.

Only regular files are read. A directory, a named pipe (which would block), a device
(``/dev/zero`` never ends) or a symbolic-link loop gets a message saying what it is,
and a scenario file is read only up to its size limit, so no input can make smmsim
hang or fill the memory before it has said anything.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from smmsim._files import file_problem
from smmsim.scenario.errors import ScenarioError

__all__ = ["MAX_SCENARIO_BYTES", "check_user_file", "read_user_file"]

#: Largest scenario file (and ``--set`` value): a scenario is a page of settings.
MAX_SCENARIO_BYTES = 2**20


def check_user_file(path: Path, source: str, key: str | None = None) -> None:
    """Raise :class:`ScenarioError` unless ``path`` is a readable regular file.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    source : str
        Where the name came from, for the message (the scenario file).
    key : str, optional
        Dotted key that named the file (``"audience.path"``).
    """
    problem = file_problem(path)
    if problem is not None:
        raise ScenarioError(source, key, problem)


def read_user_file(path: Path, source: str, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    source : str
        Its name as given, for messages.
    limit : int
        Largest size allowed, in bytes.
    what : str
        What the file is, for the size message (``"a scenario file"``).

    Raises
    ------
    ScenarioError
        If it is not a readable regular file or is larger than ``limit``.
    """
    problem = file_problem(path)
    if problem is not None:
        raise ScenarioError(source, None, problem)
    try:
        # O_NONBLOCK: should the file be swapped for a pipe after the check, opening
        # it still does not block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ScenarioError(source, None, "is not a regular file")
            data = handle.read(limit + 1)
    except PermissionError:
        raise ScenarioError(source, None, "cannot read the file: permission denied") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(source, None, f"cannot read the file: {reason}") from None
    if len(data) > limit:
        size = _size_text(path)
        raise ScenarioError(
            source,
            None,
            f"is too large for {what}{size}; at most {limit // 1024:,} KiB is allowed",
        )
    return data


def _size_text(path: Path) -> str:
    try:
        return f" ({os.stat(path).st_size:,} bytes)"
    except OSError:
        return ""
