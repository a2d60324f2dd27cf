"""Named segments of an audience: the ``segments:`` and ``target:`` keys of a scenario.

``segments:`` names groups of users by their attributes (:mod:`smmsim.attributes`),
in one of two forms::

    segments:
      by: age_band                 # each value of the attribute is a segment
      multipliers: {"18-24": {stickiness: 1.2}}

    segments:
      groups:
        young_urban: {where: {age_band: ["18-24", "25-34"], region: urban}, stickiness: 1.3}
        everyone_else: {}          # no where: every user not in an earlier group

A user belongs to the first group whose ``where`` they match (every listed attribute
has one of the listed values); users in no group form the segment :data:`OTHER`. The
groups become the audience's segments for the run (:func:`apply_segments`), replacing
the ones a generator made. Each segment may carry multipliers of the content's
stickiness, contagion and conversion (:data:`MULTIPLIERS`, default 1), which the
default model applies to its users (:func:`multiplier_table`).

``target:`` lists the segments the campaign is aimed at; reach outside them is the
spill-over (:func:`spillover_columns`).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from smmsim.params import ParamError, describe_value

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph

__all__ = [
    "MULTIPLIERS",
    "OTHER",
    "apply_segments",
    "check_target",
    "has_multipliers",
    "in_segments",
    "multiplier_table",
    "parse_segments",
    "parse_target",
    "spillover_columns",
]

#: The per-segment multipliers, in the column order of a kernel's ``seg_mult``.
MULTIPLIERS = ("stickiness", "contagion", "conversion")
#: The segment of users who match no group.
OTHER = "other"
_GROUP_KEYS = ("where", *MULTIPLIERS)
_FORMS = ("by", "groups", "multipliers")
#: Where a graph remembers the section that made its segments.
SPEC_KEY = "segments_spec"


def _did_you_mean(word: Any, choices: Sequence[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown(
    key: str, word: Any, choices: Sequence[str], where: str, what: str = "key"
) -> ParamError:
    return ParamError(
        key,
        f"unknown {what} {describe_value(word)}; {where}: {', '.join(choices)}"
        f"{_did_you_mean(word, choices)}",
    )


def _multipliers(value: Any, key: str, allowed: Sequence[str] = MULTIPLIERS) -> dict[str, float]:
    out = {}
    for name, x in value.items():
        if name not in allowed:
            raise _unknown(
                f"{key}.{name}" if isinstance(name, str) else key, name, allowed, f"{key} allows"
            )
        ok = isinstance(x, numbers.Real) and not isinstance(x, bool)
        if not ok or not (math.isfinite(float(x)) and float(x) >= 0):
            raise ParamError(f"{key}.{name}", f"must be a multiplier >= 0, got {describe_value(x)}")
        out[name] = float(x)
    return {m: out.get(m, 1.0) for m in MULTIPLIERS}


def _mapping(value: Any, key: str, what: str) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParamError(key, f"must be a mapping of {what}, got {describe_value(value)}")
    return value


def _text(x: Any, key: str, what: str) -> str:
    if isinstance(x, bool) or not isinstance(x, str | int) or not str(x).strip():
        raise ParamError(key, f"{what} must be non-empty text, got {describe_value(x)}")
    return str(x)


def parse_segments(value: Any, key: str = "segments") -> dict[str, Any] | None:
    """Check a ``segments:`` section (a :class:`~smmsim.params.Param` check).

    Returns the section in its resolved form: ``{"by": name, "multipliers": {value:
    {stickiness, contagion, conversion}}}`` or ``{"groups": {name: {"where": {attribute:
    [values]}, "stickiness": x, "contagion": y, "conversion": z}}}``, every multiplier
    given (default 1). Which attributes and values exist is checked against the audience
    (:func:`apply_segments`).
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ParamError(
            key,
            "must be a mapping with by: <attribute> or groups: {name: {where: ...}}, got "
            f"{describe_value(value)}",
        )
    for k in value:
        if k not in _FORMS:
            raise _unknown(f"{key}.{k}" if isinstance(k, str) else key, k, _FORMS, f"{key} allows")
    if ("by" in value) == ("groups" in value):
        raise ParamError(
            key,
            "needs exactly one of by: <attribute> (a segment per value) or groups: "
            "{name: {where: {attribute: values}}}",
        )
    if "by" in value:
        by = _text(value["by"], f"{key}.by", "the attribute")
        mult = _mapping(value.get("multipliers"), f"{key}.multipliers", "values to multipliers")
        table = {}
        for v, m in mult.items():
            name = _text(v, f"{key}.multipliers", "values")
            where = f"{key}.multipliers.{name}"
            table[name] = _multipliers(_mapping(m, where, "multipliers"), where)
        return {"by": by, "multipliers": table}
    if "multipliers" in value:
        raise ParamError(
            f"{key}.multipliers",
            "goes with by:; give each group its multipliers (stickiness, contagion, "
            "conversion) beside its where",
        )
    groups = _mapping(value["groups"], f"{key}.groups", "group names to {where: ...}")
    if not groups:
        raise ParamError(f"{key}.groups", "must name at least one group")
    out = {}
    for g, spec in groups.items():
        name = _text(g, f"{key}.groups", "group names")
        at = f"{key}.groups.{name}"
        spec = _mapping(spec, at, "where and multipliers")
        for k in spec:
            if k not in _GROUP_KEYS:
                raise _unknown(
                    f"{at}.{k}" if isinstance(k, str) else at, k, _GROUP_KEYS, f"{at} allows"
                )
        where = {}
        for attr, vals in _mapping(
            spec.get("where"), f"{at}.where", "attributes to values"
        ).items():
            attr = _text(attr, f"{at}.where", "attribute names")
            listed = vals if isinstance(vals, list | tuple) else [vals]
            if not listed:
                raise ParamError(f"{at}.where.{attr}", "must list at least one value")
            where[attr] = [_text(v, f"{at}.where.{attr}", "values") for v in listed]
        if name == OTHER and where:
            raise ParamError(
                at, f"{OTHER!r} is the segment of users in no group; it takes no where"
            )
        mult = _multipliers({k: v for k, v in spec.items() if k != "where"}, at)
        out[name] = {"where": where, **mult}
    return {"groups": out}


def parse_target(value: Any, key: str = "target") -> list[str] | None:
    """Check ``target:``: a non-empty list of distinct segment names."""
    if value is None:
        return None
    listed = value if isinstance(value, list | tuple) else [value]
    if not listed:
        raise ParamError(key, "must list at least one segment name")
    out: list[str] = []
    for x in listed:
        name = _text(x, key, "segment names")
        if name in out:
            raise ParamError(key, f"lists segment {name!r} twice")
        out.append(name)
    return out


def has_multipliers(spec: Mapping[str, Any] | None) -> bool:
    """Whether a resolved ``segments:`` section sets any multiplier other than 1."""
    if not spec:
        return False
    rows = spec["multipliers"].values() if "by" in spec else spec["groups"].values()
    return any(row[m] != 1.0 for row in rows for m in MULTIPLIERS)


def segment_names_of(spec: Mapping[str, Any] | None) -> list[str] | None:
    """The segment names a ``groups:`` section gives (with :data:`OTHER`, which exists
    when some user is in no group); ``None`` when they depend on the audience."""
    if not spec or "groups" not in spec:
        return None
    names = list(spec["groups"])
    return names if OTHER in names else [*names, OTHER]


def _attribute(graph: CSRGraph, name: str, key: str) -> tuple[np.ndarray, tuple[str, ...]]:
    if name not in graph.attributes:
        have = list(graph.attributes)
        if not have:
            raise ParamError(
                key,
                f"unknown attribute {name!r}: the audience has no attributes (give "
                "audience.attributes: a table, or audience.draw: shares)",
            )
        raise _unknown(key, name, have, "the audience's attributes are", "attribute")
    return graph.attributes[name]


def apply_segments(graph: CSRGraph, spec: Mapping[str, Any] | None) -> CSRGraph:
    """``graph`` with its segments made by a resolved ``segments:`` section.

    Raises
    ------
    ParamError
        For an attribute the audience does not have, or a value it never takes.
    """
    if not spec:
        return graph
    if graph._cache.get(SPEC_KEY) == spec:
        return graph  # made by this very section
    if "by" in spec:
        codes, values = _attribute(graph, spec["by"], "segments.by")
        for v in spec["multipliers"]:
            if v not in values:
                raise _unknown(
                    f"segments.multipliers.{v}", v, values, f"attribute {spec['by']} takes", "value"
                )
        segments, names = codes, values
    else:
        n = graph.n
        segments = np.full(n, -1, dtype=np.int32)
        names = tuple(spec["groups"])
        for gi, (name, group) in enumerate(spec["groups"].items()):
            match = segments < 0
            for attr, wanted in group["where"].items():
                at = f"segments.groups.{name}.where.{attr}"
                codes, values = _attribute(graph, attr, at)
                for v in wanted:
                    if v not in values:
                        raise _unknown(at, v, values, f"attribute {attr} takes", "value")
                ids = np.array([values.index(v) for v in wanted], dtype=np.int32)
                match &= np.isin(codes, ids)
            segments[match] = gi
        rest = segments < 0
        if rest.any():
            segments[rest] = len(names)
            names = (*names, OTHER)
    return dataclasses.replace(
        graph,
        segments=np.ascontiguousarray(segments, dtype=np.int32),
        segment_names=tuple(names),
        _cache={SPEC_KEY: copy.deepcopy(dict(spec))},
    )


def multiplier_table(spec: Mapping[str, Any] | None, names: Sequence[str] | None) -> np.ndarray:
    """The kernels' ``seg_mult``: one row per segment of ``names`` (columns
    :data:`MULTIPLIERS`), shape ``(0, 3)`` when the section sets no multiplier."""
    if not has_multipliers(spec) or not names:
        return np.zeros((0, len(MULTIPLIERS)), dtype=np.float64)
    rows = spec["multipliers"] if "by" in spec else spec["groups"]
    table = np.ones((len(names), len(MULTIPLIERS)), dtype=np.float64)
    for i, name in enumerate(names):
        row = rows.get(name)
        if row is not None:
            table[i] = [row[m] for m in MULTIPLIERS]
    return table


def check_target(target: Sequence[str] | None, names: Sequence[str] | None) -> None:
    """Every target names a segment of the audience (``names``).

    Raises
    ------
    ParamError
    """
    if not target:
        return
    if not names:
        raise ParamError(
            "target",
            "needs audience segments: give segments: (by an attribute or groups), or an "
            "audience with segments (generator sbm)",
        )
    for name in target:
        if name not in names:
            raise _unknown("target", name, list(names), "the segments are", "segment")


def in_segments(
    graph: CSRGraph, wanted: Sequence[Any], key: str, error: type[Exception]
) -> np.ndarray:
    """Whether each user of ``graph`` belongs to one of the segments ``wanted`` (names, or
    ids from 0).

    Parameters
    ----------
    graph : CSRGraph
    wanted : sequence of str or int
        Segment names or ids.
    key : str
        The scenario key that lists them, for messages (``"seeding.segments"``).
    error : type of Exception
        What is raised for an audience without segments or an unknown segment.

    Returns
    -------
    ndarray of bool
    """
    if graph.segments is None:
        raise error(f"{key}: the audience has no segments")
    names = list(graph.segment_names or ())
    count = int(graph.segments.max(initial=-1)) + 1
    ids = []
    for s in wanted:
        if isinstance(s, str) and s in names:
            ids.append(names.index(s))
        elif isinstance(s, int) and not isinstance(s, bool) and 0 <= s < count:
            ids.append(s)
        else:
            known = ", ".join(names) if names else f"ids 0..{count - 1}"
            raise error(f"{key}: unknown segment {describe_value(s)} (the audience has {known})")
    return np.isin(graph.segments, np.asarray(ids))


def spillover_columns(
    reach: np.ndarray, segment_reach: np.ndarray, target_ids: Sequence[int]
) -> dict[str, np.ndarray]:
    """Per-run spill-over: users reached outside the target segments, and their share
    of reach (NaN for a run that reached nobody).

    Parameters
    ----------
    reach : ndarray of int64, shape (R,)
        Each run's reach.
    segment_reach : ndarray of int64, shape (R, segments)
        Each run's reach in each segment (they add up to ``reach``).
    target_ids : sequence of int
        The target segments' ids.
    """
    inside = segment_reach[:, np.asarray(target_ids, dtype=np.int64)].sum(axis=1)
    spill = np.asarray(reach, dtype=np.int64) - inside
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(reach > 0, spill / np.maximum(reach, 1), np.nan)
    return {"spillover": spill, "spillover_share": share}
