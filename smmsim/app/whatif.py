"""The what-if page: pick or upload a scenario, change it, run it, read the headline and
the pictures, download everything.

The scenario comes from the picker (a shipped scenario or the built-in one) or an
uploaded YAML file (and edge list); the form (:mod:`smmsim.app.form`) shows every
declared key. Run simulates it in a thread (:class:`smmsim.app.jobs.Job`) with a
progress bar and Cancel; the headline appears as soon as the runs are done, the
pictures a moment later. The downloads are the scenario as YAML (with the seed and the
number of runs used, so ``smmsim run`` repeats the numbers), the runs as CSV, the
summary as JSON and each picture as PNG.
"""

from __future__ import annotations

import asyncio
import html
import io
import json

import panel as pn

from smmsim.app.form import ScenarioForm
from smmsim.app.headline import headline, verdict
from smmsim.app.jobs import Job, kernels_ready
from smmsim.app.pictures import run_pictures, shown_width
from smmsim.app.shipped import BUILT_IN, load_choice, shipped_scenarios
from smmsim.app.uploads import Uploads
from smmsim.errors import UserError
from smmsim.rng import resolve_seed
from smmsim.scenario import Scenario

__all__ = ["WhatIf", "headline_html", "scenario_yaml"]

POLL_SECONDS = 0.03
PAUSE_BEFORE_PICTURES = 0.1

_CSS = """
.hl-grid {display: flex; flex-wrap: wrap; gap: 10px;}
.hl-box {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 14px; min-width: 170px;
         background: #f6f8fa;}
.hl-label {font-size: 0.85em; color: #57606a;}
.hl-value {font-size: 1.7em; font-weight: 600;}
.hl-detail {font-size: 0.8em; color: #57606a;}
.hl-verdict {margin-top: 10px; font-size: 0.95em;}
"""


def headline_html(res) -> str:
    """The headline figures as HTML boxes, each value tagged ``data-key``."""
    boxes = "".join(
        f'<div class="hl-box"><div class="hl-label">{html.escape(f.label)}</div>'
        f'<div class="hl-value" data-key="{f.key}">{html.escape(f.value)}</div>'
        f'<div class="hl-detail">{html.escape(f.detail)}</div></div>'
        for f in headline(res)
    )
    words = verdict(res)
    more = f'<div class="hl-verdict">{html.escape(words)}</div>' if words else ""
    head = (
        f'<div class="hl-run">{res.n_runs:,} runs, rng_seed <span data-key="rng_seed">'
        f"{res.rng_seed}</span>, audience {res.audience['n']:,} users</div>"
    )
    return f"<style>{_CSS}</style>{head}<div class='hl-grid'>{boxes}</div>{more}"


def scenario_yaml(res, uploads: Uploads | None = None) -> str:
    """The scenario that produced ``res``, as YAML that ``smmsim run`` repeats: the runs
    done and the seed used are written into it."""
    data = dict(res.scenario)
    data["simulation"] = {**data["simulation"], "rng_seed": int(res.rng_seed)}
    if uploads is not None:
        data = uploads.portable(data)
    return Scenario(data=data).to_yaml()


class WhatIf:
    """One session's what-if page.

    Parameters
    ----------
    scenario : Scenario
        The scenario shown first.
    uploads : Uploads
        The session's uploaded files.
    """

    def __init__(self, scenario: Scenario, uploads: Uploads) -> None:
        self.uploads = uploads
        self.job: Job | None = None
        self.results = None
        self.pictures: dict[str, bytes] = {}
        choices = [BUILT_IN, *shipped_scenarios()]
        self.picker = pn.widgets.Select(
            label="Shipped scenario", options=choices, value=BUILT_IN, css_classes=["picker"]
        )
        self.picker.param.watch(self._picked, "value")
        self.upload = pn.widgets.FileInput(
            accept=".yaml,.yml", multiple=False, css_classes=["upload-scenario"]
        )
        self.upload.param.watch(self._uploaded, "value")
        self.upload_edges = pn.widgets.FileInput(
            accept=".txt,.csv,.tsv,.edges,.edgelist", multiple=False, css_classes=["upload-edges"]
        )
        self.upload_edges.param.watch(self._uploaded_edges, "value")
        self.upload_error = self._error_pane("upload-error")
        self.edges_error = self._error_pane("edges-error")
        self.form = ScenarioForm(scenario, prefix="a", on_change=self._form_changed)

        self.run_button = pn.widgets.Button(
            label="Run", color="primary", css_classes=["run"], width=120
        )
        self.run_button.on_click(self._run)
        self.cancel_button = pn.widgets.Button(
            label="Cancel", color="warning", disabled=True, css_classes=["cancel"], width=120
        )
        self.cancel_button.on_click(self._cancel)
        self.progress = pn.indicators.Progress(
            value=0,
            max=100,
            active=False,
            visible=False,
            sizing_mode="stretch_width",
            css_classes=["progress"],
        )
        self.status = pn.pane.HTML("", css_classes=["status"], sizing_mode="stretch_width")
        self.headline = pn.pane.HTML("", css_classes=["headline"], sizing_mode="stretch_width")
        self.figures = pn.FlexBox(css_classes=["figures"], sizing_mode="stretch_width")
        self.downloads = pn.Row(css_classes=["downloads"], sizing_mode="stretch_width")
        self.yaml_download = pn.widgets.FileDownload(
            callback=self._yaml_file,
            filename="scenario.yaml",
            label="Scenario (YAML)",
            color="default",
            css_classes=["download-yaml"],
            embed=False,
        )
        self._refresh_downloads()

    @staticmethod
    def _error_pane(css: str) -> pn.pane.HTML:
        return pn.pane.HTML(
            "",
            css_classes=["field-error", css],
            styles={"color": "#b00020"},
            visible=False,
            sizing_mode="stretch_width",
        )

    @staticmethod
    def _say(pane: pn.pane.HTML, message: str | None) -> None:
        pane.object = "" if message is None else f"<span class='msg'>{html.escape(message)}</span>"
        pane.visible = message is not None

    def view(self) -> pn.viewable.Viewable:
        """The page."""
        source = pn.Row(
            self.picker,
            pn.Column("**or upload a scenario (YAML)**", self.upload, self.upload_error),
            pn.Column("**and its edge list (optional)**", self.upload_edges, self.edges_error),
            sizing_mode="stretch_width",
        )
        controls = pn.Row(self.run_button, self.cancel_button, self.progress)
        return pn.Column(
            source,
            self.form.panel,
            controls,
            self.status,
            self.headline,
            self.figures,
            self.downloads,
            sizing_mode="stretch_width",
        )

    # ------------------------------------------------------------------ sources
    def _picked(self, event) -> None:
        try:
            self.form.set_scenario(load_choice(event.new))
        except UserError as exc:
            self._say(self.upload_error, str(exc))
            return
        self._say(self.upload_error, None)

    def _uploaded(self, event) -> None:
        if not event.new:
            return
        try:
            sc = self.uploads.scenario(self.upload.filename, event.new)
        except UserError as exc:
            from smmsim.commands.common import one_line_error

            self._say(self.upload_error, self.uploads.plain(one_line_error(exc)))
            return
        self._say(self.upload_error, None)
        self.form.set_scenario(sc)

    def _uploaded_edges(self, event) -> None:
        if not event.new:
            return
        try:
            sc = self.uploads.edge_list(self.upload_edges.filename, event.new, self.form.scenario)
        except UserError as exc:
            from smmsim.commands.common import one_line_error

            self._say(self.edges_error, self.uploads.plain(one_line_error(exc)))
            return
        self._say(self.edges_error, None)
        self.form.set_scenario(sc)

    def _form_changed(self, form: ScenarioForm) -> None:
        if form.valid and self.status.object.startswith("<span class='form-invalid'"):
            self.status.object = ""

    # ------------------------------------------------------------------ running
    async def _run(self, event=None) -> None:
        if self.job is not None and not self.job.done:
            return
        if not self.form.valid:
            keys = ", ".join(self.form.errors)
            self.status.object = (
                f"<span class='form-invalid' style='color:#b00020'>Correct the marked "
                f"values first ({html.escape(keys)}).</span>"
            )
            return
        sc = self.form.scenario
        seed = resolve_seed(sc.simulation["rng_seed"])
        runs = int(sc.simulation["runs"])
        job = self.job = Job([sc], runs, seed).start()
        self.run_button.disabled = True
        self.cancel_button.disabled = False
        self.progress.value, self.progress.visible, self.progress.active = 0, True, True
        wait = "" if kernels_ready() else " (the engine is still warming up: the first run waits)"
        self.status.object = f"<span class='running'>Simulating {runs:,} runs{wait}...</span>"
        while not job.done:
            await asyncio.sleep(POLL_SECONDS)
            self.progress.value = int(100 * job.fraction)
        self.run_button.disabled = False
        self.cancel_button.disabled = True
        self.progress.active, self.progress.visible = False, False
        earlier = " The results below are the previous run's." if self.results else ""
        if job.cancelled:
            self.status.object = (
                f"<span class='cancelled'>Cancelled after {job.finished_runs:,} of "
                f"{runs:,} runs; nothing was kept.{earlier}</span>"
            )
            return
        if job.error is not None:
            message = self.uploads.plain(job.error)
            self.status.object = (
                f"<span class='run-error' style='color:#b00020'>{html.escape(message)}</span>"
                f"{earlier}"
            )
            return
        res = self.results = job.results[0]
        self.headline.object = headline_html(res)
        self.status.object = (
            f"<span class='done'>{res.n_runs:,} runs in {job.seconds:.2f} s.</span>"
        )
        # let the headline reach the browser before anything else takes the processor
        await asyncio.sleep(PAUSE_BEFORE_PICTURES)
        if self.results is not res:
            return
        self.pictures = {}
        self.figures.objects = [pn.pane.HTML("<i class='drawing'>Drawing the pictures...</i>")]
        self._refresh_downloads()
        pictures = await asyncio.to_thread(run_pictures, res)
        if self.results is not res:  # a newer run finished meanwhile
            return
        self.pictures = pictures
        self.figures.objects = [
            pn.pane.PNG(data, width=shown_width(data), css_classes=[f"figure-{name.split('.')[0]}"])
            for name, data in pictures.items()
        ]
        self._refresh_downloads()

    def _cancel(self, event=None) -> None:
        if self.job is not None:
            self.job.cancel()

    # ------------------------------------------------------------------ downloads
    def _yaml_file(self) -> io.StringIO:
        if self.results is not None:
            return io.StringIO(scenario_yaml(self.results, self.uploads))
        data = self.uploads.portable(self.form.scenario.to_dict())
        return io.StringIO(Scenario(data=data).to_yaml())

    def _refresh_downloads(self) -> None:
        items = [self.yaml_download]
        res = self.results
        if res is not None:
            stem = res.scenario.get("name", "scenario")
            self.yaml_download.filename = f"{stem}.yaml"
            items.append(
                pn.widgets.FileDownload(
                    callback=lambda r=res: io.StringIO(r.runs.to_csv(index=False)),
                    filename=f"{stem}-runs.csv",
                    label="Runs (CSV)",
                    embed=False,
                    css_classes=["download-csv"],
                )
            )
            items.append(
                pn.widgets.FileDownload(
                    callback=lambda r=res: io.StringIO(json.dumps(r.to_dict(), indent=2)),
                    filename=f"{stem}-summary.json",
                    label="Summary (JSON)",
                    embed=False,
                    css_classes=["download-json"],
                )
            )
            for name, data in self.pictures.items():
                items.append(
                    pn.widgets.FileDownload(
                        callback=lambda d=data: io.BytesIO(d),
                        filename=f"{stem}-{name}",
                        label=name,
                        embed=False,
                        css_classes=[f"download-{name.split('.')[0]}"],
                    )
                )
        self.downloads.objects = items
