"""Social proof: a user shares once enough of the accounts they follow have shared.

The threshold model of Watts (2002): a user who follows ``k`` accounts and has seen
shares from ``c`` of them adopts once ``c / k >= phi``. Each share shows in a follower's
feed with probability ``content.visibility`` (with ``visibility: 1`` this is exactly
Watts' model). The threshold ``phi`` is fixed, or drawn per user from a distribution
(``uniform``, ``normal`` clipped to [0, 1], ``beta``), optionally with its own value or
distribution per audience segment. With ``weighted: true`` on an audience with tie
strengths, the rule is the linear threshold model of Kempe, Kleinberg & Tardos (2003):
the summed strength of the ties that brought seen shares must reach ``phi`` times the
user's total incoming strength.

Adoption and the funnel: the share that tips a user over their threshold is their
activation (its sharer is their parent and referrer for structural virality). The
adopter engages at that step (one engagement, which goes through the shared conversion
draw) and shares at the next step. Every adopter engages and shares:
``content.stickiness`` and ``content.contagion`` are not used (the threshold *is* the
decision to engage); use the default ``ewom`` model for independent chances per
exposure. Seeds share at step 0 whatever their threshold. Every exposure is an
impression; a user's threshold is drawn the first time they are exposed, from a stream
keyed by (replicate, user), so it is redrawn each replicate and untouched users cost
nothing.

References
----------
D. J. Watts, "A simple model of global cascades on random networks", PNAS 99(9),
5766-5771 (2002).
D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
social network", KDD 2003.
J. P. Gleeson and D. J. Cahalane, "Seed size strongly affects cascades on random
networks", Phys. Rev. E 75, 056103 (2007).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from smmsim._lazy import lazy_module
from smmsim.errors import AudienceError
from smmsim.graph import CSRGraph
from smmsim.models._funnel import funnel_fields
from smmsim.models.base import Model
from smmsim.params import Param, ParamError, describe_value, validate, validate_mapping

if TYPE_CHECKING:
    from smmsim.theory.bond_percolation import Seeding

_social = lazy_module("smmsim._kernels.social")  # numba loads on first use

__all__ = ["SocialProof", "ThresholdModel", "parse_threshold"]

# threshold distribution codes of smmsim._kernels.social (UNIFORM, NORMAL, BETA), written
# out so that declaring the parameters does not load the kernels
_UNIFORM, _NORMAL, _BETA = 1, 2, 3

_DISTRIBUTIONS: dict[str, tuple[int, dict[str, Param]]] = {
    "uniform": (
        _UNIFORM,
        {
            "low": Param("float", 0.0, low=0, high=1, description="smallest threshold"),
            "high": Param("float", 1.0, low=0, high=1, description="largest threshold"),
        },
    ),
    "normal": (
        _NORMAL,
        {
            "mean": Param("float", 0.18, low=0, high=1, description="mean threshold"),
            "sd": Param("float", 0.05, low=0, description="standard deviation (then clipped)"),
        },
    ),
    "beta": (
        _BETA,
        {
            "a": Param("float", 2.0, low=0, closed="neither", description="shape a"),
            "b": Param("float", 8.0, low=0, closed="neither", description="shape b"),
        },
    ),
}

THRESHOLD_TEXT = (
    "a probability in [0, 1] or a mapping {distribution: uniform (low, high), "
    "normal (mean, sd) or beta (a, b)}"
)


def parse_threshold(value: Any, key: str) -> float | dict[str, Any]:
    """Validate a threshold: a number in [0, 1] or a distribution mapping.

    Returns the value with defaults filled in (``{"distribution": "uniform", "low": 0.0,
    "high": 1.0}``); raises :class:`~smmsim.params.ParamError` with a one-line message.
    """
    if not isinstance(value, Mapping):
        fixed = Param("float", low=0, high=1, type_text=THRESHOLD_TEXT)
        return validate(value, fixed, key)
    if "distribution" not in value:
        raise ParamError(f"{key}.distribution", f"is required: one of {', '.join(_DISTRIBUTIONS)}")
    name = value["distribution"]
    if not isinstance(name, str) or name not in _DISTRIBUTIONS:
        raise ParamError(
            f"{key}.distribution",
            f"must be one of: {', '.join(_DISTRIBUTIONS)}; got {describe_value(name)}",
        )
    _code, schema = _DISTRIBUTIONS[name]
    rest = {k: v for k, v in value.items() if k != "distribution"}
    out = validate_mapping(rest, schema, key, where=f"a {name} threshold")
    if name == "uniform" and out["low"] > out["high"]:
        raise ParamError(key, f"low must not exceed high, got low={out['low']}, high={out['high']}")
    return {"distribution": name, **out}


def threshold_row(spec: float | Mapping[str, Any]) -> tuple[int, float, float]:
    """``(kind, a, b)`` of a validated threshold for the kernel's table."""
    if not isinstance(spec, Mapping):
        return _social.FIXED, float(spec), 0.0
    code, schema = _DISTRIBUTIONS[spec["distribution"]]
    a, b = (float(spec[k]) for k in schema)
    return code, a, b


def _pct(x: float) -> str:
    """A share as a percentage, with two significant digits below 0.1%."""
    return f"{x:.1%}" if x >= 0.001 or x == 0 else f"{100 * x:.2g}%"


def _check_segment_map(check_one):
    def check(value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, Mapping) or not value:
            raise ParamError(
                key, f"must be a non-empty mapping of segment name to value, got "
                f"{describe_value(value)}"
            )  # fmt: skip
        out = {}
        for name, spec in value.items():
            if not isinstance(name, str | int) or isinstance(name, bool):
                raise ParamError(key, f"segment names must be text, got {describe_value(name)}")
            out[str(name)] = check_one(spec, f"{key}.{name}")
        return out

    return check


@dataclass(frozen=True)
class ThresholdModel(Model):
    """Shared engine of the threshold models (fractional or absolute rule).

    Parameters
    ----------
    rows : tuple of (kind, a, b)
        The default rule (first row) and, with ``segment_rows``, one per segment.
    segment_rows : tuple of (str, (kind, a, b)), or None
        Rule of named segments; users of unlisted segments follow the default.
    absolute : bool
        Count seen shares (Centola & Macy) rather than their fraction (Watts).
    weighted : bool
        Linear-threshold rule on tie strengths (fractional rule only).
    visibility, conversion, referral_multiplier : float
        From the scenario's ``content`` and ``funnel`` sections.
    """

    rows: tuple
    segment_rows: tuple | None
    absolute: bool
    weighted: bool
    visibility: float
    conversion: float
    referral_multiplier: float

    uses: ClassVar[tuple[str, ...]] = ("visibility",)
    kernel: ClassVar[str] = "smmsim._kernels.social"

    # ------------------------------------------------------------------ audience
    def check_audience(self, graph: CSRGraph) -> None:
        """Segment names must exist; ``weighted`` needs non-negative tie strengths."""
        if self.segment_rows is not None:
            names = graph.segment_names
            if graph.segments is None or names is None:
                raise AudienceError(
                    f"{self.section}.{self._segment_key}: the audience has no named segments"
                )
            for name, _row in self.segment_rows:
                if name not in names:
                    raise AudienceError(
                        f"{self.section}.{self._segment_key}: unknown segment {name!r}; "
                        f"the audience has: {', '.join(names)}"
                    )
        if self.weighted:
            if graph.weights is None:
                raise AudienceError(
                    f"{self.section}.weighted: the audience has no tie strengths "
                    "(use an edge list with audience.weighted: true)"
                )
            if graph.weights.size and float(graph.weights.min()) < 0:
                raise AudienceError(f"{self.section}.weighted: tie strengths must be >= 0")

    _segment_key: ClassVar[str] = "segment_thresholds"

    def table(self, graph: CSRGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(segments, kinds, a, b)`` for the kernel: per-user row ids and the rule rows."""
        if self.segment_rows is None:
            rows = [self.rows[0]]
            seg = np.empty(0, dtype=np.int32)
        else:
            by_name = dict(self.segment_rows)
            rows = [by_name.get(name, self.rows[0]) for name in graph.segment_names]
            seg = np.ascontiguousarray(graph.segments, dtype=np.int32)
        kinds = np.array([r[0] for r in rows], dtype=np.int64)
        a = np.array([r[1] for r in rows], dtype=np.float64)
        b = np.array([r[2] for r in rows], dtype=np.float64)
        return seg, kinds, a, b

    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """The audience, threshold table and parameters for
        :func:`smmsim._kernels.social.run_reps`."""
        in_degree = np.ascontiguousarray(graph.in_degree(), dtype=np.int64)
        if self.weighted:
            weights = np.ascontiguousarray(graph.weights, dtype=np.float64)
            cache = graph._cache
            if "in_weight" not in cache:
                cache["in_weight"] = np.bincount(graph.indices, weights, minlength=graph.n)
            in_weight = cache["in_weight"]
        else:
            weights = in_weight = np.empty(0, dtype=np.float64)
        seg, kinds, a, b = self.table(graph)
        ref = min(1.0, self.conversion * self.referral_multiplier)
        # indexed by the kernel's P_* (visibility, conversion, referred) and I_* constants
        params = np.array([self.visibility, self.conversion, ref], dtype=np.float64)
        switches = np.array([self.absolute, self.weighted], dtype=np.int64)
        return (graph.indptr, graph.indices, weights, in_degree, in_weight, seg, kinds, a, b,
                params, switches)  # fmt: skip

    # ------------------------------------------------------------------ theory
    def rule(self, graph: CSRGraph):
        """The :class:`smmsim.theory.threshold_cascades.Rule` and per-user rows for ``graph``."""
        from smmsim.theory.threshold_cascades import Rule

        seg, kinds, a, b = self.table(graph)
        rule = Rule(tuple(kinds.tolist()), tuple(a.tolist()), tuple(b.tolist()), self.absolute)
        return rule, (seg if seg.size else None)

    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict[str, Any]:
        """Watts' cascade window for the scenario's own seeds, and the Gleeson-Cahalane
        expected size for random seeds.

        See :mod:`smmsim.theory.threshold_cascades`. ``p_large`` is the probability that these seeds
        start a global cascade (``1 - u^(sum k_i)`` for fixed seeds); the expected
        share of adopters (Gleeson & Cahalane 2007) assumes seeds drawn at random, so
        for top-degree or listed seeds it is left out and a caveat says so. Cached on
        the graph per rule and seeding.
        """
        from smmsim.theory.bond_percolation import Seeding
        from smmsim.theory.structure import measure_structure
        from smmsim.theory.threshold_cascades import cascade_window, expected_adopters

        seeds = Seeding.of(seeds)
        nodes = None if seeds.nodes is None else tuple(seeds.nodes.tolist())
        key = ("social_theory", self.rows, self.segment_rows, self.absolute,
               self.visibility, seeds.strategy, seeds.k, nodes)  # fmt: skip
        cache = graph._cache
        if key in cache:
            return dict(cache[key])
        rule, seg = self.rule(graph)
        win = cascade_window(graph, rule, visibility=self.visibility, segments=seg)
        k = seeds.k
        text = seeds.describe(graph)
        caveats = []
        if seeds.fixed:
            followers = seeds.followers(graph)
            p_seeds = win.p_large_for(followers)
            first = float(followers.sum())
            rho0 = expected = None
            caveats.append(
                f"Gleeson & Cahalane's expected size assumes seeds drawn at random; for "
                f"{text} theory gives only the chance of a global cascade (Watts 2002)."
            )
        else:
            p_seeds = win.p_large_from(k)
            first = k * graph.degree_stats().mean_out
            rho0 = min(1.0, max(k, 0) / max(graph.n, 1))
            expected = expected_adopters(
                graph, rho0, rule, visibility=self.visibility, segments=seg
            )
        if win.inside:
            verdict = (
                f"Theory (tree-like audience): inside the cascade window (condition "
                f"{win.condition:.2f} > 1): one random seed starts a global cascade with "
                f"probability {_pct(win.p_large)}, "
                f"{text} with probability {_pct(p_seeds)}, and a global cascade reaches "
                f"{_pct(win.large_share)} of the audience (Watts 2002)"
            )
        else:
            verdict = (
                f"Theory (tree-like audience): outside the cascade window (condition "
                f"{win.condition:.2f} <= 1), no single seed starts a global cascade (Watts 2002)"
            )
            if expected is not None:
                verdict += (
                    f"; {text} should bring {_pct(expected)} of users to share "
                    "(Gleeson & Cahalane 2007)"
                )
        if self.weighted:
            verdict += "; theory counts every tie as equal strength"
            caveats.append(
                "Theory counts every tie as equal strength; this audience's tie weights "
                "are not in it."
            )
        verdict += "."
        out = {
            "verdict": verdict,
            "cascade_condition": float(win.condition),
            "in_window": bool(win.inside),
            "vulnerable_share": float(win.vulnerable_share),
            "p_large": float(p_seeds),
            "p_large_one_seed": float(win.p_large),
            "large_share": float(win.large_share),
            "large_size": float(win.large_share * graph.n) if win.inside else 0.0,
            # the seeds and the vulnerable followers who see their shares: the size a
            # cascade has when it does not reach the vulnerable giant cluster
            "expected_small": float(k + win.vulnerable_tie * first),
            "seed_fraction": None if rho0 is None else float(rho0),
            "expected_share": None if expected is None else float(expected),
            **{f"seeding_{k}": v for k, v in seeds.as_dict(graph).items()},
            "seeding_text": text,
            **measure_structure(graph).as_dict(),
            "caveats": " ".join(caveats) or None,
        }
        if expected is not None and not win.inside:
            out["expected_sharers"] = float(expected * graph.n)
            out["expected_text"] = "Gleeson & Cahalane fixed point for random seeds"
            out["expected_small"] = None
        cache[key] = out
        return dict(out)


@dataclass(frozen=True)
class SocialProof(ThresholdModel):
    """Social proof (Watts 2002; linear threshold of Kempe, Kleinberg & Tardos 2003).

    A user shares once the fraction of the accounts they follow whose shares they have
    seen reaches their threshold ``phi`` (the weighted sum of those ties over their
    total incoming strength, with ``weighted: true``). See the module docstring for the
    adoption semantics.

    Examples
    --------
    >>> from smmsim.scenario import default_scenario
    >>> sc = default_scenario().with_overrides({"model": "social_proof"})
    >>> SocialProof.from_scenario(sc).rows
    ((0, 0.18, 0.0),)
    """

    name = "social_proof"
    title = "share once enough of the accounts followed have shared (Watts threshold)"
    params: ClassVar[dict[str, Param]] = {
        "threshold": Param(
            "any",
            0.18,
            check=parse_threshold,
            type_text=THRESHOLD_TEXT,
            description="fraction of followed accounts that must have shared (phi)",
        ),
        "segment_thresholds": Param(
            "any",
            None,
            nullable=True,
            check=_check_segment_map(parse_threshold),
            type_text="a mapping of segment name to threshold",
            description="threshold per audience segment (others use threshold)",
        ),
        "weighted": Param(
            "bool",
            False,
            description="linear threshold on tie strengths (needs a weighted audience)",
        ),
    }

    @classmethod
    def from_scenario(cls, scenario) -> SocialProof:
        """Build from the ``social_proof``, ``content`` and ``funnel`` sections."""
        s = scenario.data["social_proof"]
        seg = s["segment_thresholds"]
        return cls(
            rows=(threshold_row(s["threshold"]),),
            segment_rows=(
                None if seg is None else tuple((k, threshold_row(v)) for k, v in seg.items())
            ),
            absolute=False,
            weighted=bool(s["weighted"]),
            visibility=float(scenario.content["visibility"]),
            **funnel_fields(scenario),
        )
