"""Simulations run off the page's thread, with progress and Cancel: :class:`Job`, and
the kernels compiled once per server: :func:`warm_up`.

A :class:`Job` runs :func:`smmsim.simulate` (one scenario or several, all with the
same seed) in a thread of its own. ``simulate`` reports each finished batch of runs;
the job counts them for the progress bar and, once Cancel is pressed, stops at the end
of the batch under way (a fraction of a second) by raising ``KeyboardInterrupt`` from
the report, which ``simulate`` answers as it answers Ctrl-C: the thread ends, the runs
that finished are dropped. The page polls :attr:`Job.done` from its own thread, so no
widget is ever touched from the job's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smmsim.errors import UserError

if TYPE_CHECKING:
    from smmsim.results import Results
    from smmsim.scenario import Scenario

__all__ = ["Job", "kernels_ready", "warm_up"]

log = logging.getLogger("smmsim.app")


class Job:
    """Simulate ``scenarios`` one after the other with the same seed, in a thread.

    Parameters
    ----------
    scenarios : list of Scenario
    runs : int
        Monte Carlo runs of each.
    rng_seed : int
        The seed of every scenario (common random numbers).
    after : callable, optional
        ``after(results)`` run in the job's thread once every scenario is simulated
        (building pictures, say); its return value is kept in :attr:`extra`.

    Attributes
    ----------
    results : list of Results
        One per scenario, once finished.
    error : str or None
        The one-line message of a user error (as the command line prints it), or of
        an unexpected failure.
    cancelled : bool
        Cancel was pressed and the job stopped.
    """

    def __init__(
        self,
        scenarios: list[Scenario],
        runs: int,
        rng_seed: int,
        after: Callable[[list[Results]], Any] | None = None,
    ) -> None:
        self.scenarios = scenarios
        self.runs = int(runs)
        self.rng_seed = int(rng_seed)
        self.total = self.runs * len(scenarios)
        self.finished_runs = 0
        self.results: list[Results] = []
        self.extra: Any = None
        self.error: str | None = None
        self.cancelled = False
        self.seconds = 0.0
        self._after = after
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smmsim-app-job", daemon=True)

    def start(self) -> Job:
        """Start the thread; returns the job."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop at the end of the batch of runs under way."""
        self._cancel.set()

    @property
    def done(self) -> bool:
        """The thread has ended (finished, failed or cancelled)."""
        return self._done.is_set()

    @property
    def fraction(self) -> float:
        """Share of the runs finished, in [0, 1]."""
        return min(1.0, self.finished_runs / self.total) if self.total else 1.0

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; whether it has."""
        return self._done.wait(timeout)

    def _batch(self, runs, series) -> None:
        self.finished_runs += len(runs)
        if self._cancel.is_set():
            raise KeyboardInterrupt  # simulate() stops as on Ctrl-C

    def _run(self) -> None:
        from smmsim.commands.common import one_line_error
        from smmsim.memory import check_memory
        from smmsim.simulate import SimulationInterrupted, simulate

        started = time.perf_counter()
        try:
            for sc in self.scenarios:
                check_memory(sc, runs=self.runs)  # as smmsim run refuses what cannot fit
            for sc in self.scenarios:
                if self._cancel.is_set():
                    raise SimulationInterrupted(None, self.runs)
                self.results.append(
                    simulate(sc, runs=self.runs, rng=self.rng_seed, on_batch=self._batch)
                )
            if self._after is not None:
                self.extra = self._after(self.results)
        except SimulationInterrupted:
            self.cancelled = True
        except UserError as exc:
            self.error = one_line_error(exc)
        except MemoryError:
            self.error = "out of memory; try a smaller audience, fewer runs or fewer steps."
        except Exception as exc:  # a bug: said on the page and logged, the server goes on
            log.exception("simulation failed")
            self.error = f"{type(exc).__name__}: {one_line_error(exc)} (a bug in smmsim)"
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()


_READY = threading.Event()
_WARMING: list[threading.Thread] = []
_WARM_LOCK = threading.Lock()


def kernels_ready() -> bool:
    """Whether :func:`warm_up` has finished."""
    return _READY.is_set()


def warm_up(background: bool = True) -> threading.Thread | None:
    """Compile (or load from numba's cache) the kernels the app uses, once per process.

    The default model, the classroom's traced cascade and its tipping-point scan come
    first, then the other models, each on a tiny audience. Later calls do nothing.

    Parameters
    ----------
    background : bool
        Run in a daemon thread (returned) rather than here.
    """
    with _WARM_LOCK:
        if _WARMING or _READY.is_set():
            return _WARMING[0] if _WARMING else None
        thread = threading.Thread(target=_warm, name="smmsim-app-warm-up", daemon=True)
        _WARMING.append(thread)
    if background:
        thread.start()
        return thread
    thread.run()
    return None


def _warm() -> None:
    from smmsim.models import MODELS
    from smmsim.scenario import default_scenario
    from smmsim.simulate import simulate

    started = time.perf_counter()
    try:
        tiny = default_scenario().with_overrides({"audience.n": 300, "simulation.steps": 10})
        simulate(tiny, runs=8, rng=0)
        from smmsim.app.classroom import warm_classroom

        warm_classroom()
        for name in MODELS:
            if name != "ewom":
                simulate(tiny.with_overrides({"model": name}), runs=4, rng=0)
    except Exception:  # never fatal: the first run compiles what is missing
        log.exception("warming the kernels up failed")
    finally:
        _READY.set()
        log.info("kernels ready in %.1f s", time.perf_counter() - started)
