"""cxlib.listen: redaction, codebook coding, Cohen's kappa, VADER and topic prevalence.

Numbers are checked against published values: Cohen's kappa and its standard errors against a SAS
PROC FREQ printout, VADER against the examples of its own README; redaction and coding against the
generator's truth (``datasets/truth_comments.csv``), where what they miss is known.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import DATASETS

from cxlib import InputError, data, listen
from cxlib.compare import welch_from_stats
from cxlib.metrics import wilson_from_counts


def _codings(table):
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


def test_kappa_and_its_interval_match_the_sas_printout():
    # SAS/STAT PROC FREQ, "Simple Kappa Coefficient" for the 3x3 table [[0, 4, 1], [0, 8, 0], [0, 1, 5]]:
    # Kappa 0.4842, ASE 0.1380, 95% limits 0.2137 and 0.7547; under H0 ASE 0.1484, Z 3.2626,
    # two-sided Pr > |Z| 0.0011 (the printout is reproduced in statsmodels' stats/tests/test_inter_rater.py).
    # The ASE is the large-sample one of Fleiss, Cohen & Everitt (1969, Psychological Bulletin 72:323).
    k = listen.cohen_kappa(*_codings([[0, 4, 1], [0, 8, 0], [0, 1, 5]]))
    assert k.estimate == pytest.approx(0.4842, abs=5e-5)
    assert k.se == pytest.approx(0.1380, abs=5e-5)
    assert (k.low, k.high) == (pytest.approx(0.2137, abs=5e-5), pytest.approx(0.7547, abs=5e-5))
    assert k.p_value == pytest.approx(0.0011, abs=5e-5)
    assert k.estimate / k.p_value > 0 and k.n == 19


def test_kappa_matches_cohens_definition_on_wikipedias_example():
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no:
    # p_o = 0.7, p_e = 0.5, kappa = 0.4.
    k = listen.cohen_kappa(*_codings([[20, 5], [10, 15]]))
    assert k.estimate == pytest.approx(0.4)


def test_kappa_agrees_with_statsmodels_on_any_table():
    from statsmodels.stats.inter_rater import cohens_kappa

    rng = np.random.default_rng(4)
    for _ in range(5):
        table = rng.integers(0, 15, size=(3, 3)) + np.diag(rng.integers(5, 30, 3))
        ours = listen.cohen_kappa(*_codings(table))
        theirs = cohens_kappa(table)
        assert ours.estimate == pytest.approx(theirs.kappa)
        assert ours.se == pytest.approx(theirs.std_kappa)
        assert ours.p_value == pytest.approx(theirs.pvalue_two_sided)


def test_kappa_refuses_what_it_cannot_measure():
    with pytest.raises(InputError, match="same comments: lengths 3 and 2"):
        listen.cohen_kappa([1, 0, 1], [1, 0])
    with pytest.raises(InputError, match="missing codes at rows \\[1\\]"):
        listen.cohen_kappa([1, None, 1], [1, 0, 1])
    with pytest.raises(InputError, match="same single category"):
        listen.cohen_kappa([1, 1, 1], [1, 1, 1])


@pytest.mark.parametrize(
    "text, compound",
    [
        # the examples of vaderSentiment's README (github.com/cjhutto/vaderSentiment), compound scores
        ("VADER is smart, handsome, and funny.", 0.8316),
        ("VADER is smart, handsome, and funny!", 0.8439),
        ("VADER is very smart, handsome, and funny.", 0.8545),
        ("VADER is not smart, handsome, nor funny.", -0.7424),
        ("The book was good.", 0.4404),
        ("At least it isn't a horrible book.", 0.431),
        ("Today SUX!", -0.5461),
    ],
)
def test_vader_reproduces_its_documented_examples(text, compound):
    assert listen.sentiment([text])[0] == pytest.approx(compound, abs=1e-4)


def test_sentiment_keeps_blanks_missing_and_refuses_numbers():
    s = listen.sentiment(pd.Series(["Great!", None], index=[5, 9]))
    assert s.index.tolist() == [5, 9] and s[5] > 0 and np.isnan(s[9])
    with pytest.raises(InputError, match="not text at rows 1: 3"):
        listen.sentiment(["fine", 3])


def test_redaction_hides_emails_phones_and_names_and_keeps_the_rest():
    text = "Mrs Kowalski (k.smith84@example.co.uk, +44 7700 900 123) says Tom was rude. Order 12 sofas."
    out = listen.redact([text])[0]
    assert out == "[NAME] ([EMAIL], [PHONE]) says [NAME] was rude. Order 12 sofas."


def test_redaction_misses_and_false_hits_are_measured_against_the_truth():
    survey = data.load("survey")
    truth = pd.read_csv(DATASETS / "truth_comments.csv", keep_default_na=False).set_index(survey.index)
    table = listen.redaction_errors(survey["comment"], truth).set_index("kind")
    # e-mails and phone numbers follow patterns: all caught, none invented
    assert (table.loc[["email", "phone"], "missed"] == 0).all()
    assert (table.loc[["email", "phone"], "present"] > 20).all()
    # a name list misses rarer and lower-case names and hides products called "Rose" for nothing
    assert 0 < table.loc["name", "missed"] < table.loc["name", "caught"]
    assert table.loc["name", "false_hits"] > 0
    assert table.loc["name", "recall_low"] < table.loc["name", "recall"] < table.loc["name", "recall_high"]
    # precision: the share of what was hidden as a name that was one
    name = table.loc["name"]
    assert name["precision"] == pytest.approx(100 * (name["found"] - name["false_hits"]) / name["found"])
    assert name["precision_low"] < name["precision"] < name["precision_high"] < 100
    assert table.loc["email", "precision"] == 100  # an order reference can pass for a phone number
    # what was caught is gone from the redacted text
    redacted = listen.redact(survey["comment"])
    for column in ("emails", "phones"):
        rows = truth[column] != ""
        assert not any(p in r for p, r in zip(truth.loc[rows, column], redacted[rows]))


def test_redaction_precision_and_recall_take_newcombes_wilson_intervals():
    # 81 names hidden rightly and 182 sofas called "Rose" hidden for nothing: precision 81 / 263,
    # whose Wilson interval Newcombe (1998, Table I, example (a)) gives as 0.2553 to 0.3662
    comments = pd.Series(["Maria helped."] * 81 + ["The Rose sofa."] * 182 + ["Siobhan helped."])
    truth = pd.DataFrame({"names": ["Maria"] * 81 + [""] * 182 + ["Siobhan"], "emails": "", "phones": ""})
    name = listen.redaction_errors(comments, truth).set_index("kind").loc["name"]
    assert (name["found"], name["false_hits"], name["present"], name["caught"]) == (263, 182, 82, 81)
    assert name["precision"] == pytest.approx(100 * 81 / 263)
    assert (name["precision_low"], name["precision_high"]) == pytest.approx((25.53, 36.62), abs=0.005)
    # the confidence reaches both intervals; with nothing found or present a rate is NaN, not 0
    wider = listen.redaction_errors(comments, truth, confidence=0.99).set_index("kind").loc["name"]
    assert wider["precision_low"] < name["precision_low"] and wider["recall_low"] < name["recall_low"]
    email = listen.redaction_errors(comments, truth).set_index("kind").loc["email"]
    assert np.isnan(email["precision"]) and np.isnan(email["recall"])
    with pytest.raises(InputError, match="confidence"):
        listen.redaction_errors(comments, truth, confidence=95)


def test_redaction_errors_refuses_a_truth_that_does_not_fit():
    comments = pd.Series(["Ask for Maria."])
    with pytest.raises(InputError, match="names"):
        listen.redaction_errors(comments, pd.DataFrame({"emails": [""], "phones": [""]}))
    with pytest.raises(InputError, match="does not occur in its comment"):
        listen.redaction_errors(comments, pd.DataFrame({"names": ["Tom"], "emails": [""], "phones": [""]}))


def test_coding_skips_negated_mentions_within_the_sentence():
    coded = listen.code_topics(
        [
            "No wait at all.",
            "Didn't have to wait.",
            "No complaints. Waited 40 minutes to pay.",
            "Staff were not rude at all.",
            "The staff were rude.",
            None,
        ]
    )
    assert coded["waiting"].tolist() == [False, False, True, False, False, False]
    assert coded["staff"].tolist() == [False, False, False, False, True, False]
    plain = listen.code_topics(["No wait at all."], negation=False)
    assert plain["waiting"].tolist() == [True]


def test_codebook_precision_and_recall_against_the_generators_truth():
    survey = data.load("survey")
    truth = pd.read_csv(DATASETS / "truth_comments.csv", keep_default_na=False).set_index(survey.index)
    has = survey["comment"].notna()
    coded = listen.code_topics(listen.redact(survey["comment"][has]))
    true = pd.DataFrame({t: truth["topics"][has].str.split(";").map(lambda ts, t=t: t in ts) for t in coded})
    acc = listen.coding_accuracy(coded, true).set_index("topic")
    assert (acc["recall"] > 85).all() and (acc["precision"] > 60).all()
    # negation awareness buys precision (fewer false hits) at no loss of recall worth the name
    plain = listen.coding_accuracy(
        listen.code_topics(listen.redact(survey["comment"][has]), negation=False), true
    )
    plain = plain.set_index("topic")
    assert acc.loc["waiting", "precision"] > plain.loc["waiting", "precision"]
    assert acc.loc["staff", "precision"] > plain.loc["staff", "precision"]
    # the intervals are Wilson's, from cxlib.metrics
    w = wilson_from_counts([acc.loc["waiting", "both"]], [acc.loc["waiting", "coded"]]).iloc[0]
    assert acc.loc["waiting", "precision_low"] == pytest.approx(w["low"])


def test_codebook_errors_name_the_topic():
    with pytest.raises(InputError, match="topic 'waiting' is not a regular expression"):
        listen.code_topics(["x"], codebook={"waiting": "wait("})
    with pytest.raises(InputError, match="waiting: expected True/False"):
        listen.coding_accuracy(pd.DataFrame({"waiting": [1, 2]}), pd.DataFrame({"waiting": [1, 0]}))


def test_prevalence_and_mention_gap_reuse_the_course_formulas():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"recommend": rng.integers(0, 11, 300), "waiting": rng.random(300) < 0.3})
    df["group"] = listen.nps_group(df["recommend"])
    prev = listen.topic_prevalence(df, ["waiting"], "group")
    counts = df.groupby("group", observed=True)["waiting"].agg(["sum", "size"])
    expected = wilson_from_counts(counts["sum"], counts["size"])
    assert prev["group"].tolist() == ["detractor", "passive", "promoter"]
    assert np.allclose(prev[["estimate", "low", "high"]], expected[["estimate", "low", "high"]])
    gap = listen.mention_gap(df, "recommend", ["waiting"]).iloc[0]
    a, b = df.loc[df["waiting"], "recommend"], df.loc[~df["waiting"], "recommend"]
    w = welch_from_stats(a.mean(), a.var(), len(a), b.mean(), b.var(), len(b)).iloc[0]
    assert (gap["estimate"], gap["low"], gap["p_value"]) == pytest.approx(
        (w["estimate"], w["low"], w["p_value"])
    )


def test_nps_group_and_prevalence_refuse_bad_input():
    with pytest.raises(InputError, match=r"recommend: expected whole numbers 0-10, got \[11\] at rows \[1\]"):
        listen.nps_group([3, 11])
    with pytest.raises(InputError, match="group: missing group at rows \\[1\\]"):
        listen.topic_prevalence(pd.DataFrame({"w": [True, False], "group": ["a", None]}), ["w"], "group")


def test_a_cue_marks_a_name_in_any_case_but_not_a_common_word():
    out = listen.redact(
        ["ask for dave next time", "Thanks to Oluwaseun.", "Ask for help.", "Oluwaseun helped."]
    )
    assert out.tolist() == [
        "ask for [NAME] next time",
        "Thanks to [NAME].",
        "Ask for help.",
        "Oluwaseun helped.",
    ]


def test_has_text_drops_empty_answers_and_checks_its_threshold():
    assert listen.has_text(["n/a", "-", "nothing", "No comment", "Très bien: ok", None]).tolist() == [
        False, False, False, False, True, False
    ]  # fmt: skip
    with pytest.raises(InputError, match="min_words must be a whole number of at least 1, got 0"):
        listen.has_text(["x"], min_words=0)


def _agresti_table_8_1():
    # Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 8.1 and §8.1.1:
    # approval of the President's performance by the same 1,600 people in two surveys a month apart
    first = [True] * 944 + [False] * 656
    second = [True] * 794 + [False] * 150 + [True] * 86 + [False] * 570
    return pd.DataFrame({"first": first, "second": second})


def test_topic_lead_matches_agrestis_paired_difference():
    # §8.1.1: 0.59 - 0.55 = 0.04, SE 0.0095, 95% CI (0.021, 0.059)
    lead = listen.topic_lead(_agresti_table_8_1(), ["second", "first"]).set_index("topic")
    assert lead["percent"].tolist() == pytest.approx([59.0, 55.0])
    second = lead.loc["second"]
    assert (second["estimate"], second["se"]) == pytest.approx((4.0, 0.95), abs=0.005)
    assert (second["low"], second["high"]) == pytest.approx((2.1, 5.9), abs=0.05)
    assert lead["leads"].tolist() == [True, False]


def test_a_topic_clearly_behind_another_than_the_first_does_not_lead():
    # 400 comments: "a" in 188 (47%), never with the others; "b" in 180 (45%) and "t" in 148 (37%),
    # every "t" also a "b". Against the first, t's gap of 10 points has a wide interval (336 comments
    # hold one of a and t); against b, 8 points with a narrow one (b and t differ in 32 comments
    # only): t is clearly behind b though not behind a, and does not lead.
    rows = np.arange(400)
    df = pd.DataFrame({"a": rows < 188, "b": (rows >= 200) & (rows < 380), "t": (rows >= 200) & (rows < 348)})
    lead = listen.topic_lead(df, ["a", "b", "t"]).set_index("topic")
    assert lead.index.tolist() == ["a", "b", "t"]
    assert lead.loc["t", "low"] < 0  # not clearly behind the first...
    assert lead["leads"].tolist() == [True, True, False]  # ...but clearly behind b


def test_topic_lead_adjusts_for_the_comparisons_and_keeps_ties():
    rng = np.random.default_rng(3)
    shares = {"a": 0.30, "b": 0.29, "c": 0.10, "d": 0.28}
    df = pd.DataFrame({t: rng.random(400) < p for t, p in shares.items()})
    lead = listen.topic_lead(df, ["a", "b", "c", "d"], 0.9)
    # six pairs of four topics: each interval at 1 - 0.1/6 (z = 2.394), wider than a single 90% one
    z = (lead["high"] - lead["estimate"]) / lead["se"]
    assert z.iloc[1:].to_numpy() == pytest.approx(np.full(3, 2.394), abs=1e-3)
    assert set(lead.loc[lead["leads"], "topic"]) == {"a", "b", "d"}  # the near-equal shares are a tie
    assert not lead.loc[lead["topic"] == "c", "leads"].item()
    with pytest.raises(InputError, match="at least two topics"):
        listen.topic_lead(df, ["a"])
    with pytest.raises(InputError, match="b: expected True/False"):
        listen.topic_lead(df.assign(b=np.where(df["b"], "yes", None)), ["a", "b"])
