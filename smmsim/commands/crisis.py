"""``smmsim crisis``: how fast to answer a false claim."""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import scenario_from_args


def _delays(text: str) -> list[int]:
    from smmsim.commands.common import BadInput

    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise BadInput(
            f"--delays: expected whole steps separated by commas such as 0,2,4,8,16; got {text!r}"
        ) from None
    if not values or min(values) < 0:
        raise BadInput(f"--delays: expected steps >= 0 such as 0,2,4,8,16; got {text!r}")
    return values


@click.command("crisis")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--delays",
    default="0,2,4,8,16",
    show_default=True,
    help="Response delays to compare, in steps, separated by commas.",
)
@options.runs("Monte Carlo runs of every variant (default: the scenario's).")
@options.rng_seed("Random seed of every variant (default: the scenario's).")
@options.out_dir("Write crisis.csv and crisis.png here.")
@options.threads()
def crisis(scenario, delays, runs, rng_seed, out, threads) -> None:
    """Damage and the claim's reach against the brand's response delay.

    SCENARIO has a claim: section (and usually a response: section, the rebuttal whose
    delay is varied). It runs without the claim, with the claim unanswered, and with
    the claim answered after each delay, all with the same runs and seed, so damage
    and savings are run-by-run differences with 95% intervals.

    Example: smmsim crisis scenarios/crisis_facebook.yaml --delays 0,2,4,8,16 --out crisis
    """
    from smmsim.crisis import crisis as run_crisis
    from smmsim.outputs import check_dir

    values = _delays(delays)
    if out is not None:
        check_dir(out, "--out")
    sc = scenario_from_args(scenario)
    result = run_crisis(sc, values, runs=runs, rng=rng_seed, threads=threads, progress=None)
    click.echo(result.report())
    if out is not None:
        paths = result.write(out)
        click.echo(f"Wrote {', '.join(str(p) for p in paths)}")
