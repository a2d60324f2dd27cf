"""Random-state handling for the public API.

Every public function that draws random numbers takes ``rng``: an int, a
``numpy.random.SeedSequence``, a ``numpy.random.Generator`` or ``None`` (fresh entropy,
recorded in the result so the run can be replayed). Kernels never see these objects:
they get one 64-bit root key and derive a stream per (replicate, purpose).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from smmsim.scenario import Scenario

RandomLike = int | np.random.SeedSequence | np.random.Generator | None

__all__ = ["RandomLike", "as_generator", "resolve_seed", "root_key", "scenario_seed"]


def resolve_seed(rng: RandomLike) -> int:
    """Turn ``rng`` into a concrete non-negative integer seed.

    ``None`` draws fresh entropy from the operating system; a ``Generator`` draws one
    integer from itself. The returned integer reproduces the run when passed back.
    """
    if rng is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0])
    if isinstance(rng, bool | np.bool_) or not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be an int, SeedSequence, Generator or None, got {rng!r}")
    if rng < 0:
        raise ValueError(f"rng must be a non-negative integer, got {rng}")
    return int(rng)


def scenario_seed(scenario: Scenario, rng: RandomLike = None) -> int:
    """The integer seed of a run of ``scenario``: ``rng`` if given, else
    ``simulation.rng_seed`` (fresh entropy when that is null too), by :func:`resolve_seed`."""
    return resolve_seed(scenario.simulation["rng_seed"] if rng is None else rng)


def root_key(seed: int, *keys: int) -> np.uint64:
    """64-bit root key for the kernels' streams, derived with ``SeedSequence``."""
    return np.random.SeedSequence([int(seed), *map(int, keys)]).generate_state(1, np.uint64)[0]


def as_generator(rng: RandomLike, *keys: int) -> np.random.Generator:
    """A numpy ``Generator`` for Python-side draws, keyed by ``rng`` and ``keys``."""
    if isinstance(rng, np.random.Generator) and not keys:
        return rng
    return np.random.default_rng(np.random.SeedSequence([resolve_seed(rng), *map(int, keys)]))
