"""Figures for the course: one consistent theme, titles, labelled axes, units.

Every function takes a tidy DataFrame (usually the output of a cxlib analysis
function) and column names, draws on ``ax`` (a new figure if none is given) and
returns the matplotlib Axes, so a lesson can add to it. The column arguments default to
cxlib's vocabulary (``estimate``, ``low``, ``high``), so a table from cxlib is drawn as it
is, without renaming. Every function here draws, and its name says so (``*_plot``,
``*_chart``, ``*_map``); the functions that compute live in the analysis modules. Colours
are chosen to stay readable in greyscale: estimates are drawn as points with interval
lines, and categories are told apart by marker shape as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ._docs import fill
from ._validate import require_columns
from .errors import InputError

# Every verdict and quadrant label the course uses has its own colour and marker; a chart given a
# label that is not here refuses to draw it (it could not be told apart from the others).
PALETTE = {
    "leads": "#1b7837",
    "on par": "#878787",
    "trails": "#b2182b",
    "Concentrate here": "#b2182b",
    "Keep up the good work": "#1b7837",
    "Low priority": "#878787",
    "Possible overkill": "#2166ac",
    "under-rated by staff": "#b2182b",
    "in line": "#878787",
    "over-rated by staff": "#2166ac",
    "above": "#1b7837",
    "no difference": "#878787",
    "below": "#b2182b",
}
MARKERS = {
    "leads": "^",
    "on par": "o",
    "trails": "v",
    "Concentrate here": "X",
    "Keep up the good work": "o",
    "Low priority": "s",
    "Possible overkill": "D",
    "under-rated by staff": "v",
    "in line": "o",
    "over-rated by staff": "^",
    "above": "^",
    "no difference": "o",
    "below": "v",
}
FIGSIZE = (7.5, 4.5)


def set_theme() -> None:
    """Apply the course's plotting theme (seaborn ``whitegrid``, readable fonts, PNG output).

    Returns
    -------
    None
        The theme is set for the rest of the session (matplotlib's ``rcParams``).

    Examples
    --------
    >>> set_theme()
    """
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    plt.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 80,
            "savefig.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "figure.autolayout": True,
        }
    )


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE)
    return ax


def _drawable(df: pd.DataFrame, columns, what: str = "the table to plot") -> None:
    """Refuse what cannot be drawn honestly: an empty table, or a missing or infinite number.

    A blank or partial figure would be read as if the points were there; the error names the
    rows so the learner can see what went wrong upstream.
    """
    if len(df) == 0:
        raise InputError(f"{what} is empty: there is nothing to draw (check the filter or join that made it)")
    for col in columns:
        vals = pd.to_numeric(pd.Series(df[col].to_numpy(), index=df.index), errors="coerce").to_numpy(
            dtype=float
        )
        bad = ~np.isfinite(vals)
        if bad.any():
            rows = ", ".join(map(repr, df.index[bad][:5].tolist())) + (" ..." if bad.sum() > 5 else "")
            raise InputError(
                f"{what}: column {col!r} has {int(bad.sum())} missing or infinite value(s), at rows {rows}; "
                "a figure would silently leave them out. Fix or drop those rows first (an index that "
                "does not match the data is a common cause)"
            )


def _styled(values, column: str) -> None:
    """Refuse labels without their own colour and marker: they would all look the same."""
    unknown = sorted(set(map(str, values)) - set(PALETTE))
    if unknown:
        raise InputError(
            f"column {column!r} has label(s) {unknown} with no colour or marker of their own; "
            f"the figure could not tell them apart. Use the labels cxlib gives ({sorted(PALETTE)}), "
            "or map yours onto them"
        )


def _label(ax, title: str, xlabel: str, ylabel: str) -> None:
    for what, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str) or not text.strip():
            raise InputError(
                f"a figure needs a {what}: pass {what}='...' (with units where the axis has them)"
            )
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


@fill
def interval_plot(
    df: pd.DataFrame,
    *,
    estimate: str = "estimate",
    low: str = "low",
    high: str = "high",
    label: str | None = None,
    title: str,
    xlabel: str,
    ylabel: str = "",
    reference: float | None = None,
    reference_label: str | None = None,
    sort: bool = False,
    ax=None,
):
    """Estimates with their confidence intervals, one row per group (e.g. NPS by branch).

    Parameters
    ----------
    df : DataFrame
        One row per group, e.g. the output of ``cxlib.metrics.by_group``.
    estimate, low, high : str
        Columns of the estimate and its interval.
    label : str, optional
        Column holding the group names; by default the index.
    {plot_labels}
        ``ylabel`` defaults to the index name.
    reference : float, optional
        Draw a vertical line here (an overall value, a target).
    reference_label : str, optional
        The reference line's entry in the legend.
    sort : bool
        Sort the groups by their estimate.
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> df = pd.DataFrame({"estimate": [10.0, 25.0], "low": [2.0, 15.0], "high": [18.0, 35.0]},
    ...                   index=pd.Index(["Ashford", "Brookside"], name="branch"))
    >>> ax = interval_plot(df, title="NPS by branch", xlabel="NPS (points)")
    >>> ax.get_title()
    'NPS by branch'
    """
    require_columns(df, [estimate, low, high] + ([label] if label else []), "the table to plot")
    _drawable(df, [estimate, low, high])
    data = df.sort_values(estimate) if sort else df
    names = data[label].astype(str).to_numpy() if label else data.index.astype(str).to_numpy()
    ax = _axes(ax)
    y = np.arange(len(data))
    v = data[estimate].to_numpy(dtype=float)
    ax.hlines(y, data[low].to_numpy(dtype=float), data[high].to_numpy(dtype=float), color="#4d4d4d", lw=2)
    ax.plot(v, y, "o", color="#2166ac", ms=7, zorder=3)
    ax.set_yticks(y, names)
    if reference is not None:
        ax.axvline(reference, color="#b2182b", ls="--", lw=1.2, label=reference_label)
        if reference_label:
            ax.legend(loc="best", frameon=True)
    _label(ax, title, xlabel, ylabel or (label or df.index.name or " "))
    return ax


@fill
def bar_chart(
    df: pd.DataFrame,
    *,
    estimate: str = "estimate",
    label: str | None = None,
    low: str | None = None,
    high: str | None = None,
    title: str,
    xlabel: str,
    ylabel: str = "",
    sort: bool = True,
    ax=None,
):
    """Horizontal bars, largest on top, with optional interval lines (e.g. driver importance).

    Parameters
    ----------
    df : DataFrame
        One row per bar, e.g. the output of ``cxlib.drivers.relative_weights``.
    estimate : str
        The column giving each bar's length (``"percent"`` for relative weights in percent).
    label : str, optional
        Column holding the bar names; by default the index.
    low, high : str, optional
        Columns of an interval to draw over each bar.
    {plot_labels}
        ``ylabel`` defaults to the index name.
    sort : bool
        Sort the bars, largest on top (otherwise the first row is on top).
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> df = pd.DataFrame({"percent": [50.0, 30.0, 20.0]}, index=["practices", "people", "environment"])
    >>> bar_chart(df, estimate="percent", title="What drives satisfaction", xlabel="share of R² (%)",
    ...           ylabel="factor").get_xlabel()
    'share of R² (%)'
    """
    cols = [estimate] + [c for c in (label, low, high) if c]
    require_columns(df, cols, "the table to plot")
    _drawable(df, [c for c in (estimate, low, high) if c])
    data = df.sort_values(estimate) if sort else df.iloc[::-1]
    names = data[label].astype(str).to_numpy() if label else data.index.astype(str).to_numpy()
    ax = _axes(ax)
    y = np.arange(len(data))
    ax.barh(y, data[estimate].to_numpy(dtype=float), color="#6baed6", edgecolor="#08519c")
    if low and high:
        ax.hlines(y, data[low].to_numpy(dtype=float), data[high].to_numpy(dtype=float), color="black", lw=1.5)
    ax.set_yticks(y, names)
    ax.axvline(0, color="black", lw=0.8)
    _label(ax, title, xlabel, ylabel or (label or df.index.name or " "))
    return ax


@fill
def gap_chart(
    df: pd.DataFrame,
    *,
    estimate: str = "estimate",
    low: str = "low",
    high: str = "high",
    label: str | None = None,
    verdict: str | None = None,
    title: str,
    xlabel: str,
    ylabel: str = "",
    ax=None,
):
    """Differences with intervals around a zero line, coloured and shaped by verdict.

    Used for benchmark gaps (us minus a competitor), expectation gaps (employees
    minus customers) and SERVQUAL gaps (perception minus expectation): the tables of
    ``cxlib.benchmark.benchmark_gaps`` and ``cxlib.gaps`` are drawn as they are.

    Parameters
    ----------
    df : DataFrame
        One row per gap.
    estimate, low, high : str
        Columns of the gap and its interval.
    label : str, optional
        Column holding the row names; by default the index.
    verdict : str, optional
        A column of verdicts (``"leads"``, ``"on par"``, ``"trails"``, ...) that sets each
        point's colour and marker, with a legend.
    {plot_labels}
        ``ylabel`` defaults to the index name.
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> df = pd.DataFrame({"estimate": [0.4, -0.1], "low": [0.2, -0.3], "high": [0.6, 0.1],
    ...                    "verdict": ["leads", "on par"]}, index=["friendliness", "comfort"])
    >>> gap_chart(df, verdict="verdict", title="Us minus QuickHome", xlabel="difference (points, 1-5 scale)",
    ...           ylabel="item").get_legend() is not None
    True
    """
    cols = [estimate, low, high] + [c for c in (label, verdict) if c]
    require_columns(df, cols, "the table to plot")
    _drawable(df, [estimate, low, high])
    if verdict:
        _styled(df[verdict], verdict)
    ax = _axes(ax)
    names = df[label].astype(str).to_numpy() if label else df.index.astype(str).to_numpy()
    y = np.arange(len(df))
    ax.hlines(y, df[low].to_numpy(dtype=float), df[high].to_numpy(dtype=float), color="#4d4d4d", lw=2)
    if verdict:
        for v in pd.unique(df[verdict].astype(str)):
            sel = (df[verdict].astype(str) == v).to_numpy()
            ax.plot(
                df[estimate].to_numpy(dtype=float)[sel],
                y[sel],
                ls="none",
                marker=MARKERS[v],
                color=PALETTE[v],
                ms=8,
                label=v,
                zorder=3,
            )
        ax.legend(title=verdict.replace("_", " "), loc="best", frameon=True)
    else:
        ax.plot(df[estimate].to_numpy(dtype=float), y, "o", color="#2166ac", ms=7, zorder=3)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, names)
    _label(ax, title, xlabel, ylabel or (label or df.index.name or " "))
    return ax


@fill
def ipa_map(
    df: pd.DataFrame,
    *,
    importance: str = "importance",
    performance: str = "performance",
    quadrant: str | None = "quadrant",
    x_cross: float | None = None,
    y_cross: float | None = None,
    title: str = "Importance-performance map",
    xlabel: str = "performance (mean rating)",
    ylabel: str = "importance",
    ax=None,
):
    """Importance-performance map (Martilla & James 1977), one labelled point per driver.

    The crosshairs default to the means of importance and performance across drivers,
    the rule ``cxlib.drivers.importance_performance`` uses by default.

    Parameters
    ----------
    df : DataFrame
        One row per driver, indexed by driver (the output of
        ``cxlib.drivers.importance_performance``).
    importance, performance : str
        The columns on the vertical and horizontal axes.
    quadrant : str or None
        A column of quadrant names that sets each point's colour and marker.
    x_cross, y_cross : float, optional
        Where the crosshairs lie (by default the means of performance and importance).
    {plot_labels}
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> df = pd.DataFrame({"importance": [30.0, 10.0], "performance": [3.4, 4.1],
    ...                    "quadrant": ["Concentrate here", "Possible overkill"]},
    ...                   index=["waiting", "comfort"])
    >>> ax = ipa_map(df, title="Where to act", xlabel="performance (mean, 1-5)", ylabel="importance (%)")
    >>> len(ax.texts)
    2
    """
    cols = [importance, performance] + ([quadrant] if quadrant else [])
    require_columns(df, cols, "the table to plot")
    _drawable(df, [importance, performance])
    if quadrant:
        _styled(df[quadrant], quadrant)
    ax = _axes(ax)
    x = df[performance].to_numpy(dtype=float)
    y = df[importance].to_numpy(dtype=float)
    groups = df[quadrant].astype(str).to_numpy() if quadrant else np.repeat("driver", len(df))
    for g in pd.unique(groups):
        sel = groups == g
        ax.plot(
            x[sel],
            y[sel],
            ls="none",
            marker=MARKERS.get(g, "o"),  # without quadrants, every point is a "driver"
            color=PALETTE.get(g, "#2166ac"),
            ms=9,
            label=g,
        )
    ax.axvline(np.mean(x) if x_cross is None else x_cross, color="black", lw=0.8, ls="--")
    ax.axhline(np.mean(y) if y_cross is None else y_cross, color="black", lw=0.8, ls="--")
    if quadrant:
        ax.legend(loc="best", frameon=True, fontsize=9)
    _label(ax, title, xlabel, ylabel)
    _place_labels(ax, x, y, df.index.astype(str))
    return ax


# where a point's label may go, in points from the point: above right first, then the other corners
_LABEL_SPOTS = (
    ((5, 4), "left", "bottom"),
    ((5, -4), "left", "top"),
    ((-5, 4), "right", "bottom"),
    ((-5, -4), "right", "top"),
)


def _place_labels(ax, x, y, names) -> None:
    """Label each point, moving a label to another corner of its point if it would overlap one placed."""
    renderer = ax.figure.canvas.get_renderer()
    placed = []
    for i in np.argsort(x, kind="stable"):
        text = None
        for offset, ha, va in _LABEL_SPOTS:
            if text is not None:
                text.remove()
            text = ax.annotate(
                names[i], (x[i], y[i]), textcoords="offset points", xytext=offset, ha=ha, va=va, fontsize=9
            )
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)  # if every corner overlaps, the last one stays: the label is still shown


@fill
def control_chart(
    df: pd.DataFrame,
    *,
    x: str | None = None,
    estimate: str = "estimate",
    center: str = "center",
    lower: str = "lower",
    upper: str = "upper",
    signal: str | None = "signal",
    title: str,
    xlabel: str,
    ylabel: str,
    percent: bool = True,
    ax=None,
):
    """A control chart: the series, its centre line, control limits, and signals marked.

    Draws the tables of ``cxlib.tracking.p_chart_limits``, ``top_box_limits`` and
    ``nps_limits`` as they are.

    Parameters
    ----------
    df : DataFrame
        One row per period.
    x : str, optional
        Column of the periods; by default the index (or 1, 2, ... for a plain range).
    estimate, center, lower, upper : str
        Columns of the series, the centre line and the control limits.
    signal : str or None
        A true/false column of the points to mark as signals.
    {plot_labels}
    percent : bool
        Show proportions (0-1) as percentages; ``False`` for a series already in its
        units (NPS points).
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> chart = pd.DataFrame({"estimate": [0.5, 0.55, 0.9], "center": 0.6, "lower": 0.4, "upper": 0.8,
    ...                       "signal": [False, False, True]})
    >>> control_chart(chart, title="Top-2-box by month", xlabel="month",
    ...               ylabel="satisfied customers (%)").get_ylabel()
    'satisfied customers (%)'
    """
    cols = [estimate, center, lower, upper] + [c for c in (x, signal) if c]
    require_columns(df, cols, "the control chart table")
    _drawable(df, [estimate, center, lower, upper], "the control chart table")
    ax = _axes(ax)
    k = 100.0 if percent else 1.0
    xs = (
        df[x].to_numpy()
        if x
        else (df.index.to_numpy() if not isinstance(df.index, pd.RangeIndex) else np.arange(1, len(df) + 1))
    )
    ax.plot(xs, df[estimate].to_numpy(dtype=float) * k, "-o", color="#2166ac", ms=4, lw=1.2, label="observed")
    ax.plot(xs, df[center].to_numpy(dtype=float) * k, color="black", lw=1, label="centre line")
    ax.step(
        xs,
        df[upper].to_numpy(dtype=float) * k,
        where="mid",
        color="#b2182b",
        ls="--",
        lw=1,
        label="control limits",
    )
    ax.step(xs, df[lower].to_numpy(dtype=float) * k, where="mid", color="#b2182b", ls="--", lw=1)
    if signal:
        sel = df[signal].to_numpy(dtype=bool)
        if sel.any():
            ax.plot(
                np.asarray(xs)[sel],
                df[estimate].to_numpy(dtype=float)[sel] * k,
                "X",
                color="#b2182b",
                ms=10,
                label="signal",
                zorder=3,
            )
    ax.legend(loc="best", frameon=True, fontsize=9)
    _label(ax, title, xlabel, ylabel)
    return ax


@fill
def before_after_plot(
    df: pd.DataFrame,
    *,
    time: str,
    estimate: str = "estimate",
    intervention,
    fitted: str | None = None,
    counterfactual: str | None = None,
    title: str,
    xlabel: str,
    ylabel: str,
    ax=None,
):
    """A series before and after an intervention, with an optional fitted line and counterfactual.

    Parameters
    ----------
    df : DataFrame
        One row per period.
    time : str
        The column of periods (horizontal axis).
    estimate : str
        The column of the series (a monthly mean, say).
    intervention
        When the intervention started, in ``time``'s units: a vertical line.
    fitted, counterfactual : str, optional
        Columns of a fitted line and of the trend without the change (for example from
        ``cxlib.tracking.interrupted_time_series``).
    {plot_labels}
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> s = pd.DataFrame({"t": range(6), "score": [3.9, 4.0, 3.9, 4.3, 4.4, 4.3]})
    >>> before_after_plot(s, time="t", estimate="score", intervention=3, title="People score",
    ...                   xlabel="month", ylabel="people score (1-5)").get_title()
    'People score'
    """
    cols = [time, estimate] + [c for c in (fitted, counterfactual) if c]
    require_columns(df, cols, "the series to plot")
    _drawable(df, [c for c in (estimate, fitted, counterfactual) if c], "the series to plot")
    ax = _axes(ax)
    ax.plot(df[time], df[estimate], "o", color="#2166ac", ms=5, label="observed")
    if fitted:
        ax.plot(df[time], df[fitted], color="black", lw=1.5, label="fitted")
    if counterfactual:
        ax.plot(df[time], df[counterfactual], color="#878787", lw=1.5, ls="--", label="without the change")
    ax.axvline(intervention, color="#b2182b", lw=1.2, ls=":", label="intervention")
    ax.legend(loc="best", frameon=True, fontsize=9)
    _label(ax, title, xlabel, ylabel)
    return ax


@fill
def distribution_plot(
    df: pd.DataFrame,
    *,
    columns: Sequence[str],
    title: str,
    xlabel: str = "share of answers (%)",
    ylabel: str = "item",
    ax=None,
):
    """Stacked shares of each rating for several items (how answers spread over the scale).

    Parameters
    ----------
    df : DataFrame
        One row per response.
    columns : sequence of str
        The rating columns, one bar each (blank answers are left out of the shares).
    {plot_labels}
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1, 2, 2, 5], "b": [4, 4, 5, 5]})
    >>> distribution_plot(d, columns=["a", "b"], title="Ratings").get_xlabel()
    'share of answers (%)'
    """
    require_columns(df, list(columns), "the table to plot")
    if df[list(columns)].notna().sum().min() == 0:
        empty = [c for c in columns if df[c].notna().sum() == 0]
        raise InputError(f"the table to plot has no answers in {empty}: there is nothing to draw")
    ax = _axes(ax)
    shares = (
        pd.DataFrame({c: df[c].value_counts(normalize=True) * 100 for c in columns}).fillna(0.0).sort_index()
    )
    left = np.zeros(len(columns))
    colors = sns.color_palette("RdBu", n_colors=len(shares.index))
    for color, (rating, row) in zip(colors, shares.iterrows()):
        vals = row.to_numpy(dtype=float)
        ax.barh(np.arange(len(columns)), vals, left=left, color=color, edgecolor="white", label=str(rating))
        left += vals
    ax.set_yticks(np.arange(len(columns)), list(columns))
    ax.legend(title="rating", bbox_to_anchor=(1.01, 1), loc="upper left", frameon=False)
    _label(ax, title, xlabel, ylabel)
    return ax


@fill
def crosstab_plot(
    df: pd.DataFrame,
    *,
    rows: str,
    columns: str | None = None,
    estimate: str = "estimate_a",
    verdict: str = "verdict",
    title: str,
    xlabel: str,
    ylabel: str,
    fmt: str = ".0f",
    ax=None,
):
    """The crosstab an analyst knows: one cell per group, a marker where the group stands out.

    Each cell shows the group's own value (``estimate_a`` of :func:`cxlib.groups.versus_rest`),
    shaded from low to high; a cell whose difference from the rest is flagged after the
    multiple-testing correction gets a marker: ▲ above the rest, ▼ below. Unmarked cells are
    within the noise, however dark they look.

    Parameters
    ----------
    df : DataFrame
        A table of :func:`cxlib.groups.versus_rest`: one row per group (per level of ``within``).
    rows : str
        The column whose values label the rows (the ``by`` of the comparison).
    columns : str, optional
        The column whose values label the columns (the ``within`` of the comparison); a single
        column of cells without it.
    estimate : str
        The column shown in each cell (``"estimate_a"``: the group's own value).
    verdict : str
        The column saying ``"above"``, ``"below"`` or ``"no difference"``.
    {plot_labels}
    fmt : str
        How each cell's number is written (a format spec, ``".0f"`` by default).
    {ax}

    Returns
    -------
    {axes_returns}

    Examples
    --------
    >>> t = pd.DataFrame({"branch": ["A", "B", "C"], "estimate_a": [62.0, 40.0, 18.0],
    ...                   "verdict": ["above", "no difference", "below"]})
    >>> ax = crosstab_plot(t, rows="branch", title="NPS by branch", xlabel="all months", ylabel="branch")
    >>> [x.get_text() for x in ax.texts][:3]
    ['62 ▲', '40', '18 ▼']
    """
    require_columns(df, [rows, estimate, verdict] + ([columns] if columns else []), "the table to plot")
    _drawable(df, [estimate])
    _styled(df[verdict], verdict)
    frame = df.assign(_col=df[columns] if columns else " ")
    grid = frame.pivot_table(index=rows, columns="_col", values=estimate, aggfunc="first", observed=True)
    flags = frame.pivot_table(index=rows, columns="_col", values=verdict, aggfunc="first", observed=True)
    if frame.duplicated([rows, "_col"]).any():
        raise InputError(
            f"the table has more than one row per {rows} and {columns or 'column'}; one cell each"
        )
    ax = _axes(ax)
    values = grid.to_numpy(dtype=float)
    ax.imshow(np.ma.masked_invalid(values), cmap="Blues", aspect="auto")
    marks = {"above": " ▲", "below": " ▼", "no difference": ""}
    spread = np.nanmax(values) - np.nanmin(values) if np.isfinite(values).any() else 0.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isnan(values[i, j]):
                continue
            dark = spread > 0 and (values[i, j] - np.nanmin(values)) / spread > 0.6
            text = f"{values[i, j]:{fmt}}{marks[str(flags.iloc[i, j])]}"
            ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black", fontsize=9)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in grid.index])
    ax.grid(False)
    _label(ax, title, xlabel, ylabel)
    return ax
