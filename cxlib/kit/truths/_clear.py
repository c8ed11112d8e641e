"""When a verdict of lessons 8, 9 and 10 is decided with a clear margin (one rule for the three).

A verdict such as "a delay lowers the rating" is the right answer whenever the true effect is
below zero; whether the lesson's own test *can* say so depends on how far the truth is from the
boundary, in standard errors of the lesson's estimate on the run's data. A verdict is called
*clear* when its test has at least 95% power against the true value:

``|truth - boundary| >= (z_test + z_0.95) * se``

with ``z_test`` the critical value of the lesson's test at its confidence level (two-sided
unless the lesson's test is one-sided) and ``se`` the standard error the lesson's estimate has on
the run's data. Below that margin a lesson that says "not shown" is not wrong, and the claims
table reports the verdict without targeting it.
"""

from __future__ import annotations

from cxlib._dist import normal_quantile

#: The power a verdict's test must have against the truth for the verdict to count as clear.
POWER = 0.95


def resolvable(margin: float, se: float, confidence: float, one_sided: bool = False) -> bool:
    """Whether a test at ``confidence`` has at least :data:`POWER` against a true ``margin``.

    Parameters
    ----------
    margin : float
        The true distance from the boundary the verdict is about (an effect minus 0, ...).
    se : float
        The standard error of the lesson's estimate on the run's data.
    confidence : float
        The lesson's confidence level.
    one_sided : bool
        Whether the lesson's test is one-sided.

    Returns
    -------
    bool
        ``|margin| >= (z_test + z_power) * se``.

    Examples
    --------
    >>> resolvable(0.25, 0.04, 0.95)  # 6.25 standard errors: decided
    True
    >>> resolvable(0.1, 0.04, 0.95)  # 2.5 standard errors: a 95% test misses it too often
    False
    """
    alpha = 1 - confidence
    z_test = float(normal_quantile(1 - (alpha if one_sided else alpha / 2)))
    z_power = float(normal_quantile(POWER))
    return bool(abs(margin) >= (z_test + z_power) * se)
