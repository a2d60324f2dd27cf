"""The ``smmsim`` command line: a thin layer over the library.

Every command parses options, calls one library function and prints or writes its
output. Output paths are checked while the options are parsed, before any work.

Exit status: 0 on success; 2 for a mistake in what the user gave (the project's
:class:`~smmsim.errors.UserError`: bad scenarios, broken edge lists, output paths that
cannot be written), one line, never a traceback; 130 after Ctrl-C, having said what
was kept; 1 for anything else, which is a bug in smmsim and says so (``--debug``
prints the traceback).

This module imports only click and :mod:`smmsim.errors` at import time, so ``smmsim --help``
starts fast: numba, pandas and matplotlib load inside the commands that need them.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import click

from smmsim._version import __version__
from smmsim.errors import UserError

EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class BadInput(click.ClickException):
    """A user error: one line on stderr, exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def _user_errors() -> tuple[type[Exception], ...]:
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


def _load(path: str | None, overrides: tuple[str, ...] = ()):
    """Load a scenario file (or the built-in default) and apply ``--set`` overrides."""
    from smmsim.scenario import default_scenario, load_scenario, parse_override

    scenario = default_scenario() if path is None else load_scenario(path)
    if overrides:
        scenario = scenario.with_overrides(dict(parse_override(o) for o in overrides))
    return scenario


def scenario_argument(required: bool):
    return click.argument(
        "scenario", required=required, type=click.Path(dir_okay=False, path_type=str)
    )


def max_memory_option(func):
    return click.option(
        "--max-memory",
        metavar="SIZE",
        help="Refuse scenarios estimated to need more memory than SIZE (e.g. 8G, 512M; "
        "default: 80% of this machine's memory).",
    )(func)


def _memory_limit(text: str | None) -> int | None:
    """Bytes of ``--max-memory`` (``None``: the default limit)."""
    if text is None:
        return None
    from smmsim.memory import parse_memory

    try:
        return parse_memory(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--max-memory'") from None


def set_option(func):
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a scenario key, e.g. --set content.stickiness=0.2 (repeatable).",
    )(func)


class _Commands(click.Group):
    """A click group that imports the commands of ``smmsim.commands`` on first use.

    Those modules import this one's shared helpers, so they are loaded lazily rather
    than at import time (which also keeps ``smmsim --help`` fast).
    """

    lazy: ClassVar[dict[str, str]] = {
        "sweep": "smmsim.commands.sweep:sweep",
        "threshold": "smmsim.commands.threshold:threshold",
        "animate": "smmsim.commands.animate:animate",
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
        with _at_the_edge(ctx):
            return super().invoke(ctx)


class Command(click.Command):
    """A command whose option parsing and body map errors to exit codes, as the group
    does, also when the command is invoked on its own (tests, embedding)."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        with _at_the_edge(parent):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _at_the_edge(ctx):
            return super().invoke(ctx)


_Commands.command_class = Command


@contextlib.contextmanager
def _at_the_edge(ctx: click.Context | None):
    """The project's errors become one line and exit 2; Ctrl-C exit 130; anything else
    is a bug: exit 1, saying so (with the traceback under ``--debug``)."""
    try:
        yield
    except UserError as exc:
        raise BadInput(_one_line(exc)) from None
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
    what = _one_line(exc)[:300]
    detail = f"{type(exc).__name__}: {what}" if what else type(exc).__name__
    click.echo(f"Error: {detail}", err=True)
    hint = "" if debug else " (run it again with --debug to see the traceback)"
    click.echo(
        f"This is a bug in smmsim, please report it with the command that caused it{hint}.",
        err=True,
    )


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


@cli.command()
@scenario_argument(required=False)
@click.option("--runs", type=click.IntRange(min=1), help="Monte Carlo runs (default: scenario).")
@click.option("--rng-seed", type=click.IntRange(min=0), help="Random seed (default: scenario).")
@set_option
@click.option(
    "--out",
    type=OutputDir(),
    help="Write summary.json, runs.csv, timeseries.csv and the PNG plots here (created if "
    "missing; an older run's files there are replaced).",
)
@click.option("--threads", type=click.IntRange(min=1), help="Worker threads (default: all).")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: only on a terminal).",
)
@max_memory_option
def run(scenario, runs, rng_seed, overrides, out, threads, progress, max_memory) -> None:
    """Simulate SCENARIO (a YAML file; the built-in product launch if omitted).

    Example: smmsim run scenarios/product_launch.yaml --runs 2000 --out results/
    """
    from smmsim.memory import check_memory
    from smmsim.outputs import make_dir
    from smmsim.results import RunWriter
    from smmsim.simulate import SimulationInterrupted, simulate

    sc = _load(scenario, overrides)
    check_memory(sc, runs=runs, limit=_memory_limit(max_memory), threads=threads)
    writer = RunWriter(make_dir(out, "--out")) if out is not None else None
    try:
        res = simulate(
            sc, runs=runs, rng=rng_seed, progress=progress, on_batch=writer, threads=threads
        )
    except SimulationInterrupted as stop:
        _keep_interrupted(stop, writer)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    click.echo(res.report())
    if writer is not None:
        paths = writer.finish(res)
        _say_removed(writer)
        click.echo(f"Wrote {', '.join(str(p) for p in paths)}")


def _say_removed(writer) -> None:
    if writer.removed:
        names = ", ".join(p.name for p in writer.removed)
        click.echo(f"Replaced an older run's files in {writer.out}: {names}", err=True)


def _keep_interrupted(stop, writer) -> None:
    """After Ctrl-C: print and write what the finished runs give, say what was kept."""
    import signal

    res = stop.results
    if res is None:
        click.echo("Interrupted before any run finished; nothing was written.", err=True)
        return
    # a second Ctrl-C must not leave half-written files: the summary takes a moment
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        click.echo(res.report())
        done = f"{res.n_runs:,} of {stop.requested:,} runs"
        if writer is None:
            click.echo(f"Interrupted: the report above covers the {done} that finished.", err=True)
            return
        paths = writer.finish(res, plots=False)
        _say_removed(writer)
        click.echo(
            f"Interrupted: kept the {done} that finished in "
            f"{', '.join(str(p) for p in paths)} (summary marked interrupted; no plots).",
            err=True,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


@cli.command()
@scenario_argument(required=True)
@set_option
@max_memory_option
def validate(scenario, overrides, max_memory) -> None:
    """Check SCENARIO: keys, ranges, files, seed ids and the memory it will need."""
    from smmsim._text import one_line
    from smmsim.validation import validate_scenario

    sc = _load(scenario, overrides)
    summary = validate_scenario(sc, limit=_memory_limit(max_memory))
    click.echo(f"{one_line(scenario, limit=500)}: ok ({summary})")


@cli.command()
@scenario_argument(required=False)
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def audience(scenario, overrides, as_json) -> None:
    """Describe SCENARIO's audience: size, degree moments and virality threshold."""
    from smmsim.audience import build_audience
    from smmsim.reporting.verdicts import threshold_verdict
    from smmsim.theory.bond_percolation import percolation, transmissibility

    sc = _load(scenario, overrides)
    graph = build_audience(sc)
    c = sc.content
    th = percolation(graph, transmissibility(c["visibility"], c["stickiness"], c["contagion"]))
    stats = graph.degree_stats()
    vc = c["visibility"] * c["contagion"]
    info = {
        "name": graph.name,
        "directed": graph.directed,
        "degree": stats.as_dict(),
        "threshold": {
            **th.as_dict(),
            "critical_stickiness": th.critical / vc if vc > 0 else None,
        },
    }
    if as_json:
        click.echo(json.dumps(info, indent=2, default=str))
        return
    kind = "directed (follower)" if graph.directed else "undirected (friendship)"
    lines = [
        f"{graph.name}: {kind}, {graph.n:,} users, {graph.n_edges:,} ties",
        f"  mean degree <k> = {stats.mean:.3f}   <k^2> = {stats.second:.3f}   "
        f"mean excess degree = {stats.excess:.3f}   max degree = {stats.max_degree:,}",
    ]
    if graph.directed:
        lines.append(
            f"  <k_in> = {stats.mean_in:.3f}   <k_out> = {stats.mean_out:.3f}   "
            f"<k_in k_out> = {stats.mean_in_out:.3f}"
        )
    lines.append("  " + threshold_verdict({**th.as_dict(), "decay": False}, c))
    if th.viral:
        lines.append(
            f"  A large cascade would reach {th.large_share:.1%} of sharers' audience; "
            f"one random seed starts one with probability {th.p_large:.1%}."
        )
    click.echo("\n".join(lines))


def _one_line(exc: BaseException) -> str:
    from smmsim._text import one_line

    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return one_line(" ".join(text.split()))


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
