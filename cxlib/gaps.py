"""Know your customers: the expectation gap and the SERVQUAL gaps.

Two of the gaps of the gaps model of service quality (Parasuraman, Zeithaml & Berry
1985, *Journal of Marketing* 49(4); SERVQUAL: 1988, *Journal of Retailing* 64(1)):

* :func:`expectation_gap` is gap 1, "not knowing what customers expect": what
  employees believe matters to customers against what customers say matters to them,
  per expectation, with Welch intervals, multiplicity-corrected p-values and ranks.
* :func:`servqual_gaps` is gap 5, the customer's gap: perception of our service minus
  expectation of an excellent company, per item, per dimension or overall, with paired
  t intervals (each respondent answers both questions).

Both tables name the gap ``estimate``, with its ``se``, ``low``, ``high`` and ``p_value``.
"""

from __future__ import annotations

import pandas as pd

from ._docs import fill
from ._validate import as_numeric, check_confidence, check_option, no_missing, require_columns, show_examples
from .compare import adjust_pvalues, grouped_mean_difference, suggest_label, t_from_stats
from .errors import InputError


def _unique_pairs(df: pd.DataFrame, key: list[str]) -> None:
    dup = df.duplicated(key, keep=False).to_numpy()
    if dup.any():
        vals = df.loc[dup, key].astype(str).agg(" / ".join, axis=1)
        raise InputError(
            f"{int(dup.sum())} rows repeat the same {' + '.join(key)}; each respondent should answer "
            f"each question once: {show_examples(df.index[dup], vals)}"
        )


@fill
def expectation_gap(
    df: pd.DataFrame,
    outcome: str = "importance",
    role: str = "role",
    item: str = "expectation",
    respondent: str = "respondent_id",
    customer: str = "customer",
    employee: str = "employee",
    confidence: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """What employees believe customers expect, against what customers expect: the gap per expectation.

    Parameters
    ----------
    df : DataFrame
        Long data, one row per respondent and expectation (the course's
        ``expectations`` table).
    outcome : str
        The importance rating (numeric, no blanks).
    role : str
        Who answered; its values must be ``customer`` and ``employee``.
    item : str
        The expectation rated.
    respondent : str
        Respondent id: each respondent has one role and rates each expectation at most
        once (checked).
    customer, employee : str
        The two values of ``role``.
    {confidence}
        An adjusted p-value below ``1 - confidence`` marks a gap as significant.
    {correction}

    Returns
    -------
    DataFrame
        One row per expectation, ordered by how customers rank it (most important
        first), with ``customer_mean``, ``employee_mean``, the gap ``estimate`` (employee -
        customer), its ``se``, ``low``, ``high`` (Welch interval), ``df``, ``p_value``,
        ``p_adjusted``, ``n_customer``, ``n_employee``, ``customer_rank``,
        ``employee_rank`` (1 = most important; ties share the best rank) and
        ``rank_difference`` (employee rank - customer rank).

    Notes
    -----
    Sign conventions: a **negative gap** (``estimate``) means employees *under-rate* the expectation
    (customers care more than staff think); a positive gap means they over-rate it.
    A **positive rank difference** means employees rank it lower down the list than
    customers do.

    Examples
    --------
    >>> import numpy as np
    >>> d = pd.DataFrame({
    ...     "respondent_id": np.repeat([1, 2, 3, 4, 5, 6], 2),
    ...     "role": np.repeat(["customer"] * 3 + ["employee"] * 3, 2),
    ...     "expectation": ["being listened to", "low prices"] * 6,
    ...     "importance": [7, 4, 6, 5, 7, 4, 5, 6, 4, 7, 5, 6]})
    >>> gaps = expectation_gap(d)
    >>> gaps[["customer_mean", "employee_mean", "estimate"]].round(2)
                       customer_mean  employee_mean  estimate
    expectation
    being listened to           6.67           4.67      -2.0
    low prices                  4.33           6.33       2.0
    >>> gaps[["customer_rank", "employee_rank", "rank_difference"]]
                       customer_rank  employee_rank  rank_difference
    expectation
    being listened to              1              2                1
    low prices                     2              1               -1
    """
    confidence = check_confidence(confidence)
    require_columns(df, [role, item, outcome, respondent])
    no_missing(df, [role, item, respondent])
    roles = pd.Series(df[role].to_numpy(dtype=object), index=df.index)
    other = ~roles.isin([customer, employee])
    if other.any():
        seen = sorted({str(v) for v in roles[other]})[:5]
        hints = "; ".join(f"{v!r}{suggest_label(v, [customer, employee])}" for v in seen)
        raise InputError(
            f"{role}: {int(other.sum())} row(s) are neither {customer!r} nor {employee!r}: "
            f"{show_examples(df.index[other], roles[other])}. {hints}"
        )
    per = (
        pd.DataFrame({"r": df[respondent].to_numpy(), "role": roles.to_numpy()})
        .groupby("r")["role"]
        .nunique()
    )
    mixed = per.index[per > 1]
    if len(mixed):
        raise InputError(
            f"{len(mixed)} respondent(s) appear both as {customer!r} and as {employee!r} in {role}: "
            f"{', '.join(map(repr, mixed[:5].tolist()))}; each respondent should have one role"
        )
    _unique_pairs(df, [respondent, item])
    as_numeric(df[outcome], outcome)  # clear errors for text or blanks before grouping
    res = grouped_mean_difference(df, outcome, role, employee, customer, by=item, confidence=confidence)
    out = pd.DataFrame(
        {
            "customer_mean": res["mean_b"],
            "employee_mean": res["mean_a"],
            "estimate": res["estimate"],
            "se": res["se"],
            "low": res["low"],
            "high": res["high"],
            "df": res["df"],
            "p_value": res["p_value"],
        },
        index=res.index,
    )
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), correction)
    out["n_customer"] = res["n_b"].astype(int)
    out["n_employee"] = res["n_a"].astype(int)
    out["customer_rank"] = out["customer_mean"].rank(ascending=False, method="min").astype(int)
    out["employee_rank"] = out["employee_mean"].rank(ascending=False, method="min").astype(int)
    out["rank_difference"] = out["employee_rank"] - out["customer_rank"]
    out.index.name = item
    return out.sort_values(["customer_rank", "employee_rank"], kind="stable")


#: The columns of :func:`servqual_gaps` (``by="item"`` adds the dimension first).
SERVQUAL_COLUMNS = ["n", "expectation", "perception", "estimate", "se", "low", "high", "p_value"]


@fill
def servqual_gaps(
    df: pd.DataFrame,
    by: str = "dimension",
    respondent: str = "respondent_id",
    dimension: str = "dimension",
    item: str = "item",
    expectation: str = "expectation",
    perception: str = "perception",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """SERVQUAL gaps, perception minus expectation, per item, dimension or overall, with paired t intervals.

    Each respondent rates, for every item, what an excellent company would offer
    (expectation) and what we offer (perception) (Parasuraman, Zeithaml & Berry 1988).
    The gap is computed per respondent first, ``perception - expectation``, so the
    interval is the paired t interval of those differences (the same answer as
    ``scipy.stats.ttest_rel``).

    Parameters
    ----------
    df : DataFrame
        Long data, one row per respondent and item (the course's ``servqual`` table).
    by : {"dimension", "item", "overall"}
        ``"item"``: the gap of each item over the respondents who rated it.
        ``"dimension"``: each respondent's dimension gap is the mean of their item gaps
        in that dimension (items they answered), then the mean and paired interval over
        respondents. ``"overall"``: each respondent's unweighted SERVQUAL score, the mean
        of their dimension gaps, then the mean and interval over respondents.
    respondent, dimension, item, expectation, perception : str
        Column names. Each item belongs to one dimension, and each respondent rates each
        item once (checked).
    {confidence}

    Returns
    -------
    DataFrame
        Indexed by item (with a ``dimension`` column), dimension, or the single row
        ``"overall"``, with columns ``n`` (respondents), mean ``expectation``, mean
        ``perception``, the gap ``estimate`` (perception - expectation; negative = falls
        short of expectations), ``se``, ``low``, ``high`` and the two-sided ``p_value``
        for "no gap".

    Examples
    --------
    >>> d = pd.DataFrame({"respondent_id": [1, 1, 2, 2, 3, 3],
    ...                   "dimension": ["reliability", "empathy"] * 3,
    ...                   "item": ["reliability_1", "empathy_1"] * 3,
    ...                   "expectation": [7, 5, 6, 6, 7, 5], "perception": [5, 5, 5, 6, 4, 6]})
    >>> servqual_gaps(d)[["n", "expectation", "perception", "estimate"]].round(2)
                 n  expectation  perception  estimate
    dimension
    empathy      3         5.33        5.67      0.33
    reliability  3         6.67        4.67     -2.00
    """
    confidence = check_confidence(confidence)
    check_option("by", by, ("dimension", "item", "overall"))
    require_columns(df, [respondent, dimension, item, expectation, perception])
    no_missing(df, [respondent, dimension, item])
    e = as_numeric(df[expectation], expectation)
    p = as_numeric(df[perception], perception)
    _unique_pairs(df, [respondent, item])
    frame = pd.DataFrame(
        {
            "r": df[respondent].to_numpy(),
            "dim": df[dimension].to_numpy(),
            "item": df[item].to_numpy(),
            "e": e,
            "p": p,
            "g": p - e,
        },
        index=df.index,
    )
    if isinstance(df[dimension].dtype, pd.CategoricalDtype):
        frame["dim"] = pd.Categorical(frame["dim"], categories=df[dimension].cat.categories)
    if isinstance(df[item].dtype, pd.CategoricalDtype):
        frame["item"] = pd.Categorical(frame["item"], categories=df[item].cat.categories)
    dims_per_item = frame.groupby("item", observed=True)["dim"].nunique()
    bad = dims_per_item.index[dims_per_item > 1]
    if len(bad):
        raise InputError(
            f"{len(bad)} item(s) are listed under more than one {dimension}: "
            f"{', '.join(map(repr, bad[:5].tolist()))}; each item belongs to one dimension"
        )
    if by == "item":
        keys = ["dim", "item"]
        scores = frame
    else:
        scores = frame.groupby(["r", "dim"], observed=True, sort=False)[["e", "p", "g"]].mean().reset_index()
        keys = ["dim"]
        if by == "overall":
            scores = (
                scores.groupby("r", sort=False)[["e", "p", "g"]].mean().reset_index().assign(all="overall")
            )
            keys = ["all"]
    agg = scores.groupby(keys, observed=True, sort=True).agg(
        n=("g", "count"),
        expectation=("e", "mean"),
        perception=("p", "mean"),
        estimate=("g", "mean"),
        var=("g", "var"),
    )
    few = agg["n"] < 2
    if few.any():
        raise InputError(
            f"a gap's interval needs at least 2 respondents; {', '.join(map(str, agg.index[few][:5]))} "
            f"ha(s) {agg['n'][few].iloc[:5].tolist()}"
        )
    t = t_from_stats(agg["estimate"].to_numpy(), agg["var"].to_numpy(), agg["n"].to_numpy(), confidence)
    out = agg[["n", "expectation", "perception", "estimate"]].copy()
    for c in ("se", "low", "high", "p_value"):
        out[c] = t[c].to_numpy()
    if by == "item":
        out = out.reset_index(level="dim").rename(columns={"dim": dimension})
        out.index.name = item
    elif by == "dimension":
        out.index.name = dimension
    else:
        out.index.name = None
    return out
