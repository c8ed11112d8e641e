"""Tracking improvement: control charts, interrupted time series, difference-in-differences, power.

The improvement cycle is *assess, set standards, train, gather feedback*. Gathering
feedback means telling a real change from the month-to-month wobble:

* :func:`p_chart` and :func:`control_chart` (NIST/SEMATECH e-Handbook of Statistical
  Methods, section 6.3.3.2): a proportion per period against limits three standard
  errors from the centre line; a point outside is a *signal*. :func:`nps_chart` does
  the same for NPS.
* :func:`interrupted_time_series`: segmented regression of a monthly series on time,
  a level change and a slope change at the intervention, with Newey-West (HAC)
  standard errors for autocorrelated months.
* :func:`diff_in_diff`: the effect of a programme on those who took it, against those
  who did not, before and after (ordinary or cluster-robust standard errors).
* :func:`sample_size_proportions`: how many responses per group it takes to detect a
  change in a share (Fleiss, Levin & Paik 2003, formula 4.14 without continuity
  correction).

Two rules flag a period on the charts: ``signal``, a point beyond the limits, and
``run_signal``, a point that completes a run of ``run_length`` (8) points on the same
side of the centre line. No other Western Electric or Nelson rule is applied.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import as_numeric, check_confidence, require_columns, show_examples, whole_numbers
from .errors import InputError
from .metrics import DETRACTOR_MAX, PROMOTER_MIN, _box_threshold, nps_variance
from .results import OneRowResult


def _check_sigma(sigma) -> float:
    if (
        isinstance(sigma, bool)
        or not isinstance(sigma, (int, float, np.integer, np.floating))
        or not 0 < sigma <= 6
    ):
        raise InputError(f"sigma must be a number above 0 and at most 6 (3 is usual), got {sigma!r}")
    return float(sigma)


def _check_run_length(run_length) -> int:
    if isinstance(run_length, bool) or not isinstance(run_length, (int, np.integer)) or run_length < 2:
        raise InputError(f"run_length must be a whole number >= 2 (8 is usual), got {run_length!r}")
    return int(run_length)


def _runs(above: np.ndarray, below: np.ndarray, run_length: int) -> np.ndarray:
    """True where a point completes ``run_length`` consecutive points on one side of the centre.

    Vectorised: the length of the run at each point is its position minus the
    position of the last point that broke the run.
    """
    pos = np.arange(len(above))
    out = np.zeros(len(above), dtype=bool)
    for side in (above, below):
        last_break = np.maximum.accumulate(np.where(side, -1, pos))
        out |= (pos - last_break) >= run_length
    return out


def _baseline(baseline, k: int, labels=None) -> np.ndarray:
    """The periods that set the centre line, as a boolean mask of length ``k``."""
    if baseline is None:
        return np.ones(k, dtype=bool)
    if callable(baseline):
        if labels is None:
            raise InputError("a function as baseline needs period labels (pass index=...)")
        baseline = np.asarray(pd.Index(labels).map(baseline), dtype=object)
        if not all(isinstance(v, (bool, np.bool_)) for v in baseline):
            raise InputError("the baseline function must return True or False for each period label")
        baseline = baseline.astype(bool)
    if isinstance(baseline, (int, np.integer)) and not isinstance(baseline, bool):
        if not 1 <= baseline <= k:
            raise InputError(f"baseline must be between 1 and the number of periods ({k}), got {baseline!r}")
        return np.arange(k) < baseline
    mask = np.asarray(baseline)
    if mask.dtype != bool or mask.shape != (k,):
        raise InputError(f"baseline must be a number of periods or {k} true/false values, one per period")
    if not mask.any():
        raise InputError("baseline marks no period; at least one is needed to set the centre line")
    return mask


def _warn_zero_width(what: str, center: float) -> None:
    warnings.warn(
        f"the centre line of the {what} is {center:g} with no spread: every baseline response falls in "
        "one category, so the limits have zero width and any period that differs is flagged. "
        "Use a longer baseline.",
        UserWarning,
        stacklevel=3,
    )


def p_chart(
    successes, totals, sigma: float = 3, index=None, baseline=None, run_length: int = 8
) -> pd.DataFrame:
    """p chart from counts per period (NIST/SEMATECH e-Handbook, 6.3.3.2).

    Parameters
    ----------
    successes, totals : array-like
        Per period: the number of "successes" (satisfied customers, defective
        wafers...) and of responses.
    sigma : float
        Width of the limits in standard errors (3 by default).
    index : array-like, optional
        Labels of the periods.
    baseline : int, array of bool or function, optional
        The periods that set the centre line (phase I of a control chart): the first
        ``baseline`` periods, those marked True, or those whose label the function
        maps to True (needs ``index``). By default all periods. Setting the centre
        from a baseline before a change is how a chart shows the change.
    run_length : int
        Length of the run rule: a point that completes ``run_length`` consecutive points
        on the same side of the centre line is a ``run_signal`` (Western Electric rule 4 uses
        8; Nelson's rule 2 uses 9). A sustained small change shows as a run long before
        a point crosses a limit.

    Returns
    -------
    DataFrame
        One row per period: ``n``, ``p``, ``center`` (the pooled proportion of the
        baseline, sum of successes / sum of totals), ``lower`` and ``upper``
        (``center ± sigma * sqrt(center (1 - center) / n)``, clipped to 0-1),
        ``signal`` (p outside the limits) and ``run_signal`` (the run rule).

    Examples
    --------
    >>> p_chart([5, 9, 16], [50, 50, 50]).round(3)
        n     p  center  lower  upper  signal  run_signal
    0  50  0.10    0.2  0.030  0.370   False       False
    1  50  0.18    0.2  0.030  0.370   False       False
    2  50  0.32    0.2  0.030  0.370   False       False
    """
    sigma = _check_sigma(sigma)
    run_length = _check_run_length(run_length)
    x = as_numeric(successes, "successes", low=0, integer=True)
    n = as_numeric(totals, "totals", low=1, integer=True)
    if len(x) != len(n):
        raise InputError(f"successes and totals must have one value per period; got {len(x)} and {len(n)}")
    if (x > n).any():
        bad = np.flatnonzero(x > n)
        raise InputError(f"successes exceed totals in period(s) {show_examples(bad, x[bad])}")
    if index is not None and len(index) != len(x):
        raise InputError(f"index must have one label per period ({len(x)}), got {len(index)}")
    base = _baseline(baseline, len(x), index)
    center = x[base].sum() / n[base].sum()
    if center in (0.0, 1.0):
        _warn_zero_width("p chart", center)
    se = np.sqrt(center * (1 - center) / n)
    p = x / n
    lower, upper = np.clip(center - sigma * se, 0, 1), np.clip(center + sigma * se, 0, 1)
    out = pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "p": p,
            "center": center,
            "lower": lower,
            "upper": upper,
            "signal": (p < lower) | (p > upper),
            "run_signal": _runs(p > center, p < center, run_length),
        }
    )
    if index is not None:
        out.index = pd.Index(index)
    return out


def _period_codes(df: pd.DataFrame, period: str):
    require_columns(df, [period])
    if len(df) == 0:
        raise InputError("the data have no rows; a control chart needs responses in at least one period")
    if df[period].isna().any():
        bad = df[period].isna().to_numpy()
        raise InputError(
            f"{period}: {int(bad.sum())} missing period(s) at {show_examples(df.index[bad], df[period][bad])}"
        )
    codes, uniques = pd.factorize(df[period], sort=True)
    return codes, pd.Index(uniques, name=period)


def control_chart(
    df: pd.DataFrame,
    period: str,
    column: str,
    scale=(1, 5),
    top: int = 2,
    sigma: float = 3,
    baseline=None,
    run_length: int = 8,
) -> pd.DataFrame:
    """p chart of the top-box share per period, straight from the responses.

    The top-box share is the share of answers in the top ``top`` points of ``scale``
    (4 or 5 on a 1-5 scale by default). Counts are made with one pass over the data
    (``np.bincount``, no loop over periods), so ten million responses in a thousand
    periods take well under two seconds. ``baseline`` and ``run_length`` are as in
    :func:`p_chart`; ``baseline`` may also be a function of the period label
    (``lambda m: m < start``).

    Returns
    -------
    DataFrame
        As :func:`p_chart`, indexed by the sorted period labels.

    Examples
    --------
    >>> d = pd.DataFrame({"month": [1, 1, 1, 2, 2, 2], "satisfaction": [5, 4, 2, 3, 2, 4]})
    >>> control_chart(d, "month", "satisfaction")[["n", "p", "center"]].round(3)
           n      p  center
    month
    1      3  0.667     0.5
    2      3  0.333     0.5
    """
    lo, hi = _box_threshold(scale, top)
    require_columns(df, [period, column])
    codes, index = _period_codes(df, period)
    x = whole_numbers(df[column], column, lo, hi)
    k = len(index)
    hits = np.bincount(codes, weights=x >= hi - top + 1, minlength=k)
    n = np.bincount(codes, minlength=k)
    return p_chart(hits, n, sigma=sigma, index=index, baseline=baseline, run_length=run_length)


def nps_chart(
    df: pd.DataFrame,
    period: str,
    column: str = "recommend",
    sigma: float = 3,
    baseline=None,
    run_length: int = 8,
) -> pd.DataFrame:
    """Control chart for NPS per period, in points.

    The centre line is the pooled NPS of the baseline periods (all by default); each
    period's limits are ``sigma`` standard errors of an NPS from that period's n,
    using the trinomial variance :func:`cxlib.metrics.nps_variance` at the pooled
    shares of promoters and detractors (taken at the centre, as a p chart does).
    ``baseline`` and ``run_length`` are as in :func:`p_chart`.

    Returns
    -------
    DataFrame
        One row per period: ``n``, ``nps``, ``center``, ``lower``, ``upper`` (points,
        within -100..100), ``signal`` and ``run_signal``.

    Examples
    --------
    >>> d = pd.DataFrame({"month": [1] * 4 + [2] * 4, "recommend": [10, 9, 7, 3, 10, 6, 5, 2]})
    >>> nps_chart(d, "month")[["n", "nps", "center"]]
           n   nps  center
    month
    1      4  25.0   -12.5
    2      4 -50.0   -12.5
    """
    sigma = _check_sigma(sigma)
    run_length = _check_run_length(run_length)
    require_columns(df, [period, column])
    codes, index = _period_codes(df, period)
    x = whole_numbers(df[column], column, 0, 10)
    k = len(index)
    n = np.bincount(codes, minlength=k)
    P = np.bincount(codes, weights=x >= PROMOTER_MIN, minlength=k)
    D = np.bincount(codes, weights=x <= DETRACTOR_MAX, minlength=k)
    base = _baseline(baseline, k, index)
    pp, pd_ = P[base].sum() / n[base].sum(), D[base].sum() / n[base].sum()
    center = pp - pd_
    var = float(nps_variance(pp, pd_))
    if var == 0:
        _warn_zero_width("NPS chart", 100 * center)
    se = np.sqrt(var / n)
    nps = (P - D) / n
    lower, upper = np.clip(center - sigma * se, -1, 1), np.clip(center + sigma * se, -1, 1)
    return pd.DataFrame(
        {
            "n": n,
            "nps": 100 * nps,
            "center": 100 * center,
            "lower": 100 * lower,
            "upper": 100 * upper,
            "signal": (nps < lower) | (nps > upper),
            "run_signal": _runs(nps > center, nps < center, run_length),
        },
        index=index,
    )


@dataclass(frozen=True, eq=False)
class ITSResult:
    """Segmented regression of an interrupted time series.

    ``coefficients``: one row per term (``const``, ``time``, ``level_change``,
    ``slope_change``) with ``estimate``, ``se``, ``low``, ``high``, ``p_value``.
    ``fitted`` and ``counterfactual`` (the pre-intervention trend continued) are per
    observation, in the order of the input.
    """

    coefficients: pd.DataFrame
    fitted: np.ndarray = field(repr=False)
    counterfactual: np.ndarray = field(repr=False)
    n: int = 0
    maxlags: int = 0
    confidence: float = 0.95

    def __repr__(self) -> str:
        coef = self.coefficients[["estimate", "se", "low", "high", "p_value"]]
        return (
            f"ITSResult(n={self.n}, HAC maxlags={self.maxlags}, {self.confidence:.0%} CI)\n"
            + coef.to_string(float_format=lambda v: f"{v:.4g}")
        )

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.copy()


def interrupted_time_series(
    df: pd.DataFrame, outcome: str, time: str, intervention, maxlags: int = 2, confidence: float = 0.95
) -> ITSResult:
    """Segmented regression: level and slope change at an intervention, with HAC errors.

    Model: ``y = b0 + b1 * t + b2 * post + b3 * (t - t0) * post + e``, where ``t`` counts
    periods from 0, ``post`` is 1 from the intervention on and ``t0`` is the intervention
    period. ``b0`` is the starting level, ``b1`` the trend before, ``b2`` the immediate
    change in level and ``b3`` the change in slope (the trend after is ``b1 + b3``).
    The model is fitted by OLS; standard errors are Newey-West (HAC, statsmodels
    ``cov_type="HAC"``: Bartlett weights ``1 - l / (maxlags + 1)``, no small-sample
    correction) with ``maxlags`` lags, since neighbouring months are correlated, and the
    intervals use the normal distribution (Bernal, Cummins & Gasparrini 2017, *Int. J.
    Epidemiology* 46, 348-355, describe the design).

    Parameters
    ----------
    df : DataFrame
        One row per period, sorted or not (it is sorted by ``time``; duplicates are an
        error). The periods should be equally spaced: ``t`` is the position in the
        sorted series, so a missing month is not bridged.
    outcome, time : str
        The series and its time column (numbers or dates).
    intervention
        The first period of the intervention, in ``time``'s units. At least 3 periods
        are needed on each side.
    maxlags : int
        Lags of the Newey-West estimator (0 gives heteroskedasticity-robust errors).
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    ITSResult
        ``coefficients`` (one row per term: ``const``, ``time``, ``level_change``,
        ``slope_change``), ``fitted`` and ``counterfactual`` (the trend before,
        continued) in the input's row order, ``n``, ``maxlags``, ``confidence``.

    Examples
    --------
    >>> t = np.arange(24)
    >>> y = 3.5 + 0.01 * t + 0.3 * (t >= 12) + np.random.default_rng(0).normal(0, 0.02, 24)
    >>> res = interrupted_time_series(pd.DataFrame({"t": t, "y": y}), "y", "t", 12)
    >>> float(round(res.coefficients.loc["level_change", "estimate"], 1))
    0.3
    """
    import statsmodels.api as sm

    confidence = check_confidence(confidence)
    require_columns(df, [outcome, time])
    if isinstance(maxlags, bool) or not isinstance(maxlags, (int, np.integer)) or maxlags < 0:
        raise InputError(f"maxlags must be a whole number >= 0, got {maxlags!r}")
    if df[time].isna().any():
        bad = df[time].isna().to_numpy()
        raise InputError(
            f"{time}: {int(bad.sum())} missing time value(s) at {show_examples(df.index[bad], df[time][bad])}"
        )
    d = df[[time, outcome]].sort_values(time, kind="stable")
    if d[time].duplicated().any():
        dup = d[time][d[time].duplicated(keep=False)]
        raise InputError(
            f"{time}: the series has repeated periods ({show_examples(dup.index, dup)}); "
            "aggregate to one row per period first"
        )
    y = as_numeric(d[outcome], outcome)
    times = d[time].to_numpy()
    try:
        post = (times >= intervention).astype(float)
    except TypeError:
        raise InputError(
            f"intervention {intervention!r} cannot be compared with {time} values such as {times[0]!r}"
        ) from None
    if post.sum() < 3 or (1 - post).sum() < 3:
        raise InputError(
            f"the intervention {intervention!r} must leave at least 3 periods before and 3 after; "
            f"got {int((1 - post).sum())} before and {int(post.sum())} after"
        )
    if np.ptp(y) == 0:
        raise InputError(f"{outcome} is constant ({y[0]:g} in every period): there is no change to model")
    if maxlags >= len(y):
        raise InputError(f"maxlags ({maxlags}) must be smaller than the number of periods ({len(y)})")
    t = np.arange(len(y), dtype=float)
    t0 = t[post.argmax()]
    X = np.column_stack([np.ones_like(t), t, post, (t - t0) * post])
    fit = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)})
    ci = fit.conf_int(alpha=1 - confidence)
    names = ["const", "time", "level_change", "slope_change"]
    coef = pd.DataFrame(
        {"estimate": fit.params, "se": fit.bse, "low": ci[:, 0], "high": ci[:, 1], "p_value": fit.pvalues},
        index=pd.Index(names, name="term"),
    )
    counter = fit.params[0] + fit.params[1] * t  # the pre-intervention trend, continued
    return ITSResult(
        coefficients=coef,
        fitted=_unsort(fit.fittedvalues, df[time]),
        counterfactual=_unsort(counter, df[time]),
        n=int(fit.nobs),
        maxlags=int(maxlags),
        confidence=confidence,
    )


def _unsort(values_sorted: np.ndarray, key: pd.Series) -> np.ndarray:
    """Put values computed on the sorted series back in the input's order."""
    pos = np.argsort(key.to_numpy(), kind="stable")
    out = np.empty_like(values_sorted)
    out[pos] = values_sorted
    return out


@dataclass(frozen=True)
class DiDResult(OneRowResult):
    """Difference-in-differences estimate: the change in the treated group beyond the change in the others."""

    estimate: float
    se: float
    low: float
    high: float
    p_value: float
    n: int
    confidence: float = 0.95
    cov_type: str = "nonrobust"
    clusters: int | None = None

    def __repr__(self) -> str:
        cl = f", clusters={self.clusters}" if self.clusters else ""
        return (
            f"DiDResult(estimate={self.estimate:.4g}, "
            f"{self.confidence:.0%} CI [{self.low:.4g}, {self.high:.4g}], "
            f"se={self.se:.4g}, p={self.p_value:.3g}, n={self.n}, {self.cov_type}{cl})"
        )


def _binary(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype):
        if s.isna().any():
            raise InputError(f"{col}: missing values; expected true/false for every row")
        return s.to_numpy(dtype=float)
    x = as_numeric(s, col)
    bad = ~np.isin(x, [0.0, 1.0])
    if bad.any():
        raise InputError(f"{col} must be 0/1 or true/false; found {show_examples(df.index[bad], x[bad])}")
    return x


def diff_in_diff(
    df: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str | None,
    cluster: str | None = None,
    confidence: float = 0.95,
    unit: str | None = None,
    period: str | None = None,
) -> DiDResult:
    """Difference-in-differences by OLS.

    Without ``unit``/``period`` (the classic 2x2): ``outcome ~ treated + post +
    treated:post``; the coefficient of ``treated:post`` is the estimate, which equals
    (treated after - treated before) - (others after - others before) in cell means.

    With ``unit`` and ``period`` (a staggered roll-out): two-way fixed effects,
    ``outcome ~ C(unit) + C(period) + active``, where ``active`` (the programme is running
    in this unit and period) is ``treated`` when ``post=None``, or ``treated * post``
    when ``post`` is given. Two-way fixed effects can be biased when the effect changes
    over time and adoption is staggered, because units treated early serve as
    controls for units treated later (Goodman-Bacon 2021, *Journal of Econometrics*
    225, 254-277); compare with the simple 2x2 of one wave.

    Standard errors are ordinary OLS ones, or cluster-robust (statsmodels
    ``cov_type="cluster"``) when ``cluster`` names a column, which you want when many
    responses share a branch.

    Parameters
    ----------
    df : DataFrame
        One row per response (or per unit and period).
    outcome : str
        The numeric outcome.
    treated, post : str
        0/1 or true/false columns. ``post`` may be None with ``unit`` and ``period``.
    cluster : str, optional
        Column of cluster labels for cluster-robust errors.
    confidence : float
        Confidence level of the interval.
    unit, period : str, optional
        Give both for two-way fixed effects.

    Returns
    -------
    DiDResult
        ``estimate``, ``se``, ``low``, ``high``, ``p_value``, ``n``, ``confidence``,
        ``cov_type`` and ``clusters``; ``.to_frame()`` gives a one-row table.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 1.2, 2.0, 3.1, 0.9, 1.1, 1.4, 1.6],
    ...                   "treated": [1, 1, 1, 1, 0, 0, 0, 0], "post": [0, 0, 1, 1, 0, 0, 1, 1]})
    >>> round(diff_in_diff(d, "y", "treated", "post").estimate, 2)
    0.95
    """
    import statsmodels.api as sm

    confidence = check_confidence(confidence)
    cols = (
        [outcome, treated] + ([post] if post is not None else []) + [c for c in (cluster, unit, period) if c]
    )
    require_columns(df, cols)
    y = as_numeric(df[outcome], outcome)
    tr = _binary(df, treated)
    po = _binary(df, post) if post is not None else None
    if unit is not None or period is not None:
        if unit is None or period is None:
            raise InputError("two-way fixed effects need both unit and period")
        for col in (unit, period):
            if df[col].isna().any():
                bad = df[col].isna().to_numpy()
                raise InputError(
                    f"{col}: {int(bad.sum())} missing label(s) at "
                    f"{show_examples(df.index[bad], df[col][bad])}"
                )
        active = tr if po is None else tr * po
        if active.min() == active.max():
            raise InputError(
                f"the programme is {'active' if active[0] else 'inactive'} in every row; two-way "
                "fixed effects need rows with and without it"
            )
        u = pd.get_dummies(pd.factorize(df[unit])[0], drop_first=True, dtype=float).to_numpy()
        p = pd.get_dummies(pd.factorize(df[period])[0], drop_first=True, dtype=float).to_numpy()
        X = np.column_stack([np.ones(len(y)), active, u, p])
        idx = 1
    else:
        if post is None:
            raise InputError("post must name the before/after column (or give unit and period)")
        for name, g in ((treated, tr), (post, po)):
            if g.min() == g.max():
                raise InputError(
                    f"{name} has only one value; difference-in-differences needs both groups and both periods"
                )
        cells = pd.crosstab(tr, po)
        if (cells.to_numpy() == 0).any():
            raise InputError(
                "each of the four cells (treated/untreated x before/after) needs at least one row"
            )
        X = np.column_stack([np.ones(len(y)), tr, po, tr * po])
        idx = 3
    model = sm.OLS(y, X)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise InputError(
            "the programme indicator is fully explained by the units and periods (no unit switches "
            "it on within the data), so its effect cannot be separated from the fixed effects"
        )
    if cluster is not None:
        groups = pd.factorize(df[cluster])[0]
        if (groups < 0).any():
            bad = groups < 0
            raise InputError(
                f"{cluster}: missing cluster labels at {show_examples(df.index[bad], df[cluster][bad])}"
            )
        n_clusters = int(groups.max() + 1)
        if n_clusters < 2:
            raise InputError(f"{cluster} has only one cluster; cluster-robust errors need several")
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        cov_type = "cluster"
    else:
        n_clusters = None
        fit = model.fit()
        cov_type = "nonrobust"
    ci = fit.conf_int(alpha=1 - confidence)
    return DiDResult(
        estimate=float(fit.params[idx]),
        se=float(fit.bse[idx]),
        low=float(ci[idx, 0]),
        high=float(ci[idx, 1]),
        p_value=float(fit.pvalues[idx]),
        n=int(fit.nobs),
        confidence=confidence,
        cov_type=cov_type,
        clusters=n_clusters,
    )


def sample_size_proportions(
    p1: float, p2: float, alpha: float = 0.05, power: float = 0.8, two_sided: bool = True
) -> int:
    """Responses needed per group to detect a change in a share from ``p1`` to ``p2``.

    Fleiss, Levin & Paik (2003), *Statistical Methods for Rates and Proportions*, 3rd
    ed., formula (4.14), without the continuity correction:
    ``n = [z_a sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2)]^2 / (p2 - p1)^2``, rounded
    up, where ``pbar = (p1 + p2) / 2``, ``z_a`` is the normal quantile of ``1 - alpha/2``
    (``1 - alpha`` one-sided) and ``z_b`` that of ``power``. It is the formula of R's
    ``power.prop.test`` (default ``strict = FALSE``) and of statsmodels'
    ``samplesize_proportions_2indep_onetail``; the far tail of a two-sided test is ignored.

    Parameters
    ----------
    p1, p2 : float
        The share now and the share to detect, strictly between 0 and 1.
    alpha : float
        Significance level.
    power : float
        Chance of detecting the change if it is real.
    two_sided : bool
        Two-sided test (default) or one-sided.

    Returns
    -------
    int
        Responses needed in each of the two groups (periods).

    Examples
    --------
    >>> sample_size_proportions(0.60, 0.65)
    1471
    """
    for name, v in (("p1", p1), ("p2", p2)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise InputError(
                f"{name} must be a proportion strictly between 0 and 1 (e.g. 0.6 for 60%), got {v!r}"
            )
    if p1 == p2:
        raise InputError("p1 and p2 are equal: there is no change to detect")
    for name, v in (("alpha", alpha), ("power", power)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise InputError(f"{name} must be strictly between 0 and 1, got {v!r}")
    if not isinstance(two_sided, (bool, np.bool_)):
        raise InputError(f"two_sided must be True or False, got {two_sided!r}")
    za = stats.norm.isf(alpha / 2 if two_sided else alpha)
    zb = stats.norm.isf(1 - power)
    pbar = (p1 + p2) / 2
    n = (za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (
        p2 - p1
    ) ** 2
    return int(np.ceil(n - 1e-9))
