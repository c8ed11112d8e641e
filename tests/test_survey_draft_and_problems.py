"""Issue 17, tried by an analyst on another real survey (statsmodels' ANES 1996, tab-separated): the
export's separator is found and declared, the draft's scales follow the values seen and say where
they do not, columns left out are listed, and a spec check names every problem at once."""

from __future__ import annotations

import json
import shutil
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
import yaml

import cxlib.data as cxdata
from cxlib.survey import SpecError, detect_delimiter, draft_spec, load_survey, spec_yaml


@pytest.fixture(scope="module")
def course_head():
    return pd.read_csv(cxdata.default_data_dir() / "survey.csv", dtype=str, keep_default_na=False).head(300)


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_an_export_with_another_separator_is_drafted_and_loads_as_the_comma_one(sep, course_head, tmp_path):
    comma, other = tmp_path / "comma.csv", tmp_path / "other.csv"
    course_head.to_csv(comma, index=False)
    course_head.to_csv(other, index=False, sep=sep)
    assert detect_delimiter(other) == sep and detect_delimiter(comma) == ","
    drafted = draft_spec(other)
    assert drafted["delimiter"] == sep and "delimiter" not in draft_spec(comma)
    assert f"delimiter: {yaml.safe_dump(sep).split(chr(10))[0]}" in spec_yaml(drafted)
    want = load_survey(draft_spec(comma)).data
    pd.testing.assert_frame_equal(load_survey(drafted).data, want, check_exact=True)
    # without the delimiter, the header is one column: the error says which separator to declare
    spec = {k: v for k, v in drafted.items() if k != "delimiter"}
    name = {";": "semicolon", "\t": "tab", "|": "pipe"}[sep]
    with pytest.raises(SpecError) as err:
        load_survey(spec)
    # as YAML writes it: "\t" in double quotes is a tab ('\t' would be a backslash and a t)
    assert f"looks {name}-separated. Say delimiter: {json.dumps(sep)} in the spec" in str(err.value)


def test_the_tab_separated_anes96_file_is_drafted_with_its_scales_and_what_was_left_out(tmp_path):
    path = tmp_path / "anes96.csv"
    shutil.copy(files("statsmodels.datasets.anes96").joinpath("anes96.csv"), path)
    spec = draft_spec(path)
    assert spec["delimiter"] == "\t"
    scales = {e["column"].strip("'"): tuple(e["scale"]) for e in spec["outcomes"]}
    # a yes/no question is 0-1, a 0-6 party scale 0-6, 0-7 days 0-7: not snapped to 5, 7 or 10
    assert scales["vote"] == (0, 1) and scales["PID"] == (0, 6) and scales["TVnews"] == (0, 7)
    assert scales["selfLR"] == (1, 7)
    raw = pd.read_csv(path, sep="\t")
    for name, (lo, hi) in scales.items():  # every drafted scale holds the values seen
        assert lo <= raw[f"'{name}'"].min() and raw[f"'{name}'"].max() <= hi
    text = spec_yaml(spec)
    assert "\"'income'\": left out, whole numbers from 1 to 24, not a rating scale" in text
    assert "\"'popul'\": left out" in text and "\"'age'\": left out" in text
    survey = load_survey(spec)
    assert len(survey.data) == len(raw) == 944


def test_a_scale_drafted_wider_than_the_values_seen_is_noted_and_a_name_cannot_break_the_yaml(tmp_path):
    path = tmp_path / "x.csv"
    odd = "q1\nversion: 2"  # a column name with a line break: the note must stay one comment line
    pd.DataFrame({"rid": ["a", "b", "c"], odd: [2, 3, 4], "size": [120, 4000, 75]}).to_csv(path, index=False)
    spec = draft_spec(path)
    text = spec_yaml(spec)
    assert "#   'q1\\nversion: 2': values seen 2 to 4, drafted as 1-5: check it" in text
    assert "#   'size': left out, whole numbers from 75 to 4000" in text
    assert yaml.safe_load(text)["version"] == 1 and yaml.safe_load(text)["outcomes"][0]["column"] == odd


def test_every_column_that_does_not_fit_is_named_in_one_error(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame(
        {"rid": ["a", "b", "b", ""], "q": [1, 9, 3, 2], "r": ["1", "moderate", "2", "3"], "s": [1, 2, 8, 1]}
    ).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "id": "rid",
            "outcomes": [{"column": c, "scale": [1, 7]} for c in ("q", "r", "s")]}  # fmt: skip
    with pytest.raises(SpecError) as err:
        load_survey(spec)
    msg = str(err.value)
    assert msg.startswith("the export does not fit the spec in 4 columns:\n  - column 'rid' (id)")
    assert "1 blank id(s): row 5: (blank); ids must be unique; repeated: row 3: 'b', row 4: 'b'" in msg
    assert "column 'q' (outcomes[0]): 1 value(s) outside the declared scale 1 to 7: row 3 (id b): 9" in msg
    assert "column 'r' (outcomes[1], declared scale 1 to 7): 1 value(s) are not numbers" in msg
    assert "column 's' (outcomes[2]): 1 value(s) outside" in msg


def test_a_code_for_not_answered_is_pointed_to_missing_codes_first(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"q": [1, -99, 5, 2, 99]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "outcomes": [{"column": "q", "scale": [1, 5]}]}
    with pytest.raises(SpecError) as err:
        load_survey(spec)
    msg = str(err.value)
    assert "-99, 99 look(s) like a code for 'not answered': list it in missing_codes (now [])" in msg
    assert msg.index("missing_codes") < msg.index("scale: [-99, 99]")
    pd.DataFrame({"q": [1, 8, 5]}).to_csv(path, index=False)  # a value that is no code: scale first
    with pytest.raises(SpecError, match=r"declare it \(scale: \[1, 8\]\); cxlib never rescales\. A code"):
        load_survey(spec)
    pd.DataFrame({"q": [1, -99, 5, 2, 99]}).to_csv(path, index=False)
    got = load_survey(spec | {"missing_codes": [-99, 99]}).data["q"]
    np.testing.assert_array_equal(got, [1, np.nan, 5, 2, np.nan])


def _dated(tmp_path, when):
    path = tmp_path / "d.csv"
    pd.DataFrame({"rid": range(len(when)), "when": when, "q": [1 + i % 5 for i in range(len(when))]}).to_csv(
        path, index=False
    )
    return {"version": 1, "data": str(path), "id": "rid", "date": "when",
            "outcomes": [{"column": "q", "scale": [1, 5]}]}  # fmt: skip


def test_dates_written_with_numbers_are_read_in_the_one_order_their_values_allow(tmp_path):
    # day first, the first value ambiguous: a value-by-value parser read 03/04 as March 4 and 13/04
    # as April 13 in the same column (the red team's 130 of 300 rows in the wrong month)
    eu = ["03/04/2024", "13/04/2024", "28/02/2024 14:05", "01/12/2024"]
    got = load_survey(_dated(tmp_path, eu)).data["when"]
    want = pd.to_datetime(eu, format="mixed", dayfirst=True)
    assert list(got) == list(want) and got.iloc[0] == pd.Timestamp("2024-04-03")
    us = ["03/04/2024", "04/13/2024", "12/01/2024"]
    assert load_survey(_dated(tmp_path, us)).data["when"].iloc[0] == pd.Timestamp("2024-03-04")
    iso = ["2024-03-04", "2024-04-13"]  # not written with numbers only in that way: the parser's own
    assert load_survey(_dated(tmp_path, iso)).data["when"].iloc[0] == pd.Timestamp("2024-03-04")
    # mixed with ISO dates or inside other text, the numbers-only dates still decide (and an ISO
    # date is never read day first: pandas' dayfirst=True reads 2024-01-06 as 1 June)
    mixed = ["2024-01-06", "09/01/2024", "13/01/2024", "Sat 06/01/2024", "Mon 05/02/24 14:05"]
    got = load_survey(_dated(tmp_path, mixed)).data["when"]
    want = ["2024-01-06", "2024-01-09", "2024-01-13", "2024-01-06", "2024-02-05 14:05"]
    assert list(got) == [pd.Timestamp(w) for w in want]


def test_dates_whose_order_no_value_decides_or_that_contradict_ask_for_date_format(tmp_path):
    spec = _dated(tmp_path, ["03/04/2024", "05/06/2024", "07/07/2024"])
    with pytest.raises(
        SpecError, match=r"'03/04/2024' could be day first or month first.*declare date_format"
    ):
        load_survey(spec)
    got = load_survey(spec | {"date_format": "%d/%m/%Y"}).data["when"]
    assert got.iloc[0] == pd.Timestamp("2024-04-03")
    with pytest.raises(
        SpecError, match=r"'when' \(date\): 1 value\(s\) are not dates: row 3 \(id 1\): '05-06'"
    ):
        load_survey(_dated(tmp_path, ["03/04/2024", "05-06", "07/07/2024"]) | {"date_format": "%d/%m/%Y"})
    with pytest.raises(SpecError, match=r"day first in some rows \('13/04/2024'\) and the month first"):
        load_survey(_dated(tmp_path, ["13/04/2024", "04/13/2024"]))


def test_coded_groups_are_named_by_value_labels(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"educ": [1, 2, 3, 1, 2, 3], "q": [1, 2, 3, 4, 5, 1]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "groups": ["educ"],
            "outcomes": [{"column": "q", "scale": [1, 5]}],
            "value_labels": {"educ": {1: "Grade school", 2: "High school"}}}  # fmt: skip
    got = load_survey(spec).data["educ"]
    assert got.tolist() == ["Grade school", "High school", "3"] * 2  # a code with no name keeps its code
    with pytest.raises(SpecError, match=r"value_labels give two groups the same name \('School'\)"):
        load_survey(spec | {"value_labels": {"educ": {1: "School", 2: "School"}}})
    with pytest.raises(SpecError, match=r"value_labels.q: 'q' is not a grouping column"):
        load_survey(spec | {"value_labels": {"q": {1: "Low"}}})


def test_a_date_written_as_a_number_is_read_as_a_date_not_as_nanoseconds(tmp_path):
    got = load_survey(_dated(tmp_path, [2023, 2024, 2024])).data["when"]  # years alone: numbers to a parser
    assert list(got) == [pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01")]
