"""The truth behind lesson 4 (drivers): population relative weights, the latent ranking, the true map.

**Intervals.** The lesson's relative-weight shares (with intervals from resampling customers) estimate
the shares the same analysis gives on the whole population of the run's business: the observed 1-5
factor scores of the same branch (or the chain) and outcome, computed on the business regenerated at
:data:`SCALE` times the size. That is what the intervals are about: sampling error. Measurement error
(the gap between these shares and those of the latent perceptions) is a bias that no interval from the
sample can include, and the lesson reports it separately against ``truth.json: drivers_latent``.
The Shapley (LMG) shares are checked the same way, against the population's LMG shares.
For one branch the shares are over the whole period. In a branch trained part-way through it, that is
the mixture of months before and after the training that the survey covers: the regeneration keeps the
schedule, the branch and month effects and the responses per month (in proportion), so its mixture is
the one a course-size sample has on average, and the training's lift in the people factor is part of
the variance shared out. This was measured, after a 20-seed sweep's misses fell in trained branches:
course-size samples of one trained branch of one business (fresh responses, same branch and month
effects) centre on this truth within a third of a standard error and spread as the lesson's customer
bootstrap says (Hillcrest, seed 8, 140 samples: standard deviation over mean bootstrap SE 0.98-1.08),
and over 16 seeds, every branch and outcome, trained branches' intervals covered as often as untrained
ones' (95%: 0.92-0.94 against 0.89-0.96, with 50-resample SEs)
(``tests/test_claims_lesson_04.py`` keeps a seeded check of the first point). Measured directly at
scale (``python -m benchmarks.coverage shares --businesses 40 --samples 10``: 1,200 course-size
samples, 3,600 shares, the lesson's interval from 200 customer resamples), the intervals cover at
their nominal rates: 80.3, 90.4, 95.3 and 99.0% at 80, 90, 95 and 99% (trained branches 81.3, 91.1,
95.4 and 99.1%). The 40-seed sweeps' 203 of 240 were chance; a sweep's six share claims of one run
share its data, so they miss together.
Blanks of problem resolution are made at random, so the true difference in the outcome between
responses that rated it and those that left it blank is exactly 0.

**Verdicts and when they are clear.**

* ``driver_ranking``: the right answer is the ranking of the latent relative weights of the run's
  scope (``truth.json: drivers_latent``: perfectly measured perceptions of the same customers). It is
  clear when the population shares of the observed scores rank the factors the same way and each gap
  between neighbours is at least :data:`RANKING_MARGIN` standard deviations of that gap in samples of
  the run's size (drawn from the population, :data:`DRAWS` times). A sample then misorders one of the
  two pairs with probability under 1.3%, and under 4% even if repeat customers make the real spread a
  fifth larger than the simple random samples' spread: the ranking comes out right at least 95% of
  the time.
* ``ranking_same_for_outcomes``: true by construction (recommendation and buying again are made from
  latent satisfaction alone, so their latent drivers are in the same proportions); clear when the
  ranking is clear, as above, for all three outcomes.
* ``methods_agree_on_ranking``: the lesson ranks the factors by beta weights, relative weights, LMG
  and an ordered logit (of satisfaction when the outcome is recommendation) and says whether all four
  agree. The right answer is whether the latent relative weights and the latent betas
  (``drivers_latent``) rank the factors alike: every method estimates one of those two orders. It is
  clear when the relative weights' and the betas' rankings are both clear, as above (the betas' gaps
  measured in the same draws), for the outcome and for the ordered logit's outcome. LMG needs no
  check of its own: on these data its population shares lie within half a point of the relative
  weights (checked in ``tests/test_claims_lesson_04.py``), far inside the clear margin. Nor does the
  ordered logit: its coefficients are the OLS betas' proportions within a point or two (the lesson
  shows it), and its sampling spread is no larger for a spread-out 1-5 outcome; fitting it on 100
  draws per run would cost minutes.
* ``concentrate_here``: the right answer is the set of items in the *concentrate here* quadrant of the
  population's importance-performance map (same scope and outcome). It is clear when no item's
  membership is in doubt: an item is surely in when its importance is at least :data:`MARGIN` standard
  deviations above the importance crosshair and its performance as far below the performance
  crosshair, and surely out when either is that far on the other side (standard deviations of each
  distance to its crosshair, in samples of the run's size drawn from the population).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxlib import data, drivers, scales

from . import Claim, Context, Truth

LESSON = "04_drivers"
#: How many times the course's size the population regeneration is.
SCALE = 40.0
#: How many standard deviations of sampling error a true gap between two factors' shares must span.
RANKING_MARGIN = 2.5
#: How many standard deviations an item must lie from a crosshair to be placed firmly in or out.
MAP_MARGIN = 3.0
#: Samples of the run's size drawn from the population to measure that sampling error.
DRAWS = 100
OUTCOMES = ("satisfaction", "recommend", "buy_again")
FACTORS = list(data.FACTORS)
ITEMS = data.items()

_FACTS: dict[tuple, dict] = {}


def _frame(survey: pd.DataFrame, branch) -> pd.DataFrame:
    if branch is not None:
        survey = survey[survey["branch"] == branch]
    out = scales.factor_scores(survey).join(survey[ITEMS + list(OUTCOMES)].astype(float))
    return out.reset_index(drop=True)


def _ranking(shares: pd.Series) -> list[str]:
    return shares.sort_values(ascending=False).index.tolist()


def _betas(frame: pd.DataFrame, outcome: str) -> pd.Series:
    """Standardized OLS coefficients (the lesson's beta weights), from the correlation matrix."""
    corr = frame[[outcome, *FACTORS]].dropna().corr().to_numpy()
    return pd.Series(np.linalg.solve(corr[1:, 1:], corr[1:, 0]), index=FACTORS)


def _ranking_clear(pop: pd.DataFrame, outcome: str, latent: dict, n: int, rng) -> dict[str, bool]:
    """Do samples of ``n`` rows rank the factors like the latent truth, with a clear margin?

    For relative weights (``"rw"``, against the latent relative weights' ranking) and for beta
    weights (``"beta"``, against the latent betas' ranking), from the same draws.
    """
    measures = {
        "rw": lambda d: drivers.relative_weights(d, outcome, FACTORS, missing="listwise")["percent"],
        "beta": lambda d: _betas(d, outcome),
    }
    truths = {m: f(pop) for m, f in measures.items()}
    orders = {m: _ranking(v) for m, v in truths.items()}
    gaps: dict[str, list] = {m: [] for m in measures}
    for _ in range(DRAWS):
        sample = pop.iloc[rng.choice(len(pop), size=n, replace=False)]
        for m, f in measures.items():
            s, order = f(sample), orders[m]
            gaps[m].append([s[a] - s[b] for a, b in zip(order[:-1], order[1:])])
    out = {}
    for m, order in orders.items():
        sd = np.asarray(gaps[m]).std(axis=0, ddof=1)
        true_gaps = np.array([truths[m][a] - truths[m][b] for a, b in zip(order[:-1], order[1:])])
        out[m] = order == latent[m] and bool((true_gaps >= RANKING_MARGIN * sd).all())
    return out


def map_sides(pop: pd.DataFrame, outcome: str, n: int, rng) -> pd.DataFrame:
    """Each item's place on the population's importance-performance map, and its spread at size ``n``.

    Parameters
    ----------
    pop : DataFrame
        The population's responses: the ten items and ``outcome``, as numbers.
    outcome : str
        The outcome whose drivers the map ranks.
    n : int
        The run's number of responses (the size of each sample drawn).
    rng : numpy.random.Generator
        Draws the samples.

    Returns
    -------
    DataFrame
        Indexed by item: ``quadrant`` (the population's), ``importance`` and ``performance`` (each the
        population's distance to its crosshair: the importance crosshair is the mean share, 100% over
        the items), and ``sd_importance`` and ``sd_performance`` (the standard deviation of each
        distance over :data:`DRAWS` samples of ``n`` rows drawn from the population without
        replacement). The capstone's importance side is the same (important: above an equal share).

    Examples
    --------
    >>> from cxlib import synth
    >>> survey = synth.generate(seed=3, scale=0.2, comments=False)[0]["survey"]
    >>> pop = survey[[*ITEMS, "satisfaction"]].astype(float)
    >>> sides = map_sides(pop, "satisfaction", 400, np.random.default_rng(0))
    >>> list(sides.columns)
    ['quadrant', 'importance', 'performance', 'sd_importance', 'sd_performance']
    >>> bool(abs(sides["importance"].sum()) < 1e-9 and (sides["sd_importance"] > 0).all())
    True
    """
    ipa = drivers.importance_performance(pop, outcome, ITEMS)
    imp = ipa["importance"] - ipa.attrs["y_cross"]
    perf = ipa["performance"] - ipa.attrs["x_cross"]
    draws_imp, draws_perf = [], []
    for _ in range(DRAWS):
        s = drivers.importance_performance(
            pop.iloc[rng.choice(len(pop), size=n, replace=False)], outcome, ITEMS
        )
        draws_imp.append(s["importance"] - s.attrs["y_cross"])
        draws_perf.append(s["performance"] - s.attrs["x_cross"])
    return pd.DataFrame(
        {
            "quadrant": ipa["quadrant"],
            "importance": imp,
            "performance": perf,
            "sd_importance": pd.DataFrame(draws_imp).std(),
            "sd_performance": pd.DataFrame(draws_perf).std(),
        }
    )


def _map_truth(pop: pd.DataFrame, outcome: str, n: int, rng) -> tuple[str, bool]:
    """The population's *concentrate here* items, and whether samples of ``n`` rows place them firmly."""
    sides = map_sides(pop, outcome, n, rng)
    members = sides.index[sides["quadrant"] == "Concentrate here"].tolist()
    imp, perf = sides["importance"], sides["performance"]
    sd_imp, sd_perf = sides["sd_importance"], sides["sd_performance"]
    surely_in = (imp >= MAP_MARGIN * sd_imp) & (-perf >= MAP_MARGIN * sd_perf)
    surely_out = (-imp >= MAP_MARGIN * sd_imp) | (perf >= MAP_MARGIN * sd_perf)
    return ", ".join(sorted(members)) or "none", bool((surely_in | surely_out).all())


def _facts(ctx: Context) -> dict:
    """Everything the claims of one run need, computed once per run (the population is large)."""
    branch, outcome = ctx["branch"], ctx["outcome"]
    key = (ctx.seed, branch, outcome, str(ctx.data_dir))
    if key not in _FACTS:
        pop = _frame(ctx.population(SCALE)["survey"], branch)
        run = _frame(data.load("survey", ctx.data_dir), branch)
        found = ctx.truth["drivers_latent"][branch or "whole chain"]
        latent = {
            "rw": _ranking(pd.Series(found["relative_weight_percent"])),
            "beta": _ranking(pd.Series(found["beta"])),
        }
        rng = np.random.default_rng(ctx.seed)
        clear = {
            o: _ranking_clear(pop, o, latent, int(run[FACTORS + [o]].notna().all(axis=1).sum()), rng)
            for o in OUTCOMES
        }
        members, map_clear = _map_truth(pop, outcome, len(run), rng)
        _FACTS[key] = {
            "shares": drivers.relative_weights(pop, outcome, FACTORS, missing="listwise")[
                "percent"
            ].to_dict(),
            "lmg": drivers.lmg(pop, outcome, FACTORS, missing="listwise")["percent"].to_dict(),
            "latent": latent,
            "ranking_clear": clear,
            "concentrate": members,
            "map_clear": map_clear,
        }
    return _FACTS[key]


def _share(factor: str, measure: str = "shares"):
    return lambda ctx: Truth(_facts(ctx)[measure][factor])


def _ranking_truth(ctx: Context) -> Truth:
    f = _facts(ctx)
    return Truth(" > ".join(f["latent"]["rw"]), clear=f["ranking_clear"][ctx["outcome"]]["rw"])


def _same_for_outcomes(ctx: Context) -> Truth:
    return Truth(True, clear=all(c["rw"] for c in _facts(ctx)["ranking_clear"].values()))


def _methods_agree(ctx: Context) -> Truth:
    f, outcome = _facts(ctx), ctx["outcome"]
    ordinal = "satisfaction" if outcome == "recommend" else outcome
    clear = all(f["ranking_clear"][o][m] for o in {outcome, ordinal} for m in ("rw", "beta"))
    return Truth(f["latent"]["rw"] == f["latent"]["beta"], clear=clear)


def _concentrate(ctx: Context) -> Truth:
    f = _facts(ctx)
    return Truth(f["concentrate"], clear=f["map_clear"])


CLAIMS = [
    *[
        Claim(
            f"rw_share_{f}",
            "interval",
            f"{f}'s share of the explained variance (relative weights)",
            _share(f),
        )
        for f in FACTORS
    ],
    *[
        Claim(
            f"lmg_share_{f}",
            "interval",
            f"{f}'s Shapley (LMG) share of the explained variance",
            _share(f, "lmg"),
        )
        for f in FACTORS
    ],
    Claim(
        "driver_ranking",
        "verdict",
        "the factors ranked by relative weight, as the latent truth ranks them",
        _ranking_truth,
    ),
    Claim(
        "ranking_same_for_outcomes",
        "verdict",
        "satisfaction, recommendation and buying again share a ranking",
        _same_for_outcomes,
    ),
    Claim(
        "blank_resolution_gap",
        "interval",
        "outcome where problem resolution was rated minus where blank (0)",
        lambda ctx: Truth(0.0),
    ),
    Claim(
        "methods_agree_on_ranking",
        "verdict",
        "beta weights, relative weights, LMG and ordered logit rank the factors alike",
        _methods_agree,
    ),
    Claim("concentrate_here", "verdict", "the items in the 'concentrate here' quadrant", _concentrate),
]
