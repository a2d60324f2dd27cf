"""Sweep designs: which variants of a scenario to run.

A design (:class:`Sweep`) is a set of *axes*, each a dotted scenario key and its
values (a list, or a :class:`Range`), and a method that turns them into variants:

``grid``
    The Cartesian product of every axis's values (a range gives ``count`` evenly
    spaced points, on a log scale for ``log:`` ranges).
``lhs``
    A Latin hypercube sample of ``N`` variants (McKay, Beckman and Conover 1979):
    each key's range is cut into ``N`` equal strata and every stratum holds exactly
    one variant. The points come from :class:`scipy.stats.qmc.LatinHypercube` with
    ``optimization="random-cd"``, which permutes them within their strata to lower
    the centred discrepancy, so the sample also fills the space between axes.
``sobol``
    The first ``N`` points of a scrambled Sobol sequence (Sobol 1967; Owen 1998
    scrambling) from :class:`scipy.stats.qmc.Sobol`: a low-discrepancy design whose
    balance properties hold exactly when ``N`` is a power of two.
``random``
    ``N`` independent uniform draws.
``list``
    An explicit list of variants.

Sampled designs are seeded: the same sweep seed (given, or derived from the base
scenario's ``simulation.rng_seed``) gives the same design. Ranges are sampled
uniformly (log-uniformly for log ranges) and values keep 6 significant digits; lists
are sampled uniformly among their values; integer keys take integer values.

References
----------
M. D. McKay, R. J. Beckman and W. J. Conover, "A comparison of three methods for
selecting values of input variables in the analysis of output from a computer code",
Technometrics 21(2), 239-245 (1979).

I. M. Sobol', "On the distribution of points in a cube and the approximate evaluation
of integrals", USSR Computational Mathematics and Mathematical Physics 7(4), 86-112
(1967).

A. B. Owen, "Scrambling Sobol' and Niederreiter-Xing points", Journal of Complexity
14(4), 466-489 (1998).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from smmsim.params import describe_value, format_number
from smmsim.rng import root_key
from smmsim.scenario import GENERATOR_SCHEMA, SCHEMA, Scenario, ScenarioError, parse_override
from smmsim.sweep._common import SweepError, canonical, value_text

__all__ = ["MAX_VARIANTS", "METHODS", "SAMPLE_METHODS", "Range", "Sweep"]

#: Most variants in one design. Each variant is checked (about 0.1 ms) and listed in
#: the manifest before the first one runs, so a million would keep a user waiting for
#: minutes with nothing written.
MAX_VARIANTS = 100_000
SAMPLE_STREAM = 0x5EEDD5  # keys the design sampler's randomness apart from the cascades'
#: How a sample is drawn, and its name in :meth:`Sweep.describe`.
SAMPLE_METHODS = {"lhs": "Latin hypercube", "sobol": "Sobol", "random": "random"}
#: Every design method.
METHODS = ("grid", *SAMPLE_METHODS, "list")


@dataclass(frozen=True)
class Range:
    """An interval of a numeric key: evenly spaced points in a grid, an interval to
    sample from in a random design.

    Parameters
    ----------
    start, stop : float
        First and last value (both included).
    count : int, optional
        Number of grid points; required in a grid, ignored by samples.
    log : bool
        Space the points evenly on a log scale (``start`` and ``stop`` > 0).
    """

    start: float
    stop: float
    count: int | None = None
    log: bool = False

    def __str__(self) -> str:
        parts = [format_number(self.start), format_number(self.stop)]
        if self.count is not None:
            parts.append(str(self.count))
        return ("log:" if self.log else "") + ":".join(parts)

    def points(self) -> list[float]:
        """The grid points (needs ``count``)."""
        if self.count is None:
            raise ValueError("a range needs a count to give grid points")
        if self.log:
            pts = np.geomspace(self.start, self.stop, self.count)
        else:
            pts = np.linspace(self.start, self.stop, self.count)
        return [_tidy(float(x)) for x in pts]

    def at(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` in [0, 1) of the uniform (or log-uniform) law."""
        if self.log:
            lo, hi = math.log(self.start), math.log(self.stop)
            return np.exp(lo + u * (hi - lo))
        return self.start + u * (self.stop - self.start)


@dataclass(frozen=True)
class _Axis:
    key: str
    values: tuple[Any, ...] | Range

    def spec(self) -> Any:
        return str(self.values) if isinstance(self.values, Range) else list(self.values)


@dataclass(frozen=True)
class Sweep:
    """A design: which scenario variants to run.

    Build one with :meth:`grid`, :meth:`sample`, :meth:`from_specs` or
    :meth:`from_variants`; :meth:`variants` resolves it against a base scenario.

    Attributes
    ----------
    axes : tuple
        ``(key, values)`` pairs: a tuple of values or a :class:`Range`.
    method : {"grid", "lhs", "sobol", "random", "list"}
        Cartesian product, Latin hypercube sample, scrambled Sobol sample, simple
        random sample, or an explicit list of variants (see the module docstring).
    n : int or None
        Sample size (``lhs``, ``sobol`` and ``random``).
    seed : int or None
        Seed of the sampler; ``None`` derives it from the base scenario's
        ``simulation.rng_seed``.
    listed : tuple of dict or None
        The variants of an explicit list.
    source : str
        How the design was given, the first field of error messages (``"--grid"``
        on the command line).
    """

    axes: tuple[_Axis, ...] = ()
    method: str = "grid"
    n: int | None = None
    seed: int | None = None
    listed: tuple[dict[str, Any], ...] | None = None
    source: str = "sweep"

    # ------------------------------------------------------------------ constructors
    @classmethod
    def grid(cls, axes: Mapping[str, Any], *, source: str = "sweep") -> Sweep:
        """The Cartesian product of values of each key.

        Parameters
        ----------
        axes : mapping
            Dotted key to its values: a list (``[1, 5, 20]``), a :class:`Range`, a
            spec string (``"0.02:0.4:20"``, ``"log:0.001:1:7"``, ``"1,5,20"``), or a
            single value. The first key varies slowest.
        """
        design = cls(axes=_axes(axes, source), method="grid", source=source)
        design._check_size()
        return design

    @classmethod
    def sample(
        cls,
        axes: Mapping[str, Any],
        n: int,
        *,
        method: str = "lhs",
        seed: int | None = None,
        source: str = "sweep",
    ) -> Sweep:
        """``n`` variants drawn over the ranges and lists of ``axes``.

        Ranges are sampled uniformly (log-uniformly for log ranges; a range's count is
        ignored; values keep 6 significant digits), lists uniformly among their values,
        integer keys take integer values.
        ``"lhs"`` is a Latin hypercube: each key's range is cut into ``n`` equal
        strata and every stratum holds exactly one variant (McKay, Beckman and Conover
        1979), space-filling across keys. ``"sobol"`` takes the first ``n`` points of
        a scrambled Sobol sequence (Sobol 1967, Owen 1998); its balance is exact when
        ``n`` is a power of two. ``"random"`` draws independently. Repeated variants
        (possible when every key takes few values) are kept once.
        """
        if method not in SAMPLE_METHODS:
            raise SweepError(
                f"{source}: sample method must be lhs, sobol or random, got {method!r}"
            )
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise SweepError(f"{source}: sample size must be an integer >= 1, got {n!r}")
        design = cls(axes=_axes(axes, source), method=method, n=int(n), seed=seed, source=source)
        design._check_size()
        return design

    @classmethod
    def from_specs(
        cls,
        grids: Iterable[str],
        sample: str | None = None,
        *,
        seed: int | None = None,
        source: str = "--grid",
    ) -> Sweep:
        """A design from command-line specs.

        Parameters
        ----------
        grids : iterable of str
            ``"KEY=SPEC"`` strings: ``content.stickiness=0.02:0.4:20`` (20 points from
            0.02 to 0.4), ``content.half_life=log:1:100:5`` (5 points evenly spaced on
            a log scale), ``seeding.k=1,5,20`` (a list; each value is read as YAML),
            or one value.
        sample : str, optional
            ``"lhs:N"``, ``"sobol:N"`` or ``"random:N"``: sample ``N`` variants over the ranges
            instead of taking the grid (ranges may then omit the count: ``0.02:0.4``).
        """
        axes: dict[str, Any] = {}
        for text in grids:
            if not isinstance(text, str) or "=" not in text:
                raise SweepError(
                    f"{source}: expected KEY=VALUES such as content.stickiness=0.02:0.4:20, "
                    f"got {describe_value(text)}"
                )
            key, _, spec = text.partition("=")
            key = key.strip()
            if key in axes:
                raise ScenarioError(source, key, "is given twice; give each key once")
            axes[key] = _parse_spec(key, spec.strip(), source)
        if sample is None:
            return cls.grid(axes, source=source)
        method, n = _parse_sample(sample)
        return cls.sample(axes, n, method=method, seed=seed, source=source)

    def size_bound(self) -> int:
        """Most variants the design can have, from its spec alone (nothing is built).

        A grid's size is the product of its counts (integer keys may merge points, so
        the design can end up smaller); a sample's is ``n``.
        """
        if self.method == "list":
            return len(self.listed or ())
        if self.method != "grid":
            return int(self.n or 0)
        total = 1
        for axis in self.axes:
            values = axis.values
            total *= (values.count or 1) if isinstance(values, Range) else len(values)
        return total

    def _check_size(self) -> None:
        total = self.size_bound()
        if total > MAX_VARIANTS:
            what = "the grid has" if self.method == "grid" else "a sample of"
            more = (
                "use fewer points or a sample (--sample lhs:N)"
                if self.method == "grid"
                else "use a smaller N"
            )
            raise SweepError(
                f"{self.source}: {what} {total:,} variants, more than the "
                f"{MAX_VARIANTS:,} allowed; {more}"
            )

    @classmethod
    def from_variants(
        cls, variants: Iterable[Mapping[str, Any]], *, source: str = "sweep"
    ) -> Sweep:
        """An explicit list of variants, each a mapping of dotted keys to values."""
        listed = tuple(dict(v) for v in variants)
        keys: dict[str, None] = {}
        for v in listed:
            keys.update(dict.fromkeys(v))
        return cls(
            axes=tuple(_Axis(k, ()) for k in keys), method="list", listed=listed, source=source
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sweep:
        """Inverse of :meth:`to_dict`."""
        if data["method"] == "list":
            return cls.from_variants(data["variants"], source=data.get("source", "sweep"))
        axes = {a["key"]: a["values"] for a in data["axes"]}
        source = data.get("source", "sweep")
        if data["method"] == "grid":
            return cls.grid(axes, source=source)
        return cls.sample(axes, data["n"], method=data["method"], seed=data["seed"], source=source)

    # ------------------------------------------------------------------ export
    @property
    def keys(self) -> tuple[str, ...]:
        """The dotted keys the design sets, in order."""
        return tuple(a.key for a in self.axes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready description (stored in the manifest)."""
        out: dict[str, Any] = {"method": self.method, "source": self.source}
        if self.method == "list":
            out["variants"] = [dict(v) for v in self.listed or ()]
            return out
        out["axes"] = [{"key": a.key, "values": a.spec()} for a in self.axes]
        if self.method != "grid":
            out.update(n=self.n, seed=self.seed)
        return out

    def describe(self) -> str:
        """One line: ``"20 x 3 grid over content.stickiness, seeding.k"``."""
        keys = ", ".join(self.keys)
        if self.method == "grid":
            sizes = [
                a.values.count if isinstance(a.values, Range) else len(a.values) for a in self.axes
            ]
            if len(sizes) == 1:
                return f"{sizes[0]}-point grid over {keys}"
            return f"{' x '.join(map(str, sizes))} grid over {keys}"
        if self.method == "list":
            return f"{len(self.listed or ())} listed variants over {keys}"
        return f"{SAMPLE_METHODS[self.method]} sample of {self.n} over {keys}"

    # ------------------------------------------------------------------ resolution
    def variants(self, scenario: Scenario) -> list[dict[str, Any]]:
        """The design's variants, checked against ``scenario`` and deduplicated.

        Every value is validated: an unknown key, a value out of its range or a
        combination the scenario does not allow raises a one-line
        :class:`~smmsim.scenario.ScenarioError` naming the key and what is allowed.
        Values are canonical: integer keys hold ints, float keys floats.

        Returns
        -------
        list of dict
            One ``{dotted key: value}`` mapping per variant, in design order.
        """
        if not self.axes and self.method != "list":
            raise SweepError(f"{self.source}: the design sets no key; give at least one")
        if self.method == "list":
            raw = [dict(v) for v in self.listed or ()]
            if not raw:
                raise SweepError(f"{self.source}: the list of variants is empty")
        else:
            self._check_axes(scenario)
            raw = self._grid(scenario) if self.method == "grid" else self._sample(scenario)
        out, seen = [], set()
        for overrides in raw:
            canon = self._check_variant(scenario, overrides)
            vid = canonical(canon)
            if vid not in seen:
                seen.add(vid)
                out.append(canon)
        return out

    def _check_axes(self, scenario: Scenario) -> None:
        """Each axis on its own: key known, every listed value or range end allowed."""
        generator_axis = "audience.generator" in self.keys
        for axis in self.axes:
            if isinstance(axis.values, Range):
                if self.method == "grid" and axis.values.count is None:
                    raise ScenarioError(
                        self.source,
                        axis.key,
                        f"the range {axis.values} needs a count in a grid "
                        f"(START:STOP:COUNT, e.g. {axis.values}:10); "
                        "ranges without a count are for samples (--sample lhs:N)",
                    )
                values = [axis.values.start, axis.values.stop]
                if _param_kind(scenario, axis.key) == "int":
                    values = [round(v) for v in values]
            else:
                values = list(axis.values)
                if not values:
                    raise ScenarioError(self.source, axis.key, "has no values; give at least one")
            if (
                generator_axis
                and axis.key.startswith("audience.")
                and axis.key != ("audience.generator")
            ):
                continue  # checked with each generator in the variants
            for value in values:
                try:
                    scenario.with_overrides({axis.key: value})
                except ScenarioError as exc:
                    raise ScenarioError(self.source, exc.key or axis.key, exc.problem) from None

    def _grid(self, scenario: Scenario) -> list[dict[str, Any]]:
        self._check_size()  # before any point is made
        columns = []
        for axis in self.axes:
            if isinstance(axis.values, Range):
                pts = axis.values.points()
                if _param_kind(scenario, axis.key) == "int":
                    pts = list(dict.fromkeys(round(p) for p in pts))
                columns.append(pts)
            else:
                columns.append(list(axis.values))
        total = math.prod(len(c) for c in columns)
        if total > MAX_VARIANTS:
            raise SweepError(
                f"{self.source}: the grid has {total:,} variants, more than the "
                f"{MAX_VARIANTS:,} allowed; use fewer points or a sample (--sample lhs:N)"
            )
        keys = self.keys
        out = []
        for combo in itertools.product(*columns):
            out.append(dict(zip(keys, combo, strict=True)))
        return out

    def _sample(self, scenario: Scenario) -> list[dict[str, Any]]:
        n = int(self.n or 0)
        self._check_size()
        seed = self.seed
        if seed is None:
            seed = int(root_key(_base_seed(scenario), SAMPLE_STREAM) >> np.uint64(1))
        unit = unit_sample(self.method, n, len(self.axes), seed)
        columns = []
        for axis, u in zip(self.axes, unit.T, strict=True):
            if isinstance(axis.values, Range):
                kind = _param_kind(scenario, axis.key)
                vals = axis.values.at(u)
                if kind == "int":
                    lo, hi = sorted(round(v) for v in (axis.values.start, axis.values.stop))
                    if axis.values.log:
                        vals = np.clip(np.rint(vals), lo, hi)
                    else:
                        vals = np.clip(np.floor(lo + u * (hi - lo + 1)), lo, hi)
                    col = [int(v) for v in vals]
                else:
                    col = [float(f"{v:.6g}") for v in vals]
            else:
                values = list(axis.values)
                idx = np.minimum((u * len(values)).astype(np.int64), len(values) - 1)
                col = [values[i] for i in idx]
            columns.append(col)
        keys = self.keys
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]

    def _check_variant(self, scenario: Scenario, overrides: dict[str, Any]) -> dict[str, Any]:
        try:
            sc = scenario.with_overrides(overrides)
        except ScenarioError as exc:
            others = ", ".join(f"{k}={value_text(v)}" for k, v in overrides.items() if k != exc.key)
            problem = exc.problem + (f" (in the variant with {others})" if others else "")
            raise ScenarioError(self.source, exc.key, problem) from None
        seed_key = "simulation.rng_seed"
        if seed_key in overrides and sc.get(seed_key) is None:
            raise ScenarioError(
                self.source, seed_key, "must be an integer >= 0 in a sweep, got null"
            )
        return {k: sc.get(k) for k in overrides}


def _axes(axes: Mapping[str, Any], source: str) -> tuple[_Axis, ...]:
    if not isinstance(axes, Mapping):
        raise SweepError(
            f"{source}: axes must be a mapping of dotted keys to values, got {describe_value(axes)}"
        )
    out = []
    for key, values in axes.items():
        if not isinstance(key, str) or not key:
            raise SweepError(f"{source}: keys must be dotted names, got {describe_value(key)}")
        if isinstance(values, str):
            values = _parse_spec(key, values, source)
        elif isinstance(values, Range):
            _check_range(key, values, source)
        elif isinstance(values, np.ndarray):
            values = tuple(v.item() if isinstance(v, np.generic) else v for v in values.ravel())
        elif isinstance(values, list | tuple):
            values = tuple(v.item() if isinstance(v, np.generic) else v for v in values)
        else:
            values = (values.item() if isinstance(values, np.generic) else values,)
        out.append(_Axis(key, values))
    return tuple(out)


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^(?:(log):)?({_NUM}):({_NUM})(?::(.*))?$")
_RANGE_HELP = (
    "use START:STOP:COUNT (e.g. 0.02:0.4:20), log:START:STOP:COUNT (e.g. log:0.001:1:7) "
    "or a list V1,V2,..."
)


def _parse_spec(key: str, spec: str, source: str) -> tuple[Any, ...] | Range:
    """``"0.02:0.4:20"`` -> Range; ``"1,5,20"`` -> (1, 5, 20); ``"0.3"`` -> (0.3,)."""
    if not spec:
        raise ScenarioError(source, key, f"has no values; {_RANGE_HELP}")
    looks_like_range = ":" in spec and (spec.startswith("log:") or spec[0] in "0123456789+-.")
    if looks_like_range and not spec.lstrip().startswith(("[", "{")):
        m = _RANGE.match(spec.replace(" ", ""))
        if m is None:
            raise ScenarioError(source, key, f"bad range {spec!r}; {_RANGE_HELP}")
        log, start, stop, count = m.groups()
        if count is not None and not re.fullmatch(r"\d+", count):
            raise ScenarioError(
                source,
                key,
                f"bad range {spec!r}: the count must be an integer >= 1, got "
                f"{count!r}; {_RANGE_HELP}",
            )
        rng = Range(float(start), float(stop), None if count is None else int(count), bool(log))
        _check_range(key, rng, source)
        return rng
    items = _split_list(spec)
    values = []
    for item in items:
        if not item.strip():
            raise ScenarioError(source, key, f"has an empty value in {spec!r}; {_RANGE_HELP}")
        try:
            values.append(parse_override(f"{key}={item}")[1])
        except ScenarioError as exc:
            raise ScenarioError(source, key, exc.problem) from None
    return tuple(values)


def _check_range(key: str, rng: Range, source: str) -> None:
    for name in ("start", "stop"):
        value = getattr(rng, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ScenarioError(
                source, key, f"the range {name} must be a finite number, got {value!r}"
            )
    if rng.count is not None and (
        isinstance(rng.count, bool) or not isinstance(rng.count, int) or rng.count < 1
    ):
        raise ScenarioError(
            source, key, f"the range count must be an integer >= 1, got {rng.count!r}"
        )
    if rng.count is not None and rng.count > MAX_VARIANTS:
        raise ScenarioError(
            source,
            key,
            f"the range count must be at most {MAX_VARIANTS:,} (the most variants a "
            f"sweep may have), got {rng.count:,}",
        )
    if rng.log and (rng.start <= 0 or rng.stop <= 0):
        raise ScenarioError(
            source,
            key,
            f"a log range needs START and STOP > 0, got {format_number(rng.start)} and "
            f"{format_number(rng.stop)}",
        )


def _split_list(spec: str) -> list[str]:
    """Split on commas outside brackets, braces and quotes."""
    items, depth, quote, cur = [], 0, None, []
    for ch in spec:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    items.append("".join(cur))
    return items


def _parse_sample(text: str) -> tuple[str, int]:
    m = re.fullmatch(r"\s*(lhs|sobol|random)\s*:\s*(\d+)\s*", text or "")
    if m is None or int(m.group(2)) < 1:
        raise SweepError(
            f"--sample: expected lhs:N, sobol:N or random:N with N >= 1 (e.g. lhs:200), "
            f"got {describe_value(text)}"
        )
    return m.group(1), int(m.group(2))


def _param_kind(scenario: Scenario, key: str) -> str | None:
    section, _, name = key.partition(".")
    if section == "audience":
        gens = [scenario.data["audience"]["generator"], *GENERATOR_SCHEMA]
        for gen in gens:
            param = GENERATOR_SCHEMA.get(gen, {}).get(name)
            if param is not None:
                return param.kind
        param = SCHEMA["audience"].get(name)
        return None if param is None else param.kind
    sec = SCHEMA.get(section)
    if isinstance(sec, dict):
        param = sec.get(name)
        return None if param is None else param.kind
    return None


def _tidy(x: float) -> float:
    """Round away float noise (``0.22000000000000003`` -> ``0.22``): 12 significant digits."""
    return float(f"{x:.12g}")


def _base_seed(scenario: Scenario) -> int:
    seed = scenario.simulation["rng_seed"]
    if seed is None:
        raise SweepError("the base scenario needs a concrete simulation.rng_seed")
    return int(seed)


def unit_sample(method: str, n: int, d: int, seed: int) -> np.ndarray:
    """``n`` points in the unit cube ``[0, 1)^d`` drawn by ``method``.

    Parameters
    ----------
    method : {"lhs", "sobol", "random"}
        :class:`scipy.stats.qmc.LatinHypercube` (``optimization="random-cd"``),
        scrambled :class:`scipy.stats.qmc.Sobol`, or independent uniforms.
    n, d : int
        Number of points and of dimensions (axes).
    seed : int
        Seed of the draws: the same seed gives the same points.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, d)``, float64.
    """
    rng = np.random.default_rng(seed)
    if method == "random":
        return rng.random((n, d))
    from scipy.stats import qmc  # scipy is heavy: only sampled designs need it

    if method == "lhs":
        engine = qmc.LatinHypercube(d, optimization="random-cd", **_rng_keyword(rng))
        return engine.random(n)
    if method == "sobol":
        engine = qmc.Sobol(d, scramble=True, **_rng_keyword(rng))
        # the first n points of the 2^m-point sequence; scipy warns on random(n)
        # when n is not a power of two, which the docs already say
        m = max(0, math.ceil(math.log2(n)))
        return engine.random_base2(m)[:n]
    raise ValueError(f"unknown sample method {method!r}")


def _rng_keyword(rng: np.random.Generator) -> dict[str, np.random.Generator]:
    """scipy 1.15 renamed the qmc engines' ``seed`` keyword to ``rng``."""
    import scipy

    major, minor = (int(x) for x in scipy.__version__.split(".")[:2])
    return {"rng": rng} if (major, minor) >= (1, 15) else {"seed": rng}
