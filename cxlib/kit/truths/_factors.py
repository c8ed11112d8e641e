"""Population quantities of the survey behind lessons 1 and 2, and how precisely one run measures them.

The truth of a claim about the business a run analysed (a branch's gap to the rest of the chain,
a scale's reliability, the change in a branch's people score) is the same quantity in the same
business surveyed at :data:`SCALE` times the size (:meth:`cxlib.kit.truths.Context.population`):
branch effects, month effects and the training are the same, only the sample is larger. Those
quantities are computed once per seed (:func:`population`), so a sweep regenerates each business
once, not once per claim.

A verdict is *clear* when the truth is far enough from the boundary that the lesson's own test
would find it: :func:`clear_margin` is the distance, in standard errors of the run's own estimate,
beyond which the lesson's test (at its confidence, adjusted for the comparisons it makes together)
has at least 95% power. The standard errors come from the run's data (:func:`run_survey`), computed
the way the lesson computes them.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from cxlib import compare, data, scales
from cxlib._dist import normal_quantile

#: Size of the regenerated business, in multiples of the run's (about 270,000 responses).
SCALE = 40.0
#: Power the lesson's test must have for a verdict to count as clear.
POWER = 0.95

_POPULATION: dict[int, dict] = {}


def clear_margin(confidence: float, comparisons: int = 1) -> float:
    """Standard errors between truth and boundary at which a two-sided test has :data:`POWER`.

    Parameters
    ----------
    confidence : float
        The lesson's confidence level (for the whole family of comparisons).
    comparisons : int
        How many comparisons the lesson adjusts for together (Bonferroni).

    Returns
    -------
    float
        ``z(1 - alpha / 2) + z(POWER)`` with ``alpha = (1 - confidence) / comparisons``.

    Examples
    --------
    >>> round(clear_margin(0.95), 2)
    3.6
    """
    alpha = (1 - float(confidence)) / comparisons
    return float(normal_quantile(1 - alpha / 2) + normal_quantile(POWER))


def split_month(training: pd.DataFrame, branch: str) -> pd.Timestamp:
    """The month lesson 2 splits a branch's series at: its training month, or the first one.

    Parameters
    ----------
    training : DataFrame
        The training table (``branch``, ``trained``, ``start_month``).
    branch : str
        The branch followed.

    Returns
    -------
    Timestamp
        The branch's training month if it was trained, else the earliest training month.

    Examples
    --------
    >>> from cxlib import synth
    >>> str(split_month(synth._training_table(), "Ashford").date())
    '2024-10-01'
    """
    start = training.set_index(training["branch"].astype(str))["start_month"]
    return pd.Timestamp(start[branch]) if pd.notna(start.get(branch)) else pd.Timestamp(start.min())


def people_change(survey: pd.DataFrame, training: pd.DataFrame, branch: str) -> dict:
    """Mean people score after minus before the split month, for a branch and the untrained branches.

    Parameters
    ----------
    survey : DataFrame
        Survey responses with a ``people`` factor score column.
    training : DataFrame
        The training table.
    branch : str
        The branch followed.

    Returns
    -------
    dict
        ``branch`` and ``untrained``: after minus before (the split month left out).

    Examples
    --------
    >>> from cxlib import synth
    >>> s = pd.DataFrame({"branch": ["Ashford"] * 4, "month": pd.to_datetime(
    ...     ["2024-01-01", "2024-02-01", "2024-11-01", "2024-12-01"]), "people": [3.0, 4.0, 4.0, 5.0]})
    >>> people_change(s, synth._training_table(), "Ashford")["branch"]
    1.0
    """
    split = split_month(training, branch)
    trained = training.loc[training["trained"].astype(bool), "branch"].astype(str)
    names = survey["branch"].astype(str)
    out = {}
    for key, keep in (("branch", names == branch), ("untrained", ~names.isin([*trained, branch]))):
        rows = survey[keep.to_numpy()].dropna(subset=["people"])
        after = rows.loc[rows["month"] > split, "people"].mean()
        before = rows.loc[rows["month"] < split, "people"].mean()
        out[key] = float(after - before)
    return out


def _correlations(survey: pd.DataFrame) -> dict:
    items = data.items()
    factor = {item: f for f in data.FACTORS for item in data.items(f)}
    factor_of = np.array([factor[item] for item in items])
    same = np.equal.outer(factor_of, factor_of)
    off = ~np.eye(len(items), dtype=bool)
    x = survey[items].astype(float)
    cells = [survey["branch"], survey["month"]]
    centred = x - x.groupby(cells, observed=True).transform("mean")
    raw, cell = x.corr().to_numpy(), centred.corr().to_numpy()
    return {
        "within_factor_r": float(raw[same & off].mean()),
        "across_factor_r": float(raw[~same].mean()),
        "across_factor_r_within_branch_month": float(cell[~same].mean()),
    }


def _summarise(survey: pd.DataFrame, training: pd.DataFrame) -> dict:
    scores = scales.factor_scores(survey)
    scored = pd.concat([survey[["branch", "month"]], scores], axis=1)
    answers = survey[data.items()].melt(value_name="rating")["rating"].dropna()
    branches = sorted(survey["branch"].astype(str).unique())
    names = survey["branch"].astype(str).to_numpy()
    spotlight = {
        b: {
            f: float(scores.loc[names == b, f].mean() - scores.loc[names != b, f].mean())
            for f in data.FACTORS
        }
        for b in branches
    }
    friendly = survey["people_friendliness"].astype(float)
    env = scores["environment"]
    # lesson 2's reliability rests on each customer's first answer: the same estimand here
    first = survey.sort_values("month", kind="stable").drop_duplicates("customer_id")
    out = {
        "share_of_fours": float((answers == 4).mean() * 100),
        "missing_resolution_pct": float(survey["practices_resolution"].isna().mean() * 100),
        "factor_means": scores.mean().to_dict(),
        "spotlight": spotlight,
        "halo_rise": float(env[friendly == 5].mean() - env[friendly <= 2].mean()),
        "alpha": {f: scales.cronbach_alpha(first, data.items(f)).estimate for f in data.FACTORS},
        "sd": scales.factor_scores(first).std().to_dict(),
        "people_change": {b: people_change(scored, training, b) for b in branches},
    }
    out.update(_correlations(survey))
    return out


def population(ctx) -> dict:
    """The population quantities of the run's business (computed once per seed).

    Parameters
    ----------
    ctx : cxlib.kit.truths.Context
        The run.

    Returns
    -------
    dict
        ``share_of_fours``, ``missing_resolution_pct``, ``factor_means``, ``spotlight`` (per branch
        and factor: branch minus the rest), ``halo_rise``, ``alpha`` and ``sd`` per factor (from each
        customer's first answer, as lesson 2 computes them),
        ``people_change`` (per branch: ``branch`` and ``untrained``), ``within_factor_r``,
        ``across_factor_r`` and ``across_factor_r_within_branch_month``.
    """
    if ctx.seed not in _POPULATION:
        tables = ctx.population(SCALE)
        _POPULATION[ctx.seed] = _summarise(tables["survey"], tables["training"])
    return _POPULATION[ctx.seed]


@functools.lru_cache(maxsize=4)
def _run_tables(folder: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    survey = data.load("survey", folder)
    return survey, data.load("training", folder)


def run_survey(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's own survey (with factor scores) and training table, as the lesson loaded them.

    Parameters
    ----------
    ctx : cxlib.kit.truths.Context
        The run.

    Returns
    -------
    survey, training : DataFrame
        The survey with ``people``, ``environment`` and ``practices`` scores added, and the
        training table.
    """
    survey, training = _run_tables(str(ctx.data_dir))
    return pd.concat([survey, scales.factor_scores(survey)], axis=1), training


def long_scores(survey: pd.DataFrame) -> pd.DataFrame:
    """One row per response and factor with a score (as lesson 1's ``long``).

    Parameters
    ----------
    survey : DataFrame
        Survey responses with factor score columns.

    Returns
    -------
    DataFrame
        ``customer_id``, ``branch``, ``month``, ``factor`` and ``score``.
    """
    return survey.melt(
        id_vars=["customer_id", "branch", "month"],
        value_vars=list(data.FACTORS),
        var_name="factor",
        value_name="score",
    ).dropna(subset=["score"])


def cluster_se(df: pd.DataFrame, outcome: str, group: str, a, b, by=None) -> pd.Series:
    """Cluster-robust (by customer) standard errors of ``a - b``, as the lessons compute them.

    Parameters
    ----------
    df : DataFrame
        The rows compared, with ``customer_id``.
    outcome, group : str
        The compared column and the column saying which side a row is on.
    a, b : scalar
        The two sides.
    by : str, optional
        One standard error per level of this column.

    Returns
    -------
    Series
        The standard errors (one per level of ``by``, or one).
    """
    res = compare.grouped_mean_difference(df, outcome, group, a, b, by=by, cluster="customer_id")
    return res["se"]
