"""Survey specs for your own data: ``cxkit spec init EXPORT`` drafts one, ``cxkit spec check SPEC`` checks it.

``init`` reads an export (CSV, XLSX, a Qualtrics CSV with three header rows, a SurveyMonkey
export with two) and writes a spec beside it for you to edit: the id, date, grouping, recommend,
satisfaction and effort columns it recognised, scales drafted from the values seen, and items that
share a stem (Q5_1, Q5_2; PERQ1..PERQ7) drafted as one factor. Check every scale against the
questionnaire: cxlib never rescales.

``check`` validates a spec against its schema and, with the data, every column and value; it
prints what the report will hold, or each problem with where it is.

Then: ``cxkit report --spec SPEC --out DIR``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cxlib.survey import SpecError, draft_spec, load_survey, read_spec, spec_yaml


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cxkit spec``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The verb's parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> parser.parse_args(["check", "s.yml", "--data", "x.csv"]).data
    'x.csv'
    """
    sub = parser.add_subparsers(dest="action", required=True, metavar="{init,check}")
    init = sub.add_parser("init", help="draft a spec from an export, for you to edit")
    init.add_argument("export", help="the export: .csv or .xlsx (Qualtrics and SurveyMonkey recognised)")
    init.add_argument("--out", help="the spec to write (default: EXPORT's name with .spec.yml)")
    init.add_argument(
        "--format", choices=["csv", "xlsx", "qualtrics", "surveymonkey"], help="default: detected"
    )
    init.add_argument("--sheet", help="the sheet of an Excel export (default the first)")
    init.add_argument("--force", action="store_true", help="replace an existing spec")
    check = sub.add_parser("check", help="check a spec, and with its data every value")
    check.add_argument("spec", help="the spec (YAML)")
    check.add_argument("--data", help="the export (default: the spec's data:)")
    check.add_argument("--no-data", action="store_true", help="check the spec alone, not the export")


def printable(text: str) -> str:
    """Text for a terminal: each character that is not printable (an escape sequence from a column
    name, a bell) written as its escape; line breaks kept.

    Parameters
    ----------
    text : str
        What is about to be printed (it may hold names and values from an export).

    Returns
    -------
    str
        The same text, safe to print.

    Examples
    --------
    >>> printable("ok\\x1b]0;owned\\x07\\nnext")
    'ok\\\\x1b]0;owned\\\\x07\\nnext'
    """
    return "".join(c if c == "\n" or c.isprintable() else repr(c)[1:-1] for c in text)


def summary(survey) -> str:
    """What a loaded survey holds, in a few lines (what ``cxkit spec check`` prints).

    Parameters
    ----------
    survey : cxlib.survey.Survey
        The loaded survey.

    Returns
    -------
    str
        The summary.

    Examples
    --------
    >>> import cxlib.data as d
    >>> print(summary(load_survey({"version": 1, "data": str(d.default_data_dir() / "survey.csv"),
    ...                            "id": "response_id", "recommend": "recommend"})))
    6605 responses, 2 columns used
      id: response_id
      recommend: recommend
    """
    spec, d = survey.spec, survey.data
    lines = [f"{len(d)} responses, {d.shape[1]} columns used"]
    for role in ("id", "date", "weight", "recommend", "comment"):
        if role in spec:
            lines.append(f"  {role}: {spec[role]}")
    for role in ("satisfaction", "effort"):
        if role in spec:
            lo, hi = spec[role]["scale"]
            lines.append(f"  {role}: {spec[role]['column']} ({lo}-{hi})")
    if spec.get("groups"):
        lines.append("  groups: " + ", ".join(f"{g} ({d[g].nunique()} groups)" for g in spec["groups"]))
    for name, cols in survey.factors.items():
        blank = int(d[cols].isna().sum().sum())
        lines.append(f"  factor {name}: {len(cols)} items, {blank} blank answers")
    for item in spec.get("outcomes", []):
        lines.append(f"  outcome: {item['column']} ({item['scale'][0]}-{item['scale'][1]})")
    return printable("\n".join(lines))


def _init(args) -> int:
    export = Path(args.export)
    out = Path(args.out) if args.out else export.with_name(export.stem + ".spec.yml")
    if out.exists() and not args.force:
        print(f"cxkit spec init: {out} exists; edit it, or pass --force to draft it again", file=sys.stderr)
        return 2
    sheet = int(args.sheet) if args.sheet and args.sheet.isdigit() else args.sheet
    spec = draft_spec(export, args.format, sheet)
    if out.resolve().parent != export.resolve().parent:
        spec["data"] = str(export.resolve())
    out.write_text(spec_yaml(spec), encoding="utf-8")
    factors = spec.get("factors", {})
    print(
        f"wrote {out}: format {spec['format']}, {len(factors)} factor(s), "
        f"{len(spec.get('outcomes', []))} outcome(s)"
    )
    print(f"edit it (check every scale), then: cxkit spec check {out}")
    return 0


def _check(args) -> int:
    if args.no_data:
        spec = read_spec(args.spec)
        print(
            f"{args.spec}: the spec is valid ({len(spec.get('factors', {}))} factor(s)); "
            "the data were not read"
        )
        return 0
    from cxlib.kit.survey_report import nothing_to_report

    survey = load_survey(args.spec, args.data)
    print(f"{args.spec}: valid, and the data fit it")
    print(summary(survey))
    if (empty := nothing_to_report(survey.spec)) is not None:
        print(f"note: {empty}")
    return 0


def run(args) -> int:
    """Run ``cxkit spec init`` or ``cxkit spec check``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options.

    Returns
    -------
    int
        0 ok, 1 the spec or the data do not fit, 2 could not start.
    """
    try:
        return _init(args) if args.action == "init" else _check(args)
    except SpecError as exc:
        print(printable(f"cxkit spec {args.action}: {exc}"), file=sys.stderr)
        return 1
