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

Layout
------
``errors`` (:class:`ScenarioError`), ``schema`` (the declared keys and
:func:`schema_table`), ``yaml_io`` (the strict YAML loader and dumper), ``validate``
(resolving a raw mapping, the checks across keys, :func:`check_seed_nodes`), ``model``
(:class:`Scenario` and its overrides) and ``load`` (the functions that build one).

Examples
--------
>>> from smmsim.scenario import default_scenario, parse_override
>>> s = default_scenario()
>>> s.get("content.stickiness")
0.25
>>> key, value = parse_override("content.stickiness=0.2")
>>> s.with_overrides({key: value}).content["stickiness"]
0.2
"""

from smmsim.generator_registry import MAX_USERS as MAX_USERS
from smmsim.scenario.errors import ScenarioError
from smmsim.scenario.load import (
    default_scenario,
    load_scenario,
    parse_override,
    scenario_from_bytes,
    scenario_from_dict,
)
from smmsim.scenario.model import Scenario
from smmsim.scenario.schema import AUDIENCE as AUDIENCE
from smmsim.scenario.schema import GENERATOR_SCHEMA, MODEL_SECTIONS, SCHEMA, schema_table
from smmsim.scenario.schema import SECTIONS as SECTIONS
from smmsim.scenario.schema import TOP_LEVEL as TOP_LEVEL
from smmsim.scenario.validate import check_seed_nodes

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
    "scenario_from_bytes",
    "scenario_from_dict",
    "schema_table",
]
