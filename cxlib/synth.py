"""Generate the course's data: one coherent fictional business, from a seed.

Bramble & Co. is a fictional chain of ten home-furnishing stores. This module makes
its survey, benchmark, expectations, SERVQUAL, touchpoint, transaction and training
tables, and writes beside them ``truth.json``: the true effects the data were made
with, so a lesson can check an estimate against the truth.

The story the numbers tell (see ``datasets/README.md`` for the full account):

* Every survey response comes from a customer's latent perception of three factors
  of experience, *people*, *environment* and *practices*, at one branch in one
  month: branch effects, a slow trend, month noise, a customer-level halo shared by
  all items, item noise. Items are 1-5 ratings cut from the latent scale, with
  some items left unanswered.
* Overall satisfaction depends on the factors with known weights (practices and
  people heavier than environment); recommendation, effort and intention to buy
  again follow from satisfaction and the factors; satisfied customers stay longer
  and so buy more (transactions).
* Employees over-rate what is easy for them to see (speed, price) and under-rate
  what customers rank highest (being listened to, problems resolved, promises kept).
* A service-training programme rolls out to six branches at two dates and raises
  the people factor a month later.

Nothing here touches NumPy's global random state: every table draws from its own
child of ``numpy.random.SeedSequence(seed)``, so the same seed gives the same bytes.

Run ``cxkit synth --seed 0 --out datasets`` to regenerate the shipped data, ``cxkit synth
--student ID --out DIR`` for a student's own business (:func:`student_seed`), ``--check`` to
load every table back through the validator. (``python -m cxlib.synth`` is the same command,
for learners without the kit.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from . import data as cxdata
from .errors import InputError

START = "2024-01-01"
N_MONTHS = 24
BRANCHES = [
    "Ashford",
    "Brookside",
    "Carlton",
    "Dunmore",
    "Eastleigh",
    "Fairview",
    "Glenwood",
    "Hillcrest",
    "Ironbridge",
    "Juniper",
]
FACTORS = cxdata.FACTORS
ITEMS = cxdata.items()
ITEM_FACTOR = {f["name"]: f["factor"] for f in cxdata.fields("survey") if "factor" in f}
BUSINESSES = ["Bramble & Co.", "Northfield Furniture", "QuickHome", "Casa Direct", "Grand Meridian Hotel"]
US = BUSINESSES[0]
EXPECTATIONS = cxdata.categories("expectations", "expectation")
DIMENSIONS = cxdata.categories("servqual", "dimension")

# Cut points from the latent scale to 1-5 ratings: most answers are 4s, as in real surveys.
ITEM_CUTS = np.array([-1.7, -0.9, 0.0, 1.0])
SAT_CUTS = np.array([-1.5, -0.75, 0.05, 0.95])
# Latent model of the survey (standard deviations and means on the latent scale).
FACTOR_MEAN = {"people": 0.35, "environment": 0.2, "practices": 0.0}
ITEM_OFFSET = {
    "people_friendliness": 0.15,
    "people_knowledge": -0.05,
    "people_helpfulness": 0.0,
    "env_cleanliness": 0.15,
    "env_comfort": -0.05,
    "env_appearance": 0.0,
    "practices_ordering": 0.15,
    "practices_waiting": -0.2,
    "practices_billing": 0.05,
    "practices_resolution": -0.1,
}
SD_CUSTOMER_HALO = 0.45
SD_RESPONSE_HALO = 0.3
SD_FACTOR = 0.45
SD_ITEM = 0.5
SD_BRANCH = 0.2
SD_MONTH = 0.06
TREND_PER_MONTH = {"people": 0.0, "environment": -0.004, "practices": 0.006}
DRIVER_WEIGHTS = {"people": 0.35, "environment": 0.12, "practices": 0.5}
SD_SATISFACTION = 0.4
MISSING_RATE = {item: 0.03 for item in ITEMS} | {"practices_resolution": 0.18}
TRAINING = {
    "effect": 0.45,
    "lag_months": 1,
    "waves": {
        "2024-10-01": ["Brookside", "Eastleigh", "Hillcrest"],
        "2025-04-01": ["Carlton", "Fairview", "Juniper"],
    },
}
# Channels: the survey reaches in-store customers (handed a card at the till) far more often than
# the others, and how likely a customer is to recommend us differs by channel. The business knows
# its population's mix from the sales records (the population table); raking the survey to it
# recovers the population NPS that the unweighted sample overstates.
CHANNELS = cxdata.categories("survey", "channel")
CHANNEL_SAMPLE = {"in store": 0.6, "phone": 0.15, "online": 0.25}
CHANNEL_POPULATION = {"in store": 0.35, "phone": 0.15, "online": 0.5}
# Shifts on the 0-10 recommendation scale, centred on the sample's mix (0.6 * 0.5 = 0.25 * 1.2), so
# the sample's recommendations keep their level and the population's are lower.
CHANNEL_RECOMMEND_SHIFT = {"in store": 0.5, "phone": 0.0, "online": -1.2}
RECOMMEND_CENTRE, RECOMMEND_SLOPE, RECOMMEND_SD = 7.9, 1.9, 1.3
RESPONSES_PER_BRANCH_MONTH = 28
CUSTOMERS_PER_BRANCH = 500

# Benchmark: latent offsets of each business per factor and per item, over our baseline.
BENCH_PROFILE = {
    "Bramble & Co.": {"people": 0.45},
    "Northfield Furniture": {"environment": 0.5, "people": 0.05},
    "QuickHome": {"practices_waiting": 0.6, "practices_ordering": 0.5, "people": -0.25},
    "Casa Direct": {"people": 0.3, "environment": -0.1, "practices": -0.1, "people_knowledge": 0.15},
    "Grand Meridian Hotel": {
        "people": 0.95,
        "environment": 0.75,
        "practices": 0.4,
        "practices_resolution": 0.5,
    },
}
# The overall quality ranking (1-10): base + per_latent * (mean latent of the items) + N(0, sd), rounded.
OVERALL_QUALITY = (6.3, 1.6, 1.0)
BENCH_N = {
    "Bramble & Co.": 300,
    "Northfield Furniture": 250,
    "QuickHome": 250,
    "Casa Direct": 250,
    "Grand Meridian Hotel": 200,
}

# What matters (1-7): customers' true mean importance, and what employees believe it is.
IMPORTANCE_CUSTOMER = dict(zip(EXPECTATIONS, [6.3, 6.4, 6.2, 5.7, 5.5, 4.8, 5.0, 4.7, 5.0, 5.3]))
IMPORTANCE_EMPLOYEE = dict(zip(EXPECTATIONS, [5.2, 5.5, 5.3, 5.6, 5.7, 4.3, 6.2, 6.2, 5.1, 5.4]))
N_EMPLOYEES = 120
N_CUSTOMERS_EXPECT = 400
SERVQUAL_EXPECT = dict(zip(DIMENSIONS, [5.9, 6.5, 6.2, 6.1, 5.8]))
SERVQUAL_PERCEIVE = dict(zip(DIMENSIONS, [5.5, 5.2, 5.3, 5.8, 5.6]))
N_SERVQUAL = 300

# Kano: the true category of each attribute, and how often a respondent answers in line with it.
KANO_TRUE = {
    "staff who know the products": "one-dimensional",
    "clean store": "must-be",
    "delivery on the promised day": "must-be",
    "told in advance about delays": "one-dimensional",
    "thank-you note after delivery": "attractive",
    "designer advice at home": "attractive",
    "evening opening hours": "indifferent",
    "loyalty points": "indifferent",
}
KANO_TYPICAL = {
    "attractive": [("like", "neutral"), ("like", "tolerate"), ("like", "expect")],
    "one-dimensional": [("like", "dislike")],
    "must-be": [("expect", "dislike"), ("neutral", "dislike"), ("tolerate", "dislike")],
    "indifferent": [("neutral", "neutral"), ("tolerate", "neutral"), ("neutral", "tolerate")],
}
KANO_AGREEMENT = 0.6  # share who answer with a typical pair of the attribute's true category
KANO_CARELESS = 0.04  # share of careless answers (any pair of answers), drawn over the others
N_KANO = 250

# Moments of truth.
N_ORDERS = 3000
PEAK_END = {"mean": 0.55, "peak": 0.2, "end": 0.25}
DELAY_EFFECT = -2.0  # on the delivery contact's rating (1-10)
TOLD_EFFECT = 1.0  # telling the customer about the delay softens the drop
LATE_DAY_EFFECT = -0.15  # each day late costs a little more
THANK_YOU_EFFECT = 0.8  # on the last contact's rating

# Value of a customer.
MONTHLY_CHURN = {1: 0.09, 2: 0.06, 3: 0.035, 4: 0.02, 5: 0.012}
PURCHASE_PROB = 0.25
AMOUNT_LOG_MEAN, AMOUNT_LOG_SD = 4.6, 0.6
MARGIN_RATE = 0.32

# Comments: what customers write in their own words, with a known truth (lesson 12).
# A topic is a complaint (or praise) that the comment truly makes; each has the latent it
# follows (a factor, or satisfaction) and how strongly: P(mention) = logistic(base + slope * z),
# z the standardized latent. Negated phrasings ("not rude at all") use a topic's words without
# making its complaint: they are not mentions.
COMMENT_TOPICS = {
    "waiting": {"latent": "practices", "base": -1.9, "slope": -0.9},
    "staff": {"latent": "people", "base": -2.0, "slope": -1.0},
    "cleanliness": {"latent": "environment", "base": -2.4, "slope": -0.8},
    "billing": {"latent": "practices", "base": -2.5, "slope": -0.6},
    "unresolved": {"latent": "satisfaction", "base": -2.3, "slope": -1.1},
    "delivery": {"latent": "practices", "base": -2.2, "slope": -0.5},
    "praise": {"latent": "satisfaction", "base": -0.6, "slope": 1.2},
}
COMMENT_PHRASES = {
    "waiting": [
        "Waited 40 minutes to pay.",
        "The queue at the till took ages.",
        "we had to wait forever for someone to serve us",
        "Long wait for the sofa to be brought out.",
        "Slow service, waiting around for half an hour.",
    ],
    "staff": [
        "The staff were rude.",
        "Nobody came to help us at the desk.",
        'The salesman didn\'t know what "memory foam" meant and was unhelpful.',
        "Staff ignored us, more interested in their phones.",
        "A rather unfriendly welcome.",
    ],
    "cleanliness": [
        "The store was cluttered and dusty.",
        "Toilets were dirty.",
        "Floor was a mess, boxes everywhere.",
        "The cushions smelled of damp.",
    ],
    "billing": [
        "Invoice was confusing, charged twice.",
        "I was overcharged for the delivery slot.",
        "Still waiting for my refund.",
        "The bill was wrong.",
    ],
    "unresolved": [
        "My complaint about a scratched table is still open after 3 weeks.",
        "The problem has not been resolved.",
        "Nobody called back about the broken drawer.",
        "Issue unresolved after two visits.",
    ],
    "delivery": [
        "Delivery arrived late and the courier left it outside.",
        "The wardrobe was delivered damaged.",
        "Missed delivery slot, no call.",
        "Delivery van never turned up.",
    ],
    "praise": [
        "Great service, thank you!",
        "Lovely shop, excellent advice.",
        "Brilliant, would recommend.",
        "Fantastic team, well done.",
        "Très bien: friendly staff, fair prices.",
    ],
}
# Negated phrasings: the words of a topic without its complaint (praise: without the praise).
COMMENT_NEGATED = {
    "waiting": ["No wait at all.", "Didn't have to wait."],
    "staff": ["Staff were not rude at all.", "Never felt ignored."],
    "cleanliness": ["Not a speck of dust anywhere.", "The store was never messy."],
    "billing": ["No problem with the bill.", "Never been charged wrongly."],
    "delivery": ["The delivery was not late.", "Delivery on time, no damage."],
    "praise": ["Not great, to be honest.", "Not exactly excellent."],
}
COMMENT_FILLER = ["Bought a sofa.", "Second visit this year.", "Came in for a rug.", "Ordered a bed frame."]
COMMENT_EMPTY = ["n/a", "-", "No comment", "nothing", "."]
# Names: some common (a name list knows them), some rarer, some written in lower case.
COMMENT_NAMES = [
    "Maria",
    "Tom",
    "Sarah",
    "James",
    "Priya",
    "Mr Patel",
    "Siobhan",
    "Oluwaseun",
    "Mrs Kowalski",
]
COMMENT_NAME_PHRASES = ["Ask for {}, very patient.", "{} sorted it out for us.", "Thanks to {} on the till."]
COMMENT_LOWER_NAMES = ["jo", "dave"]
COMMENT_EMAIL_PHRASES = ["Email me at {}", "Contact: {}", "reply to {} please"]
COMMENT_PHONE_PHRASES = ["Call me on {}.", "My number is {}", "ring {} any time"]
# Look like personal data and are not: a product name, an order reference, a street.
COMMENT_DECOYS = [
    "The Rose velvet sofa is gorgeous.",
    "Order ref 2024-118-4471.",
    "The Victoria Road store.",
    "Grace armchair in stock again.",
]
COMMENT_WRITE = 0.3  # share who write, more among the very (dis)satisfied
COMMENT_EMPTY_SHARE = 0.06
COMMENT_PII = {"name": 0.08, "email": 0.03, "phone": 0.03, "decoy": 0.04}
COMMENT_TYPO = 0.12  # chance that a phrase carries a typo (a dropped or swapped letter)


def _ordinal(latent: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Cut a latent scale into ratings 1..len(cuts)+1."""
    return (np.searchsorted(cuts, latent) + 1).astype(np.int64)


def expected_rating(mean: float, sd: float, cuts) -> float:
    """Exact expected rating of a normal latent N(mean, sd) cut at ``cuts``.

    E[rating] = 1 + sum_k P(latent > c_k).

    Parameters
    ----------
    mean, sd : float
        Mean and standard deviation of the latent perception.
    cuts : array-like
        The thresholds between answers, increasing: a rating is 1 plus the number of cuts the
        latent value exceeds.

    Returns
    -------
    float
        The expected rating.

    Examples
    --------
    >>> round(expected_rating(0.0, 1.0, [0.0]), 3)
    1.5
    """
    cuts = np.asarray(cuts, dtype=float)
    return float(1 + np.sum(1 - ndtr((cuts - mean) / sd)))


def _round_clip(x: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.rint(x), low, high).astype(np.int64)


def _months() -> pd.DatetimeIndex:
    return pd.date_range(START, periods=N_MONTHS, freq="MS")


def _training_table() -> pd.DataFrame:
    start = {b: pd.Timestamp(m) for m, bs in TRAINING["waves"].items() for b in bs}
    return pd.DataFrame(
        {
            "branch": BRANCHES,
            "trained": [b in start for b in BRANCHES],
            "start_month": [start.get(b, pd.NaT) for b in BRANCHES],
        }
    )


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _typo(text: str, rng: np.random.Generator) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if sum(ch.isalpha() for ch in w) >= 5]
    if not long:
        return text
    i = long[int(rng.integers(len(long)))]
    w = words[i]
    k = int(rng.integers(1, len(w) - 2))
    words[i] = w[:k] + w[k + 1 :] if rng.random() < 0.5 else w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    return " ".join(words)


def _comments(rng: np.random.Generator, latents: dict, recommend: np.ndarray, centres: dict):
    """Write the comments from the respondents' latent perceptions; return them and their truth.

    ``latents`` maps each topic's latent ("people", ..., "satisfaction") to its values per
    response, standardised by ``centres`` (the business's mean and SD of each, the same at every
    scale). Every draw comes from ``rng`` (its own stream), so no other column changes.
    """
    n = len(recommend)
    z = {k: (v - centres[k][0]) / centres[k][1] for k, v in latents.items()}
    extreme = np.abs(z["satisfaction"])
    writes = rng.random(n) < _sigmoid(np.log(COMMENT_WRITE / (1 - COMMENT_WRITE)) + 0.5 * (extreme - 0.8))
    empty = writes & (rng.random(n) < COMMENT_EMPTY_SHARE)
    topics = list(COMMENT_TOPICS)
    p = np.column_stack([_sigmoid(t["base"] + t["slope"] * z[t["latent"]]) for t in COMMENT_TOPICS.values()])
    mentions = (rng.random((n, len(topics))) < p) & (writes & ~empty)[:, None]
    pii_draw = {k: rng.random(n) < v for k, v in COMMENT_PII.items()}
    negated_draw = rng.random(n) < 0.12
    comment = np.full(n, None, dtype=object)
    rows = {"names": [""] * n, "emails": [""] * n, "phones": [""] * n}
    for i in np.flatnonzero(writes):
        if empty[i]:
            comment[i] = COMMENT_EMPTY[int(rng.integers(len(COMMENT_EMPTY)))]
            continue
        parts = []
        for j in np.flatnonzero(mentions[i]):
            bank = COMMENT_PHRASES[topics[j]]
            text = bank[int(rng.integers(len(bank)))]
            parts.append(_typo(text, rng) if rng.random() < COMMENT_TYPO else text)
        absent = [t for j, t in enumerate(topics) if not mentions[i, j] and t in COMMENT_NEGATED]
        if negated_draw[i] and absent:  # a comment that mentions every topic has nothing left to negate
            bank = COMMENT_NEGATED[absent[int(rng.integers(len(absent)))]]
            parts.append(bank[int(rng.integers(len(bank)))])
        if not parts:
            parts.append(COMMENT_FILLER[int(rng.integers(len(COMMENT_FILLER)))])
        if pii_draw["name"][i]:
            if rng.random() < 0.15:
                name = COMMENT_LOWER_NAMES[int(rng.integers(len(COMMENT_LOWER_NAMES)))]
                phrase = "ask for {} next time"
            else:
                name = COMMENT_NAMES[int(rng.integers(len(COMMENT_NAMES)))]
                phrase = COMMENT_NAME_PHRASES[int(rng.integers(len(COMMENT_NAME_PHRASES)))]
            parts.append(phrase.format(name))
            rows["names"][i] = name
        if pii_draw["email"][i]:
            user = ["jane.doe", "k.smith84", "homeowner", "b_ahmed"][int(rng.integers(4))]
            domain = ["example.com", "mail.example.org", "example.co.uk"][int(rng.integers(3))]
            email = f"{user}@{domain}"
            parts.append(COMMENT_EMAIL_PHRASES[int(rng.integers(3))].format(email))
            rows["emails"][i] = email
        if pii_draw["phone"][i]:
            digits = rng.integers(0, 10, size=6)
            d = "".join(map(str, digits))
            phone = [
                f"07700 900{d[:3]}",
                f"+44 7700 900 {d[:3]}",
                f"(020) 7946 {d[:4]}",
                f"0161-496-{d[:4]}",
            ][int(rng.integers(4))]
            parts.append(COMMENT_PHONE_PHRASES[int(rng.integers(3))].format(phone))
            rows["phones"][i] = phone
        if pii_draw["decoy"][i]:
            parts.append(COMMENT_DECOYS[int(rng.integers(len(COMMENT_DECOYS)))])
        order = rng.permutation(len(parts))
        comment[i] = " ".join(parts[k] for k in order)
    has_text = writes & ~empty
    truth_rows = pd.DataFrame(
        {
            "topics": [";".join(t for j, t in enumerate(topics) if mentions[i, j]) for i in range(n)],
            **rows,
        }
    )
    # The truth per topic, among the comments with something to say (not blank, not "n/a").
    group = np.where(recommend >= 9, "promoter", np.where(recommend <= 6, "detractor", "passive"))
    pw = p * has_text[:, None]
    topic_truth = {}
    for j, t in enumerate(topics):
        spec = COMMENT_TOPICS[t]
        w = p[has_text, j]
        rec = recommend[has_text].astype(float)
        topic_truth[t] = {
            "latent": spec["latent"],
            "slope_per_sd": spec["slope"],
            "prevalence": round(float(pw[has_text, j].mean()), 4),
            "prevalence_by_group": {
                g: round(float(p[has_text & (group == g), j].mean()), 4)
                for g in ("detractor", "passive", "promoter")
            },
            "recommend_difference": round(
                float((w * rec).sum() / w.sum() - ((1 - w) * rec).sum() / (1 - w).sum()), 4
            ),
        }
    truth = {
        "topics": topic_truth,
        "share_writing": round(float(writes.mean()), 4),
        "share_empty": round(float(empty.sum() / max(writes.sum(), 1)), 4),
        "n_with_text": int(has_text.sum()),
    }
    return comment, truth_rows, truth


def _survey(
    rng: np.random.Generator, scale: float, comment_rng: np.random.Generator, reference: dict | None = None
):
    """The survey, and its truth.

    ``reference`` holds the business-level constants the outcomes are built on (see
    :func:`_outcome_reference`); None takes them from this sample, which is what the course's size
    (scale 1) does. A larger regeneration passes those of the same seed at scale 1, so it is the
    same business, with the same outcome equations, only larger. ``comment_rng`` writes the
    comments (its own stream, so rewriting them moves no other column); None leaves every
    comment blank and writes no comment truth.
    """
    months = _months()
    nb, nm, nf = len(BRANCHES), N_MONTHS, len(FACTORS)
    branch_eff = rng.normal(0, SD_BRANCH, size=(nb, nf))
    month_noise = rng.normal(0, SD_MONTH, size=(nb, nm, nf))
    counts = rng.poisson(RESPONSES_PER_BRANCH_MONTH * scale, size=(nb, nm))
    b_idx = np.repeat(np.repeat(np.arange(nb), nm), counts.ravel())
    m_idx = np.repeat(np.tile(np.arange(nm), nb), counts.ravel())
    n = len(b_idx)
    pool = max(1, int(round(CUSTOMERS_PER_BRANCH * scale)))
    cust_local = rng.integers(0, pool, size=n)
    customer_id = b_idx * pool + cust_local + 1
    n_customers = nb * pool
    cust_halo = rng.normal(0, SD_CUSTOMER_HALO, size=n_customers)
    halo = cust_halo[customer_id - 1] + rng.normal(0, SD_RESPONSE_HALO, size=n)

    training = _training_table()
    start_idx = np.array(
        [months.get_loc(s) if t else nm + 99 for t, s in zip(training["trained"], training["start_month"])]
    )
    trained_now = m_idx >= start_idx[b_idx] + TRAINING["lag_months"]

    factor = np.empty((n, nf))
    for j, f in enumerate(FACTORS):
        factor[:, j] = (
            FACTOR_MEAN[f]
            + branch_eff[b_idx, j]
            + TREND_PER_MONTH[f] * m_idx
            + month_noise[b_idx, m_idx, j]
            + halo
            + rng.normal(0, SD_FACTOR, size=n)
        )
    people = FACTORS.index("people")
    factor_cf = factor.copy()  # counterfactual without training, same noise
    factor[:, people] += TRAINING["effect"] * trained_now

    cols: dict[str, np.ndarray] = {}
    cols_cf: dict[str, np.ndarray] = {}
    missing = {}
    for item in ITEMS:
        j = FACTORS.index(ITEM_FACTOR[item])
        noise = rng.normal(0, SD_ITEM, size=n) + ITEM_OFFSET[item]
        cols[item] = _ordinal(factor[:, j] + noise, ITEM_CUTS)
        cols_cf[item] = _ordinal(factor_cf[:, j] + noise, ITEM_CUTS)
        missing[item] = rng.random(n) < MISSING_RATE[item]

    w = np.array([DRIVER_WEIGHTS[f] for f in FACTORS])
    sat_noise = rng.normal(0, SD_SATISFACTION, size=n)
    sat_latent = factor @ w + sat_noise
    satisfaction = _ordinal(sat_latent, SAT_CUTS)
    satisfaction_cf = _ordinal(factor_cf @ w + sat_noise, SAT_CUTS)  # without training, same noise
    if reference is None:
        reference = _outcome_reference(factor, sat_latent)
    sat_z = (sat_latent - reference["satisfaction_mean"]) / reference["satisfaction_sd"]
    recommend_noise = rng.normal(0, RECOMMEND_SD, size=n)
    practices = factor[:, FACTORS.index("practices")]
    effort = _round_clip(3.2 - 1.3 * practices - 0.3 * sat_z + rng.normal(0, 0.9, size=n), 1, 7)
    buy_again = _round_clip(3.9 + 0.8 * sat_z + rng.normal(0, 0.7, size=n), 1, 5)
    channel_idx = rng.choice(len(CHANNELS), size=n, p=[CHANNEL_SAMPLE[c] for c in CHANNELS])
    channel = np.array(CHANNELS)[channel_idx]
    shift = np.array([CHANNEL_RECOMMEND_SHIFT[c] for c in CHANNELS])
    recommend_latent = RECOMMEND_CENTRE + RECOMMEND_SLOPE * sat_z
    recommend = _round_clip(recommend_latent + shift[channel_idx] + recommend_noise, 0, 10)

    latents = dict(zip(FACTORS, factor.T), satisfaction=sat_latent)
    centres = {f: (reference["factor_means"][j], reference["factor_sds"][j]) for j, f in enumerate(FACTORS)}
    centres["satisfaction"] = (reference["satisfaction_mean"], reference["satisfaction_sd"])
    if comment_rng is None:  # no comments asked for: every other column is the same (own stream)
        comment = np.full(n, None, dtype=object)
        comment_truth = pd.DataFrame({k: [""] * n for k in ("topics", "names", "emails", "phones")})
        c_truth = None
    else:
        comment, comment_truth, c_truth = _comments(comment_rng, latents, recommend, centres)

    order = np.lexsort((b_idx, m_idx))  # responses in time order, branches within a month
    survey = pd.DataFrame(
        {
            "response_id": np.arange(1, n + 1),
            "customer_id": customer_id[order],
            "branch": np.array(BRANCHES)[b_idx[order]],
            "month": months[m_idx[order]],
            "channel": channel[order],
        }
    )
    for item in ITEMS:
        vals = pd.array(cols[item][order], dtype="Int64")
        vals[missing[item][order]] = pd.NA
        survey[item] = vals
    survey["satisfaction"] = satisfaction[order]
    survey["recommend"] = recommend[order]
    survey["effort"] = effort[order]
    survey["buy_again"] = buy_again[order]
    survey["comment"] = comment[order]
    comment_truth = comment_truth.iloc[order].reset_index(drop=True)
    comment_truth.insert(0, "response_id", survey["response_id"])

    # The training effect on the people score (mean of answered people items),
    # measured against the same responses without training: the truth for DiD.
    ppl = cxdata.items("people")
    mask = np.column_stack([~missing[i] for i in ppl])
    actual = np.column_stack([cols[i] for i in ppl]).astype(float)
    counterfactual = np.column_stack([cols_cf[i] for i in ppl]).astype(float)
    answered = mask.sum(axis=1)
    ok = trained_now & (answered > 0)
    diff = ((actual - counterfactual) * mask).sum(axis=1)[ok] / answered[ok]
    trained_branch = b_idx[ok]
    by_branch = {
        BRANCHES[b]: {
            "att_people_score": round(float(diff[trained_branch == b].mean()), 4),
            "responses": int((trained_branch == b).sum()),
        }
        for b in np.unique(trained_branch)
    }
    truth = {
        "branch_effects": {
            b: dict(zip(FACTORS, np.round(branch_eff[i], 4).tolist())) for i, b in enumerate(BRANCHES)
        },
        "drivers_latent": _latent_drivers(factor, sat_latent, b_idx),
        "training_att_people_score": round(float(diff.mean()), 4),
        # the same responses' satisfaction (1-5) with and without training: the truth for a DiD on it
        "training_att_satisfaction": round(float((satisfaction - satisfaction_cf)[trained_now].mean()), 4),
        "training_by_branch": by_branch,
        "training_att_satisfaction_latent": round(float(TRAINING["effect"] * DRIVER_WEIGHTS["people"]), 4),
        "channels": _channel_truth(recommend_latent, recommend),
        "comments": c_truth,
        "comment_truth": comment_truth,  # written as truth_comments.csv
        "customer_satisfaction": satisfaction,  # used by transactions, removed before writing
        "business": {  # the business-level quantities, removed before writing
            "branch_effects": branch_eff,
            "month_effects": month_noise,
            "outcome_reference": reference,
        },
        "customer_ids": customer_id,
        "n_customers": n_customers,
    }
    return survey, truth


def _latent_drivers(factor: np.ndarray, sat_latent: np.ndarray, b_idx: np.ndarray) -> dict:
    """What a driver analysis would find if it saw the latent perceptions themselves.

    For the whole chain and for each branch, among these very responses: the relative weights
    (percent of R-squared) and the beta weights of the latent people, environment and practices
    perceptions on latent satisfaction, computed by :mod:`cxlib.drivers` (the formulas the
    lessons use). An estimate from the observed 1-5 items differs from these by measurement
    error alone (the same customers, perfectly measured). Recommendation and buying again follow
    from satisfaction, so their latent drivers are in the same proportions.
    """
    from . import drivers

    latent = pd.DataFrame(factor, columns=FACTORS)
    latent["satisfaction"] = sat_latent
    scopes = {"whole chain": np.ones(len(latent), dtype=bool)}
    scopes.update({b: b_idx == i for i, b in enumerate(BRANCHES)})
    out = {}
    for scope, rows in scopes.items():
        part = latent[rows]
        rw = drivers.relative_weights(part, "satisfaction", FACTORS)["percent"]
        beta = drivers.key_drivers(part, "satisfaction", FACTORS)["estimate"]
        out[scope] = {
            "relative_weight_percent": {f: round(float(rw[f]), 2) for f in FACTORS},
            "beta": {f: round(float(beta[f]), 4) for f in FACTORS},
        }
    return out


def _outcome_reference(factor: np.ndarray, sat_latent: np.ndarray) -> dict:
    """The constants the outcomes are built on, from the responses of the course's size.

    Recommendation, effort and intention to buy again follow the standardised satisfaction, and a
    comment is about the factor furthest from the factors' means: these centres and spreads belong to
    the business, so a regeneration at another scale must reuse those of scale 1 (not its own), or it
    would be a business with different outcome equations.
    """
    return {
        "satisfaction_mean": float(sat_latent.mean()),
        "satisfaction_sd": float(sat_latent.std()),
        "satisfaction_median": float(np.median(sat_latent)),
        "factor_means": factor.mean(axis=0),
        "factor_sds": factor.std(axis=0),
    }


def _channel_truth(recommend_latent: np.ndarray, recommend: np.ndarray) -> dict:
    """The NPS each channel's customers would give, and the population's and the sample's mix of them.

    A customer's experience does not depend on the channel; the shift on the recommendation does.
    Each channel's true NPS averages, over every respondent's experience, the probability of a
    promoter (latent >= 8.5, rounded to 9 or more) minus that of a detractor (latent < 6.5).
    """
    from scipy.special import ndtr

    by_channel = {}
    for c in CHANNELS:
        centre = recommend_latent + CHANNEL_RECOMMEND_SHIFT[c]
        promoter = ndtr((centre - 8.5) / RECOMMEND_SD)
        detractor = ndtr((6.5 - centre) / RECOMMEND_SD)
        by_channel[c] = float(100 * (promoter - detractor).mean())

    def mix(shares):
        return round(sum(shares[c] * by_channel[c] for c in CHANNELS), 2)

    return {
        "population_share": CHANNEL_POPULATION,
        "sample_share": CHANNEL_SAMPLE,
        "recommend_shift": CHANNEL_RECOMMEND_SHIFT,
        "nps_by_channel": {c: round(v, 2) for c, v in by_channel.items()},
        "population_nps": mix(CHANNEL_POPULATION),
        "sample_mix_nps": mix(CHANNEL_SAMPLE),
        "observed_sample_nps": round(float(100 * ((recommend >= 9).mean() - (recommend <= 6).mean())), 2),
        "note": "the survey over-represents in-store customers; raking the survey to population_share "
        "(the population table) estimates population_nps, the unweighted NPS estimates sample_mix_nps",
    }


def _population_table() -> pd.DataFrame:
    return pd.DataFrame({"channel": CHANNELS, "share": [CHANNEL_POPULATION[c] for c in CHANNELS]})


def _latent_sd() -> float:
    return float(np.sqrt(SD_CUSTOMER_HALO**2 + SD_RESPONSE_HALO**2 + SD_FACTOR**2 + SD_ITEM**2))


def _benchmark(rng: np.random.Generator, scale: float):
    frames, true_means, true_overall = [], {}, {}
    sd = _latent_sd()
    base, per_latent, sd_noise = OVERALL_QUALITY
    # the mean latent over the items: the halo, each factor's own noise (weighted by its share of
    # the items) and the items' noise; the ranking rounds base + per_latent * mean + noise to 1-10
    share = pd.Series(ITEM_FACTOR).value_counts() / len(ITEMS)
    var_mean = SD_CUSTOMER_HALO**2 + SD_RESPONSE_HALO**2 + SD_FACTOR**2 * float((share**2).sum())
    sd_overall = float(np.sqrt(per_latent**2 * (var_mean + SD_ITEM**2 / len(ITEMS)) + sd_noise**2))
    next_id = 1
    for biz in BUSINESSES:
        n = max(2, int(round(BENCH_N[biz] * scale)))
        prof = BENCH_PROFILE[biz]
        halo = rng.normal(0, np.hypot(SD_CUSTOMER_HALO, SD_RESPONSE_HALO), size=n)
        fac = {
            f: FACTOR_MEAN[f] + prof.get(f, 0.0) + halo + rng.normal(0, SD_FACTOR, size=n) for f in FACTORS
        }
        rows = {
            "response_id": np.arange(next_id, next_id + n),
            "business": np.repeat(biz, n),
            "business_type": np.repeat(
                "us" if biz == US else "best in class" if biz == "Grand Meridian Hotel" else "competitor", n
            ),
        }
        true_means[biz] = {}
        latent_total = np.zeros(n)
        mu_total = 0.0
        for item in ITEMS:
            f = ITEM_FACTOR[item]
            mu = FACTOR_MEAN[f] + prof.get(f, 0.0) + prof.get(item, 0.0) + ITEM_OFFSET[item]
            latent = fac[f] + prof.get(item, 0.0) + ITEM_OFFSET[item] + rng.normal(0, SD_ITEM, size=n)
            vals = pd.array(_ordinal(latent, ITEM_CUTS), dtype="Int64")
            vals[rng.random(n) < 0.02] = pd.NA
            rows[item] = vals
            latent_total += latent
            mu_total += mu
            true_means[biz][item] = round(expected_rating(mu, sd, ITEM_CUTS), 4)
        rows["overall_quality"] = _round_clip(
            base + per_latent * latent_total / len(ITEMS) + rng.normal(0, sd_noise, size=n), 1, 10
        )
        centre = base + per_latent * mu_total / len(ITEMS)
        true_overall[biz] = round(expected_rating(centre, sd_overall, np.arange(1.5, 10, 1.0)), 4)
        frames.append(pd.DataFrame(rows))
        next_id += n
    return pd.concat(frames, ignore_index=True), {"items": true_means, "overall_quality": true_overall}


def _expectations(rng: np.random.Generator, scale: float):
    ne = max(2, int(round(N_EMPLOYEES * scale)))
    nc = max(2, int(round(N_CUSTOMERS_EXPECT * scale)))
    frames, truth = [], {}
    cuts = np.arange(1.5, 7, 1.0)
    sd_resp, sd_noise = 0.5, 0.9
    next_id = 1
    for role, means, n in (("employee", IMPORTANCE_EMPLOYEE, ne), ("customer", IMPORTANCE_CUSTOMER, nc)):
        ids = np.arange(next_id, next_id + n)
        next_id += n
        offset = rng.normal(0, sd_resp, size=n)
        for e in EXPECTATIONS:
            x = means[e] + offset + rng.normal(0, sd_noise, size=n)
            frames.append(
                pd.DataFrame(
                    {"respondent_id": ids, "role": role, "expectation": e, "importance": _ordinal(x, cuts)}
                )
            )
    df = pd.concat(frames, ignore_index=True).sort_values(
        ["respondent_id", "expectation"],
        key=lambda s: s.map({e: i for i, e in enumerate(EXPECTATIONS)}) if s.name == "expectation" else s,
        kind="stable",
    )
    sd = float(np.hypot(sd_resp, sd_noise))
    for e in EXPECTATIONS:
        emp = expected_rating(IMPORTANCE_EMPLOYEE[e], sd, cuts)
        cus = expected_rating(IMPORTANCE_CUSTOMER[e], sd, cuts)
        truth[e] = {"employee": round(emp, 4), "customer": round(cus, 4), "gap": round(emp - cus, 4)}
    return df.reset_index(drop=True), truth


def _servqual(rng: np.random.Generator, scale: float):
    n = max(2, int(round(N_SERVQUAL * scale)))
    cuts = np.arange(1.5, 7, 1.0)
    ids = np.arange(1, n + 1)
    exp_off, per_off = rng.normal(0, 0.4, size=n), rng.normal(0, 0.6, size=n)
    frames, truth = [], {}
    for d in DIMENSIONS:
        dim_per = rng.normal(0, 0.3, size=n)
        for k in (1, 2, 3):
            e = _ordinal(SERVQUAL_EXPECT[d] + exp_off + rng.normal(0, 0.6, size=n), cuts)
            p = _ordinal(SERVQUAL_PERCEIVE[d] + per_off + dim_per + rng.normal(0, 0.7, size=n), cuts)
            frames.append(
                pd.DataFrame(
                    {
                        "respondent_id": ids,
                        "dimension": d,
                        "item": f"{d}_{k}",
                        "expectation": e,
                        "perception": p,
                    }
                )
            )
        e_true = expected_rating(SERVQUAL_EXPECT[d], float(np.hypot(0.4, 0.6)), cuts)
        p_true = expected_rating(SERVQUAL_PERCEIVE[d], float(np.sqrt(0.6**2 + 0.3**2 + 0.7**2)), cuts)
        truth[d] = {
            "expectation": round(e_true, 4),
            "perception": round(p_true, 4),
            "gap": round(p_true - e_true, 4),
            # the three statements of a dimension are drawn alike: the same true gap each
            "item_gaps": {f"{d}_{k}": round(p_true - e_true, 4) for k in (1, 2, 3)},
        }
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["respondent_id"], kind="stable").reset_index(drop=True)
    return df, truth


def _kano(rng: np.random.Generator, scale: float):
    n = max(2, int(round(N_KANO * scale)))
    answers = np.array(cxdata.categories("kano", "functional"))
    frames = []
    for attr, category in KANO_TRUE.items():
        typical = KANO_TYPICAL[category]
        pick = rng.integers(0, len(typical), size=n)
        func = np.array([typical[k][0] for k in pick], dtype=object)
        dysf = np.array([typical[k][1] for k in pick], dtype=object)
        # the others answer as customers whose needs differ: any category's typical pair
        other = rng.random(n) >= KANO_AGREEMENT
        pairs = [p for cat in KANO_TYPICAL for p in KANO_TYPICAL[cat]]
        alt = rng.integers(0, len(pairs), size=n)
        func[other] = [pairs[k][0] for k in alt[other]]
        dysf[other] = [pairs[k][1] for k in alt[other]]
        # a few careless answers, which the Kano table calls questionable or reverse
        careless = rng.random(n) < KANO_CARELESS
        func[careless] = answers[rng.integers(0, 5, size=int(careless.sum()))]
        dysf[careless] = answers[rng.integers(0, 5, size=int(careless.sum()))]
        frames.append(
            pd.DataFrame(
                {
                    "respondent_id": np.arange(1, n + 1),
                    "attribute": attr,
                    "functional": func,
                    "dysfunctional": dysf,
                }
            )
        )
    df = (
        pd.concat(frames, ignore_index=True)
        .sort_values("respondent_id", kind="stable")
        .reset_index(drop=True)
    )
    shares = {attr: kano_category_shares(category) for attr, category in KANO_TRUE.items()}
    return df, {
        "true_category": KANO_TRUE,
        "share_answering_typically": KANO_AGREEMENT,
        "share_in_true_category": {attr: shares[attr][cat] for attr, cat in KANO_TRUE.items()},
    }


def kano_category_shares(category: str) -> dict[str, float]:
    """The expected share of each Kano category among the answers about an attribute of ``category``.

    A respondent answers with a typical pair of the true category (share ``KANO_AGREEMENT``) or
    like a customer with other needs (any category's typical pair); then a few answer carelessly
    (share ``KANO_CARELESS``, any two answers). Each pair is classified with the Kano evaluation
    table (:func:`cxlib.levels.kano`), so the share that lands in the true category is more than
    ``KANO_AGREEMENT`` (other customers' pairs fall in it too) and differs by category.

    Parameters
    ----------
    category : str
        The attribute's true category (a key of ``KANO_TYPICAL``).

    Returns
    -------
    dict
        Kano category to its expected share (they sum to 1), rounded to 4 decimals.

    Examples
    --------
    >>> shares = kano_category_shares("attractive")
    >>> shares["attractive"], round(sum(shares.values()), 6)
    (0.696, 1.0)
    """
    from .levels import KANO_CATEGORIES, kano

    def share_of(pairs) -> pd.Series:
        cats = pd.Series(kano([f for f, _ in pairs], [d for _, d in pairs]), dtype=object)
        return cats.value_counts(normalize=True).reindex(KANO_CATEGORIES, fill_value=0.0)

    answers = cxdata.categories("kano", "functional")
    everyone = [p for cat in KANO_TYPICAL for p in KANO_TYPICAL[cat]]
    careful = KANO_AGREEMENT * share_of(KANO_TYPICAL[category]) + (1 - KANO_AGREEMENT) * share_of(everyone)
    total = (1 - KANO_CARELESS) * careful + KANO_CARELESS * share_of(
        [(f, d) for f in answers for d in answers]
    )
    return {c: round(float(v), 4) for c, v in total.items()}


def _touchpoints(rng: np.random.Generator, scale: float, n_customers: int):
    n = max(2, int(round(N_ORDERS * scale)))
    months = _months()
    branch = rng.integers(0, len(BRANCHES), size=n)
    month = np.sort(rng.integers(0, N_MONTHS, size=n))
    pool = n_customers // len(BRANCHES)
    customer = branch * pool + rng.integers(0, pool, size=n) + 1
    promised = rng.choice(np.array([3, 5, 7, 10, 14]), size=n)
    processing = np.round(promised * np.exp(rng.normal(-0.2, 0.25, size=n)), 1)
    delayed = processing > promised
    told = delayed & (rng.random(n) < 0.5)
    thank_you = rng.random(n) < 0.4
    n_contacts = rng.choice(np.array([3, 4, 5]), size=n, p=[0.5, 0.3, 0.2])
    halo = rng.normal(0, 1.0, size=n)
    latent = 7.2 + halo[:, None] + rng.normal(0, 1.1, size=(n, 5))
    late = np.maximum(processing - promised, 0)
    latent[:, 2] += DELAY_EFFECT * delayed + TOLD_EFFECT * told + LATE_DAY_EFFECT * late
    last = n_contacts - 1
    latent[np.arange(n), last] += THANK_YOU_EFFECT * thank_you
    ratings = _round_clip(latent, 1, 10).astype(float)
    ratings[np.arange(5)[None, :] >= n_contacts[:, None]] = np.nan
    mean = np.nanmean(ratings, axis=1)
    peak = np.nanmax(ratings, axis=1)
    end = ratings[np.arange(n), last]
    overall = _round_clip(
        PEAK_END["mean"] * mean
        + PEAK_END["peak"] * peak
        + PEAK_END["end"] * end
        + rng.normal(0, 0.6, size=n),
        1,
        10,
    )
    df = pd.DataFrame(
        {
            "order_id": np.arange(1, n + 1),
            "customer_id": customer,
            "branch": np.array(BRANCHES)[branch],
            "month": months[month],
            "promised_days": promised,
            "processing_days": processing,
            "delayed": delayed,
            "told_of_delay": told,
            "thank_you": thank_you,
            "n_contacts": n_contacts,
        }
    )
    for i in range(5):
        df[f"contact_{i + 1}"] = pd.array(ratings[:, i], dtype="Int64")
    df["overall"] = overall
    truth = {
        "weights": PEAK_END,
        "overall_noise_sd": 0.6,
        "delay_effect_on_delivery_contact": DELAY_EFFECT,
        "told_of_delay_effect_on_delivery_contact": TOLD_EFFECT,
        "late_day_effect_on_delivery_contact": LATE_DAY_EFFECT,
        "thank_you_effect_on_last_contact": THANK_YOU_EFFECT,
        "contacts": ["order", "confirmation", "delivery", "follow-up call", "follow-up letter"],
    }
    return df, truth


def _transactions(rng: np.random.Generator, scale: float, n_customers: int, sat_by_customer: np.ndarray):
    months = _months()
    # Customers who never answered the survey get a satisfaction level drawn like those who did.
    level = sat_by_customer.copy()
    unknown = level == 0
    answered = level[~unknown]
    level[unknown] = answered[rng.integers(0, len(answered), size=int(unknown.sum()))]
    join = rng.integers(0, 12, size=n_customers)
    hazard = np.array([0.0] + [MONTHLY_CHURN[k] for k in range(1, 6)])[level]
    # Months active after joining: geometric lifetime, censored at the end of the window.
    life = rng.geometric(hazard)
    active_until = np.minimum(join + life, N_MONTHS)  # exclusive
    n_active = active_until - join
    cust = np.repeat(np.arange(n_customers), n_active)
    offsets = np.arange(len(cust)) - np.repeat(np.cumsum(n_active) - n_active, n_active)
    month = join[cust] + offsets
    buys = rng.random(len(cust)) < PURCHASE_PROB
    cust, month = cust[buys], month[buys]
    day = rng.integers(0, 28, size=len(cust))
    amount = np.round(np.exp(rng.normal(AMOUNT_LOG_MEAN, AMOUNT_LOG_SD, size=len(cust))), 2)
    margin = np.round(amount * (MARGIN_RATE + rng.normal(0, 0.03, size=len(cust))), 2)
    date = months[month] + pd.to_timedelta(day, unit="D")
    order = np.lexsort((cust, date.values))
    pool = n_customers // len(BRANCHES)
    df = pd.DataFrame(
        {
            "transaction_id": np.arange(1, len(cust) + 1),
            "customer_id": cust[order] + 1,
            "branch": np.array(BRANCHES)[cust[order] // pool],
            "date": date[order],
            "amount": amount[order],
            "margin": margin[order],
        }
    )
    mean_amount = float(np.exp(AMOUNT_LOG_MEAN + AMOUNT_LOG_SD**2 / 2))
    truth = {
        "monthly_churn_by_satisfaction": {str(k): v for k, v in MONTHLY_CHURN.items()},
        "annual_retention_by_satisfaction": {
            str(k): round((1 - v) ** 12, 4) for k, v in MONTHLY_CHURN.items()
        },
        "purchase_probability_per_month": PURCHASE_PROB,
        "mean_amount": round(mean_amount, 2),
        "margin_rate": MARGIN_RATE,
        "expected_annual_margin_per_active_customer": round(
            12 * PURCHASE_PROB * mean_amount * MARGIN_RATE, 2
        ),
        "satisfaction_source": "each customer's first survey answer; customers who never answered "
        "draw a level from those who did",
    }
    return df, truth


def generate(
    seed: int = 0, scale: float = 1.0, comments: bool = True
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every table of the course from a seed.

    Parameters
    ----------
    seed : int
        Any non-negative integer. Each seed is a different business with the same story.
    scale : float
        Multiplies the number of rows (1 = the course's size; 150 gives about a
        million survey responses, for benchmarks).
    comments : bool
        Write the free-text comments (default). False leaves every comment blank and every other
        value the same (comments are drawn from their own stream); writing them is about half the
        time of a large regeneration, which population truths that never read them can skip.

    Returns
    -------
    tables : dict of DataFrame
        ``{"survey": ..., "benchmark": ..., ...}`` in the schema's column order.
    truth : dict
        The true effects the data were made with (written as ``truth.json``), except
        ``truth["comment_truth"]``: a DataFrame, one row per response, of the topics each comment
        truly mentions and the names, e-mails and phone numbers it truly contains (written as
        ``truth_comments.csv``, for measuring a coder's or a redactor's hits and misses).

    Examples
    --------
    >>> tables, truth = generate(seed=3, scale=0.05)
    >>> sorted(tables) == sorted(cxdata.tables())
    True
    >>> truth["driver_weights"]["practices"] > truth["driver_weights"]["environment"]
    True
    """
    _check(seed, scale)
    if not isinstance(comments, (bool, np.bool_)):
        raise InputError(f"comments must be True or False, got {comments!r}")
    streams = _streams(seed)
    survey, s_truth = _survey(streams[0], scale, streams[7] if comments else None, _reference(seed, scale))
    s_truth.pop("business")
    benchmark, b_truth = _benchmark(streams[1], scale)
    expectations, e_truth = _expectations(streams[2], scale)
    servqual, q_truth = _servqual(streams[3], scale)
    n_customers = s_truth.pop("n_customers")
    touchpoints, t_truth = _touchpoints(streams[4], scale, n_customers)
    first_sat = np.zeros(n_customers, dtype=np.int64)
    ids, sats = s_truth.pop("customer_ids"), s_truth.pop("customer_satisfaction")
    seen = np.zeros(n_customers, dtype=bool)
    # first answer per customer (responses are generated branch by branch, month by month)
    _, first = np.unique(ids, return_index=True)
    first_sat[ids[first] - 1] = sats[first]
    seen[ids[first] - 1] = True
    transactions, v_truth = _transactions(streams[5], scale, n_customers, first_sat)
    kano, k_truth = _kano(streams[6], scale)
    tables = {
        "survey": survey,
        "benchmark": benchmark,
        "expectations": expectations,
        "servqual": servqual,
        "kano": kano,
        "touchpoints": touchpoints,
        "transactions": transactions,
        "training": _training_table(),
        "population": _population_table(),
    }
    truth = {
        "seed": int(seed),
        "scale": scale,
        "business": US,
        "branches": BRANCHES,
        "months": [START, str(_months()[-1].date())],
        "driver_weights": DRIVER_WEIGHTS,
        "driver_weights_note": "latent-scale weights of people, environment and practices on satisfaction",
        "drivers_latent": s_truth["drivers_latent"],
        "drivers_latent_note": "relative weights (percent of R-squared) and beta weights of the latent "
        "factors on latent satisfaction among the survey's own responses, for the whole chain and each "
        "branch: what a driver analysis would find with every perception measured without error",
        "branch_effects": s_truth["branch_effects"],
        "channels": s_truth["channels"],
        "training": {
            "effect_on_people_latent": TRAINING["effect"],
            "lag_months": TRAINING["lag_months"],
            "waves": TRAINING["waves"],
            "att_people_score": s_truth["training_att_people_score"],
            "att_people_score_note": "average effect on the people score (mean of the answered "
            "people items, 1-5) in trained branch-months, against the same "
            "responses without training",
            "att_satisfaction": s_truth["training_att_satisfaction"],
            "att_satisfaction_note": "average effect on overall satisfaction (1-5) in trained "
            "branch-months, against the same responses without training (the people factor's "
            "lift carried through its weight on latent satisfaction)",
            "by_branch": s_truth["training_by_branch"],
            "by_branch_note": "per trained branch: the same average effect over its trained "
            "branch-months (att_people_score) and how many responses it averages over (responses)",
        },
        "benchmark_true_means": b_truth["items"],
        "benchmark_true_overall_quality": b_truth["overall_quality"],
        "benchmark_true_overall_quality_note": "expected overall quality ranking (1-10) of each business",
        "expectation_gap": e_truth,
        "servqual": q_truth,
        "kano": k_truth,
        "touchpoints": t_truth,
        "value": v_truth,
        "comments": s_truth["comments"],
        "comments_note": "per topic of the comments (lesson 12), among the comments with something to say "
        "(not blank, not an empty answer such as 'n/a'): the latent it follows and its slope per standard "
        "deviation on the logit of mentioning it; prevalence, the expected share mentioning it, overall and "
        "among detractors, passives and promoters (recommend 0-6, 7-8, 9-10); recommend_difference, the "
        "expected mean recommend (0-10) of those mentioning it minus the others'. Mentioning follows the "
        "ratings; it does not cause them. Which comment truly mentions which topic, name, e-mail and phone "
        "number: truth_comments.csv",
        "comment_truth": s_truth["comment_truth"],
    }
    return tables, truth


def _check(seed, scale) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 2000:
        raise ValueError(f"scale must be a number above 0 and at most 2000, got {scale!r}")


def _streams(seed: int) -> list[np.random.Generator]:
    """The seed's random streams, one per table (children of one SeedSequence).

    Children 0-6 are the original streams; spawning more leaves their draws unchanged. Child 7
    writes the comments (lesson 12), so rewriting them moves no other column.
    """
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(8)]


def _reference(seed: int, scale: float) -> dict | None:
    """The outcome constants of ``seed`` at the course's size (None at scale 1: the survey's own)."""
    if scale == 1.0:
        return None
    streams = _streams(seed)
    return _survey(streams[0], 1.0, None)[1]["business"]["outcome_reference"]


def business(seed: int = 0, scale: float = 1.0) -> dict:
    """The business-level quantities of ``seed``: what every scale of the same seed shares.

    A seed is one business; ``scale`` only changes how many customers answer. So the branch effects,
    the branch-month effects and the constants the outcomes are built on (the centre and spread of
    satisfaction, the factors' means) are the same at every scale, and a large regeneration
    (``generate(seed, 40)``) measures the population of the business the course's size samples.

    Parameters
    ----------
    seed : int
        The seed of :func:`generate`.
    scale : float
        The size of :func:`generate`.

    Returns
    -------
    dict
        ``branch_effects`` (branches x factors), ``month_effects`` (branches x months x factors),
        ``outcome_reference`` (``satisfaction_mean``, ``satisfaction_sd``, ``satisfaction_median``,
        ``factor_means``), ``training`` (the schedule) and ``channels`` (the sample's and the
        population's channel mix).

    Examples
    --------
    >>> small, large = business(seed=3, scale=0.5), business(seed=3, scale=2)
    >>> bool((small["month_effects"] == large["month_effects"]).all())
    True
    >>> small["outcome_reference"]["satisfaction_sd"] == large["outcome_reference"]["satisfaction_sd"]
    True
    """
    _check(seed, scale)
    streams = _streams(seed)
    found = dict(_survey(streams[0], scale, None, _reference(seed, scale))[1]["business"])
    found["training"] = _training_table()
    found["channels"] = {"sample_share": dict(CHANNEL_SAMPLE), "population_share": dict(CHANNEL_POPULATION)}
    return found


def _to_csv_text(df: pd.DataFrame) -> str:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c].dtype):
            out[c] = out[c].map({True: "true", False: "false"})
        elif pd.api.types.is_datetime64_any_dtype(out[c].dtype):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n")


def write(out: str | Path, seed: int = 0, scale: float = 1.0) -> Path:
    """Generate the tables for ``seed`` and write them, with ``truth.json`` and the schema, to ``out``.

    Parameters
    ----------
    out : str or Path
        The folder to write into (created if needed).
    seed : int
        The random seed; 0 gives the course's shipped data.
    scale : float
        Multiplies the number of rows of every table.

    Returns
    -------
    Path
        The folder written.

    Examples
    --------
    >>> import tempfile
    >>> folder = write(tempfile.mkdtemp(), seed=2, scale=0.05)
    >>> sorted(p.name for p in folder.iterdir())[:3]
    ['benchmark.csv', 'datapackage.json', 'expectations.csv']
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables, truth = generate(seed, scale)
    for name, df in tables.items():
        (out / f"{name}.csv").write_text(_to_csv_text(df), encoding="utf-8")
    (out / "truth_comments.csv").write_text(_to_csv_text(truth.pop("comment_truth")), encoding="utf-8")
    (out / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copyfile(cxdata.SCHEMA_PATH, out / "datapackage.json")
    return out


def student_seed(student_id) -> int:
    """A stable seed for a student's own business, from their id.

    The same id always gives the same seed (on every machine: a SHA-256 hash, not
    Python's ``hash``); different ids give different seeds. The batch runner
    (``cxkit run --student-data``) and ``cxkit synth --student`` use it, so a student's
    data and answer key match.

    Parameters
    ----------
    student_id : str or int
        The student's id (surrounding spaces ignored).

    Returns
    -------
    int
        A seed between 0 and 2**31 - 2.

    Examples
    --------
    >>> student_seed("s1234567")
    37197429
    >>> student_seed(" s1234567 ") == student_seed("s1234567")
    True
    """
    text = str(student_id).strip()
    if not text:
        raise InputError("student_id: a student id must not be empty")
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big") % (2**31 - 1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cxkit synth`` (and ``python -m cxlib.synth``).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser.

    Returns
    -------
    None
        The options are added to ``parser``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["--student", "s1234567", "--out", "data"]).student
    's1234567'
    """
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--seed", type=int, default=None, help="random seed (default 0, the shipped data)")
    who.add_argument("--student", metavar="ID", help="a student's own business: the seed made from their id")
    parser.add_argument("--out", required=True, help="folder to write the CSV files into")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the number of rows (150 gives about a million survey responses)",
    )
    parser.add_argument(
        "--check", action="store_true", help="load every written table back through the validator"
    )


def run(args: argparse.Namespace) -> int:
    """Generate the data the options ask for; print what was written (and, with ``--check``, validated).

    Parameters
    ----------
    args : argparse.Namespace
        The options of :func:`add_arguments`.

    Returns
    -------
    int
        0 when written (and valid), 2 when the seed, student id or scale is not usable.
    """
    try:
        seed = student_seed(args.student) if args.student is not None else (args.seed or 0)
        folder = write(args.out, seed, args.scale)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        for name in cxdata.tables():
            df = cxdata.load(name, folder)
            print(f"{name:<13} {len(df):>9,} rows  valid")
    print(f"wrote seed {seed} (scale {args.scale:g}) to {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line ``python -m cxlib.synth`` (the same as ``cxkit synth``).

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: the command line's).

    Returns
    -------
    int
        The exit status of :func:`run`.
    """
    parser = argparse.ArgumentParser(prog="python -m cxlib.synth", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
