"""The dollar value of a customer: retention, margin, lifetime value, value at risk.

* :func:`clv`: customer lifetime value with the margin multiple of Gupta & Lehmann
  (2003, "Customers as assets", *Journal of Interactive Marketing* 17(1), 9-24):
  ``CLV = m * r / (1 + i - r)`` for an annual margin ``m``, retention rate ``r`` and
  discount rate ``i``, over an infinite horizon, margins received at the end of each
  year the customer stays.
* :func:`customer_years`: from the purchase records, each customer's margin in one
  year and whether they bought again the next year.
* :func:`retention_rate`: the share of a year's (or quarter's, month's) customers who
  buy again in the next one, with a Wilson interval (``estimate``, ``low``, ``high``).
* :func:`margin_per_customer`: the mean margin per active customer in each year, with
  a t interval.
* :func:`value_at_risk`: for each satisfaction level, the customers' retention and
  lifetime value, and how much value is lost compared with the retention of the most
  satisfied customers: what poor service costs, and so what a complaint handled well
  is worth.
* :func:`clv_estimate` and :func:`value_at_risk_total`: the same values with intervals
  that carry the uncertainty of their inputs (the margin and the retention rates) through
  the formula, by the delta method.
* :func:`purchase_spans` and :func:`survival`: the chance of still being a customer a
  year later (not the same as buying again the next year) and the margin of a year as a
  customer, fitted to each customer's months with a purchase (geometric lifetimes, a
  monthly purchase chance).
* :func:`survival_curve` and :func:`value_at_risk_curve`: survival by satisfaction level read
  from one curve (monthly churn logistic in the level, fitted to every customer at once), and the
  value at risk priced with it, so that two levels the data cannot tell apart do not decide the
  ceiling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dist import normal_quantile
from ._docs import fill
from ._validate import as_flags, as_numeric, check_confidence, check_option, no_missing, require_columns
from .errors import InputError
from .metrics import _grouped_mean, wilson_from_counts
from .results import Estimate

PERIODS = ("year", "quarter", "month")


def clv(margin, retention, discount):
    """Customer lifetime value, ``margin * retention / (1 + discount - retention)``.

    Vectorised: each argument may be a number, an array or a Series; they are
    broadcast together. A Series result keeps the index of the Series given (Series
    given together must share one index, since they are not aligned by label).

    Parameters
    ----------
    margin : number, array or Series
        Annual margin per customer (money).
    retention : number, array or Series
        Annual retention rate, 0 <= r < 1.
    discount : number, array or Series
        Annual discount rate (e.g. 0.1 for 10%), zero or more. A negative rate would value
        future margins above today's (a rate of -0.9 gave a negative lifetime value, one of
        ``retention - 1`` an infinite one), so it is an error.

    Returns
    -------
    float, array or Series
        Lifetime value per customer, in the units of ``margin``.

    Examples
    --------
    >>> round(clv(100, 0.9, 0.12), 2)  # Gupta & Lehmann (2003): margin multiple 4.09
    409.09
    >>> clv(np.array([100, 100]), np.array([0.6, 0.8]), 0.1).round(1)
    array([120. , 266.7])
    """
    series = [v for v in (margin, retention, discount) if isinstance(v, pd.Series)]
    for s in series[1:]:
        if not s.index.equals(series[0].index):
            raise InputError(
                "the Series given to clv have different indexes; align them first "
                "(for example with .reindex or by taking columns of one DataFrame)"
            )
    values = {}
    for name, v in (("margin", margin), ("retention", retention), ("discount", discount)):
        try:
            values[name] = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be a number or an array of numbers, got {v!r}") from None
    m, r, i = values["margin"], values["retention"], values["discount"]
    for name, v in values.items():
        if np.isnan(v).any() or np.isinf(v).any():
            raise InputError(f"{name} has missing or infinite values; expected finite numbers")
    if ((r < 0) | (r >= 1)).any():
        bad = r[(r < 0) | (r >= 1)]
        raise InputError(
            f"retention must be a rate from 0 up to (not including) 1, e.g. 0.8 for 80%; "
            f"got {bad.ravel()[:5].tolist()}"
        )
    if (i < 0).any():
        raise InputError(
            f"discount must be an annual rate of 0 or more (e.g. 0.1 for 10%); got "
            f"{i[i < 0].ravel()[:5].tolist()}: a negative rate values future margins above today's and "
            "makes the lifetime value negative or infinite (1 + discount - retention <= 0)"
        )
    try:
        out = m * r / (1 + i - r)
    except ValueError:
        raise InputError(
            f"margin, retention and discount have shapes {m.shape}, {r.shape} and {i.shape}, "
            "which cannot be broadcast together"
        ) from None
    if series and out.shape == (len(series[0]),):
        return pd.Series(out, index=series[0].index, name="clv")
    return float(out) if out.ndim == 0 else out


def _check_purchases(transactions: pd.DataFrame, customer: str, date: str) -> None:
    require_columns(transactions, [customer, date], "transactions")
    if not pd.api.types.is_datetime64_any_dtype(transactions[date].dtype):
        raise InputError(
            f"{date} must hold dates (datetime64); load the table with cxlib.data.load or pd.to_datetime"
        )
    no_missing(transactions, [date, customer])


def customer_years(
    transactions: pd.DataFrame,
    year: int,
    customer: str = "customer_id",
    date: str = "date",
    margin: str = "margin",
) -> pd.DataFrame:
    """Each customer who bought in ``year``: their margin that year and whether they bought in ``year + 1``.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (the course's ``transactions`` table).
    year : int
        The year whose customers are listed.
    customer, date, margin : str
        Column names: the customer id, the purchase date (datetime) and its margin.

    Returns
    -------
    DataFrame
        Indexed by customer: ``margin`` (sum over the year's purchases), ``retained``
        (True if they bought at least once in the next year) and ``margin_next`` (the sum
        over the next year's purchases; 0 for customers not retained). A customer who
        joined during ``year`` brings only part of a year's margin in it; ``margin_next``
        of the retained customers covers a whole calendar year as a customer (less for
        those who leave during it).

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 1, 2, 3], "margin": [10.0, 5.0, 8.0, 4.0],
    ...                   "date": pd.to_datetime(["2024-02-01", "2025-03-01", "2024-05-01", "2025-01-01"])})
    >>> customer_years(t, 2024)
                 margin  retained  margin_next
    customer_id
    1              10.0      True          5.0
    2               8.0     False          0.0
    """
    _check_purchases(transactions, customer, date)
    require_columns(transactions, [margin], "transactions")
    m = as_numeric(transactions[margin], margin)
    years = transactions[date].dt.year.to_numpy()
    if not (years == year).any():
        found = sorted(set(years.tolist()))
        raise InputError(f"no purchases in {year}; the data cover {found[0]} to {found[-1]}")
    ids = transactions[customer].to_numpy()
    this = pd.Series(m[years == year], index=ids[years == year]).groupby(level=0).sum()
    following = pd.Series(m[years == year + 1], index=ids[years == year + 1]).groupby(level=0).sum()
    out = pd.DataFrame({"margin": this, "retained": this.index.isin(following.index)})
    out["margin_next"] = following.reindex(this.index, fill_value=0.0).to_numpy()
    out.index.name = customer
    return out


def _customer_periods(transactions: pd.DataFrame, customer: str, date: str, period: str):
    """The distinct (customer, period) pairs of the purchases, in one pass.

    Returns ``keys`` (sorted, one per pair), ``inverse`` (the pair of each purchase),
    ``slot`` (the period of each pair, 0 for the first period), ``width`` and a
    function turning slots into period labels. ``key = customer_code * width + slot``,
    with one spare slot so that ``key + 1`` never reaches the next customer.
    """
    check_option("period", period, PERIODS)
    _check_purchases(transactions, customer, date)
    if len(transactions) == 0:
        raise InputError("transactions has no rows")
    dates = transactions[date]
    years = dates.dt.year.to_numpy().astype(np.int64)
    if period == "year":
        ordinal = years
    elif period == "quarter":
        ordinal = (years - 1970) * 4 + (dates.dt.month.to_numpy() - 1) // 3
    else:
        ordinal = (years - 1970) * 12 + dates.dt.month.to_numpy() - 1
    first = int(ordinal.min())
    slot = ordinal - first
    width = int(slot.max()) + 2
    codes = pd.factorize(transactions[customer])[0].astype(np.int64)
    keys, inverse = np.unique(codes * width + slot, return_inverse=True)

    def labels(slots: np.ndarray) -> pd.Index:
        if period == "year":
            return pd.Index(slots + first, name="year")
        freq = "Q" if period == "quarter" else "M"
        return pd.PeriodIndex.from_ordinals(slots + first, freq=freq).rename(period)

    return keys, inverse, keys % width, width, labels


@fill
def retention_rate(
    transactions: pd.DataFrame,
    customer: str = "customer_id",
    date: str = "date",
    confidence: float = 0.95,
    period: str = "year",
) -> pd.DataFrame:
    """Share of each period's customers who buy again in the next period, with a Wilson interval.

    A customer is active in a period if they bought at least once in it, and retained
    if they also bought in the period right after. Computed in one pass over the
    purchases (no loop over periods or customers).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase, with a customer id and a datetime column.
    customer, date : str
        Column names.
    {confidence}
        The interval is Wilson's (``metrics.wilson_from_counts``).
    period : {"year", "quarter", "month"}
        The length of a period. Annual retention is what :func:`clv` expects.

    Returns
    -------
    DataFrame
        One row per period that has a following period in the data (indexed by the
        year, or by a pandas Period): the retention ``estimate`` (percent), its ``se``,
        ``low``, ``high``, ``n`` (the period's customers) and ``retained`` (how many of
        them bought again).

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 2, 3, 1, 2], "margin": 1.0,
    ...                   "date": pd.to_datetime(["2024-01-05"] * 3 + ["2025-02-01"] * 2)})
    >>> retention_rate(t)[["estimate", "n", "retained"]].round(1)
          estimate  n  retained
    year
    2024      66.7  3         2
    """
    confidence = check_confidence(confidence)
    keys, _, slot, width, labels = _customer_periods(transactions, customer, date, period)
    nxt = keys + 1
    pos = np.minimum(np.searchsorted(keys, nxt), len(keys) - 1)
    back = keys[pos] == nxt
    customers = np.bincount(slot, minlength=width)
    retained = np.bincount(slot, weights=back, minlength=width).astype(np.int64)
    present = np.flatnonzero(customers > 0)
    if len(present) < 2:
        raise InputError(f"retention needs purchases in at least two {period}s; found {len(present)}")
    rows = present[:-1]
    out = wilson_from_counts(retained[rows], customers[rows], confidence)
    out["retained"] = retained[rows]
    return out.set_axis(labels(rows))


@fill
def margin_per_customer(
    transactions: pd.DataFrame,
    customer: str = "customer_id",
    date: str = "date",
    margin: str = "margin",
    confidence: float = 0.95,
    period: str = "year",
) -> pd.DataFrame:
    """Mean margin per active customer in each period, with a t interval.

    Each customer's margin is summed over their purchases in the period; the mean is
    over the customers who bought in it. This is the ``m`` of :func:`clv` when the
    period is a year.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.
    customer, date, margin : str
        Column names. Margins may be negative (returns); missing ones are an error.
    {confidence}
        The interval is a t interval (``metrics.mean_from_sums``).
    period : {"year", "quarter", "month"}
        The length of a period.

    Returns
    -------
    DataFrame
        One row per period with purchases: ``estimate`` (mean margin per customer),
        ``se``, ``low``, ``high`` and ``n`` (the period's customers). A period with one
        customer has no interval (NaN).

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 1, 2, 3, 1], "margin": [10.0, 5.0, 9.0, 3.0, 4.0],
    ...                   "date": pd.to_datetime(["2024-01-05", "2024-06-01", "2024-03-01", "2024-09-09",
    ...                                           "2025-02-01"])})
    >>> margin_per_customer(t)[["estimate", "n"]]
          estimate  n
    year
    2024       9.0  3
    2025       4.0  1
    """
    confidence = check_confidence(confidence)
    require_columns(transactions, [margin], "transactions")
    m = as_numeric(transactions[margin], margin)
    keys, inverse, slot, width, labels = _customer_periods(transactions, customer, date, period)
    totals = np.bincount(
        inverse.ravel(), weights=m, minlength=len(keys)
    )  # one margin per customer and period
    present = np.flatnonzero(np.bincount(slot, minlength=width) > 0)
    codes = np.searchsorted(present, slot)  # number the periods with customers 0, 1, 2, ...
    return _grouped_mean(totals, codes, len(present), confidence).set_axis(labels(present))


@fill
def value_at_risk(
    df: pd.DataFrame,
    retained: str = "retained",
    margin: str = "margin",
    level: str = "satisfaction",
    discount: float = 0.1,
    reference=None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Lifetime value by satisfaction level, and the value lost against the best level's retention.

    For each level: the customers, their retention (share retained, with a Wilson
    interval), their mean annual margin and their :func:`clv`. The value at risk of a
    level is what its customers would be worth with the retention of the
    ``reference`` level, minus what they are worth now, summed over its customers:
    ``(clv(margin, r_reference) - clv(margin, r_level)) * customers``. Each level
    keeps its own margin, so only the retention gap is priced.

    Parameters
    ----------
    df : DataFrame
        One row per customer: their satisfaction ``level``, whether they were
        ``retained`` (true/false) and their annual ``margin`` (e.g. from
        :func:`customer_years` joined with the survey).
    retained, margin : str
        Column names: whether each customer was retained (true/false or 0/1) and their
        annual margin.
    level : str
        The grouping column (e.g. satisfaction 1-5).
    discount : float
        Annual discount rate for :func:`clv`.
    reference : optional
        The level whose retention is the benchmark; by default the highest level.
        Levels retained better than the reference have a value at risk of 0.
    {confidence}
        These are the intervals of the retention.

    Returns
    -------
    DataFrame
        Indexed by level: ``n`` (customers), ``retention`` (share 0-1) with its Wilson
        interval ``retention_low`` to ``retention_high``, ``margin`` (mean annual margin),
        ``clv`` (per customer), ``clv_at_reference`` (the same customers with the
        reference level's retention), ``value_at_risk`` (money; 0 for the reference level).

    Examples
    --------
    >>> d = pd.DataFrame({"sat": [5, 5, 5, 5, 2, 2, 2, 2], "retained": [1, 1, 1, 0, 1, 0, 0, 0],
    ...                   "margin": [100.0] * 8})
    >>> value_at_risk(d, level="sat")[["n", "retention", "clv", "value_at_risk"]].round(2)
         n  retention     clv  value_at_risk
    sat
    2    4       0.25   29.41          739.5
    5    4       0.75  214.29            0.0
    """
    confidence = check_confidence(confidence)
    require_columns(df, [level, retained, margin])
    if len(df) == 0:
        raise InputError("the data have no rows; value at risk needs customers")
    no_missing(df, [level], "level")
    r = as_flags(df[retained], retained).astype(float)
    m = as_numeric(df[margin], margin)
    g = pd.DataFrame({"level": df[level].to_numpy(), "r": r, "m": m}).groupby(
        "level", observed=True, sort=True
    )
    table = g.agg(n=("r", "size"), retained=("r", "sum"), margin=("m", "mean"))
    if reference is None:
        try:
            ref = table.index.max()
        except TypeError:
            raise InputError(
                f"{level} has no order to pick the best level from; name it with reference="
            ) from None
    else:
        ref = reference
    if ref not in table.index:
        raise InputError(f"reference level {ref!r} is not among the levels {list(table.index)}")
    ci = wilson_from_counts(table["retained"], table["n"], confidence)
    table["retention"] = table["retained"] / table["n"]
    table["retention_low"] = ci["low"].to_numpy() / 100
    table["retention_high"] = ci["high"].to_numpy() / 100
    top = float(table.loc[ref, "retention"])
    if (table["retention"] >= 1).any():
        full = list(table.index[table["retention"] >= 1])
        raise InputError(
            f"level(s) {full} retain every customer (retention 1), so their lifetime value is "
            "unbounded; use more customers or a longer window"
        )
    table["clv"] = clv(table["margin"].to_numpy(), table["retention"].to_numpy(), discount)
    table["clv_at_reference"] = clv(table["margin"].to_numpy(), top, discount)
    table["value_at_risk"] = ((table["clv_at_reference"] - table["clv"]) * table["n"]).clip(lower=0)
    table.index.name = level
    return table[
        [
            "n",
            "retention",
            "retention_low",
            "retention_high",
            "margin",
            "clv",
            "clv_at_reference",
            "value_at_risk",
        ]
    ]


def _multiple_slope(retention, discount):
    """The derivative of the margin multiple ``r / (1 + i - r)`` with respect to ``r``."""
    return (1 + discount) / (1 + discount - retention) ** 2


def _log_interval(estimate: float, se: float, confidence: float) -> tuple[float, float]:
    """A delta-method interval for a positive value, on the log scale (it stays above zero)."""
    if estimate <= 0 or se == 0:
        return estimate, estimate
    z = float(-normal_quantile((1 - confidence) / 2))
    factor = np.exp(z * se / estimate)
    return float(estimate / factor), float(estimate * factor)


def _check_se(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not v >= 0:
        raise InputError(f"{name} must be a standard error, a number of 0 or more; got {v!r}")
    return float(v)


@fill
def clv_estimate(
    margin: float,
    retention: float,
    discount: float,
    margin_se: float = 0.0,
    retention_se: float = 0.0,
    n: int = 0,
    confidence: float = 0.95,
) -> Estimate:
    """Lifetime value (:func:`clv`) with an interval that carries its inputs' uncertainty.

    The lifetime value ``m * r / (1 + i - r)`` is a product of two estimates, the annual
    margin ``m`` and the retention rate ``r``. Its standard error comes from theirs by the
    delta method (Oehlert 1992, *The American Statistician* 46(1), 27-29), treating the two
    estimates as independent::

        se^2 = (r / (1 + i - r))^2 se_m^2 + (m (1 + i) / (1 + i - r)^2)^2 se_r^2

    and the interval is built on the log scale (``clv * exp(±z se / clv)``), so it stays
    above zero and is wider on the upper side, as the formula is steeper at high retention.

    Parameters
    ----------
    margin, retention, discount : float
        As for :func:`clv`.
    margin_se, retention_se : float
        The standard errors of the margin and of the retention rate (for a rate from ``n``
        customers, ``sqrt(r (1 - r) / n)``).
    n : int
        The number of customers the estimate rests on (reported, not used).
    {confidence}

    Returns
    -------
    {estimate_returns}

    Examples
    --------
    >>> e = clv_estimate(100.0, 0.8, 0.1, margin_se=5.0, retention_se=0.02, n=400)
    >>> round(e.estimate, 2), round(e.se, 2), round(e.low, 1), round(e.high, 1)
    (266.67, 27.84, 217.3, 327.2)
    """
    confidence = check_confidence(confidence)
    value = float(clv(margin, retention, discount))
    sm, sr = _check_se("margin_se", margin_se), _check_se("retention_se", retention_se)
    multiple = value / margin if margin else float(retention / (1 + discount - retention))
    se = float(np.hypot(multiple * sm, margin * _multiple_slope(retention, discount) * sr))
    low, high = _log_interval(value, se, confidence)
    return Estimate(value, se, low, high, int(n), confidence, "delta method, log scale")


@fill
def value_at_risk_total(
    df: pd.DataFrame,
    retained: str = "retained",
    margin: str = "margin",
    level: str = "satisfaction",
    discount: float = 0.1,
    reference=None,
    confidence: float = 0.95,
    margin_se: float = 0.0,
) -> Estimate:
    """The total of :func:`value_at_risk` over the levels, with a delta-method interval.

    The total ``sum_k n_k m_k (g(r_ref) - g(r_k))`` (over the levels retained less well
    than the reference; ``g(r) = r / (1 + i - r)``) depends on each level's retention rate
    ``r_k`` (binomial variance ``r_k (1 - r_k) / n_k``), on the reference level's rate,
    which every level shares, and on each level's mean margin ``m_k`` (the variance of its
    mean, from the ``margin`` column). When the margin column holds one value for everyone
    (a margin estimated elsewhere, given to every customer so that only retention differs
    between levels), pass its standard error as ``margin_se``: it is shared by every level.
    The standard error combines these by the delta method (Oehlert 1992, *The American
    Statistician* 46(1), 27-29), the counts ``n_k`` taken as fixed, and the interval is built
    on the log scale, as in :func:`clv_estimate`.

    Parameters
    ----------
    df, retained, margin, level, discount, reference
        As for :func:`value_at_risk`.
    {confidence}
    margin_se : float
        The standard error of a margin shared by every customer (0 when the margin column
        varies and its own spread is the uncertainty).

    Returns
    -------
    {estimate_returns}
        ``n`` is the number of customers.

    Examples
    --------
    >>> d = pd.DataFrame({"sat": [5] * 40 + [2] * 40, "retained": [1] * 30 + [0] * 10 + [1] * 10 + [0] * 30,
    ...                   "margin": 100.0})
    >>> e = value_at_risk_total(d, level="sat", margin_se=8.0)
    >>> round(e.estimate), e.n  # 40 customers x 100 x (0.75 / 0.35 - 0.25 / 0.85)
    (7395, 80)
    """
    confidence = check_confidence(confidence)
    table = value_at_risk(df, retained, margin, level, discount, reference, confidence)
    shared = _check_se("margin_se", margin_se)
    ref = table.index.max() if reference is None else reference
    r, n, m = (table[c].to_numpy(dtype=float) for c in ("retention", "n", "margin"))
    r_ref = float(table.loc[ref, "retention"])
    below = table["value_at_risk"].to_numpy() > 0
    m_col = as_numeric(df[margin], margin)
    spread = (
        pd.Series(m_col).groupby(df[level].to_numpy()).var(ddof=1).reindex(table.index).fillna(0.0).to_numpy()
    )
    d_margin = np.where(below, n * (clv(1.0, r_ref, discount) - clv(1.0, r, discount)), 0.0)
    d_r = np.where(below, -n * m * _multiple_slope(r, discount), 0.0)
    ref_pos = list(table.index).index(ref)
    d_r[ref_pos] += float(np.sum(np.where(below, n * m, 0.0)) * _multiple_slope(r_ref, discount))
    var = (
        np.sum(d_r**2 * r * (1 - r) / n)
        + np.sum(d_margin**2 * spread / n)
        + float(np.sum(d_margin)) ** 2 * shared**2
    )
    total = float(table["value_at_risk"].sum())
    se = float(np.sqrt(var))
    low, high = _log_interval(total, se, confidence)
    return Estimate(total, se, low, high, int(n.sum()), confidence, "delta method, log scale")


def purchase_spans(
    transactions: pd.DataFrame,
    customer: str = "customer_id",
    date: str = "date",
    margin: str = "margin",
    end=None,
) -> pd.DataFrame:
    """Each customer's purchase history in whole months, as :func:`survival` reads it.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (the course's ``transactions`` table).
    customer, date, margin : str
        Column names: the customer id, the purchase date (datetime) and its margin.
    end : date-like, optional
        The first month *after* the observation window. Default: the month after the last
        purchase in ``transactions`` (pass the whole table's end when ``transactions`` is a
        subset of customers).

    Returns
    -------
    DataFrame
        Indexed by customer: ``span`` (months from the first to the last month with a
        purchase), ``repeats`` (months with a purchase after the first), ``after`` (months
        observed after the last month with a purchase), ``months_bought`` and ``margin`` (the
        sum over every purchase).

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 1, 1, 2], "margin": [10.0, 5.0, 4.0, 8.0],
    ...                   "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-03-20", "2024-02-01"])})
    >>> purchase_spans(t, end="2024-06-01")
                 span  repeats  after  months_bought  margin
    customer_id
    1               2        1      2              2    19.0
    2               0        0      3              1     8.0
    """
    _check_purchases(transactions, customer, date)
    require_columns(transactions, [margin], "transactions")
    m = as_numeric(transactions[margin], margin)
    month = transactions[date].dt.to_period("M")
    start = month.min()
    index = np.asarray((month - start).map(lambda d: d.n), dtype=int)
    last = int(index.max()) + 1 if end is None else (pd.Timestamp(end).to_period("M") - start).n
    if index.max() >= last:
        raise InputError(f"end ({end}) must be after the last purchase ({transactions[date].max():%Y-%m-%d})")
    ids = transactions[customer].to_numpy()
    frame = pd.DataFrame({"c": ids, "m": index})
    months = frame.drop_duplicates().groupby("c")["m"]
    out = pd.DataFrame({"first": months.min(), "last": months.max(), "months_bought": months.size()})
    out["span"] = out["last"] - out["first"]
    out["repeats"] = out["months_bought"] - 1
    out["after"] = last - 1 - out["last"]
    out["margin"] = pd.Series(m, index=ids).groupby(level=0).sum().reindex(out.index).to_numpy()
    out.index.name = customer
    return out[["span", "repeats", "after", "months_bought", "margin"]]


def _expit(x):
    """The logistic function, without overflow warnings at large arguments."""
    from scipy.special import expit

    return expit(x)


def _churn_terms(h, p, span, repeats, after):
    """Each customer's log-likelihood under geometric lifetimes (monthly churn ``h``) and a monthly
    purchase chance ``p`` (numbers, or arrays of one per customer), and its derivatives in ``h`` and ``p``."""
    x = (1 - h) * (1 - p)  # a month survived without a purchase
    xa = x**after
    geo = (1 - xa) / (1 - x)  # 1 + x + ... + x ** (after - 1)
    tail = h * geo + xa  # no purchase seen after the last one: left after j months, or still there
    ll = span * np.log1p(-h) + repeats * np.log(p) + (span - repeats) * np.log1p(-p) + np.log(tail)
    d_geo = (geo - after * x ** np.maximum(after - 1, 0)) / (1 - x)  # d geo / d x
    d_tail_x = h * d_geo + after * x ** np.maximum(after - 1, 0)
    d_h = -span / (1 - h) + (geo - (1 - p) * d_tail_x) / tail
    d_p = repeats / p - (span - repeats) / (1 - p) - (1 - h) * d_tail_x / tail
    return ll, d_h, d_p


def _curve_nll(theta, design, span, repeats, after, w, gradient=False):
    """Minus the log-likelihood of geometric lifetimes with a monthly purchase chance, and its gradient
    in ``theta`` when ``gradient``: the monthly churn may differ between customers,
    ``logit(h) = design @ theta[:-1]`` (one column of ones: one churn for all), with one purchase
    chance ``logit(p) = theta[-1]`` for all."""
    h = 1 / (1 + np.exp(-(design @ theta[:-1])))
    p = 1 / (1 + np.exp(-theta[-1]))
    ll, d_h, d_p = _churn_terms(h, p, span, repeats, after)
    value = -float(np.sum(w * ll))
    if not gradient:
        return value
    grad = np.append(design.T @ (w * d_h * h * (1 - h)), np.sum(w * d_p) * p * (1 - p))
    return value, -grad


def _fit_curve(design, span, repeats, after, w):
    """Maximum likelihood of :func:`_curve_nll`: the coefficients, their covariance (the inverse of the
    observed information, by central differences of the gradient) and the log-likelihood."""
    from scipy import optimize

    rows = np.column_stack([design, span, repeats, after])
    keys, inverse = np.unique(rows, axis=0, return_inverse=True)
    wk = np.bincount(inverse.ravel(), weights=w, minlength=len(keys))
    k = design.shape[1]
    args = (keys[:, :k], keys[:, k], keys[:, k + 1], keys[:, k + 2], wk)
    p0 = float(np.clip(np.sum(wk * args[2]) / max(np.sum(wk * args[1]), 1.0), 0.02, 0.98))
    # a first guess: a monthly churn of about 5% for everyone, whatever the design's columns
    start = np.append(
        np.linalg.lstsq(design, np.full(len(design), -3.0), rcond=None)[0], np.log(p0 / (1 - p0))
    )
    fit = optimize.minimize(_curve_nll, start, args=(*args, True), jac=True, method="BFGS")
    theta = fit.x
    step, hess = 1e-5, np.empty((k + 1, k + 1))
    for i in range(k + 1):
        e = np.eye(k + 1)[i] * step
        hess[:, i] = (_curve_nll(theta + e, *args, True)[1] - _curve_nll(theta - e, *args, True)[1]) / (
            2 * step
        )
    hess = (hess + hess.T) / 2
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        cov = np.full((k + 1, k + 1), np.inf)
    return theta, cov, -float(fit.fun)


def _span_columns(spans: pd.DataFrame, months, more=()) -> list:
    """The ``span``, ``repeats`` and ``after`` columns of a :func:`purchase_spans` table, checked (with
    the ``more`` columns required and the horizon ``months`` a whole number of 1 or more)."""
    require_columns(spans, ["span", "repeats", "after", *more], "spans")
    if not isinstance(months, (int, np.integer)) or isinstance(months, bool) or months < 1:
        raise InputError(f"months must be a whole number of 1 or more; got {months!r}")
    cols = [as_numeric(spans[c], c) for c in ("span", "repeats", "after")]
    if len(spans) == 0 or any(np.any(c < 0) for c in cols) or np.any(cols[1] > cols[0]):
        raise InputError("spans: span, repeats and after must be 0 or more, with repeats <= span, in 1+ rows")
    return cols


@fill
def survival(spans: pd.DataFrame, months: int = 12, weights=None, confidence: float = 0.95) -> pd.DataFrame:
    """Survival, churn and a year's margin of an active customer, from purchase histories.

    A customer's life is taken as a geometric number of months (a constant monthly churn
    ``h``), and in each month alive they buy with a constant chance ``p``; both are fitted
    by maximum likelihood from :func:`purchase_spans`, starting at each customer's first
    purchase (the months before it say nothing, since the lifetime has no memory). After
    the last purchase the customer either left or was still alive without buying; the
    likelihood weighs both. This is the homogeneous case of the beta-geometric/beta-Bernoulli
    model of Fader, Hardie & Shang (2010, *Marketing Science* 29(6), 1086-1108). Unlike "bought
    again the next year", it estimates the chance of still being a customer ``months`` later,
    ``(1 - h) ** months``, whenever a customer bought in the year.

    Parameters
    ----------
    spans : DataFrame
        The table of :func:`purchase_spans` (one row per customer).
    months : int
        The horizon of the survival, in months (12: annual survival).
    weights : array-like, optional
        A weight per customer (row of ``spans``), such as the counts of a bootstrap resample.
    {confidence}

    Returns
    -------
    DataFrame
        Rows ``survival`` (over ``months``), ``monthly churn``, ``purchase chance`` (per month
        alive) and ``margin per active year`` (``months`` x the purchase chance x the mean
        margin of a month with a purchase); columns ``estimate``, ``se``, ``low``, ``high``,
        ``n`` (customers). Standard errors come from the observed information (delta method;
        the margin's mean treats months with a purchase as independent).

    Examples
    --------
    >>> spans = pd.DataFrame({"span": [10, 4, 0, 7], "repeats": [3, 1, 0, 2], "after": [2, 8, 11, 0],
    ...                       "months_bought": [4, 2, 1, 3], "margin": [40.0, 20.0, 10.0, 30.0]})
    >>> float(survival(spans).loc["survival", "estimate"].round(3))
    0.646
    """
    confidence = check_confidence(confidence)
    cols = _span_columns(spans, months, ["months_bought", "margin"])
    w = np.ones(len(spans)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(spans),) or not np.all(w >= 0) or w.sum() <= 0:
        raise InputError(f"weights must be one number of 0 or more per customer ({len(spans)}), not all 0")
    # the homogeneous case of the curve: one column of ones, one churn for every customer
    theta, cov, _ = _fit_curve(np.ones((len(spans), 1)), *cols, w)
    z = float(-normal_quantile((1 - confidence) / 2))
    se_t = np.sqrt(np.clip(np.diag(cov), 0, None))
    h, p = 1 / (1 + np.exp(-theta))
    lo_t, hi_t = _expit(theta - z * se_t), _expit(theta + z * se_t)
    m_bought = as_numeric(spans["months_bought"], "months_bought")
    margins = as_numeric(spans["margin"], "margin")
    per_month = float(np.sum(w * margins) / np.sum(w * m_bought))
    resid = margins - per_month * m_bought  # ratio estimator's residuals, one per customer
    se_month = float(np.sqrt(np.sum(w * resid**2)) / np.sum(w * m_bought))
    se_h, se_p = h * (1 - h) * se_t[0], p * (1 - p) * se_t[1]
    year_m = months * p * per_month
    se_year = float(months * np.hypot(per_month * se_p, p * se_month))
    n = int(round(w.sum()))
    rows = {
        "survival": (
            (1 - h) ** months,
            months * (1 - h) ** (months - 1) * se_h,
            (1 - hi_t[0]) ** months,
            (1 - lo_t[0]) ** months,
        ),
        "monthly churn": (h, se_h, lo_t[0], hi_t[0]),
        "purchase chance": (p, se_p, lo_t[1], hi_t[1]),
        "margin per active year": (year_m, se_year, year_m - z * se_year, year_m + z * se_year),
    }
    out = pd.DataFrame(rows, index=["estimate", "se", "low", "high"]).T.astype(float)
    out["n"] = n
    return out


def _levels(spans: pd.DataFrame, level) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(level)
    if values.shape != (len(spans),):
        raise InputError(
            f"level must give one satisfaction level per customer (row of spans, {len(spans)}); "
            f"got shape {values.shape}"
        )
    try:
        numbers = values.astype(float)
    except (TypeError, ValueError):
        raise InputError(
            f"level must hold numbers (such as satisfaction 1-5); got {values[:5].tolist()}"
        ) from None
    if not np.isfinite(numbers).all():
        raise InputError("level has missing or infinite values; every customer needs a level")
    if len(np.unique(numbers)) < 2:
        raise InputError(
            f"a survival curve needs customers at two levels or more; found {np.unique(numbers)}"
        )
    return values, numbers


@fill
def survival_curve(spans: pd.DataFrame, level, months: int = 12, confidence: float = 0.95) -> pd.DataFrame:
    """Survival by satisfaction level, read from one curve: monthly churn logistic in the level.

    :func:`survival` fitted to each level on its own gives each level its own churn, and with a few
    hundred customers at a level two neighbouring levels are often statistically tied, even when the
    level above truly keeps its customers longer. Here the monthly churn of a customer at level
    ``x`` is ``h(x) = 1 / (1 + exp(-(a + b (x - c))))`` (``c`` the customers' mean level), and the
    monthly purchase chance ``p`` is the same for every level, as in :func:`survival`; the three
    parameters are fitted by maximum likelihood to every customer at once. This is the
    discrete-time logistic hazard model (Allison 1982, *Sociological Methodology* 13, 61-98) with
    the customers' exits unseen, weighed as in :func:`survival`. The curve is monotone (churn
    falls with the level when ``b < 0``) and each level's survival borrows strength from the others.

    Whether one curve fits the levels is tested against a model that gives every level its own
    churn (and the same purchase chance): the likelihood-ratio statistic, with (levels - 2)
    degrees of freedom.

    Parameters
    ----------
    spans : DataFrame
        The table of :func:`purchase_spans` (one row per customer).
    level : array-like
        Each customer's level (a number, such as satisfaction 1-5), one per row of ``spans``.
    months : int
        The horizon of the survival, in months (12: annual survival).
    {confidence}

    Returns
    -------
    DataFrame
        Indexed by level (those present): ``estimate`` (survival over ``months`` read from the
        curve), ``se``, ``low``, ``high`` (from the interval of the level's churn on the logit
        scale), ``n`` (customers) and ``churn`` (the monthly churn). ``attrs`` holds what
        :func:`value_at_risk_curve` needs: ``coef`` (``a``, ``b`` and ``logit(p)``), ``cov`` (their
        covariance, from the observed information), ``centre`` (``c``), ``months``, and
        ``lack_of_fit`` (``statistic``, ``df``, ``p_value`` of the likelihood-ratio test; NaN with
        two levels, where the curve has as many parameters as the levels).

    Examples
    --------
    >>> spans = pd.DataFrame({"span": [10, 4, 0, 7, 12, 3], "repeats": [3, 1, 0, 2, 4, 1],
    ...                       "after": [2, 8, 11, 0, 1, 9], "months_bought": [4, 2, 1, 3, 5, 2],
    ...                       "margin": [40.0, 20.0, 10.0, 30.0, 50.0, 20.0]})
    >>> curve = survival_curve(spans, level=[3, 2, 1, 3, 3, 1])
    >>> curve[["estimate", "n"]].round(3)
           estimate  n
    level
    1         0.016  2
    2         0.585  1
    3         0.941  3
    """
    confidence = check_confidence(confidence)
    cols = _span_columns(spans, months)
    given, x = _levels(spans, level)
    centre = float(x.mean())
    w = np.ones(len(x))
    theta, cov, loglik = _fit_curve(np.column_stack([w, x - centre]), *cols, w)
    labels, n = np.unique(given, return_counts=True)  # the levels as given (1, 2, ...), in order
    levels = labels.astype(float)
    onehot = (x[:, None] == levels[None, :]).astype(float)
    df = len(levels) - 2
    if df > 0:
        _, _, separate = _fit_curve(onehot, *cols, w)
        stat = max(2 * (separate - loglik), 0.0)
        from scipy import stats

        p_value = float(stats.chi2.sf(stat, df))
    else:
        stat, p_value = float("nan"), float("nan")
    design = np.column_stack([np.ones(len(levels)), levels - centre])
    eta = design @ theta[:2]
    se_eta = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", design, cov[:2, :2], design), 0, None))
    z = float(-normal_quantile((1 - confidence) / 2))
    h = _expit(eta)
    out = pd.DataFrame(
        {
            "estimate": (1 - h) ** months,
            "se": months * (1 - h) ** months * h * se_eta,  # d/d eta of (1 - h) ** months
            "low": (1 - _expit(eta + z * se_eta)) ** months,
            "high": (1 - _expit(eta - z * se_eta)) ** months,
            "n": n,
            "churn": h,
        },
        index=pd.Index(labels, name="level"),
    )
    out.attrs = {
        "coef": theta,
        "cov": cov,
        "centre": centre,
        "months": int(months),
        "lack_of_fit": {"statistic": float(stat), "df": df, "p_value": p_value},
    }
    return out


@fill
def value_at_risk_curve(
    curve: pd.DataFrame,
    margin: float,
    discount: float = 0.1,
    margin_se: float = 0.0,
    reference=None,
    counts=None,
    confidence: float = 0.95,
) -> Estimate:
    """The value at risk priced with a survival curve, with a delta-method interval.

    ``margin * sum_k n_k (g(s_ref) - g(s_k))`` over the levels whose survival ``s_k`` (read from
    :func:`survival_curve`) is below the reference level's, ``g(s) = s / (1 + i - s)`` (the margin
    multiple of :func:`clv`): what the customers at each level would be worth with the survival of
    the ``reference`` level, minus what they are worth now. Every survival comes from the same
    curve, so the ceiling is the curve's survival at the reference level, not that level's own
    estimate: two neighbouring levels that the data cannot tell apart do not decide the ceiling
    between them. The standard error combines the curve's covariance and ``margin_se`` (taken as
    independent) by the delta method (Oehlert 1992, *The American Statistician* 46(1), 27-29); the
    interval is built on the log scale, as in :func:`value_at_risk_total`.

    Parameters
    ----------
    curve : DataFrame
        The table of :func:`survival_curve` (with its ``attrs``).
    margin : float
        The margin of a year as a customer (e.g. ``survival(...).loc["margin per active year"]``).
    discount : float
        Annual discount rate for :func:`clv`.
    margin_se : float
        The margin's standard error.
    reference : optional
        The level whose survival is the benchmark; by default the highest level of the curve.
    counts : dict or Series, optional
        Customers to price at each level (default: the curve's ``n``). ``{2: 1}`` with
        ``reference=4`` is the value of moving one customer from level 2 to level 4.
    {confidence}

    Returns
    -------
    {estimate_returns}
        ``n`` is the number of customers priced.

    Examples
    --------
    >>> spans = pd.DataFrame({"span": [10, 4, 0, 7, 12, 3], "repeats": [3, 1, 0, 2, 4, 1],
    ...                       "after": [2, 8, 11, 0, 1, 9], "months_bought": [4, 2, 1, 3, 5, 2],
    ...                       "margin": [40.0, 20.0, 10.0, 30.0, 50.0, 20.0]})
    >>> curve = survival_curve(spans, level=[3, 2, 1, 3, 3, 1])
    >>> e = value_at_risk_curve(curve, margin=100.0, margin_se=10.0)
    >>> round(e.estimate), e.n  # 2 x 100 x (g(0.941) - g(0.016)) + 1 x 100 x (g(0.941) - g(0.585)) + 3 x 0
    (1658, 6)
    """
    confidence = check_confidence(confidence)
    info = curve.attrs if isinstance(curve, pd.DataFrame) else {}
    if not {"coef", "cov", "centre", "months"} <= set(info):
        raise InputError(
            "curve must be the table survival_curve returns (with its attrs: coef, cov, centre, months)"
        )
    m, sm = float(as_numeric(pd.Series([margin]), "margin")[0]), _check_se("margin_se", margin_se)
    if isinstance(discount, bool) or not np.isfinite(discount) or discount < 0:
        raise InputError(f"discount must be an annual rate of 0 or more (e.g. 0.1 for 10%); got {discount!r}")
    ref = curve.index.max() if reference is None else reference
    if ref not in curve.index:
        raise InputError(f"reference level {ref!r} is not among the curve's levels {list(curve.index)}")
    priced = curve["n"] if counts is None else pd.Series(counts, dtype=float)
    unknown = [k for k in priced.index if k not in curve.index]
    if unknown or (priced < 0).any() or len(priced) == 0:
        raise InputError(
            f"counts must give 0 or more customers at levels of the curve {list(curve.index)}; "
            f"got {dict(priced)}"
        )
    levels = np.append(priced.index.to_numpy(dtype=float), float(ref))
    n = priced.to_numpy(dtype=float)
    theta, cov, months = np.asarray(info["coef"], dtype=float), np.asarray(info["cov"]), int(info["months"])

    def total(ab):
        h = 1 / (1 + np.exp(-(ab[0] + ab[1] * (levels - info["centre"]))))
        multiple = clv(1.0, (1 - h) ** months, discount)
        return float(np.sum(n * np.clip(multiple[-1] - multiple[:-1], 0, None)))

    per_margin = total(theta[:2])
    grad = np.array([(total(theta[:2] + e) - total(theta[:2] - e)) / 2e-6 for e in np.eye(2) * 1e-6])
    estimate = m * per_margin
    se = float(np.sqrt(max(m**2 * grad @ cov[:2, :2] @ grad, 0.0) + (per_margin * sm) ** 2))
    low, high = _log_interval(estimate, se, confidence)
    return Estimate(
        estimate, se, low, high, int(round(n.sum())), confidence, "survival curve, delta method, log scale"
    )
