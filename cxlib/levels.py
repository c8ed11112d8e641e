"""Four levels of service and the Kano model: which needs satisfy, which delight.

The course's fifth lesson says service comes in four levels, *satisfy*, *exceed
expectations*, *delight* and *amaze*, and that loyalty and word of mouth grow from one
level to the next. This module measures both halves of that claim:

* :func:`kano` and :func:`kano_summary` classify service attributes with Kano's
  questionnaire (Kano, Seraku, Takahashi & Tsuji 1984), using the evaluation table and
  the satisfaction coefficients of Berger et al. (1993), "Kano's methods for
  understanding customer-defined quality", *Center for Quality of Management Journal*
  2(4): attractive needs delight, one-dimensional needs satisfy in proportion,
  must-be needs only prevent dissatisfaction.
* :func:`service_level` places each survey response on one of the four levels (or
  below them) by a documented rule, and :func:`levels_outcomes` shows how intention to
  buy again and recommendation (NPS) change from level to level, with intervals: one
  table per outcome (``outcomes["nps"]`` has ``estimate``, ``se``, ``low``, ``high``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._docs import fill
from ._validate import (
    as_numeric,
    check_confidence,
    missing_error,
    no_missing,
    require_columns,
    show_examples,
    suggest,
)
from .errors import InputError

#: The five answers to each Kano question, in the order of the evaluation table.
KANO_ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")

#: Other spellings accepted for the answers (after trimming spaces and lower-casing):
#: Berger et al. (1993) name the answers "like", "must-be", "neutral", "live with",
#: "dislike"; questionnaires often print the full sentences.
KANO_SYNONYMS = {
    "must-be": "expect",
    "must be": "expect",
    "live with": "tolerate",
    "live-with": "tolerate",
    "i like it": "like",
    "i expect it": "expect",
    "i am neutral": "neutral",
    "i can tolerate it": "tolerate",
    "i can live with it": "tolerate",
    "i dislike it": "dislike",
}

#: Kano categories, in the order used for counts. Ties for the most frequent category are
#: broken in the order :data:`KANO_PRIORITY`.
KANO_CATEGORIES = ("attractive", "one-dimensional", "must-be", "indifferent", "reverse", "questionable")

#: The "M > O > A > I" rule (Berger et al. 1993; Matzler, Hinterhuber, Bailom & Sauerwein 1996):
#: when two categories are (nearly) equally frequent, report the one with the greater
#: impact on the product: must-be, then one-dimensional, attractive, indifferent; then
#: reverse and questionable.
KANO_PRIORITY = ("must-be", "one-dimensional", "attractive", "indifferent", "reverse", "questionable")

_A, _O, _M, _I, _R, _Q = range(6)
# Berger et al. (1993), Kano evaluation table: rows = functional answer, columns =
# dysfunctional answer, both in the order like, expect (must-be), neutral, tolerate (live
# with), dislike.
_TABLE = np.array(
    [
        [_Q, _A, _A, _A, _O],  # like
        [_R, _I, _I, _I, _M],  # expect
        [_R, _I, _I, _I, _M],  # neutral
        [_R, _I, _I, _I, _M],  # tolerate
        [_R, _R, _R, _R, _Q],  # dislike
    ],
    dtype=np.int8,
)

#: Service levels, lowest first (an ordered categorical).
SERVICE_LEVELS = ("below", "satisfy", "exceed", "delight", "amaze")


def _answer_codes(values, name: str) -> tuple[np.ndarray, pd.Index | None]:
    """Codes 0-4 of Kano answers; factorises first, so only the distinct answers are parsed."""
    if isinstance(values, pd.DataFrame):
        raise InputError(f"{name} must be one column of answers (a Series, list or array), got a DataFrame")
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object).ravel())
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        raise missing_error(name, series.index[missing], series[missing], "answer")
    lookup = {a: i for i, a in enumerate(KANO_ANSWERS)}
    mapped = np.empty(len(uniques), dtype=np.int8)
    unknown = []
    for j, u in enumerate(uniques):
        text = u.strip().lower() if isinstance(u, str) else None
        text = KANO_SYNONYMS.get(text, text)
        if text in lookup:
            mapped[j] = lookup[text]
        else:
            unknown.append(u)
    if unknown:
        bad = series.isin(unknown).to_numpy()
        hints = "; ".join(f"{u!r}{suggest(str(u).strip().lower(), KANO_ANSWERS)}" for u in unknown[:5])
        raise InputError(
            f"{name}: {int(bad.sum())} answer(s) are not Kano answers ({', '.join(KANO_ANSWERS)}): "
            f"{show_examples(series.index[bad], series[bad])}. Unknown: {hints}"
        )
    return mapped[codes], (series.index if isinstance(values, pd.Series) else None)


def kano(functional, dysfunctional):
    """Classify answer pairs of a Kano questionnaire with the Kano evaluation table.

    Parameters
    ----------
    functional : str, Series or array-like
        Answers to "if the service offers this, how do you feel?".
    dysfunctional : str, Series or array-like
        Answers to "if the service does not offer this, how do you feel?", same length.

        Answers are ``"like"``, ``"expect"``, ``"neutral"``, ``"tolerate"``,
        ``"dislike"``; case and surrounding spaces are ignored, and the spellings in
        :data:`KANO_SYNONYMS` are accepted (Berger et al.'s "must-be" for *expect* and
        "live with" for *tolerate*, and the full sentences "I like it", ...).

    Returns
    -------
    str, Series or ndarray
        The category of each pair: ``"attractive"``, ``"one-dimensional"``,
        ``"must-be"``, ``"indifferent"``, ``"reverse"`` or ``"questionable"``. A
        string for two strings; a categorical Series (categories
        :data:`KANO_CATEGORIES`) with ``functional``'s index for a Series; an object
        array otherwise.

    Raises
    ------
    InputError
        For unknown or missing answers (naming them and their rows) or lengths that differ.

    Notes
    -----
    The evaluation table (Berger et al. 1993; rows functional, columns dysfunctional)::

                    like  expect  neutral  tolerate  dislike
        like          Q      A       A        A         O
        expect        R      I       I        I         M
        neutral       R      I       I        I         M
        tolerate      R      I       I        I         M
        dislike       R      R       R        R         Q

    A = attractive, O = one-dimensional, M = must-be, I = indifferent, R = reverse,
    Q = questionable (a contradictory pair, such as liking both presence and absence).

    Examples
    --------
    >>> kano("like", "dislike")
    'one-dimensional'
    >>> kano(" Expect ", "dislike")
    'must-be'
    >>> kano(pd.Series(["like", "neutral", "dislike"]), pd.Series(["neutral", "neutral", "like"])).tolist()
    ['attractive', 'indifferent', 'reverse']
    """
    scalar = isinstance(functional, str) and isinstance(dysfunctional, str)
    if scalar:
        functional, dysfunctional = [functional], [dysfunctional]
    f, index = _answer_codes(functional, "functional")
    d, _ = _answer_codes(dysfunctional, "dysfunctional")
    if len(f) != len(d):
        raise InputError(f"functional and dysfunctional must have the same length, got {len(f)} and {len(d)}")
    cat = _TABLE[f, d]
    if scalar:
        return KANO_CATEGORIES[int(cat[0])]
    if index is not None:
        return pd.Series(
            pd.Categorical.from_codes(cat, categories=list(KANO_CATEGORIES)), index=index, name="kano"
        )
    return np.asarray(KANO_CATEGORIES, dtype=object)[cat]


def satisfaction_coefficients(attractive, one_dimensional, must_be, indifferent) -> pd.DataFrame:
    """Berger et al.'s (1993) better and worse coefficients from Kano category counts.

    ``better = (A + O) / (A + O + M + I)`` is the share of customers whose satisfaction
    rises when the attribute is offered; ``worse = -(O + M) / (A + O + M + I)`` the share
    whose satisfaction falls when it is missing (negative by convention). Reverse and
    questionable answers are left out of both.

    Parameters
    ----------
    attractive, one_dimensional, must_be, indifferent : array-like
        Counts (or shares) of each category; broadcast together.

    Returns
    -------
    DataFrame
        Columns ``better`` (0 to 1) and ``worse`` (-1 to 0). Where A + O + M + I is 0
        both are NaN, with a warning.

    Examples
    --------
    >>> satisfaction_coefficients([45], [123], [95], [33]).round(3)
       better  worse
    0   0.568 -0.736
    """
    a, o, m, i = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(x, dtype=float))
            for x in (attractive, one_dimensional, must_be, indifferent)
        )
    )
    if (np.stack([a, o, m, i]) < 0).any() or np.isnan(np.stack([a, o, m, i])).any():
        raise InputError("Kano category counts must be non-negative numbers")
    total = a + o + m + i
    empty = total == 0
    if empty.any():
        warnings.warn(
            f"{int(empty.sum())} attribute(s) have no attractive, one-dimensional, must-be or "
            "indifferent answers (only reverse or questionable ones): their better and worse "
            "coefficients are undefined (NaN)",
            UserWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        better = np.where(empty, np.nan, (a + o) / total)
        worse = np.where(empty, np.nan, -(o + m) / total + 0.0)  # + 0.0 turns -0.0 into 0.0
    return pd.DataFrame({"better": better, "worse": worse})


def kano_summary(
    df: pd.DataFrame,
    functional: str = "functional",
    dysfunctional: str = "dysfunctional",
    attribute: str = "attribute",
    tie_margin: float = 0.0,
) -> pd.DataFrame:
    """Kano category counts, the category, and the better/worse coefficients of each attribute.

    Parameters
    ----------
    df : DataFrame
        One row per respondent and attribute (the course's ``kano`` table).
    functional, dysfunctional, attribute : str
        Column names: the two answers (see :func:`kano`) and the attribute asked about.
    tie_margin : float
        The category is the most frequent one (Berger et al. 1993). Categories whose
        share of the attribute's answers is within ``tie_margin`` of the most frequent
        one count as tied, and ties go to the first in :data:`KANO_PRIORITY` (must-be,
        one-dimensional, attractive, indifferent, reverse, questionable: the "M > O > A >
        I" rule). The default 0 breaks only exact ties; 0.05 treats shares within five
        percentage points as equal, as some practitioners do.

    Returns
    -------
    DataFrame
        Indexed by attribute (in order of first appearance, or category order for a
        categorical column), with columns ``n``, the count of each category in
        :data:`KANO_CATEGORIES`, ``category``, ``category_share`` (its share of ``n``),
        ``better`` and ``worse`` (see :func:`satisfaction_coefficients`).

    Examples
    --------
    >>> answers = pd.DataFrame({
    ...     "attribute": ["delivery on time"] * 3 + ["thank-you note"] * 3,
    ...     "functional": ["expect", "like", "expect", "like", "like", "neutral"],
    ...     "dysfunctional": ["dislike", "dislike", "dislike", "neutral", "neutral", "neutral"]})
    >>> kano_summary(answers)[["n", "category", "better", "worse"]].round(2)
                      n         category  better  worse
    attribute
    delivery on time  3          must-be    0.33  -1.00
    thank-you note    3       attractive    0.67   0.00
    """
    require_columns(df, [attribute, functional, dysfunctional])
    if isinstance(tie_margin, bool) or not isinstance(tie_margin, (int, float)) or not 0 <= tie_margin < 1:
        raise InputError(f"tie_margin must be a share between 0 and 1 (for example 0.05), got {tie_margin!r}")
    if len(df) == 0:
        raise InputError("kano_summary: the data have no rows")
    no_missing(df, [attribute], "attribute name")
    attr = df[attribute]
    cats = kano(df[functional], df[dysfunctional])
    codes = cats.cat.codes.to_numpy()
    attr_codes, attr_names = pd.factorize(attr, sort=isinstance(attr.dtype, pd.CategoricalDtype))
    k = len(attr_names)
    counts = np.bincount(attr_codes.astype(np.int64) * 6 + codes, minlength=6 * k).reshape(k, 6)
    n = counts.sum(axis=1)
    share = counts / n[:, None]
    priority = np.array([KANO_CATEGORIES.index(c) for c in KANO_PRIORITY])
    tied = share[:, priority] >= share.max(axis=1, keepdims=True) - tie_margin - 1e-12
    chosen = priority[np.argmax(tied, axis=1)]  # first tied category in priority order
    out = pd.DataFrame(
        counts,
        columns=list(KANO_CATEGORIES),
        index=pd.Index(np.asarray(attr_names, dtype=object), name=attribute),
    )
    out.insert(0, "n", n)
    out["category"] = np.asarray(KANO_CATEGORIES, dtype=object)[chosen]
    out["category_share"] = share[np.arange(k), chosen]
    coef = satisfaction_coefficients(counts[:, _A], counts[:, _O], counts[:, _M], counts[:, _I])
    out["better"] = coef["better"].to_numpy()
    out["worse"] = coef["worse"].to_numpy()
    return out


def service_level(
    df: pd.DataFrame,
    satisfaction: str = "satisfaction",
    effort: str = "effort",
    items: list[str] | None = None,
    *,
    max_effort: int = 2,
    good: int = 4,
    excellent_share: float = 0.7,
) -> pd.Series:
    """Place each survey response on a level of service: below, satisfy, exceed, delight or amaze.

    The rule uses only what the customer says about the experience (overall
    satisfaction, effort and the factor items), never the outcomes (intention to buy
    again, likelihood to recommend), so that :func:`levels_outcomes` can then show how
    the outcomes change from level to level without the answer being built in.

    ===========  =============================================================================
    level        rule (each level also meets the rules above it in this table's order)
    ===========  =============================================================================
    ``below``    satisfaction 3 or less (not satisfied)
    ``satisfy``  satisfaction 4 (satisfied)
    ``exceed``   satisfaction 5 (very satisfied: beyond what the customer expected)
    ``delight``  satisfaction 5, effort at most ``max_effort`` (2 on the 1-7 scale: easy)
                 and no answered item below ``good`` (4: nothing was less than good)
    ``amaze``    delight, and at least ``excellent_share`` (70%) of the answered items
                 rated 5 (excellent nearly everywhere)
    ===========  =============================================================================

    Parameters
    ----------
    df : DataFrame
        Survey responses (the course's ``survey`` table).
    satisfaction : str
        Overall satisfaction, 1-5.
    effort : str
        Customer effort, 1-7 (1 = very low effort).
    items : list of str, optional
        The 1-5 experience items; by default the ten factor items of the survey
        schema (:func:`cxlib.data.items`). Blank items are allowed (not answered): the
        item rules use the answered ones, and a response with no answered item cannot
        reach *delight*.
    max_effort, good, excellent_share
        The thresholds of the rule (see the table).

    Returns
    -------
    Series
        An ordered categorical named ``service_level`` with categories
        :data:`SERVICE_LEVELS`, indexed like ``df``.

    Examples
    --------
    >>> d = pd.DataFrame({"satisfaction": [3, 4, 5, 5, 5], "effort": [4, 2, 4, 2, 1],
    ...                   "a": [3, 4, 5, 4, 5], "b": [3, 4, 5, 5, 5], "c": [4, 5, 5, 4, None]})
    >>> service_level(d, items=["a", "b", "c"]).tolist()
    ['below', 'satisfy', 'exceed', 'delight', 'amaze']
    """
    if items is None:
        from .data import items as schema_items

        items = schema_items()
    items = list(items)
    if not items:
        raise InputError("items must name at least one experience item (1-5 ratings)")
    require_columns(df, [satisfaction, effort, *items])
    if (
        isinstance(max_effort, bool)
        or not isinstance(max_effort, (int, np.integer))
        or not 1 <= max_effort <= 7
    ):
        raise InputError(f"max_effort must be a whole number from 1 to 7, got {max_effort!r}")
    if isinstance(good, bool) or not isinstance(good, (int, np.integer)) or not 1 <= good <= 5:
        raise InputError(f"good must be a whole number from 1 to 5, got {good!r}")
    if (
        isinstance(excellent_share, bool)
        or not isinstance(excellent_share, (int, float))
        or not 0 < excellent_share <= 1
    ):
        raise InputError(
            f"excellent_share must be a share between 0 and 1 (for example 0.7), got {excellent_share!r}"
        )
    sat = as_numeric(df[satisfaction], satisfaction, low=1, high=5, integer=True)
    eff = as_numeric(df[effort], effort, low=1, high=7, integer=True)
    grid = np.column_stack(
        [as_numeric(df[c], c, low=1, high=5, integer=True, allow_missing=True) for c in items]
    )
    answered = ~np.isnan(grid)
    n_answered = answered.sum(axis=1)
    lowest = np.where(answered, grid, np.inf).min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share5 = np.where(n_answered > 0, (grid == 5).sum(axis=1) / np.maximum(n_answered, 1), 0.0)
    delight = (sat == 5) & (eff <= max_effort) & (n_answered > 0) & (lowest >= good)
    code = np.select(
        [sat <= 3, sat == 4, delight & (share5 >= excellent_share), delight], [0, 1, 4, 3], default=2
    )
    return pd.Series(
        pd.Categorical.from_codes(code, categories=list(SERVICE_LEVELS), ordered=True),
        index=df.index,
        name="service_level",
    )


@fill
def levels_outcomes(
    df: pd.DataFrame,
    recommend: str = "recommend",
    buy_again: str = "buy_again",
    level: str = "service_level",
    confidence: float = 0.95,
    top: int = 1,
    nps_method: str = "adjusted_wald",
) -> pd.DataFrame:
    """How intention to buy again and recommendation change from one level of service to the next.

    Parameters
    ----------
    df : DataFrame
        Survey responses (the course's ``survey`` table).
    recommend : str
        Likelihood to recommend, 0-10: the NPS of each level (:func:`cxlib.metrics.nps`).
    buy_again : str
        Intention to buy again, 1-5: the repurchase share is the top-box share, the
        percentage answering in the top ``top`` box(es) (``top=1``: "definitely will"),
        with a Wilson interval (:func:`cxlib.metrics.top_box`).
    level : str
        A column holding each response's level of service. When ``df`` has no such
        column, the levels are computed with :func:`service_level` (its default rule).
    {confidence}
    top : int
        How many boxes at the top of the 1-5 scale count as intending to buy again.
    nps_method : str
        Interval of the NPS (see :func:`cxlib.metrics.nps`).

    Returns
    -------
    DataFrame
        One row per level present, lowest first. The columns come in three groups (a
        two-level column index): ``responses`` (``n``, and ``percent`` of all responses at
        this level), ``repurchase`` (the percentage intending to buy again) and ``nps``
        (-100 to 100), each of the last two with ``estimate``, ``se``, ``low`` and
        ``high``. So ``outcomes["nps"]`` is the table of NPS by level, ready for
        :func:`cxlib.plots.interval_plot`.

    Examples
    --------
    >>> d = pd.DataFrame({"service_level": ["satisfy"] * 4 + ["delight"] * 4,
    ...                   "recommend": [7, 8, 9, 6, 10, 9, 10, 8], "buy_again": [4, 5, 3, 4, 5, 5, 5, 4]})
    >>> outcomes = levels_outcomes(d)
    >>> outcomes.xs("estimate", axis=1, level=1)
                   repurchase   nps
    service_level
    satisfy              25.0   0.0
    delight              75.0  75.0
    >>> outcomes["responses"]
                   n  percent
    service_level
    satisfy        4     50.0
    delight        4     50.0
    """
    from . import metrics

    confidence = check_confidence(confidence)
    require_columns(df, [recommend, buy_again])
    if level in df.columns:
        lv = df[level]
    else:
        lv = service_level(df)
        level = lv.name
    no_missing(lv.to_frame(level), [level], "level")
    if isinstance(lv.dtype, pd.CategoricalDtype):
        order = [c for c in lv.cat.categories if c in set(lv.unique())]
    else:
        unknown = sorted({str(v) for v in lv.unique()} - set(SERVICE_LEVELS))
        if unknown:
            raise InputError(
                f"{level}: value(s) {', '.join(map(repr, unknown[:5]))} are not levels of service "
                f"({', '.join(SERVICE_LEVELS)}){suggest(unknown[0], SERVICE_LEVELS)}"
            )
        order = [c for c in SERVICE_LEVELS if c in set(lv.unique())]
    frame = pd.DataFrame(
        {
            level: pd.Categorical(lv.astype(object), categories=order, ordered=True),
            recommend: df[recommend].to_numpy(),
            buy_again: df[buy_again].to_numpy(),
        },
        index=df.index,
    )
    index = pd.CategoricalIndex(order, categories=order, ordered=True, name=level)
    rep = metrics.by_group(frame, buy_again, level, "top_box", scale=(1, 5), top=top, confidence=confidence)
    nps = metrics.by_group(frame, recommend, level, "nps", method=nps_method, confidence=confidence)
    n = frame.groupby(level, observed=True).size().reindex(order).to_numpy()
    blocks = {
        "responses": pd.DataFrame({"n": n, "percent": 100 * n / n.sum()}, index=index),
        "repurchase": rep.reindex(order).set_axis(index)[["estimate", "se", "low", "high"]],
        "nps": nps.reindex(order).set_axis(index)[["estimate", "se", "low", "high"]],
    }
    return pd.concat(blocks, axis=1)
