"""Differences between means, with t intervals: the comparisons behind gaps and benchmarks.

Two formulas live here and nowhere else:

* **Welch's two-sample t interval** for the difference between two independent means
  (Welch 1947), which does not assume equal variances. :func:`welch_from_stats` is the
  vectorised form that works on group summaries (means, variances, counts), so a
  grouped comparison over millions of rows is one ``groupby`` and a few array
  operations; :func:`mean_difference` is the same for two samples, and
  :func:`grouped_mean_difference` for every level of a grouping column at once,
  optionally with cluster-robust standard errors when the same customer answers more
  than once (Liang & Zeger 1986; the CR1 form of Stata and statsmodels).
* **The one-sample t interval** of a mean, :func:`t_from_stats`, which is also the
  paired t interval when the values are per-respondent differences
  (:func:`paired_difference`).

:func:`adjust_pvalues` corrects a family of p-values for multiple testing with
``statsmodels.stats.multitest.multipletests`` (Holm by default).

Degenerate groups: a group with fewer than two values has no variance and raises
:class:`~cxlib.errors.InputError`. When both groups have zero variance (everyone gave
the same answer) the standard error is zero: the result is the observed difference
with a zero-width interval, ``p_value`` 1 if the difference is zero and 0 otherwise,
and a :class:`UserWarning` says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._dist import normal_quantile, t_quantile, t_sf
from ._docs import fill
from ._validate import (
    as_numeric,
    check_confidence,
    check_option,
    no_missing,
    one_kind,
    require_columns,
    suggest,
)
from .errors import InputError
from .results import OneRowResult

#: Multiple-testing corrections accepted by :func:`adjust_pvalues` (statsmodels' names), plus "none".
CORRECTIONS = (
    "holm",
    "bonferroni",
    "sidak",
    "holm-sidak",
    "simes-hochberg",
    "hommel",
    "fdr_bh",
    "fdr_by",
    "none",
)

#: The columns of :func:`welch_from_stats` and :func:`t_from_stats`, in order.
WELCH_COLUMNS = ["estimate", "se", "low", "high", "df", "t", "p_value"]


@dataclass(frozen=True)
class MeanDifference(OneRowResult):
    """The difference between two means, ``mean_a - mean_b``, with its t interval.

    Attributes
    ----------
    estimate : float
        ``mean_a - mean_b``.
    se : float
        Its standard error.
    low, high : float
        The confidence interval.
    df : float
        Degrees of freedom of the t distribution used (Welch-Satterthwaite for two
        independent samples, ``n - 1`` for paired samples).
    t : float
        The t statistic for "no difference".
    p_value : float
        Two-sided p-value for "no difference".
    mean_a, mean_b : float
        The two means.
    n_a, n_b : int
        The number of values in each sample (pairs: both equal the number of pairs).
    confidence : float
        Confidence level of the interval.
    method : str
        ``"welch"`` or ``"paired"``.
    """

    estimate: float
    se: float
    low: float
    high: float
    df: float
    t: float
    p_value: float
    mean_a: float
    mean_b: float
    n_a: int
    n_b: int
    confidence: float = 0.95
    method: str = "welch"

    def __repr__(self) -> str:
        return (
            f"MeanDifference(estimate={self.estimate:.4g}, {self._interval()}, "
            f"t={self.t:.4g}, df={self.df:.4g}, p={self.p_value:.4g}, "
            f"means {self.mean_a:.4g} vs {self.mean_b:.4g}, n={self.n_a}/{self.n_b}, method={self.method!r})"
        )


def _zero_se(se: np.ndarray, what: str) -> np.ndarray:
    zero = se == 0
    if zero.any():
        warnings.warn(
            f"{what}: {int(zero.sum())} comparison(s) have no spread at all (every value the same), "
            "so the standard error is 0: the interval has zero width and the p-value is 1 if the "
            "difference is 0, else 0. Such a result rests on no variation; collect more responses.",
            UserWarning,
            stacklevel=3,
        )
    return zero


def _no_negative_variance(*variances: np.ndarray) -> None:
    for v in variances:
        if (v < 0).any():
            raise InputError(
                f"a variance cannot be negative, got {v[v < 0][:5].tolist()}; pass the sample variance "
                "(var(ddof=1)), not a difference or a standard error"
            )


@fill
def welch_from_stats(mean_a, var_a, n_a, mean_b, var_b, n_b, confidence: float = 0.95) -> pd.DataFrame:
    """Welch's t interval for ``mean_a - mean_b`` from group summaries (vectorised).

    Parameters
    ----------
    mean_a, var_a, n_a : array-like
        Mean, sample variance (``ddof=1``) and count of the first group(s).
    mean_b, var_b, n_b : array-like
        The same for the second group(s). All six broadcast together.
    {confidence}

    Returns
    -------
    DataFrame
        One row per comparison with columns ``estimate`` (a - b), ``se``, ``low``,
        ``high``, ``df`` (Welch-Satterthwaite), ``t`` and ``p_value`` (two-sided).

    Notes
    -----
    ``se = sqrt(var_a/n_a + var_b/n_b)`` and
    ``df = se**4 / ((var_a/n_a)**2/(n_a-1) + (var_b/n_b)**2/(n_b-1))`` (Welch 1947;
    Satterthwaite 1946). The same numbers as ``scipy.stats.ttest_ind(a, b,
    equal_var=False)`` and R's ``t.test(a, b)``.

    Examples
    --------
    >>> welch_from_stats([0.75], [3.200556], [10], [2.33], [4.009], [10]).round(3)
       estimate     se    low   high      df      t  p_value
    0     -1.58  0.849 -3.365  0.205  17.776 -1.861    0.079
    """
    confidence = check_confidence(confidence)
    ma, va, na, mb, vb, nb = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(x, dtype=float)) for x in (mean_a, var_a, n_a, mean_b, var_b, n_b))
    )
    few = (na < 2) | (nb < 2)
    if few.any():
        raise InputError(
            f"a mean difference needs at least 2 values in each group to estimate its spread; "
            f"{int(few.sum())} comparison(s) have fewer (counts {na[few][:5].astype(int).tolist()} "
            f"vs {nb[few][:5].astype(int).tolist()})"
        )
    if np.isnan(ma).any() or np.isnan(mb).any() or np.isnan(va).any() or np.isnan(vb).any():
        raise InputError("welch_from_stats: missing means or variances; every group needs values")
    _no_negative_variance(va, vb)
    sa, sb = va / na, vb / nb
    se2 = sa + sb
    se = np.sqrt(se2)
    zero = _zero_se(se, "welch_from_stats")
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(zero, na + nb - 2, se2**2 / (sa**2 / (na - 1) + sb**2 / (nb - 1)))
    return _t_table(ma - mb, se, df, confidence, zero)


def _t_table(estimate, se, df, confidence: float, zero, null: float = 0.0) -> pd.DataFrame:
    """The :data:`WELCH_COLUMNS` table: ``estimate``, its ``se``, a t(``df``) interval, a test of ``null``."""
    diff = estimate - null
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(zero, np.where(diff == 0, 0.0, np.sign(diff) * np.inf), diff / se)
    p = np.where(zero, np.where(diff == 0, 1.0, 0.0), 2 * t_sf(np.abs(t), df))
    half = t_quantile(0.5 + confidence / 2, df) * se
    return pd.DataFrame(
        {
            "estimate": estimate,
            "se": se,
            "low": estimate - half,
            "high": estimate + half,
            "df": df,
            "t": t,
            "p_value": p,
        }
    )


@fill
def t_from_stats(mean, var, n, confidence: float = 0.95, null: float = 0.0) -> pd.DataFrame:
    """One-sample t interval of a mean from its summary (vectorised); the paired t interval on differences.

    Parameters
    ----------
    mean, var, n : array-like
        Mean, sample variance (``ddof=1``) and count; broadcast together.
    {confidence}
    null : float
        The value the mean is tested against (0: "no gap").

    Returns
    -------
    DataFrame
        Columns ``estimate`` (the mean), ``se``, ``low``, ``high``, ``df`` (``n - 1``),
        ``t`` and ``p_value`` (two-sided, against ``null``).

    Examples
    --------
    >>> t_from_stats([-1.58], [1.512889], [10]).round(4)
       estimate     se     low    high   df       t  p_value
    0     -1.58  0.389 -2.4599 -0.7001  9.0 -4.0621   0.0028
    """
    confidence = check_confidence(confidence)
    m, v, k = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, dtype=float)) for x in (mean, var, n)))
    _no_negative_variance(v)
    few = k < 2
    if few.any():
        raise InputError(
            f"a t interval needs at least 2 values; {int(few.sum())} group(s) have fewer "
            f"(counts {k[few][:5].astype(int).tolist()})"
        )
    se = np.sqrt(v / k)
    zero = _zero_se(se, "t_from_stats")
    return _t_table(m, se, k - 1, confidence, zero, null)


@fill
def mean_difference(a, b, confidence: float = 0.95) -> MeanDifference:
    """Difference between the means of two independent samples, ``mean(a) - mean(b)``, with Welch's interval.

    Parameters
    ----------
    a, b : array-like or Series
        The two samples (numbers; no missing values: drop them explicitly first).
    {confidence}

    Returns
    -------
    MeanDifference
        ``estimate`` (``mean(a) - mean(b)``), ``se``, ``low``, ``high``, ``df``, ``t``,
        ``p_value``, the two means and counts, ``confidence`` and ``method="welch"``.

    See Also
    --------
    welch_from_stats : the same formula on group summaries.
    grouped_mean_difference : one comparison per level of a grouping column.

    Examples
    --------
    Student's (1908) sleep data, as in R's ``?t.test``:

    >>> drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> mean_difference(drug1, drug2)
    MeanDifference(estimate=-1.58, 95% CI [-3.365, 0.2055], t=-1.861, df=17.78, p=0.07939,
                   means 0.75 vs 2.33, n=10/10, method='welch')
    """
    x = as_numeric(a, "a")
    y = as_numeric(b, "b")
    row = welch_from_stats(x.mean(), _var(x, "a"), len(x), y.mean(), _var(y, "b"), len(y), confidence).iloc[0]
    return _result(row, x, y, len(x), len(y), confidence, "welch")


def _result(row: pd.Series, a: np.ndarray, b: np.ndarray, n_a: int, n_b: int, confidence, method: str):
    """A :class:`MeanDifference` from one row of :func:`welch_from_stats` or :func:`t_from_stats`."""
    return MeanDifference(
        **{c: float(row[c]) for c in WELCH_COLUMNS},
        mean_a=float(a.mean()),
        mean_b=float(b.mean()),
        n_a=n_a,
        n_b=n_b,
        confidence=check_confidence(confidence),
        method=method,
    )


def _var(x: np.ndarray, name: str) -> float:
    if len(x) < 2:
        raise InputError(f"{name} has {len(x)} value(s); at least 2 are needed to estimate its spread")
    return float(np.var(x, ddof=1))


@fill
def paired_difference(x, y, confidence: float = 0.95) -> MeanDifference:
    """Mean of the paired differences ``x - y`` with the paired t interval.

    Parameters
    ----------
    x, y : array-like or Series
        Two measurements on the same respondents, in the same order (for SERVQUAL:
        perception and expectation). Same length, no missing values.
    {confidence}

    Returns
    -------
    MeanDifference
        With ``method="paired"``, ``df = n - 1`` and ``n_a == n_b ==`` the number of pairs.

    Examples
    --------
    Student's (1908) sleep data, the same ten patients on two drugs (R: ``t.test(extra ~
    group, data = sleep, paired = TRUE)``):

    >>> drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> paired_difference(drug1, drug2)
    MeanDifference(estimate=-1.58, 95% CI [-2.46, -0.7001], t=-4.062, df=9, p=0.002833,
                   means 0.75 vs 2.33, n=10/10, method='paired')
    """
    a = as_numeric(x, "x")
    b = as_numeric(y, "y")
    if len(a) != len(b):
        raise InputError(f"paired values must come in pairs: x has {len(a)} values and y has {len(b)}")
    d = a - b
    row = t_from_stats(d.mean(), _var(d, "the differences x - y"), len(d), confidence).iloc[0]
    return _result(row, a, b, len(d), len(d), confidence, "paired")


def _fisher(r: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's z interval of correlations ``r`` from ``n`` pairs, at normal quantile ``z``."""
    half = z / np.sqrt(n - 3)
    centre = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    return np.tanh(centre - half), np.tanh(centre + half)


@fill
def correlations(
    df: pd.DataFrame, outcome: str, predictors: list[str], confidence: float = 0.95, missing: str = "raise"
) -> pd.DataFrame:
    """Pearson correlation of each predictor with ``outcome``, with Fisher's z interval.

    The correlation of an item with overall satisfaction is the simplest *derived importance*:
    how strongly the item goes with the outcome (not what causes it). The interval transforms
    ``r`` to Fisher's ``z = atanh(r)``, whose standard error is ``1 / sqrt(n - 3)``, and back.

    Parameters
    ----------
    {df}
    outcome : str
        The outcome column.
    predictors : list of str
        The columns to correlate with it.
    {confidence}
    {missing_drivers}

    Returns
    -------
    DataFrame
        Indexed by predictor: ``estimate`` (Pearson's r), ``low``, ``high`` and ``n`` (the
        complete rows used, the same for every predictor). ``attrs["dropped"]``: rows left out.

    Examples
    --------
    >>> d = pd.DataFrame({"sat": [1, 2, 3, 4, 5, 6], "a": [1, 3, 2, 5, 4, 6], "b": [6, 1, 5, 2, 4, 3]})
    >>> correlations(d, "sat", ["a", "b"]).round(3)
            estimate    low   high  n
    driver
    a          0.886  0.264  0.987  6
    b         -0.257 -0.884  0.701  6
    """
    confidence = check_confidence(confidence)
    predictors = [predictors] if isinstance(predictors, str) else list(predictors)
    if not predictors:
        raise InputError("predictors must name at least one column")
    from .drivers import _complete

    x, dropped = _complete(df, [outcome, *predictors], missing)
    r = np.corrcoef(x, rowvar=False)[0, 1:]
    low, high = _fisher(r, np.full(len(r), len(x)), float(normal_quantile(0.5 + confidence / 2)))
    out = pd.DataFrame(
        {"estimate": r, "low": low, "high": high, "n": len(x)}, index=pd.Index(predictors, name="driver")
    )
    out.attrs.update({"dropped": dropped, "outcome": outcome, "confidence": confidence})
    return out


@fill
def correlation_difference(
    df: pd.DataFrame, outcome: str, a: str, b: str, confidence: float = 0.95, missing: str = "raise"
) -> pd.DataFrame:
    """How much more ``a`` goes with ``outcome`` than ``b`` does: ``r(outcome, a) - r(outcome, b)``.

    The two correlations share the outcome and come from the same rows, so they are not
    independent: the interval is Zou's (2007) for two *overlapping* correlations, built from
    each correlation's Fisher interval and the correlation between ``a`` and ``b`` (G. Y. Zou,
    "Toward using confidence intervals to compare correlations", *Psychological Methods* 12(4),
    399-413). It excludes 0 when the two correlations differ at ``1 - confidence``.

    Parameters
    ----------
    {df}
    outcome : str
        The column both correlations share.
    a, b : str
        The two columns compared.
    {confidence}
    {missing_drivers}

    Returns
    -------
    DataFrame
        One row, indexed ``"a - b"``: ``estimate`` (the difference of the correlations),
        ``low``, ``high``, ``r_a``, ``r_b``, ``r_ab`` (the correlation of ``a`` with ``b``) and
        ``n`` (complete rows).

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> d = pd.DataFrame(rng.normal(size=(500, 2)), columns=["a", "b"])
    >>> d["sat"] = d["a"] + 0.3 * d["b"] + rng.normal(size=500)
    >>> correlation_difference(d, "sat", "a", "b")[["estimate", "low", "high", "n"]].round(3)
           estimate    low   high    n
    a - b     0.508  0.409  0.607  500
    """
    confidence = check_confidence(confidence)
    from .drivers import _complete

    x, _ = _complete(df, [outcome, a, b], missing)
    c = np.corrcoef(x, rowvar=False)
    r1, r2, r12 = c[0, 1], c[0, 2], c[1, 2]
    (l1, l2), (u1, u2) = _fisher(
        np.array([r1, r2]), np.full(2, len(x)), float(normal_quantile(0.5 + confidence / 2))
    )
    # Zou (2007), eq. 13: the correlation between the two estimated correlations
    k = ((r12 - r1 * r2 / 2) * (1 - r1**2 - r2**2 - r12**2) + r12**3) / ((1 - r1**2) * (1 - r2**2))
    d = r1 - r2
    low = d - np.sqrt(max((r1 - l1) ** 2 + (u2 - r2) ** 2 - 2 * k * (r1 - l1) * (u2 - r2), 0.0))
    high = d + np.sqrt(max((u1 - r1) ** 2 + (r2 - l2) ** 2 - 2 * k * (u1 - r1) * (r2 - l2), 0.0))
    return pd.DataFrame(
        {"estimate": d, "low": low, "high": high, "r_a": r1, "r_b": r2, "r_ab": r12, "n": len(x)},
        index=[f"{a} - {b}"],
    )


def suggest_label(label, choices) -> str:
    """Like :func:`cxlib._validate.suggest`, but also catches a difference of case or spaces.

    Parameters
    ----------
    label : object
        The label that was given (a business, a role, a level).
    choices : iterable
        The labels in the data.

    Returns
    -------
    str
        ``" (did you mean 'x'?)"`` for a close match, else ``""``.

    Examples
    --------
    >>> suggest_label("bramble & co. ", ["Bramble & Co.", "QuickHome"])
    " (did you mean 'Bramble & Co.'?)"
    """
    choices = [str(c) for c in choices]
    folded = {c.strip().casefold(): c for c in choices}
    hit = folded.get(str(label).strip().casefold())
    return f" (did you mean {hit!r}?)" if hit is not None else suggest(str(label), choices)


@fill
def group_stats(df: pd.DataFrame, outcome: str, by: str | list[str]) -> pd.DataFrame:
    """Count, mean and sample variance of ``outcome`` per group (one ``groupby``).

    Parameters
    ----------
    {df}
    outcome : str
        The numeric column summarised. Missing values raise :class:`InputError`; drop
        them first.
    {by}

    Returns
    -------
    DataFrame
        Indexed by group: ``n``, ``mean`` and ``var`` (sample variance, ``ddof=1``), the
        inputs of :func:`t_from_stats` and :func:`welch_from_stats`.

    Examples
    --------
    >>> group_stats(pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1, 3, 2, 2]}), "x", "g")
       n  mean  var
    g
    a  2   2.0  2.0
    b  2   2.0  0.0
    """
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(df, [outcome, *keys])
    x = as_numeric(df[outcome], outcome)
    no_missing(df, keys, "group label")
    for k in keys:
        one_kind(df[k], k)
    frame = pd.DataFrame({k: df[k].to_numpy() for k in keys}).assign(_x=x)
    out = frame.groupby(keys, observed=True, sort=True)["_x"].agg(n="count", mean="mean", var="var")
    return out


@fill
def grouped_mean_difference(
    df: pd.DataFrame,
    outcome: str,
    group: str,
    a,
    b,
    by: str | list[str] | None = None,
    confidence: float = 0.95,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Welch difference ``mean(outcome | group == a) - mean(outcome | group == b)``, per level of ``by``.

    Parameters
    ----------
    df : DataFrame
        Long data: one row per rating.
    outcome : str
        The numeric column compared.
    group : str
        The column that says which of the two groups a row belongs to.
    a, b : scalar
        The two values of ``group`` compared (``a - b``). Other values are ignored.
    by : str or list of str, optional
        Compare within each level of these columns (one row per level).
    {confidence}
    cluster : str, optional
        A column of cluster labels (a customer id) when rows are not independent: the same
        customer answering several times gives answers more alike than two customers'. The
        standard error is then cluster-robust (Liang & Zeger 1986), in the CR1 form of Stata
        and statsmodels (``OLS(...).fit(cov_type="cluster")``): the variance is
        ``G/(G-1) * (N-1)/(N-2) * sum over clusters of (sum of u_i/n_a - sum of u_j/n_b)**2``,
        with ``u`` the deviations from each side's mean, ``G`` the clusters and ``N`` the rows
        of the comparison; the interval uses t with ``G - 1`` degrees of freedom (Cameron &
        Miller 2015). A cluster may have rows on both sides (before and after, say): that
        is accounted for. Missing cluster labels are an error.

    Returns
    -------
    DataFrame
        Indexed by ``by`` (a single row ``0`` without it), with ``n_a``, ``n_b``,
        ``mean_a``, ``mean_b`` and the :func:`welch_from_stats` columns (``estimate``
        is ``mean_a - mean_b``); with ``cluster``, ``se``, ``low``, ``high``, ``df``, ``t`` and
        ``p_value`` are the cluster-robust ones and a column ``clusters`` counts the clusters.

    Examples
    --------
    >>> d = pd.DataFrame({"item": ["x"] * 4 + ["y"] * 4, "who": ["us", "us", "them", "them"] * 2,
    ...                   "score": [5, 4, 3, 3, 2, 3, 3, 4]})
    >>> diff = grouped_mean_difference(d, "score", "who", "us", "them", by="item")
    >>> diff[["mean_a", "mean_b", "estimate"]]
          mean_a  mean_b  estimate
    item
    x        4.5     3.0       1.5
    y        2.5     3.5      -1.0

    Customers who answered twice, before and after a change (``cluster`` names them):

    >>> d = pd.DataFrame({"customer": [1, 1, 2, 2, 3, 4], "period": ["after", "before"] * 3,
    ...                   "score": [5, 4, 4, 4, 5, 3]})
    >>> out = grouped_mean_difference(d, "score", "period", "after", "before", cluster="customer")
    >>> out[["estimate", "se", "low", "high", "df", "clusters"]].round(4)
       estimate      se     low    high   df  clusters
    0       1.0  0.5367 -0.7081  2.7081  3.0         4
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    require_columns(df, [outcome, group] + keys + ([cluster] if cluster is not None else []))
    if cluster is not None:
        no_missing(df, [cluster], "cluster label")
    one_kind(df[group], group)
    labels = pd.Series(df[group].to_numpy(dtype=object), index=df.index)
    present = set(labels.dropna().unique().tolist())
    for name, lab in (("a", a), ("b", b)):
        if lab not in present:
            shown = ", ".join(repr(v) for v in sorted(map(str, present))[:10])
            raise InputError(
                f"{group} has no value {lab!r} (argument {name}){suggest_label(lab, present)}; "
                f"its values are: {shown}"
            )
    keep = labels.isin([a, b]).to_numpy()
    sub = df.loc[keep]
    side = np.where(labels[keep].to_numpy() == a, "a", "b")
    frame = pd.DataFrame({k: sub[k].to_numpy() for k in keys}, index=sub.index)
    frame["_side"] = side
    frame[outcome] = sub[outcome].to_numpy()
    st = group_stats(frame, outcome, keys + ["_side"])
    if keys:
        wide = st.unstack("_side")
        if ("n", "a") not in wide.columns or ("n", "b") not in wide.columns:
            raise InputError(f"{group}: no rows of {a!r} or of {b!r} left to compare")
        gap = wide[("n", "a")].isna() | wide[("n", "b")].isna()
        if gap.any():
            raise InputError(
                f"{len(wide.index[gap])} level(s) of {', '.join(keys)} have ratings from only one of "
                f"{a!r} and {b!r}: {', '.join(map(str, wide.index[gap][:5]))}; "
                "drop those levels or collect ratings from both"
            )
        get = lambda stat, s: wide[(stat, s)].to_numpy(dtype=float)  # noqa: E731
        index = wide.index
    else:
        get = lambda stat, s: np.array([st.loc[s, stat]], dtype=float)  # noqa: E731
        index = pd.RangeIndex(1)
    na, nb = get("n", "a"), get("n", "b")
    few = (na < 2) | (nb < 2)
    if few.any():
        where = f" at {', '.join(map(str, index[few][:5]))}" if keys else ""
        raise InputError(
            f"{outcome}: each group needs at least 2 ratings to estimate its spread; {a!r} has "
            f"{na[few][:5].astype(int).tolist()} and {b!r} has {nb[few][:5].astype(int).tolist()}{where}"
        )
    res = welch_from_stats(
        get("mean", "a"), get("var", "a"), na, get("mean", "b"), get("var", "b"), nb, confidence
    )
    res.index = index
    head = pd.DataFrame(
        {
            "n_a": na.astype(int),
            "n_b": nb.astype(int),
            "mean_a": get("mean", "a"),
            "mean_b": get("mean", "b"),
        },
        index=index,
    )
    if cluster is not None:
        frame["_cluster"] = sub[cluster].to_numpy()
        res = _clustered(frame, outcome, keys, index, res["estimate"].to_numpy(), na + nb, confidence)
    return pd.concat([head, res], axis=1)


def _clustered(frame, outcome, keys, index, estimate, n, confidence) -> pd.DataFrame:
    """Cluster-robust (CR1) t table for the differences of :func:`grouped_mean_difference`."""
    sides = keys + ["_side"]
    y = frame[outcome].to_numpy(dtype=float)
    grouped = frame.groupby(sides, observed=True, sort=False)[outcome]
    u = y - grouped.transform("mean").to_numpy(dtype=float)
    # each row's influence on mean_a - mean_b: u / n_a on side a, -u / n_b on side b
    sign = np.where(frame["_side"].to_numpy() == "a", 1.0, -1.0)
    infl = sign * u / grouped.transform("size").to_numpy(dtype=float)
    per = frame[keys + ["_cluster"]].assign(_infl=infl).groupby(keys + ["_cluster"], observed=True)["_infl"]
    sums = per.sum()
    if keys:
        level = sums.index.droplevel("_cluster")
        total = (sums**2).groupby(level, observed=True).sum().reindex(index)
        g = sums.groupby(level, observed=True).size().reindex(index).to_numpy(dtype=float)
    else:
        total = pd.Series([float((sums**2).sum())])
        g = np.array([float(len(sums))])
    if (g < 2).any():
        where = f" at {', '.join(map(str, index[g < 2][:5]))}" if keys else ""
        raise InputError(f"cluster-robust errors need at least 2 clusters in each comparison{where}")
    se = np.sqrt(g / (g - 1) * (n - 1) / (n - 2) * total.to_numpy(dtype=float))
    zero = _zero_se(se, "grouped_mean_difference")
    out = _t_table(estimate, se, g - 1, confidence, zero)
    out.index = index
    out["clusters"] = g.astype(int)
    return out


def adjust_pvalues(p_values, correction: str = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple testing (statsmodels ``multipletests``).

    Parameters
    ----------
    p_values : array-like
        The unadjusted p-values, each in [0, 1], no missing values.
    correction : str
        ``"holm"`` (Holm 1979, the default: controls the family-wise error rate, and is
        uniformly more powerful than Bonferroni), ``"bonferroni"``, ``"fdr_bh"``
        (Benjamini-Hochberg false discovery rate), any other method
        ``statsmodels.stats.multitest.multipletests`` accepts (see :data:`CORRECTIONS`),
        or ``"none"`` to return the p-values unchanged.

    Returns
    -------
    ndarray
        Adjusted p-values, in the input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.005], "holm")
    array([0.03, 0.06, 0.06, 0.02])
    """
    check_option("correction", correction, CORRECTIONS)
    p = as_numeric(p_values, "p-values", low=0, high=1, allow_empty=True)
    if correction == "none" or len(p) <= 1:  # one test: nothing to correct
        return p
    from statsmodels.stats.multitest import multipletests

    return multipletests(p, method=correction)[1]
