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
* :func:`lmg`: the Shapley (LMG) decomposition of R-squared (Lindeman, Merenda & Gold 1980;
  Grömping 2006): each driver's R-squared gain when it joins the model, averaged over every
  order in which the drivers could join. Exact (all ``2**p`` sub-models), for up to
  :data:`MAX_LMG_DRIVERS` drivers; never negative, sums to R-squared.
* :func:`importance_intervals`: bootstrap intervals for LMG or relative weights, as relaimpo's
  ``boot.relimp`` gives them: resample whole respondents, recompute, read the percentiles (or the
  BCa interval). Two drivers whose intervals overlap a lot are not told apart by the data.
* :func:`ordinal_drivers`: an ordered-logit model (statsmodels ``OrderedModel``) for a 1-5
  outcome, beside OLS: it treats the answers as ordered categories, not as equally spaced numbers.
* :func:`importance_performance`: the importance-performance map of Martilla & James
  (1977, *Journal of Marketing* 41(1), 77-79), which puts each driver in one of four
  quadrants: *concentrate here*, *keep up the good work*, *low priority*, *possible
  overkill*.

All of them need complete rows. They never drop rows silently: by default a missing
value is an error; ``missing="listwise"`` drops incomplete rows and reports how many
rows were used in ``result.attrs["n"]`` (and ``attrs["dropped"]``). ``weights=`` (survey
weights, say from :func:`cxlib.weights.rake`) weights the correlations and the regression;
``attrs["n_effective"]`` then says what the responses are worth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dist import normal_quantile
from ._docs import fill
from ._validate import as_numeric, check_confidence, check_option, require_columns, show_examples
from .errors import InputError
from .results import coefficient_table
from .weights import check_weights

#: The values of ``missing=`` for driver models (they need complete rows).
MISSING = ("raise", "listwise")
#: The most drivers :func:`lmg` takes: it fits all 2**p sub-models (4,096 for 12).
MAX_LMG_DRIVERS = 12
#: The importance measures :func:`importance_intervals` bootstraps, and its interval types.
IMPORTANCE_METHODS = ("lmg", "relative_weights")
INTERVALS = ("percentile", "bca")


def _driver_list(drivers) -> list[str]:
    drivers = [drivers] if isinstance(drivers, str) else list(drivers)
    if not drivers:
        raise InputError("drivers must name at least one column")
    return drivers


def _complete_weighted(df: pd.DataFrame, columns: list[str], missing: str, weights=None):
    """Complete rows of ``columns`` (as :func:`_complete`) and their survey weights (or None)."""
    if weights is None:
        return (*_complete(df, columns, missing), None)
    if isinstance(weights, str):
        require_columns(df, [weights])
        w = check_weights(df[weights], len(df), weights)
    else:
        w = check_weights(weights, len(df))
    keep = np.ones(len(df), dtype=bool)
    x, dropped = _complete(df, columns, missing, keep)
    w = w[keep]
    if not (w > 0).sum() >= len(columns) + 2:
        raise InputError(
            f"only {int((w > 0).sum())} complete row(s) have a positive weight; too few for a model"
        )
    return x, dropped, w


def _complete(df: pd.DataFrame, columns: list[str], missing: str, keep: np.ndarray | None = None):
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
        if keep is not None:
            keep &= ~incomplete
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


def _correlation(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """The (weighted) correlation matrix of the columns of ``x``."""
    if w is None:
        return np.corrcoef(x, rowvar=False)
    mean = w @ x / w.sum()
    d = x - mean
    cov = (d * w[:, None]).T @ d
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _check_collinear(rxx: np.ndarray, drivers: list[str]) -> None:
    evals = np.linalg.eigvalsh(rxx)
    if evals.min() <= 1e-10 * max(evals.max(), 1.0):
        raise InputError(
            f"the drivers are perfectly collinear (one is a combination of the others: "
            f"{', '.join(drivers)}); drop one of them"
        )


def _rw_from_corr(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights from correlation matrices (outcome first), batched over leading axes."""
    rxx, rxy = corr[..., 1:, 1:], corr[..., 1:, 0]
    evals, evecs = np.linalg.eigh(rxx)
    lam = (evecs * np.sqrt(np.maximum(evals, 0.0))[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    beta = np.linalg.solve(lam, rxy[..., None])[..., 0]
    return np.einsum("...jk,...k->...j", lam**2, beta**2)


def _subset_r2(corr: np.ndarray, p: int) -> np.ndarray:
    """R-squared of the regression of the outcome on every subset of the p drivers (bit masks), batched."""
    batch = corr.shape[:-2]
    r2 = np.zeros((*batch, 2**p))
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    for k in range(1, p + 1):
        chosen = masks[sizes == k]
        idx = np.array([[j for j in range(p) if m >> j & 1] for m in chosen]) + 1  # (subsets, k)
        sub = corr[..., idx[:, :, None], idx[:, None, :]]  # (..., subsets, k, k)
        r = corr[..., idx, 0]  # (..., subsets, k)
        coef = np.linalg.solve(sub, r[..., None])[..., 0]
        r2[..., chosen] = (coef * r).sum(axis=-1)
    return r2


def _lmg_from_corr(corr: np.ndarray) -> np.ndarray:
    """LMG (Shapley) shares of R-squared from correlation matrices (outcome first), batched."""
    from math import factorial

    p = corr.shape[-1] - 1
    r2 = _subset_r2(corr, p)
    masks = np.arange(2**p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    out = np.empty((*corr.shape[:-2], p))
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        gain = r2[..., without | (1 << j)] - r2[..., without]
        out[..., j] = gain @ weight[sizes[without]]
    return out


def _importance_frame(estimate: np.ndarray, drivers: list[str], attrs: dict) -> pd.DataFrame:
    r2 = float(estimate.sum())
    out = pd.DataFrame(
        {"estimate": estimate, "percent": 100 * estimate / r2 if r2 > 0 else np.zeros_like(estimate)},
        index=pd.Index(drivers, name="driver"),
    )
    out.attrs.update({"r_squared": r2, **attrs})
    return out


def _fit_attrs(x: np.ndarray, dropped: int, outcome: str, w: np.ndarray | None) -> dict:
    attrs = {"n": int(len(x)), "dropped": dropped, "outcome": outcome}
    if w is not None:
        attrs["n_effective"] = float(w.sum() ** 2 / (w * w).sum())
    return attrs


@fill
def relative_weights(
    df: pd.DataFrame, outcome: str, drivers: list[str], missing: str = "raise", weights=None
) -> pd.DataFrame:
    """Johnson's (2000) relative weights: each driver's share of the explained variance.

    Parameters
    ----------
    {df}
    {driver_outcome}
    {missing_drivers}
    {driver_weights}

    Returns
    -------
    DataFrame
        Indexed by driver, in the order given: ``estimate`` (the raw relative weight; they
        sum to the model's R-squared) and ``percent`` (its percentage of R-squared; they
        sum to 100). ``attrs`` holds ``r_squared``, ``n``, ``dropped`` and ``outcome`` (and
        ``n_effective`` when weighted).

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
    drivers = _driver_list(drivers)
    x, dropped, w = _complete_weighted(df, [outcome, *drivers], missing, weights)
    corr = _correlation(x, w)
    _check_collinear(corr[1:, 1:], drivers)
    return _importance_frame(_rw_from_corr(corr), drivers, _fit_attrs(x, dropped, outcome, w))


@fill
def lmg(
    df: pd.DataFrame, outcome: str, drivers: list[str], missing: str = "raise", weights=None
) -> pd.DataFrame:
    """Shapley (LMG) decomposition of R-squared: each driver's average gain when it joins the model.

    Over every order in which the drivers could enter a regression, note how much R-squared rises
    when a driver comes in, and average (Lindeman, Merenda & Gold 1980; the ``lmg`` of Grömping's
    relaimpo). Exact: it fits all ``2**p`` sub-models from the correlation matrix, so it takes up
    to :data:`MAX_LMG_DRIVERS` drivers. The shares are never negative and add up to R-squared.

    Parameters
    ----------
    {df}
    {driver_outcome}
    {missing_drivers}
    {driver_weights}

    Returns
    -------
    DataFrame
        Indexed by driver, in the order given: ``estimate`` (the driver's share of R-squared; they
        sum to the model's R-squared) and ``percent`` (of R-squared; they sum to 100). ``attrs``:
        ``r_squared``, ``n``, ``dropped``, ``outcome`` (and ``n_effective`` when weighted).

    See Also
    --------
    relative_weights : Johnson's approximation of the same idea, for many drivers.
    importance_intervals : bootstrap intervals for these shares.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"])
    >>> d["y"] = d["a"] + 0.5 * d["b"] + rng.normal(size=500)
    >>> shares = lmg(d, "y", ["a", "b", "c"])
    >>> shares.round(3)
            estimate  percent
    driver
    a          0.444   80.371
    b          0.107   19.388
    c          0.001    0.241
    >>> bool(abs(shares["estimate"].sum() - shares.attrs["r_squared"]) < 1e-12)
    True
    """
    drivers = _driver_list(drivers)
    if len(drivers) > MAX_LMG_DRIVERS:
        raise InputError(
            f"lmg fits all 2**p sub-models, so it takes at most {MAX_LMG_DRIVERS} drivers; got "
            f"{len(drivers)}. Use relative_weights (Johnson 2000), which scales to many drivers"
        )
    x, dropped, w = _complete_weighted(df, [outcome, *drivers], missing, weights)
    corr = _correlation(x, w)
    _check_collinear(corr[1:, 1:], drivers)
    return _importance_frame(_lmg_from_corr(corr), drivers, _fit_attrs(x, dropped, outcome, w))


@fill
def key_drivers(
    df: pd.DataFrame,
    outcome: str,
    drivers: list[str],
    confidence: float = 0.95,
    missing: str = "raise",
    weights=None,
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
    {driver_weights}
        Weighted, the model is weighted least squares on weighted z-scores, with
        heteroskedasticity-robust (HC1, sandwich) standard errors: the linearised standard
        errors of a survey regression, so the table's statistic is ``z``.

    Returns
    -------
    DataFrame
        Indexed by driver: ``estimate`` (the beta weight), ``se``, ``low``, ``high``, ``t``
        (``z`` when weighted) and ``p_value``. ``attrs``: ``r_squared``, ``n``, ``dropped``,
        ``outcome`` (and ``n_effective`` when weighted).

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
    drivers = _driver_list(drivers)
    x, dropped, w = _complete_weighted(df, [outcome, *drivers], missing, weights)
    z = _zscores(x, w)
    exog = sm.add_constant(z[:, 1:], has_constant="add")
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise InputError(f"the drivers are perfectly collinear ({', '.join(drivers)}); drop one of them")
    fit = sm.OLS(z[:, 0], exog).fit() if w is None else sm.WLS(z[:, 0], exog, weights=w).fit(cov_type="HC1")
    out = coefficient_table(fit, ["const", *drivers], confidence, index_name="driver").iloc[1:]
    out.attrs.update({"r_squared": float(fit.rsquared), **_fit_attrs(x, dropped, outcome, w)})
    return out


def _zscores(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Each column minus its (weighted) mean, over its (weighted) standard deviation."""
    if w is None:
        return (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    mean = w @ x / w.sum()
    sd = np.sqrt(w @ (x - mean) ** 2 / w.sum())
    return (x - mean) / sd


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


def _bootstrap_corr(x: np.ndarray, w: np.ndarray | None, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Correlation matrices of ``n_boot`` resamples of the rows (with their weights)."""
    n = len(x)
    out = np.empty((n_boot, x.shape[1], x.shape[1]))
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)
        out[b] = _correlation(x[idx], None if w is None else w[idx])
    return out


def _jackknife_corr(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """The n leave-one-out (weighted) correlation matrices, by removing each row from the sums."""
    w = np.ones(len(x)) if w is None else w
    shift = w @ x / w.sum()
    d = x - shift  # centred once, so the sums stay accurate
    s0, s1, s2 = w.sum(), w @ d, (d * w[:, None]).T @ d
    s0_i = s0 - w
    s1_i = s1[None, :] - w[:, None] * d
    s2_i = s2[None] - w[:, None, None] * d[:, :, None] * d[:, None, :]
    cov = s2_i - s1_i[:, :, None] * s1_i[:, None, :] / s0_i[:, None, None]
    sd = np.sqrt(np.einsum("nii->ni", cov))
    return cov / (sd[:, :, None] * sd[:, None, :])


def _bca_limits(estimate, boot, jack, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Efron's (1987) bias-corrected and accelerated interval, per column of ``boot``."""
    from scipy.special import ndtr

    alpha = (1 - confidence) / 2
    below = (boot < estimate).mean(axis=0) + 0.5 * (boot == estimate).mean(axis=0)
    z0 = normal_quantile(np.clip(below, 1 / (len(boot) + 1), len(boot) / (len(boot) + 1)))
    dev = jack.mean(axis=0) - jack
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.nan_to_num((dev**3).sum(axis=0) / (6 * ((dev**2).sum(axis=0)) ** 1.5))
    limits = []
    for z in (normal_quantile(alpha), normal_quantile(1 - alpha)):
        q = ndtr(z0 + (z0 + z) / (1 - acc * (z0 + z)))
        limits.append(np.array([np.quantile(boot[:, j], q[j]) for j in range(boot.shape[1])]))
    return limits[0], limits[1]


@fill
def importance_intervals(
    df: pd.DataFrame,
    outcome: str,
    drivers: list[str],
    method: str = "lmg",
    n_boot: int = 1000,
    confidence: float = 0.95,
    interval: str = "percentile",
    seed=0,
    missing: str = "raise",
    weights=None,
) -> pd.DataFrame:
    """Bootstrap confidence intervals for LMG shares or relative weights (relaimpo's ``boot.relimp``).

    Respondents are resampled with replacement (whole rows, as relaimpo does: the drivers are
    random, not fixed), the importance is computed on each resample, and the interval is read
    from the spread of the ``n_boot`` results. The intervals answer "could these two drivers
    swap places in another sample of this size?", which the point estimates alone cannot.

    Parameters
    ----------
    {df}
    {driver_outcome}
    method : {"lmg", "relative_weights"}
        The importance measure: :func:`lmg` (exact Shapley shares, up to 12 drivers) or
        :func:`relative_weights` (Johnson 2000).
    n_boot : int
        Bootstrap replicates (at least 100; relaimpo suggests 1000 or more).
    {confidence}
    interval : {"percentile", "bca"}
        ``"percentile"`` (the default, relaimpo's ``bty = "perc"``): the ``(1 - confidence) / 2``
        and ``(1 + confidence) / 2`` quantiles of the replicates. ``"bca"``: Efron's bias-corrected
        and accelerated interval (relaimpo's ``bty = "bca"``), whose acceleration comes from a
        jackknife over all n respondents (n more computations: slow for LMG on many thousands).
    seed : int or numpy.random.Generator
        Where the resamples come from; the same seed gives the same intervals.
    {missing_drivers}
    {driver_weights}

    Returns
    -------
    DataFrame
        Indexed by driver: ``estimate`` (share of R-squared), ``se`` (standard deviation of the
        replicates), ``low``, ``high``, then ``percent`` with ``percent_low`` and ``percent_high``:
        the same for each driver's percentage of R-squared (relaimpo's ``rela = TRUE``), each
        replicate normalised to 100 before its quantiles are read. ``attrs``: ``r_squared`` with
        ``r_squared_low`` and ``r_squared_high`` (its interval from the same replicates: each
        replicate's shares sum to its R-squared), ``n``, ``dropped``, ``outcome``, ``method``,
        ``n_boot``, ``interval``, ``confidence`` (and ``n_effective`` when weighted).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> d["y"] = d["a"] + 0.5 * d["b"] + rng.normal(size=300)
    >>> ci = importance_intervals(d, "y", ["a", "b", "c"], n_boot=200, seed=1)
    >>> ci[["percent", "percent_low", "percent_high"]].round(1)
            percent  percent_low  percent_high
    driver
    a          83.8         75.0          89.9
    b          15.3          9.1          24.4
    c           0.8          0.1           3.4
    """
    check_option("method", method, IMPORTANCE_METHODS)
    check_option("interval", interval, INTERVALS)
    confidence = check_confidence(confidence)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise InputError(
            f"n_boot must be a whole number of at least 100 (relaimpo suggests 1000), got {n_boot!r}"
        )
    base = (lmg if method == "lmg" else relative_weights)(
        df, outcome, drivers, missing=missing, weights=weights
    )
    drivers = list(base.index)
    x, _, w = _complete_weighted(df, [outcome, *drivers], missing, weights)
    stat = _lmg_from_corr if method == "lmg" else _rw_from_corr
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    boot = stat(_bootstrap_corr(x, w, int(n_boot), rng))
    boot_pct = 100 * boot / boot.sum(axis=1, keepdims=True)
    est, est_pct = base["estimate"].to_numpy(), base["percent"].to_numpy()
    r2, boot_r2 = np.array([base.attrs["r_squared"]]), boot.sum(axis=1, keepdims=True)
    if interval == "percentile":
        a = (1 - confidence) / 2
        (low, high), (plow, phigh), (r2_low, r2_high) = (
            np.quantile(boot, [a, 1 - a], axis=0),
            np.quantile(boot_pct, [a, 1 - a], axis=0),
            np.quantile(boot_r2, [a, 1 - a], axis=0),
        )
    else:
        jack = stat(_jackknife_corr(x, w))
        low, high = _bca_limits(est, boot, jack, confidence)
        plow, phigh = _bca_limits(est_pct, boot_pct, 100 * jack / jack.sum(axis=1, keepdims=True), confidence)
        r2_low, r2_high = _bca_limits(r2, boot_r2, jack.sum(axis=1, keepdims=True), confidence)
    out = pd.DataFrame(
        {
            "estimate": est,
            "se": boot.std(axis=0, ddof=1),
            "low": low,
            "high": high,
            "percent": est_pct,
            "percent_low": plow,
            "percent_high": phigh,
        },
        index=base.index,
    )
    out.attrs.update(
        {
            **base.attrs,
            "r_squared_low": float(r2_low[0]),
            "r_squared_high": float(r2_high[0]),
            "method": method,
            "n_boot": int(n_boot),
            "interval": interval,
            "confidence": confidence,
        }
    )
    return out


@fill
def ordinal_drivers(
    df: pd.DataFrame,
    outcome: str,
    drivers: list[str],
    confidence: float = 0.95,
    standardize: bool = True,
    missing: str = "raise",
) -> pd.DataFrame:
    """Key drivers of an ordered outcome (a 1-5 rating) by ordered logistic regression.

    OLS (:func:`key_drivers`) treats the answers 1 to 5 as equally spaced numbers. The ordered
    logit (proportional-odds) model treats them as ordered categories: a driver shifts the odds
    of answering *at or above* any level by the same factor, whatever the level, and the gaps
    between levels (the thresholds) are estimated, not assumed. statsmodels' ``OrderedModel``
    fits it by maximum likelihood.

    The two usually rank the drivers alike when the answers spread over the scale. The ordinal
    model matters when they pile up at one end (most customers answer 4 or 5): then a step from
    3 to 4 and a step from 4 to 5 are not the same, OLS can blur the drivers that separate the
    "satisfied" from the "delighted", and its predictions can leave the scale.

    Parameters
    ----------
    {df}
    outcome : str
        The ordered outcome: whole numbers (a rating) or an ordered categorical column.
    drivers : list of str
        The candidate drivers (numbers).
    {confidence}
    standardize : bool
        z-score the drivers first (the default), so each coefficient is the change in the
        log-odds per standard deviation of the driver, comparable across drivers and with the
        beta weights of :func:`key_drivers`. ``False`` keeps the drivers' own units.
    {missing_drivers}

    Returns
    -------
    DataFrame
        Indexed by driver: ``estimate`` (log-odds coefficient), ``se``, ``low``, ``high``, ``z``,
        ``p_value`` and ``odds_ratio`` (``exp(estimate)``: the factor on the odds of a higher
        answer). ``attrs``: ``thresholds`` (the cut points between adjacent answers, in the
        latent logit scale, as R's ``polr`` prints them), ``levels``, ``pseudo_r_squared``
        (McFadden's), ``n``, ``dropped``, ``outcome``, ``converged``.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> d = pd.DataFrame(rng.normal(size=(400, 2)), columns=["staff", "price"])
    >>> latent = 1.2 * d["staff"] + 0.3 * d["price"] + rng.logistic(size=400)
    >>> d["satisfaction"] = np.digitize(latent, [-2.5, -1, 0.5, 2]) + 1
    >>> ordinal_drivers(d, "satisfaction", ["staff", "price"])[["estimate", "odds_ratio"]].round(2)
            estimate  odds_ratio
    driver
    staff       1.17        3.21
    price       0.22        1.25
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    confidence = check_confidence(confidence)
    drivers = _driver_list(drivers)
    require_columns(df, [outcome, *drivers])
    y_col = df[outcome]
    if isinstance(y_col.dtype, pd.CategoricalDtype):
        if not y_col.cat.ordered:
            raise InputError(f"{outcome} is an unordered categorical; make it ordered or use whole numbers")
        codes = y_col.cat.codes.astype(float).where(y_col.notna())
        frame = pd.concat([codes.rename(outcome), df[drivers]], axis=1)
        names = list(y_col.cat.categories)
    else:
        frame = df[[outcome, *drivers]]
        names = None
    x, dropped = _complete(frame, [outcome, *drivers], missing)
    y = x[:, 0]
    if names is None:
        if (y != np.round(y)).any():
            raise InputError(
                f"{outcome} must hold whole numbers (ordered answers such as 1-5), found fractions"
            )
        levels = np.unique(y)
        names = [int(v) for v in levels]
    else:
        levels = np.unique(y)
        names = [names[int(v)] for v in levels]
    if len(levels) < 3:
        raise InputError(
            f"{outcome} has {len(levels)} distinct answer(s) {names}; an ordered model needs at least 3 "
            "(with 2, use a logistic regression)"
        )
    xs = _zscores(x[:, 1:]) if standardize else x[:, 1:]
    if np.linalg.matrix_rank(np.column_stack([np.ones(len(xs)), xs])) < xs.shape[1] + 1:
        raise InputError(f"the drivers are perfectly collinear ({', '.join(drivers)}); drop one of them")
    endog = pd.Series(pd.Categorical(np.searchsorted(levels, y), categories=range(len(levels)), ordered=True))
    model = OrderedModel(endog, pd.DataFrame(xs, columns=drivers), distr="logit")
    fit = model.fit(method="newton", disp=False, maxiter=200)
    k = len(drivers)
    table = coefficient_table(fit, list(fit.params.index), confidence, index_name="driver").iloc[:k]
    table.index = pd.Index(drivers, name="driver")
    table["odds_ratio"] = np.exp(table["estimate"])
    raw = np.asarray(fit.params)[k:]
    thresholds = np.cumsum(np.concatenate([raw[:1], np.exp(raw[1:])]))
    table.attrs.update(
        {
            "thresholds": dict(zip([f"{a}|{b}" for a, b in zip(names[:-1], names[1:])], thresholds.tolist())),
            "levels": names,
            "pseudo_r_squared": float(fit.prsquared),
            "n": int(len(x)),
            "dropped": dropped,
            "outcome": outcome,
            "converged": bool(fit.mle_retvals.get("converged", True)),
        }
    )
    return table
