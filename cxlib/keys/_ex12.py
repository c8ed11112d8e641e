"""The key of exercise 12_listening: the expected value of each task, from the student's own data.

Written from the check cells of ``solutions/12_listening.md``; the exercise calls
``check("taskN", answer)`` and never shows this code. See ``solutions/README.md``.
"""

# ruff: noqa: E501, F401, F841, N806

from __future__ import annotations

from cxlib.checks import check_number, part

PARAMETERS = ("data_dir", "topic")


def setup(data_dir, topic):
    """Load the data and check the parameters as the exercise does; return the names it defines."""
    import numpy as np

    from cxlib import data, listen, params

    folder = params.data_folder(data_dir, ["survey"])
    survey = data.load("survey", folder)
    topic = params.check_choice("topic", topic, list(listen.CODEBOOK))
    survey["comment"] = listen.redact(survey["comment"])
    # the comments that say something (two words or more), counted another way than listen.has_text
    said = survey[survey["comment"].fillna("").str.count(r"[^\W\d_]{3,}") >= 2]
    return dict(locals())


def task1(env, text_pct):
    survey, said = env["survey"], env["said"]
    check_number(text_pct, 100 * len(said) / len(survey), "Task 1")


def task2(env, detractor_pct):
    listen, said, topic = env["listen"], env["said"], env["topic"]
    flags = listen.code_topics(said["comment"])[topic]
    detractors = said["recommend"] <= 6
    check_number(detractor_pct, 100 * flags[detractors].sum() / detractors.sum(), "Task 2")


def task3(env, kappa):
    listen, said, topic = env["listen"], env["said"], env["topic"]
    a = listen.code_topics(said["comment"])[topic].to_numpy()
    b = listen.code_topics(said["comment"], negation=False)[topic].to_numpy()
    p_o = (a == b).mean()
    p_e = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    check_number(part(kappa, "estimate"), (p_o - p_e) / (1 - p_e), "Task 3 (kappa)")
    check_number(part(kappa, "n"), len(a), "Task 3 (n, the comments coded)")


def task4(env, promoter_tone):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    np, said = env["np"], env["said"]
    analyzer = SentimentIntensityAnalyzer()
    scores = [analyzer.polarity_scores(c)["compound"] for c in said.loc[said["recommend"] >= 9, "comment"]]
    check_number(promoter_tone, float(np.mean(scores)), "Task 4")


# task id: the names of the student's answers it checks, in order
TASKS = {
    "task1": ("text_pct",),
    "task2": ("detractor_pct",),
    "task3": ("kappa",),
    "task4": ("promoter_tone",),
}
