"""The coverage simulations of benchmarks/coverage.py run at tiny sizes; their full runs are measurements.

What is asserted holds at any size: one row per level, shares between 0 and 1, and coverage that
never falls as the level rises (the intervals of one sample are nested: a wider level covers
whatever a narrower one covered).
"""

import numpy as np
import pytest

from benchmarks import coverage


def _nested(table):
    assert list(table["nominal"]) == list(coverage.LEVELS)
    assert table["covered"].between(0, 1).all()
    assert np.all(np.diff(table["covered"].to_numpy()) >= 0)


def test_the_retention_gap_simulation_counts_each_business_at_each_level():
    table = coverage.retention_gap(6)
    assert (table["samples"] == 6).all()
    _nested(table)


@pytest.mark.slow  # a business regenerated at 20 times the course's size, and 200 resamples a sample
def test_the_share_simulation_checks_three_shares_per_sample_and_both_intervals():
    table = coverage.shares(1, 1)
    assert set(table["interval"]) == {"normal", "percentile"}
    for _, part in table.groupby("interval"):
        assert (part["samples"] == 9).all()  # three scopes, one sample each, three shares
        _nested(part.reset_index(drop=True))


@pytest.mark.slow  # a business regenerated at 40 times the course's size
def test_the_regeneration_check_compares_every_branch_and_its_subsamples_centre_on_the_regeneration():
    from cxlib import synth

    row = coverage.regeneration(1).iloc[0]
    assert row["comparisons"] == len(synth.BRANCHES)
    assert np.isfinite(row["z_mean"]) and row["z_sd"] > 0
    # 60 subsamples' mean is within a fraction of one subsample's spread of the value they sample
    assert abs(row["subsample_bias"]) < 0.5
