"""The truth of lesson 7's claims: outcomes by level of service, the steps between levels, and Kano.

* The NPS and repurchase share of a level are population quantities: the lesson's rule
  (``levels.service_level`` with the run's ``max_effort``) applied to the same business regenerated
  40 times larger (:meth:`Context.population`), one response per customer as in the lesson.
* Step verdicts (``step_<outcome>_<from>_<to>``): the sign of the population step, clear when a test
  at the lesson's Bonferroni level (``(1 - confidence) / 8``) finds it with probability 97.5% or more
  (:mod:`cxlib.kit.truths._decide`), with the standard error of a step at the run's level sizes
  computed from the population shares.
* ``kano_share_in_line``: the mean over features of the expected share of answers in the feature's
  true category (``truth.json: kano.share_in_true_category``).
* ``kano_correct``: the number of features whose most probable category (the generator's expected
  shares, :func:`cxlib.synth.kano_category_shares`, ties broken as the lesson does) is the true one;
  clear when multinomial draws of the run's size give that count at least 97.5% of the time.
"""

from __future__ import annotations

import functools

import numpy as np

from cxlib import data, levels, synth

from . import Claim, Truth
from ._decide import alpha_of, picked_truth, sign_truth

LESSON = "07_levels_of_service"
POPULATION_SCALE = 40.0
STEPS = list(zip(levels.SERVICE_LEVELS[:-1], levels.SERVICE_LEVELS[1:]))
VERDICTS = ("falls", "no clear change", "rises")

_LEVELS: dict = {}


def _first(survey):
    return survey.sort_values("response_id").drop_duplicates("customer_id")


def _shares(survey, max_effort: int) -> dict:
    """Per level: customers, the share definitely buying again, and the promoter and detractor shares."""
    first = _first(survey)
    lv = levels.service_level(first, max_effort=max_effort)
    out = {}
    for name in levels.SERVICE_LEVELS:
        g = first[(lv == name).to_numpy()]
        rec = g["recommend"].to_numpy()
        out[name] = {
            "n": len(g),
            "repurchase": float((g["buy_again"] == 5).mean()) if len(g) else np.nan,
            "promoters": float((rec >= 9).mean()) if len(g) else np.nan,
            "detractors": float((rec <= 6).mean()) if len(g) else np.nan,
        }
    return out


def _population_levels(ctx) -> dict:
    max_effort = int(ctx.params.get("max_effort", 2))
    key = (ctx.seed, max_effort)
    if key not in _LEVELS:
        if len(_LEVELS) > 16:
            _LEVELS.clear()
        _LEVELS[key] = _shares(ctx.population(POPULATION_SCALE)["survey"], max_effort)
    return _LEVELS[key]


@functools.lru_cache(maxsize=64)
def _run_sizes(data_dir: str, max_effort: int) -> dict:
    return {k: v["n"] for k, v in _shares(data.load("survey", data_dir), max_effort).items()}


def _value(p: dict, outcome: str) -> float:
    if outcome == "repurchase":
        return 100 * p["repurchase"]
    return 100 * (p["promoters"] - p["detractors"])


def _variance(p: dict, outcome: str) -> float:
    """Variance of one customer's contribution (in points squared)."""
    if outcome == "repurchase":
        return 100**2 * p["repurchase"] * (1 - p["repurchase"])
    return 100**2 * (p["promoters"] + p["detractors"] - (p["promoters"] - p["detractors"]) ** 2)


def _level_value(outcome: str, name: str):
    return lambda ctx: Truth(_value(_population_levels(ctx)[name], outcome))


def _step(outcome: str, a: str, b: str):
    def truth(ctx):
        pop = _population_levels(ctx)
        n = _run_sizes(str(ctx.data_dir), int(ctx.params.get("max_effort", 2)))
        if min(n[a], n[b]) < 2:
            return None
        se = float(np.sqrt(_variance(pop[a], outcome) / n[a] + _variance(pop[b], outcome) / n[b]))
        alpha = alpha_of(ctx) / (2 * len(STEPS))
        return sign_truth(_value(pop[b], outcome) - _value(pop[a], outcome), se, alpha, VERDICTS)

    return truth


def _share_in_line(ctx):
    shares = ctx.truth["kano"]["share_in_true_category"]
    return Truth(float(np.mean(list(shares.values()))))


@functools.lru_cache(maxsize=32)
def _kano_sizes(data_dir: str) -> dict:
    df = data.load("kano", data_dir)
    return df.groupby("attribute", observed=True).size().astype(int).to_dict()


def _modal(counts: np.ndarray) -> np.ndarray:
    """The lesson's category (most frequent; ties in ``levels.KANO_PRIORITY`` order) of each row of counts."""
    priority = [levels.KANO_CATEGORIES.index(c) for c in levels.KANO_PRIORITY]
    tied = counts[:, priority] >= counts.max(axis=1, keepdims=True)
    return np.asarray(priority)[np.argmax(tied, axis=1)]


def _kano_correct(ctx):
    true = ctx.truth["kano"]["true_category"]
    sizes = _kano_sizes(str(ctx.data_dir))
    rng = np.random.default_rng(0)
    draws_right = np.zeros(4000, dtype=int)
    value = 0
    for attribute, category in true.items():
        shares = synth.kano_category_shares(category)
        p = np.array([shares[c] for c in levels.KANO_CATEGORIES])
        right = levels.KANO_CATEGORIES.index(category)
        value += int(_modal(p[None, :])[0] == right)
        counts = rng.multinomial(sizes.get(attribute, 0), p / p.sum(), size=len(draws_right))
        draws_right += _modal(counts) == right
    return picked_truth(value, draws_right)


CLAIMS = [
    Claim("nps_satisfy", "interval", "NPS of customers at the satisfy level", _level_value("nps", "satisfy")),
    Claim("nps_amaze", "interval", "NPS of customers at the amaze level", _level_value("nps", "amaze")),
    Claim(
        "repurchase_amaze",
        "interval",
        "share definitely buying again at the amaze level (%)",
        _level_value("repurchase", "amaze"),
    ),
    *(
        Claim(f"step_{outcome}_{a}_{b}", "verdict", f"{outcome} rises from {a} to {b}", _step(outcome, a, b))
        for a, b in STEPS
        for outcome in ("repurchase", "nps")
    ),
    Claim("kano_share_in_line", "interval", "share of Kano answers in the true category", _share_in_line),
    Claim("kano_correct", "verdict", "features whose most frequent category is the true one", _kano_correct),
]
