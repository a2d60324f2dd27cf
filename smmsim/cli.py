"""The ``smmsim`` command line: the group and its commands' registration.

Each command lives in its own module of :mod:`smmsim.commands` (``smmsim run`` in
``smmsim.commands.run``, ...), a thin layer over the library, and is imported when
first used; what they share (option types, exit codes, the error edge) is
:mod:`smmsim.commands.common`. This module imports only click at import time, so
``smmsim --help`` starts fast.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, ClassVar, NoReturn

import click

from smmsim._version import __version__
from smmsim.commands.common import EXIT_INTERRUPTED, Command, at_the_edge

__all__ = ["cli", "main"]


class _Commands(click.Group):
    """A click group that imports the commands of ``smmsim.commands`` on first use,
    which keeps ``smmsim --help`` and each command's start fast."""

    lazy: ClassVar[dict[str, str]] = {
        name: f"smmsim.commands.{name}:{name}"
        for name in (
            "animate",
            "app",
            "audience",
            "compare",
            "crisis",
            "run",
            "seeds",
            "sweep",
            "threshold",
            "validate",
        )
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            import importlib

            module, attr = self.lazy[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn the project's errors, Ctrl-C and bugs into exit codes."""
        with at_the_edge(ctx):
            return super().invoke(ctx)


_Commands.command_class = Command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smmsim")
@click.option(
    "--debug",
    is_flag=True,
    envvar="SMMSIM_DEBUG",
    help="Print the traceback of an unexpected error (a bug) instead of one line.",
)
def cli(debug: bool) -> None:
    """Simulate electronic word of mouth: earned reach, virality and referral-driven
    conversions of a campaign on a social audience."""


def main() -> None:
    """Console entry point: ``smmsim`` and ``python -m smmsim``.

    Click's standalone mode would turn Ctrl-C into "Aborted!" and exit status 1; here
    it exits 130, after the command said what it kept.
    """
    try:
        code = cli.main(prog_name="smmsim", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.Abort as exc:  # Ctrl-C or end of input while parsing or prompting
        interrupted = isinstance(exc.__context__, KeyboardInterrupt)
        click.echo("Interrupted." if interrupted else "Aborted!", err=True)
        code = EXIT_INTERRUPTED if interrupted else 1
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = EXIT_INTERRUPTED
    except SystemExit as exc:
        if not isinstance(exc.code, int | None):
            raise
        code = exc.code
    _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> NoReturn:
    """End the process with ``code`` once the command is done.

    Tearing the interpreter down after numba has run (llvmlite, the OpenMP thread pool,
    thousands of modules) took 0.3-0.9 s on the project's 2-core machine, longer than a
    small simulation. When no other (non-daemon) thread is at work, the exit handlers
    run, the standard streams are flushed and the process ends without that teardown;
    every file the commands write is closed by then.
    """
    busy = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if busy:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``smmsim run | head``)
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
