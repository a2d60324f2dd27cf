"""Parameter sweeps: many variants of one scenario, on this machine or a Dask cluster.

A sweep is a base :class:`~smmsim.scenario.Scenario` and a design: a list of
*variants*, each a mapping of dotted scenario keys to values
(``{"content.stickiness": 0.1, "seeding.k": 5}``). :class:`Sweep` builds designs from
grids (ranges, log ranges and lists over any key, and their Cartesian product), from
samples over ranges, or from an explicit list.
:func:`run_sweep` simulates every variant's Monte Carlo ensemble and returns a tidy
table with one row per variant: its parameters, the ensemble mean, standard deviation
and 95% confidence interval of every metric, and the runs used.

Designs
-------
``grid``
    The Cartesian product of every key's values.
``lhs``
    Latin hypercube sample (McKay, Beckman and Conover 1979): each key's range is cut
    into ``N`` equal strata holding exactly one variant each; drawn with
    :class:`scipy.stats.qmc.LatinHypercube` and ``optimization="random-cd"`` so the
    points also fill the space between keys.
``sobol``
    The first ``N`` points of a scrambled Sobol sequence (Sobol 1967; Owen 1998
    scrambling), :class:`scipy.stats.qmc.Sobol`; balanced when ``N`` is a power of
    two.
``random``
    ``N`` independent uniform draws.

A sample's seed is given, or derived from the base scenario's ``simulation.rng_seed``:
the same seed gives the same design. Sampled values keep 6 significant digits.

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

Modules
-------
:mod:`~smmsim.sweep.design` (axes, ranges and sampling), :mod:`~smmsim.sweep.plan`
(variants and their identity), :mod:`~smmsim.sweep.task` (one batch of variants),
:mod:`~smmsim.sweep.audience_cache`, :mod:`~smmsim.sweep.store` (the folder on disk)
and :mod:`~smmsim.sweep.run` (here or on Dask).

References
----------
M. D. McKay, R. J. Beckman and W. J. Conover, "A comparison of three methods for
selecting values of input variables in the analysis of output from a computer code",
Technometrics 21(2), 239-245 (1979) (Latin hypercube sampling).

I. M. Sobol', "On the distribution of points in a cube and the approximate evaluation
of integrals", USSR Computational Mathematics and Mathematical Physics 7(4), 86-112
(1967).

A. B. Owen, "Scrambling Sobol' and Niederreiter-Xing points", Journal of Complexity
14(4), 466-489 (1998).
"""

from smmsim.sweep._common import SweepError
from smmsim.sweep.audience_cache import audience_cache_info
from smmsim.sweep.design import MAX_VARIANTS, Range, Sweep
from smmsim.sweep.plan import variant_id, variant_seed
from smmsim.sweep.run import ResultCallback, resume_sweep, run_sweep
from smmsim.sweep.store import MANIFEST, Store, parameter_columns, read_manifest, read_sweep
from smmsim.sweep.task import STATS, THEORY

__all__ = [
    "MANIFEST",
    "MAX_VARIANTS",
    "STATS",
    "THEORY",
    "Range",
    "ResultCallback",
    "Store",
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
