"""Every declared scenario key: :data:`SCHEMA`, :data:`GENERATOR_SCHEMA`,
:data:`MODEL_SECTIONS` and :func:`schema_table`.

The ``model:`` choices and :data:`MODEL_SECTIONS` come from the model registry
(:data:`smmsim.models.MODELS`), the generators' keys from the generator registry
(:data:`smmsim.generator_registry.GENERATORS`); neither imports this package."""

from __future__ import annotations

from typing import Any

from smmsim.attributes import check_draw
from smmsim.generator_registry import GENERATORS, non_empty
from smmsim.goals import parse_goals
from smmsim.models import MODELS
from smmsim.models.calendar import FATIGUE_PARAM, POSTS_PARAM
from smmsim.models.competition import COMPETITION_SECTIONS
from smmsim.params import (
    Param,
    ParamError,
    describe_value,
    half_life_param,
    optional_int_param,
    optional_list_param,
)
from smmsim.segments import parse_segments, parse_target
from smmsim.timeline import UNITS, parse_start

#: The ``simulation`` keys of a calendar: left out of a resolved scenario without one
#: (it then resolves as it always did); their defaults are the schema's.
CALENDAR_KEYS = ("time_unit", "start")
#: Keys left out of a resolved section while at their defaults (so that a scenario that
#: does not use them resolves as it always did), by section: they read as their defaults.
LEFT_OUT_AT_DEFAULT = {"simulation": CALENDAR_KEYS, "economics": ("price_column",)}

#: The ``seeding`` keys of ``strategy: optimize`` (and of ``smmsim seeds``); left out of
#: a resolved scenario with another strategy unless given.
OPTIMIZER_KEYS = (
    "budget",
    "objective",
    "method",
    "epsilon",
    "segments",
    "min_followers",
    "exclude",
    "committed",
)
#: What ``seeding.objective`` may name (see :mod:`smmsim.influence.objectives`).
OBJECTIVES = ("reach", "earned_reach", "conversions", "profit")
#: How seeds may be chosen (see :mod:`smmsim.influence`).
METHODS = ("imm", "opim", "celf", "degree_discount", "pagerank", "kcore", "top_degree", "random")

#: Longest scenario name: it heads reports, plot titles and file listings.
MAX_NAME = 200


def _name(value: str, key: str) -> str:
    non_empty(value, key)
    if len(value) > MAX_NAME:
        raise ParamError(
            key,
            f"must be at most {MAX_NAME} characters (it heads reports and plots), got "
            f"{len(value):,}; put longer text in description",
        )
    return value


TOP_LEVEL: dict[str, Param] = {
    "name": Param(
        "str",
        "scenario",
        check=_name,
        description="short name used in results (default: the file name without .yaml)",
    ),
    "description": Param("str", "", description="free text: what the campaign tests"),
    "model": Param(
        "str",
        "ewom",
        choices=tuple(MODELS),
        description="spreading model; its own parameters go in the section of that name",
    ),
    "goals": Param(
        "any",
        None,
        nullable=True,
        check=parse_goals,
        type_text="a list of goals",
        description="what the campaign must achieve: [{metric, at_least | at_most | lift, "
        "by, baseline}] (see docs/goals.md)",
    ),
    "segments": Param(
        "any",
        None,
        nullable=True,
        check=parse_segments,
        type_text="a mapping: by: <attribute> or groups: {name: {where: ...}}",
        description="named segments of users by their attributes, with per-segment "
        "stickiness, contagion and conversion multipliers (see docs/segments.md)",
    ),
    "target": Param(
        "any",
        None,
        nullable=True,
        check=parse_target,
        type_text="a list of segment names",
        description="the segments the campaign is aimed at; reach outside them is the "
        "spill-over (see docs/segments.md)",
    ),
    "posts": POSTS_PARAM,
}

#: The keys of each audience generator, from the generator registry
#: (:data:`smmsim.generator_registry.GENERATORS`).
GENERATOR_SCHEMA: dict[str, dict[str, Param]] = {
    name: dict(g.params) for name, g in GENERATORS.items()
}

AUDIENCE: dict[str, Param] = {
    "generator": Param(
        "str",
        "barabasi_albert",
        choices=tuple(GENERATOR_SCHEMA),
        description="how the audience graph is made",
    ),
    "rng_seed": optional_int_param(
        "seed for the graph (null: derived from simulation.rng_seed)", low=0
    ),
    "attributes": Param(
        "str",
        None,
        nullable=True,
        check=non_empty,
        description="CSV or Parquet table of users' attributes: a user id column 'user' "
        "and one column per attribute (see docs/segments.md)",
    ),
    "draw": Param(
        "any",
        None,
        nullable=True,
        check=check_draw,
        type_text="a mapping {attribute: {value: share}}",
        description="attributes drawn for every user from shares summing to 1, e.g. "
        "{age_band: {'18-34': 0.6, '35+': 0.4}}",
    ),
}


def _probability(default: float, description: str) -> Param:
    return Param("float", default, low=0, high=1, description=description)


def _money(default: float, description: str) -> Param:
    return Param("float", default, low=0, description=description)


#: What ``seeding.strategy`` may name: the fixed rules, then the optimiser.
STRATEGIES = ("random", "top_degree", "nodes", "optimize")


def _strategy(value: str, key: str) -> str:
    if value not in STRATEGIES:
        raise ParamError(
            key,
            f"must be one of: {', '.join(STRATEGIES[:-1])}; got {describe_value(value)}; "
            "or optimize, for seeds chosen for seeding.objective within seeding.budget",
        )
    return value


def _tier_floors(value: list[int], key: str) -> list[int]:
    for i, x in enumerate(value):
        if x < 0:
            raise ParamError(f"{key}[{i}]", f"must be a follower count >= 0, got {x}")
        if i and x <= value[i - 1]:
            raise ParamError(key, f"must be increasing, got {value[i - 1]} then {x}")
    return value


def _tier_prices(value: list[float], key: str) -> list[float]:
    for i, x in enumerate(value):
        if not x >= 0:
            raise ParamError(f"{key}[{i}]", f"must be a price >= 0, got {x}")
    return value


SECTIONS: dict[str, dict[str, Param]] = {
    "audience": AUDIENCE,
    "content": {
        "stickiness": _probability(0.15, "chance a user who sees it engages"),
        "contagion": _probability(0.5, "chance an engaged user reshares it"),
        "visibility": _probability(0.5, "chance a share shows in a follower's feed"),
        "half_life": half_life_param("steps for appeal to halve (null: no novelty decay)"),
    },
    "seeding": {
        "strategy": Param(
            "str",
            "random",
            check=_strategy,
            type_text="one of: " + ", ".join(STRATEGIES),
            description="which users post first: random, most-followed, listed, or chosen "
            "by the optimiser for seeding.objective within seeding.budget",
        ),
        "k": Param(
            "int",
            10,
            low=1,
            description="number of seed users (with strategy nodes: len(nodes))",
        ),
        "nodes": optional_list_param(
            ("int", "str"),
            "user ids to seed; required with strategy nodes, else not allowed",
            low=1,
        ),
        "budget": Param(
            "float",
            None,
            low=0,
            closed="neither",
            nullable=True,
            description="money for seeds (priced by economics); null: k seeds at any price",
        ),
        "objective": Param(
            "str",
            "reach",
            choices=OBJECTIVES,
            description="what the optimiser maximises: reach, earned_reach, conversions, profit",
        ),
        "method": Param(
            "str",
            "auto",
            choices=("auto", *METHODS),
            description="how seeds are chosen with strategy optimize (auto: imm where the "
            "objective has reverse-reachable sets, else celf)",
        ),
        "epsilon": Param(
            "float",
            0.1,
            low=0,
            high=1,
            closed="neither",
            description="IMM and OPIM-C accuracy: the guarantee loses epsilon",
        ),
        "segments": optional_list_param(
            ("str", "int"),
            "candidates belong to these audience segments (names or ids)",
            low=1,
        ),
        "min_followers": Param(
            "int", 0, low=0, description="candidates have at least this many followers"
        ),
        "exclude": optional_list_param(
            ("int", "str"),
            "user ids that may not be chosen (competitors' accounts, past partners)",
        ),
        "committed": optional_list_param(
            ("int", "str"),
            "user ids already paid for: always seeded, their price taken from budget",
        ),
    },
    "funnel": {
        "conversion": _probability(0.02, "chance an engaged user buys"),
        "referral_multiplier": Param(
            "float",
            2.0,
            low=0,
            description="conversion boost for referred users (conversion x it must be <= 1)",
        ),
    },
    "economics": {
        "cost_per_seed": _money(100.0, "flat fee per seed user"),
        "cost_per_follower": _money(0.0, "fee per follower of each seed user (influencer pricing)"),
        "tier_followers": optional_list_param(
            ("int",),
            "follower counts where price tiers start (e.g. nano, micro, macro, "
            "mega: [1000, 10000, 100000, 1000000]), increasing",
            check=_tier_floors,
        ),
        "tier_prices": optional_list_param(
            ("float",),
            "price of a seed in each tier, added to the fees above (one per tier_followers entry)",
            check=_tier_prices,
        ),
        "price_column": Param(
            "str",
            None,
            nullable=True,
            check=non_empty,
            description="attribute of the users (a column of audience.attributes) holding "
            "each account's price; replaces the fees above",
        ),
        "fixed_cost": _money(0.0, "campaign cost independent of seeding"),
        "revenue_per_conversion": _money(40.0, "revenue from one purchase"),
        "cpm": _money(5.0, "value of 1,000 earned impressions (earned media value)"),
        "currency": Param("str", "USD", check=non_empty, description="currency of amounts"),
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
        "time_unit": Param(
            "str",
            "step",
            choices=UNITS,
            description="what one step stands for (step: no calendar; hour, day or week)",
        ),
        "start": Param(
            "any",
            None,
            nullable=True,
            check=parse_start,
            type_text="a date such as 2027-03-01",
            description="date of step 0 (with time_unit hour, day or week): reports show dates",
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
#: Keys of a section that a scenario has only when it gives them (a scenario without
#: them resolves as it always did): ``content.fatigue`` (a content calendar's).
OPTIONAL_KEYS: dict[str, dict[str, Param]] = {"content": {"fatigue": FATIGUE_PARAM}}
_ALL_SECTIONS: dict[str, dict[str, Param]] = {
    **SECTIONS,
    **{section: {**SECTIONS[section], **extra} for section, extra in OPTIONAL_KEYS.items()},
    **MODEL_SECTIONS,
    **COMPETITION_SECTIONS,
}

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
        "attributes": AUDIENCE["attributes"],
        "draw": AUDIENCE["draw"],
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
    for key in ("rng_seed", "attributes", "draw"):
        spec = AUDIENCE[key]
        rows.append((f"audience.{key}", spec.type_summary(), spec.default_text(), spec.description))
    for section, params in _ALL_SECTIONS.items():
        if section == "audience":
            continue
        for key, spec in params.items():
            rows.append(
                (f"{section}.{key}", spec.type_summary(), spec.default_text(), spec.description)
            )
    return rows
