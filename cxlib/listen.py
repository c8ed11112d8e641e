"""Listening: what customers write in their own words (lesson 12).

The steps a careful analyst takes with free-text comments, in order:

1. **Redact first.** :func:`redact` replaces e-mail addresses, phone numbers and names with
   ``[EMAIL]``, ``[PHONE]`` and ``[NAME]`` before anyone reads or analyses a comment;
   :func:`find_personal_data` says where it found them, and :func:`redaction_errors` counts
   what a redaction missed and what it hid for nothing, against a known truth.
2. **Code with a codebook.** :data:`CODEBOOK` lists each topic's words as regular expressions;
   :func:`code_topics` marks which comment mentions which topic, skipping a match that follows
   a negation ("not rude at all" is no complaint about the staff). :func:`coding_accuracy`
   gives the codebook's precision and recall against a truth (or a human coder), and
   :func:`cohen_kappa` the agreement of two codings beyond chance, with its interval.
3. **Read the tone.** :func:`sentiment` scores each comment with VADER (Hutto & Gilbert 2014,
   the ``vaderSentiment`` package, whose lexicon ships with it: no network).
4. **From words to action.** :func:`topic_prevalence` gives the share of comments mentioning
   each topic per group (detractors, passives, promoters: :func:`nps_group`) with Wilson
   intervals, and :func:`mention_gap` how much lower (or higher) the rating is among those who
   mention a topic, with Welch's interval. Mentioning goes *with* a rating; it does not cause it.
   :func:`topic_lead` says which topics lead and which are tied: a ranking is read only where
   the intervals of the paired differences separate it.

Comments are untrusted text: nothing here renders them as HTML or runs them; print them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from ._docs import fill
from ._validate import check_confidence, require_columns
from .compare import welch_from_stats
from .errors import InputError
from .metrics import wilson_from_counts
from .results import Estimate

#: The codebook: each topic and the regular expression (case-insensitive) whose match codes a
#: comment as mentioning it. Written the way a human coder starts: the words customers use for
#: a complaint (or for praise), checked against a sample of comments and refined.
CODEBOOK = {
    "waiting": r"\bwait\w*|\bqueue\w*|\bslow\b|took ages|\bforever\b",
    "staff": r"\brude\b|\bunhelpful\b|\bignored\b|\bunfriendly\b|\b(?:nobody|no one) came\b",
    "cleanliness": r"\bdirty\b|\bdust\w*|\bmess\w*|\bfilthy\b|\bcluttered\b|\bsmell\w*",
    "billing": r"\bbill\b|\bbilling\b|\binvoice\w*|\bcharged\b|\bovercharg\w*|\brefund\w*",
    "unresolved": r"\bnot (?:been )?(?:resolved|fixed|sorted)|\bunresolved\b|\bstill open\b|"
    r"\bnobody called back\b|\bnever called back\b",
    "delivery": r"\bdeliver\w*|\bcourier\b|\bvan\b",
    "praise": r"\bgreat\b|\blovely\b|\bexcellent\b|\bfantastic\b|\bbrilliant\b|\bwell done\b|"
    r"\bthank you\b|\bfriendly\b",
}

#: Words that negate what follows them within :data:`NEGATION_WINDOW` words: a codebook match
#: right after one of them is not coded ("no wait at all", "didn't have to wait").
NEGATIONS = ("not", "no", "never", "without", "hardly", "nothing", "nor")
NEGATION_WINDOW = 3

#: Names the redaction recognises (a list any analyst can extend): common given names, and any
#: capitalised word after a title (Mr, Mrs, Ms, Dr).
NAMES = (
    "Anna", "Ben", "Chris", "Dave", "David", "Emma", "Grace", "James", "Jo", "John", "Kate", "Laura",
    "Maria", "Mark", "Michael", "Paul", "Priya", "Rose", "Sam", "Sarah", "Sophie", "Tom", "Victoria",
)  # fmt: skip

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d ()-]{7,}\d(?![\w-])")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.? [A-Z][\w'-]+")
#: Words that introduce a person ("ask for Jo", "thanks to Priya"), in any case; the word after one
#: is taken for a name unless it is a common word (:data:`NOT_NAMES`).
NAME_CUES = ("ask for", "asked for", "thanks to", "spoke to", "speak to", "talk to", "talked to")
NOT_NAMES = (
    "a", "an", "the", "help", "more", "my", "our", "your", "their", "it", "them", "him", "her", "me",
    "us", "all", "everyone", "someone", "anyone", "staff", "refund", "manager", "delivery",
)  # fmt: skip
_CUED = re.compile(
    r"(?i:\b(?:" + "|".join(NAME_CUES).replace(" ", r"\s+") + r")\s+)"
    r"(?!(?i:" + "|".join(NOT_NAMES) + r")\b)([^\W\d_][\w'-]*)"
)
_WORD = re.compile(r"[A-Za-z']+")
PLACEHOLDER = {"email": "[EMAIL]", "phone": "[PHONE]", "name": "[NAME]"}


@dataclass(frozen=True)
class KappaEstimate(Estimate):
    """Cohen's kappa with its interval and the p-value of "no agreement beyond chance" (kappa = 0).

    Examples
    --------
    >>> KappaEstimate(estimate=0.48, se=0.14, low=0.21, high=0.75, n=19, p_value=0.001)
    KappaEstimate(estimate=0.48, 95% CI [0.21, 0.75], se=0.14, n=19, p=0.001)
    """

    p_value: float = float("nan")

    def __repr__(self) -> str:
        return (
            f"KappaEstimate(estimate={self.estimate:.4g}, {self._interval()}, se={self.se:.4g}, "
            f"n={self.n}, p={self.p_value:.4g})"
        )


def _text(comments, name: str = "comments") -> pd.Series:
    """Comments as a Series of text; blanks stay missing (never the text 'nan')."""
    s = comments if isinstance(comments, pd.Series) else pd.Series(comments, dtype=object)
    bad = s.notna() & ~s.map(lambda v: isinstance(v, str))
    if bad.any():
        shown = ", ".join(f"{i}: {s[i]!r}" for i in s.index[bad][:5])
        raise InputError(f"{name}: every comment must be text or missing; not text at rows {shown}")
    return s


def find_personal_data(comments, names=NAMES) -> pd.DataFrame:
    """Where each comment holds an e-mail address, a phone number or a name.

    E-mails and phone numbers are found by pattern (a phone number: 9 or more digits, spaces,
    brackets or hyphens, starting and ending with a digit); names by a list of given names
    (``names``, matched as whole capitalised words), by a title followed by a capitalised
    word ("Mrs Kowalski") and by the word after a cue such as "ask for" or "thanks to"
    (:data:`NAME_CUES`, in any case, unless a common word follows: :data:`NOT_NAMES`). It is a
    first line of defence, not a guarantee: a rare name with no cue before it is missed, and a
    product called "Rose" is hidden for nothing. Measure both with :func:`redaction_errors`
    before trusting it.

    Parameters
    ----------
    comments : Series or list of str
        The comments (missing values are skipped).
    names : sequence of str
        The given names to look for.

    Returns
    -------
    DataFrame
        One row per finding: ``row`` (the comment's index label), ``kind`` (``email``,
        ``phone`` or ``name``), ``start`` and ``end`` (character positions). No text, so the
        table itself reveals nothing.

    Examples
    --------
    >>> find_personal_data(["Call Tom on 0161 496 0000.", "Fine."])
       row   kind  start  end
    0    0  phone     12   25
    1    0   name      5    8
    """
    s = _text(comments)
    name_re = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b") if len(names) else None
    rows = []
    for label, text in s.dropna().items():
        taken: list[tuple[int, int]] = []
        patterns = (("email", _EMAIL, 0), ("phone", _PHONE, 0), ("name", _TITLE, 0), ("name", _CUED, 1))
        for kind, pattern, group in (*patterns, ("name", name_re, 0)):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                start, end = m.span(group)
                if not any(start < e and s0 < end for s0, e in taken):
                    taken.append((start, end))
                    rows.append((label, kind, start, end))
    return pd.DataFrame(rows, columns=["row", "kind", "start", "end"]).astype({"start": int, "end": int})


def redact(comments, names=NAMES) -> pd.Series:
    """The comments with e-mails, phone numbers and names replaced by ``[EMAIL]``, ``[PHONE]``, ``[NAME]``.

    Parameters
    ----------
    comments : Series or list of str
        The comments; missing values stay missing.
    names : sequence of str
        The given names to hide (see :func:`find_personal_data`).

    Returns
    -------
    Series
        The redacted comments, same index.

    Examples
    --------
    >>> redact(["Email jo.b@example.com or ask Maria.", None]).tolist()
    ['Email [EMAIL] or ask [NAME].', None]
    """
    s = _text(comments)
    found = find_personal_data(s, names)
    out = s.copy()
    for label, spans in found.sort_values("start", ascending=False).groupby("row", sort=False):
        text = out[label]
        for kind, start, end in zip(spans["kind"], spans["start"], spans["end"]):
            text = text[:start] + PLACEHOLDER[kind] + text[end:]
        out[label] = text
    return out


def _truth_items(value) -> list[str]:
    return [v for v in str(value).split("|") if v] if isinstance(value, str) else []


@fill
def redaction_errors(comments, truth: pd.DataFrame, names=NAMES, confidence: float = 0.95) -> pd.DataFrame:
    """What a redaction missed and what it hid for nothing, against a known truth.

    Two rates per kind, each with a Wilson interval: **recall**, the percentage of the personal
    data present that the redaction hides, and **precision**, the percentage of what it hides that
    was personal data (the rest are false hits: a sofa called "Rose"). Both describe the
    redaction on *these* comments: on generated data, the generator's own names.

    Parameters
    ----------
    comments : Series
        The original comments.
    truth : DataFrame
        Same index as ``comments``, with columns ``names``, ``emails`` and ``phones``: the
        personal data each comment truly holds (several separated by ``|``; blank for none),
        as in the course's ``truth_comments.csv``.
    names : sequence of str
        The given names to hide (see :func:`find_personal_data`).
    {confidence}

    Returns
    -------
    DataFrame
        One row per kind (``name``, ``email``, ``phone``): ``present`` (how many the comments
        hold), ``caught``, ``missed``, ``found`` (findings of that kind), ``false_hits`` (findings
        of that kind that cover nothing true), ``recall`` (percent of the present caught) with its
        Wilson ``recall_low`` and ``recall_high``, and ``precision`` (percent of the findings that
        cover something true) with ``precision_low`` and ``precision_high``. A rate with nothing to
        count (no such data present, or nothing found) is NaN.

    Examples
    --------
    >>> comments = pd.Series(["Maria helped.", "Siobhan helped.", "The Rose sofa."])
    >>> truth = pd.DataFrame({"names": ["Maria", "Siobhan", ""], "emails": "", "phones": ""})
    >>> redaction_errors(comments, truth)[["kind", "present", "caught", "missed", "found", "false_hits"]]
        kind  present  caught  missed  found  false_hits
    0   name        2       1       1      2           1
    1  email        0       0       0      0           0
    2  phone        0       0       0      0           0
    """
    confidence = check_confidence(confidence)
    s = _text(comments)
    require_columns(truth, ["names", "emails", "phones"], "truth")
    if not truth.index.equals(s.index):
        raise InputError("truth must have the same index as comments (one row of truth per comment)")
    found = find_personal_data(s, names)
    table = []
    for kind, column in (("name", "names"), ("email", "emails"), ("phone", "phones")):
        present = caught = 0
        true_spans = {}
        for label, value in truth[column].items():
            text = s[label] if isinstance(s[label], str) else ""
            for item in _truth_items(value):
                start = text.find(item)
                if start < 0:
                    raise InputError(f"truth: the {kind} at row {label} does not occur in its comment")
                present += 1
                span = (start, start + len(item))
                true_spans.setdefault(label, []).append(span)
                spans = found[found["row"] == label]
                caught += bool(((spans["start"] < span[1]) & (spans["end"] > span[0])).any())
        mine = found[found["kind"] == kind]
        false_hits = sum(
            not any(st < e and s0 < en for s0, e in true_spans.get(label, []))
            for label, st, en in zip(mine["row"], mine["start"], mine["end"])
        )
        table.append((kind, present, caught, present - caught, len(mine), false_hits))
    out = pd.DataFrame(table, columns=["kind", "present", "caught", "missed", "found", "false_hits"])
    for rate, hits, total in (("recall", out["caught"], out["present"]),
                              ("precision", out["found"] - out["false_hits"], out["found"])):  # fmt: skip
        ok = total > 0
        out[rate], out[f"{rate}_low"], out[f"{rate}_high"] = np.nan, np.nan, np.nan
        if ok.any():
            w = wilson_from_counts(hits[ok], total[ok], confidence)
            out.loc[ok, [rate, f"{rate}_low", f"{rate}_high"]] = w[["estimate", "low", "high"]].to_numpy()
    return out


def _negated(text: str, start: int) -> bool:
    clause = re.split(r"[.!?;:]", text[:start])[-1]  # a negation reaches no further than its sentence
    before = _WORD.findall(clause.lower())[-NEGATION_WINDOW:]
    return any(w in NEGATIONS or w.endswith("n't") for w in before)


def code_topics(comments, codebook=None, negation: bool = True) -> pd.DataFrame:
    """Code each comment into the codebook's topics (True where it mentions the topic).

    A topic is coded when its pattern matches and, with ``negation=True``, the match does not
    follow a negation (:data:`NEGATIONS`, or a word ending in "n't") within
    :data:`NEGATION_WINDOW` words of the same sentence: "no wait at all" is not a complaint
    about waiting. A comment may mention several topics, or none.

    Parameters
    ----------
    comments : Series or list of str
        The comments (redact them first); missing ones code as no topic.
    codebook : dict, optional
        Topic to regular expression (case-insensitive); :data:`CODEBOOK` by default.
    negation : bool
        Skip matches that follow a negation.

    Returns
    -------
    DataFrame
        One boolean column per topic, the comments' index.

    Examples
    --------
    >>> code_topics(["Waited ages, staff rude.", "Staff not rude at all, no wait."])[["waiting", "staff"]]
       waiting  staff
    0     True   True
    1    False  False
    """
    s = _text(comments)
    codebook = CODEBOOK if codebook is None else codebook
    if not isinstance(codebook, dict) or not codebook:
        raise InputError("codebook must be a dict of topic -> regular expression, with at least one topic")
    out = {}
    for topic, pattern in codebook.items():
        try:
            rx = re.compile(pattern, re.IGNORECASE)
        except re.error as err:
            raise InputError(
                f"codebook: the pattern of topic {topic!r} is not a regular expression ({err})"
            ) from err

        def hit(text, rx=rx):
            if not isinstance(text, str):
                return False
            return any(not (negation and _negated(text, m.start())) for m in rx.finditer(text))

        out[topic] = s.map(hit).astype(bool)
    return pd.DataFrame(out, index=s.index)


@fill
def coding_accuracy(coded: pd.DataFrame, truth: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Precision and recall of a coding against a truth (or a reference coder), per topic.

    Parameters
    ----------
    coded, truth : DataFrame
        Boolean columns per topic, same index; ``truth`` must hold every topic of ``coded``.
    {confidence}

    Returns
    -------
    DataFrame
        One row per topic: ``in_truth`` (comments truly mentioning it), ``coded``, ``both``;
        ``precision`` (percent of the coded that are true) and ``recall`` (percent of the true
        that are coded), each with its Wilson interval (``precision_low``, ...).

    Examples
    --------
    >>> truth = pd.DataFrame({"waiting": [True, True, False, False]})
    >>> coded = pd.DataFrame({"waiting": [True, False, True, False]})
    >>> coding_accuracy(coded, truth)[["topic", "in_truth", "coded", "both", "precision", "recall"]]
         topic  in_truth  coded  both  precision  recall
    0  waiting         2      2     1       50.0    50.0
    """
    confidence = check_confidence(confidence)
    require_columns(truth, list(coded.columns), "truth")
    if not truth.index.equals(coded.index):
        raise InputError("coded and truth must have the same index (one row per comment)")
    rows = []
    for topic in coded.columns:
        c, t = _flags(coded[topic], topic), _flags(truth[topic], topic)
        rows.append((topic, int(t.sum()), int(c.sum()), int((c & t).sum())))
    out = pd.DataFrame(rows, columns=["topic", "in_truth", "coded", "both"])
    for name, denom in (("precision", "coded"), ("recall", "in_truth")):
        out[name], out[f"{name}_low"], out[f"{name}_high"] = np.nan, np.nan, np.nan
        ok = out[denom] > 0
        if ok.any():
            w = wilson_from_counts(out.loc[ok, "both"], out.loc[ok, denom], confidence)
            out.loc[ok, [name, f"{name}_low", f"{name}_high"]] = w[["estimate", "low", "high"]].to_numpy()
    return out


def _flags(values, name) -> np.ndarray:
    s = pd.Series(values)
    if s.isna().any() or not s.isin([True, False, 0, 1]).all():
        bad = s[s.isna() | ~s.isin([True, False, 0, 1])]
        raise InputError(f"{name}: expected True/False for every comment, got {bad.head(5).tolist()}")
    return s.astype(bool).to_numpy()


@fill
def cohen_kappa(a, b, confidence: float = 0.95) -> KappaEstimate:
    """Cohen's kappa: how much two codings of the same comments agree beyond chance.

    kappa = (p_o - p_e) / (1 - p_e), with p_o the share of comments both codings put in the same
    category and p_e the share expected by chance from their margins (Cohen 1960). The standard
    error is the large-sample one of Fleiss, Cohen & Everitt (1969), the interval
    kappa +/- z se; the p-value tests kappa = 0 with the standard error under that hypothesis.

    Parameters
    ----------
    a, b : array-like
        Two codings (any categories: True/False for one topic, or topic labels), same length.
    {confidence}

    Returns
    -------
    KappaEstimate
        ``estimate`` (kappa), ``se``, ``low``, ``high``, ``n``, ``p_value``.

    Examples
    --------
    >>> coder_1 = ["yes"] * 25 + ["no"] * 25
    >>> coder_2 = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(coder_1, coder_2).estimate, 3)  # Wikipedia's example: 0.4
    0.4
    """
    confidence = check_confidence(confidence)
    x, y = pd.Series(np.asarray(a, dtype=object)), pd.Series(np.asarray(b, dtype=object))
    if len(x) != len(y):
        raise InputError(f"the two codings must code the same comments: lengths {len(x)} and {len(y)}")
    missing = x.isna() | y.isna()
    if missing.any():
        raise InputError(
            f"codings: missing codes at rows {np.flatnonzero(missing)[:5].tolist()}; code every comment"
        )
    if len(x) < 2:
        raise InputError("kappa needs at least 2 coded comments")
    table = pd.crosstab(x, y).reindex(
        index=sorted(set(x) | set(y), key=str), columns=sorted(set(x) | set(y), key=str), fill_value=0
    )
    return _kappa_from_table(table.to_numpy(dtype=float), confidence)


def _kappa_from_table(counts: np.ndarray, confidence: float) -> KappaEstimate:
    n = counts.sum()
    p = counts / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po, pe = np.trace(p), float(rows @ cols)
    if pe >= 1:
        raise InputError("both codings put every comment in the same single category: kappa is undefined")
    k = (po - pe) / (1 - pe)
    diag = np.diag(p)
    # Fleiss, Cohen & Everitt (1969), eq. (13): the large-sample variance of kappa
    a_term = float((diag * (1 - (rows + cols) * (1 - k)) ** 2).sum())
    off = p * (cols[:, None] + rows[None, :]) ** 2
    b_term = float((1 - k) ** 2 * (off.sum() - np.trace(off)))
    c_term = (k - pe * (1 - k)) ** 2
    se = float(np.sqrt(max(a_term + b_term - c_term, 0.0) / n) / (1 - pe))
    # ... and under kappa = 0, eq. (14), for the test
    se0 = float(np.sqrt(max(pe + pe**2 - float((rows * cols * (rows + cols)).sum()), 0.0) / n) / (1 - pe))
    z = norm.ppf(0.5 + confidence / 2)
    p_value = float(2 * norm.sf(abs(k) / se0)) if se0 > 0 else float("nan")
    return KappaEstimate(
        estimate=float(k), se=se, low=float(k - z * se), high=float(k + z * se), n=int(n),
        confidence=confidence, method="Fleiss-Cohen-Everitt", p_value=p_value,
    )  # fmt: skip


def sentiment(comments) -> pd.Series:
    """VADER's compound tone of each comment, from -1 (most negative) to +1 (most positive).

    VADER (Hutto & Gilbert 2014) is a lexicon with rules for negation ("not good"), boosters
    ("very good"), capitals and exclamation marks; its lexicon ships with the ``vaderSentiment``
    package, so it runs offline. By its authors' convention a compound of 0.05 or more reads as
    positive, -0.05 or less as negative, in between as neutral. It reads English social-media
    language: a typo or a domain word ("the sofa sagged") can escape it.

    Parameters
    ----------
    comments : Series or list of str
        The comments; missing ones score missing.

    Returns
    -------
    Series
        The compound score per comment (float), the comments' index.

    Examples
    --------
    >>> sentiment(["The book was good.", None]).tolist()  # vaderSentiment's README: 0.4404
    [0.4404, nan]
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    s = _text(comments)
    analyzer = SentimentIntensityAnalyzer()
    return s.map(lambda t: analyzer.polarity_scores(t)["compound"] if isinstance(t, str) else np.nan).astype(
        float
    )


def has_text(comments, min_words: int = 2) -> pd.Series:
    """Whether each comment says something: at least ``min_words`` words of three letters or more.

    Blank cells, "n/a", "-", "nothing" or "No comment" are answers with nothing to analyse; they
    count as no comment when shares of topics are computed.

    Parameters
    ----------
    comments : Series or list of str
        The comments; missing ones say nothing.
    min_words : int
        How many words (of three letters or more) a comment needs.

    Returns
    -------
    Series
        True where the comment says something, the comments' index.

    Examples
    --------
    >>> has_text(["n/a", "No comment", "Bought a sofa.", None]).tolist()
    [False, False, True, False]
    """
    s = _text(comments)
    if isinstance(min_words, bool) or not isinstance(min_words, (int, np.integer)) or min_words < 1:
        raise InputError(f"min_words must be a whole number of at least 1, got {min_words!r}")
    return s.str.count(r"[^\W\d_]{3,}").fillna(0).ge(min_words).astype(bool)


def nps_group(recommend) -> pd.Series:
    """Detractor (0-6), passive (7-8) or promoter (9-10) for each answer to the 0-10 question.

    Parameters
    ----------
    recommend : Series or array-like
        Answers 0-10 (whole numbers).

    Returns
    -------
    Series
        Ordered categorical: detractor < passive < promoter.

    Examples
    --------
    >>> nps_group([0, 7, 9]).tolist()
    ['detractor', 'passive', 'promoter']
    """
    s = pd.Series(recommend)
    ok = s.notna() & s.isin(range(11))
    if not ok.all():
        bad = s[~ok]
        raise InputError(
            f"recommend: expected whole numbers 0-10, got {bad.head(5).tolist()} "
            f"at rows {list(bad.index[:5])}"
        )
    group = np.where(s >= 9, "promoter", np.where(s <= 6, "detractor", "passive"))
    return pd.Series(pd.Categorical(group, ["detractor", "passive", "promoter"], ordered=True), index=s.index)


@fill
def topic_prevalence(df: pd.DataFrame, topics, by: str, confidence: float = 0.95) -> pd.DataFrame:
    """The percentage of comments mentioning each topic, per group, with Wilson intervals.

    Parameters
    ----------
    df : DataFrame
        One row per comment, a boolean column per topic and the group column ``by``.
    topics : list of str
        The topic columns.
    by : str
        The group column (for instance the NPS group from :func:`nps_group`).
    {confidence}

    Returns
    -------
    DataFrame
        One row per group and topic: ``by``, ``topic``, ``estimate`` (percent), ``se``, ``low``,
        ``high``, ``n`` (comments in the group) and ``mentions``.

    Examples
    --------
    >>> df = pd.DataFrame({"waiting": [True, False, False, True], "group": ["a", "a", "b", "b"]})
    >>> topic_prevalence(df, ["waiting"], "group")[["group", "topic", "estimate", "n"]]
      group    topic  estimate  n
    0     a  waiting      50.0  2
    1     b  waiting      50.0  2
    """
    confidence = check_confidence(confidence)
    topics = [topics] if isinstance(topics, str) else list(topics)
    require_columns(df, [*topics, by], "df")
    if df[by].isna().any():
        raise InputError(f"{by}: missing group at rows {list(df.index[df[by].isna()][:5])}")
    frames = []
    for topic in topics:
        flags = pd.Series(_flags(df[topic], topic), index=df.index)
        counts = flags.groupby(df[by], observed=True).agg(["sum", "size"])
        w = wilson_from_counts(counts["sum"].to_numpy(), counts["size"].to_numpy(), confidence)
        w.insert(0, "topic", topic)
        w.insert(0, by, counts.index.to_numpy())
        w["mentions"] = counts["sum"].to_numpy().astype(int)
        frames.append(w)
    return pd.concat(frames, ignore_index=True)


@fill
def mention_gap(df: pd.DataFrame, outcome: str, topics, confidence: float = 0.95) -> pd.DataFrame:
    """How much higher (or lower) ``outcome`` is among comments mentioning each topic than among the rest.

    Welch's interval for the difference of means (:func:`cxlib.compare.welch_from_stats`).
    Mentioning a topic goes *with* a rating; it does not cause it: a customer who is unhappy for
    any reason may write about the wait.

    Parameters
    ----------
    df : DataFrame
        One row per comment: the numeric ``outcome`` and a boolean column per topic.
    outcome : str
        The rating (for instance ``recommend``).
    topics : list of str
        The topic columns.
    {confidence}

    Returns
    -------
    DataFrame
        One row per topic: ``topic``, ``estimate`` (mean of those mentioning it minus the
        others'), ``se``, ``low``, ``high``, ``p_value``, ``n`` (comments mentioning it) and
        ``n_other``.

    Examples
    --------
    >>> df = pd.DataFrame({"recommend": [2, 3, 9, 10, 8, 9], "waiting": [1, 1, 0, 0, 0, 0]})
    >>> mention_gap(df, "recommend", ["waiting"])[["topic", "estimate", "n", "n_other"]]
         topic  estimate  n  n_other
    0  waiting      -6.5  2        4
    """
    confidence = check_confidence(confidence)
    topics = [topics] if isinstance(topics, str) else list(topics)
    require_columns(df, [outcome, *topics], "df")
    y = pd.to_numeric(df[outcome], errors="coerce")
    if y.isna().any():
        bad = df.loc[y.isna(), outcome]
        raise InputError(
            f"{outcome}: expected numbers, got {bad.head(5).tolist()} at rows {list(bad.index[:5])}"
        )
    rows = []
    for topic in topics:
        m = _flags(df[topic], topic)
        a, b = y[m], y[~m]
        w = welch_from_stats(a.mean(), a.var(), len(a), b.mean(), b.var(), len(b), confidence)
        rows.append({"topic": topic, **w.iloc[0][["estimate", "se", "low", "high", "p_value"]].to_dict(),
                     "n": len(a), "n_other": len(b)})  # fmt: skip
    return pd.DataFrame(rows)


@fill
def topic_lead(df: pd.DataFrame, topics, confidence: float = 0.95) -> pd.DataFrame:
    """Which topics lead: each topic's share, and how far it is behind the most frequent one.

    Two topics' shares among the same comments are *paired* (a comment can mention both), so
    their difference has the standard error of two dependent proportions (Agresti 2007, §8.1):
    ``se = sqrt((b + c - (b - c)**2 / n) / n**2)``, with ``b`` the comments mentioning only the
    top topic and ``c`` only the other.

    The most frequent topic is chosen *because* it came out on top, so its share is flattered by
    chance, and comparing the others with it alone would call a topic "behind" a little too
    easily. So every *pair* of topics is compared, and the ``m = k (k - 1) / 2`` intervals of
    ``k`` topics are Bonferroni-adjusted together (each at ``1 - (1 - confidence) / m``): they
    hold together at ``confidence`` whichever topic the data put first. A topic **leads** when no
    other topic is clearly ahead of it (every interval of its difference from a more frequent
    topic reaches zero), a tie the data cannot break; the most frequent topic always leads. The
    table shows each topic against the first; a ranking is only read where the intervals
    separate it.

    Parameters
    ----------
    df : DataFrame
        One row per comment, a boolean column per topic.
    topics : list of str
        The topic columns (at least two).
    {confidence}

    Returns
    -------
    DataFrame
        One row per topic, most frequent first: ``topic``, ``percent`` (of the comments mentioning
        it), ``estimate`` (the top topic's percent minus this one's, percentage points; 0 for the top),
        ``se``, ``low``, ``high`` (the interval, adjusted for all the pairs), ``n`` (comments) and
        ``leads`` (True for the top and every topic no other is clearly ahead of).

    Examples
    --------
    Agresti (2007, Table 8.1): 1,600 people rated the President twice; 794 approved both times,
    150 only the first time, 86 only the second, 570 neither. Approval fell from 59% to 55%: 4
    points, standard error 0.95, 95% interval 2.1 to 5.9 (two topics: one comparison, no
    adjustment).

    >>> df = pd.DataFrame({"first": [True] * 944 + [False] * 656,
    ...                    "second": [True] * 794 + [False] * 150 + [True] * 86 + [False] * 570})
    >>> topic_lead(df, ["second", "first"]).round(2)
        topic  percent  estimate    se   low  high     n  leads
    0   first     59.0       0.0  0.00  0.00  0.00  1600   True
    1  second     55.0       4.0  0.95  2.13  5.87  1600  False
    """
    confidence = check_confidence(confidence)
    topics = [topics] if isinstance(topics, str) else list(topics)
    if len(topics) < 2:
        raise InputError(f"topics: a lead needs at least two topics to compare, got {topics}")
    require_columns(df, topics, "df")
    if len(df) == 0:
        raise InputError("df has no comments: there is no share to compare")
    flags = pd.DataFrame({t: _flags(df[t], t) for t in topics})
    n = len(flags)
    share = flags.mean().sort_values(ascending=False, kind="stable")
    first = share.index[0]
    k = len(topics)
    z = norm.ppf(1 - (1 - confidence) / (k * (k - 1)))  # two-sided, over k (k - 1) / 2 pairs

    def ahead(top, t):
        """The paired difference top - t (as a share), its standard error and lower end."""
        b = int((flags[top] & ~flags[t]).sum())
        c = int((~flags[top] & flags[t]).sum())
        d = (b - c) / n
        se = float(np.sqrt(max(b + c - (b - c) ** 2 / n, 0.0)) / n)
        return d, se, d - z * se

    rows = []
    for i, t in enumerate(share.index):
        d, se, low = ahead(first, t)
        behind = any(ahead(u, t)[2] > 0 for u in share.index[:i])
        rows.append({"topic": t, "percent": 100 * share[t], "estimate": 100 * d, "se": 100 * se,
                     "low": 100 * low, "high": 100 * (d + z * se), "n": n, "leads": not behind})  # fmt: skip
    return pd.DataFrame(rows)
