"""What drives satisfaction and loyalty: key drivers, relative weights, importance-performance.

Customers who like the staff also tend to like the store and the billing (the halo
effect), so the drivers of satisfaction are correlated. Three tools, from the most
familiar to the most robust to that:

* :func:`key_drivers`: standardized OLS coefficients (beta weights) with confidence
  intervals, through statsmodels; the table's ``estimate`` column holds the betas. Easy
  to read, but with correlated drivers the coefficients can be unstable or even change sign.
* :func:`relative_weights`: Johnson's (2000) relative weights ("A heuristic method
  for estimating the relative weight of predictor variables in multiple regression",
  *Multivariate Behavioral Research* 35(1), 1-19). They split the model's R-squared
  among the drivers, are never negative, and sum to R-squared (``estimate``; ``percent``
  is each driver's percentage of R-squared).
* :func:`importance_performance`: the importance-performance map of Martilla & James
  (1977, *Journal of Marketing* 41(1), 77-79), which puts each driver in one of four
  quadrants: *concentrate here*, *keep up the good work*, *low priority*, *possible
  overkill*.

All three need complete rows. They never drop rows silently: by default a missing
value is an error; ``missing="listwise"`` drops incomplete rows and reports how many
rows were used in ``result.attrs["n"]`` (and ``attrs["dropped"]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._docs import fill
from ._validate import as_numeric, check_confidence, check_option, require_columns, show_examples
from .errors import InputError
from .results import coefficient_table

#: The values of ``missing=`` for driver models (they need complete rows).
MISSING = ("raise", "listwise")


def _complete(df: pd.DataFrame, columns: list[str], missing: str) -> tuple[np.ndarray, int]:
    check_option("missing", missing, MISSING)
    require_columns(df, columns)
    if len(set(columns)) != len(columns):
        raise InputError(f"the outcome and drivers must be different columns, got {columns}")
    x = np.column_stack([as_numeric(df[c], c, allow_missing=True) for c in columns])
    incomplete = np.isnan(x).any(axis=1)
    if incomplete.any():
        if missing == "raise":
            raise InputError(
                f"{int(incomplete.sum())} row(s) have a missing value in {', '.join(columns)} "
                f"(first at {show_examples(df.index[incomplete][:3], ['incomplete'] * 3)}); "
                "pass missing='listwise' to use only complete rows"
            )
        x = x[~incomplete]
    if len(x) < len(columns) + 2:
        raise InputError(
            f"only {len(x)} complete row(s); a model with {len(columns) - 1} driver(s) needs at least "
            f"{len(columns) + 2}"
        )
    if np.abs(x).max() > 1e150:
        raise InputError(
            f"values as large as {np.abs(x).max():.3g} cannot be squared without overflow; check the data"
        )
    sd = x.std(axis=0, ddof=1)
    const = [c for c, s in zip(columns, sd) if s == 0]
    if const:
        raise InputError(
            f"column(s) {', '.join(map(repr, const))} have no variance (every row has the same value), "
            "so they cannot explain or be explained"
        )
    r = np.corrcoef(x, rowvar=False)[0, 1:]
    copies = [c for c, v in zip(columns[1:], r) if abs(v) > 1 - 1e-12]
    if copies:
        raise InputError(
            f"driver(s) {', '.join(map(repr, copies))} move in lockstep with the outcome {columns[0]!r} "
            "(correlation +/-1): a copy of the outcome, or computed from it, explains it perfectly and "
            "leaves no uncertainty to estimate; drop it from the drivers"
        )
    return x, int(incomplete.sum())


@fill
def relative_weights(
    df: pd.DataFrame, outcome: str, drivers: list[str], missing: str = "raise"
) -> pd.DataFrame:
    """Johnson's (2000) relative weights: each driver's share of the explained variance.

    Parameters
    ----------
    {df}
    {driver_outcome}
    {missing_drivers}

    Returns
    -------
    DataFrame
        Indexed by driver, in the order given: ``estimate`` (the raw relative weight; they
        sum to the model's R-squared) and ``percent`` (its percentage of R-squared; they
        sum to 100). ``attrs`` holds ``r_squared``, ``n``, ``dropped`` and ``outcome``.

    Notes
    -----
    With R the drivers' correlation matrix and r their correlations with the outcome:
    R = V diag(l) V', Lambda = V diag(sqrt(l)) V' (the drivers' best orthogonal
    approximation), beta = Lambda^-1 r, weight_j = sum_k Lambda_jk^2 beta_k^2.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"])
    >>> d["y"] = d["a"] + 0.5 * d["b"] + rng.normal(size=500)
    >>> rw = relative_weights(d, "y", ["a", "b", "c"])
    >>> rw.round(3)
            estimate  percent
    driver
    a          0.444   80.371
    b          0.107   19.387
    c          0.001    0.241
    >>> bool(abs(rw["estimate"].sum() - rw.attrs["r_squared"]) < 1e-12)
    True
    """
    drivers = [drivers] if isinstance(drivers, str) else list(drivers)
    if not drivers:
        raise InputError("drivers must name at least one column")
    x, dropped = _complete(df, [outcome, *drivers], missing)
    corr = np.corrcoef(x, rowvar=False)
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    evals, evecs = np.linalg.eigh(rxx)
    if evals.min() <= 1e-10 * max(evals.max(), 1.0):
        raise InputError(
            f"the drivers are perfectly collinear (one is a combination of the others: "
            f"{', '.join(drivers)}); drop one of them"
        )
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    weight = (lam**2) @ (beta**2)
    r2 = float(weight.sum())
    out = pd.DataFrame(
        {"estimate": weight, "percent": 100 * weight / r2 if r2 > 0 else np.zeros_like(weight)},
        index=pd.Index(drivers, name="driver"),
    )
    out.attrs.update({"r_squared": r2, "n": int(len(x)), "dropped": dropped, "outcome": outcome})
    return out


@fill
def key_drivers(
    df: pd.DataFrame, outcome: str, drivers: list[str], confidence: float = 0.95, missing: str = "raise"
) -> pd.DataFrame:
    """Standardized OLS coefficients (beta weights) with confidence intervals.

    Every variable is z-scored (mean 0, sd 1) and the outcome regressed on the drivers
    with statsmodels OLS, so a coefficient reads "sd change in the outcome per sd
    change in the driver, the others held constant".

    Parameters
    ----------
    {df}
    {driver_outcome}
    {confidence}
    {missing_drivers}

    Returns
    -------
    DataFrame
        Indexed by driver: ``estimate`` (the beta weight), ``se``, ``low``, ``high``, ``t``
        and ``p_value``. ``attrs``: ``r_squared``, ``n``, ``dropped``, ``outcome``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    >>> d["y"] = 2 * d["a"] + rng.normal(size=400)
    >>> key_drivers(d, "y", ["a", "b"]).round(2)
            estimate    se   low  high      t  p_value
    driver
    a           0.88  0.02  0.83  0.92  36.46     0.00
    b          -0.01  0.02 -0.06  0.04  -0.47     0.64
    """
    import statsmodels.api as sm

    confidence = check_confidence(confidence)
    drivers = [drivers] if isinstance(drivers, str) else list(drivers)
    if not drivers:
        raise InputError("drivers must name at least one column")
    x, dropped = _complete(df, [outcome, *drivers], missing)
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    exog = sm.add_constant(z[:, 1:], has_constant="add")
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise InputError(f"the drivers are perfectly collinear ({', '.join(drivers)}); drop one of them")
    fit = sm.OLS(z[:, 0], exog).fit()
    out = coefficient_table(fit, ["const", *drivers], confidence, index_name="driver").iloc[1:]
    out.attrs.update(
        {"r_squared": float(fit.rsquared), "n": int(fit.nobs), "dropped": dropped, "outcome": outcome}
    )
    return out


QUADRANTS = ("Concentrate here", "Keep up the good work", "Low priority", "Possible overkill")
IMPORTANCE = ("relative_weight", "correlation")


def quadrant(importance, performance, x_cross: float, y_cross: float) -> np.ndarray:
    """Martilla & James (1977) quadrant of each (importance, performance) pair.

    High importance and low performance: *Concentrate here*; high and high: *Keep up
    the good work*; low and low: *Low priority*; low importance, high performance:
    *Possible overkill*. A value on a crosshair counts as high.

    Parameters
    ----------
    importance, performance : array-like
        One value per driver.
    x_cross, y_cross : float
        Where the crosshairs lie: ``x_cross`` on the performance axis, ``y_cross`` on the
        importance axis.

    Returns
    -------
    ndarray of str
        The quadrant of each driver, one of :data:`QUADRANTS`.

    Examples
    --------
    >>> quadrant([0.5, 0.5, 0.1, 0.1], [3.0, 4.5, 3.0, 4.5], x_cross=4.0, y_cross=0.3).tolist()
    ['Concentrate here', 'Keep up the good work', 'Low priority', 'Possible overkill']
    """
    values = {"importance": importance, "performance": performance, "x_cross": x_cross, "y_cross": y_cross}
    for name, v in values.items():
        arr = np.asarray(v, dtype=float)
        if not np.isfinite(arr).all():
            raise InputError(
                f"{name} has missing or infinite values ({np.ravel(arr)[~np.isfinite(np.ravel(arr))][:5]}); "
                "a driver without a value has no quadrant (a comparison with NaN would place it as low)"
            )
    imp = np.asarray(importance, dtype=float) >= y_cross
    perf = np.asarray(performance, dtype=float) >= x_cross
    return np.select([imp & ~perf, imp & perf, ~imp & ~perf], list(QUADRANTS[:3]), default=QUADRANTS[3])


@fill
def importance_performance(
    df: pd.DataFrame,
    outcome: str,
    drivers: list[str],
    importance: str = "relative_weight",
    crosshair: str = "mean",
    missing: str = "listwise",
) -> pd.DataFrame:
    """Importance-performance analysis (Martilla & James 1977) of the drivers of ``outcome``.

    Parameters
    ----------
    {df}
    outcome : str
        The outcome whose drivers are ranked.
    drivers : list of str
        Rating items (their mean is the performance).
    importance : {"relative_weight", "correlation"}
        *Derived* importance: the driver's share of R-squared (:func:`relative_weights`,
        percent; the default) or its correlation with the outcome.
    crosshair : {"mean", "median"}
        Where the quadrant lines cross: the mean (default) or median of importance and
        of performance over the drivers.
    missing : {"listwise", "raise"}
        Importance needs complete rows (``listwise`` by default, reported in ``attrs``);
        performance is the mean of each driver's answered ratings.

    Returns
    -------
    DataFrame
        Indexed by driver: ``importance``, ``performance``, ``quadrant``; ``attrs``
        hold the crosshairs (``x_cross`` for performance, ``y_cross`` for importance),
        ``n`` and ``dropped``.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame(rng.integers(1, 6, size=(300, 3)), columns=["wait", "staff", "decor"])
    >>> d["sat"] = (d["wait"] + 0.5 * d["staff"] + rng.normal(size=300)).round()
    >>> importance_performance(d, "sat", ["wait", "staff", "decor"])[["quadrant"]]
                     quadrant
    driver
    wait     Concentrate here
    staff   Possible overkill
    decor   Possible overkill
    """
    check_option("importance", importance, IMPORTANCE)
    check_option("crosshair", crosshair, ("mean", "median"))
    drivers = list(drivers)
    if len(drivers) < 2:
        raise InputError("an importance-performance map needs at least two drivers")
    if importance == "relative_weight":
        rw = relative_weights(df, outcome, drivers, missing=missing)
        imp, attrs = rw["percent"].to_numpy(), rw.attrs
    else:
        x, dropped = _complete(df, [outcome, *drivers], missing)
        imp = np.corrcoef(x, rowvar=False)[0, 1:]
        attrs = {"n": int(len(x)), "dropped": dropped}
    perf = np.array([np.nanmean(as_numeric(df[c], c, allow_missing=True)) for c in drivers])
    agg = np.mean if crosshair == "mean" else np.median
    x_cross, y_cross = float(agg(perf)), float(agg(imp))
    out = pd.DataFrame(
        {"importance": imp, "performance": perf, "quadrant": quadrant(imp, perf, x_cross, y_cross)},
        index=pd.Index(drivers, name="driver"),
    )
    out.attrs.update(
        {
            "x_cross": x_cross,
            "y_cross": y_cross,
            "importance": importance,
            "n": attrs["n"],
            "dropped": attrs["dropped"],
            "outcome": outcome,
        }
    )
    return out
