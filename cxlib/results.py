"""Small result objects shared by the analysis modules."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


class OneRowResult:
    """Base of the frozen result dataclasses: one row of a table, and the interval as text."""

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame, one column per field."""
        return pd.DataFrame([asdict(self)])

    def _interval(self, fmt: str = ".4g") -> str:
        """``"95% CI [low, high]"`` for the repr."""
        return f"{self.confidence * 100:g}% CI [{self.low:{fmt}}, {self.high:{fmt}}]"


@dataclass(frozen=True)
class Estimate(OneRowResult):
    """An estimate with its standard error, confidence interval and sample size.

    Attributes
    ----------
    value : float
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
    >>> e = Estimate(value=20.0, se=5.0, low=10.2, high=29.8, n=100, confidence=0.95, method="wald")
    >>> e
    Estimate(value=20, 95% CI [10.2, 29.8], se=5, n=100, method='wald')
    >>> e.to_frame().columns.tolist()
    ['value', 'se', 'low', 'high', 'n', 'confidence', 'method']
    """

    value: float
    se: float
    low: float
    high: float
    n: int
    confidence: float = 0.95
    method: str = ""

    def __repr__(self) -> str:
        return (
            f"Estimate(value={self.value:.4g}, {self._interval()}, se={self.se:.4g}, n={self.n}, "
            f"method={self.method!r})"
        )
