"""Benchmark with the competition, and outside the industry.

The course's fourth lesson says: compare yourself with your competitors item by item,
treat their level as the *minimum standard* rather than the goal, and look outside your
industry (a best-in-class business) for the level worth aiming at. Not every gap is
real: with a few hundred ratings per business, small differences are noise.
:func:`benchmark_gaps` gives each gap its Welch interval and a p-value corrected for
the number of comparisons made, and says where we lead, trail or are on par.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._docs import fill
from ._validate import as_numeric, check_confidence, no_missing, require_columns
from .compare import adjust_pvalues, suggest_label, welch_from_stats
from .errors import InputError

VERDICTS = ("leads", "on par", "trails")

#: The columns of :func:`benchmark_gaps`, in order.
BENCHMARK_COLUMNS = [
    "business",
    "business_type",
    "item",
    "n_us",
    "n_them",
    "mean_us",
    "mean_them",
    "estimate",
    "se",
    "low",
    "high",
    "df",
    "p_value",
    "p_adjusted",
    "verdict",
    "meets_minimum",
]


def _find_us(df: pd.DataFrame, business: str, business_type: str | None, us) -> str:
    names = pd.Series(df[business].to_numpy(dtype=object)).dropna().unique().tolist()
    if us is not None:
        if us not in names:
            raise InputError(
                f"{business} has no value {us!r} (argument us){suggest_label(us, names)}; "
                f"the businesses are: {', '.join(map(repr, sorted(map(str, names))))}"
            )
        return us
    if business_type is None or business_type not in df.columns:
        raise InputError(
            "say which business is ours: pass us='<name>' "
            f"(one of {', '.join(map(repr, sorted(map(str, names))))}), "
            f"or give a {business_type or 'business_type'!r} column with the value 'us'"
        )
    ours = pd.Series(
        df.loc[df[business_type].astype(object) == "us", business].to_numpy(dtype=object)
    ).unique()
    if len(ours) != 1:
        raise InputError(
            f"{business_type} must mark exactly one business as 'us' to find ours, found "
            f"{len(ours)}: {', '.join(map(repr, map(str, ours))) or 'none'}; pass us='<name>' instead"
        )
    return ours[0]


@fill
def benchmark_gaps(
    df: pd.DataFrame,
    items: list[str] | None = None,
    business: str = "business",
    us: str | None = None,
    business_type: str | None = "business_type",
    confidence: float = 0.95,
    correction: str = "holm",
) -> pd.DataFrame:
    """Our mean rating against every other business's, item by item, with Welch intervals and a verdict.

    Parameters
    ----------
    df : DataFrame
        One row per respondent rating one business (the course's ``benchmark`` table).
    items : list of str, optional
        The numeric rating columns to compare; by default the ten factor items of the
        survey schema (:func:`cxlib.data.items`). Blank ratings are "not answered" and
        are left out of that item's mean (``n_us`` and ``n_them`` say how many count).
    business : str
        The business rated.
    us : str, optional
        Our business's name; by default the one business whose ``business_type`` is
        ``"us"``.
    business_type : str or None
        A column saying what each business is (``"us"``, ``"competitor"``, ``"best in
        class"``), copied into the result; ``None`` if there is none (then pass ``us``).
    {confidence}
        A gap counts as real when its *adjusted* p-value is below ``1 - confidence``.
    {correction}

    Returns
    -------
    DataFrame
        One row per (other business, item), competitors first, then best in class:
        ``business``, ``business_type``, ``item``, ``n_us``, ``n_them``, ``mean_us``,
        ``mean_them``, the gap ``estimate`` (us - them), ``se``, ``low``, ``high`` (Welch
        interval, not adjusted), ``df``, ``p_value``, ``p_adjusted``, ``verdict`` and
        ``meets_minimum``.

    Notes
    -----
    ``verdict`` is ``"leads"`` or ``"trails"`` when the adjusted p-value is below
    ``1 - confidence`` (the sign of the estimate says which), else ``"on par"``.
    Because the interval is unadjusted, a gap whose interval just excludes 0 can still
    be "on par" after the correction.

    ``meets_minimum`` is true when we are *not significantly below* the other
    business (verdict "leads" or "on par"). Against a competitor this is the minimum
    standard; against the best-in-class business it shows how far the higher bar is
    (trailing there is expected and tells you where to aim).

    Examples
    --------
    >>> d = pd.DataFrame({"business": ["Us"] * 6 + ["Rival"] * 6,
    ...                   "business_type": ["us"] * 6 + ["competitor"] * 6,
    ...                   "friendliness": [5, 5, 4, 5, 4, 5, 3, 2, 3, 3, 4, 2],
    ...                   "waiting": [3, 4, 3, 3, 4, 3, 3, 4, 4, 3, 3, 4]})
    >>> out = benchmark_gaps(d, items=["friendliness", "waiting"])
    >>> out[["business", "item", "estimate", "verdict", "meets_minimum"]].round(2)
      business          item  estimate verdict  meets_minimum
    0    Rival  friendliness      1.83   leads           True
    1    Rival       waiting     -0.17  on par           True
    """
    confidence = check_confidence(confidence)
    if items is None:
        from .data import items as schema_items

        items = schema_items()
    if isinstance(items, str):
        items = [items]
    items = list(items)
    if not items:
        raise InputError("items must name at least one rating column")
    require_columns(df, [business, *items])
    no_missing(df, [business], "business name")
    names = df[business]
    ours = _find_us(df, business, business_type, us)
    has_type = business_type is not None and business_type in df.columns
    ratings = pd.DataFrame({c: as_numeric(df[c], c, allow_missing=True) for c in items}, index=df.index)
    key = pd.Series(names.to_numpy(dtype=object), index=df.index, name=business)
    grouped = ratings.groupby(key, sort=False)
    n, mean, var = grouped.count(), grouped.mean(), grouped.var()
    others = [b for b in n.index if b != ours]
    if not others:
        raise InputError(f"{business} has only our business ({ours!r}); there is no one to compare with")
    types = None
    if has_type:
        t = pd.DataFrame({"b": key.to_numpy(), "t": df[business_type].astype(object).to_numpy()})
        per = t.groupby("b", sort=False)["t"].agg(["nunique", "first"])
        mixed = per.index[per["nunique"] > 1]
        if len(mixed):
            raise InputError(
                f"{business_type} must be the same for every row of a business; it varies for "
                f"{', '.join(map(repr, mixed[:5].tolist()))}"
            )
        types = per["first"]
    # one row per (other business, item): our stats broadcast against theirs
    long_b = np.repeat(others, len(items))
    long_i = np.tile(items, len(others))
    pick = lambda frame: frame.loc[others, items].to_numpy(dtype=float).ravel()  # noqa: E731
    mine = lambda frame: np.tile(frame.loc[ours, items].to_numpy(dtype=float), len(others))  # noqa: E731
    n_us, n_them = mine(n), pick(n)
    few = (n_us < 2) | (n_them < 2)
    if few.any():
        where = [
            f"{b} / {i} ({int(a)} vs {int(c)})"
            for b, i, a, c in zip(long_b[few], long_i[few], n_us[few], n_them[few])
        ]
        raise InputError(
            f"each business needs at least 2 ratings of an item to compare it; too few for "
            f"{', '.join(where[:5])} (ours vs theirs). Drop the item or collect more ratings"
        )
    w = welch_from_stats(mine(mean), mine(var), n_us, pick(mean), pick(var), n_them, confidence)
    out = pd.DataFrame(
        {
            "business": long_b,
            "business_type": types.loc[long_b].to_numpy() if types is not None else None,
            "item": long_i,
            "n_us": n_us.astype(int),
            "n_them": n_them.astype(int),
            "mean_us": mine(mean),
            "mean_them": pick(mean),
        }
    )
    out = pd.concat([out, w[["estimate", "se", "low", "high", "df", "p_value"]]], axis=1)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(), correction)
    real = out["p_adjusted"] < 1 - confidence
    out["verdict"] = np.where(
        real & (out["estimate"] > 0), "leads", np.where(real & (out["estimate"] < 0), "trails", "on par")
    )
    out["meets_minimum"] = out["verdict"] != "trails"
    if types is not None:
        order = {"competitor": 0, "best in class": 1}
        rank = out["business_type"].map(lambda v: order.get(v, 2))
        out = out.assign(_r=rank).sort_values(["_r"], kind="stable").drop(columns="_r").reset_index(drop=True)
    return out[BENCHMARK_COLUMNS]


def importance_vs_lead(gaps: pd.DataFrame, importance, competitors_only: bool = True) -> pd.DataFrame:
    """Does what we do best matter to customers? Each item's importance next to where we lead or trail.

    Parameters
    ----------
    gaps : DataFrame
        The result of :func:`benchmark_gaps`.
    importance : Series or DataFrame
        How much each item matters, indexed by item: for example the ``percent`` column
        of :func:`cxlib.drivers.relative_weights` on the survey (a DataFrame with a
        ``percent`` column is accepted as it is). Higher = more important.
    competitors_only : bool
        Use only the rows whose ``business_type`` is ``"competitor"`` (the minimum
        standard), leaving out best in class. Ignored when the gaps have no business types.

    Returns
    -------
    DataFrame
        One row per item, most important first: ``importance``, ``importance_rank`` (1 =
        most important), ``matters`` (importance at or above the median item's),
        ``mean_difference`` (the gap ``estimate``, us - them, averaged over the businesses compared),
        ``leads``, ``on_par``, ``trails`` (how many businesses we lead, match or trail
        after the correction) and ``position``: ``"leads"`` (we lead at least one and
        trail none), ``"trails"`` (trail at least one, lead none), ``"mixed"`` or ``"on par"``.

    Examples
    --------
    >>> gaps = pd.DataFrame({"business": ["A", "A", "B", "B"], "business_type": "competitor",
    ...                      "item": ["staff", "waiting"] * 2, "estimate": [0.5, -0.4, 0.3, 0.0],
    ...                      "verdict": ["leads", "trails", "leads", "on par"]})
    >>> lead = importance_vs_lead(gaps, pd.Series({"staff": 30.0, "waiting": 55.0}))
    >>> lead[["importance", "matters", "position"]]
             importance  matters position
    item
    waiting        55.0     True   trails
    staff          30.0    False    leads
    """
    require_columns(gaps, ["item", "estimate", "verdict"], what="gaps")
    if isinstance(importance, pd.DataFrame):
        if "percent" not in importance.columns:
            raise InputError(
                "importance must be a Series indexed by item, or a DataFrame with a 'percent' column "
                f"(as relative_weights returns); got columns {list(importance.columns)}"
            )
        importance = importance["percent"]
    if not isinstance(importance, pd.Series):
        raise InputError(
            f"importance must be a pandas Series indexed by item, got {type(importance).__name__}"
        )
    imp = pd.Series(as_numeric(importance, "importance"), index=importance.index.astype(object))
    rows = gaps
    if competitors_only and "business_type" in gaps.columns and gaps["business_type"].notna().any():
        rows = gaps[gaps["business_type"].astype(object) == "competitor"]
        if len(rows) == 0:
            raise InputError(
                "the gaps have no competitor rows; pass competitors_only=False to use every business"
            )
    items = pd.unique(rows["item"].astype(object))
    missing = [i for i in items if i not in imp.index]
    if missing:
        raise InputError(
            f"importance has no value for item(s) {', '.join(map(repr, missing[:5]))}; "
            f"it has: {', '.join(map(repr, imp.index[:12]))}"
        )
    verdict = rows["verdict"].astype(object)
    counts = pd.crosstab(rows["item"].astype(object), verdict).reindex(columns=list(VERDICTS), fill_value=0)
    out = pd.DataFrame({"importance": imp.reindex(items).to_numpy()}, index=pd.Index(items, name="item"))
    out["importance_rank"] = out["importance"].rank(ascending=False, method="min").astype(int)
    out["matters"] = out["importance"] >= out["importance"].median()
    out["mean_difference"] = (
        rows.groupby(rows["item"].astype(object), sort=False)["estimate"].mean().reindex(items)
    )
    out["leads"] = counts["leads"].reindex(items).to_numpy()
    out["on_par"] = counts["on par"].reindex(items).to_numpy()
    out["trails"] = counts["trails"].reindex(items).to_numpy()
    out["position"] = np.select(
        [
            (out["leads"] > 0) & (out["trails"] == 0),
            (out["trails"] > 0) & (out["leads"] == 0),
            (out["leads"] > 0) & (out["trails"] > 0),
        ],
        ["leads", "trails", "mixed"],
        "on par",
    )
    return out.sort_values(["importance_rank"], kind="stable")


# --- benchmarking on published scores: one score per organisation and measure -------------------

#: The columns of :func:`published_ranks`, in order.
PUBLISHED_COLUMNS = [
    "measure", "score", "rank", "rank_low", "rank_high", "n_organisations", "percentile", "best",
    "best_score", "gap_to_best", "peer_q1", "peer_median", "peer_q3", "gap_to_median", "quartile",
]  # fmt: skip


def _published_se(df: pd.DataFrame, score: str, n: str | None, se: str | None) -> np.ndarray | None:
    """Each published score's standard error: given (``se``), or binomial from a percentage and ``n``."""
    if se is not None:
        require_columns(df, [se])
        out = as_numeric(df[se], se, low=0)
        return out
    if n is None:
        return None
    require_columns(df, [n])
    counts = as_numeric(df[n], n, low=1, integer=True)
    p = as_numeric(df[score], score, low=0, high=100) / 100
    return 100 * np.sqrt(p * (1 - p) / counts)


def _rank_interval(
    scores: np.ndarray, se: np.ndarray, pos: int, sign: float, confidence: float, rng, n_sim: int
):
    """The interval of one organisation's rank when every score is drawn from normal(score, se)."""
    draws = scores[None, :] + se[None, :] * rng.standard_normal((n_sim, len(scores)))
    ours = draws[:, pos][:, None]
    ranks = 1 + np.count_nonzero(sign * (draws - ours) > 0, axis=1)
    a = (1 - confidence) / 2
    return int(np.floor(np.quantile(ranks, a))), int(np.ceil(np.quantile(ranks, 1 - a)))


@fill
def published_ranks(
    df: pd.DataFrame,
    outcome: str,
    us: str,
    organisation: str = "organisation",
    measure: str = "measure",
    n: str | None = None,
    se: str | None = None,
    higher_is_better: bool = True,
    confidence: float = 0.95,
    n_sim: int = 4000,
    seed=0,
) -> pd.DataFrame:
    """Where one organisation stands on each measure of a published league table.

    Panels and regulators publish one score per organisation and measure (CAHPS and HCAHPS top-box
    percentages per hospital, ACSI scores per company). For each measure this gives our score, our
    rank among all organisations (1 = best; ties share the better rank), the percentile (the share
    of the *other* organisations we beat), the best organisation and our gap to it, the quartiles
    of the peers (everyone but us, numpy's default, Hyndman and Fan's type 7) and our gap to their
    median. When the scores' sample sizes (or standard errors) are known, the rank gets an interval:
    every score is drawn from a normal with its standard error, ``n_sim`` times, and the interval
    is read from our simulated ranks (Goldstein and Spiegelhalter 1996, "League tables and their
    limitations", JRSS A 159: a rank's interval is usually wide).

    Parameters
    ----------
    df : DataFrame
        The published table: one row per organisation and measure.
    outcome : str
        The published score.
    us : str
        Our organisation, as written in ``organisation``.
    organisation, measure : str
        The columns naming the organisation and the measure.
    n : str, optional
        A column of each score's sample size; the scores are then percentages (0-100) and their
        standard error binomial, ``100 * sqrt(p (1 - p) / n)``.
    se : str, optional
        A column of each score's standard error (instead of ``n``).
    higher_is_better : bool
        Whether a higher score is better (``False`` for waiting times, complaint rates).
    {confidence}
    n_sim : int
        Simulations for the rank's interval.
    seed : int
        Where the simulations come from.

    Returns
    -------
    DataFrame
        One row per measure, the columns of :data:`PUBLISHED_COLUMNS`; ``rank_low`` and
        ``rank_high`` are missing when neither ``n`` nor ``se`` is given. ``gap_to_best`` and
        ``gap_to_median`` are ours minus theirs, in the score's units. ``peer_q1`` is the peers'
        *better* quartile and ``peer_q3`` the worse one (the 75th and 25th percentiles when higher
        is better, the other way round when lower is), like ``quartile``, which is 1 for the peers'
        top quarter (better than ``peer_q1``) to 4 for the bottom quarter.

    Examples
    --------
    >>> t = pd.DataFrame({"organisation": list("ABCDE"), "measure": "clean",
    ...                   "outcome": [80, 75, 90, 60, 70]})
    >>> published_ranks(t, "outcome", "B")[["rank", "percentile", "best", "gap_to_best", "peer_median"]]
       rank  percentile best  gap_to_best  peer_median
    0     3        50.0    C        -15.0         75.0
    """
    require_columns(df, [outcome, organisation, measure])
    no_missing(df, [outcome, organisation, measure])
    confidence = check_confidence(confidence)
    if n is not None and se is not None:
        raise InputError("give either n= (scores are percentages) or se=, not both")
    if us not in set(df[organisation]):
        raise InputError(
            f"us={us!r} is not in column {organisation!r}{suggest_label(us, df[organisation].unique())}"
        )
    twice = df.duplicated([organisation, measure], keep=False)
    if twice.any():
        rows = df.loc[twice, [organisation, measure]].head(5).to_records(index=False).tolist()
        raise InputError(f"one score per organisation and measure: repeated {rows}")
    scores_all = as_numeric(df[outcome], outcome)
    se_all = _published_se(df, outcome, n, se)
    sign = 1.0 if higher_is_better else -1.0
    rng = np.random.default_rng(seed)
    rows = []
    for m, idx in df.groupby(measure, sort=False, observed=True).indices.items():
        orgs = df[organisation].to_numpy()[idx]
        x = scores_all[idx]
        if us not in orgs:
            continue
        pos = int(np.flatnonzero(orgs == us)[0])
        ours, peers = x[pos], np.delete(x, pos)
        rank = 1 + int(np.count_nonzero(sign * (x - ours) > 0))
        q1, med, q3 = np.percentile(sign * peers, [75, 50, 25]) * sign if peers.size else (np.nan,) * 3
        best = int(np.argmax(sign * x))
        beat = np.count_nonzero(sign * (peers - ours) < 0)
        quartile = (
            1 + int(np.count_nonzero(sign * (ours - np.array([q1, med, q3])) < 0)) if peers.size else np.nan
        )
        low = high = np.nan
        if se_all is not None:
            low, high = _rank_interval(x, se_all[idx], pos, sign, confidence, rng, n_sim)
        rows.append(
            [
                m,
                ours,
                rank,
                low,
                high,
                len(x),
                100 * beat / max(len(peers), 1),
                orgs[best],
                x[best],
                ours - x[best],
                q1,
                med,
                q3,
                ours - med,
                quartile,
            ]
        )
    if not rows:
        raise InputError(f"{us!r} has no score on any measure")
    return pd.DataFrame(rows, columns=PUBLISHED_COLUMNS)
