"""The truth of lesson 5's claims: the expectation gap (gap 1) and the SERVQUAL gaps.

True values come from the run's ``truth.json`` (the generator's expected ratings: each
expectation's true mean for customers and employees, each SERVQUAL dimension's and statement's true
gap). Whether a verdict is clear follows :mod:`cxlib.kit.truths._decide`: the chance that the lesson's
method, on data of the run's size, reaches the true decision (standard errors and covariances are
estimated from the run's own data; the lesson's code and verdicts are not used).

* Gap verdicts (``gap_<expectation>``): the lesson calls a gap real when its Bonferroni-simultaneous
  interval (each test at ``(1 - confidence) / 10``) excludes zero; the truth is the sign of the true
  gap, clear when that test finds it with probability 97.5% or more.
* ``most_underrated`` and ``top_list_overlap``: draws of the two groups' mean vectors around their
  true means (the covariance of the items within a group, divided by its size).
* ``servqual_weakest_dimension``: draws of the five dimension gaps (their covariance across
  respondents); ``servqual_weakest_margin`` is the true difference between the truly weakest and the
  truly second-weakest dimension, judged only when the weakest is clear (otherwise the lesson may be
  estimating another contrast).
* ``servqual_items_differ``: the generator draws a dimension's statements alike, so the truth is "no
  difference"; a test at level alpha then reaches it with probability ``1 - alpha``, which is clear
  only at 99% confidence. (If statements did differ, the chance is the power of a Wald test on the
  statements' contrasts, from draws.)
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import ndtri
from scipy.stats import chi2

from cxlib import data

from . import Claim, Truth
from ._decide import CLEAR_AT, alpha_of, draws, picked_truth, sign_truth, slug

LESSON = "05_know_your_customers"
VERDICTS = ("under-rated by staff", "in line", "over-rated by staff")


@functools.lru_cache(maxsize=32)
def _expectations(data_dir: str) -> dict:
    """Per role: respondents x expectations ratings (covariance and size), from the run's data."""
    df = data.load("expectations", data_dir)
    out = {}
    for role, g in df.groupby("role", observed=True):
        wide = g.pivot(index="respondent_id", columns="expectation", values="importance").astype(float)
        out[str(role)] = (wide.cov(), len(wide))
    return out


def _true_means(ctx) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = list(ctx.truth["expectation_gap"])
    emp = np.array([ctx.truth["expectation_gap"][e]["employee"] for e in names])
    cus = np.array([ctx.truth["expectation_gap"][e]["customer"] for e in names])
    return names, emp, cus


def _mean_draws(ctx, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    names, emp, cus = _true_means(ctx)
    stats = _expectations(str(ctx.data_dir))
    cov_e, n_e = stats["employee"]
    cov_c, n_c = stats["customer"]
    d_emp = draws(emp, cov_e.loc[names, names].to_numpy() / n_e, seed=seed)
    d_cus = draws(cus, cov_c.loc[names, names].to_numpy() / n_c, seed=seed + 1)
    return names, d_emp, d_cus


def _gap_truth(expectation: str):
    def truth(ctx):
        names, emp, cus = _true_means(ctx)
        stats = _expectations(str(ctx.data_dir))
        (cov_e, n_e), (cov_c, n_c) = stats["employee"], stats["customer"]
        se = float(
            np.sqrt(cov_e.loc[expectation, expectation] / n_e + cov_c.loc[expectation, expectation] / n_c)
        )
        i = names.index(expectation)
        return sign_truth(float(emp[i] - cus[i]), se, alpha_of(ctx) / len(names), VERDICTS)

    return truth


def _most_underrated(ctx):
    names, emp, cus = _true_means(ctx)
    gap = emp - cus
    value = names[int(np.argmin(gap))] if gap.min() < 0 else "none"
    names, d_emp, d_cus = _mean_draws(ctx)
    stats = _expectations(str(ctx.data_dir))
    (cov_e, n_e), (cov_c, n_c) = stats["employee"], stats["customer"]
    var = np.array([cov_e.loc[e, e] / n_e + cov_c.loc[e, e] / n_c for e in names])
    crit = ndtri(1 - alpha_of(ctx) / len(names) / 2)
    d_gap = d_emp - d_cus
    real = d_gap / np.sqrt(var) < -crit
    picked = np.where(real.any(axis=1), np.array(names, dtype=object)[np.argmin(d_gap, axis=1)], "none")
    return picked_truth(value, picked)


def _top_sets(values: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-values, axis=-1, kind="stable")[..., :k]
    member = np.zeros(values.shape, dtype=bool)
    np.put_along_axis(member, order, True, axis=-1)
    return member


def _overlap(ctx):
    k = int(ctx.params.get("top", 5))
    names, emp, cus = _true_means(ctx)
    ties = any(np.isclose(np.sort(v)[::-1][k - 1], np.sort(v)[::-1][k]) for v in (emp, cus))
    value = int((_top_sets(emp, k) & _top_sets(cus, k)).sum())
    if ties:  # the true top-k list is not defined: the truth cannot decide the count
        return Truth(value, clear=False)
    names, d_emp, d_cus = _mean_draws(ctx)
    counts = (_top_sets(d_emp, k) & _top_sets(d_cus, k)).sum(axis=1)
    return picked_truth(value, counts)


@functools.lru_cache(maxsize=32)
def _servqual(data_dir: str) -> tuple:
    """Respondents x dimensions and respondents x items gaps, from the run's data."""
    df = data.load("servqual", data_dir)
    df = df.assign(gap=df["perception"] - df["expectation"])
    by_dim = df.pivot_table(
        index="respondent_id", columns="dimension", values="gap", aggfunc="mean", observed=True
    )
    by_item = df.pivot_table(
        index="respondent_id", columns="item", values="gap", aggfunc="mean", observed=True
    )
    return by_dim, by_item


def _dimension_truth(ctx) -> tuple[list[str], np.ndarray]:
    dims = list(ctx.truth["servqual"])
    return dims, np.array([ctx.truth["servqual"][d]["gap"] for d in dims])


def _weakest(ctx) -> Truth:
    dims, gap = _dimension_truth(ctx)
    by_dim, _ = _servqual(str(ctx.data_dir))
    cov = by_dim[dims].cov().to_numpy() / len(by_dim)
    picked = np.array(dims, dtype=object)[np.argmin(draws(gap, cov), axis=1)]
    return picked_truth(dims[int(np.argmin(gap))], picked)


def _weakest_margin(ctx):
    weakest = _weakest(ctx)
    if not weakest.clear:
        return None
    dims, gap = _dimension_truth(ctx)
    low, second = np.sort(gap)[:2]
    return Truth(float(low - second))


def _items_differ(ctx):
    weakest = _weakest(ctx)
    if not weakest.clear:
        return None
    items = ctx.truth["servqual"][weakest.value]["item_gaps"]
    names, true = list(items), np.array(list(items.values()))
    alpha = alpha_of(ctx)
    differ = bool(np.ptp(true) > 1e-9)
    if not differ:
        return Truth(False, clear=1 - alpha >= CLEAR_AT)
    _, by_item = _servqual(str(ctx.data_dir))
    wide = by_item[names].dropna()
    cov = wide.cov().to_numpy() / len(wide)
    contrast = np.eye(len(names))[1:] - np.eye(len(names))[0]
    d = draws(true, cov) @ contrast.T
    inv = np.linalg.inv(contrast @ cov @ contrast.T)
    wald = np.einsum("ij,jk,ik->i", d, inv, d)
    power = float(np.mean(wald > chi2.ppf(1 - alpha, len(names) - 1)))
    return Truth(True, clear=power >= CLEAR_AT)


def _servqual_gap(dimension: str):
    return lambda ctx: Truth(float(ctx.truth["servqual"][dimension]["gap"]))


def _overall(ctx):
    _, gap = _dimension_truth(ctx)
    return Truth(float(gap.mean()))


CLAIMS = [
    *(
        Claim(
            f"gap_{slug(e)}",
            "verdict",
            f"staff under-rate, match or over-rate '{e}' (simultaneous {VERDICTS})",
            _gap_truth(e),
        )
        for e in data.categories("expectations", "expectation")
    ),
    Claim("most_underrated", "verdict", "the expectation staff under-rate most", _most_underrated),
    Claim("top_list_overlap", "verdict", "expectations shared by the two top-k lists", _overlap),
    *(
        Claim(
            f"servqual_gap_{d}",
            "interval",
            f"SERVQUAL gap of {d} (perception - expectation)",
            _servqual_gap(d),
        )
        for d in data.categories("servqual", "dimension")
    ),
    Claim(
        "servqual_overall_gap", "interval", "overall SERVQUAL score (mean of the dimension gaps)", _overall
    ),
    Claim("servqual_weakest_dimension", "verdict", "the dimension with the largest shortfall", _weakest),
    Claim(
        "servqual_weakest_margin",
        "interval",
        "weakest dimension's gap minus the runner-up's",
        _weakest_margin,
    ),
    Claim("servqual_items_differ", "verdict", "the weakest dimension's statements differ", _items_differ),
]
