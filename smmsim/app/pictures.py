"""The app's pictures as PNG bytes: the figures of :mod:`smmsim.plots`, drawn one at a
time (matplotlib's figure registry is shared by every session of the server).

Each picture is drawn, saved as PNG and closed under one lock, so two sessions drawing
at once never mix their figures; the page shows the bytes and offers them for download.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from smmsim.results import Results

__all__ = [
    "comparison_pictures",
    "drawing",
    "figure_png",
    "png",
    "png_width",
    "run_pictures",
    "shown_width",
]

_LOCK = threading.Lock()
DPI = 80


def png_width(data: bytes) -> int:
    """Width in pixels of a PNG image (from its header)."""
    return int.from_bytes(data[16:20], "big")


def shown_width(data: bytes, most: int = 860) -> int:
    """The width to show a picture at: its own, at most ``most`` pixels, so the text of
    every picture keeps about one size."""
    return min(png_width(data), most)


def drawing() -> threading.Lock:
    """The lock every drawing holds (for figures kept and redrawn, such as the
    classroom's network)."""
    return _LOCK


def figure_png(fig, dpi: int = DPI) -> bytes:
    """A figure kept open, as PNG; the caller holds :func:`drawing`."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def png(draw: Callable[[], Any], dpi: int = DPI) -> bytes:
    """Draw a figure with ``draw()`` (returning a Figure or Axes) and return its PNG."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with _LOCK:
        out = draw()
        fig = out if hasattr(out, "savefig") else out.figure
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", dpi=dpi)
        finally:
            plt.close(fig)
    return buf.getvalue()


def run_pictures(res: Results) -> dict[str, bytes]:
    """The pictures of one simulation, by file name: adoption, reach distribution,
    earned media and, when the audience has segments, reach by segment."""
    from smmsim.plots.breakdown import segment_bars
    from smmsim.plots.runs import adoption_figure, earned_media, reach_distribution

    name = res.scenario.get("name")
    steps = res.scenario["simulation"]["steps"]
    out = {
        "adoption.png": png(
            lambda: adoption_figure(res.timeseries, horizon=steps, name=name, timeline=res.timeline)
        ),
        "reach_distribution.png": png(lambda: reach_distribution(res.runs, name=name)),
        "earned_media.png": png(lambda: earned_media(res.runs, name=name)),
    }
    segments = res.extra.get("segments")
    if segments:
        out["segments.png"] = png(lambda: segment_bars(segments, name=name))
    return out


def comparison_pictures(table: pd.DataFrame, a: Results, b: Results) -> dict[str, bytes]:
    """The paired differences of variants A and B, and their reach side by side."""
    from smmsim.plots.breakdown import paired_bars
    from smmsim.plots.runs import compare_metric

    return {
        "differences.png": png(lambda: paired_bars(table)),
        "reach_ab.png": png(lambda: compare_metric({"A": a.runs, "B": b.runs}, "reach")),
    }
