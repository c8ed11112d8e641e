"""The dollar value of a customer: retention, margin, lifetime value, value at risk.

* :func:`clv`: customer lifetime value with the margin multiple of Gupta & Lehmann
  (2003, "Customers as assets", *Journal of Interactive Marketing* 17(1), 9-24):
  ``CLV = m * r / (1 + i - r)`` for an annual margin ``m``, retention rate ``r`` and
  discount rate ``i``, over an infinite horizon, margins received at the end of each
  year the customer stays.
* :func:`customer_years`: from the purchase records, each customer's margin in one
  year and whether they bought again the next year.
* :func:`retention_rate`: the share of a year's customers who buy again the next year,
  with a Wilson interval.
* :func:`value_at_risk`: for each satisfaction level, the customers' retention and
  lifetime value, and how much value is lost compared with the retention of the most
  satisfied customers: what poor service costs, and so what a complaint handled well
  is worth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import as_numeric, check_confidence, require_columns, show_examples
from .errors import InputError
from .metrics import wilson_from_counts


def clv(margin, retention, discount):
    """Customer lifetime value, ``margin * retention / (1 + discount - retention)``.

    Vectorised: each argument may be a number, an array or a Series (broadcast).

    Parameters
    ----------
    margin : number or array
        Annual margin per customer (money).
    retention : number or array
        Annual retention rate, 0 <= r < 1.
    discount : number or array
        Annual discount rate (e.g. 0.1 for 10%), greater than -1.

    Examples
    --------
    >>> round(clv(100, 0.9, 0.12), 2)  # Gupta & Lehmann (2003): margin multiple 4.09
    409.09
    >>> clv(np.array([100, 100]), np.array([0.6, 0.8]), 0.1).round(1)
    array([120. , 266.7])
    """
    m = np.asarray(margin, dtype=float)
    r = np.asarray(retention, dtype=float)
    i = np.asarray(discount, dtype=float)
    for name, v in (("margin", m), ("retention", r), ("discount", i)):
        if np.isnan(v).any() or np.isinf(v).any():
            raise InputError(f"{name} has missing or infinite values; expected finite numbers")
    if ((r < 0) | (r >= 1)).any():
        bad = r[(r < 0) | (r >= 1)]
        raise InputError(f"retention must be a rate from 0 up to (not including) 1, e.g. 0.8 for 80%; "
                         f"got {bad.ravel()[:5].tolist()}")
    if (i <= -1).any():
        raise InputError(f"discount must be greater than -1 (e.g. 0.1 for 10%); got {i[i <= -1].ravel()[:5].tolist()}")
    out = m * r / (1 + i - r)
    return float(out) if out.ndim == 0 else out


def customer_years(transactions: pd.DataFrame, year: int, customer: str = "customer_id", date: str = "date",
                   margin: str = "margin") -> pd.DataFrame:
    """Each customer who bought in ``year``: their margin that year and whether they bought in ``year + 1``.

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 1, 2, 3], "margin": [10.0, 5.0, 8.0, 4.0],
    ...                   "date": pd.to_datetime(["2024-02-01", "2025-03-01", "2024-05-01", "2025-01-01"])})
    >>> customer_years(t, 2024)
                 margin  retained
    customer_id
    1              10.0      True
    2               8.0     False
    """
    require_columns(transactions, [customer, date, margin])
    if not pd.api.types.is_datetime64_any_dtype(transactions[date].dtype):
        raise InputError(f"{date} must hold dates (datetime64); load the table with cxlib.data.load or pd.to_datetime")
    if transactions[date].isna().any() or transactions[customer].isna().any():
        raise InputError(f"{date} and {customer} must have no missing values")
    m = as_numeric(transactions[margin], margin)
    years = transactions[date].dt.year.to_numpy()
    if not (years == year).any():
        found = sorted(set(years.tolist()))
        raise InputError(f"no purchases in {year}; the data cover {found[0]} to {found[-1]}")
    ids = transactions[customer].to_numpy()
    this = pd.Series(m[years == year], index=ids[years == year]).groupby(level=0).sum()
    later = pd.Index(ids[years == year + 1]).unique()
    out = pd.DataFrame({"margin": this, "retained": this.index.isin(later)})
    out.index.name = customer
    return out


def retention_rate(transactions: pd.DataFrame, customer: str = "customer_id", date: str = "date",
                   confidence: float = 0.95) -> pd.DataFrame:
    """Share of each year's customers who buy again the next year, with a Wilson interval.

    Returns
    -------
    DataFrame
        One row per year that has a following year in the data: ``customers``,
        ``retained``, ``value`` (percent), ``low``, ``high``.

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 2, 3, 1, 2], "margin": 1.0,
    ...                   "date": pd.to_datetime(["2024-01-05"] * 3 + ["2025-02-01"] * 2)})
    >>> retention_rate(t)[["customers", "retained", "value"]].round(1)
          customers  retained  value
    year
    2024          3         2   66.7
    """
    confidence = check_confidence(confidence)
    require_columns(transactions, [customer, date])
    years = sorted(set(transactions[date].dt.year.tolist()))
    if len(years) < 2:
        raise InputError(f"retention needs purchases in at least two consecutive years; found {years}")
    rows = []
    for y in years[:-1]:
        cy = customer_years(transactions.assign(_m=0.0), y, customer, date, "_m")
        rows.append((y, len(cy), int(cy["retained"].sum())))
    counts = pd.DataFrame(rows, columns=["year", "customers", "retained"]).set_index("year")
    ci = wilson_from_counts(counts["retained"], counts["customers"], confidence)
    return counts.assign(value=ci["value"].to_numpy(), low=ci["low"].to_numpy(), high=ci["high"].to_numpy())


def value_at_risk(df: pd.DataFrame, level: str, retained: str = "retained", margin: str = "margin",
                  discount: float = 0.1, reference=None, confidence: float = 0.95) -> pd.DataFrame:
    """Lifetime value by satisfaction level, and the value lost against the best level's retention.

    Parameters
    ----------
    df : DataFrame
        One row per customer: their satisfaction ``level``, whether they were
        ``retained`` (true/false) and their annual ``margin`` (e.g. from
        :func:`customer_years` joined with the survey).
    level : str
        The grouping column (e.g. satisfaction 1-5).
    discount : float
        Annual discount rate for :func:`clv`.
    reference : optional
        The level whose retention is the benchmark; by default the highest level.
    confidence : float
        Confidence level of the retention intervals.

    Returns
    -------
    DataFrame
        Indexed by level: ``customers``, ``retention`` (share 0-1) with ``low`` and
        ``high`` (Wilson), ``margin`` (mean annual margin), ``clv`` (per customer),
        ``clv_at_reference`` (the same customers with the reference level's retention),
        ``value_at_risk`` (``(clv_at_reference - clv) * customers``, money; 0 for the
        reference level).

    Examples
    --------
    >>> d = pd.DataFrame({"sat": [5, 5, 5, 5, 2, 2, 2, 2], "retained": [1, 1, 1, 0, 1, 0, 0, 0],
    ...                   "margin": [100.0] * 8})
    >>> value_at_risk(d, "sat")[["customers", "retention", "clv", "value_at_risk"]].round(2)
         customers  retention     clv  value_at_risk
    sat
    2            4       0.25   29.41         739.5
    5            4       0.75  214.29           0.0
    """
    confidence = check_confidence(confidence)
    require_columns(df, [level, retained, margin])
    if df[level].isna().any():
        bad = df[level].isna().to_numpy()
        raise InputError(f"{level}: {int(bad.sum())} customer(s) without a level at "
                         f"{show_examples(df.index[bad], df[level][bad])}; drop or fill them first")
    r = df[retained]
    r = r.astype(float).to_numpy() if pd.api.types.is_bool_dtype(r.dtype) else as_numeric(r, retained)
    if not np.isin(r, [0.0, 1.0]).all():
        raise InputError(f"{retained} must be true/false (or 0/1) for every customer")
    m = as_numeric(df[margin], margin)
    g = pd.DataFrame({"level": df[level].to_numpy(), "r": r, "m": m}).groupby("level", observed=True, sort=True)
    table = g.agg(customers=("r", "size"), retained=("r", "sum"), margin=("m", "mean"))
    ref = table.index.max() if reference is None else reference
    if ref not in table.index:
        raise InputError(f"reference level {ref!r} is not among the levels {list(table.index)}")
    ci = wilson_from_counts(table["retained"], table["customers"], confidence)
    table["retention"] = table["retained"] / table["customers"]
    table["low"] = ci["low"].to_numpy() / 100
    table["high"] = ci["high"].to_numpy() / 100
    top = float(table.loc[ref, "retention"])
    if (table["retention"] >= 1).any() or top >= 1:
        raise InputError("a level retains every customer (retention 1), so its lifetime value is unbounded; "
                         "use more customers or a longer window")
    table["clv"] = clv(table["margin"].to_numpy(), table["retention"].to_numpy(), discount)
    table["clv_at_reference"] = clv(table["margin"].to_numpy(), top, discount)
    table["value_at_risk"] = ((table["clv_at_reference"] - table["clv"]) * table["customers"]).clip(lower=0)
    table.index.name = level
    return table[["customers", "retention", "low", "high", "margin", "clv", "clv_at_reference", "value_at_risk"]]
