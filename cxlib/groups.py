"""Many groups at once: each group against the rest, all pairs, period over period.

Ten branches, five businesses, twenty-four months: with that many comparisons some difference
will look "significant" by chance alone (at 5%, one in twenty when nothing is going on). Each
function here makes every comparison of a family in one pass, gives each its interval and
p-value, and adjusts the p-values for the number of comparisons made:

* ``correction="holm"`` (the default; Holm 1979) keeps the chance of *any* false alarm in the
  family below ``1 - confidence``;
* ``correction="fdr_bh"`` (Benjamini & Hochberg 1995) keeps the expected *share* of false alarms
  among the flagged differences below it: more power when many groups truly differ.

The tables are tidy, one row per comparison, and say in ``verdict`` whether the adjusted p-value
flags the difference. :func:`cxlib.plots.crosstab_plot` draws :func:`versus_rest` as the crosstab an
analyst knows, with a marker where a group stands out.

The metrics are those of :func:`cxlib.metrics.by_group`, with the same formulas: NPS (adjusted
Wald difference, as :func:`cxlib.metrics.compare_nps`), top-box and bottom-box shares (the
difference of proportions with Newcombe's (1998) hybrid score interval built from the two Wilson
intervals, and the pooled two-proportion z test), and means (Welch). ``weights=`` weights every
estimate; the intervals then rest on effective sample sizes (Kish) or linearised variances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._docs import fill
from ._validate import (
    as_numeric,
    check_confidence,
    check_option,
    known_options,
    no_missing,
    require_columns,
    whole_numbers,
)
from .compare import adjust_pvalues, welch_from_stats
from .errors import InputError
from .metrics import (
    DETRACTOR_MAX,
    NPS_SCALE,
    PROMOTER_MIN,
    _box_hits,
    _box_threshold,
    _check_method,
    _check_scale,
    _group_codes,
    _share_difference,
    _weights_for,
    nps_difference,
)

#: The metrics the comparisons take.
METRICS = ("nps", "top_box", "bottom_box", "mean")
_OPTIONS = {
    "nps": {"method"},
    "top_box": {"scale", "top"},
    "bottom_box": {"scale", "bottom"},
    "mean": {"scale"},
}


def _keys(by) -> list:
    keys = list(by) if isinstance(by, (list, tuple)) else [by]
    if not keys:
        raise InputError("by must name at least one column")
    return keys


def _sums(df: pd.DataFrame, outcome: str, keys: list, metric: str, weights, options: dict):
    """Per-group sums that every comparison of ``metric`` is built from (weights 1 when unweighted)."""
    check_option("metric", metric, METRICS)
    known_options(options, _OPTIONS[metric], f"metric={metric!r}")
    require_columns(df, [*keys, outcome])
    no_missing(df, keys, "group label")
    if len(df) == 0:
        raise InputError(f"{outcome} is empty: at least one value is needed")
    w = _weights_for(weights, df)
    w = np.ones(len(df)) if w is None else w
    codes, index = _group_codes(df, keys)
    k = len(index)

    def total(v):
        return np.bincount(codes, weights=v, minlength=k)

    sums = {"count": total((w > 0).astype(float)), "W": total(w), "Q": total(w * w)}
    if metric == "nps":
        x = whole_numbers(df[outcome], outcome, *NPS_SCALE)
        sums["P"], sums["D"] = total(w * (x >= PROMOTER_MIN)), total(w * (x <= DETRACTOR_MAX))
    elif metric in ("top_box", "bottom_box"):
        side = "top" if metric == "top_box" else "bottom"
        size = options.get(side, 2)
        lo, hi = _box_threshold(options.get("scale", (1, 5)), size, side)
        x = whole_numbers(df[outcome], outcome, lo, hi)
        sums["H"] = total(w * _box_hits(x, lo, hi, size, side))
    else:
        scale = options.get("scale")
        lo, hi = _check_scale(scale) if scale is not None else (None, None)
        x = as_numeric(df[outcome], outcome, low=lo, high=hi, integer=scale is not None)
        shift = float(np.average(x, weights=w))
        d = x - shift
        sums.update({"S1": total(w * d), "T1": total(w * w * d), "T2": total(w * w * d * d), "shift": shift})
    return sums, index


def _take(sums: dict, pick) -> dict:
    """The sums of the groups (or combinations of groups) that ``pick`` selects: a function of an array."""
    return {key: (val if key == "shift" else pick(val)) for key, val in sums.items()}


def _side(s: dict, metric: str) -> dict:
    """Estimate, effective size and what the difference formulas need, for one side of each comparison."""
    W, Q, count = s["W"], s["Q"], s["count"]
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(Q > 0, W**2 / Q, 0.0)
        if metric == "nps":
            pp, pd_ = s["P"] / W, s["D"] / W
            return {"estimate": 100 * (pp - pd_), "n": count, "n_eff": n_eff, "pp": pp, "pd": pd_}
        if metric in ("top_box", "bottom_box"):
            p = s["H"] / W
            return {"estimate": 100 * p, "n": count, "n_eff": n_eff, "p": p}
        mean = s["S1"] / W
        resid = s["T2"] - 2 * mean * s["T1"] + mean**2 * Q
        var = np.where(count > 1, count / (count - 1) * np.maximum(resid, 0.0) / W**2, np.nan)
    return {"estimate": mean + s["shift"], "n": count, "n_eff": n_eff, "se2": var}


def _box_difference(a: dict, b: dict, confidence: float) -> pd.DataFrame:
    """Difference of two shares (points): Newcombe's (1998) hybrid score interval, pooled z test."""
    na, nb = a["n_eff"], b["n_eff"]  # effective counts: not whole numbers when weighted
    return _share_difference(np.clip(a["p"] * na, 0, na), na, np.clip(b["p"] * nb, 0, nb), nb, confidence)


def _difference(a: dict, b: dict, metric: str, method: str, confidence: float) -> pd.DataFrame:
    if (a["n_eff"] <= 0).any() or (b["n_eff"] <= 0).any():
        raise InputError("a group to compare has no response with a positive weight")
    if metric == "nps":
        out = nps_difference(
            a["pp"] * a["n_eff"],
            np.minimum(a["pd"] * a["n_eff"], a["n_eff"] * (1 - a["pp"])),
            a["n_eff"],
            b["pp"] * b["n_eff"],
            np.minimum(b["pd"] * b["n_eff"], b["n_eff"] * (1 - b["pp"])),
            b["n_eff"],
            method,
            confidence,
        )
    elif metric in ("top_box", "bottom_box"):
        out = _box_difference(a, b, confidence)
    else:
        few = (a["n"] < 2) | (b["n"] < 2)
        if few.any():
            raise InputError("a mean difference needs at least 2 responses on each side of every comparison")
        out = welch_from_stats(
            a["estimate"],
            a["se2"] * a["n_eff"],
            a["n_eff"],
            b["estimate"],
            b["se2"] * b["n_eff"],
            b["n_eff"],
            confidence,
        )
        out = out[["estimate", "se", "low", "high", "t", "df", "p_value"]]
    return out


def _assemble(
    head: pd.DataFrame, a: dict, b: dict, diff: pd.DataFrame, weighted: bool, correction, confidence, words
):
    out = head.reset_index(drop=True)
    out["n_a"], out["n_b"] = np.asarray(a["n"], dtype=np.int64), np.asarray(b["n"], dtype=np.int64)
    if weighted:
        out["n_effective_a"], out["n_effective_b"] = a["n_eff"], b["n_eff"]
    out["estimate_a"], out["estimate_b"] = a["estimate"], b["estimate"]
    for col in diff.columns:
        out[col] = diff[col].to_numpy()
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), correction)
    flagged = out["p_adjusted"] < 1 - confidence
    out["verdict"] = np.where(
        flagged & (out["estimate"] > 0), words[0], np.where(flagged, words[1], words[2])
    )
    return out


def _index_frame(index: pd.Index, positions: np.ndarray, suffix: str = "") -> pd.DataFrame:
    frame = index[positions].to_frame(index=False)
    if suffix:
        frame.columns = [f"{c}{suffix}" for c in frame.columns]
    return frame


@fill
def versus_rest(
    df: pd.DataFrame,
    outcome: str,
    by,
    metric: str,
    within=None,
    correction: str = "holm",
    confidence: float = 0.95,
    weights=None,
    **options,
) -> pd.DataFrame:
    """Each group against all the others together: which branches stand out, above or below?

    Parameters
    ----------
    {df}
    {outcome}
    by : str or list of str
        The column(s) whose groups are compared (a branch, a business).
    metric : {"nps", "top_box", "bottom_box", "mean"}
        What is compared.
    within : str or list of str, optional
        Compare within each level of these columns (each branch against the other branches in
        the same quarter, say); the family adjusted for is every comparison in the table.
    {correction}
    {confidence}
        A difference is flagged when its *adjusted* p-value is below ``1 - confidence``.
    weights : str or array-like, optional
        Survey weights (a column of ``df`` or one per row); estimates are weighted and the
        intervals rest on effective sample sizes.
    **options
        The metric's options: ``method`` for NPS, ``scale`` and ``top`` (``bottom``) for box
        shares, ``scale`` for means (as :func:`cxlib.metrics.by_group`).

    Returns
    -------
    DataFrame
        One row per group (per level of ``within``): the key columns, ``n_a`` (the group's
        responses) and ``n_b`` (the rest's), ``estimate_a`` and ``estimate_b`` (the metric in the
        group and in the rest), ``estimate`` (the difference, group minus rest), ``se`` (the
        standard error the interval uses), ``low``, ``high`` (unadjusted interval), ``z`` (``t``
        and ``df`` for means; for a top- or bottom-box share the pooled two-proportion test, whose
        standard error assumes no difference, so ``z`` is not ``estimate / se``), ``p_value``,
        ``p_adjusted`` and ``verdict`` (``"above"``, ``"below"`` or ``"no difference"``). Weighted:
        also ``n_effective_a`` and ``n_effective_b``.

    Examples
    --------
    >>> d = pd.DataFrame({"branch": list("AAAABBBBCCCC") * 10,
    ...                   "recommend": [10, 10, 9, 9, 7, 8, 6, 9, 2, 3, 6, 8] * 10})
    >>> versus_rest(d, "recommend", "branch", "nps")[["branch", "estimate_a", "estimate", "verdict"]]
      branch  estimate_a  estimate        verdict
    0      A       100.0     137.5          above
    1      B         0.0     -12.5  no difference
    2      C       -75.0    -125.0          below
    """
    confidence = check_confidence(confidence)
    method = _check_method(options.get("method", "adjusted_wald")) if metric == "nps" else None
    keys = _keys(by)
    within_keys = [] if within is None else _keys(within)
    sums, index = _sums(df, outcome, [*within_keys, *keys], metric, weights, options)
    if within_keys:
        cell = index.to_frame(index=False)
        block = (
            pd.MultiIndex.from_frame(cell[within_keys])
            if len(within_keys) > 1
            else pd.Index(cell[within_keys[0]])
        )
        block_codes, _ = pd.factorize(block)
    else:
        block_codes = np.zeros(len(index), dtype=np.int64)
    nblocks = block_codes.max() + 1

    def rest(v):
        return np.bincount(block_codes, weights=v, minlength=nblocks)[block_codes] - v

    a = _side(_take(sums, lambda v: v), metric)
    b = _side(_take(sums, rest), metric)
    if (b["n"] <= 0).any():
        raise InputError(
            f"{', '.join(keys)}: a group has no other group to be compared with (only one group)"
        )
    diff = _difference(a, b, metric, method, confidence)
    head = index.to_frame(index=False)
    return _assemble(
        head, a, b, diff, weights is not None, correction, confidence, ("above", "below", "no difference")
    )


@fill
def pairwise(
    df: pd.DataFrame,
    outcome: str,
    by,
    metric: str,
    correction: str = "holm",
    confidence: float = 0.95,
    weights=None,
    **options,
) -> pd.DataFrame:
    """Every pair of groups compared: which branches differ from which?

    With g groups there are g(g - 1)/2 pairs (45 for ten branches): the correction matters.

    Parameters
    ----------
    {df}
    {outcome}
    by : str or list of str
        The column(s) whose groups are compared.
    metric : {"nps", "top_box", "bottom_box", "mean"}
        What is compared.
    {correction}
    {confidence}
    weights : str or array-like, optional
        Survey weights (a column of ``df`` or one per row).
    **options
        The metric's options (as :func:`versus_rest`).

    Returns
    -------
    DataFrame
        One row per pair (a, b), a before b in the groups' sorted order: the key columns with
        ``_a`` and ``_b`` appended, then the columns of :func:`versus_rest` (``estimate`` is a
        minus b; ``verdict`` is ``"a higher"``, ``"b higher"`` or ``"no difference"``).

    Examples
    --------
    >>> d = pd.DataFrame({"business": ["us"] * 50 + ["them"] * 50 + ["other"] * 50,
    ...                   "rating": [5, 4] * 25 + [4, 3] * 25 + [5, 3] * 25})
    >>> pairwise(d, "rating", "business", "mean")[["business_a", "business_b", "estimate", "verdict"]]
      business_a business_b  estimate        verdict
    0      other       them       0.5       a higher
    1      other         us      -0.5       b higher
    2       them         us      -1.0       b higher
    """
    confidence = check_confidence(confidence)
    method = _check_method(options.get("method", "adjusted_wald")) if metric == "nps" else None
    keys = _keys(by)
    sums, index = _sums(df, outcome, keys, metric, weights, options)
    if len(index) < 2:
        raise InputError(f"{', '.join(keys)} has a single group; pairs need at least two")
    ia, ib = np.triu_indices(len(index), k=1)
    a = _side(_take(sums, lambda v: v[ia]), metric)
    b = _side(_take(sums, lambda v: v[ib]), metric)
    diff = _difference(a, b, metric, method, confidence)
    head = pd.concat([_index_frame(index, ia, "_a"), _index_frame(index, ib, "_b")], axis=1)
    return _assemble(
        head,
        a,
        b,
        diff,
        weights is not None,
        correction,
        confidence,
        ("a higher", "b higher", "no difference"),
    )


@fill
def period_over_period(
    df: pd.DataFrame,
    outcome: str,
    period: str,
    metric: str,
    by=None,
    correction: str = "holm",
    confidence: float = 0.95,
    weights=None,
    **options,
) -> pd.DataFrame:
    """Each period against the one before, for a trend table: did this month really change?

    Parameters
    ----------
    {df}
    {outcome}
    {period}
    metric : {"nps", "top_box", "bottom_box", "mean"}
        What is compared.
    by : str or list of str, optional
        Compare within each group (each branch's month over month).
    {correction}
    {confidence}
    weights : str or array-like, optional
        Survey weights (a column of ``df`` or one per row).
    **options
        The metric's options (as :func:`versus_rest`).

    Returns
    -------
    DataFrame
        One row per period after the first (per group): the ``by`` columns, ``period`` and
        ``previous`` (the two periods), then the columns of :func:`versus_rest` with ``a`` the
        period and ``b`` the one before (``estimate`` is the change; ``verdict`` is ``"up"``,
        ``"down"`` or ``"no change"``). Only periods with responses count: a gap compares with
        the last period that has some.

    Examples
    --------
    >>> d = pd.DataFrame({"month": [1] * 40 + [2] * 40 + [3] * 40,
    ...                   "satisfaction": [4, 5, 3, 4] * 10 + [4, 5, 4, 4] * 10 + [2, 3, 3, 4] * 10})
    >>> change = period_over_period(d, "satisfaction", "month", "top_box")
    >>> change[["period", "previous", "estimate", "verdict"]]
       period  previous  estimate    verdict
    0       2         1      25.0         up
    1       3         2     -75.0       down
    """
    confidence = check_confidence(confidence)
    method = _check_method(options.get("method", "adjusted_wald")) if metric == "nps" else None
    groups = [] if by is None else _keys(by)
    sums, index = _sums(df, outcome, [*groups, period], metric, weights, options)
    cells = index.to_frame(index=False)
    if groups:
        same = (cells[groups].iloc[1:].to_numpy() == cells[groups].iloc[:-1].to_numpy()).all(axis=1)
    else:
        same = np.ones(len(cells) - 1, dtype=bool)
    ia = np.flatnonzero(same) + 1
    ib = ia - 1
    if len(ia) == 0:
        raise InputError(f"{period}: a single period (per group); a change needs at least two")
    a = _side(_take(sums, lambda v: v[ia]), metric)
    b = _side(_take(sums, lambda v: v[ib]), metric)
    diff = _difference(a, b, metric, method, confidence)
    head = cells.iloc[ia][groups].reset_index(drop=True)
    head["period"] = cells[period].to_numpy()[ia]
    head["previous"] = cells[period].to_numpy()[ib]
    return _assemble(
        head, a, b, diff, weights is not None, correction, confidence, ("up", "down", "no change")
    )
