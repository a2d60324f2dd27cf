"""One cascade, step by step: lay out its audience and animate it.

For the classroom. :func:`animate_cascade` draws every user of a small audience (up to
a few thousand) and writes an animated GIF, or an MP4 where an encoder (ffmpeg) is
available, of one traced run (:func:`smmsim.trace.one_cascade`) spreading step by step,
with a counter of reach and conversions. ``smmsim animate SCENARIO --out FILE`` does
both.

Examples
--------
>>> import smmsim
>>> from smmsim.plots import animate_cascade
>>> from smmsim.trace import one_cascade
>>> sc = smmsim.load_scenario("scenarios/classroom.yaml")   # doctest: +SKIP
>>> cascade = one_cascade(sc, run=3)                        # doctest: +SKIP
>>> animate_cascade(cascade, "cascade.gif")                 # doctest: +SKIP
14
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.rng import RandomLike

if TYPE_CHECKING:
    from smmsim.timeline import Timeline
    from smmsim.trace import Cascade

__all__ = [
    "MAX_USERS",
    "CascadeFrames",
    "animate_cascade",
    "has_mp4_encoder",
    "layout",
]

#: Largest audience :func:`animate_cascade` draws by default (every user is a dot).
MAX_USERS = 5000

UNSEEN, SAW, SHARED, BOUGHT = "#d9d9d9", "#6baed6", "tab:orange", "tab:green"
REFERRAL = "#3182bd"


def _spring(graph: CSRGraph, iterations: int, rng: RandomLike, chunk: int = 512) -> np.ndarray:
    """Fruchterman-Reingold force-directed positions in the unit square.

    Vectorised over blocks of ``chunk`` users, so a few thousand users take seconds:
    every pair repels with ``k^2 / d``, every tie attracts with ``d^2 / k``
    (``k = 1 / sqrt(n)``), and a cooling step caps each move.

    References
    ----------
    T. M. J. Fruchterman and E. M. Reingold, "Graph drawing by force-directed
    placement", Software: Practice and Experience 21(11), 1129-1164 (1991).
    """
    from smmsim.rng import as_generator

    n = graph.n
    pos = as_generator(rng).random((n, 2)).astype(np.float32)
    if n < 2:
        return pos.astype(float)
    k2 = np.float32(1.0 / n)
    k = np.sqrt(k2)
    src = np.repeat(np.arange(n), np.diff(graph.indptr))
    dst = np.asarray(graph.indices)
    temp = 0.1
    cool = temp / (iterations + 1)
    for _ in range(iterations):
        x, y = pos[:, 0], pos[:, 1]
        disp = np.zeros((n, 2), dtype=np.float32)
        for a in range(0, n, chunk):
            b = min(n, a + chunk)
            dx = x[a:b, None] - x[None, :]
            dy = y[a:b, None] - y[None, :]
            w = dx * dx
            w += dy * dy
            np.maximum(w, np.float32(1e-6), out=w)
            np.divide(k2, w, out=w)
            disp[a:b, 0] = (dx * w).sum(axis=1)
            disp[a:b, 1] = (dy * w).sum(axis=1)
        delta = pos[src] - pos[dst]
        dist = np.sqrt((delta * delta).sum(axis=1))
        pull = delta * (dist / k)[:, None]
        disp[:, 0] -= np.bincount(src, pull[:, 0], minlength=n).astype(np.float32)
        disp[:, 1] -= np.bincount(src, pull[:, 1], minlength=n).astype(np.float32)
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), np.float32(1e-2))
        pos += disp * (temp / length)[:, None]
        temp -= cool
    return pos.astype(float)


def layout(
    graph: CSRGraph,
    kind: str = "spring",
    *,
    iterations: int = 50,
    rng: RandomLike = 0,
) -> np.ndarray:
    """Positions of every user for drawing, an array of shape ``(n, 2)``.

    Parameters
    ----------
    graph : CSRGraph
    kind : {"spring", "circle"}
        ``spring``: force-directed (Fruchterman & Reingold 1991), which pulls friend
        circles together; ``circle``: users on a ring in id order, the classic picture
        of a Watts-Strogatz small world (ring ties short, rewired shortcuts across).
    iterations : int
        Force-directed iterations.
    rng : int, SeedSequence, Generator or None
        Indicator of random number generation state (starting positions).
    """
    if kind == "circle":
        angle = 2 * np.pi * np.arange(graph.n) / max(graph.n, 1)
        return np.column_stack([np.cos(angle), np.sin(angle)])
    if kind == "spring":
        return _spring(graph, iterations, rng)
    raise ValueError(f"layout must be 'spring' or 'circle', got {kind!r}")


def has_mp4_encoder() -> bool:
    """Whether matplotlib finds an MP4 encoder (ffmpeg)."""
    from matplotlib import animation

    return animation.writers.is_available("ffmpeg")


class CascadeFrames:
    """The figure of the animation, redrawn for each step: ``draw(t)`` shows the
    cascade at the end of step ``t``; ``fig`` is the matplotlib Figure.

    Parameters
    ----------
    cascade : Cascade
        From :func:`smmsim.trace.one_cascade`.
    pos : numpy.ndarray
        Positions of every user, from :func:`layout`.
    dpi : int
        Resolution (the figure is 10 x 6.2 inches).
    timeline : Timeline, optional
        The scenario's calendar: the counter and the chart name steps in its unit, or
        by their dates when it has a start.
    """

    def __init__(
        self, cascade: Cascade, pos: np.ndarray, dpi: int, timeline: Timeline | None = None
    ):
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator

        self.c = cascade
        self.pos = pos
        self.timeline = timeline if timeline is not None and timeline.calendar else None
        g = cascade.graph
        nd = cascade.nodes
        self.counts = cascade.counts()
        self.fig = fig = plt.figure(figsize=(10, 6.2), dpi=dpi)
        grid = fig.add_gridspec(2, 2, width_ratios=[1.65, 1], height_ratios=[1, 1.1])
        self.net = net = fig.add_subplot(grid[:, 0])
        info = fig.add_subplot(grid[0, 1])
        self.curve = curve = fig.add_subplot(grid[1, 1])
        fig.subplots_adjust(left=0.02, right=0.97, top=0.9, bottom=0.1, wspace=0.15)
        fig.suptitle(
            f"{cascade.name}: one cascade spreading by word of mouth (run {cascade.run})",
            fontsize=13,
        )

        # the audience: every tie once, faint
        src = np.repeat(np.arange(g.n), np.diff(g.indptr))
        dst = np.asarray(g.indices)
        keep = src < dst if not g.directed else np.ones(src.size, bool)
        ties = np.stack([pos[src[keep]], pos[dst[keep]]], axis=1)
        alpha = float(np.clip(30.0 / max(np.sqrt(ties.shape[0]), 1.0), 0.03, 0.25))
        net.add_collection(LineCollection(ties, colors="#9e9e9e", linewidths=0.4, alpha=alpha))
        self.size = float(np.clip(6000.0 / max(g.n, 1), 5.0, 60.0))
        self.dots = net.scatter(pos[:, 0], pos[:, 1], s=self.size, c=UNSEEN, lw=0, zorder=2)
        self.referrals = LineCollection([], colors=REFERRAL, linewidths=0.9, alpha=0.6, zorder=3)
        net.add_collection(self.referrals)
        # sharers and buyers again, above the referral lines, so none is hidden
        big = max(self.size * 2.5, 14.0)
        self.sizes_top = (big, big * 1.3)
        self.top = net.scatter([], [], s=big, zorder=4, linewidths=0.4)
        seeds = nd.loc[nd["seed"], "node"].to_numpy()
        net.scatter(
            pos[seeds, 0],
            pos[seeds, 1],
            s=self.size * 6 + 60,
            marker="*",
            c=SHARED,
            edgecolors="black",
            lw=0.8,
            zorder=5,
        )
        net.set_aspect("equal")
        net.set_axis_off()
        net.autoscale_view()

        # index arrays for the per-step colouring
        self.node = nd["node"].to_numpy()
        self.first = nd["first_step"].to_numpy()
        self.share_step = np.where(nd["shared"], nd["share_step"], np.iinfo(np.int64).max)
        self.converted = nd["converted"].to_numpy()
        ref = nd["referrer"].to_numpy()
        self.has_ref = ref >= 0
        self.ref_segments = np.stack(
            [pos[np.maximum(ref, 0)], pos[self.node]], axis=1
        )  # rows without a referrer are never shown

        info.set_axis_off()
        self.counter = info.text(
            0.02, 0.98, "", va="top", ha="left", fontsize=13, family="monospace"
        )
        self.note = info.text(0.02, 0.52, "", va="top", ha="left", fontsize=9, color="#444444")
        legend = [
            Line2D([], [], ls="", marker="o", ms=7, color=UNSEEN, label="Not reached yet"),
            Line2D([], [], ls="", marker="o", ms=7, color=SAW, label="Saw it"),
            Line2D([], [], ls="", marker="o", ms=9, color=SHARED, label="Shared it"),
            Line2D(
                [], [], ls="", marker="o", ms=9, mfc=BOUGHT, mec="black", mew=0.4, label="Bought"
            ),
            Line2D([], [], ls="", marker="*", ms=13, mfc=SHARED, mec="black", label="Paid seed"),
            Line2D([], [], color=REFERRAL, label="Saw it first from"),
        ]
        info.legend(handles=legend, loc="lower left", ncol=2, fontsize=9, frameon=False)

        last = cascade.last_step
        top = max(1, int(self.counts["reach"].max()))
        curve.set_xlim(-0.3, max(last, 1) + 0.3)
        curve.set_ylim(0, top * 1.08)
        (self.reach_line,) = curve.plot([], [], "-o", ms=3, color=REFERRAL, label="Reached")
        (self.conv_line,) = curve.plot([], [], "-o", ms=3, color=BOUGHT, label="Bought")
        curve.xaxis.set_major_locator(MaxNLocator(integer=True))
        line = self.timeline
        if line is None:
            curve.set_xlabel("Step (time since launch)")
            if last >= cascade.steps - 1:
                self.ending = f"Still spreading at the horizon ({cascade.steps} steps)"
            else:
                self.ending = f"Nothing happens after step {last} (horizon {cascade.steps} steps)"
        else:
            since = f" on {line.label(0)}" if line.dated else ""
            curve.set_xlabel(f"{line.unit.capitalize()}s since launch{since}")
            if last >= cascade.steps - 1:
                self.ending = f"Still spreading at the horizon ({line.plural(cascade.steps)})"
            else:
                when = line.label(last) if line.dated else f"{line.unit} {last}"
                self.ending = f"Nothing happens after {when} (horizon {line.plural(cascade.steps)})"
        curve.set_ylabel("Users (cumulative)")
        curve.set_title("Reach and conversions so far", fontsize=10)
        curve.grid(alpha=0.3)
        curve.legend(fontsize=8, loc="upper left")

    def draw(self, t: int) -> None:
        n = self.c.graph.n
        colors = np.full(n, UNSEEN, dtype=object)
        sizes = np.full(n, self.size)
        seen = self.first <= t
        shared = self.share_step <= t
        bought = seen & self.converted
        colors[self.node[seen]] = SAW
        colors[self.node[shared]] = SHARED
        sizes[self.node[shared]] = self.size * 2.5
        colors[self.node[bought]] = BOUGHT
        sizes[self.node[bought]] = self.size * 2.5
        self.dots.set_facecolor(list(colors))
        self.dots.set_sizes(sizes)
        self.referrals.set_segments(self.ref_segments[seen & self.has_ref])
        order = np.concatenate(
            [np.flatnonzero(shared & ~bought), np.flatnonzero(bought)]
        )  # buyers drawn last, on top
        who = self.node[order]
        is_buyer = bought[order]
        self.top.set_offsets(self.pos[who] if who.size else np.empty((0, 2)))
        self.top.set_facecolor([BOUGHT if b else SHARED for b in is_buyer])
        self.top.set_edgecolor(["black" if b else "none" for b in is_buyer])
        self.top.set_sizes(np.where(is_buyer, self.sizes_top[1], self.sizes_top[0]))

        row = self.counts.iloc[t]
        share = row["reach"] / n if n else 0.0
        line = self.timeline
        if line is None:
            when = f"Step     {t:>6}"
        elif line.dated:
            when = f"Date     {line.label(t)}"
        else:
            when = f"{line.unit.capitalize():<9}{t:>6}"
        self.counter.set_text(
            f"{when}\n"
            f"Reached  {int(row['reach']):>6,} of {n:,} ({share:.0%})\n"
            f"Shared   {int(row['sharers']):>6,}\n"
            f"Bought   {int(row['conversions']):>6,}"
        )
        self.note.set_text(self.ending)
        upto = self.counts.iloc[: t + 1]
        self.reach_line.set_data(upto["step"], upto["reach"])
        self.conv_line.set_data(upto["step"], upto["conversions"])

    def image(self):
        from PIL import Image

        self.fig.canvas.draw()
        rgba = np.asarray(self.fig.canvas.buffer_rgba())
        return Image.fromarray(rgba[..., :3].copy())


_Frames = CascadeFrames  # its earlier, private name


def animate_cascade(
    cascade: Cascade,
    path: str | Path,
    *,
    positions: str | np.ndarray = "spring",
    fps: float = 2.0,
    pause: float = 2.0,
    dpi: int = 90,
    max_users: int = MAX_USERS,
    rng: RandomLike = 0,
    timeline: Timeline | None = None,
) -> int:
    """Write an animation of ``cascade`` spreading, one frame per step.

    Every user is a dot, grey until reached, then coloured by what they did (saw it,
    shared it, bought); a line joins each reached user to the sharer they saw it from
    first. A counter shows reach, sharers and conversions, and a small chart the
    cumulative reach and conversions so far. Conversions appear at the step their user
    was first reached (see :meth:`smmsim.trace.Cascade.counts`).

    Parameters
    ----------
    cascade : Cascade
        From :func:`smmsim.trace.one_cascade`.
    path : path-like
        ``.gif`` (always available) or ``.mp4`` (needs ffmpeg; see
        :func:`has_mp4_encoder`).
    positions : {"spring", "circle"} or array of shape (n, 2)
        Where to draw the users: a :func:`layout` kind, or positions computed once
        with :func:`layout` and reused.
    fps : float
        Frames (steps) per second.
    pause : float
        Seconds the last frame stays before the animation loops.
    dpi : int
        Resolution (the frame is 10 x 6.2 inches).
    max_users : int
        Refuse larger audiences: every user is drawn, and the layout grows with the
        square of the audience.
    rng : int, SeedSequence, Generator or None
        Indicator of random number generation state (force-directed layout).
    timeline : Timeline, optional
        The scenario's calendar (``Timeline.of(scenario.simulation)``): steps named in
        its unit, or by date.

    Returns
    -------
    int
        Frames written: one per step from 0 to ``cascade.last_step`` in a GIF (the last
        shown ``pause`` seconds longer); an MP4 repeats the last frame instead.

    Raises
    ------
    ValueError
        The audience has more than ``max_users`` users, the file suffix is neither
        ``.gif`` nor ``.mp4``, or there is no MP4 encoder for an ``.mp4``.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"the animation file must end in .gif or .mp4, got {path.name!r}")
    if suffix == ".mp4" and not has_mp4_encoder():
        raise ValueError("no MP4 encoder (ffmpeg) found; write a .gif instead")
    n = cascade.graph.n
    if n > max_users:
        raise ValueError(
            f"the audience has {n:,} users; animations draw every user and are limited "
            f"to {max_users:,} (raise max_users, or use a smaller audience)"
        )
    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    if isinstance(positions, str):
        pos = layout(cascade.graph, positions, rng=rng)
    else:
        pos = np.asarray(positions, dtype=float)
        if pos.shape != (n, 2):
            raise ValueError(f"layout positions must have shape ({n}, 2), got {pos.shape}")

    frames = CascadeFrames(cascade, pos, dpi, timeline)
    steps = range(cascade.last_step + 1)
    try:
        if suffix == ".gif":
            images = []
            for t in steps:
                frames.draw(t)
                images.append(frames.image())
            ms = round(1000 / fps)
            durations = [ms] * len(images)
            durations[-1] += round(1000 * pause)
            images[0].save(
                path,
                save_all=True,
                append_images=images[1:],
                duration=durations,
                loop=0,
            )
            return len(images)
        from matplotlib.animation import FFMpegWriter

        writer = FFMpegWriter(fps=fps)
        written = 0
        with writer.saving(frames.fig, str(path), dpi):
            for t in steps:
                frames.draw(t)
                writer.grab_frame()
                written += 1
            for _ in range(round(pause * fps)):
                writer.grab_frame()
                written += 1
        return written
    finally:
        plt.close(frames.fig)
