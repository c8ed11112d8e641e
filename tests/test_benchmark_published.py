"""Benchmarking on published scores (one score per organisation and measure): ranks, percentiles,
gaps to the best and to the peers' quartiles, and the interval of a rank."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib.benchmark import PUBLISHED_COLUMNS, published_ranks
from cxlib.errors import InputError

# Scores in the style of HCAHPS top-box percentages: eight hospitals, two measures
TABLE = pd.DataFrame(
    {
        "organisation": list("ABCDEFGH") * 2,
        "measure": ["nurses"] * 8 + ["quiet"] * 8,
        "outcome": [81, 77, 85, 74, 79, 88, 72, 80, 61, 55, 67, 58, 49, 70, 52, 60],
        "n": [300, 250, 400, 150, 500, 350, 200, 320] * 2,
    }
)


def test_rank_percentile_and_quartiles_agree_with_scipy_and_numpy():
    t = published_ranks(TABLE, "outcome", "A")
    assert list(t.columns) == PUBLISHED_COLUMNS
    for _, row in t.iterrows():
        x = TABLE.loc[TABLE["measure"] == row["measure"]].set_index("organisation")["outcome"]
        peers = x.drop("A")
        # rank 1 = best, ties share the better rank: scipy's rankdata(method="min") of the negated scores
        assert row["rank"] == stats.rankdata(-x.to_numpy(), method="min")[0]
        # the share of the other organisations we beat: scipy's percentileofscore(kind="strict")
        assert row["percentile"] == pytest.approx(stats.percentileofscore(peers, x["A"], kind="strict"))
        # the peers' quartiles: numpy's default (linear, Hyndman and Fan type 7)
        assert row[["peer_q3", "peer_median", "peer_q1"]].tolist() == pytest.approx(
            np.percentile(peers, [25, 50, 75]).tolist()
        )
        assert row["best"] == x.idxmax() and row["gap_to_best"] == x["A"] - x.max()
    nurses = t.set_index("measure").loc["nurses"]
    assert (nurses["rank"], nurses["best"], nurses["gap_to_best"]) == (3, "F", -7)


def test_lower_is_better_reverses_ranks_and_quartiles():
    waits = TABLE.assign(outcome=-TABLE["outcome"])
    up = published_ranks(TABLE, "outcome", "D")
    down = published_ranks(waits, "outcome", "D", higher_is_better=False)
    assert (up["rank"] == down["rank"]).all() and (up["percentile"] == down["percentile"]).all()
    assert (up["quartile"] == down["quartile"]).all()
    np.testing.assert_allclose(down["peer_q1"], -up["peer_q1"])


def test_rank_interval_of_two_organisations_matches_the_normal_probability():
    # Two organisations: we rank first when our draw beats theirs, probability
    # Phi(d / sqrt(se1^2 + se2^2)); the 95% rank interval is [1, 1] when that exceeds 0.975, [1, 2] when
    # it lies between 0.025 and 0.975 (the normal distribution: any statistics textbook).
    def table(ours):
        return pd.DataFrame(
            {"organisation": ["us", "them"], "measure": "m", "outcome": [ours, 50.0], "se": [2.0, 2.0]}
        )

    sure = published_ranks(table(60.0), "outcome", "us", se="se", n_sim=20000)
    assert stats.norm.cdf(10 / np.sqrt(8)) > 0.975 and (sure["rank_low"][0], sure["rank_high"][0]) == (1, 1)
    close = published_ranks(table(52.0), "outcome", "us", se="se", n_sim=20000)
    assert 0.025 < stats.norm.cdf(2 / np.sqrt(8)) < 0.975 and (
        close["rank_low"][0],
        close["rank_high"][0],
    ) == (1, 2)


def test_rank_interval_from_sample_sizes_uses_the_binomial_standard_error():
    t = published_ranks(TABLE, "outcome", "A", n="n", seed=1)
    assert (t["rank_low"] <= t["rank"]).all() and (t["rank"] <= t["rank_high"]).all()
    # nurses: A (81%, n = 300) sits among B 77, E 79, H 80 within two standard errors: its rank is uncertain
    assert t.loc[0, "rank_high"] - t.loc[0, "rank_low"] >= 2
    same = published_ranks(TABLE, "outcome", "A", n="n", seed=1)
    pd.testing.assert_frame_equal(t, same)


def test_bad_input_is_named():
    with pytest.raises(InputError, match="us='Z' is not in column 'organisation'"):
        published_ranks(TABLE, "outcome", "Z")
    with pytest.raises(InputError, match="one score per organisation and measure"):
        published_ranks(pd.concat([TABLE, TABLE.head(1)]), "outcome", "A")
    with pytest.raises(InputError, match="either n="):
        published_ranks(TABLE.assign(se=1.0), "outcome", "A", n="n", se="se")
    with pytest.raises(InputError, match="outside"):
        published_ranks(TABLE.assign(outcome=TABLE["outcome"] * 2), "outcome", "A", n="n")
