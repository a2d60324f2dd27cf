"""Parameter sweeps: many variants of one scenario, on this machine or a Dask cluster.

A sweep is a base :class:`~smmsim.scenario.Scenario` and a design: a list of
*variants*, each a mapping of dotted scenario keys to values
(``{"content.stickiness": 0.1, "seeding.k": 5}``). :class:`Sweep` builds designs from
grids (ranges, log ranges and lists over any key, and their Cartesian product), from
Latin hypercube or simple random samples over ranges, or from an explicit list.
:func:`run_sweep` simulates every variant's Monte Carlo ensemble and returns a tidy
table with one row per variant: its parameters, the ensemble mean, standard deviation
and 95% confidence interval of every metric, and the runs used.

Running
-------
Without a Dask client the variants run one after another in this process; each
simulation already uses every core through numba's threads. With a client
(``distributed.Client``) variants are batched into tasks and run on the cluster's
workers. This module never starts a cluster: callers (the ``smmsim sweep`` command, a
notebook) create the client and pass it in.

Each audience is built once per process and kept in a small cache keyed by the
resolved ``audience`` section and its seed, so a worker running many tasks on the same
audience builds it once. Edge-list audiences are read once by the caller and scattered
to every worker, so the file need not exist where the workers run.

Reproducibility
---------------
Variant ``v`` draws from the streams of the seed derived from the base seed
(``simulation.rng_seed``) and a hash of ``v``'s canonical overrides, never from its
position in the design. A variant's row is therefore the same whatever the worker
count, the order tasks finish in, the batching, or whether the sweep was resumed; the
same variant in another design with the same base gets the same row too. With
``common_random_numbers=True`` every variant uses the base seed itself, so differences
between variants are not blurred by independent noise.

Nothing lost
------------
With ``out_dir``, finished variants are written as they complete: each finished task
(or, locally, each second's worth of variants) becomes one small Parquet file under
``out_dir/parts``, written to a temporary name and moved into place, so no
half-written file is ever read back. An interrupted or crashed sweep keeps every
finished variant; ``resume=True`` runs only the missing ones. ``manifest.json``
records the resolved base scenario, the design, every variant and the package version;
a folder holding a different sweep is refused. When every variant is done the table is
written to ``results.parquet`` (and ``results.csv`` on request) and the parts are
removed.

Examples
--------
>>> import smmsim
>>> from smmsim.sweep import Sweep, run_sweep
>>> base = smmsim.default_scenario().with_overrides({"audience.n": 2000})
>>> design = Sweep.grid({"content.stickiness": "0.1:0.3:3", "seeding.k": [1, 10]})
>>> len(design.variants(base))
6
>>> table = run_sweep(base, design, runs=50)            # doctest: +SKIP
>>> table[["content.stickiness", "seeding.k", "reach_mean", "reach_ci_low"]]  # doctest: +SKIP

References
----------
M. D. McKay, R. J. Beckman and W. J. Conover, "A comparison of three methods for
selecting values of input variables in the analysis of output from a computer code",
Technometrics 21(2), 239-245 (1979) (Latin hypercube sampling).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smmsim import __version__
from smmsim._text import one_line
from smmsim.audience import audience_seed, build_audience
from smmsim.errors import UserError
from smmsim.memory import check_memory
from smmsim.params import describe_value, format_number
from smmsim.rng import resolve_seed, root_key
from smmsim.scenario import (
    GENERATOR_SCHEMA,
    SCHEMA,
    Scenario,
    ScenarioError,
    parse_override,
    scenario_from_dict,
)
from smmsim.simulate import simulate

__all__ = [
    "STATS",
    "Range",
    "Sweep",
    "SweepError",
    "audience_cache_info",
    "parameter_columns",
    "read_manifest",
    "read_sweep",
    "resume_sweep",
    "run_sweep",
    "variant_id",
    "variant_seed",
]

#: Ensemble statistics kept for every metric: column ``f"{metric}_{stat}"``.
STATS = ("mean", "std", "ci_low", "ci_high")
#: Percolation-theory predictions kept for every variant: column ``f"theory_{name}"``.
THEORY = ("transmissibility", "critical", "k_factor")
#: Columns that come after the parameters and before the metrics.
ID_COLUMNS = ("variant", "variant_id")
RUN_COLUMNS = ("rng_seed", "runs")

MANIFEST = "manifest.json"
TABLE = "results.parquet"
CSV = "results.csv"
PARTS = "parts"
FORMAT = 1  # manifest format

#: Most variants in one design. Each variant is checked (about 0.1 ms) and listed in
#: the manifest before the first one runs, so a million would keep a user waiting for
#: minutes with nothing written.
MAX_VARIANTS = 100_000
CACHE_SIZE = 4  # audiences kept per process
FLUSH_SECONDS = 1.0  # local runs: write a part at least this often
SAMPLE_STREAM = 0x5EEDD5  # keys the design sampler's randomness apart from the cascades'

ResultCallback = Callable[[pd.DataFrame], None]


class SweepError(UserError):
    """A sweep cannot run as asked (a folder holding another sweep, a bad sample
    spec); the message is one line of at most :data:`smmsim._text.MAX_LINE`
    characters."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


# ---------------------------------------------------------------------------- design
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
    method : {"grid", "lhs", "random", "list"}
        Cartesian product, Latin hypercube sample, simple random sample, or an
        explicit list of variants.
    n : int or None
        Sample size (``lhs`` and ``random``).
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
        1979). ``"random"`` draws independently. Repeated variants (possible when
        every key takes few values) are kept once.
        """
        if method not in ("lhs", "random"):
            raise SweepError(f"{source}: sample method must be lhs or random, got {method!r}")
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
            ``"lhs:N"`` or ``"random:N"``: sample ``N`` variants over the ranges
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
        name = "Latin hypercube" if self.method == "lhs" else "random"
        return f"{name} sample of {self.n} over {keys}"

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
            vid = variant_id(canon)
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
        for combo in _product(columns):
            out.append(dict(zip(keys, combo, strict=True)))
        return out

    def _sample(self, scenario: Scenario) -> list[dict[str, Any]]:
        n = int(self.n or 0)
        self._check_size()
        seed = self.seed
        if seed is None:
            seed = int(root_key(_base_seed(scenario), SAMPLE_STREAM) >> np.uint64(1))
        rng = np.random.default_rng(seed)
        columns = []
        for axis in self.axes:
            if self.method == "lhs":
                u = (rng.permutation(n) + rng.random(n)) / n
            else:
                u = rng.random(n)
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
            others = ", ".join(f"{k}={_text(v)}" for k, v in overrides.items() if k != exc.key)
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
    m = re.fullmatch(r"\s*(lhs|random)\s*:\s*(\d+)\s*", text or "")
    if m is None or int(m.group(2)) < 1:
        raise SweepError(
            f"--sample: expected lhs:N or random:N with N >= 1 (e.g. lhs:200), "
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


def _product(columns: list[list[Any]]) -> Iterable[tuple[Any, ...]]:
    import itertools

    return itertools.product(*columns)


def _tidy(x: float) -> float:
    """Round away float noise (``0.22000000000000003`` -> ``0.22``): 12 significant digits."""
    return float(f"{x:.12g}")


def _text(value: Any) -> str:
    return format_number(value) if isinstance(value, int | float) else describe_value(value)


# ---------------------------------------------------------------------------- variants
def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def variant_id(overrides: Mapping[str, Any]) -> str:
    """Short stable identifier of a variant: a hash of its canonical overrides.

    It depends on the keys and values only, not on their order or the variant's
    position in a design.
    """
    return hashlib.sha256(_canonical(dict(overrides)).encode()).hexdigest()[:16]


def variant_seed(base_seed: int, overrides: Mapping[str, Any]) -> int:
    """Seed of a variant's random streams: derived from the base seed and a hash of
    the variant's canonical overrides (never its position in the design)."""
    digest = hashlib.sha256(_canonical(dict(overrides)).encode()).hexdigest()
    words = [int(digest[i : i + 16], 16) for i in (0, 16, 32, 48)]
    state = np.random.SeedSequence([int(base_seed), *words]).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


@dataclass(frozen=True)
class _Variant:
    index: int
    id: str
    overrides: dict[str, Any]
    seed: int


def _base_seed(scenario: Scenario) -> int:
    seed = scenario.simulation["rng_seed"]
    if seed is None:
        raise SweepError("the base scenario needs a concrete simulation.rng_seed")
    return int(seed)


@dataclass
class _Plan:
    base: Scenario
    design: Sweep
    keys: tuple[str, ...]
    variants: list[_Variant]
    common_random_numbers: bool
    manifest: dict[str, Any] = field(default_factory=dict)


def _plan(
    scenario: Scenario,
    design: Sweep,
    runs: int | None,
    common_random_numbers: bool,
    seed: int | None,
) -> _Plan:
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
    overrides = design.variants(base)
    variants = []
    for i, ov in enumerate(overrides):
        root = ov.get("simulation.rng_seed", base.simulation["rng_seed"])
        s = int(root) if common_random_numbers else variant_seed(root, ov)
        variants.append(_Variant(i, variant_id(ov), ov, s))
    plan = _Plan(base, design, design.keys, variants, bool(common_random_numbers))
    plan.manifest = {
        "format": FORMAT,
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": base.source,
        "base_dir": str(base.base_dir),
        "base": base.to_dict(),
        "design": design.to_dict(),
        "design_text": design.describe(),
        "keys": list(plan.keys),
        "common_random_numbers": plan.common_random_numbers,
        "variants": [
            {"variant": v.index, "variant_id": v.id, "rng_seed": v.seed, "overrides": v.overrides}
            for v in variants
        ],
    }
    return plan


def _identity(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What must match for two manifests to describe the same sweep."""
    base = {k: v for k, v in manifest["base"].items() if k not in ("name", "description")}
    return {
        "version": manifest.get("version"),
        "base": base,
        "keys": list(manifest.get("keys", [])),
        "common_random_numbers": bool(manifest.get("common_random_numbers")),
        "variants": [v["variant_id"] for v in manifest.get("variants", [])],
    }


def _difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    a, b = _identity(old), _identity(new)
    if a["version"] != b["version"]:
        return f"made by smmsim {a['version']}, this is {b['version']}"
    if a["base"] != b["base"]:
        for section in sorted(set(a["base"]) | set(b["base"])):
            x, y = a["base"].get(section), b["base"].get(section)
            if x == y:
                continue
            if isinstance(x, dict) and isinstance(y, dict):
                for key in [*x, *(k for k in y if k not in x)]:
                    if x.get(key) != y.get(key):
                        return (
                            f"base scenario differs at {section}.{key}: "
                            f"{_text(x.get(key))} there, {_text(y.get(key))} here"
                        )
            return f"base scenario differs at {section}"
    if a["keys"] != b["keys"]:
        return f"it sweeps {', '.join(a['keys'])}, this sweeps {', '.join(b['keys'])}"
    if a["common_random_numbers"] != b["common_random_numbers"]:
        return "common random numbers differ"
    return (
        f"its design has {len(a['variants'])} variants, this one {len(b['variants'])}"
        if len(a["variants"]) != len(b["variants"])
        else "the variants differ"
    )


# ---------------------------------------------------------------------------- audiences
_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_STATS = {"builds": 0, "hits": 0, "build_s": 0.0}


def _audience_key(scenario: Scenario) -> str:
    a = scenario.audience
    if a["generator"] == "edgelist":
        return _canonical({"audience": a, "path": str(scenario.audience_path())})
    return _canonical({"audience": a, "seed": audience_seed(scenario)})


def _audience(scenario: Scenario):
    """The scenario's audience from this process's cache, built on first use."""
    key = _audience_key(scenario)
    with _CACHE_LOCK:
        graph = _CACHE.get(key)
        if graph is not None:
            _CACHE.move_to_end(key)
            _CACHE_STATS["hits"] += 1
            return graph
        t0 = time.perf_counter()
        graph = build_audience(scenario)
        _CACHE_STATS["build_s"] += time.perf_counter() - t0
        _CACHE_STATS["builds"] += 1
        _CACHE[key] = graph
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return graph


def audience_cache_info(clear: bool = False) -> dict[str, Any]:
    """This process's audience cache: ``builds``, ``hits``, ``build_s`` and ``size``.

    On a cluster, ``client.run(audience_cache_info)`` gives it for every worker.
    ``clear=True`` empties the cache and resets the counters.
    """
    with _CACHE_LOCK:
        info = {**_CACHE_STATS, "size": len(_CACHE)}
        if clear:
            _CACHE.clear()
            _CACHE_STATS.update(builds=0, hits=0, build_s=0.0)
    return info


# ---------------------------------------------------------------------------- one task
def _run_batch(
    base: Scenario,
    variants: Sequence[_Variant],
    keys: Sequence[str],
    graph: Any = None,
    threads: int | None = None,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Simulate variants (one task); return their rows and timing."""
    rows = []
    timing = {"call_s": 0.0, "simulate_s": 0.0}
    for v in variants:
        sc = base.with_overrides(v.overrides)
        g = graph if graph is not None else _audience(sc)
        t0 = time.perf_counter()
        res = simulate(sc, rng=v.seed, graph=g, progress=False, threads=threads)
        timing["call_s"] += time.perf_counter() - t0
        timing["simulate_s"] += float(res.timing.get("simulate_s", 0.0))
        rows.append(_row(v, keys, res))
    return rows, timing


def _row(v: _Variant, keys: Sequence[str], res) -> dict[str, Any]:
    row: dict[str, Any] = {"variant": v.index, "variant_id": v.id}
    for k in keys:
        row[k] = v.overrides.get(k)
    row["rng_seed"] = v.seed
    row["runs"] = res.n_runs
    summary = res.summary
    values = summary.to_numpy(dtype=float)[:, summary.columns.get_indexer(list(STATS))]
    for metric, stats in zip(res.summary.index, values.tolist(), strict=True):
        for stat, value in zip(STATS, stats, strict=True):
            row[f"{metric}_{stat}"] = value
    for name in THEORY:
        value = res.theory.get(name)
        row[f"theory_{name}"] = np.nan if value is None else float(value)
    return row


# ---------------------------------------------------------------------------- storage
def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _plain_values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows read back from Parquet: numpy arrays (list values) back to lists."""
    for row in rows:
        for k, v in row.items():
            if isinstance(v, np.ndarray):
                row[k] = v.tolist()
            elif isinstance(v, np.generic):
                row[k] = v.item()
    return rows


class _Store:
    """A sweep folder: manifest, part files, the assembled table."""

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out = Path(out_dir)
        self.parts = self.out / PARTS
        self._lock: Any = None
        self._columns: list[str] | None = None

    def lock(self) -> None:
        """Hold the folder's lock until :meth:`unlock`, or fail if another sweep does.

        An advisory ``flock`` on the folder itself (no lock file is left behind): the
        system releases it when its process ends, however it ends, so a killed sweep
        never leaves a stale lock.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no locking
            return
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(f"{self.out}: exists and is not a folder")
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise SweepError(
                f"{self.out}: another sweep is running in this folder; wait for it to "
                "finish or choose another folder"
            ) from None
        self._lock = fd

    def unlock(self) -> None:
        """Release the lock taken by :meth:`lock`."""
        if self._lock is not None:
            os.close(self._lock)  # closing releases the flock
            self._lock = None

    def manifest(self) -> dict[str, Any] | None:
        path = self.out / MANIFEST
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SweepError(f"{path}: cannot read the sweep manifest: {exc}") from None

    def open(self, manifest: dict[str, Any], resume: bool) -> list[dict[str, Any]]:
        """Prepare the folder; return the rows of variants already done."""
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(f"{self.out}: exists and is not a folder")
        old = self.manifest()
        if old is None:
            if self.out.exists() and any(self.out.iterdir()):
                raise SweepError(
                    f"{self.out}: is not empty and holds no sweep ({MANIFEST}); "
                    "choose a new or empty folder"
                )
            self.parts.mkdir(parents=True, exist_ok=True)
            text = json.dumps(manifest, indent=1, default=str)
            _atomic_write(self.out / MANIFEST, lambda p: p.write_text(text))
            return []
        if _identity(old) != _identity(manifest):
            raise SweepError(
                f"{self.out}: holds a different sweep ({_difference(old, manifest)}); "
                "choose another folder"
            )
        self.parts.mkdir(parents=True, exist_ok=True)
        for stale in self.parts.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
        ids = {v["variant_id"] for v in manifest["variants"]}
        rows = [r for r in self.rows() if r["variant_id"] in ids]
        if rows and not resume:
            raise SweepError(
                f"{self.out}: already holds this sweep ({len(rows)} of {len(ids)} variants "
                "done); resume it (--resume) or choose another folder"
            )
        return rows

    def rows(self) -> list[dict[str, Any]]:
        """Every stored row (finished table and parts), each variant once.

        Raises
        ------
        SweepError
            A file that cannot be read, or that lacks columns the sweep's rows have,
            named with what to do about it.
        """
        manifest = self.manifest() or {}
        expected = manifest.get("columns")
        if expected is None:  # no part written yet (or an older sweep): the fixed columns
            expected = [*ID_COLUMNS, *manifest.get("keys", []), *RUN_COLUMNS]
        files = []
        table = self.out / TABLE
        if table.is_file():
            files.append(table)
        if self.parts.is_dir():
            files += sorted(self.parts.glob("part-*.parquet"))
        frames = [self._read(path, expected) for path in files]
        seen, out = set(), []
        for frame in frames:
            for row in _plain_values(frame.to_dict("records")):
                if row["variant_id"] not in seen:
                    seen.add(row["variant_id"])
                    out.append(row)
        return out

    def _read(self, path: Path, expected: Sequence[str]) -> pd.DataFrame:
        again = "remove it and run the sweep again with --resume (its variants run again)"
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            reason = type(exc).__name__  # pyarrow's text repeats the long path
            raise SweepError(f"{path}: is damaged and cannot be read ({reason}); {again}") from None
        missing = [c for c in expected if c not in frame.columns]
        if missing:
            shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
            raise SweepError(
                f"{path}: lacks {len(missing)} of this sweep's columns ({shown}); {again}"
            )
        return frame

    def _record_columns(self, columns: list[str]) -> None:
        """Keep the columns of the first rows in the manifest: later parts must have them."""
        if self._columns is not None:
            return
        manifest = self.manifest()
        if manifest is None:
            return
        if "columns" not in manifest:
            manifest["columns"] = columns
            text = json.dumps(manifest, indent=1, default=str)
            _atomic_write(self.out / MANIFEST, lambda p: p.write_text(text))
        self._columns = list(manifest["columns"])

    def write_part(self, rows: list[dict[str, Any]]) -> Path:
        ids = sorted(r["variant_id"] for r in rows)
        first = min(r["variant"] for r in rows)
        name = f"part-{first:07d}-{hashlib.sha256(''.join(ids).encode()).hexdigest()[:12]}"
        path = self.parts / f"{name}.parquet"
        frame = pd.DataFrame.from_records(rows)
        self._record_columns(list(frame.columns))
        _atomic_write(path, lambda p: frame.to_parquet(p, index=False))
        return path

    def finish(self, table: pd.DataFrame, csv: bool) -> list[Path]:
        paths = [self.out / TABLE]
        _atomic_write(paths[0], lambda p: table.to_parquet(p, index=False))
        if csv:
            paths.append(self.out / CSV)
            _atomic_write(paths[1], lambda p: table.to_csv(p, index=False))
        if self.parts.is_dir():
            for part in self.parts.glob("part-*.parquet"):
                part.unlink(missing_ok=True)
            try:
                self.parts.rmdir()
            except OSError:
                pass
        return [*paths, self.out / MANIFEST]


def _table(rows: list[dict[str, Any]], keys: Sequence[str]) -> pd.DataFrame:
    """The tidy table: one row per variant, design order, a fixed column order."""
    rows = sorted(rows, key=lambda r: r["variant"])
    table = pd.DataFrame.from_records(rows)
    if table.empty:
        return table
    first = [*ID_COLUMNS, *keys, *RUN_COLUMNS]
    rest = [c for c in table.columns if c not in first]
    table = table[first + rest]
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------- running
def run_sweep(
    scenario: Scenario,
    design: Sweep,
    out_dir: str | os.PathLike[str] | None = None,
    *,
    runs: int | None = None,
    client: Any = None,
    resume: bool = False,
    progress: bool | None = None,
    csv: bool = False,
    batch_size: int | None = None,
    common_random_numbers: bool = False,
    on_result: ResultCallback | None = None,
    threads: int | None = None,
    max_memory: int | None = None,
) -> pd.DataFrame:
    """Simulate every variant of ``design`` on top of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The base scenario. A null ``simulation.rng_seed`` gets fresh entropy once,
        recorded in the manifest (and reused on resume).
    design : Sweep
        The variants (see :class:`Sweep`).
    out_dir : path-like, optional
        Folder for ``manifest.json``, the part files and ``results.parquet``. Without
        it nothing is written and an interruption loses the sweep.
    runs : int, optional
        Monte Carlo runs per variant (default: each variant's ``simulation.runs``).
    client : distributed.Client, optional
        Run on this Dask cluster; ``None`` runs here, one variant at a time (each
        simulation uses every core).
    resume : bool
        Continue the sweep in ``out_dir``: run only the variants not yet stored.
    progress : bool or None
        Progress bar over variants on stderr, with an estimate of the time left;
        ``None`` shows it only on a terminal.
    csv : bool
        Also write ``results.csv``.
    batch_size : int, optional
        Variants per Dask task (default: about eight tasks per worker thread, at most
        64 variants each).
    common_random_numbers : bool
        Give every variant the base seed instead of one derived from its parameters.
    on_result : callable, optional
        Called with a DataFrame of newly finished rows, after they are written.
    threads : int, optional
        Numba threads per simulation (default: all). Results do not depend on it.
    max_memory : int, optional
        Bytes a variant may be estimated to need (default:
        :func:`smmsim.memory.default_memory_limit`); checked for every variant before
        the first one runs.

    Returns
    -------
    pandas.DataFrame
        One row per variant in design order: ``variant`` (position), ``variant_id``,
        one column per swept key, ``rng_seed``, ``runs``, then ``{metric}_{stat}``
        for every metric and ``stat`` in :data:`STATS`, and ``theory_transmissibility``,
        ``theory_critical``, ``theory_k_factor``. ``DataFrame.attrs["sweep"]`` holds
        counts and timing.

    Raises
    ------
    ScenarioError
        A design value that the scenario does not allow.
    SweepError
        ``out_dir`` holds another sweep, or this one without ``resume``, or another
        sweep is running in it.
    """
    started = time.perf_counter()
    store = _Store(out_dir) if out_dir is not None else None
    seed = None
    if store is not None and scenario.simulation["rng_seed"] is None:
        old = store.manifest()
        if old is not None:
            seed = old["base"]["simulation"]["rng_seed"]
    plan = _plan(scenario, design, runs, common_random_numbers, seed)
    _check_variant_memory(plan, max_memory, threads)
    if store is None:
        return _run_plan(
            plan, None, [], started, client, progress, csv, batch_size, on_result, threads
        )
    store.lock()
    try:
        done_rows = store.open(plan.manifest, resume)
        return _run_plan(
            plan, store, done_rows, started, client, progress, csv, batch_size, on_result, threads
        )
    finally:
        store.unlock()


def _check_variant_memory(plan: _Plan, limit: int | None, threads: int | None) -> None:
    """Refuse the sweep if a variant would need more memory than ``limit``.

    Variants differ only in their overrides; when none touches the audience or the
    simulation section, the base scenario stands for all of them.
    """
    sized, seen = [], set()
    for v in plan.variants:
        relevant = tuple(
            (k, _canonical(x))
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
                    + ", ".join(f"{k}={_text(x)}" for k, x in v.overrides.items())
                    + ")"
                )
            raise ScenarioError(plan.design.source, exc.key, exc.problem + where) from None


def _run_plan(
    plan, store, done_rows, started, client, progress, csv, batch_size, on_result, threads
) -> pd.DataFrame:
    """Run the variants of ``plan`` not in ``done_rows``; write them to ``store``."""
    done = {r["variant_id"] for r in done_rows}
    todo = [v for v in plan.variants if v.id not in done]
    rows = list(done_rows)
    timing = {"call_s": 0.0, "simulate_s": 0.0}

    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(plan.variants),
        initial=len(done),
        unit="variant",
        desc="sweep",
        disable=None if progress is None else not progress,
        smoothing=0.1,
    )
    try:
        if not todo:
            pass
        elif client is None:
            _run_local(plan, todo, store, bar, rows, timing, on_result, threads)
        else:
            _run_dask(client, plan, todo, store, bar, rows, timing, on_result, threads, batch_size)
    finally:
        bar.close()

    table = _table(rows, plan.keys)
    paths = store.finish(table, csv) if store is not None else []
    table.attrs["sweep"] = {
        "variants": len(plan.variants),
        "done_before": len(done),
        "ran": len(todo),
        "wall_s": time.perf_counter() - started,
        **timing,
        "paths": [str(p) for p in paths],
        "design": plan.design.describe(),
    }
    return table


def _run_local(plan, todo, store, bar, rows, timing, on_result, threads) -> None:
    pending: list[dict[str, Any]] = []
    last = time.perf_counter()
    try:
        for v in todo:
            new, t = _run_batch(plan.base, [v], plan.keys, threads=threads)
            for k in timing:
                timing[k] += t[k]
            pending += new
            rows += new
            bar.update(1)
            if store is not None and time.perf_counter() - last >= FLUSH_SECONDS:
                store.write_part(pending)
                pending, last = [], time.perf_counter()
            if on_result is not None:
                on_result(pd.DataFrame.from_records(new))
    finally:
        if store is not None and pending:
            store.write_part(pending)


def _run_dask(client, plan, todo, store, bar, rows, timing, on_result, threads, batch_size):
    from distributed import as_completed

    groups: dict[str, list[_Variant]] = {}
    scenarios: dict[str, Scenario] = {}
    for v in todo:
        sc = plan.base.with_overrides(v.overrides)
        key = _audience_key(sc)
        groups.setdefault(key, []).append(v)
        scenarios.setdefault(key, sc)
    slots = sum(client.nthreads().values()) or 1
    if batch_size is None:
        batch_size = max(1, min(64, math.ceil(len(todo) / (8 * slots))))
    futures = []
    for key, variants in groups.items():
        graph = None
        if scenarios[key].audience["generator"] == "edgelist":
            graph = client.scatter(build_audience(scenarios[key]), broadcast=True, hash=False)
        for i in range(0, len(variants), batch_size):
            futures.append(
                client.submit(
                    _run_batch,
                    plan.base,
                    variants[i : i + batch_size],
                    plan.keys,
                    graph,
                    threads,
                    pure=False,
                )
            )
    try:
        for fut in as_completed(futures):
            new, t = fut.result()
            fut.release()
            if store is not None:
                store.write_part(new)
            rows += new
            for k in timing:
                timing[k] += t[k]
            bar.update(len(new))
            if on_result is not None:
                on_result(pd.DataFrame.from_records(new))
    except BaseException:
        client.cancel(futures)
        raise


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the sweep in ``out_dir``."""
    manifest = _Store(out_dir).manifest()
    if manifest is None:
        raise SweepError(f"{out_dir}: holds no sweep ({MANIFEST} not found)")
    return manifest


def read_sweep(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The table of the sweep in ``out_dir``: every finished variant, design order.

    Works on an unfinished sweep too (the rows done so far).
    """
    manifest = read_manifest(out_dir)
    ids = {v["variant_id"] for v in manifest["variants"]}
    rows = [r for r in _Store(out_dir).rows() if r["variant_id"] in ids]
    return _table(rows, manifest["keys"])


def resume_sweep(
    out_dir: str | os.PathLike[str], *, client: Any = None, **kwargs: Any
) -> pd.DataFrame:
    """Finish the sweep stored in ``out_dir`` from its manifest alone.

    Keyword arguments go to :func:`run_sweep` (``progress``, ``csv``, ...).
    """
    manifest = read_manifest(out_dir)
    base = scenario_from_dict(
        manifest["base"], source=manifest.get("source"), base_dir=manifest.get("base_dir")
    )
    design = Sweep.from_dict(manifest["design"])
    return run_sweep(
        base,
        design,
        out_dir,
        client=client,
        resume=True,
        common_random_numbers=manifest.get("common_random_numbers", False),
        **kwargs,
    )


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """The swept-key columns of a sweep table (between ``variant_id`` and ``rng_seed``)."""
    cols = list(table.columns)
    try:
        lo, hi = cols.index("variant_id") + 1, cols.index("rng_seed")
    except ValueError:
        raise ValueError("not a sweep table: no variant_id and rng_seed columns") from None
    return cols[lo:hi]
