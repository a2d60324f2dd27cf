"""The audience generators a scenario may name, one entry each: :data:`GENERATORS`.

Each :class:`Generator` holds everything about one ``audience.generator`` choice: its
parameter schema (the keys of the ``audience`` section it accepts), its builder (the
call that makes the graph) and its cross-checks (what the schema alone cannot state,
such as ``m < n``). The scenario schema, its validation and
:func:`smmsim.audience.build_audience` all read this registry, so adding a generator
means adding one entry here.

This module sits below the scenario package: it imports :mod:`smmsim.params` and
nothing of :mod:`smmsim.scenario`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smmsim._files import file_problem
from smmsim.params import (
    Param,
    ParamError,
    describe_value,
    format_number,
    optional_int_param,
    optional_list_param,
)

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph

__all__ = [
    "GENERATORS",
    "MAX_USERS",
    "Generator",
    "check_audience_file",
    "non_empty",
    "resolve_path",
]

#: Largest audience: node ids are stored as int32.
MAX_USERS = 2**31 - 1

#: ``build(audience, rng, path)``: the resolved ``audience`` section, the integer seed
#: of a generated audience (``None`` for a file) and the resolved file (``None`` for
#: a generated audience).
Builder = Callable[[Mapping[str, Any], "int | None", "Path | None"], "CSRGraph"]
#: ``check(audience, base_dir)``: raise :class:`~smmsim.params.ParamError` for a
#: combination of keys that cannot be built; may canonicalise values in ``audience``.
Check = Callable[[dict[str, Any], Path], None]


@dataclass(frozen=True)
class Generator:
    """One audience generator: its keys, how it is built and how it is checked.

    Attributes
    ----------
    name : str
        The ``audience.generator`` value.
    params : mapping of str to Param
        The ``audience`` keys it accepts besides ``generator`` and ``rng_seed``.
    build : callable
        ``build(audience, rng, path) -> CSRGraph``.
    check : callable
        ``check(audience, base_dir)``: checks across keys, after each key is valid.
    reads_file : bool
        The audience is read from a file (``path``), not generated from a seed.
    """

    name: str
    params: Mapping[str, Param]
    build: Builder
    check: Check
    reads_file: bool = False


# ---------------------------------------------------------------------- value checks
def _even(value: int, key: str) -> int:
    if value % 2:
        raise ParamError(key, f"must be an even integer >= 2 (ties on a ring), got {value}")
    return value


def non_empty(value: str, key: str) -> str:
    """A :class:`~smmsim.params.Param` check: ``value`` must not be blank."""
    if not value.strip():
        raise ParamError(key, f"must be a non-empty string, got {describe_value(value)}")
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


# ---------------------------------------------------------------------- cross-checks
def _at_most_n(out: dict[str, Any], *keys: str) -> None:
    """Each of ``keys`` (when set) is at most ``audience.n - 1``."""
    limit = out["n"] - 1
    for key in keys:
        if out[key] is not None and out[key] > limit:
            raise ParamError(
                f"audience.{key}",
                f"must be at most audience.n - 1 = {format_number(limit)}, "
                f"got {format_number(out[key])}",
            )


def _check_mean_degree(out: dict[str, Any], base_dir: Path) -> None:
    _at_most_n(out, "mean_degree")


def _check_barabasi_albert(out: dict[str, Any], base_dir: Path) -> None:
    _at_most_n(out, "m")


def _check_powerlaw(out: dict[str, Any], base_dir: Path) -> None:
    _at_most_n(out, "min_degree", "max_degree")
    lo, hi, n = out["min_degree"], out["max_degree"], out["n"]
    if hi is not None and hi < lo:
        raise ParamError(
            "audience.max_degree", f"must be >= audience.min_degree = {lo} or null, got {hi}"
        )
    if lo == hi and lo % 2 == 1 and n % 2 == 1:
        raise ParamError(
            "audience.max_degree",
            f"with min_degree == max_degree = {lo} (odd) audience.n must be even, "
            f"got n = {n} (the degree sum must be even)",
        )


def _check_sbm(out: dict[str, Any], base_dir: Path) -> None:
    _at_most_n(out, "mean_degree")
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

    Shares are rounded to sizes by largest remainder, as the generator does; equal
    segments stay two pairs however many there are.
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


def resolve_path(path: str, base_dir: Path) -> Path:
    """An audience file's path: ``~`` expanded, relative paths read from ``base_dir``
    (the scenario's folder)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p


def check_audience_file(out: dict[str, Any], key: str, base_dir: Path) -> None:
    """``audience.<key>`` names a readable file (relative paths from the scenario's folder);
    the resolved scenario names it as found, so that it reads the same file from any
    working directory (plots rebuild the audience from it). Raise
    :class:`~smmsim.params.ParamError` otherwise."""
    try:
        path: Path | None = resolve_path(out[key], base_dir)
    except (OSError, ValueError, RuntimeError):  # e.g. "~nosuchuser/..."
        path = None
    problem = "file not found" if path is None else file_problem(path)
    if problem is not None:
        shown = describe_value(str(path if path is not None else out[key]), limit=200)
        hint = ""
        if problem.startswith("file not found"):
            hint = " (relative paths are read from the scenario's folder)"
        raise ParamError(f"audience.{key}", f"{problem}: {shown}{hint}")
    try:
        out[key] = str(path.resolve())
    except (OSError, RuntimeError):
        out[key] = str(path)


def _check_edgelist(out: dict[str, Any], base_dir: Path) -> None:
    check_audience_file(out, "path", base_dir)


# ---------------------------------------------------------------------- builders
# The generators are imported when a graph is built, not when a scenario is checked.
def _build_erdos_renyi(a: Mapping[str, Any], rng: int | None, path: Path | None) -> CSRGraph:
    from smmsim.generators import erdos_renyi

    return erdos_renyi(a["n"], a["mean_degree"], directed=a["directed"], rng=rng)


def _build_barabasi_albert(a: Mapping[str, Any], rng: int | None, path: Path | None) -> CSRGraph:
    from smmsim.generators import barabasi_albert

    return barabasi_albert(a["n"], a["m"], rng=rng)


def _build_powerlaw(a: Mapping[str, Any], rng: int | None, path: Path | None) -> CSRGraph:
    from smmsim.generators import powerlaw

    return powerlaw(a["n"], a["exponent"], a["min_degree"], a.get("max_degree"), rng=rng)


def _build_watts_strogatz(a: Mapping[str, Any], rng: int | None, path: Path | None) -> CSRGraph:
    from smmsim.generators import watts_strogatz

    return watts_strogatz(a["n"], a["mean_degree"], a["rewire"], rng=rng)


def _build_sbm(a: Mapping[str, Any], rng: int | None, path: Path | None) -> CSRGraph:
    from smmsim.generators import sbm

    return sbm(
        a["n"],
        a["segments"],
        a["mean_degree"],
        a["homophily"],
        segment_names=a.get("segment_names"),
        rng=rng,
    )


def _build_edgelist(a: Mapping[str, Any], rng: int | None, path: Path | None) -> CSRGraph:
    from smmsim.io import read_edgelist

    return read_edgelist(
        path, directed=a["directed"], weighted=a.get("weighted"), labels=a.get("labels", "int")
    )


# ---------------------------------------------------------------------- the registry
_ENTRIES = (
    Generator(
        "erdos_renyi",
        {
            "n": _N,
            "mean_degree": _MEAN_DEGREE,
            "directed": Param(
                "bool", False, description="one-way follower arcs instead of mutual ties"
            ),
        },
        _build_erdos_renyi,
        _check_mean_degree,
    ),
    Generator(
        "barabasi_albert",
        {
            "n": _N,
            "m": Param(
                "int", 4, low=1, description="ties each new user makes (preferential attachment)"
            ),
        },
        _build_barabasi_albert,
        _check_barabasi_albert,
    ),
    Generator(
        "powerlaw",
        {
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
            "max_degree": optional_int_param(
                "most ties a user has (>= min_degree; null: n - 1)", low=1
            ),
        },
        _build_powerlaw,
        _check_powerlaw,
    ),
    Generator(
        "watts_strogatz",
        {
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
        _build_watts_strogatz,
        _check_mean_degree,
    ),
    Generator(
        "sbm",
        {
            "n": _N,
            "segments": Param(
                "any",
                4,
                check=_segments,
                type_text=_SEGMENTS_TEXT,
                description="number of equal segments, or their sizes, or their shares",
            ),
            "segment_names": optional_list_param(
                ("str",),
                "one name per segment (unique)",
                low=1,
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
        _build_sbm,
        _check_sbm,
    ),
    Generator(
        "edgelist",
        {
            "path": Param(
                "str",
                check=non_empty,
                description=(
                    "edge-list file (one 'u v [weight]' per line), relative to the scenario"
                ),
            ),
            "directed": Param("bool", False, description="read 'u v' as v follows u"),
            "weighted": Param(
                "bool",
                None,
                nullable=True,
                description="read a third column as tie strength (null: if present)",
            ),
            "labels": Param(
                "str",
                "int",
                choices=("int", "string"),
                description="user ids in the file: integers, or any text (string)",
            ),
        },
        _build_edgelist,
        _check_edgelist,
        reads_file=True,
    ),
)

#: Every audience generator by its ``audience.generator`` name, in documentation order.
GENERATORS: dict[str, Generator] = {g.name: g for g in _ENTRIES}
