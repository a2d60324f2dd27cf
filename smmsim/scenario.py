"""Scenarios: a campaign described as data, validated once, with every default filled.

A scenario names the audience (a graph generator or an edge-list file), the content,
the seeding policy (which users the brand pays to post first), the purchase funnel,
the campaign economics and the Monte Carlo settings. It is written as a YAML file
(see ``scenarios/`` in the repository) or built from a dict, and it is checked against
:data:`SCHEMA` at the boundary: an unknown section or key, a value of the wrong type or
out of its declared range gives a :class:`ScenarioError` whose one-line message names
the file, the dotted key and what is allowed::

    launch.yaml: content.stickiness: must be a probability in [0, 1], got 1.5

The resolved scenario (:attr:`Scenario.data`) holds every key with its value or default,
as plain YAML/JSON types, so it can be stored beside the results it produced.

Conventions that the schema alone cannot state
----------------------------------------------
* ``audience`` keys depend on ``audience.generator``; each generator accepts its own
  keys plus ``rng_seed``.
* ``audience.rng_seed: null`` means the graph's randomness is derived from
  ``simulation.rng_seed``; the resolved scenario keeps ``null`` (the simulation layer
  does the derivation).
* ``audience.path`` (edge lists) is relative to the folder of the scenario file (the
  working directory for scenarios built in code) and the file must exist.
* With ``seeding.strategy: nodes`` the seed users are ``seeding.nodes`` and ``seeding.k``
  is their number: leave ``k`` out (it is filled in) or give exactly ``len(nodes)``.
  ``nodes`` is not allowed with the other strategies.
* A referred user converts with probability ``conversion * referral_multiplier``; that
  product must not exceed 1.

Examples
--------
>>> from smmsim.scenario import default_scenario, parse_override
>>> s = default_scenario()
>>> s.get("content.stickiness")
0.15
>>> key, value = parse_override("content.stickiness=0.2")
>>> s.with_overrides({key: value}).content["stickiness"]
0.2
"""

from __future__ import annotations

import copy
import math
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from smmsim.models import MODELS
from smmsim.params import (
    Param,
    ParamError,
    describe_value,
    format_number,
    key_text,
    unknown_key_message,
    validate,
    validate_mapping,
)

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph

__all__ = [
    "GENERATOR_SCHEMA",
    "MODEL_SECTIONS",
    "SCHEMA",
    "Scenario",
    "ScenarioError",
    "check_seed_nodes",
    "default_scenario",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
    "schema_table",
]

#: Largest audience: node ids are stored as int32.
MAX_USERS = 2**31 - 1

_DICT_SOURCE = "<scenario>"
_OVERRIDE_SOURCE = "<override>"

# Characters that ``str.splitlines`` treats as line breaks: none may reach a message.
_LINE_BREAKS = {
    "\n": "\\n",
    "\r": "\\r",
    "\x0b": "\\x0b",
    "\x0c": "\\x0c",
    "\x1c": "\\x1c",
    "\x1d": "\\x1d",
    "\x1e": "\\x1e",
    "\x85": "\\x85",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_ONE_LINE = str.maketrans(_LINE_BREAKS)


class ScenarioError(ValueError):
    """A scenario is invalid: one line, ``"<file>: <dotted.key>: <problem>"``.

    Parameters
    ----------
    source : str or None
        The scenario file as given, or ``None`` for scenarios built in code (shown as
        ``"<scenario>"``).
    key : str or None
        Dotted key of the offending value (``"content.stickiness"``); ``None`` for
        problems with the file as a whole, such as malformed YAML.
    problem : str
        What is wrong and what is allowed.

    Attributes
    ----------
    source : str
    key : str or None
    problem : str
    """

    def __init__(self, source: str | None, key: str | None, problem: str) -> None:
        self.source = _DICT_SOURCE if source is None else str(source)
        self.key = key
        self.problem = problem
        parts = [self.source, *([key] if key else []), problem]
        super().__init__(": ".join(parts).translate(_ONE_LINE))


# ---------------------------------------------------------------------------- schema
def _even(value: int, key: str) -> int:
    if value % 2:
        raise ParamError(key, f"must be an even integer >= 2 (ties on a ring), got {value}")
    return value


def _non_empty(value: str, key: str) -> str:
    if not value.strip():
        raise ParamError(key, f"must be a non-empty string, got {value!r}")
    return value


_SEGMENTS_TEXT = (
    "an integer >= 1, or a list of positive integers summing to audience.n, "
    "or a list of fractions summing to 1"
)


def _segments(value: Any, key: str) -> int | list[int] | list[float]:
    def bad(detail: str = "") -> ParamError:
        return ParamError(key, f"must be {_SEGMENTS_TEXT}{detail}, got {describe_value(value)}")

    def is_int(x: Any) -> bool:
        return isinstance(x, numbers.Integral) and not isinstance(x, bool)

    def is_real(x: Any) -> bool:
        return isinstance(x, numbers.Real) and not isinstance(x, bool)

    if is_int(value):
        if value < 1:
            raise bad()
        return int(value)
    if not isinstance(value, list | tuple) or not value:
        raise bad()
    if all(is_int(x) for x in value):
        if any(x < 1 for x in value):
            raise bad(" (every segment needs at least one user)")
        return [int(x) for x in value]
    if not all(is_real(x) for x in value):
        raise bad()
    try:
        fractions = [float(x) for x in value]
    except (OverflowError, ValueError, TypeError):
        raise bad() from None
    if not all(math.isfinite(f) and 0 < f <= 1 for f in fractions):
        raise bad(" (each fraction in (0, 1])")
    total = math.fsum(fractions)
    if abs(total - 1.0) > 1e-9:
        raise ParamError(
            key, f"fractions must sum to 1, got {describe_value(value)} (sum {total:.6g})"
        )
    return fractions


_N = Param("int", 10_000, low=2, high=MAX_USERS, description="number of users in the audience")
_MEAN_DEGREE = Param(
    "float", 8.0, low=0, closed="neither", description="mean number of ties per user (< n)"
)

TOP_LEVEL: dict[str, Param] = {
    "name": Param(
        "str",
        "scenario",
        check=_non_empty,
        description="short name used in results (default: the file name without .yaml)",
    ),
    "description": Param("str", "", description="free text: what the campaign tests"),
    "model": Param(
        "str",
        "ewom",
        choices=tuple(MODELS),
        description="spreading model; its own parameters go in the section of that name",
    ),
}

GENERATOR_SCHEMA: dict[str, dict[str, Param]] = {
    "erdos_renyi": {
        "n": _N,
        "mean_degree": _MEAN_DEGREE,
        "directed": Param(
            "bool", False, description="one-way follower arcs instead of mutual ties"
        ),
    },
    "barabasi_albert": {
        "n": _N,
        "m": Param(
            "int", 4, low=1, description="ties each new user makes (preferential attachment)"
        ),
    },
    "powerlaw": {
        "n": _N,
        "exponent": Param(
            "float",
            2.5,
            low=2,
            high=10,
            closed="right",
            description="degree distribution exponent: P(k) ~ k^-exponent",
        ),
        "min_degree": Param("int", 2, low=1, description="fewest ties a user has"),
        "max_degree": Param(
            "int",
            None,
            low=1,
            nullable=True,
            description="most ties a user has (>= min_degree; null: n - 1)",
        ),
    },
    "watts_strogatz": {
        "n": _N,
        "mean_degree": Param(
            "int",
            10,
            low=2,
            check=_even,
            type_text="an even integer >= 2",
            description="ties per user on the starting ring (< n)",
        ),
        "rewire": Param(
            "float", 0.1, low=0, high=1, description="probability that a ring tie is rewired"
        ),
    },
    "sbm": {
        "n": _N,
        "segments": Param(
            "any",
            4,
            check=_segments,
            type_text=_SEGMENTS_TEXT,
            description="number of equal segments, or their sizes, or their shares",
        ),
        "segment_names": Param(
            "list",
            None,
            low=1,
            items=("str",),
            nullable=True,
            description="one name per segment (unique)",
        ),
        "mean_degree": _MEAN_DEGREE,
        "homophily": Param(
            "float",
            0.8,
            low=0,
            high=1,
            description="share of a user's ties that stay inside their own segment",
        ),
    },
    "edgelist": {
        "path": Param(
            "str",
            check=_non_empty,
            description="edge-list file (one 'u v [weight]' per line), relative to the scenario",
        ),
        "directed": Param("bool", False, description="read 'u v' as v follows u"),
        "weighted": Param(
            "bool",
            None,
            nullable=True,
            description="read a third column as tie strength (null: if present)",
        ),
    },
}

AUDIENCE: dict[str, Param] = {
    "generator": Param(
        "str",
        "barabasi_albert",
        choices=tuple(GENERATOR_SCHEMA),
        description="how the audience graph is made",
    ),
    "rng_seed": Param(
        "int",
        None,
        low=0,
        nullable=True,
        description="seed for the graph (null: derived from simulation.rng_seed)",
    ),
}

_PROBABILITY = {"low": 0, "high": 1}
_MONEY = {"low": 0}

SECTIONS: dict[str, dict[str, Param]] = {
    "audience": AUDIENCE,
    "content": {
        "stickiness": Param(
            "float", 0.15, **_PROBABILITY, description="chance a user who sees it engages"
        ),
        "contagion": Param(
            "float", 0.5, **_PROBABILITY, description="chance an engaged user reshares it"
        ),
        "visibility": Param(
            "float", 0.5, **_PROBABILITY, description="chance a share shows in a follower's feed"
        ),
        "half_life": Param(
            "float",
            None,
            low=0,
            closed="neither",
            nullable=True,
            description="steps for appeal to halve (null: no novelty decay)",
        ),
    },
    "seeding": {
        "strategy": Param(
            "str",
            "random",
            choices=("random", "top_degree", "nodes"),
            description="which users post first: random, most-followed, or listed",
        ),
        "k": Param(
            "int",
            10,
            low=1,
            description="number of seed users (with strategy nodes: len(nodes))",
        ),
        "nodes": Param(
            "list",
            None,
            low=1,
            items=("int", "str"),
            nullable=True,
            description="user ids to seed; required with strategy nodes, else not allowed",
        ),
    },
    "funnel": {
        "conversion": Param(
            "float", 0.02, **_PROBABILITY, description="chance an engaged user buys"
        ),
        "referral_multiplier": Param(
            "float",
            2.0,
            low=0,
            description="conversion boost for referred users (conversion x it must be <= 1)",
        ),
    },
    "economics": {
        "cost_per_seed": Param("float", 100.0, **_MONEY, description="flat fee per seed user"),
        "cost_per_follower": Param(
            "float",
            0.0,
            **_MONEY,
            description="fee per follower of each seed user (influencer pricing)",
        ),
        "fixed_cost": Param(
            "float", 0.0, **_MONEY, description="campaign cost independent of seeding"
        ),
        "revenue_per_conversion": Param(
            "float", 40.0, **_MONEY, description="revenue from one purchase"
        ),
        "cpm": Param(
            "float",
            5.0,
            **_MONEY,
            description="value of 1,000 earned impressions (earned media value)",
        ),
        "currency": Param("str", "USD", check=_non_empty, description="currency of amounts"),
    },
    "simulation": {
        "runs": Param("int", 1000, low=1, description="Monte Carlo replicates"),
        "steps": Param("int", 50, low=1, description="time steps per run (the time unit)"),
        "rng_seed": Param(
            "int", 42, low=0, nullable=True, description="root seed (null: fresh entropy)"
        ),
        "viral_fraction": Param(
            "float",
            0.01,
            low=0,
            high=1,
            closed="right",
            description="a run is viral when earned sharers reach this share of the audience",
        ),
    },
}

#: The sections of the models' own parameters (``social_proof:``, ``bass:``, ...), from
#: the model registry: a section is validated when present and filled with defaults
#: when the scenario selects its model.
MODEL_SECTIONS: dict[str, dict[str, Param]] = {
    m.section: m.params for m in MODELS.values() if m.section is not None
}
_MODEL_OF_SECTION = {m.section: m for m in MODELS.values() if m.section is not None}
_ALL_SECTIONS: dict[str, dict[str, Param]] = {**SECTIONS, **MODEL_SECTIONS}

#: Every declared key: top-level parameters, then one mapping per section. The
#: ``audience`` section lists its common keys (``generator``, ``rng_seed``); the keys
#: of each generator are in :data:`GENERATOR_SCHEMA`.
SCHEMA: dict[str, Any] = {**TOP_LEVEL, **_ALL_SECTIONS}

_TOP_KEYS = [*TOP_LEVEL, *_ALL_SECTIONS]


def _audience_schema(generator: str) -> dict[str, Param]:
    return {
        "generator": AUDIENCE["generator"],
        **GENERATOR_SCHEMA[generator],
        "rng_seed": AUDIENCE["rng_seed"],
    }


def schema_table() -> list[tuple[str, str, str, str]]:
    """Rows ``(key, type and range, default, description)`` documenting every key.

    Generator-specific audience keys are suffixed with the generators that accept them,
    e.g. ``"audience.m (barabasi_albert)"``.

    Returns
    -------
    list of tuple of str
    """
    rows = [(k, p.type_summary(), p.default_text(), p.description) for k, p in TOP_LEVEL.items()]
    gen = AUDIENCE["generator"]
    rows.append(("audience.generator", gen.type_summary(), gen.default_text(), gen.description))
    merged: dict[tuple[str, int], tuple[Param, list[str]]] = {}
    for generator, params in GENERATOR_SCHEMA.items():
        for key, spec in params.items():
            slot = (key, id(spec))
            merged.setdefault(slot, (spec, []))[1].append(generator)
    for (key, _), (spec, generators) in merged.items():
        where = ", ".join(generators)
        rows.append(
            (
                f"audience.{key} ({where})",
                spec.type_summary(),
                spec.default_text(),
                spec.description,
            )
        )
    seed = AUDIENCE["rng_seed"]
    rows.append(("audience.rng_seed", seed.type_summary(), seed.default_text(), seed.description))
    for section, params in _ALL_SECTIONS.items():
        if section == "audience":
            continue
        for key, spec in params.items():
            rows.append(
                (f"{section}.{key}", spec.type_summary(), spec.default_text(), spec.description)
            )
    return rows


# ---------------------------------------------------------------------------- YAML
class _Loader(yaml.SafeLoader):
    """Safe YAML with three changes for scenario files.

    Duplicate keys are errors (PyYAML silently keeps the last), ``1e-3`` is a float (as
    in YAML 1.2; PyYAML's YAML 1.1 reads it as a string) and dates stay strings.
    """

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found unhashable key",
                        key_node.start_mark,
                    ) from None
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key {describe_value(key)}",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),
)


class _Dumper(yaml.SafeDumper):
    """Block-style mappings with short lists written inline (``[3, 17, 42]``)."""


_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def _first_line(text: str) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def _char_text(character: Any) -> str:
    if isinstance(character, int):
        return f"#x{character:04x}"
    return describe_value(character)


def _parse_yaml(text: str, source: str, key: str | None = None) -> Any:
    """``yaml`` parse of ``text``; every failure becomes a :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = _first_line(exc.problem or "")
        context = _first_line(exc.context or "")
        if context and not context.startswith("while"):
            problem = f"{context} {problem}".strip()
        raise ScenarioError(source, key, f"{where}invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ScenarioError(
            source,
            key,
            f"line {line}: invalid YAML: {_first_line(exc.reason)} "
            f"(character {_char_text(exc.character)})",
        ) from None
    except RecursionError:
        raise ScenarioError(source, key, "invalid YAML: nested too deeply") from None
    except Exception as exc:  # the YAML library has many failure modes; none may escape
        detail = _first_line(str(exc)) or type(exc).__name__
        raise ScenarioError(source, key, f"invalid YAML: {detail}") from None


# ---------------------------------------------------------------------------- Scenario
@dataclass(frozen=True)
class Scenario:
    """A validated campaign scenario.

    Build one with :func:`load_scenario`, :func:`scenario_from_dict` or
    :func:`default_scenario`; the constructor does not validate.

    Parameters
    ----------
    data : dict
        The resolved scenario: every section and key, defaults filled, plain
        YAML/JSON types. Treat it as read-only; :meth:`to_dict` returns a copy.
    source : str or None
        The file it was loaded from, as given; ``None`` if built in code.
    base_dir : pathlib.Path
        Folder that relative paths (``audience.path``) are read from.
    """

    data: dict[str, Any]
    source: str | None = None
    base_dir: Path = field(default_factory=Path.cwd)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, source={self.source!r})"

    @property
    def _source_text(self) -> str:
        return _DICT_SOURCE if self.source is None else self.source

    # ------------------------------------------------------------------ access
    def get(self, dotted_key: str) -> Any:
        """Value at a dotted key (``"content.stickiness"``), or a whole section (a copy).

        Raises
        ------
        ScenarioError
            If the key is not in the resolved scenario, listing the valid keys.
        """
        parts = dotted_key.split(".") if isinstance(dotted_key, str) else [dotted_key]
        node: Any = self.data
        for depth, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                where = ".".join(parts[:depth]) or "a scenario"
                allowed = list(node) if isinstance(node, dict) else []
                raise ScenarioError(
                    self._source_text,
                    key_text(dotted_key),
                    unknown_key_message(part, allowed, where),
                )
            node = node[part]
        return copy.deepcopy(node)

    @property
    def name(self) -> str:
        """Short name of the scenario."""
        return self.data["name"]

    @property
    def audience(self) -> dict[str, Any]:
        """The ``audience`` section (a copy)."""
        return copy.deepcopy(self.data["audience"])

    @property
    def content(self) -> dict[str, Any]:
        """The ``content`` section (a copy)."""
        return copy.deepcopy(self.data["content"])

    @property
    def seeding(self) -> dict[str, Any]:
        """The ``seeding`` section (a copy)."""
        return copy.deepcopy(self.data["seeding"])

    @property
    def funnel(self) -> dict[str, Any]:
        """The ``funnel`` section (a copy)."""
        return copy.deepcopy(self.data["funnel"])

    @property
    def economics(self) -> dict[str, Any]:
        """The ``economics`` section (a copy)."""
        return copy.deepcopy(self.data["economics"])

    @property
    def simulation(self) -> dict[str, Any]:
        """The ``simulation`` section (a copy)."""
        return copy.deepcopy(self.data["simulation"])

    def audience_path(self) -> Path | None:
        """The edge-list file of an ``edgelist`` audience, resolved against
        :attr:`base_dir`; ``None`` for generated audiences."""
        path = self.data["audience"].get("path")
        return None if path is None else _resolve_path(path, self.base_dir)

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict[str, Any]:
        """A deep copy of :attr:`data`."""
        return copy.deepcopy(self.data)

    def to_yaml(self) -> str:
        """The resolved scenario as YAML text; :func:`load_scenario` reads it back."""
        return yaml.dump(self.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)

    # ------------------------------------------------------------------ overrides
    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted keys replaced, validated again.

        Parameters
        ----------
        overrides : mapping of str to object
            ``{"content.stickiness": 0.2, "simulation.runs": 100}``; top-level keys
            (``name``) have no dot.

        Returns
        -------
        Scenario

        Raises
        ------
        ScenarioError
            For an unknown key (listing the valid keys of its section) or a value that
            is not allowed.

        Notes
        -----
        Changing ``audience.generator`` keeps only the audience keys the new generator
        accepts (``n`` survives a switch from ``barabasi_albert`` to ``erdos_renyi``,
        ``m`` does not). Switching ``seeding.strategy`` away from ``nodes`` drops the
        node list; setting new ``seeding.nodes`` sets ``k`` to their number unless
        ``seeding.k`` is overridden too.
        """
        src = self._source_text
        if not isinstance(overrides, Mapping):
            raise ScenarioError(
                src,
                None,
                f"overrides must be a mapping of dotted keys to values, got "
                f"{describe_value(overrides)}",
            )
        data = self.to_dict()
        split: dict[tuple[str, ...], Any] = {}
        for dotted, value in overrides.items():
            split[_split_override_key(dotted, src)] = copy.deepcopy(value)

        new_gen = split.get(("audience", "generator"), data["audience"]["generator"])
        if new_gen != data["audience"]["generator"]:
            new_gen = _as_scenario_error(
                lambda: validate(new_gen, AUDIENCE["generator"], "audience.generator"), src
            )
            allowed = _audience_schema(new_gen)
            data["audience"] = {k: v for k, v in data["audience"].items() if k in allowed}

        for parts, value in split.items():
            if len(parts) == 1:
                data[parts[0]] = value
                continue
            section, key = parts
            allowed = (
                list(_audience_schema(new_gen))
                if section == "audience"
                else list(_ALL_SECTIONS[section])
            )
            if key not in allowed:
                where = f"generator {new_gen}" if section == "audience" else section
                raise ScenarioError(
                    src, f"{section}.{key}", unknown_key_message(key, allowed, where)
                )
            data.setdefault(section, {})[key] = value

        seeding = data["seeding"]
        touched = {parts[1] for parts in split if parts[0] == "seeding" and len(parts) == 2}
        if seeding.get("strategy") == "nodes":
            if touched & {"nodes", "strategy"} and "k" not in touched:
                seeding.pop("k", None)
        elif "nodes" not in touched:
            seeding["nodes"] = None
        return _build(data, self.source, self.base_dir)


def _split_override_key(dotted: Any, source: str) -> tuple[str, ...]:
    if not isinstance(dotted, str) or not dotted:
        raise ScenarioError(
            source,
            None,
            f"override keys must be dotted names such as content.stickiness, "
            f"got {describe_value(dotted)}",
        )
    parts = tuple(dotted.split("."))
    if parts[0] not in _TOP_KEYS:
        raise ScenarioError(
            source, key_text(dotted), unknown_key_message(parts[0], _TOP_KEYS, "a scenario")
        )
    if parts[0] in _ALL_SECTIONS:
        if len(parts) != 2:
            keys = [f"{parts[0]}.{k}" for k in _ALL_SECTIONS[parts[0]]]
            what = "is a section" if len(parts) == 1 else "is too deep"
            raise ScenarioError(
                source,
                key_text(dotted),
                f"{what}; override one key of the form section.key, e.g. {', '.join(keys)}",
            )
    elif len(parts) != 1:
        raise ScenarioError(
            source, key_text(dotted), f"{parts[0]} is not a section; override it as {parts[0]}"
        )
    return parts


def _as_scenario_error(func: Any, source: str) -> Any:
    try:
        return func()
    except ParamError as exc:
        raise ScenarioError(source, exc.key, exc.message) from None


def _resolve_path(path: str, base_dir: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p


# ---------------------------------------------------------------------------- validation
def _build(raw: Any, source: str | None, base_dir: Path | str | None) -> Scenario:
    base = Path.cwd() if base_dir is None else Path(base_dir).absolute()
    src = _DICT_SOURCE if source is None else source
    if not isinstance(raw, Mapping):
        if raw is None:
            problem = "is empty; expected a mapping of sections (" + ", ".join(_TOP_KEYS) + ")"
        else:
            problem = (
                f"the top level must be a mapping of sections ({', '.join(_TOP_KEYS)}), "
                f"got {describe_value(raw)} ({type(raw).__name__})"
            )
        raise ScenarioError(src, None, problem)
    default_name = "scenario"
    if source is not None and not source.startswith("<"):
        default_name = Path(source).stem or default_name
    data = _as_scenario_error(lambda: _resolve(raw, base, default_name), src)
    return Scenario(data=data, source=source, base_dir=base)


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
        if path is None or not _is_file(path):
            shown = describe_value(str(path if path is not None else out["path"]), limit=200)
            raise ParamError(
                "audience.path",
                f"file not found: {shown} (relative paths are read from the scenario's folder)",
            )
    return out


def _resolve_path_safely(path: str, base_dir: Path) -> Path | None:
    try:
        return _resolve_path(path, base_dir)
    except (OSError, ValueError, RuntimeError):  # e.g. "~nosuchuser/..."
        return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # embedded NUL, name too long, ...
        return False


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


# ---------------------------------------------------------------------------- public API
def scenario_from_dict(
    data: Mapping[str, Any],
    source: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Scenario:
    """Validate a scenario given as a nested dict.

    Parameters
    ----------
    data : mapping
        Sections and keys as in a YAML scenario; absent keys take their defaults.
    source : str, optional
        Where it came from, for messages (``"<scenario>"`` if omitted).
    base_dir : path-like, optional
        Folder for relative paths (default: the working directory).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For anything not allowed by :data:`SCHEMA`; no other exception.
    """
    return _build(data, None if source is None else str(source), base_dir)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a YAML scenario file.

    Parameters
    ----------
    path : path-like
        The file. Relative paths inside it are read from its folder.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file is missing or unreadable, is not UTF-8 YAML, is not a mapping, or
        holds an unknown section or key or a value out of range; no other exception.

    Examples
    --------
    >>> load_scenario("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    smmsim.scenario.ScenarioError: no/such/file.yaml: file not found
    """
    source = os.fspath(path)
    if isinstance(source, bytes):
        source = os.fsdecode(source)
    file = Path(source)
    try:
        raw_bytes = file.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(source, None, "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(source, None, "is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(source, None, "cannot read the file: permission denied") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or _first_line(str(exc))
        raise ScenarioError(source, None, f"cannot read the file: {reason}") from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        raise ScenarioError(source, None, f"line {line}: not UTF-8 text") from None
    raw = _parse_yaml(text, source)
    return _build(raw, source, file.absolute().parent)


def default_scenario() -> Scenario:
    """The built-in scenario: a product launch seeded by ten random customers.

    A Barabási-Albert audience of 10,000 users (4 ties per newcomer), content a little
    above the audience's virality threshold (stickiness 0.25 with the schema's default
    visibility and contagion: K = 1.36), a 5% conversion rate, and 1,000 runs of 50
    steps.

    Returns
    -------
    Scenario
    """
    return scenario_from_dict(
        {
            "name": "product-launch",
            "description": "Ten randomly chosen customers post about a new product.",
            "audience": {"generator": "barabasi_albert", "n": 10_000, "m": 4},
            "content": {"stickiness": 0.25},
            "seeding": {"strategy": "random", "k": 10},
            "funnel": {"conversion": 0.05},
            "economics": {"cost_per_seed": 50.0},
        }
    )


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"content.stickiness=0.2"`` into ``("content.stickiness", 0.2)``.

    The value is read as YAML, so ``0.2``, ``1e-3``, ``true``, ``null`` and
    ``[1, 2, 3]`` become a float, a float, a bool, ``None`` and a list.

    Raises
    ------
    ScenarioError
        If there is no ``=``, the key is not a dotted name, or the value is not YAML.
    """
    if not isinstance(text, str) or "=" not in text:
        raise ScenarioError(
            _OVERRIDE_SOURCE,
            None,
            f"expected KEY=VALUE such as content.stickiness=0.2, got {describe_value(text)}",
        )
    key, _, value_text = text.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not key or not all(p and p.replace("_", "a").isalnum() and p.isascii() for p in parts):
        raise ScenarioError(
            _OVERRIDE_SOURCE,
            None,
            f"expected a dotted key such as content.stickiness before '=', "
            f"got {describe_value(key)}",
        )
    value = _parse_yaml(value_text, _OVERRIDE_SOURCE, key)
    return key, value


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
