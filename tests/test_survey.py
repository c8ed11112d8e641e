"""The survey spec and loader (issue 17): Qualtrics and SurveyMonkey exports of the course's survey
give the course's numbers exactly; bad specs and bad values get errors that say where and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxlib.data as cxdata
from cxlib import metrics, scales
from cxlib.survey import SpecError, detect_format, draft_spec, load_survey, read_spec, spec_yaml
from tests.survey_exports import QUESTIONS, surveymonkey_name, write_qualtrics, write_surveymonkey

FACTOR_Q = {"people": "Q3", "environment": "Q4", "practices": "Q5"}


@pytest.fixture(scope="module")
def course():
    return cxdata.load("survey")


@pytest.fixture(scope="module")
def qualtrics(tmp_path_factory):
    return write_qualtrics(tmp_path_factory.mktemp("q") / "export.csv")


@pytest.fixture(scope="module")
def surveymonkey(tmp_path_factory):
    return write_surveymonkey(tmp_path_factory.mktemp("sm") / "export.csv")


def qualtrics_spec(path) -> dict:
    name = {c: q for c, q, _, _ in QUESTIONS}
    return {
        "version": 1,
        "data": str(path),
        "format": "qualtrics",
        "id": "ResponseId",
        "date": "StartDate",
        "groups": ["Q1", "Q2"],
        "recommend": "Q7",
        "satisfaction": {"column": "Q6", "scale": [1, 5]},
        "effort": {"column": "Q8", "scale": [1, 7]},
        "factors": {
            f: {"items": [{"column": name[c], "scale": [1, 5]} for c in cxdata.items(f)]}
            for f in ("people", "environment", "practices")
        },
        "outcomes": [{"column": "Q9", "scale": [1, 5]}],
        "comment": "Q10",
    }


def test_detect_format(qualtrics, surveymonkey):
    assert detect_format(qualtrics) == "qualtrics"
    assert detect_format(surveymonkey) == "surveymonkey"
    assert detect_format(cxdata.default_data_dir() / "survey.csv") == "csv"


def test_qualtrics_export_gives_the_course_numbers(qualtrics, course):
    s = load_survey(qualtrics_spec(qualtrics))
    d = s.data
    assert len(d) == len(course)
    # question texts kept as labels, matrix row included
    assert s.label("Q3_1") == "How would you rate our staff? - Friendly and courteous"
    assert metrics.nps(d["Q7"]) == metrics.nps(course["recommend"])
    assert metrics.top_box(d["Q6"], scale=s.scale("Q6")) == metrics.top_box(course["satisfaction"])
    assert metrics.effort_score(d["Q8"], scale=s.scale("Q8")) == metrics.effort_score(course["effort"])
    for f, q in FACTOR_Q.items():
        ours = scales.cronbach_alpha(d, [c for c in d if c.startswith(q + "_")], missing="pairwise")
        theirs = scales.cronbach_alpha(course, cxdata.items(f), missing="pairwise")
        assert ours.estimate == pytest.approx(theirs.estimate, abs=1e-12)
    np.testing.assert_array_equal(d["StartDate"].dt.to_period("M").dt.start_time, course["month"])
    assert (d["Q10"].to_numpy() == course["comment"].fillna("").to_numpy()).all()
    assert list(d["Q1"].cat.categories) == sorted(course["branch"].astype(str).unique())


def test_surveymonkey_export_gives_the_course_numbers(surveymonkey, course):
    n = surveymonkey_name
    spec = {
        "version": 1,
        "data": str(surveymonkey),
        "format": "surveymonkey",
        "id": "Respondent ID",
        "date": "Start Date",
        "groups": [n("branch")],
        "recommend": n("recommend"),
        "satisfaction": {"column": n("satisfaction"), "scale": [1, 5]},
        "factors": {"people": {"items": [{"column": n(c), "scale": [1, 5]} for c in cxdata.items("people")]}},
        "comment": n("comment"),
    }
    s = load_survey(spec)
    assert s.label(n("people_knowledge")) == "How would you rate our staff? - Knew the products"
    assert metrics.nps(s.data[n("recommend")]) == metrics.nps(course["recommend"])
    ours = scales.cronbach_alpha(s.keyed("people"), s.factors["people"], missing="pairwise").estimate
    assert ours == pytest.approx(
        scales.cronbach_alpha(course, cxdata.items("people"), missing="pairwise").estimate
    )
    by = metrics.by_group(s.data, n("recommend"), n("branch"), "nps")
    theirs = metrics.by_group(course, "recommend", "branch", "nps")
    np.testing.assert_allclose(by["estimate"].to_numpy(), theirs["estimate"].to_numpy())


def test_draft_spec_of_a_qualtrics_export_finds_the_factors_and_roles(qualtrics, tmp_path):
    spec = draft_spec(qualtrics)
    assert spec["format"] == "qualtrics" and spec["id"] == "ResponseId" and spec["date"] == "StartDate"
    assert spec["recommend"] == "Q7"
    assert spec["satisfaction"] == {"column": "Q6", "scale": [1, 5]}
    assert spec["effort"] == {"column": "Q8", "scale": [1, 7]}
    assert {k: [i["column"] for i in f["items"]] for k, f in spec["factors"].items()} == {
        "q3": ["Q3_1", "Q3_2", "Q3_3"],
        "q4": ["Q4_1", "Q4_2", "Q4_3"],
        "q5": ["Q5_1", "Q5_2", "Q5_3", "Q5_4"],
    }
    assert spec["groups"] == ["Q1", "Q2"] and spec["comment"] == "Q10"
    # the draft, written as YAML, reads back and loads
    (tmp_path / "export.csv").write_bytes(qualtrics.read_bytes())
    (tmp_path / "spec.yml").write_text(spec_yaml(spec))
    assert len(load_survey(tmp_path / "spec.yml").data) == len(cxdata.load("survey"))


def test_draft_spec_of_a_surveymonkey_export_groups_a_matrix(surveymonkey):
    spec = draft_spec(surveymonkey)
    assert spec["format"] == "surveymonkey" and spec["id"] == "Respondent ID"
    staff = [f for f in spec["factors"].values() if f["label"] == "How would you rate our staff?"]
    assert [i["column"] for i in staff[0]["items"]] == [surveymonkey_name(c) for c in cxdata.items("people")]


def test_a_value_outside_the_declared_scale_names_column_rows_ids_and_the_fix(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"rid": ["a", "b", "c", "d"], "q": [1, 7, 10, 3]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "id": "rid", "outcomes": [{"column": "q", "scale": [1, 5]}]}
    with pytest.raises(SpecError) as err:
        load_survey(spec)
    msg = str(err.value)
    assert "column 'q' (outcomes[0]): 2 value(s) outside the declared scale 1 to 5" in msg
    assert "row 3 (id b): 7" in msg and "row 4 (id c): 10" in msg
    assert "scale: [1, 10]" in msg and "never rescales" in msg


def test_text_in_a_rated_column_and_missing_codes(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"q": ["1", "Very satisfied", "-99", "5"]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "outcomes": [{"column": "q", "scale": [1, 5]}]}
    with pytest.raises(SpecError, match=r"1 value\(s\) are not numbers: row 3: 'Very satisfied'"):
        load_survey(spec)
    pd.DataFrame({"q": [1, -99, 5, 2]}).to_csv(path, index=False)
    with pytest.raises(SpecError, match=r"row 3: -99.*missing_codes"):
        load_survey(spec)
    got = load_survey(spec | {"missing_codes": [-99]}).data["q"]
    np.testing.assert_array_equal(got.to_numpy(), [1, np.nan, 5, 2])


def test_fractions_blank_ids_and_duplicate_ids_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"rid": [1, 2, 2], "q": [1, 2.5, 3]}).to_csv(path, index=False)
    spec = {"version": 1, "data": str(path), "outcomes": [{"column": "q", "scale": [1, 5]}]}
    with pytest.raises(SpecError, match=r"not whole numbers: row 3: 2.5"):
        load_survey(spec)
    with pytest.raises(SpecError, match=r"'rid' \(id\): ids must be unique; repeated: row 3: 2, row 4: 2"):
        load_survey(spec | {"id": "rid"})


def test_columns_the_export_lacks_are_named_with_a_suggestion(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"Q5_1": [1], "Q5_2": [2]}).to_csv(path, index=False)
    spec = {
        "version": 1,
        "data": str(path),
        "factors": {"f": {"items": [{"column": "Q5_3", "scale": [1, 5]}]}},
    }
    with pytest.raises(SpecError, match=r"'Q5_3' \(factors.f.items\[0\]\) \(did you mean 'Q5_\d'\?\)"):
        load_survey(spec)


def test_spec_schema_errors_say_where(tmp_path):
    bad = {
        "version": 1,
        "data": "x.csv",
        "satisfation": {"column": "Q6", "scale": [1, 5]},
        "factors": {"f": {"items": [{"column": "a", "scale": [1]}]}},
    }
    with pytest.raises(SpecError) as err:
        read_spec(bad)
    msg = str(err.value)
    assert "2 problems" in msg
    assert "unknown key(s) 'satisfation' (did you mean 'satisfaction'?)" in msg
    assert "factors.f.items[0].scale: must contain at least 2 items" in msg
    with pytest.raises(SpecError, match="column 'Q6' is already satisfaction"):
        read_spec(
            {
                "version": 1,
                "data": "x",
                "satisfaction": {"column": "Q6", "scale": [1, 5]},
                "outcomes": [{"column": "Q6", "scale": [1, 5]}],
            }
        )
    mixed = {"items": [{"column": "a", "scale": [1, 5]}, {"column": "b", "scale": [1, 7]}]}
    with pytest.raises(SpecError, match=r"factors.f: its items are on different scales \(1-5, 1-7\)"):
        read_spec({"version": 1, "data": "x", "factors": {"f": mixed}})
    (tmp_path / "s.yml").write_text("version: 1\ndata: [unclosed\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        read_spec(tmp_path / "s.yml")


def test_a_qualtrics_spec_on_a_plain_csv_says_what_is_wrong(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"Q1": [1, 2, 3]}).to_csv(path, index=False)
    with pytest.raises(SpecError, match="row 3 holds no Qualtrics import ids"):
        load_survey({"version": 1, "data": str(path), "format": "qualtrics", "recommend": "Q1"})


def test_xlsx_export(tmp_path, course):
    path = tmp_path / "x.xlsx"
    course[["response_id", "recommend", "satisfaction"]].to_excel(path, index=False)
    s = load_survey(
        {
            "version": 1,
            "data": str(path),
            "format": "xlsx",
            "id": "response_id",
            "recommend": "recommend",
            "satisfaction": {"column": "satisfaction", "scale": [1, 5]},
        }
    )
    assert metrics.nps(s.data["recommend"]) == metrics.nps(course["recommend"])


def test_reverse_keyed_items_are_scored_reversed_not_stored_reversed(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"a": [1, 2, 5], "b": [5, 4, 1]}).to_csv(path, index=False)
    spec = {
        "version": 1,
        "data": str(path),
        "factors": {
            "f": {
                "items": [{"column": "a", "scale": [1, 5]}, {"column": "b", "scale": [1, 5], "reverse": True}]
            }
        },
    }
    s = load_survey(spec)
    np.testing.assert_array_equal(s.data["b"], [5, 4, 1])
    np.testing.assert_array_equal(s.keyed("f")["b"], [1, 2, 5])
    np.testing.assert_array_equal(s.factor_scores()["f"], [1, 2, 5])


def test_data_given_apart_from_the_spec_overrides_its_data(tmp_path, course):
    spec = {"version": 1, "data": "no-such-export.csv", "recommend": "recommend"}
    with pytest.raises(SpecError, match="no-such-export.csv' does not exist"):
        load_survey(spec)
    s = load_survey(spec, data=cxdata.default_data_dir() / "survey.csv")
    assert metrics.nps(s.data["recommend"]) == metrics.nps(course["recommend"])


def test_surveymonkey_excel_export(surveymonkey, tmp_path, course):
    # SurveyMonkey's Excel export holds the same two header rows as its CSV export
    rows = pd.read_csv(surveymonkey, header=None, dtype=str, keep_default_na=False)
    path = tmp_path / "export.xlsx"
    rows.to_excel(path, header=False, index=False)
    n = surveymonkey_name
    s = load_survey(
        {
            "version": 1,
            "data": str(path),
            "format": "surveymonkey",
            "id": "Respondent ID",
            "recommend": n("recommend"),
            "groups": [n("branch")],
        }
    )
    assert metrics.nps(s.data[n("recommend")]) == metrics.nps(course["recommend"])
    assert detect_format(path) == "surveymonkey"
