"""What ``smmsim validate`` checks beyond the schema: :func:`validate_scenario`.

A generated audience is not built: its size, the seed ids and the memory it needs
follow from the settings, so validation stays fast and loads no numba, pandas or
matplotlib. An edge-list audience is read, because only the file can say whether
every line is a tie and every seed id a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim.memory import check_memory, default_memory_limit, format_bytes

if TYPE_CHECKING:
    from smmsim.scenario import Scenario

__all__ = ["validate_scenario"]


def validate_scenario(scenario: Scenario, limit: int | None = None) -> str:
    """Check what the schema cannot: the memory needed and, for an edge list, the file.

    Parameters
    ----------
    scenario : Scenario
        A scenario that passed the schema (:func:`smmsim.load_scenario`).
    limit : int, optional
        Bytes allowed (default: :func:`smmsim.memory.default_memory_limit`).

    Returns
    -------
    str
        One line for the user: name, size of the audience and memory estimate.

    Raises
    ------
    ScenarioError
        If the scenario would need more than ``limit`` bytes, or a seed id is not a
        user of an edge-list audience.
    smmsim.io.EdgeListError
        If the edge-list file is malformed.
    """
    from smmsim._text import one_line

    limit = default_memory_limit() if limit is None else limit
    estimate = check_memory(scenario, limit=limit)
    memory = f"needs about {format_bytes(estimate.total)} of the {format_bytes(limit)} allowed"
    if scenario.data["audience"]["generator"] == "edgelist":
        # The edge-list parser is a numba kernel (smmsim.io), the one `run` uses: a
        # second, pure-Python parser here could approve a file that `run` refuses.
        from smmsim.audience import build_audience
        from smmsim.models import model_of
        from smmsim.scenario import check_seed_nodes

        graph = build_audience(scenario)
        check_seed_nodes(scenario, graph)
        model_of(scenario).check_audience(graph)
        size = f"{graph.n:,} users, {graph.n_edges:,} ties"
    else:
        size = f"{estimate.users:,} users, about {estimate.ties:,.0f} ties"
        if _names_users(scenario.data):
            # the attribute table, the segments and the target, on the users alone
            from smmsim.audience import users_without_ties
            from smmsim.scenario import check_seed_nodes

            check_seed_nodes(scenario, users_without_ties(scenario))
    return one_line(f"{scenario.name}: {size}; {memory}", limit=500)


def _names_users(data: dict) -> bool:
    """Whether a scenario gives users attributes, segments or a target."""
    audience = data["audience"]
    return bool(
        audience.get("attributes")
        or audience.get("draw")
        or data.get("segments")
        or data.get("target")
    )
