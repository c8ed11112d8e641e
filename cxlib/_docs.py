"""Docstring text that many cxlib functions share, written once (as seaborn's ``_core`` components are).

A line of a docstring that holds only ``{name}`` (indented like the text around it) is replaced
by the text of ``name`` below, indented the same way, when the function is decorated with
:func:`fill`. So ``confidence`` is explained in one place, and a change to the explanation
reaches every function that takes it. Unknown names fail at import, not silently.
"""

from __future__ import annotations

import re
import textwrap

#: Shared parameter and return descriptions, in numpydoc form.
PARAMS = {
    # --- data and columns ---
    "df": """\
df : DataFrame
    The data, one row per response.""",
    "outcome": """\
outcome : str
    The column holding the outcome: the ratings (or other numbers) being measured.""",
    "by": """\
by : str or list of str
    Column(s) defining the groups. Only groups that occur in the data appear: the unused
    categories of a categorical column are left out (a group without responses has no
    estimate). Missing group labels are an error.""",
    "items": """\
items : list of str
    The columns of ``df`` that hold the items of the scale, one per question.""",
    "missing_scale": """\
missing : {"pairwise", "listwise", "raise"}
    What to do with blank answers. ``"pairwise"`` (the default, as pingouin does) estimates
    each item covariance from the respondents who answered both items; ``"listwise"`` keeps
    only respondents who answered every item; ``"raise"`` makes a blank an error that names
    its rows.""",
    "scale_df": """\
df : DataFrame
    One row per respondent; blank answers allowed.""",
    "box_scores": """\
scores : array-like or Series
    Ratings, whole numbers on ``scale``, no missing values.""",
    "driver_outcome": """\
outcome : str
    The outcome (overall satisfaction, likelihood to recommend, ...).
drivers : list of str
    The candidate drivers (items or factor scores).""",
    "driver_weights": """\
weights : str or array-like, optional
    Survey weights: the name of a column of ``df`` (for example one made by
    :func:`cxlib.weights.rake`) or one weight per row. The correlations (and regression) are
    then weighted, and ``attrs["n_effective"]`` reports Kish's effective sample size.""",
    "missing_drivers": """\
missing : {"raise", "listwise"}
    What to do with rows that have a blank in the outcome or a driver: ``"raise"`` (an error
    naming the rows) or ``"listwise"`` (use complete rows only; how many were dropped is in
    ``attrs["dropped"]``). Nothing is dropped silently.""",
    "weights": """\
weights : array-like or Series, optional
    Survey weights, one per response (for example from :func:`cxlib.weights.rake`): how many
    customers each response stands for. The estimate is then weighted and the result, a
    :class:`~cxlib.results.WeightedEstimate`, reports Kish's ``n_effective``, on which the
    interval rests. ``None`` (the default): every response counts once.""",
    # --- intervals and tests ---
    "confidence": """\
confidence : float
    Confidence level of the interval(s), strictly between 0 and 1 (0.95 gives 95% intervals).""",
    "nps_method": """\
method : {"adjusted_wald", "wald"}
    The NPS interval. ``"adjusted_wald"`` (Rocks 2016; the default): add 3/4 of a promoter,
    3/2 of a passive and 3/4 of a detractor (3 responses) before computing the interval.
    ``"wald"``: the plain interval, observed NPS plus or minus z standard errors.""",
    "scale": """\
scale : (int, int)
    Lowest and highest answer of the rating scale.""",
    "correction": """\
correction : str
    Multiple-testing correction across the comparisons (see
    :func:`cxlib.compare.adjust_pvalues`): ``"holm"`` by default, ``"fdr_bh"``,
    ``"bonferroni"``, ..., or ``"none"``.""",
    "cov_type": """\
cov_type : str
    How the standard errors are computed (statsmodels' ``cov_type``): ``"nonrobust"``
    (classical OLS) or a heteroskedasticity-robust one such as ``"HC3"``.""",
    # --- what comes back ---
    "estimate_returns": """\
Estimate
    ``estimate``, its standard error ``se``, the interval ``low`` to ``high``, the
    number of responses ``n``, the ``confidence`` level and the interval's ``method``.""",
    "estimate_table": """\
DataFrame
    One row per group: ``estimate``, ``se``, ``low``, ``high`` and ``n``.""",
    "coefficient_table": """\
DataFrame
    One row per term: ``estimate``, ``se``, ``low``, ``high`` (confidence interval), the
    test statistic (``t``, or ``z`` where the interval uses the normal distribution) and
    the two-sided ``p_value`` for "the coefficient is 0".""",
    # --- control charts ---
    "sigma": """\
sigma : float
    Width of the control limits in standard errors (3 by default).""",
    "baseline": """\
baseline : int, array of bool or function, optional
    The periods that set the centre line (phase I of a control chart): the first
    ``baseline`` periods, those marked True, or those whose label the function maps to True
    (``lambda m: m < start``). By default all periods. Setting the centre from a baseline
    before a change is how a chart shows the change.""",
    "run_length": """\
run_length : int
    Length of the run rule: a point that completes ``run_length`` consecutive points on the
    same side of the centre line is a ``run_signal`` (Western Electric rule 4 uses 8; Nelson's
    rule 2 uses 9). A sustained small change shows as a run long before a point crosses a
    limit.""",
    "period": """\
period : str
    The column of period labels (months, say); the table has one row per label, sorted.""",
    "limits_table": """\
DataFrame
    One row per period: ``n``, ``estimate`` (the period's value), ``center`` (the centre
    line, from the baseline), ``lower`` and ``upper`` (the control limits), ``signal`` (the
    estimate is outside the limits) and ``run_signal`` (the run rule).""",
    # --- figures ---
    "plot_labels": """\
title, xlabel, ylabel : str
    Title and axis labels (with units where the axis has them); a figure without them is
    an error.""",
    "ax": """\
ax : matplotlib Axes, optional
    Where to draw; a new figure by default.""",
    "axes_returns": """\
matplotlib Axes
    The axes drawn on, so a lesson can add to them.""",
    # --- self-checks ---
    "answer": """\
answer
    The student's answer; ``...`` (or ``None``) means not answered yet.""",
    "task_name": """\
name : str
    What to call the task in the message.""",
    "verdict_returns": """\
Verdict
    True when the answer is right; it shows nothing as a cell's result (the printed message
    is the feedback).""",
}

_SLOT = re.compile(r"^( *)\{(\w+)\}[ \t]*$", re.MULTILINE)


def fill(func):
    """Replace each docstring line ``{name}`` of ``func`` by the shared text :data:`PARAMS` ``[name]``.

    Parameters
    ----------
    func : function
        The function whose docstring has slots.

    Returns
    -------
    function
        The same function, its docstring filled in.

    Examples
    --------
    >>> @fill
    ... def f(confidence=0.95):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     {confidence}
    ...     '''
    >>> print(f.__doc__.splitlines()[4])
        confidence : float
    """
    if func.__doc__:

        def text(match: re.Match) -> str:
            name = match.group(2)
            if name not in PARAMS:
                raise KeyError(f"{func.__qualname__}: no shared docstring text named {name!r} in cxlib._docs")
            return textwrap.indent(PARAMS[name], match.group(1))

        func.__doc__ = _SLOT.sub(text, func.__doc__)
    return func
