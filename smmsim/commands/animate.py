"""``smmsim animate``: an animated GIF (or MP4) of one cascade spreading."""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import OutputFile, scenario_command, scenario_from_args
from smmsim.errors import OutputPathError, UserError

DEFAULT_MAX_USERS = 5000


@scenario_command("animate", required=True)
@click.option(
    "--out",
    required=True,
    type=OutputFile(lambda: ("gif", "mp4")),
    help="Animation file: .gif, or .mp4 where ffmpeg is installed (missing folders are created).",
)
@options.overrides
@options.rng_seed()
@options.count("--run", 0, "Which Monte Carlo run to show (default: the largest of the first 20).")
@options.count(
    "--max-users", 1, "Refuse larger audiences (every user is drawn).", default=DEFAULT_MAX_USERS
)
@click.option(
    "--layout",
    type=click.Choice(["spring", "circle"]),
    default="spring",
    show_default=True,
    help="Force-directed positions, or users on a ring (small worlds).",
)
@click.option(
    "--fps",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Steps shown per second.",
)
def animate(scenario, out, overrides, rng_seed, run, max_users, layout, fps) -> None:
    """Animate one cascade of SCENARIO spreading step by step, for the classroom.

    Every user of a small audience is a dot that lights up when reached, shares or
    buys, with a counter of reach and conversions.

    Example: smmsim animate scenarios/classroom.yaml --out cascade.gif
    """
    from smmsim.audience import build_audience
    from smmsim.outputs import animation_formats, make_parent
    from smmsim.plots.animation import animate_cascade
    from smmsim.timeline import Timeline
    from smmsim.trace import one_cascade

    if out.suffix.lower() == ".mp4" and "mp4" not in animation_formats():
        raise OutputPathError(
            f"--out: cannot write {out}: no MP4 encoder (ffmpeg) found; write a .gif instead"
        )
    sc = scenario_from_args(scenario, overrides)
    n = sc.audience.get("n")
    if n is not None and n > max_users:
        raise UserError(_too_large(n, max_users) + f", e.g. --set audience.n={max_users}")
    graph = build_audience(sc)
    if graph.n > max_users:
        raise UserError(_too_large(graph.n, max_users))
    cascade = one_cascade(sc, run=run, rng=rng_seed, graph=graph)
    make_parent(out, "--out")
    frames = animate_cascade(
        cascade, out, positions=layout, fps=fps, max_users=max_users,
        timeline=Timeline.of(sc.simulation),
    )  # fmt: skip
    click.echo(
        f"Wrote {out} ({frames} frames): run {cascade.run} of {sc.name}, "
        f"{cascade.reach:,} of {graph.n:,} users reached, {cascade.conversions:,} bought"
    )


def _too_large(n: int, max_users: int) -> str:
    return (
        f"the audience has {n:,} users; animations draw every user, so they are "
        f"limited to {max_users:,} users (--max-users)"
    )
