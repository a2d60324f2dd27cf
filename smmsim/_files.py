"""Why a file named by a user cannot be read: :func:`file_problem`.

Only regular files are read. A directory, a named pipe (which would block), a device
(``/dev/zero`` never ends) or a symbolic-link loop gets a phrase saying what it is. It
sits below the scenario package so that the audience generators' checks can use it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["file_problem"]


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a regular file, or ``None`` if it can.

    The problem is a phrase such as ``"file not found"`` or ``"is a named pipe
    (FIFO), not a regular file"``.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return "is a broken symbolic link (its target does not exist)"
        return "file not found"
    except NotADirectoryError:
        return "file not found (a part of the path is a file, not a folder)"
    except PermissionError:
        return "cannot read the file: permission denied"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop, not a file"
        if exc.errno == errno.ENAMETOOLONG:
            return "cannot read the file: the name is too long"
        return f"cannot read the file: {exc.strerror or type(exc).__name__}"
    except ValueError:  # an embedded NUL character
        return "cannot read the file: the name holds a NUL character"
    kind = _kind(info.st_mode)
    if kind is not None:
        return f"is {kind}, not a regular file" if kind[0] == "a" else kind
    if not os.access(path, os.R_OK):
        return "cannot read the file: permission denied"
    return None
