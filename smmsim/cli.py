"""The ``smmsim`` command line: a thin layer over the library.

Every command parses options, calls one library function and prints or writes its
output. Library errors (bad scenarios, broken edge lists) become one-line messages and
exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import ClassVar

import click

from smmsim import __version__

EXIT_BAD_INPUT = 2


class BadInput(click.ClickException):
    """A user error: one line on stderr, exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def _user_errors():
    from smmsim.graph import GraphError
    from smmsim.io import EdgeListError
    from smmsim.scenario import ScenarioError

    return (ScenarioError, EdgeListError, GraphError, ValueError, KeyError)


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


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smmsim")
def cli() -> None:
    """Simulate electronic word of mouth: earned reach, virality and referral-driven
    conversions of a campaign on a social audience."""


@cli.command()
@scenario_argument(required=False)
@click.option("--runs", type=click.IntRange(min=1), help="Monte Carlo runs (default: scenario).")
@click.option("--rng-seed", type=click.IntRange(min=0), help="Random seed (default: scenario).")
@set_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write summary.json, runs.csv, timeseries.csv and the PNG plots here.",
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
    from smmsim.results import RunWriter
    from smmsim.simulate import simulate

    limit = _memory_limit(max_memory)
    try:
        sc = _load(scenario, overrides)
        check_memory(sc, runs=runs, limit=limit, threads=threads)
        writer = RunWriter(out) if out is not None else None
        res = simulate(
            sc, runs=runs, rng=rng_seed, progress=progress, on_batch=writer, threads=threads
        )
    except _user_errors() as exc:
        raise BadInput(_one_line(exc)) from None
    click.echo(res.report())
    if writer is not None:
        paths = writer.finish(res)
        click.echo(f"Wrote {', '.join(str(p) for p in paths)}")


@cli.command()
@scenario_argument(required=True)
@set_option
@max_memory_option
def validate(scenario, overrides, max_memory) -> None:
    """Check SCENARIO: keys, ranges, files, seed ids and the memory it will need."""
    from smmsim._text import one_line
    from smmsim.validation import validate_scenario

    limit = _memory_limit(max_memory)
    try:
        sc = _load(scenario, overrides)
        summary = validate_scenario(sc, limit=limit)
    except Exception as exc:  # the edge-list error types load numba: only if needed
        from smmsim.errors import UserError

        if not isinstance(exc, UserError) and not isinstance(exc, _user_errors()):
            raise
        raise BadInput(_one_line(exc)) from None
    click.echo(f"{one_line(scenario, limit=500)}: ok ({summary})")


@cli.command()
@scenario_argument(required=False)
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def audience(scenario, overrides, as_json) -> None:
    """Describe SCENARIO's audience: size, degree moments and virality threshold."""
    from smmsim.audience import build_audience
    from smmsim.report import threshold_verdict
    from smmsim.theory import percolation, transmissibility

    try:
        sc = _load(scenario, overrides)
        graph = build_audience(sc)
    except _user_errors() as exc:
        raise BadInput(_one_line(exc)) from None
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
    """Console entry point."""
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        click.echo("Interrupted; runs already written are kept.", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
