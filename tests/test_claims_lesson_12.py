"""Lesson 12's claims: every recorded name has a truth, and the truths are the lesson's estimands."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import DATASETS, ROOT
from lesson_claims import assert_agrees_with_clear_truths

from cxlib import data, listen
from cxlib.kit.truths import Context, Truth, lesson_12
from cxlib.record import collect_details

NOTEBOOK = ROOT / "notebooks" / "12_listening.ipynb"
CLAIMS = {c.name: c for c in lesson_12.CLAIMS}


@pytest.fixture
def small_population(monkeypatch):
    """A 4x regeneration instead of 20x, so the test stays fast."""
    monkeypatch.setattr(lesson_12, "SCALE", 4)
    lesson_12._population.cache_clear()
    yield
    lesson_12._population.cache_clear()


def _ctx(**params):
    return Context(0, {"confidence": 0.95, "branch": None, "n_read": 8, **params}, DATASETS)


def test_every_recorded_name_has_a_truth_and_every_truth_is_recorded():
    assert set(collect_details(NOTEBOOK)) == set(CLAIMS)


def test_the_stored_lesson_agrees_with_every_clear_truth_on_the_shipped_data(small_population):
    # a 4x population is too small to judge the coverage of 30 intervals: verdicts only
    assert_agrees_with_clear_truths(NOTEBOOK, CLAIMS.values(), _ctx(), intervals=False)


def test_the_truths_are_what_the_codebook_finds_and_differ_from_the_generators_topic_shares(small_population):
    """The codebook's delivery pattern also counts 'the delivery was not late': the population value of
    the lesson's estimate lies above the generator's true share, and the truths say so."""
    true_share = 100 * data.load_truth()["comments"]["topics"]["delivery"]["prevalence_by_group"]["detractor"]
    coded_share = CLAIMS["prevalence_delivery_detractor"].truth(_ctx()).value
    assert coded_share > true_share + 1
    # complaints go with lower ratings and praise with higher, in the population too
    assert CLAIMS["gap_praise"].truth(_ctx()).value > 0 > CLAIMS["gap_unresolved"].truth(_ctx()).value
    assert 80 < CLAIMS["name_recall"].truth(_ctx()).value < 100


def _codes(counts: dict[str, int], n: int, copies: int = 1) -> pd.DataFrame:
    """``n`` comments, each coded with at most one complaint: ``counts[t]`` of them with ``t``."""
    rows, start = {}, 0
    for t, c in counts.items():
        rows[t] = [False] * start + [True] * c + [False] * (n - start - c)
        start += c
    return pd.concat([pd.DataFrame(rows)] * copies, ignore_index=True)


def test_lead_truth_is_the_lessons_rule_with_every_comment_and_clear_where_its_test_decides():
    """Shares 50%, 40%, 10%: with all the comments only the top leads. At the run's size the lesson's
    own test (listen.topic_lead on comments with exactly these shares) leaves b tied at 200 comments
    and calls it behind at 2,000, and the truth is clear for b's False at 2,000 only."""
    codes = _codes({"a": 500, "b": 400, "c": 100}, 1000)
    for n_run, b_behind in [(200, False), (2000, True)]:
        run = _codes({"a": n_run // 2, "b": 2 * n_run // 5, "c": n_run // 10}, n_run)
        lead = listen.topic_lead(run, ["a", "b", "c"]).set_index("topic")["leads"]
        assert bool(lead["b"]) is not b_behind and bool(lead["a"]) and not lead["c"]
        truths = {t: lesson_12.lead_truth(codes, t, n_run, 0.95) for t in "abc"}
        assert {t: tr.value for t, tr in truths.items()} == {"a": True, "b": False, "c": False}
        assert truths["a"].clear and truths["c"].clear
        assert truths["b"].clear is b_behind


def test_lead_truth_adjusts_for_every_pair_as_the_lessons_test_does():
    """A 6.25-point gap over 1,600 comments (se 1.65 points: 3.8 se) is resolvable by one comparison at
    95% (1.96 + 1.645 = 3.6 se needed, the test's z plus 95% power) but not among six complaints, whose 15
    pairs are each tested at 99.67% (2.94 + 1.645 = 4.6 se needed)."""
    two = _codes({"a": 400, "b": 300}, 1600)
    assert lesson_12.lead_truth(two, "b", 1600, 0.95).clear
    six = _codes({"a": 400, "b": 300, "c": 100, "d": 90, "e": 80, "f": 70}, 1600)
    assert not lesson_12.lead_truth(six, "b", 1600, 0.95).clear
    assert lesson_12.lead_truth(six, "c", 1600, 0.95).clear  # 18.75 points: clear in any case
    # the top leads, clearly, however close the runner-up: the lesson calls it behind less than 1% of the time
    assert lesson_12.lead_truth(_codes({"a": 400, "b": 399}, 1600), "a", 1600, 0.95) == Truth(
        True, clear=True
    )


def test_the_lead_is_judged_on_the_codebooks_codes_not_the_generators(small_population):
    """On the shipped business the codebook puts waiting first among detractors while the generator's own
    codes put unresolved first: the lesson's lead estimates the codebook's, and its truth follows it."""
    expected = data.load_truth()["comments"]["topics"]
    true_top = max(lesson_12.COMPLAINTS, key=lambda t: expected[t]["prevalence_by_group"]["detractor"])
    assert true_top == "unresolved"
    assert CLAIMS["leads_waiting"].truth(_ctx()).value is True
    assert CLAIMS["leads_unresolved"].truth(_ctx()).value is False
    # exactly one complaint leads in the population
    assert sum(CLAIMS[f"leads_{t}"].truth(_ctx()).value for t in lesson_12.COMPLAINTS) == 1


def test_the_stored_lesson_records_the_lead_and_the_mixed_share_and_the_truths_agree(small_population):
    recorded = collect_details(NOTEBOOK)
    leaders = {t for t in lesson_12.COMPLAINTS if recorded[f"leads_{t}"]["value"]}
    assert leaders and all(isinstance(recorded[f"leads_{t}"]["value"], bool) for t in lesson_12.COMPLAINTS)
    clear = {t: CLAIMS[f"leads_{t}"].truth(_ctx()) for t in lesson_12.COMPLAINTS}
    assert any(tr.clear for tr in clear.values())
    for t, tr in clear.items():
        if tr.clear:
            assert (t in leaders) is tr.value, t
    mixed = recorded["warm_detractors_mixed"]
    truth = CLAIMS["warm_detractors_mixed"].truth(_ctx()).value
    assert mixed["low"] <= truth <= mixed["high"]
    # the warm detractor comments praise far more often than the detractors' comments as a whole
    praising = 100 * data.load_truth()["comments"]["topics"]["praise"]["prevalence_by_group"]["detractor"]
    assert truth > praising + 20


def test_the_mixed_share_has_no_truth_without_the_per_comment_truth_file(tmp_path):
    """The lesson records it only when the run's data carry truth_comments.csv: nothing to judge else."""
    (tmp_path / "survey.csv").write_bytes((DATASETS / "survey.csv").read_bytes())
    ctx = Context(0, {"confidence": 0.95, "branch": None, "n_read": 8}, tmp_path)
    assert CLAIMS["warm_detractors_mixed"].truth(ctx) is None
