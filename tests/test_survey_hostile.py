"""Issue 17, red-teamed: a spec or an export that is hostile or malformed gets a clear error or a
report that says what it cannot compute, never a traceback, a live render or a file read elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import cxlib.data as cxdata
from cxlib.kit import survey_report as report
from cxlib.kit.cli import main
from cxlib.survey import SpecError, draft_spec, load_survey, read_spec


@pytest.fixture(scope="module")
def head():
    return pd.read_csv(cxdata.default_data_dir() / "survey.csv", dtype=str, keep_default_na=False).head(200)


def spec_of(path, **more) -> dict:
    rated = {"column": "satisfaction", "scale": [1, 5]}
    items = [{"column": c, "scale": [1, 5]} for c in ("people_friendliness", "people_knowledge")]
    env = [{"column": c, "scale": [1, 5]} for c in ("env_cleanliness", "env_comfort")]
    return {"version": 1, "data": str(path), "id": "response_id", "groups": ["branch"],
            "recommend": "recommend", "satisfaction": rated,
            "factors": {"people": {"items": items}, "env": {"items": env}}} | more  # fmt: skip


def test_a_spec_file_cannot_say_where_its_data_folder_is(tmp_path):
    (tmp_path / "s.yml").write_text("version: 1\ndata: x.csv\n_folder: /etc\n")
    with pytest.raises(SpecError, match=r"unknown key\(s\) '_folder'"):
        read_spec(tmp_path / "s.yml")
    # a billion-element alias bomb under it is refused before its value is looked at
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    (tmp_path / "b.yml").write_text("version: 1\ndata: x.csv\n_folder:\n  " + bomb.replace("\n", "\n  "))
    with pytest.raises(SpecError, match=r"unknown key\(s\) '_folder'"):
        read_spec(tmp_path / "b.yml")


def test_files_that_cannot_be_read_say_why(head, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("rid,q\n1,Sch\xf6n\n".encode("latin-1"))
    with pytest.raises(
        SpecError, match=r"latin.csv is not UTF-8 text \(byte 11: b'\\xf6'\); save it as UTF-8"
    ):
        load_survey({"version": 1, "data": str(latin), "comment": "q"})
    long = tmp_path / "long.csv"
    head.to_csv(long, index=False)
    lines = long.read_text().splitlines()
    lines[4] += ",extra,fields"
    long.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError, match=r"Expected 20 fields in line 5, saw 22; a row has more fields than"):
        load_survey(spec_of(long))
    book = tmp_path / "x.xlsx"
    head.to_excel(book, index=False, sheet_name="answers")
    with pytest.raises(SpecError, match=r"x.xlsx: no sheet 'Nope'; its sheets are 'answers' \(sheet:\)"):
        load_survey(spec_of(book, format="xlsx", sheet="Nope"))


def test_a_huge_comment_in_the_first_row_loads(head, tmp_path):
    big = head.copy()
    big.loc[0, "comment"] = "slow " * 40_000  # 200,000 characters: over the csv module's field limit
    path = tmp_path / "x.csv"
    big.to_csv(path, index=False)
    got = load_survey(spec_of(path, comment="comment")).data["comment"]
    assert len(got.iloc[0]) == 200_000


def test_a_codebook_pattern_that_is_not_a_regular_expression_is_a_spec_problem(tmp_path):
    with pytest.raises(SpecError, match=r"codebook.waiting: '\(wait' is not a regular expression"):
        read_spec({"version": 1, "data": "x.csv", "comment": "c", "codebook": {"waiting": "(wait"}})


def test_control_characters_reach_neither_the_terminal_nor_break_the_workbook(head, tmp_path, capsys):
    bad = head.rename(columns={"channel": "chan\x1b]0;owned\x07"})
    bad["branch"] = bad["branch"].str.replace("Ashford", "Ash\x07ford")
    path = tmp_path / "x.csv"
    bad.to_csv(path, index=False)
    spec = spec_of(path, groups=["branch", "chan\x1b]0;owned\x07"])
    (tmp_path / "s.yml").write_text(yaml.safe_dump(spec))
    assert main(["spec", "check", str(tmp_path / "s.yml")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "chan\\x1b]0;owned\\x07" in out
    secs = report.sections(load_survey(spec), n_boot=100)
    book = pd.read_excel(report.write_tables(secs, tmp_path / "t.xlsx"), sheet_name=None)
    assert "Ash\\x07ford" in book["NPS by branch"]["branch"].tolist()  # the bell written as its escape
    assert any(name.startswith("NPS by chan") and "\x07" not in name for name in book)


def test_labels_are_drawn_as_written_not_as_mathtext(head, tmp_path):
    path = tmp_path / "x.csv"
    head.to_csv(path, index=False)
    spec = spec_of(path)
    spec["factors"]["people"]["label"] = r"Staff $\foo{x}$"  # an unknown command: mathtext would fail
    spec["factors"]["env"]["label"] = "Value (from $5 to $10)"
    ipa = next(sec for sec in report.sections(load_survey(spec), n_boot=100) if sec.key == "ipa")
    texts = [t for t in ipa.figure.findobj(lambda a: hasattr(a, "get_parse_math"))]
    drawn = {t.get_text() for t in texts}
    assert {r"Staff $\foo{x}$", "Value (from $5 to $10)"} <= drawn
    assert not any(t.get_parse_math() for t in texts if "$" in t.get_text())
    ipa.figure.savefig(tmp_path / "ipa.png")  # draws without a mathtext error


def test_sections_that_the_data_cannot_give_say_why(head, tmp_path):
    one = tmp_path / "one.csv"
    head.head(1).to_csv(one, index=False)
    secs = {sec.key: sec for sec in report.sections(load_survey(spec_of(one)), n_boot=100)}
    assert "a mean's interval needs at least 2 responses" not in str(secs["headline"].skipped)
    assert secs["drivers"].skipped.startswith("Skipped: these data cannot give it: only 1 complete row(s)")
    blank = head.assign(recommend="")
    path = tmp_path / "blank.csv"
    blank.to_csv(path, index=False)
    secs = {sec.key: sec for sec in report.sections(load_survey(spec_of(path)), n_boot=100)}
    assert "'recommend': no estimate from these data (no response answered it)." in secs["headline"].sentences
    assert secs["groups"].skipped == secs["by_group"].skipped == "Skipped: no response answered 'recommend'."
    assert secs["headline"].skipped is None and secs["headline"].tables["headline"]["metric"].tolist() == [
        "top 2 box"
    ]  # satisfaction still has its estimate


def test_bad_options_are_refused_before_the_run_and_a_failed_run_leaves_no_older_report(
    head, tmp_path, capsys, monkeypatch
):
    from cxlib.kit import execute

    path = tmp_path / "x.csv"
    head.to_csv(path, index=False)
    (tmp_path / "s.yml").write_text(yaml.safe_dump(spec_of(path)))
    out = tmp_path / "out"
    run = ["report", "--spec", str(tmp_path / "s.yml"), "--out", str(out)]
    assert main([*run, "--n-boot", "1"]) == 2
    assert "--n-boot must be at least 100" in capsys.readouterr().err and not out.exists()
    assert main([*run, "--confidence", "95"]) == 2 and not out.exists()
    out.mkdir()
    (out / "report.html").write_text("an older report")
    (out / "tables.xlsx").write_text("older tables")

    def fails(template, target, params, cwd, timeout):
        return execute.Outcome(status=execute.STATUS_FAILED, cell=2, code="import html", error="Boom: x")

    monkeypatch.setattr(execute, "execute_notebook", fails)
    assert main(run) == 1
    assert "the report failed at cell 2 of its template" in capsys.readouterr().err
    assert not (out / "report.html").exists() and not (out / "tables.xlsx").exists()


def test_a_recommend_question_nobody_answered_0_is_still_drafted_as_recommend(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"How likely are you to recommend us?": [1, 5, 10, 9, 7]}).to_csv(path, index=False)
    assert draft_spec(path)["recommend"] == "How likely are you to recommend us?"


def test_formulas_with_no_value_saved_are_named_not_read_as_blanks(head, tmp_path):
    import openpyxl

    book = tmp_path / "x.xlsx"
    head.head(20).to_excel(book, index=False)
    wb = openpyxl.load_workbook(book)
    wb.active["G3"] = "=2+3"  # a rating in row 3: a formula openpyxl saves with no value
    wb.save(book)
    with pytest.raises(SpecError, match=r"x.xlsx, sheet 'Sheet1': 1 cell\(s\) hold a formula with no value"):
        load_survey(spec_of(book, format="xlsx"))
    plain = tmp_path / "plain.xlsx"  # no formula: read without the cell-by-cell pass
    head.head(20).to_excel(plain, index=False)
    assert len(load_survey(spec_of(plain, format="xlsx")).data) == 20


def test_a_second_header_row_is_not_drafted_as_a_respondent(head, tmp_path):
    path = tmp_path / "x.csv"
    texts = pd.DataFrame([{c: f"How would you rate {c}?" for c in head.columns}])
    pd.concat([texts, head], ignore_index=True).to_csv(path, index=False)
    with pytest.raises(SpecError, match=r"x.csv: row 2 holds text where the rows below hold numbers, in \d+"):
        draft_spec(path)


def test_utf16_and_decimal_commas_are_named_for_what_they_are(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_bytes("rid\tq\n1\t4\n".encode("utf-16"))
    with pytest.raises(SpecError, match=r"x.tsv is UTF-16 text \(as Qualtrics' tab-separated download is\)"):
        load_survey({"version": 1, "data": str(path), "delimiter": "\t", "id": "rid"})
    path = tmp_path / "x.csv"
    path.write_text("rid;q\n1;4,0\n2;3,0\n")
    spec = {"version": 1, "data": str(path), "delimiter": ";", "outcomes": [{"column": "q", "scale": [1, 5]}]}
    with pytest.raises(SpecError, match=r"not numbers: row 2: '4,0'.*decimal commas \(4,0\) are not read"):
        load_survey(spec)
