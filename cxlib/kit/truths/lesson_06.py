"""The truth of lesson 6's claims: the benchmark against competitors and the best in class.

True values: ``truth.json`` holds each business's expected rating of each item
(``benchmark_true_means``) and its expected overall quality ranking
(``benchmark_true_overall_quality``). Derived importance (the correlation of each factor score with
satisfaction, one response per customer) is a population quantity: it comes from the same
business regenerated 40 times larger (:meth:`Context.population`).

Whether a verdict is clear follows :mod:`cxlib.kit.truths._decide`, with standard errors and
covariances estimated from the run's data and the lesson's Bonferroni split of the error rate:

* ``overall_vs_<business>`` and ``overall_<a>_vs_<b>``: the sign of the true difference in overall
  quality for each of the ten pairs of businesses, which the lesson tests with Holm's correction.
  Holm rejects whenever Bonferroni does, so the chance that it finds a true difference's sign is at
  least the power at ``(1 - confidence) / 10``; for a true tie (QuickHome and Casa Direct are built
  alike) the chance that it flags nothing is at least ``confidence`` (Holm's error rate bounds each
  true null's). Clear when that lower bound is at least 97.5%.
* ``market_<item>``: our true mean minus the rest of the furniture market's (the other three
  businesses' true means weighted by their answered ratings in the run, as the lesson pools them),
  judged the same way with Holm over the 40 business x item cells, the standard error from the
  run's data as :func:`cxlib.groups.versus_rest` computes it.
* Counts (``items_leading_competitor``, ``items_trailing_competitor``, ``below_minimum_standard``,
  ``items_trailing_best_in_class``): the true count of comparisons whose true difference has that
  sign. Clear when the chance that *every* comparison in the count is classified right (the
  product of the per-comparison chances, at ``(1 - confidence) / 40``) is at least 97.5%; the
  count can be right in other ways too, so this is on the safe side.
* ``best_in_class_furthest_item`` and ``lead_factor``: draws of every business's item means around
  their true values (covariance of the items within a business, from the run's data).
* ``most_important_factor``: subsamples of the population's first responses at the run's size;
  ``importance_gap`` (its correlation minus the lead factor's) is judged only when both verdicts
  are clear and name different factors, so that the lesson estimates the same contrast.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import ndtr, ndtri

from cxlib import data

from . import Claim, Truth
from ._decide import CLEAR_AT, TIE, alpha_of, draws, picked_truth, sign_truth, slug

LESSON = "06_benchmarking"
VERDICTS = ("trails", "on par", "leads")
FACTORS = list(data.FACTORS)
ITEMS = data.items()
ITEM_FACTOR = {i: f for f in FACTORS for i in data.items(f)}
POPULATION_SCALE = 40.0


@functools.lru_cache(maxsize=32)
def _bench(data_dir: str) -> dict:
    """Per business: the item covariance, each item's variance and count, and the overall ranking's."""
    df = data.load("benchmark", data_dir)
    out = {}
    for biz, g in df.groupby("business", observed=True):
        x = g[ITEMS].astype(float)
        out[str(biz)] = {
            "cov": x.cov().to_numpy(),
            "var": x.var().to_numpy(),
            "n": x.count().to_numpy(),
            "overall": (float(g["overall_quality"].var()), len(g)),
        }
    return out


def _businesses(ctx) -> tuple[str, list[str]]:
    us = ctx.truth["business"]
    return us, [b for b in ctx.truth["benchmark_true_means"] if b != us]


def _true_diff(ctx, business: str) -> np.ndarray:
    us, _ = _businesses(ctx)
    means = ctx.truth["benchmark_true_means"]
    return np.array([means[us][i] - means[business][i] for i in ITEMS])


def _item_se(ctx, business: str) -> np.ndarray:
    us, _ = _businesses(ctx)
    stats = _bench(str(ctx.data_dir))
    return np.sqrt(stats[us]["var"] / stats[us]["n"] + stats[business]["var"] / stats[business]["n"])


def _per_testalpha_of(ctx) -> float:
    _, others = _businesses(ctx)
    return alpha_of(ctx) / (len(others) * len(ITEMS))


def holm_truth(diff: float, se: float, alpha: float, family: int, labels: tuple[str, str, str]) -> Truth:
    """The true verdict of one comparison in a Holm-corrected family, and whether it is clear.

    Parameters
    ----------
    diff, se : float
        The true difference and its standard error at the run's size.
    alpha : float
        The family's error rate (one minus the confidence).
    family : int
        The number of comparisons Holm corrects for.
    labels : tuple of str
        The lesson's words for (below zero, no difference, above zero).

    Returns
    -------
    Truth
        Clear when a lower bound of the chance that Holm reaches the true verdict is at least
        :data:`CLEAR_AT`: the power at Bonferroni's level ``alpha / family`` for a true difference
        (Holm rejects whenever Bonferroni does), ``1 - alpha`` for a true tie.

    Examples
    --------
    >>> holm_truth(0.0, 0.1, 0.01, 10, ("b", "none", "a"))
    Truth(value='none', clear=True)
    >>> holm_truth(0.0, 0.1, 0.05, 10, ("b", "none", "a")).clear
    False
    >>> holm_truth(-1.0, 0.13, 0.05, 10, ("b", "none", "a"))
    Truth(value='b', clear=True)
    """
    if abs(diff) <= TIE:
        return Truth(labels[1], clear=1 - alpha >= CLEAR_AT)
    return sign_truth(diff, se, alpha / family, labels)


PAIRS_OVERALL = 10  # five businesses, every pair


def _overall_diff(ctx, a: str, b: str) -> tuple[float, float]:
    true = ctx.truth["benchmark_true_overall_quality"]
    stats = _bench(str(ctx.data_dir))
    (v_a, n_a), (v_b, n_b) = stats[a]["overall"], stats[b]["overall"]
    return true[a] - true[b], float(np.sqrt(v_a / n_a + v_b / n_b))


def _overall_vs(business: str):
    def truth(ctx):
        us, others = _businesses(ctx)
        if business not in others:
            return None
        diff, se = _overall_diff(ctx, us, business)
        return holm_truth(diff, se, alpha_of(ctx), PAIRS_OVERALL, VERDICTS)

    return truth


def _overall_pair(first: str, second: str):
    def truth(ctx):
        diff, se = _overall_diff(ctx, first, second)
        return holm_truth(diff, se, alpha_of(ctx), PAIRS_OVERALL, (second, "no difference", first))

    return truth


@functools.lru_cache(maxsize=32)
def _market(data_dir: str) -> dict:
    """Per item, for us: the other furniture businesses' answered counts and the pooled rest's and our
    variance and counts (the standard error of :func:`cxlib.groups.versus_rest`)."""
    df = data.load("benchmark", data_dir)
    df = df[df["business_type"] != "best in class"]
    us = df.loc[df["business_type"] == "us", "business"].iloc[0]
    mine, rest = df[df["business"] == us], df[df["business"] != us]
    out = {}
    for item in ITEMS:
        a, b = mine[item].dropna().astype(float), rest[item].dropna().astype(float)
        counts = rest.groupby("business", observed=True)[item].count()
        out[item] = {
            "counts": {str(k): int(v) for k, v in counts.items() if v > 0},
            "se": float(np.sqrt(a.var() / len(a) + b.var() / len(b))),
        }
    return out


MARKET_CELLS = 40  # four furniture businesses x ten items


def _market_item(item: str):
    def truth(ctx):
        us = ctx.truth["business"]
        means = ctx.truth["benchmark_true_means"]
        cell = _market(str(ctx.data_dir))[item]
        n = cell["counts"]
        rest = sum(n[b] * means[b][item] for b in n) / sum(n.values())
        return holm_truth(
            means[us][item] - rest,
            cell["se"],
            alpha_of(ctx),
            MARKET_CELLS,
            ("below", "no difference", "above"),
        )

    return truth


def _count(ctx, businesses: list[str], sign: int) -> Truth:
    """How many (business, item) comparisons truly have ``sign``; clear when all are classified right."""
    crit = float(ndtri(1 - _per_testalpha_of(ctx) / 2))
    value, chance = 0, 1.0
    for b in businesses:
        for diff, se in zip(_true_diff(ctx, b), _item_se(ctx, b)):
            called = float(ndtr(sign * diff / se - crit))  # the chance its test says ``sign``
            truly = abs(diff) > TIE and np.sign(diff) == sign
            value += int(truly)
            chance *= called if truly else 1 - called
    return Truth(value, clear=chance >= CLEAR_AT)


def _competitors(ctx) -> list[str]:
    us, others = _businesses(ctx)
    return [b for b in others if b != _best_in_class(ctx)]


def _best_in_class(ctx) -> str:
    # the business the lesson treats as best in class: the one the benchmark table types so
    types = _types(str(ctx.data_dir))
    return next(b for b, t in types.items() if t == "best in class")


@functools.lru_cache(maxsize=32)
def _types(data_dir: str) -> dict:
    df = data.load("benchmark", data_dir)
    return df.drop_duplicates("business").set_index("business")["business_type"].astype(str).to_dict()


def _competitor_count(sign: int):
    def truth(ctx):
        competitor = ctx.params.get("competitor")
        return None if competitor is None else _count(ctx, [competitor], sign)

    return truth


def _below_minimum(ctx):
    return _count(ctx, _competitors(ctx), -1)


def _trailing_best(ctx):
    return _count(ctx, [_best_in_class(ctx)], -1)


def _item_draws(ctx) -> dict:
    """Draws of every business's item means around the truth."""
    stats = _bench(str(ctx.data_dir))
    means = ctx.truth["benchmark_true_means"]
    return {
        b: draws([means[b][i] for i in ITEMS], stats[b]["cov"] / stats[b]["n"].min(), seed=k)
        for k, b in enumerate(means)
    }


def _furthest(ctx):
    us, hotel = ctx.truth["business"], _best_in_class(ctx)
    true = _true_diff(ctx, hotel)
    d = _item_draws(ctx)
    picked = np.array(ITEMS, dtype=object)[np.argmin(d[us] - d[hotel], axis=1)]
    return picked_truth(ITEMS[int(np.argmin(true))], picked)


def _gap_max(ctx):
    return Truth(float(-_true_diff(ctx, _best_in_class(ctx)).min()))


def _factor_leads(diffs: dict) -> np.ndarray:
    """Mean lead per factor over competitors and the factor's items; ``diffs[b]`` has items in columns."""
    stacked = np.stack(list(diffs.values()))  # businesses x draws x items
    return np.stack(
        [stacked[..., [ITEMS.index(i) for i in data.items(f)]].mean(axis=(0, -1)) for f in FACTORS], axis=-1
    )


def _lead_factor(ctx):
    us, comps = ctx.truth["business"], _competitors(ctx)
    true = _factor_leads({b: _true_diff(ctx, b)[None, :] for b in comps})[0]
    d = _item_draws(ctx)
    leads = _factor_leads({b: d[us] - d[b] for b in comps})
    return picked_truth(
        FACTORS[int(np.argmax(true))], np.array(FACTORS, dtype=object)[np.argmax(leads, axis=1)]
    )


_SCORES: dict = {}


def _population_scores(ctx):
    """Factor scores and satisfaction of the population's customers (first response each)."""
    if ctx.seed not in _SCORES:
        from cxlib import scales

        survey = ctx.population(POPULATION_SCALE)["survey"]
        first = survey.sort_values("response_id").drop_duplicates("customer_id")
        scores = scales.factor_scores(first).assign(satisfaction=first["satisfaction"].astype(float))
        _SCORES.clear()
        _SCORES[ctx.seed] = scores.dropna()
    return _SCORES[ctx.seed]


@functools.lru_cache(maxsize=32)
def _run_size(data_dir: str) -> int:
    from cxlib import scales

    survey = data.load("survey", data_dir)
    first = survey.sort_values("response_id").drop_duplicates("customer_id")
    return int(scales.factor_scores(first).notna().all(axis=1).sum())


def _correlations(scores) -> np.ndarray:
    return scores[[*FACTORS, "satisfaction"]].corr().to_numpy()[:-1, -1]


def _most_important(ctx):
    pop = _population_scores(ctx)
    true = _correlations(pop)
    n = _run_size(str(ctx.data_dir))
    rng = np.random.default_rng(0)
    x = pop[[*FACTORS, "satisfaction"]].to_numpy()
    picks = []
    for _ in range(400):
        sample = x[rng.choice(len(x), size=n, replace=False)]
        picks.append(FACTORS[int(np.argmax(np.corrcoef(sample, rowvar=False)[:-1, -1]))])
    return picked_truth(FACTORS[int(np.argmax(true))], picks)


def _importance_gap(ctx):
    top, lead = _most_important(ctx), _lead_factor(ctx)
    if not (top.clear and lead.clear) or top.value == lead.value:
        return None
    r = dict(zip(FACTORS, _correlations(_population_scores(ctx))))
    return Truth(float(r[top.value] - r[lead.value]))


def _us_overall(ctx):
    return Truth(float(ctx.truth["benchmark_true_overall_quality"][ctx.truth["business"]]))


CLAIMS = [
    Claim("overall_quality_us", "interval", "our mean overall quality ranking (1-10)", _us_overall),
    *(
        Claim(
            f"overall_vs_{slug(b)}",
            "verdict",
            f"overall quality: we lead, match or trail {b}",
            _overall_vs(b),
        )
        for b in ("Northfield Furniture", "QuickHome", "Casa Direct", "Grand Meridian Hotel")
    ),
    *(
        Claim(
            f"overall_{slug(a)}_vs_{slug(b)}",
            "verdict",
            f"overall quality: which of {a} and {b} is higher, if the data tell",
            _overall_pair(a, b),
        )
        for a, b in (
            ("Casa Direct", "Grand Meridian Hotel"),
            ("Casa Direct", "Northfield Furniture"),
            ("Casa Direct", "QuickHome"),
            ("Grand Meridian Hotel", "Northfield Furniture"),
            ("Grand Meridian Hotel", "QuickHome"),
            ("Northfield Furniture", "QuickHome"),
        )
    ),
    *(
        Claim(
            f"market_{item}",
            "verdict",
            f"{item}: we stand above, level with or below the market",
            _market_item(item),
        )
        for item in ITEMS
    ),
    Claim(
        "items_leading_competitor",
        "verdict",
        "items where we lead the chosen competitor",
        _competitor_count(1),
    ),
    Claim(
        "items_trailing_competitor",
        "verdict",
        "items where we trail the chosen competitor",
        _competitor_count(-1),
    ),
    Claim(
        "below_minimum_standard", "verdict", "competitor x item comparisons where we trail", _below_minimum
    ),
    Claim(
        "items_trailing_best_in_class", "verdict", "items where we trail the best in class", _trailing_best
    ),
    Claim("best_in_class_furthest_item", "verdict", "the item furthest below the best in class", _furthest),
    Claim("gap_to_best_in_class_max", "estimate", "the largest gap to the best in class (points)", _gap_max),
    Claim("lead_factor", "verdict", "the factor of our largest mean lead over competitors", _lead_factor),
    Claim(
        "most_important_factor",
        "verdict",
        "the factor whose score goes most with satisfaction",
        _most_important,
    ),
    Claim("importance_gap", "interval", "r(most important factor) - r(lead factor)", _importance_gap),
]
