"""Output paths checked before any work: folders, files and their formats.

Every command that writes checks its output paths first, with these functions, so
that a mistake in a path costs nothing: a file where a folder is needed, a place that
cannot be written, or a file format that cannot be written is an
:class:`~smmsim.errors.OutputPathError` with one line naming the option, the path and
what is allowed. Missing folders are not an error: :func:`make_dir` and
:func:`make_parent` create them.

Every function that checks or creates a path takes the ``path`` (str or
os.PathLike) and the ``option`` or scenario key that named it (``"--out"``), which
begins every message, and returns the path as a :class:`pathlib.Path`.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> make_dir(root / "results" / "launch", "--out").is_dir()
True
>>> check_file(root / "x.bmp", "--plot", plot_formats())
Traceback (most recent call last):
...
smmsim.errors.OutputPathError: --plot: cannot write ...x.bmp: ...
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from smmsim.errors import OutputPathError

__all__ = [
    "animation_formats",
    "check_dir",
    "check_file",
    "make_dir",
    "make_parent",
    "plot_formats",
]


def _one_of(formats: list[str]) -> str:
    names = [f".{f}" for f in formats]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _fail(option: str, path: Path, problem: str) -> OutputPathError:
    shown = os.fsdecode(path)
    if not shown.isprintable():
        shown = repr(shown)
    return OutputPathError(f"{option}: cannot write {shown}: {problem}")


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (``.`` for a relative path)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")


def _check_writable_dir(option: str, path: Path, folder: Path) -> None:
    """``folder`` exists: it must be a folder in which files can be created."""
    if not folder.is_dir():
        what = "a file" if folder.exists() else "a broken link"
        raise _fail(option, path, f"{os.fsdecode(folder)} is {what}, not a folder")
    try:
        # creating a file is the only sure test (permissions, read-only file systems,
        # root's access rights)
        with tempfile.TemporaryFile(dir=folder, prefix=".smmsim-check-"):
            pass
    except OSError as exc:
        problem = f"cannot create files in {os.fsdecode(folder)} ({_why(exc)})"
        raise _fail(option, path, problem) from None


def _why(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or type(exc).__name__


def check_dir(path: str | os.PathLike, option: str) -> Path:
    """Check that ``path`` can be (or already is) a folder this program writes into.

    Nothing is created. The path may not exist yet; its closest existing ancestor must
    then be a folder in which folders can be created. ``path`` and ``option`` are as
    the module notes say.

    Raises
    ------
    OutputPathError
        If the path or one of its ancestors is a file, or the place cannot be written.
    """
    path = Path(path)
    if not os.fsdecode(path).strip():
        raise OutputPathError(f"{option}: an output folder is needed, got an empty path")
    existing = _nearest_existing(path)
    if existing == path and not path.is_dir():
        what = "a file" if path.exists() else "a broken link"
        raise _fail(option, path, f"it is {what}; {option} needs a folder")
    _check_writable_dir(option, path, existing)
    return path


def check_file(path: str | os.PathLike, option: str, formats: Iterable[str] | None = None) -> Path:
    """Check that the file ``path`` can be written, in one of ``formats``.

    Nothing is created. Missing parent folders are allowed (see :func:`make_parent`);
    an existing file is overwritten when the command writes it.

    Parameters
    ----------
    path, option
        The output file and the option that named it (``"--plot"``), as the module
        notes say.
    formats : iterable of str, optional
        Allowed file name extensions without the dot, lower case (``"png"``); ``None``
        allows any name.

    Raises
    ------
    OutputPathError
        If the path is a folder, a parent is a file, the place cannot be written or the
        extension is not one of ``formats``.
    """
    path = Path(path)
    if not os.fsdecode(path).strip() or path.name in ("", ".", ".."):
        raise _fail(option, path, "a file name is needed")
    if formats is not None:
        allowed = sorted(set(formats))
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in allowed:
            got = f"'.{suffix}'" if suffix else "no extension"
            raise _fail(
                option,
                path,
                f"unsupported format ({got}); use {_one_of(allowed)}",
            )
    if path.is_dir():
        raise _fail(option, path, f"it is a folder; {option} needs a file name")
    if os.path.lexists(path) and not os.access(path, os.W_OK):
        raise _fail(option, path, "the file exists and cannot be overwritten (permission denied)")
    existing = _nearest_existing(path.parent)
    _check_writable_dir(option, path, existing)
    return path


def _make(option: str, path: Path, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _fail(option, path, f"{os.fsdecode(folder)} is a file, not a folder") from None
    except NotADirectoryError:
        raise _fail(option, path, "a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise _fail(option, path, f"cannot create the folder ({_why(exc)})") from None


def make_dir(path: str | os.PathLike, option: str) -> Path:
    """Check the output folder ``path`` (:func:`check_dir`) and create it with its parents.

    Raises
    ------
    OutputPathError
        As :func:`check_dir`, or if the folder cannot be created.
    """
    path = check_dir(path, option)
    _make(option, path, path)
    return path


def make_parent(path: str | os.PathLike, option: str) -> Path:
    """Create the missing parent folders of the output file ``path``.

    Raises
    ------
    OutputPathError
        If a parent is a file or a folder cannot be created.
    """
    path = Path(path)
    _make(option, path, path.parent)
    return path


def plot_formats() -> tuple[str, ...]:
    """File extensions matplotlib can save a figure as (``png``, ``svg``, ``pdf``, ...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    formats = set(FigureCanvasBase.get_supported_filetypes())
    formats.discard("pgf")  # needs a LaTeX installation at save time
    if "avif" in formats and not _pillow_has("avif"):
        formats.discard("avif")
    return tuple(sorted(formats))


def _pillow_has(feature: str) -> bool:
    try:
        from PIL import features

        return bool(features.check(feature))
    except Exception:  # an old Pillow that does not know the feature
        return False


def animation_formats() -> tuple[str, ...]:
    """Animation file extensions this installation can write: ``gif``, and ``mp4`` when
    matplotlib finds ffmpeg."""
    from matplotlib import animation

    return ("gif", "mp4") if animation.writers.is_available("ffmpeg") else ("gif",)
