"""A sweep's plan: its variants, each with a stable identity and seed, and the
manifest that describes them.

A variant's identity (:func:`variant_id`) and seed (:func:`variant_seed`) come from
its canonical overrides and the base seed, never from its position in the design, so
a variant's row is the same whatever the worker count, the batching, the order tasks
finish in, or whether the sweep was resumed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from smmsim._version import __version__
from smmsim.memory import check_memory
from smmsim.rng import resolve_seed
from smmsim.scenario import Scenario, ScenarioError
from smmsim.sweep._common import canonical, value_text
from smmsim.sweep.design import Sweep

__all__ = [
    "FORMAT",
    "Plan",
    "Variant",
    "check_variant_memory",
    "make_plan",
    "variant_id",
    "variant_seed",
]

FORMAT = 1  # manifest format


def variant_id(overrides: Mapping[str, Any]) -> str:
    """Short stable identifier of a variant: a hash of its canonical overrides.

    It depends on the keys and values only, not on their order or the variant's
    position in a design.
    """
    return hashlib.sha256(canonical(dict(overrides)).encode()).hexdigest()[:16]


def variant_seed(base_seed: int, overrides: Mapping[str, Any]) -> int:
    """Seed of a variant's random streams: derived from the base seed and a hash of
    the variant's canonical overrides (never its position in the design)."""
    digest = hashlib.sha256(canonical(dict(overrides)).encode()).hexdigest()
    words = [int(digest[i : i + 16], 16) for i in (0, 16, 32, 48)]
    state = np.random.SeedSequence([int(base_seed), *words]).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


@dataclass(frozen=True)
class Variant:
    """One variant of a sweep: its position, identity, overrides and seed."""

    index: int
    id: str
    overrides: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class Plan:
    """Everything a run needs to know about the sweep, fixed before anything runs.

    Attributes
    ----------
    base : Scenario
        The base scenario with a concrete ``simulation.rng_seed`` (and ``runs``).
    design : Sweep
    keys : tuple of str
        The swept keys, in design order.
    variants : tuple of Variant
        Every variant, in design order.
    common_random_numbers : bool
    manifest : dict
        The JSON-ready description written to ``manifest.json``.
    """

    base: Scenario
    design: Sweep
    keys: tuple[str, ...]
    variants: tuple[Variant, ...]
    common_random_numbers: bool
    manifest: dict[str, Any]


def make_plan(
    scenario: Scenario,
    design: Sweep,
    runs: int | None,
    common_random_numbers: bool,
    seed: int | None,
) -> Plan:
    """Resolve ``design`` against ``scenario`` into a :class:`Plan`.

    ``seed`` is the base seed to use when the scenario's ``simulation.rng_seed`` is
    null (a resumed sweep's recorded one); ``None`` draws fresh entropy.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    if not isinstance(design, Sweep):
        raise TypeError(f"design must be a Sweep, got {type(design).__name__}")
    fixed: dict[str, Any] = {}
    if scenario.simulation["rng_seed"] is None:
        fixed["simulation.rng_seed"] = resolve_seed(seed)
    if runs is not None:
        fixed["simulation.runs"] = runs
    base = scenario.with_overrides(fixed) if fixed else scenario
    variants = []
    for i, ov in enumerate(design.variants(base)):
        root = ov.get("simulation.rng_seed", base.simulation["rng_seed"])
        s = int(root) if common_random_numbers else variant_seed(root, ov)
        variants.append(Variant(i, variant_id(ov), ov, s))
    crn = bool(common_random_numbers)
    manifest = {
        "format": FORMAT,
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": base.source,
        "base_dir": str(base.base_dir),
        "base": base.to_dict(),
        "design": design.to_dict(),
        "design_text": design.describe(),
        "keys": list(design.keys),
        "common_random_numbers": crn,
        "variants": [
            {"variant": v.index, "variant_id": v.id, "rng_seed": v.seed, "overrides": v.overrides}
            for v in variants
        ],
    }
    return Plan(base, design, design.keys, tuple(variants), crn, manifest)


def check_variant_memory(plan: Plan, limit: int | None, threads: int | None) -> None:
    """Refuse the sweep if a variant would need more memory than ``limit``.

    Variants differ only in their overrides; when none touches the audience or the
    simulation section, the base scenario stands for all of them.

    Raises
    ------
    ScenarioError
        Naming the variant that would need too much.
    """
    sized, seen = [], set()
    for v in plan.variants:
        relevant = tuple(
            (k, canonical(x))
            for k, x in v.overrides.items()
            if k.startswith(("audience.", "simulation."))
        )
        if relevant and relevant not in seen:  # variants differing elsewhere need the same
            seen.add(relevant)
            sized.append(v)
    scenarios = [plan.base] + [plan.base.with_overrides(v.overrides) for v in sized]
    for sc in scenarios:
        try:
            check_memory(sc, limit=limit, threads=threads)
        except ScenarioError as exc:
            where = ""
            if sc is not plan.base:
                v = sized[scenarios.index(sc) - 1]
                where = (
                    " (in the variant with "
                    + ", ".join(f"{k}={value_text(x)}" for k, x in v.overrides.items())
                    + ")"
                )
            raise ScenarioError(plan.design.source, exc.key, exc.problem + where) from None
