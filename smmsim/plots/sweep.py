"""Pictures of sweep tables: a metric against one parameter, or a heatmap over two.

Functions of the tidy table that :func:`smmsim.sweep.run_sweep` returns (one row per
variant). They take ``ax=None`` and return the Axes, and never call ``plt.show()``.

Examples
--------
>>> from smmsim.plots import plot_heatmap, plot_metric
>>> ax = plot_metric(table, "earned_reach", "content.stickiness")  # doctest: +SKIP
>>> ax = plot_heatmap(table, "viral", "content.stickiness", "seeding.k")  # doctest: +SKIP

With a grid over stickiness and ``seeding.k``, the first draws one line per seed count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from smmsim.plots.labels import metric_label
from smmsim.sweep import parameter_columns

__all__ = ["plot_heatmap", "plot_metric", "write_sweep_plots"]

_SUFFIXES = ("_mean", "_std", "_ci_low", "_ci_high")


def _value_column(table: pd.DataFrame, metric: str, stat: str = "mean") -> str:
    for col in (f"{metric}_{stat}", metric):
        if col in table.columns:
            return col
    metrics = sorted({c[: -len("_mean")] for c in table.columns if c.endswith("_mean")})
    raise ValueError(
        f"unknown metric {metric!r}; the table has {', '.join(metrics)} "
        f"and the columns {', '.join(c for c in table.columns if not c.endswith(_SUFFIXES))}"
    )


def _check_column(table: pd.DataFrame, name: str, what: str) -> None:
    if name not in table.columns:
        params = parameter_columns(table)
        raise ValueError(
            f"unknown {what} {name!r}; the swept parameters are {', '.join(params) or 'none'}"
        )


def _varying(table: pd.DataFrame) -> list[str]:
    return [c for c in parameter_columns(table) if _nunique(table[c]) > 1]


def _nunique(col: pd.Series) -> int:
    return len({_hashable(v) for v in col})


def _hashable(v):
    if isinstance(v, list | np.ndarray):
        return tuple(np.asarray(v).tolist())
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _label(v) -> str:
    if isinstance(v, float | np.floating):
        return f"{float(v):,.0f}" if abs(v) >= 10_000 else f"{float(v):.4g}"
    if isinstance(v, int | np.integer) and not isinstance(v, bool):
        return f"{int(v):,}"
    return str(v)


_STATS = {
    "mean": "mean",
    "std": "standard deviation",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
}


def _axis_label(column: str) -> str:
    """A swept key or a table column in words."""
    return metric_label(column)


def _cell(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def _numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def plot_metric(
    table: pd.DataFrame,
    metric: str,
    param: str,
    *,
    by: str | None = None,
    ax=None,
    band: bool = True,
    logx: bool | None = None,
    name: str | None = None,
):
    """Ensemble mean of ``metric`` against ``param``, with its 95% confidence interval.

    Axes and legend read as words (``"Stickiness"``, not ``content.stickiness``; see
    :func:`smmsim.plots.labels.param_label`).

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table.
    metric : str
        A metric (``"reach"``: plots ``reach_mean`` with the band from ``reach_ci_low``
        to ``reach_ci_high``) or any numeric column (``"theory_k_factor"``).
    param : str
        Column on the x axis: a swept key (``"content.stickiness"``) or any numeric
        column.
    by : str, optional
        Draw one line per value of this column. By default, when ``param`` alone does
        not identify the rows and exactly one other parameter varies, that one.
    ax : matplotlib Axes, optional
    band : bool
        Shade the confidence interval (error bars for unconnected points).
    logx : bool, optional
        Log scale on x; by default when the values are positive and span a factor
        of 100 or more.
    name : str, optional
        Scenario name, put in the title.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Points are joined by lines only when no other swept parameter varies along a line;
    otherwise (random designs, grids over more keys) they are drawn as points with
    error bars. Filter the table first to draw one slice as lines.
    """
    import matplotlib.pyplot as plt

    col = _value_column(table, metric)
    _check_column(table, param, "parameter")
    if by is not None:
        _check_column(table, by, "parameter")
    has_ci = col == f"{metric}_mean" and f"{metric}_ci_low" in table.columns
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    if by is None and _nunique(table[param]) < len(table):
        others = [c for c in _varying(table) if c != param]
        if len(others) == 1:
            by = others[0]
    numeric_x = _numeric(table[param])
    params = parameter_columns(table)
    groups = [(None, table)] if by is None else _groups(table, by)
    for value, sub in groups:
        label = None if by is None else f"{_axis_label(by)} = {_label(value)}"
        if numeric_x:
            sub = sub.sort_values(param, kind="stable")
            x = sub[param].to_numpy(dtype=float)
        else:
            cats = list(dict.fromkeys(_hashable(v) for v in table[param]))
            x = np.array([cats.index(_hashable(v)) for v in sub[param]], dtype=float)
            ax.set_xticks(range(len(cats)), [_label(c) for c in cats])
        y = sub[col].to_numpy(dtype=float)
        connected = _nunique(sub[param]) == len(sub) and not (
            param in params and any(_nunique(sub[c]) > 1 for c in params if c not in (param, by))
        )
        lo = sub[f"{metric}_ci_low"].to_numpy(dtype=float) if has_ci else None
        hi = sub[f"{metric}_ci_high"].to_numpy(dtype=float) if has_ci else None
        if connected:
            (line,) = ax.plot(x, y, marker="o", ms=3, lw=1.8, label=label)
            if band and has_ci:
                ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
        else:
            yerr = np.vstack([y - lo, hi - y]) if band and has_ci else None
            ax.errorbar(x, y, yerr=yerr, fmt="o", ms=3, elinewidth=0.8, alpha=0.8, label=label)
    if logx is None:
        vals = table[param].to_numpy(dtype=float) if numeric_x else np.array([])
        vals = vals[np.isfinite(vals)]
        logx = bool(vals.size and vals.min() > 0 and vals.max() / vals.min() >= 100)
    if logx and numeric_x:
        ax.set_xscale("log")
    ax.set_xlabel(_axis_label(param))
    words = metric_label(metric)
    ax.set_ylabel(f"{words}, mean and 95% CI" if has_ci else words)
    short = words.split(" (")[0]
    ax.set_title(f"{name + ': ' if name else ''}{short} against {_axis_label(param).lower()}")
    ax.grid(alpha=0.3)
    if by is not None:
        ax.legend(fontsize="small", title=None)
    return ax


def _groups(table: pd.DataFrame, by: str):
    keys = list(dict.fromkeys(_hashable(v) for v in table[by]))
    hashed = table[by].map(_hashable)
    if _numeric(table[by]):
        keys = sorted(keys, key=lambda v: (v is None, v if v is not None else 0))
    return [(k, table[hashed == k] if k is not None else table[hashed.isna()]) for k in keys]


def plot_heatmap(
    table: pd.DataFrame,
    metric: str,
    x: str,
    y: str,
    *,
    stat: str = "mean",
    ax=None,
    cmap: str = "viridis",
    annotate: bool | None = None,
    name: str | None = None,
):
    """A metric over two parameters as a heatmap (one cell per pair of values).

    Parameters
    ----------
    table, ax, name
        As in :func:`plot_metric`.
    metric : str
        A metric (``"viral"`` shows ``viral_mean``, the probability of going viral) or
        any numeric column.
    x, y : str
        The parameters on the horizontal and vertical axes.
    stat : {"mean", "std", "ci_low", "ci_high"}
        Which ensemble statistic to show.
    cmap : str
        A matplotlib colormap name.
    annotate : bool, optional
        Write each cell's value (default: when there are at most 80 cells).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    When further parameters vary, each cell shows the mean over their values (the
    title says so); cells with no variant are blank.
    """
    import matplotlib.pyplot as plt

    col = _value_column(table, metric, stat)
    _check_column(table, x, "parameter")
    _check_column(table, y, "parameter")
    if x == y:
        raise ValueError("x and y must be different parameters")
    frame = pd.DataFrame(
        {"x": table[x].map(_hashable), "y": table[y].map(_hashable), "v": table[col]}
    )
    averaged = frame.duplicated(["x", "y"]).any()
    grid = frame.pivot_table(index="y", columns="x", values="v", aggfunc="mean", dropna=False)
    grid = grid.sort_index(axis=0).sort_index(axis=1)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 5.0), layout="constrained")
    values = grid.to_numpy(dtype=float)
    im = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest")
    ax.set_xticks(range(grid.shape[1]), [_label(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [_label(v) for v in grid.index])
    if grid.shape[1] > 12:
        ax.tick_params(axis="x", labelrotation=90)
    ax.set_xlabel(_axis_label(x))
    ax.set_ylabel(_axis_label(y))
    words = metric_label(metric)
    what = words if col == metric else f"{words}, {_STATS.get(stat, stat)}"
    ax.figure.colorbar(im, ax=ax, label=what)
    title = (
        f"{name + ': ' if name else ''}{words.split(' (')[0]} over "
        f"{_axis_label(x).lower()} and {_axis_label(y).lower()}"
    )
    if averaged:
        title += " (mean over other parameters)"
    ax.set_title(title)
    if annotate is None:
        annotate = values.size <= 80
    if annotate:
        finite = values[np.isfinite(values)]
        mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(
                        j,
                        i,
                        _cell(v),
                        ha="center",
                        va="center",
                        fontsize="x-small",
                        color="black" if v > mid else "white",
                    )
    return ax


def _sweep_name(out: Path) -> str | None:
    """The base scenario's name from a sweep folder's manifest, if it can be read."""
    import json

    from smmsim.sweep import MANIFEST

    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    base = manifest.get("base") if isinstance(manifest, dict) else None
    name = base.get("name") if isinstance(base, dict) else None
    return name if isinstance(name, str) and name else None


def write_sweep_plots(
    table: pd.DataFrame, out_dir: str | Path, metric: str, *, name: str | None = None
) -> list[Path]:
    """Write ``{metric}.png`` (the metric against the first varying parameter, one line
    per value of the second) and, when two or more parameters vary,
    ``{metric}_heatmap.png`` over the first two. Titles carry ``name`` (default: the
    base scenario's name from the folder's manifest). Returns the paths written."""
    from smmsim.plots.runs import save

    varying = _varying(table)
    if not varying:
        return []
    out = Path(out_dir)
    if name is None:
        name = _sweep_name(out)
    paths = []
    by = varying[1] if len(varying) > 1 else None
    ax = plot_metric(table, metric, varying[0], by=by, name=name)
    paths.append(save(ax.figure, out / f"{metric}.png"))
    if len(varying) > 1:
        ax = plot_heatmap(table, metric, varying[0], varying[1], name=name)
        paths.append(save(ax.figure, out / f"{metric}_heatmap.png"))
    return paths
