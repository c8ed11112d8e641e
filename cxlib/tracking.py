"""Tracking improvement: control charts, interrupted time series, difference-in-differences, power.

The improvement cycle is *assess, set standards, train, gather feedback*. Gathering
feedback means telling a real change from the month-to-month wobble:

* :func:`p_chart_limits` and :func:`top_box_limits` (NIST/SEMATECH e-Handbook of
  Statistical Methods, section 6.3.3.2): a proportion per period against limits three
  standard errors from the centre line; a point outside is a *signal*.
  :func:`nps_limits` does the same for NPS. These compute the table of a control chart;
  :func:`cxlib.plots.control_chart` draws it.
* :func:`interrupted_time_series`: segmented regression of a monthly series on time,
  a level change and a slope change at the intervention (classical standard errors with t
  intervals for a short series, or Newey-West (HAC) ones for a long autocorrelated one).
* :func:`diff_in_diff`: the effect of a programme on those who took it, against those
  who did not, before and after (ordinary or cluster-robust standard errors; with clusters,
  t intervals on G - 1 degrees of freedom).
* :func:`collapsed_diff_in_diff`: the same 2x2 comparison when there are only a few units
  (branches): each unit's change, after minus before, compared between the two groups with
  a t test on the units (Donald & Lang 2007).
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

from ._dist import normal_quantile, t_quantile, t_sf
from ._docs import fill
from ._validate import (
    as_flags,
    as_numeric,
    check_confidence,
    no_missing,
    one_kind,
    require_columns,
    show_examples,
    whole_numbers,
)
from .errors import InputError
from .metrics import NPS_SCALE, _box_hits, _box_threshold, _key_codes, _nps_counts, nps_variance
from .results import OneRowResult, coefficient_table


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


@fill
def p_chart_limits(
    successes, totals, sigma: float = 3, index=None, baseline=None, run_length: int = 8
) -> pd.DataFrame:
    """The table of a p chart from counts per period (NIST/SEMATECH e-Handbook, 6.3.3.2).

    Parameters
    ----------
    successes, totals : array-like
        Per period: the number of "successes" (satisfied customers, defective
        wafers...) and of responses.
    {sigma}
    index : array-like, optional
        Labels of the periods (needed for a ``baseline`` function).
    {baseline}
    {run_length}

    Returns
    -------
    DataFrame
        One row per period: ``n``, ``estimate`` (the period's proportion, 0-1),
        ``center`` (the pooled proportion of the baseline, sum of successes / sum of
        totals), ``lower`` and ``upper`` (``center ± sigma * sqrt(center (1 - center) / n)``,
        clipped to 0-1), ``signal`` (the proportion is outside the limits) and
        ``run_signal`` (the run rule). :func:`cxlib.plots.control_chart` draws it.

    Examples
    --------
    >>> p_chart_limits([5, 9, 16], [50, 50, 50]).round(3)
        n  estimate  center  lower  upper  signal  run_signal
    0  50      0.10     0.2  0.030  0.370   False       False
    1  50      0.18     0.2  0.030  0.370   False       False
    2  50      0.32     0.2  0.030  0.370   False       False
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
            "estimate": p,
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
    no_missing(df, [period], "period")
    return _key_codes(df[period], period)


@fill
def top_box_limits(
    df: pd.DataFrame,
    outcome: str,
    period: str,
    scale=(1, 5),
    top: int = 2,
    sigma: float = 3,
    baseline=None,
    run_length: int = 8,
) -> pd.DataFrame:
    """The table of a p chart of the top-box share per period, straight from the responses.

    The top-box share is the share of answers in the top ``top`` points of ``scale``
    (4 or 5 on a 1-5 scale by default). Counts are made with one pass over the data
    (``np.bincount``, no loop over periods), so ten million responses in a thousand
    periods take well under two seconds.

    Parameters
    ----------
    {df}
    outcome : str
        The ratings, whole numbers on ``scale`` (no blanks).
    {period}
    {scale}
    top : int
        How many boxes from the top count as a hit.
    {sigma}
    {baseline}
    {run_length}

    Returns
    -------
    {limits_table}
        The estimate is the period's top-box share (0-1), indexed by the period.

    Examples
    --------
    >>> d = pd.DataFrame({"month": [1, 1, 1, 2, 2, 2], "satisfaction": [5, 4, 2, 3, 2, 4]})
    >>> top_box_limits(d, "satisfaction", "month")[["n", "estimate", "center"]].round(3)
           n  estimate  center
    month
    1      3     0.667     0.5
    2      3     0.333     0.5
    """
    lo, hi = _box_threshold(scale, top)
    require_columns(df, [period, outcome])
    codes, index = _period_codes(df, period)
    x = whole_numbers(df[outcome], outcome, lo, hi)
    k = len(index)
    hits = np.bincount(codes, weights=_box_hits(x, lo, hi, top), minlength=k)
    n = np.bincount(codes, minlength=k)
    return p_chart_limits(hits, n, sigma=sigma, index=index, baseline=baseline, run_length=run_length)


@fill
def nps_limits(
    df: pd.DataFrame,
    outcome: str,
    period: str,
    sigma: float = 3,
    baseline=None,
    run_length: int = 8,
) -> pd.DataFrame:
    """The table of a control chart for NPS per period, in points.

    The centre line is the pooled NPS of the baseline periods (all by default); each
    period's limits are ``sigma`` standard errors of an NPS from that period's n,
    using the trinomial variance :func:`cxlib.metrics.nps_variance` at the pooled
    shares of promoters and detractors (taken at the centre, as a p chart does).

    Parameters
    ----------
    {df}
    outcome : str
        Likelihood-to-recommend ratings, 0-10 (no blanks).
    {period}
    {sigma}
    {baseline}
    {run_length}

    Returns
    -------
    {limits_table}
        The estimate, centre and limits are NPS points (within -100..100).

    Examples
    --------
    >>> d = pd.DataFrame({"month": [1] * 4 + [2] * 4, "recommend": [10, 9, 7, 3, 10, 6, 5, 2]})
    >>> nps_limits(d, "recommend", "month")[["n", "estimate", "center"]]
           n  estimate  center
    month
    1      4      25.0   -12.5
    2      4     -50.0   -12.5
    """
    sigma = _check_sigma(sigma)
    run_length = _check_run_length(run_length)
    require_columns(df, [period, outcome])
    codes, index = _period_codes(df, period)
    x = whole_numbers(df[outcome], outcome, *NPS_SCALE)
    k = len(index)
    P, D, n = _nps_counts(x, codes, k)
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
            "estimate": 100 * nps,
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
    ``slope_change``) with ``estimate``, ``se``, ``low``, ``high``, the test statistic
    (``t`` for classical standard errors, ``z`` for Newey-West ones) and ``p_value``.
    ``fitted`` and ``counterfactual`` (the pre-intervention trend continued) are per
    observation, in the order of the input. ``maxlags`` is None for classical standard
    errors; ``autocorrelation`` is the lag-1 autocorrelation of the residuals, and
    ``independent_autocorrelation`` what it would be on average if the periods were
    independent: below zero, since the fitted lines take up part of any pattern (-0.17 for
    24 periods; the noise around it is about ``1/sqrt(n)``).
    """

    coefficients: pd.DataFrame
    fitted: np.ndarray = field(repr=False)
    counterfactual: np.ndarray = field(repr=False)
    n: int = 0
    maxlags: int | None = None
    confidence: float = 0.95
    autocorrelation: float = float("nan")
    independent_autocorrelation: float = float("nan")

    def __repr__(self) -> str:
        coef = self.coefficients[["estimate", "se", "low", "high", "p_value"]]
        how = "classical SEs, t intervals" if self.maxlags is None else f"HAC maxlags={self.maxlags}"
        return (
            f"ITSResult(n={self.n}, {how}, {self.confidence:.0%} CI, "
            f"lag-1 residual autocorrelation {self.autocorrelation:.2f})\n"
            + coef.to_string(float_format=lambda v: f"{v:.4g}")
        )

    def to_frame(self) -> pd.DataFrame:
        """The coefficients table.

        Returns
        -------
        DataFrame
            A copy of ``coefficients``.
        """
        return self.coefficients.copy()


@fill
def interrupted_time_series(
    df: pd.DataFrame,
    outcome: str,
    time: str,
    intervention,
    maxlags: int | None = None,
    confidence: float = 0.95,
) -> ITSResult:
    """Segmented regression: level and slope change at an intervention.

    Model: ``y = b0 + b1 * t + b2 * post + b3 * (t - t0) * post + e``, where ``t`` counts
    periods from 0, ``post`` is 1 from the intervention on and ``t0`` is the intervention
    period. ``b0`` is the starting level, ``b1`` the trend before, ``b2`` the immediate
    change in level and ``b3`` the change in slope (the trend after is ``b1 + b3``).
    The model is fitted by OLS (Bernal, Cummins & Gasparrini 2017, *Int. J. Epidemiology*
    46, 348-355, describe the design).

    Standard errors: by default (``maxlags=None``) the classical ones, with t intervals on
    ``n - 4`` degrees of freedom. That is right when neighbouring periods are not correlated
    beyond what the trend explains; the result reports the lag-1 autocorrelation of the
    residuals to check it. With ``maxlags`` a whole number, Newey-West (HAC) standard errors
    with that many lags (statsmodels ``cov_type="HAC"``: Bartlett weights
    ``1 - l / (maxlags + 1)``, no small-sample correction) and normal intervals, for a long
    autocorrelated series. In a short series (two years of months) Newey-West standard errors
    come out too small, so their intervals cover the truth far less often than they claim
    (Andrews 1991, *Econometrica* 59(3), 817-858, on their small-sample bias); there, check
    the autocorrelation and prefer the classical errors if it is small.

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
    maxlags : int or None
        None (the default) for classical standard errors; a whole number for Newey-West
        (HAC) standard errors with that many lags (0 gives heteroskedasticity-robust errors).
    {confidence}

    Returns
    -------
    ITSResult
        ``coefficients`` (one row per term: ``const``, ``time``, ``level_change``,
        ``slope_change``; columns ``estimate``, ``se``, ``low``, ``high``, ``t`` or ``z``,
        ``p_value``), ``fitted`` and ``counterfactual`` (the trend before, continued) in
        the input's row order, ``n``, ``maxlags``, ``confidence`` and ``autocorrelation``
        (lag-1, of the residuals).

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
    if maxlags is not None and (
        isinstance(maxlags, bool) or not isinstance(maxlags, (int, np.integer)) or maxlags < 0
    ):
        raise InputError(f"maxlags must be None (classical errors) or a whole number >= 0, got {maxlags!r}")
    no_missing(df, [time], "time value")
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
    if maxlags is not None and maxlags >= len(y):
        raise InputError(f"maxlags ({maxlags}) must be smaller than the number of periods ({len(y)})")
    t = np.arange(len(y), dtype=float)
    t0 = t[post.argmax()]
    X = np.column_stack([np.ones_like(t), t, post, (t - t0) * post])
    if maxlags is None:
        fit = sm.OLS(y, X).fit()
    else:
        fit = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)})
    coef = coefficient_table(fit, ["const", "time", "level_change", "slope_change"], confidence)
    counter = fit.params[0] + fit.params[1] * t  # the pre-intervention trend, continued
    resid = np.asarray(fit.resid)
    return ITSResult(
        coefficients=coef,
        fitted=_unsort(fit.fittedvalues, df[time]),
        counterfactual=_unsort(counter, df[time]),
        n=int(fit.nobs),
        maxlags=None if maxlags is None else int(maxlags),
        confidence=confidence,
        autocorrelation=float(np.sum(resid[1:] * resid[:-1]) / np.sum(resid**2)),
        independent_autocorrelation=_independent_autocorrelation(X),
    )


def _independent_autocorrelation(X: np.ndarray) -> float:
    """The lag-1 autocorrelation of OLS residuals expected when the errors are independent.

    The residuals are ``M u`` with ``M = I - X (X'X)^-1 X'``; for independent errors of equal
    variance ``E[sum e_t e_(t+1)] = s2 tr(M A)`` (``A`` ones on the first superdiagonal) and
    ``E[sum e_t^2] = s2 (n - k)``: their ratio, the first-order value Durbin and Watson's
    moments of the residuals' serial correlation rest on (Durbin & Watson 1950, Biometrika
    37). With a constant alone it is ``-1/n``, the classical mean of a white-noise series'
    lag-1 autocorrelation.
    """
    n = X.shape[0]
    M = np.eye(n) - X @ np.linalg.pinv(X)
    return float(np.trace(M, offset=-1) / (n - np.linalg.matrix_rank(X)))


def _unsort(values_sorted: np.ndarray, key: pd.Series) -> np.ndarray:
    """Put values computed on the sorted series back in the input's order."""
    pos = np.argsort(key.to_numpy(), kind="stable")
    out = np.empty_like(values_sorted)
    out[pos] = values_sorted
    return out


def _check_did_se(se: float, estimate: float, y: np.ndarray, cluster, n_clusters) -> None:
    """Refuse a standard error that is infinite or zero: the interval would claim what it cannot know."""
    scale = max(abs(estimate), float(np.std(y)), np.finfo(float).tiny)
    if np.isfinite(se) and se > 1e-9 * scale:
        return
    if cluster is not None:
        raise InputError(
            f"the cluster-robust standard error is {se:.3g} with {n_clusters} clusters of {cluster!r}: "
            "too few clusters (each group a cluster of its own, say) leave no variation to estimate it, "
            "so the interval would be a point. Use many more clusters (dozens), or leave cluster out "
            "(the errors then treat responses as independent)"
        )
    raise InputError(
        f"the standard error is {se:.3g}: the outcome has no variation left once the cells are fitted "
        "(every response in a cell is the same), so no interval can be given; check the outcome column"
    )


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


@fill
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
    ``cov_type="cluster"``, with its small-sample factor) when ``cluster`` names a column,
    which you want when many responses share a branch. With clusters the intervals and
    p-values use the t distribution on ``G - 1`` degrees of freedom (``G`` clusters), as
    Stata does; with few clusters (under about 20 to 50) cluster-robust standard errors are
    themselves noisy and tend to be too small even so (Cameron & Miller 2015, *Journal of
    Human Resources* 50(2), 317-372). For a 2x2 comparison of a few units,
    :func:`collapsed_diff_in_diff` is the safer choice.

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
    {confidence}
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
    tr = as_flags(df[treated], treated).astype(float)
    po = as_flags(df[post], post).astype(float) if post is not None else None
    if unit is not None or period is not None:
        if unit is None or period is None:
            raise InputError("two-way fixed effects need both unit and period")
        no_missing(df, [unit, period], "label")
        one_kind(df[unit], unit)
        one_kind(df[period], period)
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
    spare = len(y) - X.shape[1]
    if spare < 1:
        raise InputError(
            f"{len(y)} rows for {X.shape[1]} coefficients (one row per cell): nothing is left to estimate "
            "the noise, so the interval would be infinite; difference-in-differences needs more than one "
            "response in at least one cell (use the responses, not the cell means)"
        )
    if cluster is not None:
        no_missing(df, [cluster], "cluster label")
        one_kind(df[cluster], cluster)
        groups = pd.factorize(df[cluster])[0]
        n_clusters = int(groups.max() + 1)
        if n_clusters < 2:
            raise InputError(f"{cluster} has only one cluster; cluster-robust errors need several")
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        cov_type = "cluster"
    else:
        n_clusters = None
        fit = model.fit()
        cov_type = "nonrobust"
    row = coefficient_table(fit, range(X.shape[1]), confidence).iloc[idx]
    _check_did_se(float(row["se"]), float(row["estimate"]), y, cluster, n_clusters)
    return DiDResult(
        estimate=float(row["estimate"]),
        se=float(row["se"]),
        low=float(row["low"]),
        high=float(row["high"]),
        p_value=float(row["p_value"]),
        n=int(fit.nobs),
        confidence=confidence,
        cov_type=cov_type,
        clusters=n_clusters,
    )


@dataclass(frozen=True)
class ContrastResult(OneRowResult):
    """A contrast of group means with its pooled-variance t interval (:func:`contrast_of_means`)."""

    estimate: float
    se: float
    low: float
    high: float
    p_value: float
    df: int
    n: int
    confidence: float = 0.95

    def __repr__(self) -> str:
        head = f"ContrastResult(estimate={self.estimate:.4g}, se={self.se:.4g}"
        return f"{head}, {self._interval()}, df={self.df})"


@fill
def contrast_of_means(groups, coefficients, confidence: float = 0.95) -> ContrastResult:
    """A contrast of independent groups' means, ``sum(c_k * mean_k)``, with its pooled t interval.

    The groups are taken to share one variance, as in a one-way analysis of variance: it is
    estimated by pooling every group's squared deviations from its own mean over ``N - K`` degrees
    of freedom (``N`` values in ``K`` groups), and the contrast's standard error is
    ``s * sqrt(sum(c_k**2 / n_k))`` (Kutner, Nachtsheim, Neter & Li 2005, *Applied Linear
    Statistical Models*, 5th ed., chapter 17, a contrast of factor level means). With two groups and
    coefficients ``(1, -1)`` it is the two-sample pooled t interval.

    Parameters
    ----------
    groups : sequence of array-like
        The values of each group (at least one each, ``N - K`` at least 1).
    coefficients : sequence of float
        One per group.
    {confidence}

    Returns
    -------
    ContrastResult
        ``estimate``, ``se``, ``low``, ``high``, ``p_value`` (two-sided, against 0), ``df``,
        ``n`` (values in all) and ``confidence``.

    Examples
    --------
    Two groups, the first 2 above the second: the pooled variance is 1, so the standard error is
    ``sqrt(1/3 + 1/3)``.

    >>> res = contrast_of_means([[1, 2, 3], [-1, 0, 1]], [1, -1])
    >>> round(res.estimate, 3), round(res.se, 3), res.df
    (2.0, 0.816, 4)
    """
    confidence = check_confidence(confidence)
    coefficients = [float(c) for c in coefficients]
    if len(coefficients) != len(groups) or not groups:
        raise InputError(
            f"contrast_of_means needs one coefficient per group: {len(groups)} group(s), "
            f"{len(coefficients)} coefficient(s)"
        )
    values = [as_numeric(pd.Series(g, dtype=float), f"group {i}") for i, g in enumerate(groups)]
    sizes = np.array([len(v) for v in values])
    dof = int(sizes.sum() - len(values))
    if (sizes < 1).any() or dof < 1:
        raise InputError(
            f"a contrast needs at least one value in every group and more values than groups; "
            f"group sizes {sizes.tolist()}"
        )
    pooled = sum(float(np.sum((v - v.mean()) ** 2)) for v in values) / dof
    est = float(sum(c * v.mean() for c, v in zip(coefficients, values)))
    se = float(np.sqrt(pooled * sum(c * c / n for c, n in zip(coefficients, sizes))))
    if se == 0:
        raise InputError("every group's values are all the same: there is no spread to give an interval")
    half = float(t_quantile(0.5 + confidence / 2, dof)) * se
    return ContrastResult(
        estimate=est,
        se=se,
        low=est - half,
        high=est + half,
        p_value=float(2 * t_sf(abs(est) / se, dof)),
        df=dof,
        n=int(sizes.sum()),
        confidence=confidence,
    )


@fill
def collapsed_diff_in_diff(
    df: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    unit: str,
    confidence: float = 0.95,
) -> DiDResult:
    """Difference-in-differences for a few units: each unit's change, compared between groups.

    With only a handful of units (branches, stores), responses of the same unit share its
    shocks, and cluster-robust standard errors need many units to be trusted. The safer
    route collapses the data (Donald & Lang 2007, *Review of Economics and Statistics*
    89(2), 221-233; Bertrand, Duflo & Mullainathan 2004, *Quarterly Journal of Economics*
    119(1), 249-275): each unit's mean ``outcome`` after, minus its mean before, gives one
    change per unit; the estimate is the mean change of the treated units minus the mean
    change of the others, and its interval is the two-sample t interval on those changes
    with pooled variance and ``G - 2`` degrees of freedom (``G`` units). Every unit counts
    once, however many responses it has, so the estimate is the unweighted average of the
    treated units' effects.

    Parameters
    ----------
    {df}
    outcome : str
        The numeric outcome.
    treated, post : str
        0/1 or true/false columns: the unit took the programme (the same value on every row
        of a unit); the row is from after the start.
    unit : str
        The column naming each unit; every unit needs rows before and after.
    {confidence}

    Returns
    -------
    DiDResult
        ``estimate``, ``se``, ``low``, ``high``, ``p_value`` (two-sided), ``n`` (rows),
        ``confidence``, ``cov_type`` (``"collapsed to units"``) and ``clusters`` (units).

    Examples
    --------
    Two treated and two untreated units, one mean before and after each: the treated rise
    by 1.0 and 1.2, the others by 0.1 and 0.3, so the estimate is 1.1 - 0.2 = 0.9.

    >>> d = pd.DataFrame({"branch": ["a", "a", "b", "b", "c", "c", "d", "d"],
    ...                   "treated": [1, 1, 1, 1, 0, 0, 0, 0], "post": [0, 1] * 4,
    ...                   "y": [3.0, 4.0, 3.5, 4.7, 3.2, 3.3, 3.0, 3.3]})
    >>> res = collapsed_diff_in_diff(d, "y", "treated", "post", "branch")
    >>> round(res.estimate, 2), round(res.se, 3), res.clusters
    (0.9, 0.141, 4)
    """
    confidence = check_confidence(confidence)
    require_columns(df, [outcome, treated, post, unit])
    y = as_numeric(df[outcome], outcome)
    tr = as_flags(df[treated], treated)
    po = as_flags(df[post], post)
    no_missing(df, [unit], "unit label")
    codes, units = pd.factorize(df[unit], sort=True)
    g = pd.DataFrame({"unit": codes, "treated": tr, "post": po, "y": y})
    mixed = g.groupby("unit")["treated"].nunique() > 1
    if mixed.any():
        raise InputError(
            f"{treated} must be the same on every row of a unit; it changes within "
            f"{', '.join(map(repr, units[mixed[mixed].index].tolist()[:5]))}"
        )
    means = g.groupby(["unit", "post"])["y"].mean().unstack()
    lacking = means.isna().any(axis=1) | (means.shape[1] < 2)
    if lacking.any():
        raise InputError(
            f"every unit needs rows before and after ({post}); "
            f"{', '.join(map(repr, units[lacking[lacking].index].tolist()[:5]))} lack one of them"
        )
    change = (means[True] - means[False]).to_numpy()
    is_treated = g.groupby("unit")["treated"].first().to_numpy()
    a, b = change[is_treated], change[~is_treated]
    n_units = len(change)
    if len(a) < 1 or len(b) < 1 or n_units < 3:
        raise InputError(
            f"a comparison of units needs treated and untreated units, and at least 3 in all; got "
            f"{len(a)} treated and {len(b)} untreated"
        )
    try:
        res = contrast_of_means([a, b], [1, -1], confidence)  # the pooled t interval, G - 2 df
    except InputError:
        raise InputError(
            "every unit changed by exactly the same amount in its group: there is no spread"
        ) from None
    return DiDResult(
        estimate=res.estimate,
        se=res.se,
        low=res.low,
        high=res.high,
        p_value=res.p_value,
        n=len(y),
        confidence=confidence,
        cov_type="collapsed to units",
        clusters=n_units,
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
    if power <= alpha:
        raise InputError(
            f"power ({power}) must be above alpha ({alpha}): a test at level alpha already flags a change"
            " that is not there with chance alpha, so a power at or below it asks for nothing"
        )
    if not isinstance(two_sided, (bool, np.bool_)):
        raise InputError(f"two_sided must be True or False, got {two_sided!r}")
    za = -normal_quantile(alpha / 2 if two_sided else alpha)
    zb = -normal_quantile(1 - power)
    pbar = (p1 + p2) / 2
    n = (za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (
        p2 - p1
    ) ** 2
    return int(np.ceil(n - 1e-9))
