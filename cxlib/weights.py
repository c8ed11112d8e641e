"""Survey weights: make the respondents look like the customers they stand for.

Real samples are not the population. Customers who shop in a store are handed a survey card; those
who order online get an e-mail they may never open. If in-store customers answer more often, and
have a different experience, every unweighted number leans towards them. When the business knows
the make-up of its customers (from its sales records: how many buy in store, by phone, online),
each respondent can be given a *weight*: how many customers he or she stands for.

* :func:`rake` finds those weights by *raking* (iterative proportional fitting; Deming & Stephan
  1940): adjust the weights so the weighted sample matches the population on one variable, then
  on the next, and round again until every margin matches. It needs only the margins (the share of
  customers per channel, per region, ...), not their joint distribution. ``trim=`` keeps every
  weight within bounds (a few respondents standing for very many customers make every estimate
  noisy), raking again after each trim so the margins still match.
* :func:`effective_n` is Kish's (1965) effective sample size, ``(sum w)**2 / sum w**2``: how many
  equally weighted responses would give the same precision. Unequal weights cost precision; the
  *design effect* of weighting, ``n / n_effective = 1 + cv**2`` (Kish 1992), says how much.
* :func:`weights_report` sums up a set of weights: their range, the largest-to-smallest ratio,
  ``n_effective`` and the design effect.

Every estimate a learner would weight takes ``weights=``: :func:`cxlib.metrics.nps`,
:func:`~cxlib.metrics.top_box`, :func:`~cxlib.metrics.mean_score`, :func:`~cxlib.metrics.by_group`,
the driver functions of :mod:`cxlib.drivers` and :func:`cxlib.scales.cronbach_alpha`. A weighted
result reports ``n_effective`` beside ``n``, and its interval rests on ``n_effective`` (shares and
NPS) or on Taylor linearisation (means), never on the raw number of responses.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validate import as_numeric, no_missing, require_columns, show_examples
from .errors import InputError
from .results import OneRowResult

#: Default bounds of :func:`rake`'s iterations: at most this many rounds over the margins ...
MAX_ITER = 200
#: ... stopping when every weighted margin share is within this of its target.
TOLERANCE = 1e-10


def check_weights(weights, n: int | None = None, name: str = "weights") -> np.ndarray:
    """Survey weights as a float array: finite, not missing, not negative, some positive.

    Parameters
    ----------
    weights : array-like or Series
        One weight per response.
    n : int, optional
        The number of responses the weights must match.
    name : str
        What to call the weights in an error message.

    Returns
    -------
    ndarray
        The weights as floats (a weight of 0 leaves a response out of every estimate).

    Examples
    --------
    >>> check_weights([1, 2.5, 0.5])
    array([1. , 2.5, 0.5])
    >>> check_weights([1, -2])
    Traceback (most recent call last):
    ...
    cxlib.errors.InputError: weights: 1 value outside the allowed range 0 to inf: row 1: -2
    """
    w = as_numeric(weights, name, low=0)
    if n is not None and len(w) != n:
        raise InputError(
            f"{name}: {len(w)} weight(s) for {n} response(s); give exactly one weight per response"
        )
    if not (w > 0).any():
        raise InputError(f"{name}: every weight is 0, so no response counts; at least one must be positive")
    return w


def effective_n(weights) -> float:
    """Kish's (1965) effective sample size of a set of weights: ``(sum w)**2 / sum(w**2)``.

    Equal weights give the number of responses; the more unequal the weights, the fewer
    equally weighted responses they are worth.

    Parameters
    ----------
    weights : array-like or Series
        One weight per response (finite, not negative).

    Returns
    -------
    float
        The effective number of responses, between 1 and the number of positive weights.

    Examples
    --------
    Half the sample weighted 1, the other half 2: the weights' cv is 1/3, the design effect
    ``1 + cv**2 = 10/9``, so 100 responses are worth 90:

    >>> round(effective_n([1] * 50 + [2] * 50), 6)
    90.0
    """
    w = check_weights(weights)
    return float(w.sum() ** 2 / (w * w).sum())


@dataclass(frozen=True)
class WeightsReport(OneRowResult):
    """What a set of survey weights costs: their spread, ``n_effective`` and the design effect.

    Attributes
    ----------
    n : int
        The number of responses (weights).
    n_effective : float
        Kish's effective sample size, ``(sum w)**2 / sum w**2``.
    design_effect : float
        ``n / n_effective`` (``1 + cv**2``): by how much weighting inflates the variance of a mean.
    total : float
        The sum of the weights (the population size when they are scaled to it).
    min, max : float
        The smallest and largest weight.
    ratio : float
        ``max / min``; rules of thumb call a ratio above about 10 a warning sign.
    cv : float
        The coefficient of variation of the weights (population sd / mean).
    """

    n: int
    n_effective: float
    design_effect: float
    total: float
    min: float
    max: float
    ratio: float
    cv: float

    def __repr__(self) -> str:
        return (
            f"WeightsReport(n={self.n}, n_effective={self.n_effective:.1f}, "
            f"design_effect={self.design_effect:.3f}, range {self.min:.4g} to {self.max:.4g} "
            f"(ratio {self.ratio:.3g}), cv={self.cv:.3f})"
        )


def weights_report(weights) -> WeightsReport:
    """The range, effective sample size and design effect of a set of weights.

    Parameters
    ----------
    weights : array-like or Series
        One weight per response.

    Returns
    -------
    WeightsReport
        ``n``, ``n_effective``, ``design_effect``, ``total``, ``min``, ``max``, ``ratio`` and ``cv``.

    Examples
    --------
    >>> weights_report([1] * 50 + [2] * 50)
    WeightsReport(n=100, n_effective=90.0, design_effect=1.111, range 1 to 2 (ratio 2), cv=0.333)
    """
    w = check_weights(weights)
    n_eff = float(w.sum() ** 2 / (w * w).sum())
    low = float(w.min())
    return WeightsReport(
        n=int(len(w)),
        n_effective=n_eff,
        design_effect=len(w) / n_eff,
        total=float(w.sum()),
        min=low,
        max=float(w.max()),
        ratio=float(w.max() / low) if low > 0 else float("inf"),
        cv=float(w.std() / w.mean()),
    )


def _margin_codes(df: pd.DataFrame, column: str, target) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Each row's category code in one margin and the margin's target shares (checked)."""
    if isinstance(target, pd.DataFrame):
        raise InputError(
            f"margins[{column!r}] must map each category to its population share or count "
            "(a dict or a Series indexed by category), got a DataFrame"
        )
    target = pd.Series(target, dtype=object) if not isinstance(target, pd.Series) else target
    if target.index.has_duplicates:
        dup = target.index[target.index.duplicated()].unique().tolist()
        raise InputError(f"margins[{column!r}] names {dup} more than once; give each category once")
    values = as_numeric(target, f"margins[{column!r}]", low=0)
    if values.sum() <= 0:
        raise InputError(f"margins[{column!r}]: the population shares add up to 0")
    no_missing(df, [column], "category")
    categories = list(target.index)
    found, uniques = pd.factorize(df[column])
    codes = (
        pd.Index(categories, dtype=object)
        .get_indexer(np.asarray(uniques, dtype=object))[found]
        .astype(np.int64)
    )
    unknown = codes < 0
    if unknown.any():
        labels = df[column].astype(object).to_numpy()[unknown]
        seen = pd.unique(labels).tolist()
        raise InputError(
            f"{column}: {int(unknown.sum())} response(s) in categories the margin does not list: "
            f"{seen[:5]} (at {show_examples(df.index[unknown][:3], labels[:3])}); the margin "
            f"lists {categories}. Add them to margins[{column!r}] or drop those responses first"
        )
    present = np.bincount(codes, minlength=len(categories)) > 0
    empty = (~present) & (values > 0)
    if empty.any():
        missing = [categories[i] for i in np.flatnonzero(empty)]
        raise InputError(
            f"{column}: no respondent in {missing}, so no weight can make them "
            f"{', '.join(f'{values[i] / values.sum():.1%}' for i in np.flatnonzero(empty))} of the sample; "
            "merge those categories with a neighbour, or rake on another variable"
        )
    return codes, values / values.sum(), pd.Index(categories, name=column)


def _check_trim(trim) -> tuple[float, float] | None:
    if trim is None:
        return None
    try:
        low, high = (float(t) for t in trim)
    except (TypeError, ValueError):
        raise InputError(
            f"trim must be a pair (lowest, highest) of weights relative to the mean weight, "
            f"for example (0.3, 3), got {trim!r}"
        ) from None
    if not (0 <= low < 1 < high) or not np.isfinite(high):
        raise InputError(
            f"trim must satisfy 0 <= lowest < 1 < highest (relative to the mean weight 1), got {trim!r}"
        )
    return low, high


def rake(
    df: pd.DataFrame,
    margins: dict,
    weights=None,
    trim=None,
    total: float | None = None,
    max_iter: int = MAX_ITER,
    tol: float = TOLERANCE,
) -> pd.Series:
    """Rake respondents to known population margins (iterative proportional fitting).

    Each round adjusts the weights so the weighted sample matches one margin exactly (every
    weight in a category is multiplied by target share / weighted sample share), margin after
    margin, until all of them match at once (Deming & Stephan 1940). Only the margins are
    needed, not how the variables combine.

    Parameters
    ----------
    df : DataFrame
        The respondents, one row each, with a column per raking variable (no blanks).
    margins : dict
        ``{column: targets}``, where ``targets`` maps each category to its population share or
        count (a dict, or a Series indexed by category, such as a table of customers per
        channel). Counts and shares are both fine: each margin is turned into shares. Every
        category in the data must be listed; a listed category with no respondent is an error
        (no weight can fill it).
    weights : array-like, optional
        Starting weights (design weights); all 1 by default.
    trim : (float, float), optional
        Bounds for the final weights relative to the mean weight, for example ``(0.3, 3)``: after
        each round, weights are clipped to them and raking goes on (Izrael, Battaglia & Frankel
        2009), so the margins still match if they can. If both cannot hold, a warning says how
        far the margins are off.
    total : float, optional
        What the weights add up to: the number of respondents by default (mean weight 1), or the
        population size, so weighted counts estimate population counts.
    max_iter : int
        The most rounds over all margins.
    tol : float
        Stop when every weighted margin share is within ``tol`` of its target.

    Returns
    -------
    Series
        ``weight``, indexed like ``df``. ``attrs``: ``iterations``, ``converged`` and
        ``max_error`` (the largest gap between a weighted margin share and its target).

    Warns
    -----
    UserWarning
        When the margins are not matched to ``tol`` after ``max_iter`` rounds (with trimming, when
        the bounds and the margins cannot both hold).

    Examples
    --------
    In-store customers are 60% of the sample but 40% of the customers:

    >>> d = pd.DataFrame({"channel": ["store"] * 6 + ["online"] * 4})
    >>> w = rake(d, {"channel": {"store": 0.4, "online": 0.6}})
    >>> w.groupby(d["channel"]).agg(["first", "sum"]).round(3)
             first  sum
    channel
    online    1.500  6.0
    store     0.667  4.0
    """
    if not isinstance(margins, dict) or not margins:
        raise InputError(
            "margins must be a dict {column: {category: population share or count}}, "
            f"for example {{'channel': {{'in store': 0.4, 'online': 0.6}}}}; got {type(margins).__name__}"
        )
    require_columns(df, list(margins))
    if len(df) == 0:
        raise InputError("df has no rows to weight")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InputError(f"max_iter must be a whole number of at least 1, got {max_iter!r}")
    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise InputError(f"tol must be a small positive number such as 1e-8, got {tol!r}")
    bounds = _check_trim(trim)
    start = np.ones(len(df)) if weights is None else check_weights(weights, len(df))
    parts = [_margin_codes(df, col, target) for col, target in margins.items()]
    w = start.copy()
    error, iterations = np.inf, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is reported)
        for codes, share, _ in parts:
            current = np.bincount(codes, weights=w, minlength=len(share))
            factor = np.divide(share * w.sum(), current, out=np.zeros_like(share), where=current > 0)
            w = w * factor[codes]
        if bounds is not None:
            mean = w.sum() / np.count_nonzero(w)
            w = np.where(w > 0, np.clip(w, bounds[0] * mean, bounds[1] * mean), 0.0)
        error = max(
            np.abs(np.bincount(codes, weights=w, minlength=len(share)) / w.sum() - share).max()
            for codes, share, _ in parts
        )
        if error <= tol:
            break
    converged = bool(error <= tol)
    if not converged:
        why = (
            "the trimming bounds and the margins cannot both hold; widen trim= or accept the gap"
            if bounds is not None
            else "the margins may contradict each other (check that they describe the same population)"
        )
        warnings.warn(
            f"rake: after {iterations} rounds a weighted margin share is still {error:.2g} from its target: "
            f"{why}",
            UserWarning,
            stacklevel=2,
        )
    w = w * ((len(df) if total is None else float(total)) / w.sum())
    out = pd.Series(w, index=df.index, name="weight")
    out.attrs.update({"iterations": iterations, "converged": converged, "max_error": float(error)})
    return out


# --- weighted sums, written once: used by cxlib.metrics, cxlib.drivers and cxlib.scales ---


def _group_sums(w: np.ndarray, codes: np.ndarray | None = None, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Sum of weights and Kish's effective sample size, overall or per group code."""
    if codes is None:
        total, squares = np.array([w.sum()]), np.array([(w * w).sum()])
    else:
        total, squares = (
            np.bincount(codes, weights=w, minlength=k),
            np.bincount(codes, weights=w * w, minlength=k),
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return total, np.where(squares > 0, total**2 / squares, 0.0)


def _weighted_mean_parts(x: np.ndarray, w: np.ndarray, codes: np.ndarray | None = None, k: int = 1):
    """Weighted means, their linearised standard errors, counts and effective sizes, per group code.

    The mean is ``sum w x / sum w``; its Taylor-linearised variance, for respondents sampled
    independently with weights (a survey design with one respondent per sampling unit), is
    ``n / (n - 1) * sum w**2 (x - mean)**2 / (sum w)**2``: R's ``svymean`` for
    ``svydesign(ids = ~1, weights = ~w)``, and the heteroskedasticity-robust (HC1) variance of a
    weighted least-squares intercept. Equal weights give the usual ``s / sqrt(n)``.
    """
    if codes is None:
        codes, k = np.zeros(len(x), dtype=np.int64), 1
    wsum, n_eff = _group_sums(w, codes, k)
    counts = np.bincount(codes, weights=(w > 0).astype(float), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=w * x, minlength=k) / wsum
        resid = w * (x - mean[codes])
        var = counts / (counts - 1) * np.bincount(codes, weights=resid * resid, minlength=k) / wsum**2
    return mean, np.sqrt(np.where(counts > 1, var, np.nan)), counts.astype(np.int64), n_eff
