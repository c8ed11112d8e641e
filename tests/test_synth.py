"""The generator: same seed, same bytes; other seeds valid; the story is in the data."""

import filecmp
import json

import numpy as np
import pandas as pd
import pytest
from conftest import DATASETS

from cxlib import data, synth
from cxlib.errors import InputError


def test_seed_0_reproduces_the_shipped_datasets_byte_for_byte(tmp_path):
    synth.main(["--seed", "0", "--out", str(tmp_path)])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in DATASETS.iterdir() if p.name != "README.md")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, DATASETS, names, shallow=False)
    assert mismatch == [] and errors == []


def test_seed_1_gives_different_data_that_validates(tmp_path):
    synth.write(tmp_path, seed=1)
    for name in data.tables():
        df = data.load(name, tmp_path)
        assert len(df) > 0
    assert (tmp_path / "survey.csv").read_bytes() != (DATASETS / "survey.csv").read_bytes()
    assert json.loads((tmp_path / "truth.json").read_text())["seed"] == 1


def test_generator_leaves_numpy_global_random_state_alone():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    synth.generate(seed=5, scale=0.05)
    assert np.array_equal(before, np.random.get_state()[1])


def test_scale_multiplies_the_number_of_rows():
    small, _ = synth.generate(seed=0, scale=0.1)
    large, _ = synth.generate(seed=0, scale=0.4)
    ratio = len(large["survey"]) / len(small["survey"])
    assert 3.5 < ratio < 4.5


@pytest.mark.parametrize("seed", [1, 7])
def test_a_larger_regeneration_is_the_same_business(seed):
    # Context.population (cxlib.kit.truths) checks a lesson against the same seed at 40 times the
    # size: every business-level quantity must be the one of the course's size, including the
    # centre and spread of satisfaction that recommendation, effort and buying again are built on
    # (they were once the sample's own, so a regeneration had different outcome equations).
    small, large = synth.business(seed, 1.0), synth.business(seed, 10.0)
    assert np.array_equal(small["branch_effects"], large["branch_effects"])
    assert np.array_equal(small["month_effects"], large["month_effects"])
    assert small["outcome_reference"].keys() == large["outcome_reference"].keys()
    for key, value in small["outcome_reference"].items():
        assert np.array_equal(value, large["outcome_reference"][key]), key
    assert small["training"].equals(large["training"])
    assert small["channels"] == large["channels"]
    # and they are what generate() used: the truth's branch effects, the survey's channel mix
    _, truth = synth.generate(seed, 1.0)
    effects = np.array([[truth["branch_effects"][b][f] for f in synth.FACTORS] for b in synth.BRANCHES])
    assert np.allclose(effects, small["branch_effects"], atol=5e-5)
    # another seed is another business
    assert not np.array_equal(synth.business(seed + 1)["month_effects"], small["month_effects"])


def test_the_reference_is_the_course_sizes_own_sample():
    # At scale 1 the outcomes are standardised on the sample itself (so the shipped data, and every
    # student's, keep their bytes); the reference's spread is that of the latent satisfaction.
    ref = synth.business(2, 1.0)["outcome_reference"]
    assert 0.6 < ref["satisfaction_sd"] < 0.9
    assert ref["factor_means"].shape == (len(synth.FACTORS),)
    with pytest.raises(ValueError, match="scale"):
        synth.business(2, 0)


@pytest.mark.parametrize("seed, scale", [(-1, 1.0), ("0", 1.0), (0, 0), (0, -2.0)])
def test_bad_seed_or_scale_is_a_clear_error(seed, scale):
    with pytest.raises(ValueError, match="seed|scale"):
        synth.generate(seed=seed, scale=scale)


def test_the_data_tell_the_designed_story():
    survey = data.load("survey")
    # realistic ratings: mostly 4s, some missing, reliabilities in the .7-.9 range checked in scales tests
    counts = survey["people_friendliness"].value_counts(normalize=True)
    assert counts.idxmax() == 4
    assert 0.01 < survey["env_comfort"].isna().mean() < 0.06
    assert survey["practices_resolution"].isna().mean() > 0.1
    truth = data.load_truth()
    gap = truth["expectation_gap"]
    # employees over-rate speed and price, under-rate being listened to
    assert gap["speed of service"]["gap"] > 0.5 and gap["low prices"]["gap"] > 0.5
    assert gap["being listened to"]["gap"] < -0.5
    w = truth["driver_weights"]
    assert w["practices"] > w["people"] > w["environment"]
    assert 0.2 < truth["training"]["att_people_score"] < 0.6
    # per trained branch: every trained branch and no other, averaging (over their responses) to the whole
    by_branch = truth["training"]["by_branch"]
    trained = data.load("training").query("trained")["branch"].astype(str)
    assert sorted(by_branch) == sorted(trained)
    assert min(v["att_people_score"] for v in by_branch.values()) > 0.2
    responses = sum(v["responses"] for v in by_branch.values())
    pooled = sum(v["att_people_score"] * v["responses"] for v in by_branch.values()) / responses
    assert pooled == pytest.approx(truth["training"]["att_people_score"], abs=0.0005)


def test_comments_are_free_text_with_quotes_and_accents():
    comments = data.load("survey")["comment"].dropna()
    assert comments.str.contains('"').any() and comments.str.contains("è").any()


def test_the_truth_of_the_kano_shares_and_the_overall_ranking_matches_a_large_sample():
    """truth.json's expected shares and means are what the generator produces, not its settings."""
    tables, truth = synth.generate(seed=2, scale=40)
    kano = tables["kano"]
    from cxlib.levels import kano as classify

    kano = kano.assign(category=classify(kano["functional"], kano["dysfunctional"]).to_numpy())
    for attribute, category in truth["kano"]["true_category"].items():
        got = (kano.loc[kano["attribute"] == attribute, "category"] == category).mean()
        expected = truth["kano"]["share_in_true_category"][attribute]
        se = np.sqrt(expected * (1 - expected) / (kano["attribute"] == attribute).sum())
        assert abs(got - expected) < 4 * se, attribute
    # the generator's rule (60% answer typically) is not the share that lands in the category
    assert truth["kano"]["share_answering_typically"] == synth.KANO_AGREEMENT
    assert min(truth["kano"]["share_in_true_category"].values()) > synth.KANO_AGREEMENT
    bench = tables["benchmark"].groupby("business")["overall_quality"]
    for business, mean in bench.mean().items():
        se = bench.std()[business] / np.sqrt(bench.size()[business])
        assert abs(mean - truth["benchmark_true_overall_quality"][business]) < 4 * se, business


def test_the_comments_draw_from_their_own_stream_and_move_no_other_column():
    """Rewriting the comments (lesson 12) must leave every other survey value where it was."""
    children = np.random.SeedSequence(3).spawn(8)

    def survey(comment_child):
        return synth._survey(np.random.default_rng(children[0]), 0.2, np.random.default_rng(comment_child))[0]

    a, b = survey(children[7]), survey(np.random.SeedSequence(99))
    others = [c for c in a.columns if c != "comment"]
    assert a[others].equals(b[others])
    assert not a["comment"].equals(b["comment"])
    # the first seven children of a SeedSequence are the same whether 7 or 8 are spawned
    old = np.random.SeedSequence(3).spawn(7)
    assert [c.spawn_key for c in old] == [c.spawn_key for c in children[:7]]


def test_a_regeneration_without_comments_is_the_same_business_with_blank_comments():
    """Population truths skip the comments (half the time of a 40x regeneration); nothing else moves."""
    with_text, truth = synth.generate(seed=3, scale=0.2)
    blank, blank_truth = synth.generate(seed=3, scale=0.2, comments=False)
    assert sorted(with_text) == sorted(blank)
    for name, df in with_text.items():
        others = [c for c in df.columns if c != "comment"]
        pd.testing.assert_frame_equal(df[others], blank[name][others])
    assert with_text["survey"]["comment"].notna().any() and blank["survey"]["comment"].isna().all()
    assert blank_truth["comments"] is None
    assert {k: v for k, v in blank_truth.items() if k not in ("comments", "comment_truth")} == {
        k: v for k, v in truth.items() if k not in ("comments", "comment_truth")
    }
    with pytest.raises(InputError, match="comments must be True or False"):
        synth.generate(seed=3, scale=0.2, comments="no")


def test_the_comments_follow_their_truth():
    """Realised topic shares per NPS group sit within sampling error of truth.json's expected shares,
    and the personal data the truth lists are in the very comments it names."""
    tables, truth = synth.generate(seed=2, scale=4)
    survey, per_comment = tables["survey"], truth["comment_truth"]
    assert per_comment["response_id"].tolist() == survey["response_id"].tolist()
    text = survey["comment"]
    has_text = text.notna() & ~text.isin(synth.COMMENT_EMPTY)
    group = np.where(
        survey["recommend"] >= 9, "promoter", np.where(survey["recommend"] <= 6, "detractor", "passive")
    )
    for topic, t in truth["comments"]["topics"].items():
        said = per_comment["topics"].str.split(";").map(lambda ts, topic=topic: topic in ts)
        for g, expected in t["prevalence_by_group"].items():
            sel = has_text & (group == g)
            got = said[sel].mean()
            assert abs(got - expected) < 4 * np.sqrt(expected * (1 - expected) / sel.sum()), (topic, g)
        assert not said[~has_text].any()  # blank and "n/a" comments mention nothing
    # complaints go with lower recommendation, praise with higher
    diffs = {k: v["recommend_difference"] for k, v in truth["comments"]["topics"].items()}
    assert diffs.pop("praise") > 0 and max(diffs.values()) < 0
    for kind in ("names", "emails", "phones"):
        rows = per_comment[kind] != ""
        assert rows.sum() > 10, kind
        assert all(p in c for p, c in zip(per_comment.loc[rows, kind], text[rows])), kind
    # negated phrasings, typos and empty answers are all there
    assert text.str.contains("not rude at all", regex=False).any()
    assert text.isin(synth.COMMENT_EMPTY).any()
    phrases = {p for bank in synth.COMMENT_PHRASES.values() for p in bank}
    pieces = text[has_text].str.split(r"(?<=[.!])\s+", regex=True).explode()
    assert (~pieces.isin(phrases | set(synth.COMMENT_FILLER))).sum() > 0


def test_a_comment_that_mentions_every_topic_gets_no_negated_phrase(monkeypatch):
    """Found by a large regeneration: a comment with every topic has no topic left to negate."""
    every = {t: {**spec, "base": 30.0} for t, spec in synth.COMMENT_TOPICS.items()}
    monkeypatch.setattr(synth, "COMMENT_TOPICS", every)
    rng = np.random.default_rng(0)
    latents = {k: rng.normal(size=400) for k in ("people", "environment", "practices", "satisfaction")}
    centres = {k: (0.0, 1.0) for k in latents}
    comments, per_comment, _ = synth._comments(rng, latents, rng.integers(0, 11, 400), centres)
    written = per_comment["topics"] != ""
    assert written.sum() > 50 and (per_comment.loc[written, "topics"].str.count(";") == len(every) - 1).all()
    negated = [p for bank in synth.COMMENT_NEGATED.values() for p in bank]
    assert not any(p in c for c in comments[written.to_numpy()] for p in negated)
