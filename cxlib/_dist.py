"""The few probability distributions cxlib needs, imported from ``scipy.special`` when first used.

``scipy.stats`` takes longer to import than pandas itself, and a learner's ``import cxlib.metrics``
should not wait for it. These are the special functions ``scipy.stats`` itself calls for the normal,
t and F distributions (``norm.ppf`` is ``ndtri``, ``t.ppf`` is ``stdtrit``, ``t.sf`` is ``stdtr`` at
``-x``, ``f.isf`` is ``fdtri`` at ``1 - q``), so every number is the same as with ``scipy.stats``;
``scipy.special`` is imported inside each function, the first time one is called.
"""

from __future__ import annotations


def normal_quantile(p):
    """The ``p`` quantile of the standard normal distribution (``scipy.stats.norm.ppf``).

    >>> round(float(normal_quantile(0.975)), 6)
    1.959964
    """
    from scipy.special import ndtri

    return ndtri(p)


def normal_sf(x):
    """The upper tail ``P(Z > x)`` of the standard normal distribution (``scipy.stats.norm.sf``).

    >>> round(float(normal_sf(1.959964)), 6)
    0.025
    """
    from scipy.special import ndtr

    return ndtr(-x)


def t_quantile(p, df):
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom (``stats.t.ppf``).

    >>> round(float(t_quantile(0.975, 9)), 4)  # the textbook value for 9 degrees of freedom
    2.2622
    """
    from scipy.special import stdtrit

    return stdtrit(df, p)


def t_sf(x, df):
    """The upper tail ``P(T > x)`` of Student's t distribution (``scipy.stats.t.sf``).

    >>> round(float(t_sf(2.2622, 9)), 4)
    0.025
    """
    from scipy.special import stdtr

    return stdtr(df, -x)


def f_isf(q, dfn, dfd):
    """The value the F distribution exceeds with probability ``q`` (``scipy.stats.f.isf``).

    >>> round(float(f_isf(0.05, 2, 10)), 4)  # F tables: F(0.95; 2, 10) = 4.10
    4.1028
    """
    from scipy.special import fdtri

    return fdtri(dfn, dfd, 1.0 - q)
