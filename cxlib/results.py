"""Small result objects shared by the analysis modules, and the one table every regression returns.

Every result names its point estimate ``estimate``, then ``se``, ``low``, ``high`` (the confidence
interval) and ``n``, and ``p_value`` where there is a test.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


class OneRowResult:
    """Base of the frozen result dataclasses: one row of a table, and the interval as text."""

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame, one column per field.

        Returns
        -------
        DataFrame
            One row; the columns are the result's fields, in order.
        """
        return pd.DataFrame([asdict(self)])

    def _interval(self, fmt: str = ".4g") -> str:
        """``"95% CI [low, high]"`` for the repr."""
        return f"{self.confidence * 100:g}% CI [{self.low:{fmt}}, {self.high:{fmt}}]"


@dataclass(frozen=True)
class Estimate(OneRowResult):
    """An estimate with its standard error, confidence interval and sample size.

    Attributes
    ----------
    estimate : float
        The point estimate, in the metric's own units (NPS points, percent, ...).
    se : float
        Its standard error, same units.
    low, high : float
        The confidence interval.
    n : int
        The number of responses it rests on.
    confidence : float
        The confidence level of the interval.
    method : str
        How the interval was computed.

    Examples
    --------
    >>> e = Estimate(estimate=20.0, se=5.0, low=10.2, high=29.8, n=100, confidence=0.95, method="wald")
    >>> e
    Estimate(estimate=20, 95% CI [10.2, 29.8], se=5, n=100, method='wald')
    >>> e.to_frame().columns.tolist()
    ['estimate', 'se', 'low', 'high', 'n', 'confidence', 'method']
    """

    estimate: float
    se: float
    low: float
    high: float
    n: int
    confidence: float = 0.95
    method: str = ""

    def __repr__(self) -> str:
        return (
            f"Estimate(estimate={self.estimate:.4g}, {self._interval()}, se={self.se:.4g}, n={self.n}, "
            f"method={self.method!r})"
        )


@dataclass(frozen=True)
class WeightedEstimate(Estimate):
    """An :class:`Estimate` from weighted responses: it also reports Kish's ``n_effective``.

    ``n`` is the number of responses (with a positive weight); ``n_effective``, Kish's effective
    sample size ``(sum w)**2 / sum w**2``, is how many equally weighted responses the estimate is
    worth, and the interval rests on it (or on Taylor linearisation), not on ``n``.

    Examples
    --------
    >>> WeightedEstimate(estimate=20.0, se=6.0, low=8.2, high=31.8, n=100, method="wald", n_effective=70.0)
    WeightedEstimate(estimate=20, 95% CI [8.2, 31.8], se=6, n=100, n_effective=70, method='wald')
    """

    n_effective: float = float("nan")

    def __repr__(self) -> str:
        return (
            f"WeightedEstimate(estimate={self.estimate:.4g}, {self._interval()}, se={self.se:.4g}, "
            f"n={self.n}, n_effective={self.n_effective:.4g}, method={self.method!r})"
        )


def coefficient_table(fit, names, confidence: float, index_name: str = "term") -> pd.DataFrame:
    """The coefficients of a fitted statsmodels regression, in cxlib's vocabulary.

    Every regression in cxlib (key drivers, the peak-end model, interrupted time series,
    difference-in-differences) reports its coefficients through this one function, so they
    all have the same columns.

    Parameters
    ----------
    fit : statsmodels RegressionResults
        A fitted model (``sm.OLS(y, X).fit(...)``).
    names : list of str
        The name of each column of the design matrix, in order.
    confidence : float
        Confidence level of the intervals.
    index_name : str
        The name of the index (``"term"``, ``"driver"``).

    Returns
    -------
    DataFrame
        One row per term: ``estimate``, ``se``, ``low``, ``high``, the test statistic (``t``, or
        ``z`` when the fit uses the normal distribution, as with HAC standard errors) and the
        two-sided ``p_value`` for "the coefficient is 0".

    Examples
    --------
    Anscombe's (1973) first data set: slope 0.5001 (se 0.1179, t 4.24, p 0.0022), intercept 3.0001:

    >>> import statsmodels.api as sm
    >>> x = np.array([10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5], dtype=float)
    >>> y = np.array([8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68])
    >>> coefficient_table(sm.OLS(y, sm.add_constant(x)).fit(), ["const", "x"], 0.95).round(4)
           estimate      se     low    high       t  p_value
    term
    const    3.0001  1.1247  0.4557  5.5445  2.6673   0.0257
    x        0.5001  0.1179  0.2334  0.7668  4.2415   0.0022
    """
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))
    return pd.DataFrame(
        {
            "estimate": np.asarray(fit.params),
            "se": np.asarray(fit.bse),
            "low": ci[:, 0],
            "high": ci[:, 1],
            "t" if fit.use_t else "z": np.asarray(fit.tvalues),
            "p_value": np.asarray(fit.pvalues),
        },
        index=pd.Index(list(names), name=index_name),
    )
