"""Headline metrics with honest uncertainty: NPS, top-box (CSAT), effort, means.

Every metric comes with its standard error, a confidence interval and the number of
responses it rests on (a :class:`cxlib.results.Estimate`).

* **NPS** (Net Promoter Score): from 0-10 likelihood-to-recommend ratings, the
  percentage of promoters (9-10) minus the percentage of detractors (0-6), from -100
  to +100. Its interval is the *adjusted-Wald* interval that Rocks (2016, "Interval
  estimation for the 'Net Promoter Score'", *The American Statistician* 70(4)) found
  to perform best: add 3/4 of a response to the promoters and to the detractors (3 to
  the sample size, the rest to the passives), then use the variance of a difference of
  two proportions of a trinomial. ``method="wald"`` gives the plain interval.
* **Top-box** (CSAT as the share of satisfied customers): the percentage of answers in
  the top ``top`` boxes of the scale, with the Wilson score interval (Wilson 1927;
  Newcombe 1998, *Statistics in Medicine* 17).
* **Effort** and other **means**: the mean rating with a t interval.

:func:`by_group` computes any of them for every branch, month or competitor at once,
from one pass of counts over the data (no loop over groups), so it stays fast on
millions of responses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import as_numeric, check_confidence, require_columns, show_examples, suggest
from .errors import InputError
from .results import Estimate

NPS_SCALE = (0, 10)
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
METHODS = ("adjusted_wald", "wald")


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, got {method!r}{suggest(str(method), METHODS)}")
    return method


def _check_scale(scale) -> tuple[int, int]:
    try:
        lo, hi = scale
    except (TypeError, ValueError):
        raise InputError(f"scale must be a pair (lowest, highest), for example (1, 5), got {scale!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (lo, hi)) or lo >= hi:
        raise InputError(f"scale must be two whole numbers, lowest first, for example (1, 5), got {scale!r}")
    return int(lo), int(hi)


# --- formulas on arrays of counts: written once, used by the scalar functions and by_group ---

def nps_from_counts(promoters, detractors, n, method: str = "adjusted_wald", confidence: float = 0.95) -> pd.DataFrame:
    """NPS, its standard error and interval from counts (vectorised over groups).

    Parameters
    ----------
    promoters, detractors, n : array-like
        Counts of promoters (9-10), detractors (0-6) and all responses.
    method : {"adjusted_wald", "wald"}
    confidence : float

    Returns
    -------
    DataFrame
        ``value`` (observed NPS, points), ``se``, ``low``, ``high`` (points, within
        -100..100), ``n``.

    Examples
    --------
    >>> nps_from_counts([50], [20], [100], method="wald").round(2)
       value    se    low   high    n
    0   30.0  7.81  14.69  45.31  100
    """
    _check_method(method)
    confidence = check_confidence(confidence)
    P, D, N = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in (promoters, detractors, n)))
    if (N <= 0).any():
        raise InputError("every group needs at least one response to compute an NPS")
    observed_n = N
    value = (P - D) / N
    if method == "adjusted_wald":
        P, D, N = P + 0.75, D + 0.75, N + 3.0
    pp, pd_ = P / N, D / N
    centre = pp - pd_
    se = np.sqrt(np.maximum(pp + pd_ - centre**2, 0.0) / N)
    half = _z(confidence) * se
    return pd.DataFrame({"value": 100 * value, "se": 100 * se,
                         "low": 100 * np.clip(centre - half, -1, 1), "high": 100 * np.clip(centre + half, -1, 1),
                         "n": observed_n.astype(np.int64)})


def wilson_from_counts(successes, n, confidence: float = 0.95) -> pd.DataFrame:
    """Percentage with a Wilson score interval from counts (vectorised).

    The Wilson interval (Wilson 1927) is the one Newcombe (1998) recommends for a
    single proportion: it never leaves 0-100% and behaves well for small samples and
    shares near 0 or 100%.

    Examples
    --------
    >>> wilson_from_counts([81], [263]).round(2)  # Newcombe (1998), Table I, example (a)
       value    se    low   high    n
    0   30.8  2.85  25.53  36.62  263
    """
    confidence = check_confidence(confidence)
    x, N = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in (successes, n)))
    if (N <= 0).any():
        raise InputError("every group needs at least one response to compute a percentage")
    if ((x < 0) | (x > N)).any():
        raise InputError("successes must lie between 0 and n")
    z = _z(confidence)
    p = x / N
    denom = 1 + z**2 / N
    centre = (p + z**2 / (2 * N)) / denom
    half = z * np.sqrt(p * (1 - p) / N + z**2 / (4 * N**2)) / denom
    return pd.DataFrame({"value": 100 * p, "se": 100 * np.sqrt(p * (1 - p) / N),
                         "low": 100 * np.clip(centre - half, 0, 1), "high": 100 * np.clip(centre + half, 0, 1),
                         "n": N.astype(np.int64)})


def mean_from_sums(total, total_sq, n, confidence: float = 0.95) -> pd.DataFrame:
    """Mean with a t interval from sums and sums of squares (vectorised).

    Examples
    --------
    >>> mean_from_sums([10.0], [30.0], [4]).round(3)
       value     se    low   high  n
    0    2.5  0.645  0.446  4.554  4
    """
    confidence = check_confidence(confidence)
    S, Q, N = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in (total, total_sq, n)))
    if (N <= 0).any():
        raise InputError("every group needs at least one response to compute a mean")
    if not (np.isfinite(S).all() and np.isfinite(Q).all()):
        raise InputError("the values are too large to average and square without overflow (beyond about 1e154); "
                         "check the data")
    mean = S / N
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(N > 1, np.maximum(Q - N * mean**2, 0.0) / (N - 1), np.nan)
        se = np.sqrt(var / N)
        t = np.where(N > 1, stats.t.ppf(0.5 + confidence / 2, np.maximum(N - 1, 1)), np.nan)
    return pd.DataFrame({"value": mean, "se": se, "low": mean - t * se, "high": mean + t * se,
                         "n": N.astype(np.int64)})


def _estimate(frame: pd.DataFrame, confidence: float, method: str) -> Estimate:
    row = frame.iloc[0]
    return Estimate(value=float(row["value"]), se=float(row["se"]), low=float(row["low"]), high=float(row["high"]),
                    n=int(row["n"]), confidence=confidence, method=method)


# --- the metrics on raw scores ---

def nps(scores, method: str = "adjusted_wald", confidence: float = 0.95) -> Estimate:
    """Net Promoter Score of 0-10 ratings, with a confidence interval.

    Parameters
    ----------
    scores : array-like or Series
        Likelihood-to-recommend ratings, whole numbers 0 to 10, no missing values.
    method : {"adjusted_wald", "wald"}
        ``"adjusted_wald"`` (Rocks 2016; the default) or the plain Wald interval.
    confidence : float
        Confidence level, between 0 and 1.

    Returns
    -------
    Estimate
        ``value`` is the observed NPS in points (-100 to 100); ``se``, ``low`` and
        ``high`` are in points; ``n`` the number of ratings. With the adjusted-Wald
        method the interval is centred on the adjusted estimate, so it is not
        symmetric around ``value``.

    Examples
    --------
    >>> scores = [10] * 50 + [8] * 30 + [3] * 20
    >>> nps(scores, method="wald")
    Estimate(value=30, 95% CI [14.69, 45.31], se=7.81, n=100, method='wald')
    >>> round(nps(scores).low, 2), round(nps(scores).high, 2)
    (14.05, 44.2)
    """
    _check_method(method)
    confidence = check_confidence(confidence)
    x = as_numeric(scores, "scores", low=NPS_SCALE[0], high=NPS_SCALE[1], integer=True)
    frame = nps_from_counts((x >= PROMOTER_MIN).sum(), (x <= DETRACTOR_MAX).sum(), len(x), method, confidence)
    return _estimate(frame, confidence, method)


@dataclass(frozen=True)
class NPSComparison:
    """The difference between two NPS samples: ``a`` minus ``b``, in points.

    ``low`` and ``high`` are the confidence interval of the difference; ``z`` and
    ``p_value`` test "no difference" (two-sided).
    """

    difference: float
    se: float
    low: float
    high: float
    z: float
    p_value: float
    n_a: int
    n_b: int
    confidence: float = 0.95
    method: str = "adjusted_wald"

    def __repr__(self) -> str:
        pct = f"{self.confidence * 100:g}%"
        return (f"NPSComparison(difference={self.difference:.4g}, {pct} CI [{self.low:.4g}, {self.high:.4g}], "
                f"z={self.z:.3f}, p={self.p_value:.3g}, n_a={self.n_a}, n_b={self.n_b}, method={self.method!r})")

    def to_frame(self) -> pd.DataFrame:
        """The comparison as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


def compare_nps(a, b, method: str = "adjusted_wald", confidence: float = 0.95) -> NPSComparison:
    """Compare the NPS of two independent samples (a branch against the rest, this year against last).

    The difference of two NPS is estimated with the variance of each NPS (a trinomial
    difference of proportions) summed; with ``method="adjusted_wald"`` each sample gets
    the adjustment of :func:`nps` (3/4 of a response added to promoters and to
    detractors) before the variances and the centre of the interval are computed, as
    in Rocks (2016) and Sauro & Lewis's comparison of two NPS.

    Examples
    --------
    >>> a = [10] * 60 + [7] * 20 + [2] * 20
    >>> b = [10] * 40 + [7] * 30 + [2] * 30
    >>> compare_nps(a, b, method="wald")
    NPSComparison(difference=30, 95% CI [7.397, 52.6], z=2.601, p=0.00929, n_a=100, n_b=100, method='wald')
    """
    _check_method(method)
    confidence = check_confidence(confidence)
    xa = as_numeric(a, "a", low=0, high=10, integer=True)
    xb = as_numeric(b, "b", low=0, high=10, integer=True)
    counts = []
    for x in (xa, xb):
        P, D, N = float((x >= PROMOTER_MIN).sum()), float((x <= DETRACTOR_MAX).sum()), float(len(x))
        if method == "adjusted_wald":
            P, D, N = P + 0.75, D + 0.75, N + 3.0
        counts.append((P / N, D / N, N))
    (pa, da, na), (pb, db, nb) = counts
    centre = (pa - da) - (pb - db)
    se = np.sqrt((pa + da - (pa - da) ** 2) / na + (pb + db - (pb - db) ** 2) / nb)
    observed = ((xa >= PROMOTER_MIN).mean() - (xa <= DETRACTOR_MAX).mean()) - \
               ((xb >= PROMOTER_MIN).mean() - (xb <= DETRACTOR_MAX).mean())
    if se == 0:
        z = 0.0 if centre == 0 else float(np.sign(centre) * np.inf)
        p = 1.0 if centre == 0 else 0.0
    else:
        z = float(centre / se)
        p = float(2 * stats.norm.sf(abs(z)))
    half = _z(confidence) * se
    return NPSComparison(difference=float(100 * observed), se=float(100 * se),
                         low=float(100 * max(centre - half, -2)), high=float(100 * min(centre + half, 2)),
                         z=z, p_value=p, n_a=len(xa), n_b=len(xb), confidence=confidence, method=method)


def _box_threshold(scale, top: int, name: str = "top") -> tuple[int, int]:
    lo, hi = _check_scale(scale)
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or not 1 <= top <= hi - lo:
        raise InputError(f"{name} must be a whole number from 1 to {hi - lo} for the scale {lo}-{hi}, got {top!r}")
    return lo, hi


def top_box(scores, scale=(1, 5), top: int = 2, confidence: float = 0.95) -> Estimate:
    """Percentage of answers in the top ``top`` boxes of the scale, with a Wilson interval.

    CSAT is usually reported as the top-2-box share of a 1-5 satisfaction question:
    the percentage of customers answering 4 or 5.

    Examples
    --------
    >>> top_box([5, 4, 4, 3, 2, 5, 4, 1, 5, 4])
    Estimate(value=70, 95% CI [39.68, 89.22], se=14.49, n=10, method='wilson')
    """
    lo, hi = _box_threshold(scale, top)
    confidence = check_confidence(confidence)
    x = as_numeric(scores, "scores", low=lo, high=hi, integer=True)
    frame = wilson_from_counts((x >= hi - top + 1).sum(), len(x), confidence)
    return _estimate(frame, confidence, "wilson")


def bottom_box(scores, scale=(1, 5), bottom: int = 2, confidence: float = 0.95) -> Estimate:
    """Percentage of answers in the bottom ``bottom`` boxes of the scale, with a Wilson interval.

    For an effort question where 1 means very low effort, ``bottom_box(effort,
    scale=(1, 7), bottom=3)`` is the share of customers who found it easy.

    Examples
    --------
    >>> bottom_box([1, 2, 2, 3, 5, 6, 7, 2], scale=(1, 7), bottom=3).value
    62.5
    """
    lo, hi = _box_threshold(scale, bottom, "bottom")
    confidence = check_confidence(confidence)
    x = as_numeric(scores, "scores", low=lo, high=hi, integer=True)
    frame = wilson_from_counts((x <= lo + bottom - 1).sum(), len(x), confidence)
    return _estimate(frame, confidence, "wilson")


def mean_score(scores, scale=None, confidence: float = 0.95) -> Estimate:
    """Mean rating with a t interval (``scale``, if given, is checked).

    Examples
    --------
    >>> mean_score([1, 2, 3, 4], scale=(1, 5))
    Estimate(value=2.5, 95% CI [0.4456, 4.554], se=0.6455, n=4, method='t')
    """
    confidence = check_confidence(confidence)
    lo, hi = _check_scale(scale) if scale is not None else (None, None)
    x = as_numeric(scores, "scores", low=lo, high=hi, integer=scale is not None)
    if len(x) < 2:
        raise InputError("a mean's interval needs at least 2 responses")
    with np.errstate(over="ignore"):
        frame = mean_from_sums(x.sum(), (x**2).sum(), len(x), confidence)
    return _estimate(frame, confidence, "t")


def effort_score(scores, scale=(1, 7), confidence: float = 0.95) -> Estimate:
    """Customer effort score: the mean effort rating with a t interval (lower = easier).

    The course's survey asks how much effort it took, from 1 (very low) to 7 (very
    high). Report it with :func:`bottom_box` (share who found it easy) when a share
    reads better.

    Examples
    --------
    >>> effort_score([1, 2, 2, 3, 6]).value
    2.8
    """
    return mean_score(scores, scale=scale, confidence=confidence)


# --- many groups at once ---

BY_GROUP_METRICS = ("nps", "top_box", "bottom_box", "effort", "mean")


def by_group(df: pd.DataFrame, metric: str, group, column: str, **options) -> pd.DataFrame:
    """Compute a metric for every group at once: NPS by branch, top-box by month, ...

    Parameters
    ----------
    df : DataFrame
    metric : {"nps", "top_box", "bottom_box", "effort", "mean"}
    group : str or list of str
        Column(s) defining the groups. Groups of a categorical column that have no
        responses are left out (``observed=True``); a group must have a response to
        have a metric.
    column : str
        The ratings.
    **options
        The metric's options: ``method`` and ``confidence`` for NPS; ``scale``, ``top``
        (``bottom``) and ``confidence`` for box shares; ``scale`` and ``confidence``
        for means.

    Returns
    -------
    DataFrame
        Indexed by group, columns ``value``, ``se``, ``low``, ``high``, ``n``; for each
        group the same numbers as the single-sample function gives. For a mean, a group
        with one response has no standard error (NaN) and a warning-free NaN interval is
        documented rather than invented.

    Examples
    --------
    >>> d = pd.DataFrame({"branch": ["A"] * 4 + ["B"] * 4, "recommend": [10, 9, 7, 3, 10, 6, 5, 2]})
    >>> by_group(d, "nps", "branch", "recommend", method="wald").round(1)
            value    se   low   high  n
    branch
    A        25.0  41.5 -56.3  100.0  4
    B       -50.0  43.3 -100.0  34.9  4
    """
    if metric not in BY_GROUP_METRICS:
        raise InputError(f"metric must be one of {', '.join(BY_GROUP_METRICS)}, got {metric!r}"
                         f"{suggest(str(metric), BY_GROUP_METRICS)}")
    keys = [group] if isinstance(group, str) else list(group)
    if not keys:
        raise InputError("group must name at least one column")
    require_columns(df, [*keys, column])
    allowed = {"nps": {"method", "confidence"}, "top_box": {"scale", "top", "confidence"},
               "bottom_box": {"scale", "bottom", "confidence"}, "effort": {"scale", "confidence"},
               "mean": {"scale", "confidence"}}[metric]
    unknown = set(options) - allowed
    if unknown:
        raise InputError(f"by_group({metric!r}) takes the options {', '.join(sorted(allowed))}; "
                         f"got {', '.join(sorted(unknown))}")
    confidence = check_confidence(options.get("confidence", 0.95))
    for k in keys:
        bad = df[k].isna().to_numpy()
        if bad.any():
            raise InputError(f"{k}: {int(bad.sum())} missing group label(s) at "
                             f"{show_examples(df.index[bad], df[k][bad])}; drop or fill them first")
    if len(df) == 0:
        raise InputError(f"{column} is empty: at least one value is needed")
    if len(keys) == 1:
        codes, uniques = pd.factorize(df[keys[0]], sort=True)
        index = pd.Index(uniques, name=keys[0]) if not isinstance(uniques, pd.Index) else uniques.rename(keys[0])
        if isinstance(df[keys[0]].dtype, pd.CategoricalDtype):
            index = pd.CategoricalIndex(uniques, name=keys[0])
    else:
        grouped = df.groupby(keys, observed=True, sort=True)
        codes = grouped.ngroup().to_numpy()
        index = pd.MultiIndex.from_frame(grouped.size().reset_index()[keys])
    k = len(index)
    n = np.bincount(codes, minlength=k)
    if metric == "nps":
        method = _check_method(options.get("method", "adjusted_wald"))
        x = as_numeric(df[column], column, low=0, high=10, integer=True)
        P = np.bincount(codes, weights=(x >= PROMOTER_MIN), minlength=k)
        D = np.bincount(codes, weights=(x <= DETRACTOR_MAX), minlength=k)
        out = nps_from_counts(P, D, n, method, confidence)
    elif metric in ("top_box", "bottom_box"):
        scale = options.get("scale", (1, 5))
        size = options.get("top" if metric == "top_box" else "bottom", 2)
        lo, hi = _box_threshold(scale, size, "top" if metric == "top_box" else "bottom")
        x = as_numeric(df[column], column, low=lo, high=hi, integer=True)
        hit = (x >= hi - size + 1) if metric == "top_box" else (x <= lo + size - 1)
        out = wilson_from_counts(np.bincount(codes, weights=hit, minlength=k), n, confidence)
    else:
        scale = options.get("scale", (1, 7) if metric == "effort" else None)
        lo, hi = _check_scale(scale) if scale is not None else (None, None)
        x = as_numeric(df[column], column, low=lo, high=hi, integer=scale is not None)
        with np.errstate(over="ignore"):
            squares = x * x
        out = mean_from_sums(np.bincount(codes, weights=x, minlength=k), np.bincount(codes, weights=squares, minlength=k),
                             n, confidence)
        if (n < 2).any():
            import warnings

            single = [str(g) for g in np.asarray(index)[n < 2][:5]]
            warnings.warn(f"{int((n < 2).sum())} group(s) have a single response ({', '.join(single)}): their mean "
                          "has no standard error or interval (NaN)", stacklevel=2)
    out.index = index
    return out
