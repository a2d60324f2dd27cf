"""The run options of the public entry points: :class:`RunOptions`.

:func:`smmsim.simulate` names them as keyword parameters; the functions built on it
(:func:`smmsim.compare`, :func:`smmsim.crisis`, :func:`smmsim.choose_seeds`,
:func:`smmsim.seed_report`, :func:`smmsim.threshold.find_threshold`, ...) take them as
``**options: Unpack[RunOptions]`` and pass them on, so an option means the same
wherever it is given and is described once, here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from smmsim.graph import CSRGraph
from smmsim.rng import RandomLike

if TYPE_CHECKING:
    from smmsim.scenario import Scenario

__all__ = ["RUN_OPTIONS", "RunOptions", "check_options", "common_options"]


class RunOptions(TypedDict, total=False):
    """The keyword options of a run of a scenario, each of them optional.

    Attributes
    ----------
    runs : int or None
        Number of Monte Carlo runs (default: ``simulation.runs``).
    rng : int, SeedSequence, Generator or None
        Indicator of random number generation state; default ``simulation.rng_seed``
        (fresh entropy when that is null too). The seed used is kept in the results.
    graph : CSRGraph or None
        An audience already built from the scenario (skips building it again).
    threads : int or None
        Worker threads (default: numba's thread count). Results do not depend on it.
    progress : bool or None
        Show a progress bar on stderr (default: no); ``None`` shows it only on a terminal.

    Examples
    --------
    >>> import smmsim
    >>> options = smmsim.RunOptions(runs=20, rng=1)
    >>> smmsim.simulate(smmsim.default_scenario(), **options).n_runs
    20
    """

    runs: int | None
    rng: RandomLike
    graph: CSRGraph | None
    threads: int | None
    progress: bool | None


#: The names of :class:`RunOptions`, in the order its documentation gives them.
RUN_OPTIONS: tuple[str, ...] = tuple(RunOptions.__annotations__)


def check_options(
    function: str, options: Mapping[str, Any], takes: Collection[str] = RUN_OPTIONS
) -> None:
    """Refuse a keyword that ``function`` does not take, as Python refuses one that names
    no parameter.

    Parameters
    ----------
    function : str
        The function's name, for the message.
    options : mapping
        The ``**options`` it was called with.
    takes : collection of str
        The run options it takes (default: all of :data:`RUN_OPTIONS`).

    Raises
    ------
    TypeError
        ``"crisis() got an unexpected keyword argument 'run'"``, for the first keyword
        not in ``takes``.
    """
    for key in options:
        if key not in takes:
            raise TypeError(f"{function}() got an unexpected keyword argument {key!r}")


def common_options(scenario: Scenario, options: RunOptions) -> RunOptions:
    """``options`` resolved once for several :func:`smmsim.simulate` calls on common
    random numbers.

    Parameters
    ----------
    scenario : Scenario
        The scenario whose ``simulation`` and ``audience`` sections give the defaults.
    options : RunOptions
        The options as given.

    Returns
    -------
    RunOptions
        ``runs`` the number of runs, ``rng`` the integer seed
        (:func:`smmsim.rng.scenario_seed`) and ``graph`` the audience (built now when
        not given), so every call runs the same runs from the same streams on the same
        audience; ``threads`` and ``progress`` as given.
    """
    from smmsim.audience import run_inputs

    graph, seed = run_inputs(scenario, options.get("graph"), options.get("rng"))
    runs = options.get("runs")
    n_runs = int(scenario.simulation["runs"] if runs is None else runs)
    return {**options, "runs": n_runs, "rng": seed, "graph": graph}
