"""Headline metrics with honest uncertainty: NPS, top-box (CSAT), effort, means.

Every metric comes with its standard error, a confidence interval and the number of
responses it rests on (a :class:`cxlib.results.Estimate`), because a number without
its uncertainty invites people to read noise as news.

* **NPS** (Net Promoter Score). Customers answer "How likely are you to recommend
  us?" from 0 to 10. Those answering 9 or 10 are *promoters*, 7 or 8 *passives*,
  0 to 6 *detractors*. The NPS is the percentage of promoters minus the percentage of
  detractors, so it runs from -100 (everyone a detractor) to +100 (everyone a
  promoter). Its interval is the *adjusted-Wald* interval that Rocks (2016,
  "Interval estimation for the 'Net Promoter Score'", *The American Statistician*
  70(4)) found to perform best: pretend three more customers answered, split as 3/4
  of a promoter, 3/2 of a passive and 3/4 of a detractor, then use the variance of
  the promoter share minus the detractor share. ``estimate`` stays the NPS you observed;
  the interval is centred on the slightly shrunk, adjusted NPS, so it is not exactly
  symmetric around ``estimate`` (in extreme small samples the observed NPS can even lie
  just outside it: a single promoter scores 100 with a 95% interval up to 98.5).
  ``method="wald"`` gives the plain interval, which claims perfect certainty (zero
  width) when every answer falls in one category: a warning says so.
* **Top-box** (CSAT as the share of satisfied customers): the percentage of answers in
  the top ``top`` boxes of the scale, e.g. 4 or 5 on a 1-5 scale, with the Wilson
  score interval (Wilson 1927; Newcombe 1998, *Statistics in Medicine* 17), which
  stays inside 0-100% and works for small samples. :func:`bottom_box` is the mirror
  image: the share in the lowest boxes. The difference of two such shares (the most
  satisfied customers' retention against the least satisfied's) has Newcombe's (1998)
  hybrid score interval, built from the two Wilson intervals:
  :func:`share_difference_from_counts`.
* **Customer effort**: the survey asks how much effort it took, from 1 (very low) to
  7 (very high), so *lower is better*. :func:`effort_score` is the mean effort with a
  t interval; the share of customers who found it easy is
  ``bottom_box(effort, scale=(1, 7), bottom=3)`` (answers 1-3).
* **Means** of any rating: :func:`mean_score`, with a t interval.

:func:`by_group` computes any of them for every branch, month or competitor at once
from one pass of counts over the data (no loop over groups), so it stays fast on
millions of responses; each group gets exactly the numbers the single-sample function
gives. The formulas live once, in the ``*_from_counts`` / ``*_from_sums`` functions,
which work on arrays of counts, and the counting rules (who is a promoter, what is in the
top box) live once, in ``_nps_counts`` and ``_box_hits``, which :mod:`cxlib.tracking` uses too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._dist import normal_quantile, normal_sf, t_quantile
from ._docs import fill
from ._validate import (
    as_numeric,
    check_confidence,
    check_option,
    known_options,
    no_missing,
    one_kind,
    require_columns,
    whole_numbers,
)
from .errors import InputError
from .results import Estimate, OneRowResult, WeightedEstimate
from .weights import _group_sums, _weighted_mean_parts, check_weights

NPS_SCALE = (0, 10)
#: The default scale of top_box and bottom_box (the course's 1-5 satisfaction question). A call that
#: leaves ``scale`` out on other data is told so in its error: no silent 1-5 default.
DEFAULT_BOX_SCALE = (1, 5)
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
METHODS = ("adjusted_wald", "wald")
#: Pseudo-responses the adjusted-Wald interval adds (Rocks 2016; the defaults of his R
#: package NPS): 3/4 promoter, 3/2 passive, 3/4 detractor, 3 in all.
ADJUSTMENT = {"promoters": 0.75, "passives": 1.5, "detractors": 0.75}


def _z(confidence: float) -> float:
    return float(normal_quantile(0.5 + confidence / 2))


def _check_method(method: str) -> str:
    return check_option("method", method, METHODS)


def _check_scale(scale) -> tuple[int, int]:
    try:
        lo, hi = scale
    except (TypeError, ValueError):
        raise InputError(
            f"scale must be a pair (lowest, highest), for example (1, 5), got {scale!r}"
        ) from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (lo, hi)) or lo >= hi:
        raise InputError(f"scale must be two whole numbers, lowest first, for example (1, 5), got {scale!r}")
    return int(lo), int(hi)


def _arrays(*values) -> list[np.ndarray]:
    return np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in values))


def _whole_counts(**counts: np.ndarray) -> None:
    """Refuse counts that are not whole numbers (1.5 successes would give a percentage silently)."""
    for name, arr in counts.items():
        bad = np.isfinite(arr) & (arr != np.round(arr))
        if bad.any():
            raise InputError(
                f"{name} must be counts (whole numbers), got {arr[bad][:5].tolist()}; pass the number of "
                "responses, not a share or an average"
            )


def _labels(mask: np.ndarray, labels) -> str:
    """Name the groups flagged by ``mask`` (at most five) for a warning."""
    count = int(mask.sum())
    if labels is None:
        return f"{count} group(s)" if mask.size > 1 else "this sample"
    shown = ", ".join(str(g) for g in np.asarray(labels, dtype=object)[mask][:5])
    return f"{count} group(s) ({shown}{', ...' if count > 5 else ''})"


# --- the counting rules, written once: used here and by cxlib.tracking ---


def _nps_counts(x: np.ndarray, codes: np.ndarray | None = None, k: int = 1):
    """Promoters (9-10), detractors (0-6) and responses: overall, or per group code (``np.bincount``)."""
    promoter, detractor = x >= PROMOTER_MIN, x <= DETRACTOR_MAX
    if codes is None:
        return np.count_nonzero(promoter), np.count_nonzero(detractor), len(x)
    return (
        np.bincount(codes, weights=promoter, minlength=k),
        np.bincount(codes, weights=detractor, minlength=k),
        np.bincount(codes, minlength=k),
    )


def _box_threshold(scale, size: int, name: str = "top") -> tuple[int, int]:
    """Check the scale and the number of boxes; return the scale's ends."""
    lo, hi = _check_scale(scale)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= hi - lo:
        raise InputError(
            f"{name} must be a whole number from 1 to {hi - lo} for the scale {lo}-{hi}, got {size!r}"
        )
    return lo, hi


def _box_hits(x: np.ndarray, lo: int, hi: int, size: int, side: str = "top") -> np.ndarray:
    """True for each answer in the top (or bottom) ``size`` boxes of the scale ``lo``-``hi``."""
    return x >= hi - size + 1 if side == "top" else x <= lo + size - 1


# --- formulas on arrays of counts: written once, used by the scalar functions and by_group ---


def nps_variance(promoter_share, detractor_share):
    """Variance of one response scored +1 (promoter), 0 (passive), -1 (detractor).

    ``p_P + p_D - (p_P - p_D)**2``: the trinomial variance of the difference between
    the promoter and detractor shares. Divide by the number of responses for the
    variance of an NPS (as a fraction, not points).

    Parameters
    ----------
    promoter_share, detractor_share : float or array-like
        The shares (0-1) of promoters and of detractors.

    Returns
    -------
    float or ndarray
        The variance of one response's score (never negative).

    Examples
    --------
    >>> float(nps_variance(0.5, 1 / 6))  # 1 detractor, 2 passives, 3 promoters: 5/9
    0.5555...
    """
    p, d = np.asarray(promoter_share, dtype=float), np.asarray(detractor_share, dtype=float)
    return np.maximum(p + d - (p - d) ** 2, 0.0)


def _nps_parts(promoters, detractors, n, method: str):
    """Observed NPS, interval centre and standard error (fractions) from counts."""
    P, D, N = _arrays(promoters, detractors, n)
    if (N <= 0).any():
        raise InputError("every group needs at least one response to compute an NPS")
    if ((P < 0) | (D < 0) | (P + D > N)).any():
        raise InputError(
            "promoters and detractors must be counts between 0 and n, with promoters + detractors <= n"
        )
    observed = (P - D) / N
    if method == "adjusted_wald":
        P, D, N = P + ADJUSTMENT["promoters"], D + ADJUSTMENT["detractors"], N + sum(ADJUSTMENT.values())
    pp, pd_ = P / N, D / N
    return observed, pp - pd_, np.sqrt(nps_variance(pp, pd_) / N)


def _nps_frame(promoters, detractors, n, method: str, confidence: float) -> pd.DataFrame:
    observed, centre, se = _nps_parts(promoters, detractors, n, method)
    half = _z(confidence) * se
    return pd.DataFrame(
        {
            "estimate": 100 * observed,
            "se": 100 * se,
            "low": 100 * np.clip(centre - half, -1, 1),
            "high": 100 * np.clip(centre + half, -1, 1),
            "n": np.asarray(np.broadcast_to(n, observed.shape), dtype=np.int64),
        }
    )


def _warn_zero_width_wald(frame: pd.DataFrame, method: str, labels=None, stacklevel: int = 3) -> None:
    if method != "wald":
        return
    zero = (frame["se"] == 0).to_numpy()
    if zero.any():
        warnings.warn(
            f"{_labels(zero, labels)}: the Wald interval has zero width, because every response falls in "
            "one category (all promoters, all passives or all detractors) or there is a single response; "
            "this is not certainty. Use method='adjusted_wald' for an honest interval.",
            UserWarning,
            stacklevel=stacklevel,
        )


@fill
def nps_from_counts(
    promoters, detractors, n, method: str = "adjusted_wald", confidence: float = 0.95
) -> pd.DataFrame:
    """NPS, its standard error and interval from counts (vectorised over groups).

    Parameters
    ----------
    promoters, detractors, n : array-like
        Counts of promoters (9-10), detractors (0-6) and all responses, one entry per
        group.
    {nps_method}
    {confidence}

    Returns
    -------
    DataFrame
        ``estimate`` (observed NPS, points), ``se``, ``low``, ``high`` (points, within
        -100..100), ``n``. With the Wald method a group whose responses all fall in
        one category has ``se`` 0 and a zero-width interval (with a warning).

    Examples
    --------
    >>> nps_from_counts([50], [20], [100], method="wald").round(2)
       estimate    se    low   high    n
    0      30.0  7.81  14.69  45.31  100
    """
    _check_method(method)
    confidence = check_confidence(confidence)
    frame = _nps_frame(promoters, detractors, n, method, confidence)
    _warn_zero_width_wald(frame, method)
    return frame


@fill
def wilson_from_counts(successes, n, confidence: float = 0.95) -> pd.DataFrame:
    """Percentage with a Wilson score interval from counts (vectorised).

    The Wilson interval (Wilson 1927) is the one Newcombe (1998) recommends for a
    single proportion: it never leaves 0-100% and behaves well for small samples and
    shares near 0 or 100%. ``se`` is the usual binomial standard error
    ``sqrt(p (1 - p) / n)``, which is 0 when all or none of the answers are hits;
    the Wilson interval still has a sensible width then.

    Parameters
    ----------
    successes, n : array-like
        Per group: the number of hits (satisfied customers, say) and of responses.
    {confidence}

    Returns
    -------
    DataFrame
        ``estimate`` (percent), ``se`` (percentage points), ``low``, ``high`` (percent,
        within 0-100) and ``n``, one row per group.

    Examples
    --------
    >>> wilson_from_counts([81], [263]).round(2)  # Newcombe (1998), Table I, example (a)
       estimate    se    low   high    n
    0      30.8  2.85  25.53  36.62  263
    """
    confidence = check_confidence(confidence)
    x, N = _arrays(successes, n)
    if (N <= 0).any():
        raise InputError("every group needs at least one response to compute a percentage")
    if ((x < 0) | (x > N)).any():
        raise InputError("successes must lie between 0 and n")
    _whole_counts(successes=x, n=N)
    return _wilson(x, N, confidence)


def _wilson(x: np.ndarray, N: np.ndarray, confidence: float) -> pd.DataFrame:
    """Wilson's interval for ``x`` successes in ``N``; weighted data pass effective (fractional) counts."""
    z = _z(confidence)
    p = x / N
    denom = 1 + z**2 / N
    centre = (p + z**2 / (2 * N)) / denom
    half = z * np.sqrt(p * (1 - p) / N + z**2 / (4 * N**2)) / denom
    return pd.DataFrame(
        {
            "estimate": 100 * p,
            "se": 100 * np.sqrt(p * (1 - p) / N),
            "low": 100 * np.clip(centre - half, 0, 1),
            "high": 100 * np.clip(centre + half, 0, 1),
            "n": N.astype(np.int64),
        }
    )


@fill
def share_difference_from_counts(
    successes_a, n_a, successes_b, n_b, confidence: float = 0.95
) -> pd.DataFrame:
    """Difference of two percentages from counts, with Newcombe's hybrid score interval (vectorised).

    The share of ``a`` minus the share of ``b``, for two independent samples (the most satisfied
    customers against the least, one branch against another). The interval is Newcombe's (1998)
    *hybrid score* interval (his method 10), built from the two Wilson intervals: unlike the Wald
    interval ``difference ± z·se`` it stays inside -100..100 and keeps close to its nominal coverage
    when a sample is small or a share is near 0 or 100%. ``z`` and ``p_value`` are the pooled
    two-proportion z test of "no difference" (Pearson's chi-square on the 2x2 table: ``z**2`` is
    the chi-square statistic). Each sample must count different units: a customer counted in both, or
    twice in one, breaks the independence the formula rests on.

    Parameters
    ----------
    successes_a, n_a : array-like
        Per comparison: the number of hits (retained customers, say) and of units in sample ``a``.
    successes_b, n_b : array-like
        The same for sample ``b``.
    {confidence}

    Returns
    -------
    DataFrame
        ``estimate`` (a minus b, percentage points), ``se`` (the unpooled binomial standard error,
        points), ``low``, ``high`` (points, within -100..100), ``z``, ``p_value``, ``n_a``, ``n_b``;
        one row per comparison.

    See Also
    --------
    wilson_from_counts : each share alone, with the Wilson interval the difference is built from.
    cxlib.groups.pairwise : every pair of groups of a column, with adjusted p-values.

    Examples
    --------
    Newcombe (1998), Table II, example (a): 56 of 70 against 48 of 80.

    >>> share_difference_from_counts(56, 70, 48, 80).round(4)
       estimate      se     low     high       z  p_value  n_a  n_b
    0      20.0  7.2703  5.2431  33.3873  2.6502    0.008   70   80
    """
    confidence = check_confidence(confidence)
    xa, na, xb, nb = _arrays(successes_a, n_a, successes_b, n_b)
    for name, x, n in (("a", xa, na), ("b", xb, nb)):
        if (~np.isfinite(n) | (n <= 0)).any():
            raise InputError(
                f"n_{name} must be at least 1 in every comparison, got {n[~(n > 0)][:5].tolist()}"
            )
        bad = ~np.isfinite(x) | (x < 0) | (x > n)
        if bad.any():
            raise InputError(
                f"successes_{name} must lie between 0 and n_{name}, got {x[bad][:5].tolist()} "
                f"(n_{name} {n[bad][:5].tolist()})"
            )
    _whole_counts(successes_a=xa, n_a=na, successes_b=xb, n_b=nb)
    out = _share_difference(xa, na, xb, nb, confidence)
    out["n_a"], out["n_b"] = na.astype(np.int64), nb.astype(np.int64)
    return out


def _share_difference(xa: np.ndarray, na: np.ndarray, xb: np.ndarray, nb: np.ndarray, confidence: float):
    """Newcombe's hybrid score interval and the pooled z test; weighted data pass effective counts."""
    wa, wb = _wilson(xa, na, confidence), _wilson(xb, nb, confidence)
    la, ua, lb, ub = (w[c].to_numpy() / 100 for w in (wa, wb) for c in ("low", "high"))
    pa, pb = xa / na, xb / nb
    diff = pa - pb
    pooled = (xa + xb) / (na + nb)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se0 > 0, diff / se0, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    return pd.DataFrame(
        {
            "estimate": 100 * diff,
            "se": 100 * np.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb),
            "low": 100 * (diff - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2)),
            "high": 100 * (diff + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)),
            "z": z,
            "p_value": np.where(se0 > 0, 2 * normal_sf(np.abs(z)), np.where(diff == 0, 1.0, 0.0)),
        }
    )


@fill
def mean_from_sums(total, total_sq, n, confidence: float = 0.95, shift: float = 0.0) -> pd.DataFrame:
    """Mean with a t interval from sums and sums of squares (vectorised).

    Parameters
    ----------
    total, total_sq, n : array-like
        Per group: the sum of ``x - shift``, the sum of ``(x - shift)**2`` and the
        number of values.
    {confidence}
    shift : float or array-like
        A value subtracted from every ``x`` of the group before summing (added back to
        the mean). A value near the group's mean keeps the variance accurate when the
        values are large and close together; 0 is fine for ratings.

    Returns
    -------
    DataFrame
        ``estimate`` (the mean), ``se``, ``low``, ``high``, ``n``. A group with a single
        value has no standard error: ``se``, ``low`` and ``high`` are NaN.

    Examples
    --------
    >>> mean_from_sums([10.0], [30.0], [4]).round(3)
       estimate     se    low   high  n
    0       2.5  0.645  0.446  4.554  4
    """
    confidence = check_confidence(confidence)
    S, Q, N, shift = _arrays(total, total_sq, n, shift)
    if (N <= 0).any():
        raise InputError("every group needs at least one response to compute a mean")
    if not (np.isfinite(S).all() and np.isfinite(Q).all() and np.isfinite(shift).all()):
        raise InputError(
            "the values are too large to average and square without overflow (beyond about 1e154); "
            "check the data"
        )
    _whole_counts(n=N)
    centred = S / N
    short = Q - N * centred**2 < -1e-9 * np.maximum(np.abs(Q), 1.0)
    if short.any():
        raise InputError(
            f"total_sq is smaller than total**2 / n in {int(short.sum())} group(s) (e.g. total "
            f"{S[short][0]:g}, total_sq {Q[short][0]:g}, n {N[short][0]:g}): these cannot be the sum and "
            "the sum of squares of one group's values (a negative variance); check what was summed"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(N > 1, np.maximum(Q - N * centred**2, 0.0) / (N - 1), np.nan)
        se = np.sqrt(var / N)
        t = np.where(N > 1, t_quantile(0.5 + confidence / 2, np.maximum(N - 1, 1)), np.nan)
    mean = centred + shift
    return pd.DataFrame(
        {"estimate": mean, "se": se, "low": mean - t * se, "high": mean + t * se, "n": N.astype(np.int64)}
    )


def _grouped_mean(x: np.ndarray, codes: np.ndarray | None, k: int, confidence: float) -> pd.DataFrame:
    """Means with t intervals of ``x``, per group code if given (one group otherwise).

    Two passes: the group means first, then sums of deviations from them, so the
    variance stays accurate for large values (amounts of money, timestamps) where
    ``sum(x**2) - n * mean**2`` would lose every digit. Every group code in ``0..k-1``
    must occur. Used by :func:`by_group` and :func:`cxlib.value.margin_per_customer`.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if codes is None:
            n = np.array([len(x)])
            shift = np.array([x.sum()]) / n
            d = x - shift[0]
            S, Q = np.array([d.sum()]), np.array([(d * d).sum()])
        else:
            n = np.bincount(codes, minlength=k)
            shift = np.bincount(codes, weights=x, minlength=k) / np.maximum(n, 1)
            d = x - shift[codes]
            S, Q = np.bincount(codes, weights=d, minlength=k), np.bincount(codes, weights=d * d, minlength=k)
    return mean_from_sums(S, Q, n, confidence, shift=shift)


# --- the weighted versions: the same formulas on effective counts (Kish) or linearised sums ---


def _with_effective(frame: pd.DataFrame, n: np.ndarray, n_eff: np.ndarray) -> pd.DataFrame:
    frame["n"] = np.asarray(n, dtype=np.int64)
    frame["n_effective"] = np.asarray(n_eff, dtype=float)
    return frame


def _weighted_nps(x, w, codes, k, method: str, confidence: float) -> pd.DataFrame:
    """Weighted NPS: the weighted shares, and the interval of :func:`nps` on ``n_effective`` responses."""
    wsum, n_eff = _group_sums(w, codes, k)
    groups = np.zeros(len(x), dtype=np.int64) if codes is None else codes
    P = np.bincount(groups, weights=w * (x >= PROMOTER_MIN), minlength=k)
    D = np.bincount(groups, weights=w * (x <= DETRACTOR_MAX), minlength=k)
    counts = np.bincount(groups, weights=(w > 0).astype(float), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_p, share_d = P / wsum, D / wsum
    promoters = share_p * n_eff
    frame = _nps_frame(promoters, np.minimum(share_d * n_eff, n_eff - promoters), n_eff, method, confidence)
    return _with_effective(frame, counts, n_eff)


def _weighted_share(hits, w, codes, k, confidence: float) -> pd.DataFrame:
    """Weighted share in percent with the Wilson interval on ``n_effective`` responses."""
    groups = np.zeros(len(hits), dtype=np.int64) if codes is None else codes
    wsum, n_eff = _group_sums(w, groups, k)
    share = np.bincount(groups, weights=w * hits, minlength=k) / wsum
    counts = np.bincount(groups, weights=(w > 0).astype(float), minlength=k)
    frame = _wilson(np.clip(share * n_eff, 0, n_eff), n_eff, check_confidence(confidence))
    frame["estimate"] = 100 * share
    return _with_effective(frame, counts, n_eff)


def _weighted_mean(x, w, codes, k, confidence: float) -> pd.DataFrame:
    """Weighted mean, linearised standard error, t interval on ``n_effective - 1`` degrees of freedom."""
    mean, se, counts, n_eff = _weighted_mean_parts(x, w, codes, k)
    with np.errstate(invalid="ignore"):
        t = np.where(n_eff > 1, t_quantile(0.5 + confidence / 2, np.maximum(n_eff - 1, 1)), np.nan)
    frame = pd.DataFrame({"estimate": mean, "se": se, "low": mean - t * se, "high": mean + t * se})
    return _with_effective(frame, counts, n_eff)


def _weights_for(weights, df_or_len, name: str = "weights") -> np.ndarray | None:
    """The weights as an array: ``None``, a column name of ``df``, or one weight per row."""
    if weights is None:
        return None
    if isinstance(df_or_len, pd.DataFrame):
        if isinstance(weights, str):
            require_columns(df_or_len, [weights])
            return check_weights(df_or_len[weights], len(df_or_len), weights)
        return check_weights(weights, len(df_or_len), name)
    return check_weights(weights, df_or_len, name)


def _estimate(frame: pd.DataFrame, confidence: float, method: str) -> Estimate:
    row = frame.iloc[0]
    if "n_effective" in frame:
        return WeightedEstimate(
            estimate=float(row["estimate"]),
            se=float(row["se"]),
            low=float(row["low"]),
            high=float(row["high"]),
            n=int(row["n"]),
            confidence=confidence,
            method=method,
            n_effective=float(row["n_effective"]),
        )
    return Estimate(
        estimate=float(row["estimate"]),
        se=float(row["se"]),
        low=float(row["low"]),
        high=float(row["high"]),
        n=int(row["n"]),
        confidence=confidence,
        method=method,
    )


# --- the metrics on raw scores ---


@fill
def nps(scores, method: str = "adjusted_wald", confidence: float = 0.95, weights=None) -> Estimate:
    """Net Promoter Score of 0-10 ratings, with a confidence interval.

    Parameters
    ----------
    scores : array-like or Series
        Likelihood-to-recommend ratings, whole numbers 0 to 10, no missing values
        (``pd.NA`` in a nullable ``Int64`` column counts as missing: drop the blanks
        first, e.g. ``survey["recommend"].dropna()``).
    {nps_method}
    {confidence}
    {weights}

    Returns
    -------
    Estimate
        ``estimate`` is the observed NPS in points (-100 to 100); ``se``, ``low`` and
        ``high`` are in points, the interval clipped to -100..100; ``n`` is the
        number of ratings. With the adjusted-Wald method the interval is centred on
        the adjusted NPS, so it is not symmetric around ``estimate``, and in extreme
        small samples ``estimate`` can fall just outside it: at 95% confidence only
        with a single rating (one promoter: 100, interval up to 98.5), at 90% with up
        to 4; below about 84% confidence, a sample of all promoters (or all
        detractors) of any size.

    Warns
    -----
    UserWarning
        With ``method="wald"``, when the interval has zero width (every rating in
        one category, or a single rating).

    Examples
    --------
    >>> scores = [10] * 50 + [8] * 30 + [3] * 20
    >>> nps(scores, method="wald")
    Estimate(estimate=30, 95% CI [14.69, 45.31], se=7.81, n=100, method='wald')
    >>> round(nps(scores).low, 2), round(nps(scores).high, 2)
    (14.05, 44.2)

    Weighted (say, by :func:`cxlib.weights.rake`), the result also says what the responses are
    worth: the detractors here stand for twice as many customers each.

    >>> nps(scores, weights=[1] * 80 + [2] * 20)
    WeightedEstimate(estimate=8.333, 95% CI [-9.365, 25.49], se=8.893, n=100, n_effective=90,
                     method='adjusted_wald')
    """
    _check_method(method)
    confidence = check_confidence(confidence)
    x = whole_numbers(scores, "scores", *NPS_SCALE)
    w = _weights_for(weights, len(x))
    if w is not None:
        return _estimate(_weighted_nps(x, w, None, 1, method, confidence), confidence, method)
    frame = _nps_frame(*_nps_counts(x), method, confidence)
    _warn_zero_width_wald(frame, method)
    return _estimate(frame, confidence, method)


@dataclass(frozen=True)
class NPSComparison(OneRowResult):
    """The difference between two NPS samples: ``a`` minus ``b``, in points.

    ``estimate`` is the observed difference; ``low`` and ``high`` are its
    confidence interval (centred on the adjusted difference with the adjusted-Wald
    method); ``z`` and ``p_value`` test "no difference" (two-sided).
    """

    estimate: float
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
        return (
            f"NPSComparison(estimate={self.estimate:.4g}, {self._interval()}, "
            f"z={self.z:.3f}, p={self.p_value:.3g}, n_a={self.n_a}, n_b={self.n_b}, method={self.method!r})"
        )


@fill
def compare_nps(a, b, method: str = "adjusted_wald", confidence: float = 0.95) -> NPSComparison:
    """Compare the NPS of two independent samples (a branch against the rest, this year against last).

    The variance of the difference is the sum of the two NPS variances. With
    ``method="adjusted_wald"`` each sample first gets the adjustment of :func:`nps`
    (3/4 of a promoter, 3/2 of a passive, 3/4 of a detractor), and the interval and
    the z test use the adjusted NPS, as in Rocks's R package NPS (``nps_test``) and
    Sauro and Lewis's test for two NPS (MeasuringU, 2021).

    Parameters
    ----------
    a, b : array-like or Series
        0-10 ratings of the two samples (no missing values).
    {nps_method}
    {confidence}

    Returns
    -------
    NPSComparison
        ``estimate`` (a minus b, observed, points), ``se``, ``low``, ``high``
        (points, within -200..200), ``z``, ``p_value``, ``n_a``, ``n_b``.

    Examples
    --------
    >>> a = [10] * 60 + [7] * 20 + [2] * 20
    >>> b = [10] * 40 + [7] * 30 + [2] * 30
    >>> compare_nps(a, b, method="wald")
    NPSComparison(estimate=30, 95% CI [7.397, 52.6], z=2.601, p=0.00929, n_a=100, n_b=100, method='wald')
    """
    _check_method(method)
    confidence = check_confidence(confidence)
    xa = whole_numbers(a, "a", *NPS_SCALE)
    xb = whole_numbers(b, "b", *NPS_SCALE)
    (pa, da, na), (pb, db, nb) = _nps_counts(xa), _nps_counts(xb)
    diff = nps_difference(pa, da, na, pb, db, nb, method, confidence)
    flat = [
        name
        for name, (p, d, n) in (("a", (pa, da, na)), ("b", (pb, db, nb)))
        if p == n or d == n or p + d == 0
    ]
    if flat and method == "wald":
        # a sample whose ratings all fall in one category (a single rating, say) has a Wald variance
        # of 0: its own uncertainty drops out of the difference's standard error, not only when both do
        warnings.warn(
            f"{' and '.join(flat)}: every rating falls in one category (or there is a single rating), so "
            "the Wald standard error of the difference counts no uncertainty for "
            f"{'it' if len(flat) == 1 else 'them'}; the test and interval claim a certainty the data "
            "cannot give. Use method='adjusted_wald'.",
            UserWarning,
            stacklevel=2,
        )
    row = diff.iloc[0]
    return NPSComparison(
        estimate=float(row["estimate"]),
        se=float(row["se"]),
        low=float(row["low"]),
        high=float(row["high"]),
        z=float(row["z"]),
        p_value=float(row["p_value"]),
        n_a=len(xa),
        n_b=len(xb),
        confidence=confidence,
        method=method,
    )


def nps_difference(promoters_a, detractors_a, n_a, promoters_b, detractors_b, n_b, method, confidence):
    """NPS of a minus NPS of b from counts (vectorised): the formula behind :func:`compare_nps`.

    Each side gets the adjustment of ``method`` (adjusted Wald: 3/4 promoter, 3/2 passive, 3/4
    detractor); the variance of the difference is the sum of the two NPS variances; the z test and
    interval use the adjusted difference. Counts may be effective (weighted) counts.

    Parameters
    ----------
    promoters_a, detractors_a, n_a, promoters_b, detractors_b, n_b : array-like
        Counts of each side, one entry per comparison.
    method : {"adjusted_wald", "wald"}
        The interval of each side's NPS.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        ``estimate`` (a minus b, observed, points), ``se``, ``low``, ``high`` (within
        -200..200), ``z`` and ``p_value`` (two-sided), one row per comparison.

    Examples
    --------
    >>> nps_difference([60], [20], [100], [40], [30], [100], "wald", 0.95).round(3)
       estimate     se    low    high      z  p_value
    0      30.0  11.53  7.397  52.603  2.601    0.009
    """
    obs_a, centre_a, se_a = _nps_parts(promoters_a, detractors_a, n_a, method)
    obs_b, centre_b, se_b = _nps_parts(promoters_b, detractors_b, n_b, method)
    centre = centre_a - centre_b
    se = np.sqrt(se_a**2 + se_b**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, centre / se, np.where(centre == 0, 0.0, np.sign(centre) * np.inf))
    p = np.where(se > 0, 2 * normal_sf(np.abs(z)), np.where(centre == 0, 1.0, 0.0))
    half = _z(confidence) * se
    return pd.DataFrame(
        {
            "estimate": 100 * (obs_a - obs_b),
            "se": 100 * se,
            "low": 100 * np.maximum(centre - half, -2),
            "high": 100 * np.minimum(centre + half, 2),
            "z": z,
            "p_value": p,
        }
    )


@fill
def top_box(
    scores, scale=DEFAULT_BOX_SCALE, top: int = 2, confidence: float = 0.95, weights=None
) -> Estimate:
    """Percentage of answers in the top ``top`` boxes of the scale, with a Wilson interval.

    CSAT is usually reported as the top-2-box share of a 1-5 satisfaction question:
    the percentage of customers answering 4 or 5.

    Parameters
    ----------
    {box_scores}
    {scale}
    top : int
        How many boxes from the top count as a hit: 1 to (number of answers - 1).
    {confidence}
    {weights}

    Returns
    -------
    Estimate
        ``estimate``, ``low``, ``high`` in percent (0-100); ``se`` is the binomial
        standard error in percentage points; ``method`` is ``"wilson"``. Weighted: a
        :class:`~cxlib.results.WeightedEstimate`, the Wilson interval on ``n_effective``.

    Examples
    --------
    >>> top_box([5, 4, 4, 3, 2, 5, 4, 1, 5, 4])
    Estimate(estimate=70, 95% CI [39.68, 89.22], se=14.49, n=10, method='wilson')
    """
    lo, hi = _box_threshold(scale, top)
    confidence = check_confidence(confidence)
    x = _box_scores(scores, scale, lo, hi)
    return _box_estimate(_box_hits(x, lo, hi, top), _weights_for(weights, len(x)), confidence)


@fill
def bottom_box(
    scores, scale=DEFAULT_BOX_SCALE, bottom: int = 2, confidence: float = 0.95, weights=None
) -> Estimate:
    """Percentage of answers in the bottom ``bottom`` boxes of the scale, with a Wilson interval.

    For the effort question, where 1 means very low effort, ``bottom_box(effort,
    scale=(1, 7), bottom=3)`` is the share of customers who found it easy (1-3).

    Parameters
    ----------
    {box_scores}
    {scale}
    bottom : int
        How many boxes from the bottom count as a hit: 1 to (number of answers - 1).
    {confidence}
    {weights}

    Returns
    -------
    Estimate
        As :func:`top_box`: ``estimate``, ``low``, ``high`` in percent, ``method`` ``"wilson"``.

    Examples
    --------
    >>> bottom_box([1, 2, 2, 3, 5, 6, 7, 2], scale=(1, 7), bottom=3).estimate
    62.5
    """
    lo, hi = _box_threshold(scale, bottom, "bottom")
    confidence = check_confidence(confidence)
    x = _box_scores(scores, scale, lo, hi)
    return _box_estimate(_box_hits(x, lo, hi, bottom, "bottom"), _weights_for(weights, len(x)), confidence)


def _box_scores(scores, scale, lo: int, hi: int) -> np.ndarray:
    """The ratings, checked on ``scale``; when ``scale`` was left at its 1-5 default, the error says so."""
    try:
        return whole_numbers(scores, "scores", lo, hi)
    except InputError as exc:
        if scale is not DEFAULT_BOX_SCALE:
            raise
        x = pd.to_numeric(pd.Series(np.asarray(scores).ravel()), errors="coerce")
        seen = f" (they run {x.min():g} to {x.max():g})" if x.notna().any() else ""
        raise InputError(
            f"{exc}. No scale= was given, so the default 1-5 scale was assumed; these ratings are on "
            f"another scale{seen}: pass the question's own scale, e.g. scale=(0, 10) or scale=(1, 7) "
            "(cxlib never rescales)"
        ) from None


def _box_estimate(hits: np.ndarray, w: np.ndarray | None, confidence: float) -> Estimate:
    if w is not None:
        return _estimate(_weighted_share(hits, w, None, 1, confidence), confidence, "wilson")
    return _estimate(wilson_from_counts(np.count_nonzero(hits), len(hits), confidence), confidence, "wilson")


def _warn_zero_spread(frame: pd.DataFrame, labels=None, stacklevel: int = 3) -> None:
    flat = (frame["se"] == 0).to_numpy()
    if flat.any():
        warnings.warn(
            f"{_labels(flat, labels)}: every response is the same, so the standard error is 0 and the "
            "t interval has zero width; more responses are needed to say how precise the mean is",
            UserWarning,
            stacklevel=stacklevel,
        )


@fill
def mean_score(scores, scale=None, confidence: float = 0.95, weights=None) -> Estimate:
    """Mean rating with a t interval.

    Parameters
    ----------
    scores : array-like or Series
        At least 2 values, no missing values.
    scale : (int, int), optional
        If given, the values must be whole numbers on this scale.
    {confidence}
    {weights}

    Returns
    -------
    Estimate
        ``method`` is ``"t"``. If every value is the same the interval has zero width
        (with a warning). Weighted: a :class:`~cxlib.results.WeightedEstimate` whose ``se``
        is the Taylor-linearised standard error (R's ``svymean``) and whose t interval has
        ``n_effective - 1`` degrees of freedom.

    Examples
    --------
    >>> mean_score([1, 2, 3, 4], scale=(1, 5))
    Estimate(estimate=2.5, 95% CI [0.4456, 4.554], se=0.6455, n=4, method='t')
    """
    return _mean_estimate(scores, scale, confidence, weights)


def _mean_estimate(scores, scale, confidence: float, weights=None) -> Estimate:
    confidence = check_confidence(confidence)
    lo, hi = _check_scale(scale) if scale is not None else (None, None)
    x = as_numeric(scores, "scores", low=lo, high=hi, integer=scale is not None)
    if len(x) < 2:
        raise InputError("a mean's interval needs at least 2 responses")
    w = _weights_for(weights, len(x))
    frame = _grouped_mean(x, None, 1, confidence) if w is None else _weighted_mean(x, w, None, 1, confidence)
    _warn_zero_spread(frame, stacklevel=4)  # this helper, _mean_estimate, mean_score/effort_score, the caller
    return _estimate(frame, confidence, "t")


@fill
def effort_score(scores, scale=(1, 7), confidence: float = 0.95, weights=None) -> Estimate:
    """Customer effort score: the mean effort rating with a t interval (lower = easier).

    The course's survey asks how much effort it took, from 1 (very low) to 7 (very
    high). When a share reads better, report the share who found it easy with
    ``bottom_box(scores, scale=(1, 7), bottom=3)``.

    Parameters
    ----------
    scores : array-like or Series
        Effort ratings, whole numbers on ``scale``, at least 2, no missing values.
    {scale}
    {confidence}
    {weights}

    Returns
    -------
    {estimate_returns}

    Examples
    --------
    >>> effort_score([1, 2, 2, 3, 6]).estimate
    2.8
    """
    return _mean_estimate(scores, scale, confidence, weights)


# --- many groups at once ---

BY_GROUP_METRICS = ("nps", "top_box", "bottom_box", "effort", "mean")
_BY_GROUP_OPTIONS = {
    "nps": {"method", "confidence"},
    "top_box": {"scale", "top", "confidence"},
    "bottom_box": {"scale", "bottom", "confidence"},
    "effort": {"scale", "confidence"},
    "mean": {"scale", "confidence"},
}


def _key_codes(column: pd.Series, name) -> tuple[np.ndarray, pd.Index]:
    """Codes of one key column and its observed values, sorted (category order for categoricals)."""
    one_kind(column, name)
    codes, uniques = pd.factorize(column, sort=True)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return codes, pd.CategoricalIndex(uniques, name=name)
    if isinstance(uniques, pd.Index):
        return codes, uniques.rename(name)
    return codes, pd.Index(uniques, name=name)


def _group_codes(df: pd.DataFrame, keys: list) -> tuple[np.ndarray, pd.Index]:
    """Integer code of each row's group and the index of the observed groups, sorted.

    Several keys are combined arithmetically (mixed radix) and the observed
    combinations found with one ``bincount``: much faster than a pandas groupby on
    millions of rows. Used by :func:`by_group` and the control limits of
    :mod:`cxlib.tracking`.
    """
    parts = [_key_codes(df[k], k) for k in keys]
    if len(parts) == 1:
        return parts[0]
    sizes = [len(index) for _, index in parts]
    if (
        np.prod(sizes, dtype=np.float64) >= 2.0**62
    ):  # the combined code would overflow: let pandas number them
        grouped = df.groupby(keys, observed=True, sort=True)
        return grouped.ngroup().to_numpy(), pd.MultiIndex.from_frame(grouped.size().reset_index()[keys])
    cells = int(np.prod(sizes, dtype=np.float64))
    combined = np.zeros(len(df), dtype=np.int64)
    for codes, index in parts:
        combined = combined * len(index) + codes
    if cells <= max(4 * len(df), 1_000_000):
        observed = np.flatnonzero(np.bincount(combined, minlength=cells))
        lookup = np.full(cells, -1, dtype=np.int64)
        lookup[observed] = np.arange(len(observed))
        codes = lookup[combined]
    else:  # too many possible combinations for a lookup table: sort instead
        observed, codes = np.unique(combined, return_inverse=True)
    level_codes = []
    rest = observed
    for size in reversed(sizes):
        level_codes.append(rest % size)
        rest = rest // size
    index = pd.MultiIndex(levels=[index for _, index in parts], codes=level_codes[::-1], names=keys)
    return codes, index


@fill
def by_group(df: pd.DataFrame, outcome: str, by, metric: str, weights=None, **options) -> pd.DataFrame:
    """Compute a metric for every group at once: NPS by branch, top-box by month, ...

    The column is checked once over the whole table; then one pass counts what the
    metric needs in each group (promoters, detractors and responses; hits; sums), and
    the interval formula runs on those arrays of counts. Each row of the result holds
    exactly the numbers the single-sample function gives for that group.

    Parameters
    ----------
    {df}
    outcome : str
        The ratings. Missing values (NaN, ``pd.NA``) are an error naming the rows:
        drop or fill them first.
    {by}
    metric : {"nps", "top_box", "bottom_box", "effort", "mean"}
        ``"effort"`` and ``"mean"`` are both the mean with a t interval; ``"effort"``
        checks the 1-7 effort scale by default, ``"mean"`` checks a scale only if
        given one.
    weights : str or array-like, optional
        Survey weights: the name of a column of ``df`` (such as one made by
        :func:`cxlib.weights.rake`) or one weight per row. Each group's estimate is then
        weighted and its interval rests on the group's ``n_effective`` (Kish), a column of
        the result.
    **options
        The metric's options: ``method`` and ``confidence`` for NPS; ``scale``, ``top``
        (``bottom``) and ``confidence`` for box shares; ``scale`` and ``confidence``
        for means.

    Returns
    -------
    DataFrame
        Indexed by group (sorted), columns ``estimate``, ``se``, ``low``, ``high``, ``n``
        (and ``n_effective`` when weighted).

    Warns
    -----
    UserWarning
        For a mean, groups with a single response (their ``se`` and interval are NaN)
        or with all responses equal (zero-width interval); for the Wald NPS, groups
        whose interval has zero width (a single response, or all in one category).
        A group with one response under the adjusted-Wald NPS gets the wide interval
        the formula gives, without a warning.

    Examples
    --------
    >>> d = pd.DataFrame({"branch": ["A"] * 4 + ["B"] * 4, "recommend": [10, 9, 7, 3, 10, 6, 5, 2]})
    >>> by_group(d, "recommend", by="branch", metric="nps", method="wald").round(1)
            estimate    se    low   high  n
    branch
    A           25.0  41.5  -56.3  100.0  4
    B          -50.0  43.3 -100.0   34.9  4
    """
    check_option("metric", metric, BY_GROUP_METRICS)
    keys = list(by) if isinstance(by, (list, tuple)) else [by]
    if not keys:
        raise InputError("by must name at least one column")
    require_columns(df, [*keys, outcome])
    known_options(options, _BY_GROUP_OPTIONS[metric], f"by_group(metric={metric!r})")
    confidence = check_confidence(options.get("confidence", 0.95))
    no_missing(df, keys, "group label")
    if len(df) == 0:
        raise InputError(f"{outcome} is empty: at least one value is needed")
    w = _weights_for(weights, df)
    if w is not None:
        return _weighted_by_group(df, outcome, keys, metric, w, options, confidence)

    if metric == "nps":
        method = _check_method(options.get("method", "adjusted_wald"))
        x = whole_numbers(df[outcome], outcome, *NPS_SCALE)
        codes, index = _group_codes(df, keys)
        out = _nps_frame(*_nps_counts(x, codes, len(index)), method, confidence)
        _warn_zero_width_wald(out, method, labels=index)
    elif metric in ("top_box", "bottom_box"):
        side = "top" if metric == "top_box" else "bottom"
        size = options.get(side, 2)
        lo, hi = _box_threshold(options.get("scale", (1, 5)), size, side)
        x = whole_numbers(df[outcome], outcome, lo, hi)
        codes, index = _group_codes(df, keys)
        k = len(index)
        out = wilson_from_counts(
            np.bincount(codes, weights=_box_hits(x, lo, hi, size, side), minlength=k),
            np.bincount(codes, minlength=k),
            confidence,
        )
    else:
        scale = options.get("scale", (1, 7) if metric == "effort" else None)
        lo, hi = _check_scale(scale) if scale is not None else (None, None)
        x = as_numeric(df[outcome], outcome, low=lo, high=hi, integer=scale is not None)
        codes, index = _group_codes(df, keys)
        out = _grouped_mean(x, codes, len(index), confidence)
        single = (out["n"] < 2).to_numpy()
        if single.any():
            warnings.warn(
                f"{_labels(single, index)} have a single response: their mean has no standard error "
                "or interval (NaN)",
                UserWarning,
                stacklevel=2,
            )
        _warn_zero_spread(out, labels=index)
    out.index = index
    return out


def _weighted_by_group(df, outcome, keys, metric, w, options, confidence) -> pd.DataFrame:
    if metric == "nps":
        method = _check_method(options.get("method", "adjusted_wald"))
        x = whole_numbers(df[outcome], outcome, *NPS_SCALE)
        codes, index = _group_codes(df, keys)
        out = _weighted_nps(x, w, codes, len(index), method, confidence)
    elif metric in ("top_box", "bottom_box"):
        side = "top" if metric == "top_box" else "bottom"
        size = options.get(side, 2)
        lo, hi = _box_threshold(options.get("scale", (1, 5)), size, side)
        x = whole_numbers(df[outcome], outcome, lo, hi)
        codes, index = _group_codes(df, keys)
        out = _weighted_share(_box_hits(x, lo, hi, size, side), w, codes, len(index), confidence)
    else:
        scale = options.get("scale", (1, 7) if metric == "effort" else None)
        lo, hi = _check_scale(scale) if scale is not None else (None, None)
        x = as_numeric(df[outcome], outcome, low=lo, high=hi, integer=scale is not None)
        codes, index = _group_codes(df, keys)
        out = _weighted_mean(x, w, codes, len(index), confidence)
    empty = (out["n_effective"] <= 0).to_numpy()
    if empty.any():
        raise InputError(
            f"weights: {_labels(empty, index)} have no positive weight, so they have no estimate; "
            "drop those groups or check the weights"
        )
    out.index = index
    return out


# --- customers who answer more than once: cluster-robust intervals ---

CLUSTERED_METRICS = ("nps", "top_box", "bottom_box", "effort", "mean")


def _response_scores(df: pd.DataFrame, outcome: str, metric: str, options: dict) -> np.ndarray:
    """Each response's contribution to the metric, so that the metric is their mean.

    NPS: 100 for a promoter, -100 for a detractor, 0 for a passive; a box share: 100 for an
    answer in the box, 0 otherwise; a mean: the rating itself. The counting rules are the
    ones :func:`nps` and :func:`top_box` use.
    """
    if metric == "nps":
        x = whole_numbers(df[outcome], outcome, *NPS_SCALE)
        return 100.0 * (x >= PROMOTER_MIN) - 100.0 * (x <= DETRACTOR_MAX)
    if metric in ("top_box", "bottom_box"):
        side = "top" if metric == "top_box" else "bottom"
        size = options.get(side, 2)
        lo, hi = _box_threshold(options.get("scale", (1, 5)), size, side)
        x = whole_numbers(df[outcome], outcome, lo, hi)
        return 100.0 * _box_hits(x, lo, hi, size, side)
    scale = options.get("scale", (1, 7) if metric == "effort" else None)
    lo, hi = _check_scale(scale) if scale is not None else (None, None)
    return as_numeric(df[outcome], outcome, low=lo, high=hi, integer=scale is not None)


@fill
def clustered(
    df: pd.DataFrame, outcome: str, cluster: str, metric: str = "mean", by=None, weights=None, **options
) -> pd.DataFrame:
    """A metric with a cluster-robust interval, for data where the same customer answers several times.

    A customer who answers the survey twice brings their own leniency (a personal halo) to
    both answers, so the two are not independent, and an interval that counts every response
    as new information is too narrow. Treating each customer as one *cluster* of responses
    fixes that: the standard error comes from the spread of the customers' summed deviations
    from the mean (the cluster-robust "sandwich" of Liang & Zeger 1986, with the small-sample
    factor ``G / (G - 1)`` for ``G`` clusters, CR1 in Cameron & Miller 2015, *Journal of Human
    Resources* 50(2), 317-372), and the interval uses Student's t with ``G - 1`` degrees of
    freedom. Every metric here is a mean of per-response scores (NPS: +100 promoter, -100
    detractor; a box share: 100 in the box), so one formula serves them all; it is the
    interval statsmodels gives for a regression on a constant with ``cov_type="cluster"``
    and ``use_t=True``. With one response per customer the standard error is the ordinary one.

    With survey ``weights`` (for example from :func:`cxlib.weights.rake`) the metric is the
    weighted mean of the scores, and the standard error linearises it: each customer's summed
    *weighted* deviations, over the sum of the weights (the interval statsmodels gives for a
    weighted regression on a constant, ``WLS`` with ``cov_type="cluster"``). It allows for both
    the repeated answers and the unequal weights, so no separate effective sample size is needed.

    Parameters
    ----------
    {df}
    outcome : str
        The ratings (no missing values: drop or fill them first).
    cluster : str
        The column saying which responses belong together (the customer id).
    metric : {"nps", "top_box", "bottom_box", "effort", "mean"}
        As in :func:`by_group`. The NPS interval is the cluster-robust Wald interval (the
        adjusted-Wald correction of :func:`nps` is for small independent samples).
    by : str or list of str, optional
        Group columns: one row per group. By default one row for all the data, labelled ``"all"``.
    weights : str or array-like, optional
        Survey weights: a column of ``df`` or one non-negative weight per row. By default every
        response counts once.
    **options
        ``confidence`` (default 0.95); ``scale`` and ``top`` (``bottom``) for box shares;
        ``scale`` for means (default (1, 7) for effort).

    Returns
    -------
    DataFrame
        One row per group: ``estimate`` (the metric), ``se`` (cluster-robust), ``low``, ``high``
        (t interval with ``clusters - 1`` degrees of freedom, kept within the metric's range),
        ``n`` (responses) and ``clusters`` (customers).

    Examples
    --------
    Customer 1 answered three times, the others once:

    >>> d = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 4], "effort": [2, 2, 3, 5, 6, 6]})
    >>> clustered(d, "effort", "customer_id", metric="effort").round(3)
         estimate     se    low   high  n  clusters
    all       4.0  1.122  0.429  7.571  6         4
    """
    check_option("metric", metric, CLUSTERED_METRICS)
    allowed = {"confidence"} | (_BY_GROUP_OPTIONS[metric] - {"method"})
    known_options(options, allowed, f"clustered(metric={metric!r})")
    confidence = check_confidence(options.get("confidence", 0.95))
    keys = [] if by is None else (list(by) if isinstance(by, (list, tuple)) else [by])
    require_columns(df, [*keys, cluster, outcome])
    no_missing(df, [cluster], "cluster label")
    no_missing(df, keys, "group label")
    if len(df) == 0:
        raise InputError(f"{outcome} is empty: at least one value is needed")
    x = np.asarray(_response_scores(df, outcome, metric, options), dtype=float)
    w = _weights_for(weights, df)
    w = np.ones(len(df)) if w is None else w
    if keys:
        codes, index = _group_codes(df, keys)
    else:
        codes, index = np.zeros(len(df), dtype=np.int64), pd.Index(["all"])
    k = len(index)
    n = np.bincount(codes, minlength=k)
    total = np.bincount(codes, weights=w, minlength=k)
    if (total <= 0).any():
        raise InputError(
            f"{_labels(total <= 0, index if keys else None)}: every weight is 0, so no response counts"
        )
    mean = np.bincount(codes, weights=w * x, minlength=k) / total
    dev = w * (x - mean[codes])
    members = pd.factorize(pd.Series(df[cluster].to_numpy(dtype=object)))[0].astype(np.int64)
    pairs, pair_of = np.unique(codes * (members.max() + 1) + members, return_inverse=True)
    summed = np.bincount(pair_of.ravel(), weights=dev, minlength=len(pairs))
    group_of_pair = pairs // (members.max() + 1)
    G = np.bincount(group_of_pair, minlength=k)
    few = G < 2
    if few.any():
        raise InputError(
            f"{_labels(few, index if keys else None)}: a cluster-robust interval needs at least 2 "
            f"clusters ({cluster} values) per group; found {G[few][:5].tolist()}"
        )
    se = np.sqrt(G / (G - 1) * np.bincount(group_of_pair, weights=summed**2, minlength=k)) / total
    half = t_quantile(0.5 + confidence / 2, G - 1) * se
    bounds = {"nps": (-100.0, 100.0), "top_box": (0.0, 100.0), "bottom_box": (0.0, 100.0)}
    lo, hi = bounds.get(metric, (-np.inf, np.inf))
    out = pd.DataFrame(
        {
            "estimate": mean,
            "se": se,
            "low": np.clip(mean - half, lo, hi),
            "high": np.clip(mean + half, lo, hi),
            "n": n.astype(np.int64),
            "clusters": G.astype(np.int64),
        },
        index=index,
    )
    return out
