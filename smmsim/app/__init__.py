"""The browser app: what-if for strategists, a live classroom for teachers.

``smmsim app [SCENARIO]`` serves it (:func:`serve`); in a notebook, ``create_app()``
is the page itself. It is a face over the library, like the command line: it builds
scenarios from the declared parameters, calls :func:`smmsim.simulate`,
:mod:`smmsim.compare`, :mod:`smmsim.trace` and :mod:`smmsim.threshold`, and draws with
:mod:`smmsim.plots`. It needs the ``app`` extra (``pip install "smmsim[app]"``: Panel).

Layout: ``fields`` (the form as data, read from the schema), ``form`` (its Panel
controls), ``uploads`` (files from the browser, in memory), ``jobs`` (simulations in
threads, progress, Cancel; the kernels' warm-up), ``headline`` and ``pictures`` (what a
run shows), ``whatif``, ``compare_page`` and ``classroom`` (the three pages), ``shipped``
(the scenario picker's files) and ``server`` (sessions and serving).
"""

from __future__ import annotations

from smmsim._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {"server": "DEFAULT_HOST DEFAULT_PORT create_app serve"},
)
