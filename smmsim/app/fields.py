"""The form of a scenario, read from the declared parameters: :func:`scenario_fields`.

Every key of the resolved scenario becomes one :class:`Field`, whose kind of control,
label, allowed values, default and help text come from its :class:`~smmsim.params.Param`
declaration (:data:`smmsim.scenario.SCHEMA`, the generators' and the models' own
parameters). A key declared tomorrow appears in the form without a line of app code.
What a user types is read as YAML, as ``smmsim run --set KEY=VALUE`` reads it, and
validated by :meth:`smmsim.Scenario.with_overrides`, so a mistake gets the command
line's message word for word.

Nothing here imports Panel: the widgets are made in :mod:`smmsim.app.form`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from smmsim.params import Param
from smmsim.scenario import Scenario
from smmsim.scenario.schema import _ALL_SECTIONS, TOP_LEVEL, _audience_schema

__all__ = ["Field", "apply_texts", "field_text", "scenario_fields", "sections"]

#: Longest label with the allowed values in it (longer ones show the key alone).
LABEL_CHARS = 40

#: Section titles, in the order the form shows them (others follow, titled by name).
SECTION_TITLES = {
    "": "Scenario",
    "content": "Content",
    "audience": "Audience",
    "seeding": "Seeding (paid seeds)",
    "funnel": "Purchase funnel",
    "economics": "Economics",
    "simulation": "Simulation",
}


@dataclass(frozen=True)
class Field:
    """One control of the form.

    Attributes
    ----------
    key : str
        Dotted key (``"content.stickiness"``; top-level keys have no dot).
    section : str
        The section (``""`` for top-level keys).
    param : Param or None
        Its declaration (``None`` for a key nothing declares: a plain text control).
    value : object
        Its value in the scenario.
    """

    key: str
    section: str
    param: Param | None
    value: Any

    @property
    def name(self) -> str:
        """The key within its section."""
        return self.key.rsplit(".", 1)[-1]

    @property
    def control(self) -> str:
        """``"choice"`` (one of a list), ``"bool"`` (a checkbox) or ``"text"`` (typed,
        read as YAML: numbers, null, lists)."""
        p = self.param
        if p is not None and p.choices is not None and not p.nullable:
            return "choice"
        if p is not None and p.kind == "bool" and not p.nullable:
            return "bool"
        return "text"

    @property
    def label(self) -> str:
        """Key and what is allowed: ``"stickiness (probability in [0, 1])"`` (the key
        alone when that is longer than :data:`LABEL_CHARS`; :attr:`help` says it)."""
        if self.param is None:
            return self.name
        label = f"{self.name} ({self.param.type_summary()})"
        return label if len(label) <= LABEL_CHARS else self.name

    @property
    def help(self) -> str:
        """The declared description, what is allowed and the default."""
        if self.param is None:
            return ""
        p = self.param
        return f"{p.description}. Allowed: {p.type_summary()}; default: {p.default_text()}."

    @property
    def text(self) -> str:
        """The value as typed in the form (see :func:`field_text`)."""
        return field_text(self.value)


def field_text(value: Any) -> str:
    """A value as YAML on one line: ``0.25``, ``null``, ``[1, 2]``, ``USD``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return text[: -len("...")].strip() if text.endswith("...") else text


def _param(scenario: Scenario, section: str, key: str) -> Param | None:
    if not section:
        return TOP_LEVEL.get(key)
    if section == "audience":
        return _audience_schema(scenario.data["audience"]["generator"]).get(key)
    return _ALL_SECTIONS.get(section, {}).get(key)


def scenario_fields(scenario: Scenario) -> list[Field]:
    """One :class:`Field` per key of the resolved scenario, in its order.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    list of Field
        Top-level keys first (section ``""``), then each section's keys: those of the
        selected audience generator and of the selected model's own section included, and
        the keys a resolved scenario leaves out at their defaults (the calendar's
        ``simulation.time_unit`` and ``start``, ``economics.price_column``).
    """
    from smmsim.scenario.schema import LEFT_OUT_AT_DEFAULT

    fields = []
    for key, value in scenario.data.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                fields.append(Field(f"{key}.{sub}", key, _param(scenario, key, sub), v))
            # keys left out at their defaults (a calendar, a price column) can be given
            for sub in LEFT_OUT_AT_DEFAULT.get(key, ()):
                if sub not in value:
                    param = _param(scenario, key, sub)
                    fields.append(Field(f"{key}.{sub}", key, param, param.default))
        else:
            fields.append(Field(key, "", _param(scenario, "", key), value))
    return fields


def sections(fields: list[Field]) -> list[tuple[str, str, list[Field]]]:
    """The fields grouped by section, as ``(section, title, fields)`` in form order."""
    groups: dict[str, list[Field]] = {}
    for f in fields:
        groups.setdefault(f.section, []).append(f)
    order = [s for s in SECTION_TITLES if s in groups] + [
        s for s in groups if s not in SECTION_TITLES
    ]
    return [(s, SECTION_TITLES.get(s, s.replace("_", " ").capitalize()), groups[s]) for s in order]


def apply_texts(scenario: Scenario, texts: dict[str, Any]) -> Scenario:
    """``scenario`` with the keys a user changed, validated as ``--set`` values are.

    Parameters
    ----------
    scenario : Scenario
    texts : dict
        Dotted key -> typed text (read as YAML, as ``--set KEY=VALUE`` reads it, except
        for plain text keys such as ``name``, kept as typed) or a value from a choice or
        checkbox (used as is).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        The message ``smmsim run --set`` would print for the same value.
    """
    from smmsim.scenario import parse_override

    declared = {f.key: f.param for f in scenario_fields(scenario)}
    overrides = {}
    for key, value in texts.items():
        param = declared.get(key)
        plain_text = param is not None and param.kind == "str" and not param.nullable
        if isinstance(value, str) and not plain_text:
            key, value = parse_override(f"{key}={value}")
        overrides[key] = value
    if "goals" in overrides:
        from smmsim.scenario.load import refuse_baselines

        refuse_baselines(overrides["goals"], scenario.source or "<scenario>")
    return scenario.with_overrides(overrides) if overrides else scenario
