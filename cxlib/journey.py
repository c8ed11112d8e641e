"""Moments of truth: the contacts of an order, their peak, their end, and what moves the overall rating.

Service folklore says every contact counts, that a proactive "your delivery will be
late" hurts less than a surprise, that a thank-you lifts the experience, and that "the
last contact leaves the deepest impression". The peak-end rule of psychology
(Kahneman, Fredrickson, Schreiber & Redelmeier 1993; Fredrickson & Kahneman 1993)
says retrospective ratings follow the best (or worst) moment and the end more than
the average. This module turns the claims into estimates:

* :func:`sequence_summary` reduces each order's contact ratings to their mean, peak,
  trough, first and last (end) rating;
* :func:`peak_end_regression` regresses the overall rating on those summaries;
* :func:`contact_weights` reads those weights per contact: the mean's weight is shared by
  the n contacts of a sequence (the end included), the end's goes to the last contact and
  the peak's to whichever contact is the best, so the claim "the last contact weighs most"
  is tested contact against contact, not by comparing the end's weight with the mean's;
* :func:`moment_effects` estimates the effect of a delay, of being told about it, and
  of a thank-you note on the overall rating, both as raw differences in means and
  adjusted for each other by regression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._dist import t_quantile, t_sf
from ._docs import fill
from ._validate import as_flags, as_numeric, check_confidence, require_columns, show_examples, suggest
from .compare import welch_from_stats
from .errors import InputError
from .results import coefficient_table

#: The measures :func:`sequence_summary` returns, usable as predictors of :func:`peak_end_regression`.
SUMMARY_MEASURES = ("mean", "peak", "trough", "first", "end", "n")

_CONTACT = re.compile(r"^contact_(\d+)$")


def _contact_columns(df: pd.DataFrame, contacts) -> list[str]:
    if contacts is None:
        found = sorted(
            (int(m.group(1)), c) for c in df.columns if isinstance(c, str) and (m := _CONTACT.match(c))
        )
        if not found:
            raise InputError(
                "no contact columns: expected columns named contact_1, contact_2, ... in order, "
                "or pass contacts=[...] naming the rating columns in the order of the contacts"
            )
        return [c for _, c in found]
    if isinstance(contacts, str):
        raise InputError(
            f"contacts must be a list of column names in order, got the single string {contacts!r}"
        )
    contacts = list(contacts)
    if not contacts:
        raise InputError("contacts must name at least one rating column")
    require_columns(df, contacts)
    return contacts


def sequence_summary(
    df: pd.DataFrame,
    contacts: list[str] | None = None,
    n_contacts: str | None = "n_contacts",
    scale: tuple[float, float] = (1, 10),
) -> pd.DataFrame:
    """Summarise each order's sequence of contact ratings: mean, peak, trough, first, end.

    Parameters
    ----------
    df : DataFrame
        One row per order (the course's ``touchpoints`` table).
    contacts : list of str, optional
        The rating columns in the order the contacts happened. By default every column
        named ``contact_<k>``, ordered by ``k``.
    n_contacts : str or None
        A column with the number of contacts in each sequence. When ``df`` has it, each
        row's number of answered contacts must equal it (otherwise the table and the
        ratings disagree, and an :class:`InputError` names the rows). ``None`` skips the check.
    scale : (low, high)
        The allowed range of a rating.

    Returns
    -------
    DataFrame
        Indexed like ``df``, with columns ``mean`` (average contact rating), ``peak``
        (highest), ``trough`` (lowest), ``first``, ``end`` (the last answered contact)
        and ``n`` (number of contacts).

    Raises
    ------
    InputError
        If a sequence has a gap (a blank followed by a rating: contacts must be filled
        from the left), has no rating at all, or a rating is off the scale.

    Examples
    --------
    >>> orders = pd.DataFrame({"contact_1": [7, 9], "contact_2": [5, 8], "contact_3": [9, 4],
    ...                        "contact_4": [None, 6]})
    >>> sequence_summary(orders)
           mean  peak  trough  first  end  n
    0  7.000000   9.0     5.0    7.0  9.0  3
    1  6.750000   9.0     4.0    9.0  6.0  4
    """
    grid, answered, n = _sequence_grid(df, contacts, n_contacts, scale)
    filled = np.where(answered, grid, 0.0)
    total = filled.sum(axis=1)
    return pd.DataFrame(
        {
            "mean": total / n,
            "peak": np.where(answered, grid, -np.inf).max(axis=1),
            "trough": np.where(answered, grid, np.inf).min(axis=1),
            "first": grid[:, 0],
            "end": grid[np.arange(len(grid)), n - 1],
            "n": n,
        },
        index=df.index,
    )


def _sequence_grid(df: pd.DataFrame, contacts, n_contacts, scale):
    """The checked ratings (one row per sequence, blanks NaN), which are answered, and how many.

    Raises the errors :func:`sequence_summary` documents.
    """
    cols = _contact_columns(df, contacts)
    low, high = scale
    grid = np.column_stack([as_numeric(df[c], c, low=low, high=high, allow_missing=True) for c in cols])
    answered = ~np.isnan(grid)
    gap = (~answered[:, :-1] & answered[:, 1:]).any(axis=1)
    if gap.any():
        rows = df.index[gap]
        shown = [" ".join("_" if np.isnan(v) else f"{v:g}" for v in grid[i]) for i in np.flatnonzero(gap)]
        raise InputError(
            f"{int(gap.sum())} sequence(s) have a blank contact followed by a rated one "
            f"({', '.join(cols)}; '_' = blank): {show_examples(rows, shown)}. Contacts must be "
            "filled from the left, in the order they happened"
        )
    n = answered.sum(axis=1)
    empty = n == 0
    if empty.any():
        raise InputError(
            f"{int(empty.sum())} sequence(s) have no rated contact at all: "
            f"{show_examples(df.index[empty], ['all blank'] * int(empty.sum()))}; drop them first"
        )
    if n_contacts is not None and n_contacts in df.columns:
        declared = as_numeric(df[n_contacts], n_contacts, integer=True)
        bad = declared != n
        if bad.any():
            shown = [f"{n_contacts}={int(d)} but {k} rated" for d, k in zip(declared[bad], n[bad])]
            raise InputError(
                f"{int(bad.sum())} sequence(s) have a number of rated contacts different from "
                f"{n_contacts}: {show_examples(df.index[bad], shown)}"
            )
    return grid, answered, n


def _predictor_frame(df: pd.DataFrame, predictors, contacts, n_contacts) -> pd.DataFrame:
    if isinstance(predictors, str):
        predictors = [predictors]
    predictors = list(predictors)
    if not predictors:
        raise InputError("predictors must name at least one predictor")
    dupes = sorted({p for p in predictors if predictors.count(p) > 1})
    if dupes:
        raise InputError(f"predictors name {', '.join(map(repr, dupes))} more than once")
    summary = None
    cols = {}
    for p in predictors:
        if p in df.columns:
            col = df[p]
            cols[p] = (
                as_flags(col, p).astype(float)
                if pd.api.types.is_bool_dtype(col.dtype)
                else as_numeric(col, p)
            )
        elif p in SUMMARY_MEASURES:
            if summary is None:
                summary = sequence_summary(df, contacts, n_contacts=n_contacts)
            cols[p] = summary[p].to_numpy(dtype=float)
        else:
            choices = list(SUMMARY_MEASURES) + [str(c) for c in df.columns]
            raise InputError(
                f"predictor {p!r} is neither a column of the data nor a sequence measure "
                f"({', '.join(SUMMARY_MEASURES)}){suggest(p, choices)}"
            )
    return pd.DataFrame(cols, index=df.index)


def _ols(y: np.ndarray, X: pd.DataFrame, confidence: float, cov_type: str):
    import statsmodels.api as sm

    names = list(X.columns)
    if len(y) <= X.shape[1]:
        raise InputError(
            f"a regression with {X.shape[1]} terms needs more than {X.shape[1]} rows; got {len(y)}"
        )
    rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < X.shape[1]:
        const = [c for c in names if c != "const" and np.ptp(X[c].to_numpy()) == 0]
        hint = (
            f"{', '.join(map(repr, const))} do(es) not vary"
            if const
            else "some predictors are exact combinations of others "
            "(for example, peak and end are equal in every sequence)"
        )
        raise InputError(f"the predictors cannot be separated: {hint}. Drop one of them")
    try:
        fit = sm.OLS(y, X).fit(cov_type=cov_type, use_t=True)
    except (ValueError, KeyError) as exc:
        raise InputError(
            f"cov_type {cov_type!r} is not one statsmodels accepts (for example 'nonrobust', "
            f"'HC1', 'HC3'): {exc}"
        ) from None
    return fit, coefficient_table(fit, names, confidence)


@dataclass(frozen=True, eq=False)
class ContactWeights:
    """Result of :func:`contact_weights`: the peak-end weights read per contact.

    Attributes
    ----------
    weights : DataFrame
        One row per sequence length and contact, indexed by ``n_contacts`` and ``contact``
        (1 = first): ``n`` (sequences of that length), ``best_share`` (the share of them in
        which this contact is the best, ties split equally; ``worst_share`` likewise when the
        trough is a predictor), and the contact's weight, ``estimate``, with ``se``, ``low``
        and ``high``: points of overall rating per point of this contact's rating.
    claim : DataFrame
        The test of "the last contact weighs most": one row per sequence length and other
        contact, the end's weight minus that contact's (``estimate``, ``se``, ``low``,
        ``high``, ``t``) and the one-sided ``p_value`` for "the end weighs more".
    confidence : float
        Confidence level of the intervals; ``1 - confidence`` is the level of the tests.
    """

    weights: pd.DataFrame
    claim: pd.DataFrame
    confidence: float = 0.95

    @property
    def end_weighs_most(self) -> bool:
        """True when the end outweighs every other contact, at every length, in one-sided tests.

        The claim is an intersection ("more than the first, and more than the second, ..."),
        so it is supported when every test rejects at level ``1 - confidence``; no multiplicity
        adjustment is needed for an intersection-union test (Berger 1982, *Technometrics* 24).
        """
        return bool(len(self.claim)) and bool((self.claim["p_value"] < 1 - self.confidence).all())

    def closest(self) -> pd.DataFrame:
        """Per sequence length, the other contact that comes closest to the end (smallest ``t``).

        Returns
        -------
        DataFrame
            One row of :attr:`claim` per length, indexed by ``n_contacts``, with the rival's
            ``contact`` number as a column.
        """
        rows = self.claim.reset_index().loc[lambda d: d.groupby("n_contacts")["t"].idxmin()]
        return rows.set_index("n_contacts")

    def __repr__(self) -> str:
        pct = f"{self.confidence * 100:g}%"
        lines = [f"ContactWeights(weight of each contact, {pct} CI [low, high])"]
        lines.append(
            self.weights[["n", "estimate", "se", "low", "high"]].to_string(float_format=lambda v: f"{v:.4g}")
        )
        if len(self.claim):
            lines.append("the end minus each other contact (one-sided p: the end weighs more):")
            lines.append(
                self.claim[["estimate", "se", "low", "high", "p_value"]].to_string(
                    float_format=lambda v: f"{v:.4g}"
                )
            )
            lines.append(
                "the end weighs most: supported"
                if self.end_weighs_most
                else f"the end weighs most: not supported at the {1 - self.confidence:g} level"
            )
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class PeakEndResult:
    """Result of :func:`peak_end_regression`.

    Attributes
    ----------
    coefficients : DataFrame
        One row per term (``const`` and each predictor): ``estimate``, ``se``, ``low``,
        ``high`` (confidence interval), ``t``, ``p_value`` (two-sided, "the weight is 0").
    n : int
        Number of orders.
    r_squared : float
        Share of the overall rating's variance the predictors explain.
    outcome : str
        The outcome column.
    confidence : float
        Confidence level of the intervals.
    cov_type : str
        How the standard errors were computed (statsmodels' ``cov_type``).
    per_contact : ContactWeights or None
        The weights read per contact (:func:`contact_weights`), when ``end`` is a predictor.
    claim : DataFrame
        The test of "the last contact leaves the deepest impression", contact against contact
        (``per_contact.claim``; empty when ``end`` is not a predictor).
    end_weighs_most : bool
        Whether that claim is supported (``per_contact.end_weighs_most``).
    """

    coefficients: pd.DataFrame
    n: int
    r_squared: float
    outcome: str
    confidence: float = 0.95
    cov_type: str = "nonrobust"
    fit: object = field(default=None, repr=False)
    per_contact: ContactWeights | None = field(default=None, repr=False)

    @property
    def claim(self) -> pd.DataFrame:
        """The per-contact test of the claim (see :class:`ContactWeights`), or an empty table."""
        if self.per_contact is None:
            return pd.DataFrame(columns=["estimate", "se", "low", "high", "t", "p_value"])
        return self.per_contact.claim

    @property
    def end_weighs_most(self) -> bool:
        """True when the last contact outweighs every other contact (see :class:`ContactWeights`)."""
        return self.per_contact is not None and self.per_contact.end_weighs_most

    def __repr__(self) -> str:
        pct = f"{self.confidence * 100:g}%"
        coef = self.coefficients[["estimate", "se", "low", "high", "p_value"]]
        lines = [
            f"PeakEndResult({self.outcome} on "
            f"{', '.join(t for t in self.coefficients.index if t != 'const')}; "
            f"n={self.n}, R²={self.r_squared:.3f}, {pct} CI [low, high], {self.cov_type} SEs)",
            coef.to_string(float_format=lambda v: f"{v:.4g}"),
        ]
        if self.per_contact is not None:
            lines.append(repr(self.per_contact))
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """Coefficients and the per-contact claim in one table, with a ``kind`` column.

        Returns
        -------
        DataFrame
            The coefficients (``kind`` "coefficient") and, when ``end`` is a predictor, the
            contrasts of the end with each other contact (``kind`` "claim (one-sided p)",
            indexed by text such as ``"end - contact 1 of 3"``).
        """
        a = self.coefficients.assign(kind="coefficient")
        if not len(self.claim):
            return a
        b = self.claim.assign(kind="claim (one-sided p)")
        b.index = pd.Index([f"end - contact {j} of {k}" for k, j in b.index], name=a.index.name)
        return pd.concat([a, b])


#: Sequence measures that belong to one contact (or, for the mean, to all of them equally).
_PER_CONTACT = ("mean", "peak", "trough", "first", "end")


def contact_weights(
    df: pd.DataFrame,
    result: PeakEndResult,
    contacts: list[str] | None = None,
    n_contacts: str | None = "n_contacts",
) -> ContactWeights:
    """Read the weights of a peak-end regression per contact, and test "the last contact weighs most".

    The coefficients of :func:`peak_end_regression` belong to *measures*, not to contacts. In
    a sequence of ``k`` contacts, one more point on one contact moves the mean by ``1/k`` of
    a point, the peak by a point if it is the best contact, and the end by a point if it is the
    last. So the weight of contact ``j`` is

    ``b_mean / k + b_peak * best_j + b_end * [j = k]`` (+ ``b_trough * worst_j`` and
    ``b_first * [j = 1]`` when those are predictors),

    where ``best_j`` is the share of the ``k``-contact sequences in which contact ``j`` is the
    best one (ties split equally, so the shares add up to 1). Comparing ``b_end`` with
    ``b_mean`` says nothing about contacts: the mean's weight is shared by all ``k`` of them,
    the last one included. The weight is a population quantity, so its standard error has two
    parts (the delta method): the coefficients' uncertainty, ``c' V_b c`` from the regression's
    covariance matrix with ``c`` the vector above, and the shares', ``b' V_s b`` with ``V_s``
    the sampling covariance of the mean shares over the ``k``-contact sequences (each
    sequence's best/worst indicators vary from order to order; another sample of orders would
    give other shares). The two parts add because the regression's errors are independent of
    the ratings that fix the shares. The intervals use the regression's t distribution. (A
    length with a single sequence has no spread to measure: its shares count as known.)

    The claim "the last contact weighs most" is tested contact against contact: for each
    length and each other contact, a one-sided t test that the end's weight exceeds it. The
    claim holds when every test rejects (an intersection-union test, which needs no
    multiplicity adjustment).

    Parameters
    ----------
    df : DataFrame
        The orders ``result`` was fitted on.
    result : PeakEndResult
        A fit of :func:`peak_end_regression` with ``end`` among its predictors. Predictors that
        do not belong to a contact (controls such as ``delayed``, the number of contacts ``n``)
        are held fixed and take no part.
    contacts : list of str, optional
        The contact rating columns in order, as given to the regression.
    n_contacts : str or None
        Passed to :func:`sequence_summary`.

    Returns
    -------
    ContactWeights
        ``weights`` (one row per length and contact), ``claim`` (the end minus each other
        contact, one-sided p-values), ``confidence`` and the verdict ``end_weighs_most``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ratings = pd.DataFrame(rng.integers(1, 11, size=(600, 3)), columns=["c_1", "c_2", "c_3"])
    >>> s = sequence_summary(ratings, contacts=["c_1", "c_2", "c_3"])
    >>> ratings["overall"] = 0.6 * s["mean"] + 0.15 * s["peak"] + 0.25 * s["end"] + rng.normal(0, 0.3, 600)
    >>> pe = peak_end_regression(ratings, contacts=["c_1", "c_2", "c_3"])
    >>> cw = contact_weights(ratings, pe, contacts=["c_1", "c_2", "c_3"])
    >>> cw.weights["estimate"].round(2).tolist()  # 0.6 / 3 + 0.15 * (about 1/3) (+ 0.25 for the end)
    [0.24, 0.25, 0.5]
    >>> cw.end_weighs_most
    True
    """
    if not isinstance(result, PeakEndResult) or result.fit is None:
        raise InputError(f"result must be what peak_end_regression returned, got {type(result).__name__}")
    names = list(result.coefficients.index)
    if "end" not in names:
        raise InputError(
            "the regression has no 'end' among its predictors, so there is no last contact's weight "
            f"to read; its terms are {names}"
        )
    shadowed = [m for m in _PER_CONTACT if m in names and m in df.columns]
    if shadowed:
        raise InputError(
            f"df has column(s) {shadowed} with the name of a sequence measure; the regression used "
            "the column(s), not the measure(s) computed from the contacts, so they belong to no contact"
        )
    grid, answered, lengths = _sequence_grid(df, contacts, n_contacts, (1, 10))
    if len(grid) != result.n:
        raise InputError(
            f"df has {len(grid)} sequences but the regression was fitted on {result.n}; "
            "pass the same orders to both"
        )
    fit = result.fit
    params = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    df_resid = float(fit.df_resid)
    tq = t_quantile(0.5 + result.confidence / 2, df_resid)
    pos = {m: names.index(m) for m in _PER_CONTACT if m in names}
    shares = {}
    for measure, pick in (("peak", np.nanmax), ("trough", np.nanmin)):
        if measure in pos:
            hit = answered & (grid == pick(grid, axis=1)[:, None])
            shares[measure] = hit / hit.sum(axis=1, keepdims=True)
    weight_rows, claim_rows = [], []
    # each sequence's own share term, b_peak * best_ij + b_trough * worst_ij: its spread over the
    # sequences of a length is the shares' sampling error
    own = np.zeros(grid.shape)
    for measure in shares:
        own = own + params[pos[measure]] * np.nan_to_num(shares[measure])

    def share_var(values: np.ndarray) -> float:
        return float(np.var(values, ddof=1) / len(values)) if len(values) > 1 else 0.0

    for k in np.unique(lengths):
        sel = lengths == k
        vectors = []
        for j in range(k):
            c = np.zeros(len(names))
            if "mean" in pos:
                c[pos["mean"]] = 1.0 / k
            if "peak" in pos:
                c[pos["peak"]] = shares["peak"][sel, j].mean()
            if "trough" in pos:
                c[pos["trough"]] = shares["trough"][sel, j].mean()
            if "first" in pos and j == 0:
                c[pos["first"]] += 1.0
            if j == k - 1:
                c[pos["end"]] += 1.0
            vectors.append(c)
            est, se = float(c @ params), float(np.sqrt(c @ cov @ c + share_var(own[sel, j])))
            row = {"n_contacts": int(k), "contact": j + 1, "n": int(sel.sum())}
            if "peak" in pos:
                row["best_share"] = float(c[pos["peak"]])
            if "trough" in pos:
                row["worst_share"] = float(c[pos["trough"]])
            row.update(estimate=est, se=se, low=est - tq * se, high=est + tq * se)
            weight_rows.append(row)
        for j in range(k - 1):
            c = vectors[-1] - vectors[j]
            est = float(c @ params)
            se = float(np.sqrt(c @ cov @ c + share_var(own[sel, k - 1] - own[sel, j])))
            t = est / se if se > 0 else np.inf * np.sign(est)
            claim_rows.append(
                {
                    "n_contacts": int(k),
                    "contact": j + 1,
                    "estimate": est,
                    "se": se,
                    "low": est - tq * se,
                    "high": est + tq * se,
                    "t": t,
                    "p_value": float(t_sf(t, df_resid)),
                }
            )
    weights = pd.DataFrame(weight_rows).set_index(["n_contacts", "contact"])
    claim_cols = ["estimate", "se", "low", "high", "t", "p_value"]
    if claim_rows:
        claim = pd.DataFrame(claim_rows).set_index(["n_contacts", "contact"])[claim_cols]
    else:  # every sequence has one contact: there is no other contact to compare the end with
        claim = pd.DataFrame(
            columns=claim_cols, index=pd.MultiIndex.from_arrays([[], []], names=["n_contacts", "contact"])
        )
    return ContactWeights(weights=weights, claim=claim, confidence=result.confidence)


@fill
def peak_end_regression(
    df: pd.DataFrame,
    outcome: str = "overall",
    predictors=("mean", "peak", "end"),
    contacts: list[str] | None = None,
    confidence: float = 0.95,
    cov_type: str = "nonrobust",
    n_contacts: str | None = "n_contacts",
) -> PeakEndResult:
    """Regress the overall rating on the mean, peak and end of the contact ratings.

    Fits ``outcome = b0 + b_mean * mean + b_peak * peak + b_end * end + error`` by
    ordinary least squares (statsmodels ``OLS``). Each weight is in points of overall rating
    per point of the measure, but the measures are not contacts: the mean is shared by
    every contact of a sequence (the end included), so ``b_end`` and ``b_mean`` do not
    compare contact against contact. :func:`contact_weights` reads the weights per contact
    and tests "the last contact leaves the deepest impression" (its result is
    ``per_contact``, with ``claim`` and ``end_weighs_most``, whenever ``end`` is a predictor
    computed from the contacts).

    Parameters
    ----------
    df : DataFrame
        One row per order (the course's ``touchpoints`` table).
    outcome : str
        The overall rating.
    predictors : sequence of str
        Each a column of ``df`` (used as it is, which lets you add controls such as
        ``"delayed"``; a column wins over a measure of the same name) or one of the
        sequence measures of :func:`sequence_summary` (``mean``, ``peak``, ``trough``,
        ``first``, ``end``, ``n``), computed from the contact columns.
    contacts : list of str, optional
        The contact rating columns in order (see :func:`sequence_summary`).
    {confidence}
    {cov_type}
    n_contacts : str or None
        Passed to :func:`sequence_summary`.

    Returns
    -------
    PeakEndResult
        ``coefficients`` (one row per term: ``estimate``, ``se``, ``low``, ``high``, ``t``,
        ``p_value``), ``n``, ``r_squared``, the fitted model, and ``per_contact`` (the weights
        read per contact, with the test of the claim) when ``end`` is a predictor.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> cols = ["contact_1", "contact_2", "contact_3"]
    >>> ratings = pd.DataFrame(rng.integers(1, 11, size=(400, 3)), columns=cols)
    >>> s = sequence_summary(ratings)
    >>> noise = rng.normal(0, 0.3, 400)
    >>> ratings["overall"] = 0.2 + 0.6 * s["mean"] + 0.1 * s["peak"] + 0.3 * s["end"] + noise
    >>> res = peak_end_regression(ratings)
    >>> res.coefficients["estimate"].round(1).tolist()
    [0.2, 0.6, 0.1, 0.3]
    >>> res.claim.index.tolist()  # the end against contacts 1 and 2 of 3
    [(3, 1), (3, 2)]
    """
    confidence = check_confidence(confidence)
    require_columns(df, [outcome])
    y = as_numeric(df[outcome], outcome)
    X = _predictor_frame(df, predictors, contacts, n_contacts)
    X.insert(0, "const", 1.0)
    fit, table = _ols(y, X, confidence, cov_type)
    result = PeakEndResult(
        coefficients=table,
        n=len(y),
        r_squared=float(fit.rsquared),
        outcome=outcome,
        confidence=confidence,
        cov_type=cov_type,
        fit=fit,
    )
    if "end" in X.columns and "end" not in df.columns:
        shadowed = [m for m in _PER_CONTACT if m in X.columns and m in df.columns]
        if not shadowed:
            result = replace(result, per_contact=contact_weights(df, result, contacts, n_contacts))
    return result


MOMENT_COLUMNS = [
    "effect",
    "method",
    "estimate",
    "se",
    "low",
    "high",
    "p_value",
    "n_with",
    "n_without",
    "mean_with",
    "mean_without",
]


@fill
def moment_effects(
    df: pd.DataFrame,
    outcome: str = "overall",
    delayed: str = "delayed",
    told: str = "told_of_delay",
    thank_you: str = "thank_you",
    confidence: float = 0.95,
    cov_type: str = "nonrobust",
) -> pd.DataFrame:
    """Effects of a delay, of telling the customer about it, and of a thank-you note on the overall rating.

    Two estimates of each effect, in rows told apart by ``method``:

    ``"difference in means"``
        The raw comparison, with Welch's t interval (:func:`cxlib.compare.welch_from_stats`):

        * ``delay``: delayed orders minus on-time orders (told or not);
        * ``told of delay``: *among delayed orders*, told minus not told;
        * ``thank-you note``: orders with a note minus orders without.

    ``"regression"``
        One OLS model, ``outcome ~ delayed + delayed:told + thank_you``, whose
        coefficients adjust each effect for the others (useful when, say, delayed
        orders got fewer thank-you notes):

        * ``delay``: an *unannounced* delay versus on time, same thank-you status;
        * ``told of delay``: being told, among delayed orders, same thank-you status;
        * ``thank-you note``: a note versus none, same delay status.

        So the two ``delay`` rows answer different questions: the raw one averages over
        told and untold delays; the regression one is the cost of a surprise.

    Neither is a causal estimate unless the moments were assigned independently of
    everything else that drives the rating; the regression only removes the part of
    the confounding that runs through the other two moments.

    Parameters
    ----------
    df : DataFrame
        One row per order (the course's ``touchpoints`` table).
    outcome : str
        The overall rating (numeric).
    delayed, told, thank_you : str
        True/false (or 0/1) columns. ``told`` must be false wherever ``delayed`` is.
    {confidence}
    {cov_type}

    Returns
    -------
    DataFrame
        Columns ``effect``, ``method``, ``estimate``, ``se``, ``low``, ``high``,
        ``p_value`` (two-sided), ``n_with``, ``n_without`` (orders with and without
        the moment, among delayed orders for ``told of delay``), and ``mean_with``,
        ``mean_without`` (raw means; blank for regression rows).

    Examples
    --------
    >>> orders = pd.DataFrame({
    ...     "overall":       [8, 9, 7, 8, 4, 5, 3, 4, 6, 7, 6, 7],
    ...     "delayed":       [False] * 4 + [True] * 8,
    ...     "told_of_delay": [False] * 8 + [True] * 4,
    ...     "thank_you":     [False, True] * 6})
    >>> moment_effects(orders)[["effect", "method", "estimate"]].round(2)
               effect               method  estimate
    0           delay  difference in means     -2.75
    1   told of delay  difference in means      2.50
    2  thank-you note  difference in means      1.00
    3           delay           regression     -4.00
    4   told of delay           regression      2.50
    5  thank-you note           regression      1.00
    """
    confidence = check_confidence(confidence)
    require_columns(df, [outcome, delayed, told, thank_you])
    y = as_numeric(df[outcome], outcome)
    d = as_flags(df[delayed], delayed)
    k = as_flags(df[told], told)
    ty = as_flags(df[thank_you], thank_you)
    wrong = k & ~d
    if wrong.any():
        raise InputError(
            f"{told} is true for {int(wrong.sum())} order(s) that were not {delayed}: "
            f"{show_examples(df.index[wrong], ['told but not delayed'] * int(wrong.sum()))}; "
            "a customer can only be told of a delay that happened"
        )
    groups = {
        "delay": (d, np.ones_like(d)),
        "told of delay": (k, d),
        "thank-you note": (ty, np.ones_like(ty)),
    }
    labels = {
        "delay": f"{delayed} orders",
        "told of delay": f"delayed orders with and without {told}",
        "thank-you note": f"orders with and without {thank_you}",
    }
    rows = []
    for effect, (flag, among) in groups.items():
        a, b = y[flag & among], y[~flag & among]
        if len(a) < 2 or len(b) < 2:
            raise InputError(
                f"{effect}: too few {labels[effect]} to compare ({len(a)} with, {len(b)} without; "
                "at least 2 of each are needed)"
            )
        w = welch_from_stats(
            a.mean(), a.var(ddof=1), len(a), b.mean(), b.var(ddof=1), len(b), confidence
        ).iloc[0]
        rows.append(
            {
                "effect": effect,
                "method": "difference in means",
                "estimate": w["estimate"],
                "se": w["se"],
                "low": w["low"],
                "high": w["high"],
                "p_value": w["p_value"],
                "n_with": len(a),
                "n_without": len(b),
                "mean_with": a.mean(),
                "mean_without": b.mean(),
            }
        )
    X = pd.DataFrame(
        {
            "const": 1.0,
            "delay": d.astype(float),
            "told of delay": (d & k).astype(float),
            "thank-you note": ty.astype(float),
        },
        index=df.index,
    )
    _, table = _ols(y, X, confidence, cov_type)
    for effect, (flag, among) in groups.items():
        r = table.loc[effect]
        rows.append(
            {
                "effect": effect,
                "method": "regression",
                "estimate": r["estimate"],
                "se": r["se"],
                "low": r["low"],
                "high": r["high"],
                "p_value": r["p_value"],
                "n_with": int((flag & among).sum()),
                "n_without": int((~flag & among).sum()),
                "mean_with": np.nan,
                "mean_without": np.nan,
            }
        )
    return pd.DataFrame(rows, columns=MOMENT_COLUMNS)
