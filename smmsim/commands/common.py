"""What the commands share: exit codes, option types, the SCENARIO argument, loading a
scenario, and the edge where errors become one line and an exit status (the shared
options are in :mod:`~smmsim.commands.options`).

Exit status: 0 on success; 2 for a mistake in what the user gave (the project's
:class:`~smmsim.errors.UserError`: bad scenarios, broken edge lists, output paths that
cannot be written), one line, never a traceback; 130 after Ctrl-C, having said what
was kept; 1 for anything else, which is a bug in smmsim and says so (``--debug``
prints the traceback).

This module imports only click and :mod:`smmsim.errors` at import time, so ``smmsim
--help`` starts fast: numba, pandas and matplotlib load inside the commands that need
them.
"""

from __future__ import annotations

import contextlib
import json
import os
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from smmsim.errors import UserError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUG",
    "EXIT_INTERRUPTED",
    "BadInput",
    "Command",
    "OutputDir",
    "OutputFile",
    "at_the_edge",
    "make_output_parents",
    "memory_limit",
    "one_line_error",
    "scenario_argument",
    "scenario_command",
    "scenario_from_args",
    "user_errors",
    "write_outputs",
]

EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class BadInput(click.ClickException):
    """A user error: one line on stderr, exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def user_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's mistakes (one line, exit 2): the project's own."""
    return (UserError,)


class OutputDir(click.Path):
    """A folder the command writes into, checked when parsed (see :mod:`smmsim.outputs`):
    not a file, inside a place that can be written. It is created by the command."""

    name = "folder"

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        from smmsim.outputs import check_dir

        return check_dir(value, _option_name(param))


class OutputFile(click.Path):
    """A file the command writes, checked when parsed: its folder can be written (missing
    folders are created by the command) and its extension is one of ``formats`` (a
    zero-argument function, called only when the option is given)."""

    name = "file"

    def __init__(self, formats: Callable[[], Iterable[str]] | None = None) -> None:
        super().__init__(dir_okay=False, path_type=Path)
        self.formats = formats

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        from smmsim.outputs import check_file

        formats = None if self.formats is None else self.formats()
        return check_file(value, _option_name(param), formats)


def _option_name(param: click.Parameter | None) -> str:
    if param is None:
        return "output"
    opts = getattr(param, "opts", None) or [param.name or "output"]
    return max(opts, key=len)


def scenario_from_args(path: str | None, overrides: tuple[str, ...] = ()):
    """Load a scenario file (or the built-in default) and apply ``--set`` overrides."""
    from smmsim.scenario import default_scenario, load_scenario, parse_override

    scenario = default_scenario() if path is None else load_scenario(path)
    if overrides:
        scenario = scenario.with_overrides(dict(parse_override(o) for o in overrides))
    return scenario


def make_output_parents(json_path: Path | None, plot_path: Path | None) -> None:
    """Create the folders of the ``--json`` and ``--plot`` files given, before the work
    starts (an unwritable path fails at once, not after the simulations)."""
    from smmsim.outputs import make_parent

    for path, option in ((json_path, "--json"), (plot_path, "--plot")):
        if path is not None:
            make_parent(path, option)


def write_outputs(
    json_path: Path | None,
    to_json: Callable[[], Any],
    plot_path: Path | None,
    draw: Callable[[], Any],
) -> None:
    """Write the ``--json`` and ``--plot`` files given, then say which were written.

    Parameters
    ----------
    json_path : Path or None
        Where ``to_json()`` is written, as indented JSON.
    to_json : callable
        The JSON document (called only with ``json_path``).
    plot_path : Path or None
        Where the figure of the axes ``draw()`` returns is saved (drawn off-screen).
    draw : callable
        Draws the figure and returns its axes (called only with ``plot_path``).
    """
    written = []
    if json_path is not None:
        json_path.write_text(json.dumps(to_json(), indent=2) + "\n")
        written.append(json_path)
    if plot_path is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ax = draw()
        ax.figure.savefig(plot_path, dpi=120)
        plt.close(ax.figure)
        written.append(plot_path)
    if written:
        click.echo(f"Wrote {', '.join(str(p) for p in written)}")


def scenario_argument(required: bool):
    """The optional or required SCENARIO argument (a YAML file)."""
    return click.argument(
        "scenario", required=required, type=click.Path(dir_okay=False, path_type=str)
    )


def scenario_command(name: str, *, required: bool):
    """The command ``name`` (a :class:`Command`) with its SCENARIO argument."""

    def decorate(func):
        return click.command(name, cls=Command)(scenario_argument(required)(func))

    return decorate


def memory_limit(text: str | None) -> int | None:
    """Bytes of ``--max-memory`` (``None``: the default limit)."""
    if text is None:
        return None
    from smmsim.memory import parse_memory

    try:
        return parse_memory(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--max-memory'") from None


class Command(click.Command):
    """A command whose option parsing and body map errors to exit codes, as the group
    does, also when the command is invoked on its own (tests, embedding)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        with at_the_edge(parent):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with at_the_edge(ctx):
            return super().invoke(ctx)


@contextlib.contextmanager
def at_the_edge(ctx: click.Context | None):
    """The project's errors become one line and exit 2; Ctrl-C exit 130; anything else
    is a bug: exit 1, saying so (with the traceback under ``--debug``)."""
    try:
        yield
    except UserError as exc:
        raise BadInput(one_line_error(exc)) from None
    except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        raise  # click handles a closed pipe (``smmsim run | head``)
    except Exception as exc:
        _report_bug(exc, debug=_debugging(ctx))
        raise click.exceptions.Exit(EXIT_BUG) from None


def _debugging(ctx: click.Context | None) -> bool:
    """``--debug`` on the command line (or ``SMMSIM_DEBUG`` set)."""
    if ctx is not None and ctx.find_root().params.get("debug"):
        return True
    return os.environ.get("SMMSIM_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def _report_bug(exc: BaseException, *, debug: bool) -> None:
    """Say that ``exc`` is a bug (a short line), with its traceback when debugging."""
    if debug:
        click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
    if isinstance(exc, MemoryError):
        click.echo(
            "Error: out of memory; try a smaller audience, fewer runs or fewer steps.", err=True
        )
        return
    what = one_line_error(exc)[:300]
    detail = f"{type(exc).__name__}: {what}" if what else type(exc).__name__
    click.echo(f"Error: {detail}", err=True)
    hint = "" if debug else " (run it again with --debug to see the traceback)"
    click.echo(
        f"This is a bug in smmsim, please report it with the command that caused it{hint}.",
        err=True,
    )


def one_line_error(exc: BaseException) -> str:
    """An error's message on one line (a ``KeyError``'s key without its quotes)."""
    from smmsim._text import one_line

    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return one_line(" ".join(text.split()))
