"""The compare page: variant B, copied from the what-if scenario (A) and changed, both
run with the same seed (common random numbers), and their paired differences
(:mod:`smmsim.compare`).

B runs as many runs as A, with A's seed: run ``r`` of each meets the same luck, so the
run-by-run differences show what the change itself does.
"""

from __future__ import annotations

import asyncio
import html
import io
import math
from collections.abc import Callable

import panel as pn

from smmsim.app.form import ScenarioForm
from smmsim.app.jobs import Job
from smmsim.app.pictures import comparison_pictures, shown_width
from smmsim.app.uploads import Uploads
from smmsim.compare import paired_differences
from smmsim.plots.labels import METRIC_LABELS
from smmsim.rng import resolve_seed
from smmsim.scenario import Scenario

__all__ = ["Compare", "changed_keys", "differences_html"]

POLL_SECONDS = 0.03
#: Keys B takes from A: the same runs with the same seed.
SHARED = ("simulation.runs", "simulation.rng_seed")
LABELS = {**METRIC_LABELS, "pays_back": "Pays back (share of runs)"}


def changed_keys(a: Scenario, b: Scenario) -> list[tuple[str, object, object]]:
    """``(dotted key, value in A, value in B)`` for every key that differs (but the
    runs and the seed, which B takes from A)."""
    out = []
    da, db = a.to_dict(), b.to_dict()
    for section in dict.fromkeys([*da, *db]):
        va, vb = da.get(section), db.get(section)
        if isinstance(va, dict) or isinstance(vb, dict):
            va, vb = va or {}, vb or {}
            for key in dict.fromkeys([*va, *vb]):
                if va.get(key) != vb.get(key) and f"{section}.{key}" not in SHARED:
                    out.append((f"{section}.{key}", va.get(key), vb.get(key)))
        elif va != vb:
            out.append((section, va, vb))
    return out


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.3g}"


def differences_html(table) -> str:
    """The paired differences as an HTML table (each row tagged ``data-key``)."""
    rows = []
    for key, r in table.iterrows():
        label = LABELS.get(key, key).split(" (")[0]
        ci = f"{_fmt(r.diff_ci_low)} to {_fmt(r.diff_ci_high)}"
        rows.append(
            f"<tr data-key='{key}'><td>{html.escape(label)}</td><td>{_fmt(r.a_mean)}</td>"
            f"<td>{_fmt(r.b_mean)}</td><td class='diff'>{_fmt(r.diff_mean)}</td>"
            f"<td>{ci}</td><td>{r.b_higher:.0%}</td><td>{r.a_higher:.0%}</td></tr>"
        )
    return (
        "<table class='paired' style='border-collapse:collapse' cellpadding='5'>"
        "<tr style='border-bottom:1px solid #888'><th>metric</th><th>A (mean)</th>"
        "<th>B (mean)</th><th>B - A (mean of paired runs)</th><th>95% CI</th>"
        "<th>runs B higher</th><th>runs A higher</th></tr>" + "".join(rows) + "</table>"
    )


class Compare:
    """One session's compare page.

    Parameters
    ----------
    get_a : callable
        Returns variant A (the what-if page's scenario as it stands).
    uploads : Uploads
        The session's uploaded files (for the YAML downloads).
    """

    def __init__(self, get_a: Callable[[], Scenario], uploads: Uploads) -> None:
        self.get_a = get_a
        self.uploads = uploads
        self.job: Job | None = None
        self.table = None
        self.form = ScenarioForm(get_a(), prefix="b", on_change=self._changed, hidden=SHARED)
        self.copy_button = pn.widgets.Button(
            label="Copy A into B", color="default", css_classes=["copy-a"], width=150
        )
        self.copy_button.on_click(self._copy)
        self.run_button = pn.widgets.Button(
            label="Run A and B", color="primary", css_classes=["run-compare"], width=150
        )
        self.run_button.on_click(self._run)
        self.cancel_button = pn.widgets.Button(
            label="Cancel",
            color="warning",
            disabled=True,
            css_classes=["cancel-compare"],
            width=120,
        )
        self.cancel_button.on_click(lambda e: self.job.cancel() if self.job else None)
        self.progress = pn.indicators.Progress(
            value=0, max=100, active=False, visible=False, sizing_mode="stretch_width"
        )
        self.diff_keys = pn.pane.HTML("", css_classes=["changed"], sizing_mode="stretch_width")
        self.status = pn.pane.HTML("", css_classes=["compare-status"], sizing_mode="stretch_width")
        self.result = pn.pane.HTML("", css_classes=["differences"], sizing_mode="stretch_width")
        self.figures = pn.FlexBox(sizing_mode="stretch_width")
        self.downloads = pn.Row()
        self._changed(self.form)

    def view(self) -> pn.viewable.Viewable:
        """The page."""
        intro = pn.pane.Markdown(
            "Variant **A** is the scenario of the What-if page. Variant **B** starts as a "
            "copy: change it below, then run both. They run the same number of runs with "
            "the same seed, so run by run they meet the same luck and the differences are "
            "paired.",
            sizing_mode="stretch_width",
        )
        return pn.Column(
            intro,
            pn.Row(self.copy_button, self.run_button, self.cancel_button, self.progress),
            self.diff_keys,
            self.form.panel,
            self.status,
            self.result,
            self.figures,
            self.downloads,
            sizing_mode="stretch_width",
        )

    def _copy(self, event=None) -> None:
        self.form.set_scenario(self.get_a())

    def _changed(self, form: ScenarioForm) -> None:
        changes = changed_keys(self.get_a(), form.scenario)
        if not changes:
            self.diff_keys.object = "<i class='same'>B is the same as A: change a value below.</i>"
            return
        items = "".join(
            f"<li class='change'><code>{html.escape(k)}</code>: {html.escape(repr(a))} &rarr; "
            f"{html.escape(repr(b))}</li>"
            for k, a, b in changes
        )
        self.diff_keys.object = f"B differs from A in:<ul>{items}</ul>"

    async def _run(self, event=None) -> None:
        if self.job is not None and not self.job.done:
            return
        if not self.form.valid:
            self.status.object = (
                "<span style='color:#b00020'>Correct the marked values of B first.</span>"
            )
            return
        a = self.get_a()
        seed = resolve_seed(a.simulation["rng_seed"])
        runs = int(a.simulation["runs"])
        b = self.form.scenario
        self._changed(self.form)

        def after(results):
            table = paired_differences(results[0], results[1])
            return table, comparison_pictures(table, results[0], results[1])

        job = self.job = Job([a, b], runs, seed, after=after).start()
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.progress.value, self.progress.visible, self.progress.active = 0, True, True
        self.status.object = f"Simulating A and B, {runs:,} runs each, rng_seed {seed}..."
        while not job.done:
            await asyncio.sleep(POLL_SECONDS)
            self.progress.value = int(100 * job.fraction)
        self.run_button.disabled, self.cancel_button.disabled = False, True
        self.progress.active, self.progress.visible = False, False
        if job.cancelled:
            self.status.object = "<span class='cancelled'>Cancelled; nothing was kept.</span>"
            return
        if job.error is not None:
            message = html.escape(self.uploads.plain(job.error))
            self.status.object = f"<span class='run-error' style='color:#b00020'>{message}</span>"
            return
        table, pictures = job.extra
        self.table = table
        self.status.object = (
            f"<span class='done'>A and B, {runs:,} runs each with rng_seed "
            f"<span data-key='seed'>{seed}</span>, in {job.seconds:.2f} s.</span>"
        )
        self.result.object = differences_html(table)
        self.figures.objects = [pn.pane.PNG(d, width=shown_width(d)) for d in pictures.values()]
        self.downloads.objects = [
            pn.widgets.FileDownload(
                callback=lambda t=table: io.StringIO(t.to_csv(index_label="metric")),
                filename="paired_differences.csv",
                label="Differences (CSV)",
                embed=False,
                css_classes=["download-differences"],
            ),
            *(
                pn.widgets.FileDownload(
                    callback=lambda d=d: io.BytesIO(d), filename=name, label=name, embed=False
                )
                for name, d in pictures.items()
            ),
        ]
