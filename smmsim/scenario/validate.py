"""Resolving a raw scenario mapping against the schema, the checks across keys
that the schema alone cannot state, and :func:`check_seed_nodes`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smmsim.generator_registry import GENERATORS, check_audience_file
from smmsim.goals import by_date
from smmsim.models.calendar import check_calendar, resolve_posts
from smmsim.models.competition import COMPETITION_SECTIONS, check_competition
from smmsim.params import (
    ParamError,
    describe_value,
    format_number,
    key_text,
    unknown_key_message,
    validate,
    validate_mapping,
)
from smmsim.scenario.errors import ScenarioError
from smmsim.scenario.schema import (
    _MODEL_OF_SECTION,
    _TOP_KEYS,
    AUDIENCE,
    MODEL_SECTIONS,
    OPTIMIZER_KEYS,
    OPTIONAL_KEYS,
    SECTIONS,
    TOP_LEVEL,
    _audience_schema,
)
from smmsim.segments import check_target, has_multipliers, segment_names_of
from smmsim.timeline import Timeline

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.scenario.model import Scenario


def _resolve(raw: Mapping[Any, Any], base_dir: Path, default_name: str) -> dict[str, Any]:
    for key in raw:
        if not isinstance(key, str) or key not in _TOP_KEYS:
            what = "section" if isinstance(raw[key], Mapping) else "key"
            raise ParamError(key_text(key), unknown_key_message(key, _TOP_KEYS, "a scenario", what))
    top = {k: raw[k] for k in TOP_LEVEL if k in raw}
    if "name" not in top:
        top["name"] = default_name
    data = validate_mapping(top, TOP_LEVEL)
    data["audience"] = _resolve_audience(raw.get("audience"), base_dir)
    for section, params in SECTIONS.items():
        if section == "content":
            data[section] = _resolve_content(raw.get(section), params, OPTIONAL_KEYS[section])
        elif section != "audience":
            data[section] = validate_mapping(raw.get(section), params, section)
    for section, params in MODEL_SECTIONS.items():
        if section in raw or _MODEL_OF_SECTION[section].name == data["model"]:
            data[section] = validate_mapping(raw.get(section), params, section)
    for section, params in COMPETITION_SECTIONS.items():
        # present (even empty: every key at its default) means the content exists
        if section in raw:
            data[section] = validate_mapping(raw.get(section), params, section)
    raw_seeding = raw.get("seeding") or {}
    _check_seeding(data["seeding"], raw_seeding, data["audience"])
    _check_timeline(data["simulation"])
    _check_goals(data, base_dir)
    _trim_seeding(data["seeding"], raw_seeding)
    _check_funnel(data["funnel"])
    _check_tiers(data["economics"])
    for section, model in _MODEL_OF_SECTION.items():
        if section in data:
            model.check(data)
    check_competition(data)
    _check_segments(data)
    _resolve_calendar(data, raw)
    return data


def _resolve_content(section: Any, params: dict[str, Any], optional: dict[str, Any]) -> Any:
    """The content section, with its :data:`OPTIONAL_KEYS` (``fatigue``) when given: a
    scenario without them reads (and is told about its unknown keys) as it always did."""
    given = {}
    if isinstance(section, Mapping):
        given = {k: section[k] for k in optional if k in section}
        section = {k: v for k, v in section.items() if k not in optional}
    out = validate_mapping(section, params, "content")
    for key, value in given.items():
        out[key] = validate(value, optional[key], f"content.{key}")
    return out


def _resolve_calendar(data: dict[str, Any], raw: Mapping[Any, Any]) -> None:
    """The posts resolved (``at`` as a step, content and seeding filled in) and checked."""
    data["posts"] = resolve_posts(data.get("posts"), data)
    check_calendar(data)


def _check_timeline(simulation: dict[str, Any]) -> None:
    """A start date needs a unit that dates can count in. A simulation without a
    calendar leaves both keys out: its resolved section stays what it always was."""
    if simulation["start"] is None and simulation["time_unit"] == "step":
        del simulation["start"], simulation["time_unit"]
    elif simulation["start"] is not None and simulation["time_unit"] == "step":
        raise ParamError(
            "simulation.start",
            "needs simulation.time_unit hour, day or week (a step has no length in time)",
        )


def _check_goals(data: dict[str, Any], base_dir: Path) -> None:
    """Goals' horizons within the simulation's; each lift goal's baseline file (resolved
    from the scenario's folder) exists. Loading it is :func:`~smmsim.scenario.load`'s."""
    goals = data.get("goals")
    if not goals:
        return
    steps = data["simulation"]["steps"]
    timeline = Timeline.of(data["simulation"])
    for i, goal in enumerate(goals):
        if goal["by"] is not None:
            # a date becomes the step it falls on: the resolved scenario counts in steps
            goal["by"] = by_date(goal["by"], timeline, f"goals[{i}].by")
        if goal["by"] is not None and goal["by"] > steps:
            raise ParamError(
                f"goals[{i}].by", f"must be at most simulation.steps = {steps}, got {goal['by']}"
            )
        if goal["baseline"] is None:
            continue
        path = Path(goal["baseline"]).expanduser()
        path = path if path.is_absolute() else Path(base_dir or ".") / path
        if not path.is_file():
            raise ParamError(f"goals[{i}].baseline", f"file not found: {path}")
        goal["baseline"] = str(path.resolve())


def _resolve_audience(section: Any, base_dir: Path) -> dict[str, Any]:
    section = {} if section is None else section
    if not isinstance(section, Mapping):
        return validate_mapping(section, AUDIENCE, "audience")  # raises "must be a mapping"
    generator = validate(
        section.get("generator", AUDIENCE["generator"].default),
        AUDIENCE["generator"],
        "audience.generator",
    )
    schema = _audience_schema(generator)
    for key in section:
        if not isinstance(key, str) or key not in schema:
            message = unknown_key_message(key, list(schema), f"generator {generator}")
            owners = [g.name for g in GENERATORS.values() if key in g.params]
            if owners:
                message += f"; {key!r} belongs to: {', '.join(owners)}"
            raise ParamError("audience." + key_text(key), message)
    out = validate_mapping(section, schema, "audience")
    GENERATORS[generator].check(out, base_dir)
    _check_attribute_file(out, base_dir)
    for key in ("attributes", "draw"):
        if out[key] is None:
            del out[key]  # a scenario without them resolves as it always did
    return out


def _check_attribute_file(out: dict[str, Any], base_dir: Path) -> None:
    """``audience.attributes``, when given, names a readable file
    (:func:`~smmsim.generator_registry.check_audience_file`)."""
    if out.get("attributes") is not None:
        check_audience_file(out, "attributes", base_dir)


def _check_segments(data: dict[str, Any]) -> None:
    """``segments:`` and ``target:`` against what is known before the audience is built:
    multipliers only for the default model, attributes to group by, target names among
    the groups. Attribute values and segment names are checked on the audience."""
    spec, target = data.get("segments"), data.get("target")
    if spec and has_multipliers(spec):
        competing = [s for s in COMPETITION_SECTIONS if s in data]
        if data["model"] != "ewom" or competing:
            what = (
                f"model {data['model']}"
                if data["model"] != "ewom"
                else f"the competing-contents model (the scenario has {', '.join(competing)})"
            )
            raise ParamError(
                "segments",
                f"per-segment multipliers (stickiness, contagion, conversion) are taken by "
                f"the default model (ewom) only, not by {what}; remove them or use model: ewom",
            )
    audience = data["audience"]
    if spec and "draw" not in audience and "attributes" not in audience:
        if audience["generator"] != "sbm":
            key = "segments.by" if "by" in spec else "segments.groups"
            raise ParamError(
                key,
                "the audience has no attributes to name segments by: give "
                "audience.attributes (a table) or audience.draw (shares), or use generator sbm",
            )
    names = segment_names_of(spec)
    if target and names is not None:
        check_target(target, names)


def _check_seeding(seeding: dict[str, Any], raw_seeding: Any, audience: dict[str, Any]) -> None:
    strategy, nodes = seeding["strategy"], seeding["nodes"]
    k_given = isinstance(raw_seeding, Mapping) and "k" in raw_seeding
    if strategy == "nodes":
        if nodes is None:
            raise ParamError(
                "seeding.nodes",
                "is required when seeding.strategy is nodes: a non-empty list of user ids",
            )
        seen: set = set()
        for label in nodes:
            if label in seen:
                raise ParamError(
                    "seeding.nodes", f"lists user id {describe_value(label)} more than once"
                )
            seen.add(label)
        if k_given and seeding["k"] != len(nodes):
            raise ParamError(
                "seeding.k",
                f"must equal the number of seeding.nodes ({len(nodes)}) or be left out, "
                f"got {seeding['k']}",
            )
        seeding["k"] = len(nodes)
    elif nodes is not None:
        raise ParamError(
            "seeding.nodes",
            f"is only allowed with seeding.strategy: nodes (strategy is {strategy}); "
            "remove it or set strategy: nodes",
        )
    n = audience.get("n")
    if n is None:  # edge lists: checked against the graph by check_seed_nodes
        return
    if seeding["k"] > n:
        raise ParamError("seeding.k", f"must be at most audience.n = {n}, got {seeding['k']}")
    if strategy == "nodes":
        for label in nodes:
            if not isinstance(label, int) or not 0 <= label < n:
                raise ParamError(
                    "seeding.nodes",
                    f"unknown user id {describe_value(label)} (a generated audience "
                    f"has ids 0..{n - 1})",
                )


def _trim_seeding(seeding: dict[str, Any], raw_seeding: Any) -> None:
    """Leave out the optimiser's keys (:data:`OPTIMIZER_KEYS`) that a scenario whose
    strategy is not ``optimize`` did not give: they mean nothing to it, and its resolved
    seeding section stays what it always was."""
    if seeding["strategy"] == "optimize":
        return
    given = raw_seeding if isinstance(raw_seeding, Mapping) else {}
    for key in OPTIMIZER_KEYS:
        if key not in given:
            seeding.pop(key, None)


def _check_tiers(economics: dict[str, Any]) -> None:
    if economics.get("price_column", "") is None:
        del economics["price_column"]  # prices from followers: the section as it always was
    floors, prices = economics["tier_followers"], economics["tier_prices"]
    if (floors is None) != (prices is None):
        pair = ("tier_followers", "tier_prices")
        given, missing = pair if prices is None else pair[::-1]
        raise ParamError(f"economics.{missing}", f"is required with economics.{given}")
    if floors is not None and len(floors) != len(prices):
        raise ParamError(
            "economics.tier_prices",
            f"must have one price per economics.tier_followers entry ({len(floors)}), "
            f"got {len(prices)}",
        )


def _check_funnel(funnel: dict[str, Any]) -> None:
    p = funnel["conversion"] * funnel["referral_multiplier"]
    if p > 1 + 1e-12:
        raise ParamError(
            "funnel.referral_multiplier",
            f"conversion x referral_multiplier is the conversion probability of a referred "
            f"user and must be <= 1, got {format_number(funnel['conversion'])} x "
            f"{format_number(funnel['referral_multiplier'])} = {p:.6g}",
        )


def check_seed_nodes(scenario: Scenario, graph: CSRGraph) -> None:
    """Check the seeding section (and the accounts of a competitor, a claim and a
    response) against the audience graph it will run on.

    Parameters
    ----------
    scenario : Scenario
    graph : CSRGraph
        The audience built from ``scenario.audience``.

    Raises
    ------
    ScenarioError
        If a ``k`` exceeds the number of users, a listed id is not a user of the graph,
        or ``target`` names a segment the audience does not have.
    """
    src = scenario._source_text
    try:
        check_target(scenario.data.get("target"), graph.segment_names)
    except ParamError as exc:
        raise ScenarioError(src, exc.key, exc.message) from None
    for section in ("seeding", *COMPETITION_SECTIONS):
        sec = scenario.data.get(section)
        if not sec or "k" not in sec:
            continue
        if sec["k"] > graph.n:
            raise ScenarioError(
                src, f"{section}.k", f"must be at most the audience size {graph.n}, got {sec['k']}"
            )
        if sec["strategy"] == "nodes":
            _check_nodes(src, f"{section}.nodes", sec["nodes"], graph)


def _check_nodes(src: str, key: str, nodes: list, graph: CSRGraph) -> None:
    """Every id of ``nodes`` is a user of ``graph`` (raise ScenarioError naming ``key``)."""
    if graph.labels is None:
        for label in nodes:
            if not isinstance(label, int) or not 0 <= label < graph.n:
                raise ScenarioError(src, key, graph.unknown_id(label))
        return
    try:
        graph.node_ids(list(nodes))
    except KeyError as exc:
        raise ScenarioError(src, key, graph.unknown_id(exc.args[0] if exc.args else None)) from None
    return None
