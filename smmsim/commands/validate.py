"""``smmsim validate``: check a scenario without running it."""

from __future__ import annotations

import click

from smmsim.commands import options
from smmsim.commands.common import memory_limit, scenario_command, scenario_from_args


@scenario_command("validate", required=True)
@options.overrides
@options.max_memory
def validate(scenario, overrides, max_memory) -> None:
    """Check SCENARIO: keys, ranges, files, seed ids and the memory it will need."""
    from smmsim._text import one_line
    from smmsim.validation import validate_scenario

    sc = scenario_from_args(scenario, overrides)
    summary = validate_scenario(sc, limit=memory_limit(max_memory))
    click.echo(f"{one_line(scenario, limit=500)}: ok ({summary})")
