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
of comments.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from cxlib import listen, synth

from . import Claim, Context, Truth
from ._clear import resolvable

LESSON = "12_listening"
#: Size of the regeneration, in multiples of the course's data.
SCALE = 20
TOPICS = list(listen.CODEBOOK)
GROUPS = ("detractor", "passive", "promoter")


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
    truly_waiting = per_comment.loc[has[has].index, "topics"].str.split(";").map(lambda ts: "waiting" in ts)
    detractors = texts[texts["group"] == "detractor"]
    prevalence = listen.topic_prevalence(texts, TOPICS, "group").set_index(["topic", "group"])
    return {
        "n_texts": len(texts),
        "name_recall": float(names["caught"] / names["present"] * 100),
        "name_precision": float((names["found"] - names["false_hits"]) / names["found"] * 100),
        "share_commenting": float(has.mean() * 100),
        "strong_minus_passive_commenting": float((has[strong].mean() - has[~strong].mean()) * 100),
        "kappa_waiting": listen.cohen_kappa(coded["waiting"], truly_waiting).estimate,
        "detractors_positive_tone": float((listen.sentiment(detractors["comment"]) >= 0.05).mean() * 100),
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
    *[
        Claim(f"prevalence_{t}_{g}", "interval", f"percent of {g}s' comments coded {t}", _prevalence(t, g))
        for t in TOPICS
        for g in GROUPS
    ],
    *[Claim(f"gap_{t}", "interval", f"rating gap of comments coded {t}", _gap(t)) for t in TOPICS],
    Claim("lowest_rated_topic", "verdict", "the topic that goes with the lowest ratings",
          _lowest_rated_topic),
]  # fmt: skip
