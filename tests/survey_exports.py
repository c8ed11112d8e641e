"""Qualtrics-format and SurveyMonkey-format exports of the course's own survey, for the spec tests.

The layouts follow the vendors' CSV exports: Qualtrics writes three header rows (the column names
``Q3_1``..., the question texts with `` - `` and the matrix row, and ``{"ImportId":"QID3_1"}``) and
its metadata columns (``StartDate``, ``ResponseId``, ``Progress``, ...); SurveyMonkey writes two (the
question, blank for a matrix's further columns; then the matrix row or ``Response``). Values are the
course's, unchanged, so every number from the export must equal the same number from the CSV.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

import cxlib.data as cxdata

# (column of survey.csv, Qualtrics name, question, matrix row or None)
QUESTIONS = [
    ("branch", "Q1", "Which branch did you visit?", None),
    ("channel", "Q2", "How did you deal with us?", None),
    *[
        (c, f"Q3_{i}", "How would you rate our staff?", t)
        for i, (c, t) in enumerate(
            [
                ("people_friendliness", "Friendly and courteous"),
                ("people_knowledge", "Knew the products"),
                ("people_helpfulness", "Went out of their way to help"),
            ],
            1,
        )
    ],
    *[
        (c, f"Q4_{i}", "How would you rate the store?", t)
        for i, (c, t) in enumerate(
            [
                ("env_cleanliness", "Clean and tidy"),
                ("env_comfort", "Comfortable"),
                ("env_appearance", "Look of the displays"),
            ],
            1,
        )
    ],
    *[
        (c, f"Q5_{i}", "How easy were we to deal with?", t)
        for i, (c, t) in enumerate(
            [
                ("practices_ordering", "Ordering and paying"),
                ("practices_waiting", "Waiting time"),
                ("practices_billing", "Bill and paperwork"),
                ("practices_resolution", "Problem resolution"),
            ],
            1,
        )
    ],
    ("satisfaction", "Q6", "Overall, how satisfied were you?", None),
    ("recommend", "Q7", "How likely are you to recommend us to a friend?", None),
    ("effort", "Q8", "How much effort did it take to get what you needed?", None),
    ("buy_again", "Q9", "Will you buy from us again?", None),
    ("comment", "Q10", "Anything else you would like to tell us?", None),
]


def course_survey() -> pd.DataFrame:
    """The course's survey as the CSV holds it (raw values, blanks as blanks)."""
    return pd.read_csv(cxdata.default_data_dir() / "survey.csv", dtype=str, keep_default_na=False)


def write_qualtrics(path: Path, survey: pd.DataFrame | None = None) -> Path:
    """Write the survey as a Qualtrics CSV export (three header rows, metadata columns first)."""
    s = course_survey() if survey is None else survey
    meta = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "ResponseId"]
    names = meta + [q for _, q, _, _ in QUESTIONS]
    texts = [
        "Start Date",
        "End Date",
        "Response Type",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "Response ID",
    ] + [f"{t} - {row}" if row else t for _, _, t, row in QUESTIONS]
    imports = [json.dumps({"ImportId": m.lower()}) for m in meta] + [
        json.dumps({"ImportId": "QID" + q[1:]}) for _, q, _, _ in QUESTIONS
    ]
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        w = csv.writer(handle)
        w.writerows([names, texts, imports])
        for r in s.itertuples(index=False):
            r = r._asdict()
            stamp = f"{r['month']} 10:{int(r['response_id']) % 60:02d}:00"
            row = [stamp, stamp, "0", "100", "312", "1", f"R_{int(r['response_id']):06d}"]
            w.writerow(row + [r[c] for c, _, _, _ in QUESTIONS])
    return path


def write_surveymonkey(path: Path, survey: pd.DataFrame | None = None) -> Path:
    """Write the survey as a SurveyMonkey CSV export (two header rows; matrix questions spread)."""
    s = course_survey() if survey is None else survey
    first = ["Respondent ID", "Collector ID", "Start Date", "End Date"]
    second = ["", "", "", ""]
    last = None
    for _, _, text, row in QUESTIONS:
        first.append("" if row and text == last else text)
        second.append(row or ("Open-Ended Response" if text.startswith("Anything") else "Response"))
        last = text
    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerows([first, second])
        for r in s.itertuples(index=False):
            r = r._asdict()
            date = pd.Timestamp(r["month"]).strftime("%m/%d/%Y") + " 10:00:00 AM"
            w.writerow(
                [str(100000 + int(r["response_id"])), "4242", date, date] + [r[c] for c, _, _, _ in QUESTIONS]
            )
    return path


def surveymonkey_name(column: str) -> str:
    """The name cxlib gives a course column in the SurveyMonkey export (question, and ' - ' row)."""
    _, _, text, row = next(q for q in QUESTIONS if q[0] == column)
    return f"{text} - {row}" if row else text
