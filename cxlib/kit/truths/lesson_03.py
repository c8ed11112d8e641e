"""The truth behind lesson 3 (headline metrics): population values of the chain's metrics and comparisons.

Every claim of the lesson is about the business the run analysed, not about its sample: the chain's
CSAT, NPS and mean effort, the NPS of the survey's channel mix and of all customers (weighted; from
``truth.json: channels``), a branch's NPS minus the rest's, this year's NPS minus last year's. The
business's branch effects, month effects and training are drawn independently of the size of the
data, so the same business regenerated at :data:`SCALE` times the size (about a quarter of a million
responses from forty times as many customers) gives these population values to within a small
fraction of the lesson's standard errors.

**When a verdict is clear.** A verdict says whether a difference is above zero ("leads", "rose"),
below ("trails", "fell") or not told apart ("on par", "no clear change"). The true difference is
never exactly zero, so the truth is its sign; it is *clear* when the lesson's test would detect it
with probability at least :data:`POWER`: when the true difference is at least
``(z(1 - alpha/2) + z(POWER))`` standard errors from zero, ``alpha`` being one minus the run's
confidence level (for the Holm-adjusted league of ten branches, ``alpha/10``, the strictest step of
Holm's procedure, which then rejects too). The standard error is the one the lesson computes from
the run's own data (cluster-robust by customer): the resolution of the lesson's data, which does not
depend on whether its estimate happened to fall above or below the truth. A smaller true difference
is reported, not targeted: the lesson's data cannot be expected to resolve it.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from cxlib import data, synth, tracking

from . import Claim, Context, Truth

LESSON = "03_headline_metrics"
#: How many times the course's size the population regeneration is.
SCALE = 40.0
#: The power a verdict's test must have against the true difference for the verdict to be clear.
POWER = 0.95


def _scores(survey: pd.DataFrame) -> pd.DataFrame:
    """The per-response scores the lesson averages: CSAT (0/100), NPS (-100/0/100), effort."""
    rec = survey["recommend"].to_numpy()
    return pd.DataFrame(
        {
            "csat": np.where(survey["satisfaction"].to_numpy() >= 4, 100.0, 0.0),
            "nps": np.select([rec >= 9, rec <= 6], [100.0, -100.0], 0.0),
            "effort": survey["effort"].to_numpy(dtype=float),
            "branch": survey["branch"].astype(str).to_numpy(),
            "year": survey["month"].dt.year.to_numpy(),
            "customer": survey["customer_id"].to_numpy(),
        }
    )


def _year_change(s: pd.DataFrame) -> float:
    years = sorted(s["year"].unique())
    last, this = years[-2], years[-1]
    return float(s.loc[s["year"] == this, "nps"].mean() - s.loc[s["year"] == last, "nps"].mean())


_POPULATION: dict[int, dict] = {}


def _population_values(ctx: Context) -> dict:
    """The population values of the run's business (computed once per seed).

    Parameters
    ----------
    ctx : Context
        The run.

    Returns
    -------
    dict
        ``csat``, ``nps``, ``effort`` (the chain's), ``minus_rest`` (each branch's NPS minus the
        rest's), ``change`` (each branch's and the ``"whole chain"``'s NPS change, last year minus
        the year before).
    """
    if ctx.seed not in _POPULATION:
        s = _scores(ctx.population(SCALE)["survey"])
        minus_rest, change = {}, {"whole chain": _year_change(s)}
        for b in synth.BRANCHES:
            here = s["branch"] == b
            minus_rest[b] = float(s.loc[here, "nps"].mean() - s.loc[~here, "nps"].mean())
            change[b] = _year_change(s[here])
        _POPULATION[ctx.seed] = {
            "csat": float(s["csat"].mean()),
            "nps": float(s["nps"].mean()),
            "effort": float(s["effort"].mean()),
            "minus_rest": minus_rest,
            "change": change,
        }
    return _POPULATION[ctx.seed]


def _cluster_se(y: np.ndarray, g: np.ndarray, customers: np.ndarray) -> float:
    """The lesson's standard error of a difference of means: OLS on a 0/1 group, cluster-robust (CR1)."""
    import statsmodels.api as sm

    exog = sm.add_constant(g.astype(float))
    fit = sm.OLS(y, exog).fit(cov_type="cluster", cov_kwds={"groups": customers})
    return float(fit.bse[1])


@functools.lru_cache(maxsize=64)
def _run_se(data_dir: str) -> dict:
    """Standard errors of the lesson's comparisons, from the run's own data."""
    s = _scores(data.load("survey", data_dir))
    out = {"minus_rest": {}, "change": {}}
    years = sorted(s["year"].unique())
    two = s[s["year"].isin(years[-2:])]
    out["change"]["whole chain"] = _cluster_se(
        two["nps"].to_numpy(), (two["year"] == years[-1]).to_numpy(), two["customer"].to_numpy()
    )
    for b in synth.BRANCHES:
        here = (s["branch"] == b).to_numpy()
        out["minus_rest"][b] = _cluster_se(s["nps"].to_numpy(), here, s["customer"].to_numpy())
        sub = two[two["branch"] == b]
        out["change"][b] = _cluster_se(
            sub["nps"].to_numpy(), (sub["year"] == years[-1]).to_numpy(), sub["customer"].to_numpy()
        )
    return out


def _z(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def sign_verdict(true: float, se: float, alpha: float, up: str, down: str) -> Truth:
    """The right verdict on a difference, and whether the lesson's test resolves it (see the module).

    Parameters
    ----------
    true : float
        The true difference.
    se : float
        The lesson's standard error of its estimate.
    alpha : float
        The test's level (two-sided).
    up, down : str
        The verdict for a positive and for a negative difference.

    Returns
    -------
    Truth
        ``up`` or ``down``; clear when the test's power against ``true`` is at least :data:`POWER`.

    Examples
    --------
    >>> sign_verdict(-12.0, 3.0, 0.05, "leads", "trails")
    Truth(value='trails', clear=True)
    >>> sign_verdict(5.0, 3.0, 0.05, "leads", "trails").clear
    False
    """
    margin = (_z(1 - alpha / 2) + _z(POWER)) * se
    return Truth(up if true > 0 else down, clear=abs(true) >= margin)


def _alpha(ctx: Context) -> float:
    return 1 - float(ctx["confidence"])


def _chain(metric):
    return lambda ctx: Truth(_population_values(ctx)[metric])


def _minus_rest(ctx: Context) -> Truth:
    return Truth(_population_values(ctx)["minus_rest"][ctx["branch"]])


def _vs_rest(ctx: Context) -> Truth:
    b = ctx["branch"]
    se = _run_se(str(ctx.data_dir))["minus_rest"][b]
    return sign_verdict(_population_values(ctx)["minus_rest"][b], se, _alpha(ctx), "leads", "trails")


def _apart(b: str):
    def truth(ctx: Context) -> Truth:
        se = _run_se(str(ctx.data_dir))["minus_rest"][b]
        k = len(synth.BRANCHES)
        return sign_verdict(_population_values(ctx)["minus_rest"][b], se, _alpha(ctx) / k, "leads", "trails")

    return truth


def _change(who):
    def truth(ctx: Context) -> Truth:
        return Truth(_population_values(ctx)["change"][ctx["branch"] if who == "branch" else "whole chain"])

    return truth


def _moved(who):
    def truth(ctx: Context) -> Truth:
        key = ctx["branch"] if who == "branch" else "whole chain"
        se = _run_se(str(ctx.data_dir))["change"][key]
        return sign_verdict(_population_values(ctx)["change"][key], se, _alpha(ctx), "rose", "fell")

    return truth


def _channels(key: str):
    """A truth of the survey's channel story: ``truth.json: channels[key]``.

    ``sample_mix_nps`` is the NPS of customers in the survey's channel mix (what the unweighted NPS
    estimates), ``population_nps`` the NPS in the population's mix (what the survey raked to the
    ``population`` table estimates). Both average each channel's NPS over the same customers'
    experiences, so they differ only by the mix.
    """

    def truth(ctx: Context) -> Truth:
        return Truth(float(ctx.truth["channels"][key]))

    return truth


def _n_for_5_points(ctx: Context) -> Truth:
    p = _population_values(ctx)["csat"] / 100
    return Truth(tracking.sample_size_proportions(p, min(p + 0.05, 0.99), alpha=_alpha(ctx), power=0.8))


CLAIMS = [
    Claim("csat", "interval", "the chain's CSAT (% top-2-box), counting customers", _chain("csat")),
    Claim("nps", "interval", "the chain's NPS, counting customers", _chain("nps")),
    Claim("effort", "interval", "the chain's mean effort (1-7), counting customers", _chain("effort")),
    Claim(
        "nps_sample_mix",
        "interval",
        "the NPS of the survey's channel mix (unweighted, counting customers)",
        _channels("sample_mix_nps"),
    ),
    Claim(
        "nps_population",
        "interval",
        "the NPS of all customers (raked to the population's channel mix, counting customers)",
        _channels("population_nps"),
    ),
    Claim("branch_minus_rest", "interval", "the spotlight branch's NPS minus the rest's", _minus_rest),
    Claim("branch_vs_rest", "verdict", "the spotlight branch leads, trails or is on par", _vs_rest),
    *[
        Claim(f"apart_{b}", "verdict", f"{b} leads, trails or is on par among ten (Holm)", _apart(b))
        for b in synth.BRANCHES
    ],
    Claim("nps_change_branch", "interval", "the spotlight branch's NPS change, last year", _change("branch")),
    Claim("nps_change_chain", "interval", "the chain's NPS change, last year", _change("chain")),
    Claim("branch_nps_moved", "verdict", "the spotlight branch's NPS rose or fell", _moved("branch")),
    Claim("chain_nps_moved", "verdict", "the chain's NPS rose or fell", _moved("chain")),
    Claim("n_for_5_points", "estimate", "responses to detect a 5-point CSAT change", _n_for_5_points),
]
