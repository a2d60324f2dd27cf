"""The classroom page: one cascade through a small audience, step by step, and the
tipping point of stickiness.

The audience is the shipped classroom scenario (500 students on a small-world ring).
One Monte Carlo run is traced user by user (:func:`smmsim.trace.one_cascade`) and drawn
as the animation of ``smmsim animate`` draws it
(:class:`smmsim.plots.animation.CascadeFrames`); Play, Pause, Step and Reset move
through its steps, with large counters of reach, sharers and purchases. The stickiness
slider traces the same run again with the new stickiness (same random numbers: only
the stickiness changed), and the tipping-point chart shows the probability of a large
cascade against stickiness, simulated and from theory, with the threshold marked
(:func:`smmsim.threshold.find_threshold`, :func:`smmsim.plots.plot_threshold_scan`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import threading

import numpy as np
import panel as pn

from smmsim.app.pictures import DPI, drawing, figure_png
from smmsim.scenario import Scenario

__all__ = ["Classroom", "classroom_scenario", "warm_classroom"]

#: The classroom when the shipped scenario file is not at hand (an installed package).
FALLBACK = {
    "name": "classroom",
    "description": "Three students tell their friends about a campus app.",
    "audience": {
        "generator": "watts_strogatz",
        "n": 500,
        "mean_degree": 6,
        "rewire": 0.1,
        "rng_seed": 1,
    },
    "content": {"stickiness": 0.5, "contagion": 0.6, "visibility": 0.8},
    "seeding": {"strategy": "random", "k": 3},
    "funnel": {"conversion": 0.1},
    "simulation": {"runs": 100, "steps": 25, "rng_seed": 7, "viral_fraction": 0.1},
}
PLAY_MS = 900
SCAN_RUNS = 100
BIG = "font-size: 2.1em; font-weight: 700;"


def classroom_scenario() -> Scenario:
    """The shipped ``classroom.yaml`` (or the same classroom built in code)."""
    from smmsim.app.shipped import shipped_scenarios
    from smmsim.scenario import load_scenario, scenario_from_dict

    files = shipped_scenarios()
    if "classroom.yaml" in files:
        return load_scenario(files["classroom.yaml"])
    return scenario_from_dict(FALLBACK)


@functools.lru_cache(maxsize=4)
def _audience(text: str):
    import yaml

    from smmsim.audience import build_audience
    from smmsim.plots.animation import layout
    from smmsim.scenario import scenario_from_dict

    sc = scenario_from_dict(yaml.safe_load(text))
    graph = build_audience(sc)
    kind = "circle" if sc.audience["generator"] == "watts_strogatz" else "spring"
    return graph, layout(graph, kind)


_SCAN_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def _tipping(text: str):
    import yaml

    from smmsim.scenario import scenario_from_dict
    from smmsim.threshold import find_threshold

    sc = scenario_from_dict(yaml.safe_load(text))
    graph, _ = _audience(_audience_key(sc))
    return find_threshold(
        sc, "content.stickiness", graph=graph, empirical=False, scan=True, scan_runs=SCAN_RUNS
    )


def _audience_key(sc: Scenario) -> str:
    """The scenario with only what shapes the audience and the scan kept (stickiness
    and the simulation's runs left out), as cache key."""
    data = sc.to_dict()
    data["content"]["stickiness"] = 0.5
    data["simulation"]["runs"] = 1
    return Scenario(data=data).to_yaml()


def tipping_point(sc: Scenario):
    """The stickiness scan of ``sc``'s audience (computed once per audience)."""
    with _SCAN_LOCK:
        result = _tipping(_audience_key(sc))
    current = float(sc.content["stickiness"])
    return dataclasses.replace(
        result, analytic=dataclasses.replace(result.analytic, current=current)
    )


def warm_classroom() -> None:
    """Trace one cascade and scan the tipping point of the classroom (kernels compiled,
    the scan cached for the first class)."""
    from smmsim.trace import one_cascade

    sc = classroom_scenario()
    graph, _ = _audience(_audience_key(sc))
    one_cascade(sc, run=0, graph=graph)
    tipping_point(sc)


class Classroom:
    """One session's classroom page (its state: the scenario, the traced run and the
    step shown)."""

    def __init__(self) -> None:
        self.scenario = classroom_scenario()
        self.run: int | None = None
        self.cascade = None
        self.frames = None
        self.t = 0
        self._ready = False
        self._player = None
        self.network = pn.pane.PNG(None, width=900, css_classes=["network"])
        self.chart = pn.pane.PNG(None, width=600, css_classes=["tipping"])
        self.counters = pn.pane.HTML("", css_classes=["counters"], sizing_mode="stretch_width")
        self.note = pn.pane.HTML(
            "<i>Open this page to trace a cascade...</i>",
            css_classes=["classroom-note"],
            styles={"font-size": "1.4em"},
            sizing_mode="stretch_width",
        )
        big = [".bk-btn {font-size: 22px; font-weight: 600;}"]
        self.play = self._button("▶ Play", "play", big, "primary")
        self.pause = self._button("❚❚ Pause", "pause", big)
        self.step = self._button("Step ›", "step", big)
        self.reset = self._button("⟲ Reset", "reset", big)
        self.next_run = self._button("Another cascade", "next-run", big, width=220)
        self.stickiness = pn.widgets.FloatSlider(
            label="Stickiness (chance a student who sees it tries it)",
            start=0.05,
            end=1.0,
            step=0.05,
            value=float(self.scenario.content["stickiness"]),
            css_classes=["stickiness"],
            sizing_mode="stretch_width",
            stylesheets=[".bk-slider-title {font-size: 20px;}"],
        )
        self.play.on_click(self._play)
        self.pause.on_click(self._pause)
        self.step.on_click(self._step)
        self.reset.on_click(self._reset)
        self.next_run.on_click(self._another)
        self.stickiness.param.watch(self._stickiness, "value_throttled")
        for b in (self.play, self.pause, self.step, self.reset, self.next_run, self.stickiness):
            b.disabled = True

    @staticmethod
    def _button(label, css, sheets, kind="default", width=150) -> pn.widgets.Button:
        return pn.widgets.Button(
            label=label,
            color=kind,
            css_classes=[css],
            height=56,
            width=width,
            stylesheets=sheets,
        )

    def view(self) -> pn.viewable.Viewable:
        """The page."""
        buttons = pn.Row(self.play, self.pause, self.step, self.reset, self.next_run)
        right = pn.Column(self.counters, self.stickiness, self.chart, sizing_mode="stretch_width")
        return pn.Column(
            self.note,
            buttons,
            pn.Row(self.network, right, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )

    def close(self) -> None:
        """Stop playing and free the figure."""
        self._stop()
        if self.frames is not None:
            import matplotlib.pyplot as plt

            plt.close(self.frames.fig)
            self.frames = None

    # ------------------------------------------------------------------ tracing
    async def shown(self) -> None:
        """The tab was opened: trace the first cascade (once)."""
        if self._ready or self.cascade is not None:
            return
        self._ready = True
        self.note.object = "<i>Tracing a cascade through the class...</i>"
        await self._trace()
        await self._draw_chart()

    def _trace_now(self, sc: Scenario, run: int | None):
        from smmsim.plots.animation import CascadeFrames
        from smmsim.trace import one_cascade

        graph, pos = _audience(_audience_key(sc))
        cascade = one_cascade(sc, run=run, graph=graph)
        with drawing():
            import matplotlib.pyplot as plt

            frames = CascadeFrames(cascade, pos, DPI)
            plt.close(frames.fig)  # kept by this page, not by pyplot
            frames.draw(0)
            image = figure_png(frames.fig)
        return cascade, frames, image

    async def _trace(self) -> None:
        sc = self.scenario
        try:
            cascade, frames, image = await asyncio.to_thread(self._trace_now, sc, self.run)
        except Exception as exc:  # shown on the page; the app goes on
            self.note.object = f"<span style='color:#b00020'>{type(exc).__name__}: {exc}</span>"
            return
        if self.frames is not None:
            import matplotlib.pyplot as plt

            plt.close(self.frames.fig)
        self.cascade, self.frames, self.t = cascade, frames, 0
        self.run = cascade.run
        self.network.object = image
        self._show_counts()
        self.note.object = (
            f"<span class='note'>Run <b data-key='class-run'>{cascade.run}</b> of the "
            f"classroom scenario: {cascade.graph.n} students, "
            f"{int(sc.seeding['k'])} told first (stars). It ends at step "
            f"{cascade.last_step}.</span>"
        )
        for b in (self.play, self.pause, self.step, self.reset, self.next_run, self.stickiness):
            b.disabled = False

    async def _draw_chart(self) -> None:
        from smmsim.app.pictures import png
        from smmsim.plots.threshold import plot_threshold_scan

        result = await asyncio.to_thread(tipping_point, self.scenario)

        def draw():
            import matplotlib.pyplot as plt

            with plt.rc_context({"font.size": 13, "legend.fontsize": 11}):
                fig, ax = plt.subplots(figsize=(8, 5.2), layout="constrained")
                plot_threshold_scan(result, ax=ax)
                ax.set_title("Tipping point: when does word of mouth take off?")
            return fig

        self.chart.object = await asyncio.to_thread(png, draw)

    # ------------------------------------------------------------------ stepping
    def _show_counts(self) -> None:
        c = self.cascade
        row = c.counts().iloc[min(self.t, c.last_step)]
        n = c.graph.n

        def box(key, label, value):
            return (
                f"<div style='display:inline-block;margin:0 18px 8px 0'>"
                f"<div style='font-size:1.1em;color:#555'>{label}</div>"
                f"<div data-key='class-{key}' style='{BIG}'>{value}</div></div>"
            )

        self.counters.object = (
            box("step", "Step", f"{self.t}")
            + box("reach", "Reached", f"{int(row['reach']):,}")
            + box("share", "of the class", f"{row['reach'] / n:.0%}")
            + box("sharers", "Shared", f"{int(row['sharers']):,}")
            + box("bought", "Bought", f"{int(row['conversions']):,}")
        )

    def _render(self, t: int) -> bytes:
        with drawing():
            self.frames.draw(t)
            return figure_png(self.frames.fig)

    async def _show(self) -> None:
        t, frames = self.t, self.frames
        image = await asyncio.to_thread(self._render, t)
        if (t, frames) != (self.t, self.frames):  # a later step (or cascade) was asked for
            return
        self.network.object = image
        self._show_counts()  # after the picture: the counters never run ahead of it

    async def _step(self, event=None) -> None:
        if self.cascade is None or self.t >= self.cascade.last_step:
            self._stop()
            return
        self.t += 1
        await self._show()
        if self.t >= self.cascade.last_step:
            self._stop()

    def _play(self, event=None) -> None:
        if self.cascade is None or self._player is not None:
            return
        if self.t >= self.cascade.last_step:
            self.t = 0
        self._player = pn.state.add_periodic_callback(self._step, period=PLAY_MS)

    def _stop(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player = None

    def _pause(self, event=None) -> None:
        self._stop()

    async def _reset(self, event=None) -> None:
        self._stop()
        if self.cascade is not None:
            self.t = 0
            await self._show()

    async def _another(self, event=None) -> None:
        self._stop()
        self.run = (self.run or 0) + 1
        await self._trace()

    async def _stickiness(self, event) -> None:
        self._stop()
        value = float(np.round(event.new, 6))
        self.scenario = self.scenario.with_overrides({"content.stickiness": value})
        await self._trace()
        await self._draw_chart()
