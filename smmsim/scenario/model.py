"""The validated :class:`Scenario`: section access, export and overrides."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smmsim.generator_registry import resolve_path as _resolve_path
from smmsim.params import describe_value, key_text, unknown_key_message, validate
from smmsim.scenario.errors import _DICT_SOURCE, ScenarioError, _as_scenario_error
from smmsim.scenario.schema import _ALL_SECTIONS, _TOP_KEYS, AUDIENCE, MAX_NAME, _audience_schema
from smmsim.scenario.validate import _resolve
from smmsim.scenario.yaml_io import _Dumper


def _section(name: str) -> property:
    """A read-only property: the ``name`` section of the scenario (a copy)."""

    def get(self: Scenario) -> dict[str, Any]:
        return copy.deepcopy(self.data[name])

    get.__name__, get.__qualname__ = name, f"Scenario.{name}"
    get.__doc__ = f"The ``{name}`` section (a copy)."
    return property(get)


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

        Keys a resolved scenario leaves out at their defaults
        (:data:`~smmsim.scenario.schema.LEFT_OUT_AT_DEFAULT`: ``simulation.time_unit`` and
        ``start`` without a calendar, ``economics.price_column``) read as those defaults.

        Raises
        ------
        ScenarioError
            If the key is not in the resolved scenario, listing the valid keys.
        """
        parts = dotted_key.split(".") if isinstance(dotted_key, str) else [dotted_key]
        node: Any = self.data
        for depth, part in enumerate(parts):
            if depth == 1 and len(parts) == 2:
                from smmsim.scenario.schema import LEFT_OUT_AT_DEFAULT, SECTIONS

                if part in LEFT_OUT_AT_DEFAULT.get(parts[0], ()) and part not in node:
                    return SECTIONS[parts[0]][part].default  # left out: the default
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

    audience = _section("audience")
    content = _section("content")
    seeding = _section("seeding")
    funnel = _section("funnel")
    economics = _section("economics")
    simulation = _section("simulation")

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
            A new scenario; this one is left unchanged.

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


#: Sections a message names as examples (the schema lists them all).
_COMMON_SECTIONS = "name, model, audience, content, seeding, funnel, economics, simulation"


def _build(raw: Any, source: str | None, base_dir: Path | str | None) -> Scenario:
    base = Path.cwd() if base_dir is None else Path(base_dir).absolute()
    src = _DICT_SOURCE if source is None else source
    if not isinstance(raw, Mapping):
        if raw is None:
            problem = f"is empty; expected a mapping of sections such as {_COMMON_SECTIONS}"
        else:
            problem = (
                f"the top level must be a mapping of sections such as {_COMMON_SECTIONS}, "
                f"got {describe_value(raw)} ({type(raw).__name__})"
            )
        raise ScenarioError(src, None, problem)
    default_name = "scenario"
    if source is not None and not source.startswith("<"):
        # a file name that is not UTF-8 decodes with lone surrogates: escape them
        stem = Path(source).stem.encode("utf-8", "backslashreplace").decode("utf-8")
        default_name = stem[:MAX_NAME] or default_name
    data = _as_scenario_error(lambda: _resolve(raw, base, default_name), src)
    return Scenario(data=data, source=source, base_dir=base)
