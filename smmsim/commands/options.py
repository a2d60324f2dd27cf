"""Options several commands share, as click decorators (``@options.runs(...)``).

Each command names the shared options it takes, in the order its ``--help`` lists
them; options that only one command has stay with that command. The options whose
meaning depends on the command (``--runs``, ``--out``, ...) take their help text.
"""

from __future__ import annotations

import click

from smmsim.commands.common import OutputDir, OutputFile

__all__ = [
    "count",
    "json_file",
    "max_memory",
    "out_dir",
    "overrides",
    "plot_file",
    "progress",
    "rng_seed",
    "runs",
    "threads",
]


def overrides(func):
    """The repeatable ``--set KEY=VALUE`` option (the command's ``overrides``)."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a scenario key, e.g. --set content.stickiness=0.2 (repeatable).",
    )(func)


def max_memory(func):
    """The ``--max-memory SIZE`` option (read with :func:`~smmsim.commands.common.memory_limit`)."""
    return click.option(
        "--max-memory",
        metavar="SIZE",
        help="Refuse scenarios estimated to need more memory than SIZE (e.g. 8G, 512M; "
        "default: 80% of this machine's memory).",
    )(func)


def count(name: str, minimum: int, help: str, default: int | None = None):
    """An option ``name N`` taking a whole number of at least ``minimum`` (a count, an
    index), with its ``default`` shown in ``--help`` when it has one; the shared counts
    below are such, and so are a single command's (``--scan-runs``, ``--workers``)."""
    shown = default is not None
    return click.option(
        name, type=click.IntRange(min=minimum), default=default, show_default=shown, help=help
    )


def runs(help: str):
    """The ``--runs N`` option: Monte Carlo runs, at least 1."""
    return count("--runs", 1, help)


def rng_seed(help: str = "Random seed (default: scenario)."):
    """The ``--rng-seed N`` option: the root random seed, at least 0."""
    return count("--rng-seed", 0, help)


def threads(help: str = "Worker threads (default: all)."):
    """The ``--threads N`` option: numba worker threads, at least 1."""
    return count("--threads", 1, help)


def out_dir(help: str, *, required: bool = False):
    """The ``--out DIR`` option: a folder the command writes into (see ``OutputDir``)."""
    return click.option("--out", type=OutputDir(), required=required, help=help)


def json_file(help: str):
    """The ``--json FILE`` option (the command's ``json_path``): a JSON file it writes."""
    return click.option("--json", "json_path", type=OutputFile(), help=help)


def _plot_formats() -> tuple[str, ...]:
    from smmsim.outputs import plot_formats

    return plot_formats()


def plot_file(help: str):
    """The ``--plot FILE`` option (the command's ``plot_path``): a figure it writes, in any
    format matplotlib writes."""
    return click.option("--plot", "plot_path", type=OutputFile(_plot_formats), help=help)


def progress(func):
    """The ``--progress/--no-progress`` switch."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Progress bar on stderr (default: only on a terminal).",
    )(func)
