"""The truth behind lesson 12 (listening): the population values of what the lesson estimates.

The lesson measures comments through tools that make errors of their own: a redaction that misses
some names, a codebook whose precision and recall are below 100%, a lexicon that misreads some
tones. Its estimands are therefore *what those tools find* in the population of comments of the
business it analyses (the share of detractors' comments the codebook codes "waiting", say), not the
generator's true topic shares; the gap between the two is the codebook's bias, which the lesson
shows beside its estimates (``truth.json: comments``) rather than hiding in the claims.

So each truth is the same estimator applied to a large regeneration of the same seed
(:data:`SCALE` times the course's size, about 36,000 comments with something to say), restricted
to the run's branch. Branch effects and every fixed effect do not depend on the size, so this is
the population the run's sample comes from.

**When the verdict is clear** (:mod:`cxlib.kit.truths._clear`): ``lowest_rated_topic`` names the
topic whose mention goes with the lowest rating; it is clear when the true gap between that topic
and the runner-up is resolvable with the standard error their difference has at the run's number
of comments. ``leads_<topic>`` (one per complaint) says whether the complaint is among those that
lead among detractors; see :func:`lead_truth` for its estimand and when it is clear.

One claim is about the generator's own codes, not a tool's: ``warm_detractors_mixed``, the share of
warm detractor comments (VADER) that truly praise something. The lesson computes it only when the
run's data carry ``truth_comments.csv``, and its truth is None otherwise.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy.stats import norm

from cxlib import listen, synth

from . import Claim, Context, Truth
from ._clear import POWER, resolvable

LESSON = "12_listening"
#: Size of the regeneration, in multiples of the course's data.
SCALE = 20
TOPICS = list(listen.CODEBOOK)
GROUPS = ("detractor", "passive", "promoter")
#: The topics the lesson ranks among detractors (``complaints`` in the lesson: every topic but praise).
COMPLAINTS = [t for t in TOPICS if t != "praise"]


def warm_mixed_share(tone: pd.Series, true_topics: pd.Series) -> float:
    """Percent of the comments VADER reads as warm (compound >= 0.05) whose true codes hold praise.

    Parameters
    ----------
    tone : Series
        VADER compound scores of the comments judged (the detractors'), indexed like ``true_topics``.
    true_topics : Series
        Each comment's true topics, as lists (``truth_comments.csv``'s ``topics`` split at ``;``).

    Returns
    -------
    float
        The share of the warm comments that are mixed, in percent (NaN when none is warm).

    Examples
    --------
    >>> tone = pd.Series([0.9, 0.05, 0.04, -0.5])
    >>> topics = pd.Series([["staff", "praise"], ["waiting"], ["praise"], ["praise"]])
    >>> warm_mixed_share(tone, topics)  # two warm comments, one praising: the cold ones do not count
    50.0
    """
    warm = tone.index[tone >= 0.05]
    if len(warm) == 0:
        return float("nan")
    return float(true_topics.loc[warm].map(lambda ts: "praise" in ts).mean() * 100)


# one entry per business and branch of a sweep: the claims are judged claim by claim over every run,
# so a smaller cache would regenerate each business once per claim
@functools.lru_cache(maxsize=128)
def _population(seed: int, branch: str | None) -> dict:
    """The lesson's pipeline on the regenerated business (one branch, or the chain)."""
    tables, truth = synth.generate(seed=seed, scale=SCALE)
    survey, per_comment = tables["survey"], truth["comment_truth"]
    keep = np.ones(len(survey), dtype=bool) if branch is None else (survey["branch"] == branch).to_numpy()
    raw = survey.loc[keep, "comment"]
    per_comment = per_comment.loc[keep]
    names = listen.redaction_errors(raw, per_comment).set_index("kind").loc["name"]
    comment = listen.redact(raw)
    has = listen.has_text(comment)
    rating = survey.loc[keep, "recommend"]
    strong = listen.nps_group(rating) != "passive"
    texts = pd.DataFrame({"comment": comment[has], "rating": rating[has]})
    texts["group"] = listen.nps_group(texts["rating"])
    coded = listen.code_topics(texts["comment"])
    texts[TOPICS] = coded
    true_topics = per_comment.loc[has[has].index, "topics"].str.split(";")
    truly_waiting = true_topics.map(lambda ts: "waiting" in ts)
    detractors = texts[texts["group"] == "detractor"]
    tone = listen.sentiment(detractors["comment"])
    prevalence = listen.topic_prevalence(texts, TOPICS, "group").set_index(["topic", "group"])
    return {
        "n_texts": len(texts),
        "name_recall": float(names["caught"] / names["present"] * 100),
        "name_precision": float((names["found"] - names["false_hits"]) / names["found"] * 100),
        "share_commenting": float(has.mean() * 100),
        "strong_minus_passive_commenting": float((has[strong].mean() - has[~strong].mean()) * 100),
        "kappa_waiting": listen.cohen_kappa(coded["waiting"], truly_waiting).estimate,
        "detractors_positive_tone": float((tone >= 0.05).mean() * 100),
        "warm_detractors_mixed": warm_mixed_share(tone, true_topics),
        "detractor_codes": detractors[COMPLAINTS].astype(bool).reset_index(drop=True),
        "prevalence": prevalence["estimate"],
        "gaps": listen.mention_gap(texts, "rating", TOPICS).set_index("topic"),
    }


def _pop(ctx: Context) -> dict:
    return _population(int(ctx.seed), ctx.params.get("branch"))


def _n_texts_in_run(ctx: Context) -> int:
    """How many comments with something to say the run analysed (its branch's, or the chain's)."""
    survey = pd.read_csv(ctx.data_dir / "survey.csv", usecols=["branch", "comment"], keep_default_na=False)
    if ctx.params.get("branch") is not None:
        survey = survey[survey["branch"] == ctx.params["branch"]]
    return int(listen.has_text(survey["comment"].replace("", None)).sum())


def _n_detractor_texts_in_run(ctx: Context) -> int:
    """How many detractors' comments the run's lead compares (its branch's, or the chain's)."""
    survey = pd.read_csv(
        ctx.data_dir / "survey.csv", usecols=["branch", "recommend", "comment"], keep_default_na=False
    )
    if ctx.params.get("branch") is not None:
        survey = survey[survey["branch"] == ctx.params["branch"]]
    has = listen.has_text(listen.redact(survey["comment"].replace("", None)))
    return int((has & (listen.nps_group(survey["recommend"]) == "detractor")).sum())


def _number(key: str):
    def truth(ctx: Context) -> Truth:
        return Truth(float(_pop(ctx)[key]))

    truth.__doc__ = f"The population value of {key} (the lesson's estimator on the regenerated business)."
    return truth


def _prevalence(topic: str, group: str):
    def truth(ctx: Context) -> Truth:
        return Truth(float(_pop(ctx)["prevalence"].loc[(topic, group)]))

    truth.__doc__ = f"Percent of the {group}s' comments the codebook codes {topic!r}, in the population."
    return truth


def _gap(topic: str):
    def truth(ctx: Context) -> Truth:
        return Truth(float(_pop(ctx)["gaps"].loc[topic, "estimate"]))

    truth.__doc__ = f"Mean rating of comments coded {topic!r} minus the others', in the population."
    return truth


def _lowest_rated_topic(ctx: Context) -> Truth:
    """The topic whose mention goes with the lowest mean rating; clear when it leads the runner-up by
    a margin the run's comments can resolve."""
    pop = _pop(ctx)
    gaps = pop["gaps"].sort_values("estimate")
    first, second = gaps.iloc[0], gaps.iloc[1]
    margin = float(second["estimate"] - first["estimate"])
    se = float(np.hypot(first["se"], second["se"])) * np.sqrt(pop["n_texts"] / max(_n_texts_in_run(ctx), 1))
    return Truth(str(gaps.index[0]), clear=resolvable(margin, se, float(ctx.params.get("confidence", 0.95))))


def lead_truth(codes: pd.DataFrame, topic: str, n_run: int, confidence: float) -> Truth:
    """Whether ``topic`` truly leads among the comments ``codes`` (one boolean column per complaint).

    The lesson's ``lead`` (``listen.topic_lead``) compares the complaints' shares among detractors'
    comments as its **codebook** codes them, so its estimand is the codebook's, not the generator's
    true codes: the share of the population's detractor comments the codebook codes with each
    complaint (as every prevalence claim of this lesson). The lesson shows the true codes' lead
    beside it, as the codebook's error, not as what its test estimates.

    With every comment of the population, the lesson's rule (a complaint leads when no other is
    clearly ahead of it) keeps the most frequent complaint alone: the truth is True for the
    complaint with the highest share in ``codes`` and False for every other.

    **Clear**: the lesson tests every pair at ``1 - (1 - confidence) / m`` (Bonferroni over the
    ``m = k (k - 1) / 2`` pairs of ``k`` complaints), with the paired standard error
    ``sqrt((b + c - (b - c)**2) / n_run)`` (``b``, ``c`` the shares of comments coded with only one
    of the two). A complaint behind the top does not lead, clearly, when its gap to some complaint
    ahead of it is resolvable at that level (:func:`resolvable`: the test that calls it behind has at
    least 95% power). The top leads, clearly, when the chance that any of its pair tests calls
    another complaint ahead of it is at most 5%: by Bonferroni that chance is below
    ``(1 - confidence) / k`` however close the runner-up, so the top's verdict is decided even when the
    lesson can only call the top few a tie (a near-tie leaves the runner-up's False unclear). In a
    one-branch run the regeneration's own top can be a near-tie it does not resolve either (about a
    thousand detractor comments); the lesson then ties those complaints too, so its True for the one
    the regeneration puts first still agrees, and the others' False stay unclear.

    Parameters
    ----------
    codes : DataFrame
        The population's detractor comments, one boolean column per complaint.
    topic : str
        The complaint judged.
    n_run : int
        How many detractors' comments the run compares.
    confidence : float
        The lesson's confidence level.

    Returns
    -------
    Truth
        True when ``topic`` has the highest share, and whether the run's test decides it clearly.

    Examples
    --------
    Shares 50%, 40% and 10% among 1,000 comments (a: 500, b: 400, c: 100; no comment holds two):

    >>> codes = pd.DataFrame({"a": [True] * 500 + [False] * 500,
    ...                       "b": [False] * 500 + [True] * 400 + [False] * 100,
    ...                       "c": [False] * 900 + [True] * 100})
    >>> lead_truth(codes, "a", 200, 0.95), lead_truth(codes, "c", 200, 0.95)
    (Truth(value=True, clear=True), Truth(value=False, clear=True))

    At 200 comments a 10-point gap (se 6.7 points) is a tie the run cannot break: b's False is unclear.

    >>> lead_truth(codes, "b", 200, 0.95)
    Truth(value=False, clear=False)
    """
    flags = codes.astype(bool)
    share = flags.mean().sort_values(ascending=False, kind="stable")
    k = len(share)
    pair_confidence = 1 - (1 - confidence) / (k * (k - 1) / 2)
    z_pair = float(norm.ppf(1 - (1 - pair_confidence) / 2))

    def gap_se(top: str, t: str) -> tuple[float, float]:
        b = float((flags[top] & ~flags[t]).mean())
        c = float((~flags[top] & flags[t]).mean())
        return b - c, float(np.sqrt(max(b + c - (b - c) ** 2, 0.0) / max(n_run, 1)))

    first = share.index[0]
    if topic == first:
        # the chance that some pair test calls another complaint clearly ahead of the top
        wrong = 0.0
        for u in share.index[1:]:
            gap, se = gap_se(first, u)
            wrong += float(norm.cdf(-gap / se - z_pair)) if se > 0 else 0.0
        return Truth(True, clear=wrong <= 1 - POWER)
    ahead = share.index[: list(share.index).index(topic)]
    clear = any(
        gap > 0 and resolvable(gap, se, pair_confidence) for gap, se in (gap_se(u, topic) for u in ahead)
    )
    return Truth(False, clear=clear)


def _leads(topic: str):
    def truth(ctx: Context) -> Truth:
        return lead_truth(
            _pop(ctx)["detractor_codes"],
            topic,
            _n_detractor_texts_in_run(ctx),
            float(ctx.params.get("confidence", 0.95)),
        )

    truth.__doc__ = (
        f"Whether {topic!r} is the complaint the codebook codes most often in the population's "
        "detractor comments; clear as :func:`lead_truth` says."
    )
    return truth


def _warm_detractors_mixed(ctx: Context) -> Truth | None:
    """Percent of the population's warm detractor comments (VADER compound >= 0.05) whose true codes
    (the generator's, not the codebook's) hold praise: the mixed ones. None when the run's data have no
    ``truth_comments.csv``, for the lesson then records nothing."""
    if not (ctx.data_dir / "truth_comments.csv").exists():
        return None
    return Truth(float(_pop(ctx)["warm_detractors_mixed"]))


CLAIMS = [
    Claim("name_recall", "interval", "percent of the names in comments the redaction hides",
          _number("name_recall")),
    Claim("name_precision", "interval", "percent of the words hidden as names that are names",
          _number("name_precision")),
    Claim("share_commenting", "interval", "percent of responses with a comment that says something",
          _number("share_commenting")),
    Claim("strong_minus_passive_commenting", "interval",
          "percent of detractors and promoters with a comment minus percent of passives",
          _number("strong_minus_passive_commenting")),
    Claim("kappa_waiting", "interval", "Cohen's kappa of the codebook's 'waiting' against the truth",
          _number("kappa_waiting")),
    Claim("detractors_positive_tone", "interval", "percent of detractors' comments VADER reads as positive",
          _number("detractors_positive_tone")),
    Claim("warm_detractors_mixed", "interval",
          "percent of detractors' comments VADER reads as positive that truly praise something",
          _warm_detractors_mixed),
    *[
        Claim(f"prevalence_{t}_{g}", "interval", f"percent of {g}s' comments coded {t}", _prevalence(t, g))
        for t in TOPICS
        for g in GROUPS
    ],
    *[Claim(f"gap_{t}", "interval", f"rating gap of comments coded {t}", _gap(t)) for t in TOPICS],
    Claim("lowest_rated_topic", "verdict", "the topic that goes with the lowest ratings",
          _lowest_rated_topic),
    *[
        Claim(f"leads_{t}", "verdict", f"whether {t} is among the complaints that lead among detractors",
              _leads(t))
        for t in COMPLAINTS
    ],
]  # fmt: skip
