"""Resolving a raw scenario mapping against the schema, the checks across keys
that the schema alone cannot state, and :func:`check_seed_nodes`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from smmsim.scenario.files import file_problem
from smmsim.scenario.schema import (
    _MODEL_OF_SECTION,
    _TOP_KEYS,
    AUDIENCE,
    GENERATOR_SCHEMA,
    MODEL_SECTIONS,
    SECTIONS,
    TOP_LEVEL,
    _audience_schema,
)

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.scenario.model import Scenario


def _resolve_path(path: str, base_dir: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p


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
        if section != "audience":
            data[section] = validate_mapping(raw.get(section), params, section)
    for section, params in MODEL_SECTIONS.items():
        if section in raw or _MODEL_OF_SECTION[section].name == data["model"]:
            data[section] = validate_mapping(raw.get(section), params, section)
    raw_seeding = raw.get("seeding") or {}
    _check_seeding(data["seeding"], raw_seeding, data["audience"])
    _check_funnel(data["funnel"])
    for section, model in _MODEL_OF_SECTION.items():
        if section in data:
            model.check(data)
    return data


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
            owners = [g for g, params in GENERATOR_SCHEMA.items() if key in params]
            if owners:
                message += f"; {key!r} belongs to: {', '.join(owners)}"
            raise ParamError("audience." + key_text(key), message)
    out = validate_mapping(section, schema, "audience")
    n = out.get("n")

    def at_most(key: str, limit: int, why: str) -> None:
        if out[key] is not None and out[key] > limit:
            raise ParamError(
                f"audience.{key}",
                f"must be at most {why} = {format_number(limit)}, got {format_number(out[key])}",
            )

    if generator in ("erdos_renyi", "watts_strogatz", "sbm"):
        at_most("mean_degree", n - 1, "audience.n - 1")
    elif generator == "barabasi_albert":
        at_most("m", n - 1, "audience.n - 1")
    elif generator == "powerlaw":
        at_most("min_degree", n - 1, "audience.n - 1")
        at_most("max_degree", n - 1, "audience.n - 1")
        if out["max_degree"] is not None and out["max_degree"] < out["min_degree"]:
            raise ParamError(
                "audience.max_degree",
                f"must be >= audience.min_degree = {out['min_degree']} or null, "
                f"got {out['max_degree']}",
            )
    if generator == "powerlaw":
        lo, hi = out["min_degree"], out["max_degree"]
        if lo == hi and lo % 2 == 1 and n % 2 == 1:
            raise ParamError(
                "audience.max_degree",
                f"with min_degree == max_degree = {lo} (odd) audience.n must be even, "
                f"got n = {n} (the degree sum must be even)",
            )
    if generator == "sbm":
        _check_segments(out)
    elif generator == "edgelist":
        path = _resolve_path_safely(out["path"], base_dir)
        problem = "file not found" if path is None else file_problem(path)
        if problem is not None:
            shown = describe_value(str(path if path is not None else out["path"]), limit=200)
            hint = ""
            if problem.startswith("file not found"):
                hint = " (relative paths are read from the scenario's folder)"
            raise ParamError("audience.path", f"{problem}: {shown}{hint}")
        # the resolved scenario names the file as found, so that it reads the same
        # file from any working directory (plots rebuild the audience from it)
        out["path"] = str(_canonical(path))
    return out


def _canonical(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _resolve_path_safely(path: str, base_dir: Path) -> Path | None:
    try:
        return _resolve_path(path, base_dir)
    except (OSError, ValueError, RuntimeError):  # e.g. "~nosuchuser/..."
        return None


def _check_segments(out: dict[str, Any]) -> None:
    n, segments, names = out["n"], out["segments"], out["segment_names"]
    if isinstance(segments, int):
        count = segments
        if segments > n:
            raise ParamError(
                "audience.segments",
                f"must be at most audience.n = {n} (each segment needs a user), got {segments}",
            )
    elif all(isinstance(x, int) for x in segments):
        count = len(segments)
        if sum(segments) != n:
            raise ParamError(
                "audience.segments",
                f"segment sizes must sum to audience.n = {n}, got {describe_value(segments)} "
                f"(sum {sum(segments)})",
            )
    else:
        count = len(segments)
    sizes = _segment_sizes(n, segments)
    if min(size for size, count in sizes if count) < 1:
        raise ParamError(
            "audience.segments",
            f"every segment needs at least one of the {n} users, got {describe_value(segments)}",
        )
    _check_sbm_probabilities(n, sizes, out["mean_degree"], out["homophily"])
    if names is not None:
        if len(names) != count:
            raise ParamError(
                "audience.segment_names",
                f"must have one name per segment ({count}), got {len(names)}",
            )
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ParamError(
                    "audience.segment_names", f"names must be unique; {name!r} repeats"
                )
            seen.add(name)


def _segment_sizes(n: int, segments: int | list[int] | list[float]) -> list[tuple[int, int]]:
    """Segment sizes as the sbm generator makes them, as ``(size, how many)`` pairs.

    Shares are rounded to sizes by largest remainder, as the generator does.
    """
    if isinstance(segments, int):
        q, r = divmod(n, segments)
        return [(q + 1, r), (q, segments - r)]
    if all(isinstance(x, int) for x in segments):
        return [(b, 1) for b in segments]
    exact = [f * n for f in segments]
    sizes = [math.floor(x) for x in exact]
    short = n - sum(sizes)
    order = sorted(range(len(sizes)), key=lambda i: -(exact[i] - sizes[i]))
    for i in order[: max(short, 0)]:
        sizes[i] += 1
    return [(b, 1) for b in sizes]


def _check_sbm_probabilities(
    n: int, sizes: list[tuple[int, int]], mean_degree: float, h: float
) -> None:
    """The tie probabilities inside and across segments must be probabilities."""
    within = sum(count * (b * (b - 1) // 2) for b, count in sizes)
    across = n * (n - 1) // 2 - within
    ties = n * mean_degree / 2
    if h < 1 and across == 0:
        raise ParamError(
            "audience.homophily",
            f"must be 1 when there is a single segment (every tie is inside it), got {h:g}",
        )
    if h > 0 and within == 0:
        raise ParamError(
            "audience.homophily",
            f"must be 0 when every segment has a single user, got {h:g}",
        )
    limits = []
    if h > 0:
        limits.append(2 * within / (h * n))
    if h < 1:
        limits.append(2 * across / ((1 - h) * n))
    if limits and ties > 0 and mean_degree > min(limits) * (1 + 1e-12):
        raise ParamError(
            "audience.mean_degree",
            f"must be at most {min(limits):.6g} for these segments with homophily {h:g} "
            f"(tie probabilities cannot exceed 1), got {format_number(mean_degree)}",
        )


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
    """Check the seeding section against the audience graph it will run on.

    Parameters
    ----------
    scenario : Scenario
    graph : CSRGraph
        The audience built from ``scenario.audience``.

    Raises
    ------
    ScenarioError
        If ``seeding.k`` exceeds the number of users, or a ``seeding.nodes`` id is not
        a user of the graph.
    """
    src = scenario._source_text
    seeding = scenario.data["seeding"]
    if seeding["k"] > graph.n:
        raise ScenarioError(
            src, "seeding.k", f"must be at most the audience size {graph.n}, got {seeding['k']}"
        )
    if seeding["strategy"] != "nodes":
        return
    nodes = seeding["nodes"]
    if graph.labels is None:
        for label in nodes:
            if not isinstance(label, int) or not 0 <= label < graph.n:
                raise ScenarioError(
                    src,
                    "seeding.nodes",
                    f"unknown user id {describe_value(label)} "
                    f"(the audience has ids 0..{graph.n - 1})",
                )
        return
    try:
        graph.node_ids(list(nodes))
    except KeyError as exc:
        label = exc.args[0] if exc.args else None
        sample = graph.labels[:3].tolist()
        known = ", ".join(describe_value(x) for x in sample)
        hint = ""
        other = str(label) if isinstance(label, int) else _maybe_int(label)
        if other is not None:
            try:
                graph.node_ids([other])
                hint = f"; did you mean {describe_value(other)}?"
            except KeyError:
                pass
        raise ScenarioError(
            src,
            "seeding.nodes",
            f"unknown user id {describe_value(label)} (the audience has {graph.n:,} users "
            f"with ids such as {known}){hint}",
        ) from None


def _maybe_int(label: Any) -> int | None:
    if isinstance(label, str):
        try:
            return int(label)
        except ValueError:
            return None
    return None
