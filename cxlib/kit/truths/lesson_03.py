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

**Whether the spotlight branch's level moves from month to month** (``branch_level_moves``). The
lesson counts the month-to-month NPS swings of 20 points or more and tests the count against
shuffled months (a permutation test at level ``alpha``). In the generator a branch's true monthly level
steps once, when its training takes effect (``synth.TRAINING``); otherwise it varies only through the
month noise (``synth.SD_MONTH`` on each factor) and the chain's slow trend, a true monthly NPS spread of
a few points against a sampling error of about fifteen points a month. So the truth is True for a
trained branch and False for an untrained one. It is clear when the lesson's test reaches it with
probability at least :data:`POWER`, worked out from the business itself: each month's exact
promoter/passive/detractor shares (:func:`true_month_shares`, from ``synth.business(seed)``), the run's
own monthly counts of the branch, and :data:`SWING_DRAWS` simulated surveys with those shares against
as many with the branch's pooled shares (the null the shuffle stands for; :func:`swing_test_rejects`).
An untrained branch is then clear False only where the test's false-alarm rate is at most
``1 - POWER`` (at 99%, and at 95% when the count's discreteness makes the test conservative enough);
a trained branch's single step barely changes the count of swings, so it is almost never clear True:
the lesson says a count of swings is a weak test of a step.
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
#: Simulated surveys for the swing test's rejection rate (and as many under its null).
SWING_DRAWS = 4000
#: The swing the lesson counts (NPS points between neighbouring months).
SWING = 20.0


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


def _branch_minus_rest(s: pd.DataFrame) -> dict:
    """Each branch's NPS minus the other branches' together (the lesson's spotlight comparison), from
    the per-response scores of :func:`_scores`."""
    out = {}
    for b in synth.BRANCHES:
        here = s["branch"] == b
        out[b] = float(s.loc[here, "nps"].mean() - s.loc[~here, "nps"].mean())
    return out


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
        minus_rest = _branch_minus_rest(s)
        change = {
            "whole chain": _year_change(s),
            **{b: _year_change(s[s["branch"] == b]) for b in synth.BRANCHES},
        }
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


@functools.lru_cache(maxsize=8)
def _business(seed: int) -> dict:
    return synth.business(seed)


def true_month_shares(seed: int, branch: str) -> np.ndarray:
    """The exact promoter, passive and detractor shares of ``branch`` in each month of business ``seed``.

    In the generator a response's latent satisfaction is normal, with the branch-month's mean (factor
    means, branch effect, trend, month noise, training once it has taken effect, weighted by the
    driver weights) and a spread that does not depend on the branch or month; the recommendation's
    latent value is a linear function of it plus normal noise and the channel's shift; a promoter's
    latent value is above 8.5, a detractor's below 6.5. So each share is a mixture over the survey's
    channel mix of normal tail probabilities.

    Parameters
    ----------
    seed : int
        The business.
    branch : str
        One of ``synth.BRANCHES``.

    Returns
    -------
    ndarray
        Months x 3 (promoter, passive, detractor), rows summing to 1.

    Examples
    --------
    >>> shares = true_month_shares(0, "Ashford")
    >>> shares.shape, bool(np.allclose(shares.sum(axis=1), 1))
    ((24, 3), True)
    """
    from scipy.special import ndtr

    biz = _business(int(seed))
    i = synth.BRANCHES.index(branch)
    months = np.arange(synth.N_MONTHS)
    mu = (
        np.array([synth.FACTOR_MEAN[f] for f in synth.FACTORS])[None, :]
        + biz["branch_effects"][i][None, :]
        + np.outer(months, [synth.TREND_PER_MONTH[f] for f in synth.FACTORS])
        + biz["month_effects"][i]
    )
    training = biz["training"].set_index("branch")
    if training.loc[branch, "trained"]:
        start = pd.date_range(synth.START, periods=synth.N_MONTHS, freq="MS").get_loc(
            training.loc[branch, "start_month"]
        )
        on = months >= start + synth.TRAINING["lag_months"]
        mu[on, synth.FACTORS.index("people")] += synth.TRAINING["effect"]
    w = np.array([synth.DRIVER_WEIGHTS[f] for f in synth.FACTORS])
    var_sat = (
        w.sum() ** 2 * (synth.SD_CUSTOMER_HALO**2 + synth.SD_RESPONSE_HALO**2)
        + (w**2).sum() * synth.SD_FACTOR**2
        + synth.SD_SATISFACTION**2
    )
    ref = biz["outcome_reference"]
    slope = synth.RECOMMEND_SLOPE / ref["satisfaction_sd"]
    centre = synth.RECOMMEND_CENTRE + slope * (mu @ w - ref["satisfaction_mean"])
    sd = np.sqrt(slope**2 * var_sat + synth.RECOMMEND_SD**2)
    shares = np.zeros((len(months), 3))
    for c in synth.CHANNELS:
        at = centre + synth.CHANNEL_RECOMMEND_SHIFT[c]
        promoter, detractor = 1 - ndtr((8.5 - at) / sd), ndtr((6.5 - at) / sd)
        shares += synth.CHANNEL_SAMPLE[c] * np.column_stack([promoter, 1 - promoter - detractor, detractor])
    return shares


def _swing_counts(shares: np.ndarray, n: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Counts of 20-point month-to-month NPS swings in ``draws`` simulated surveys."""
    x = np.stack([rng.multinomial(n[m], shares[m], size=draws) for m in range(len(n))], axis=1)
    nps = 100 * (x[..., 0] - x[..., 2]) / n
    return (np.abs(np.diff(nps, axis=1)) >= SWING - 1e-9).sum(axis=1)


def swing_test_rejects(shares, n, alpha: float, draws: int = SWING_DRAWS, seed: int = 0) -> float:
    """How often the lesson's swing test finds "more swings than chance" when the months have ``shares``.

    The test rejects when the count of 20-point swings is at least the smallest ``c`` that at most a
    share ``alpha`` of surveys reach when every month has the pooled shares (the null that shuffling the
    months stands for).

    Parameters
    ----------
    shares : array-like
        Months x 3 true (promoter, passive, detractor) shares.
    n : array-like
        Responses in each month.
    alpha : float
        The test's level.
    draws : int
        Simulated surveys under the null and under ``shares`` (seeded: a truth does not depend on chance).
    seed : int
        Seed of the simulation.

    Returns
    -------
    float
        The share of simulated surveys in which the test rejects.

    Examples
    --------
    >>> flat = np.tile([0.45, 0.3, 0.25], (24, 1))
    >>> swing_test_rejects(flat, np.full(24, 28), 0.05) <= 0.06  # no movement: about its level or less
    True
    """
    shares, n = np.asarray(shares, float), np.asarray(n, int)
    rng = np.random.default_rng(seed)
    pooled = (shares * n[:, None]).sum(axis=0) / n.sum()
    null = _swing_counts(np.tile(pooled, (len(n), 1)), n, draws, rng)
    tail = np.array([(null >= k).mean() for k in range(len(n) + 1)])
    critical = int(np.argmax(tail <= alpha)) if (tail <= alpha).any() else len(n) + 1
    return float((_swing_counts(shares, n, draws, rng) >= critical).mean())


@functools.lru_cache(maxsize=64)
def _month_counts(data_dir: str, branch: str) -> tuple:
    s = data.load("survey", data_dir)
    return tuple(s.loc[s["branch"] == branch].groupby("month").size().to_numpy().tolist())


def _level_moves(ctx: Context) -> Truth:
    b = ctx["branch"]
    trained = bool(_business(ctx.seed)["training"].set_index("branch").loc[b, "trained"])
    rejects = swing_test_rejects(
        true_month_shares(ctx.seed, b), np.array(_month_counts(str(ctx.data_dir), b)), _alpha(ctx)
    )
    right = rejects if trained else 1 - rejects
    return Truth(trained, clear=right >= POWER)


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
    Claim(
        "branch_level_moves",
        "verdict",
        "the spotlight branch's NPS level moves from month to month (more 20-point swings than chance)",
        _level_moves,
    ),
    Claim("n_for_5_points", "estimate", "responses to detect a 5-point CSAT change", _n_for_5_points),
]
