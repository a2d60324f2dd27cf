"""``smmsim validate``: check a scenario without running it."""

from __future__ import annotations

import click

from smmsim.commands.common import (
    Command,
    max_memory_option,
    memory_limit,
    scenario_argument,
    scenario_from_args,
    set_option,
)


@click.command("validate", cls=Command)
@scenario_argument(required=True)
@set_option
@max_memory_option
def validate(scenario, overrides, max_memory) -> None:
    """Check SCENARIO: keys, ranges, files, seed ids and the memory it will need."""
    from smmsim._text import one_line
    from smmsim.validation import validate_scenario

    sc = scenario_from_args(scenario, overrides)
    summary = validate_scenario(sc, limit=memory_limit(max_memory))
    click.echo(f"{one_line(scenario, limit=500)}: ok ({summary})")
