"""Direct coverage simulations: does a lesson's interval cover its truth at its nominal rate?

``python -m benchmarks.coverage retention_gap --businesses 2000`` and
``python -m benchmarks.coverage shares --businesses 40 --samples 10``.

``cxkit claims --seeds 20`` judges each claim on 20 runs. Claims of one run share its data, so a
sweep has few independent looks, and with about 140 claims some fall below their target by chance
(the sweep's ``chance`` column). Two claims stayed short over 40 seeds: lesson 9's retention gap
(32 of 40) and lesson 4's relative-weight shares (203 of 240 at a mean nominal 0.91). Each is
measured here directly, without a kernel, over far more samples than a sweep can afford, at the
confidence levels the sweep uses:

* ``retention_gap`` (lesson 9): each business is generated at the course's size
  (``synth.generate(seed, comments=False)``); the lesson's measures
  (:func:`cxlib.kit.truths.lesson_09._measures`) for 2024 give the two groups (level 5, levels 1-2),
  and Newcombe's interval (:func:`cxlib.metrics.share_difference_from_counts`) is checked against the
  generator's exact retention by level (:func:`cxlib.kit.truths.lesson_09.exact_retention_by_level`),
  levels 1 and 2 mixed in the run's own proportions.
* ``shares`` (lesson 4): each business is regenerated at :data:`SHARES_SCALE` times the course's size;
  for three scopes (the chain or a branch, cycling) and outcomes, the truth is the relative-weight
  shares of the whole regeneration, as :mod:`cxlib.kit.truths.lesson_04` computes them. Each sample
  keeps every customer with chance ``1 / SHARES_SCALE`` (all their responses: a course-size sample
  of the same business) and gets the lesson's interval: the customer bootstrap's standard error
  (200 resamples) times the normal quantile. The percentile interval of the same resamples is
  shown beside it.

* ``regeneration`` (the premise of every population truth): a truth computed on the business
  regenerated at 40 times the size is the truth of the course-size business only if that business
  is distributed like a course-size sample of the regeneration. For each seed and branch, the
  course-size business's NPS minus the rest's (lesson 3's comparison) is set against
  :data:`SUBSAMPLES` customer subsamples of the regeneration: the z-score of the course-size value
  (against the regeneration's value, in units of the subsamples' spread) should have mean 0 and a
  standard deviation near 1 (a little above: the spread is itself estimated).

Each table row gives the coverage with two standard errors of the simulation (binomial, treating
the samples as independent; the three shares of one sample are not, so their band is wider).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
from scipy.stats import norm

LEVELS = (0.8, 0.9, 0.95, 0.99)
SHARES_SCALE = 20
BOOTSTRAP = 200
REGENERATION_SCALE = 40
SUBSAMPLES = 60
OUTCOMES = ("satisfaction", "recommend", "buy_again")


def retention_gap(businesses: int, first_seed: int = 1000) -> pd.DataFrame:
    """Coverage of lesson 9's retention-gap interval over ``businesses`` generated businesses.

    Parameters
    ----------
    businesses : int
        How many businesses (seeds ``first_seed``, ``first_seed + 1``, ...).
    first_seed : int
        The first seed.

    Returns
    -------
    DataFrame
        One row per confidence level: ``nominal``, ``covered`` (share of businesses), ``band`` (two
        standard errors of that share), ``samples``.
    """
    from cxlib import metrics, synth
    from cxlib.kit.truths import lesson_09

    exact = lesson_09.exact_retention_by_level()
    hits = {c: 0 for c in LEVELS}
    for seed in range(first_seed, first_seed + businesses):
        tables, _ = synth.generate(seed=seed, comments=False)
        joined = lesson_09._measures(tables["transactions"], tables["survey"], 2024)["joined"]
        top = int(joined["satisfaction"].max())
        high = joined.loc[joined["satisfaction"] == top, "retained"]
        low = joined.loc[joined["satisfaction"] <= 2, "retained"]
        share_1 = float((joined["satisfaction"] == 1).sum() / len(low))
        truth = 100 * (exact[top] - (share_1 * exact[1] + (1 - share_1) * exact[2]))
        for c in LEVELS:
            got = metrics.share_difference_from_counts(
                high.sum(), len(high), low.sum(), len(low), confidence=c
            ).iloc[0]
            hits[c] += bool(got["low"] <= truth <= got["high"])
    return _table({c: (hits[c], businesses) for c in LEVELS})


def shares(businesses: int, samples: int, first_seed: int = 0) -> pd.DataFrame:
    """Coverage of lesson 4's relative-weight share intervals in course-size samples.

    Parameters
    ----------
    businesses : int
        How many businesses (seeds ``first_seed``, ...), each regenerated at :data:`SHARES_SCALE`.
    samples : int
        Course-size samples drawn per business and scope (three scopes per business).
    first_seed : int
        The first seed.

    Returns
    -------
    DataFrame
        One row per interval and confidence level: ``interval`` ("normal", the lesson's, or
        "percentile"), ``nominal``, ``covered`` (share of the shares), ``band``, ``samples``.
    """
    from cxlib import drivers, synth
    from cxlib.kit.truths import lesson_04

    factors = lesson_04.FACTORS
    scopes = [None, *synth.BRANCHES]
    hits = {(kind, c): 0 for kind in ("normal", "percentile") for c in LEVELS}
    count = 0

    def weights(frame, outcome):
        return drivers.relative_weights(frame, outcome, factors, missing="listwise")["percent"].to_numpy()

    for seed in range(first_seed, first_seed + businesses):
        survey = synth.generate(seed=seed, scale=SHARES_SCALE, comments=False)[0]["survey"]
        rng = np.random.default_rng(1000 + seed)
        for j in range(3):
            branch, outcome = scopes[(3 * seed + j) % len(scopes)], OUTCOMES[(seed + j) % 3]
            rows = survey if branch is None else survey[survey["branch"] == branch]
            whole = lesson_04._frame(survey, branch).join(rows["customer_id"].reset_index(drop=True))
            whole = whole[[*factors, outcome, "customer_id"]]
            truth = weights(whole, outcome)
            customer = pd.factorize(whole["customer_id"])[0]
            for _ in range(samples):
                keep = rng.random(customer.max() + 1)[customer] < 1 / SHARES_SCALE
                sample = whole[keep].reset_index(drop=True)
                estimate = weights(sample, outcome)
                own = pd.factorize(sample["customer_id"])[0]
                k, rows_at = own.max() + 1, np.arange(len(sample))
                boot = np.array(
                    [
                        weights(
                            sample.iloc[
                                np.repeat(rows_at, np.bincount(rng.integers(0, k, k), minlength=k)[own])
                            ],
                            outcome,
                        )
                        for _ in range(BOOTSTRAP)
                    ]
                )
                se = boot.std(axis=0, ddof=1)
                count += len(truth)
                for c in LEVELS:
                    z, tail = norm.ppf(0.5 + c / 2), (1 - c) / 2
                    hits["normal", c] += int(np.sum(np.abs(estimate - truth) <= z * se))
                    low, high = np.quantile(boot, [tail, 1 - tail], axis=0)
                    hits["percentile", c] += int(np.sum((low <= truth) & (truth <= high)))
    out = []
    for kind in ("normal", "percentile"):
        table = _table({c: (hits[kind, c], count) for c in LEVELS})
        out.append(table.assign(interval=kind))
    return pd.concat(out, ignore_index=True)[["interval", "nominal", "covered", "band", "samples"]]


def regeneration(businesses: int, first_seed: int = 0) -> pd.DataFrame:
    """The course-size business against course-size subsamples of its regeneration (lesson 3's NPS).

    Parameters
    ----------
    businesses : int
        How many businesses (seeds ``first_seed``, ...), each also regenerated at
        :data:`REGENERATION_SCALE` times the size.
    first_seed : int
        The first seed.

    Returns
    -------
    DataFrame
        One row: ``comparisons`` (seeds times branches), ``z_mean`` and ``z_sd`` of the course-size
        values' z-scores, ``subsample_bias`` (mean of the subsamples' mean minus the regeneration's
        value, in the same units: the subsamples themselves centre on it) and ``expected_sd`` (the
        standard deviation a correct setup gives, from estimating the spread with
        :data:`SUBSAMPLES` subsamples).
    """
    from cxlib import synth
    from cxlib.kit.truths import lesson_03

    def minus_rest(survey):
        return pd.Series(lesson_03._branch_minus_rest(lesson_03._scores(survey)))

    z, bias = [], []
    for seed in range(first_seed, first_seed + businesses):
        course = synth.generate(seed=seed, comments=False)[0]["survey"]
        big = synth.generate(seed=seed, scale=REGENERATION_SCALE, comments=False)[0]["survey"]
        rng = np.random.default_rng(seed)
        customer = pd.factorize(big["customer_id"])[0]
        draws = pd.DataFrame(
            [
                minus_rest(big[rng.random(customer.max() + 1)[customer] < 1 / REGENERATION_SCALE])
                for _ in range(SUBSAMPLES)
            ]
        )
        truth, here = minus_rest(big), minus_rest(course)
        z.extend(((here - truth) / draws.std()).tolist())
        bias.extend(((draws.mean() - truth) / draws.std()).tolist())
    k = SUBSAMPLES
    return pd.DataFrame(
        [
            {
                "comparisons": len(z),
                "z_mean": float(np.mean(z)),
                "z_sd": float(np.std(z, ddof=1)),
                "subsample_bias": float(np.mean(bias)),
                "expected_sd": float(np.sqrt((k - 1) / (k - 3))),
            }
        ]
    )


def _table(hits: dict) -> pd.DataFrame:
    rows = []
    for c, (k, n) in hits.items():
        rows.append({"nominal": c, "covered": k / n, "band": 2 * np.sqrt(c * (1 - c) / n), "samples": n})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coverage", description=__doc__.split("\n")[0])
    parser.add_argument("claim", choices=["retention_gap", "shares", "regeneration"])
    parser.add_argument("--businesses", type=int, default=200)
    parser.add_argument("--samples", type=int, default=10, help="shares: samples per business and scope")
    parser.add_argument("--first-seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.claim == "retention_gap":
        table = retention_gap(args.businesses, 1000 if args.first_seed is None else args.first_seed)
    elif args.claim == "shares":
        table = shares(args.businesses, args.samples, 0 if args.first_seed is None else args.first_seed)
    else:
        table = regeneration(args.businesses, 0 if args.first_seed is None else args.first_seed)
    print(table.round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
