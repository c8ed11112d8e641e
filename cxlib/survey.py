"""Bring your own survey: a survey spec says what each column of an export is; load it, validated.

A *survey spec* is a small YAML file (its JSON Schema ships as ``cxlib/survey_spec.schema.json``)
that names, for one export, the respondent id, the date, the grouping columns, the recommend
question (0-10), satisfaction and effort with their scales, any number of factors (each item with
its scale and whether it is reverse-keyed), other outcomes, a weight and a comment column::

    version: 1
    data: export.csv            # relative to the spec's folder
    format: qualtrics           # csv, xlsx, qualtrics (3 header rows), surveymonkey (2 header rows)
    id: ResponseId
    date: RecordedDate
    groups: [Q1]
    recommend: Q7
    satisfaction: {column: Q6, scale: [1, 5]}
    factors:
      people:
        items:
          - {column: Q3_1, scale: [1, 5]}
          - {column: Q3_2, scale: [1, 5], reverse: true}
    comment: Q10

:func:`load_survey` reads the export by that spec: CSV, XLSX, Qualtrics CSV exports (three header
rows: names, question texts, import ids) and SurveyMonkey exports (two header rows: question, then
answer or row label). Question texts are kept as labels. Every rated value is checked against the
scale its item declares; an error names the column, the rows (and their ids), the values, and what
the spec declares. **Nothing is rescaled**: a 1-10 question stays 1-10, and its metrics use its own
scale (rescaling 1-10 items to 1-5 changes R-squared, CSAT and importance quadrants).

:func:`draft_spec` drafts a spec from an export for the user to edit (``cxkit spec init``): scales
from the values seen, snapped to the usual ranges, and items that share a stem (``Q5_1, Q5_2``;
``PERQ1..PERQ7``; ``people_*``; one SurveyMonkey matrix) drafted as one factor.

The validator is written here, not with pandera: pandera's failure cases name the check and the
index but not the scale the spec declares, the respondent ids, nor the fix (declare the scale, add a
missing code), and it would add a dependency to every analyst's install for checks that are a few
vectorised NumPy comparisons per column.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import suggest
from .errors import CxlibError

NPS_SCALE = (0, 10)
FORMATS = ("csv", "xlsx", "qualtrics", "surveymonkey")
#: Header rows of each format (one for the others).
HEADER_ROWS = {"qualtrics": 3, "surveymonkey": 2}
#: Field separators a CSV export may use (spec key ``delimiter``; ``cxkit spec init`` detects it).
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SCHEMA_PATH = Path(__file__).with_name("survey_spec.schema.json")
_SHOWN = 5
#: Columns Qualtrics adds to every export: never questions (spec init leaves them out).
QUALTRICS_META = frozenset(
    "StartDate EndDate Status IPAddress Progress Finished RecordedDate ResponseId RecipientLastName "
    "RecipientFirstName RecipientEmail ExternalReference LocationLatitude LocationLongitude "
    "DistributionChannel UserLanguage".split()
) | {"Duration (in seconds)"}
#: Columns SurveyMonkey adds to every export.
SURVEYMONKEY_META = frozenset(
    ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name"]
    + ["Last Name", "Custom Data 1"]
)
_SM_PLAIN = ("Response", "Open-Ended Response", "")


class SpecError(CxlibError):
    """A survey spec, or the export it describes, is not usable: the message says where and why."""


# ---------------------------------------------------------------------------------------------
# the spec
# ---------------------------------------------------------------------------------------------


def spec_schema() -> dict:
    """The JSON Schema of a survey spec (``cxlib/survey_spec.schema.json``).

    Returns
    -------
    dict
        The schema.

    Examples
    --------
    >>> sorted(spec_schema()["required"])
    ['data', 'version']
    """
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(path) -> str:
    out = ""
    for part in path:
        is_index = isinstance(part, int) or (isinstance(part, str) and part.isdigit())
        out += f"[{part}]" if is_index else (f".{part}" if out else str(part))
    return out or "(the top level)"


_VALIDATORS: dict = {}


def _validator(key: str):
    """A compiled validator of one top-level key of the spec (fastjsonschema: fast to import and run)."""
    if key not in _VALIDATORS:
        import fastjsonschema  # imported here: the analysis modules stay free of it

        schema = spec_schema()
        _VALIDATORS[key] = fastjsonschema.compile({"$defs": schema["$defs"], **schema["properties"][key]})
    return _VALIDATORS[key]


def _unknown_keys(found, allowed) -> str:
    extra = [k for k in found if k not in allowed]
    hints = "".join(suggest(str(k), sorted(allowed)) for k in extra)
    return f"unknown key(s) {', '.join(map(repr, extra))}{hints}; allowed: {', '.join(sorted(allowed))}"


def _schema_errors(spec: dict) -> list[str]:
    """The spec against its JSON Schema: unknown and missing keys, then each key's value (its first
    problem, with where it is)."""
    import fastjsonschema

    schema = spec_schema()
    messages = []
    if set(spec) - set(schema["properties"]):
        messages.append(f"(the top level): {_unknown_keys(spec, schema['properties'])}")
    messages += [f"{key}: is required" for key in schema["required"] if key not in spec]
    for key in (k for k in spec if k in schema["properties"]):
        try:
            _validator(key)(spec[key])
        except fastjsonschema.JsonSchemaValueException as err:
            where = _where([key, *err.path[1:]])
            if err.rule == "additionalProperties" and isinstance(err.value, dict):
                what = _unknown_keys(err.value, err.definition.get("properties", {}))
            else:
                what = err.message.replace(err.name, "", 1).strip()
                what += f" (got {err.value!r})" if not isinstance(err.value, (dict, list)) else ""
            messages.append(f"{where}: {what}")
    return messages


def _rated(spec: dict):
    """``(where, entry, role)`` for every rated question of the spec."""
    for role in ("satisfaction", "effort"):
        if role in spec:
            yield role, spec[role], role
    for name, factor in spec.get("factors", {}).items():
        for i, item in enumerate(factor["items"]):
            yield f"factors.{name}.items[{i}]", item, f"factor {name}"
    for i, item in enumerate(spec.get("outcomes", [])):
        yield f"outcomes[{i}]", item, "outcome"


def _meaning_errors(spec: dict) -> list[str]:
    """What a schema cannot say: scales lowest first, each column in one role only."""
    messages = []
    for where, entry, _ in _rated(spec):
        lo, hi = entry["scale"]
        if lo >= hi:
            messages.append(f"{where}.scale: [{lo}, {hi}] must be [lowest, highest] with lowest < highest")
        for key in ("top", "bottom"):
            if key in entry and lo < hi and entry[key] > hi - lo:
                messages.append(f"{where}.{key}: {entry[key]} boxes is more than the scale {lo}-{hi} allows")
    for name, factor in spec.get("factors", {}).items():
        found = {tuple(i["scale"]) for i in factor["items"]}
        if len(found) > 1:
            listing = ", ".join(f"{a}-{b}" for a, b in sorted(found))
            messages.append(
                f"factors.{name}: its items are on different scales ({listing}); a factor's score is "
                "the mean of its items, so they share one scale (cxlib does not rescale): split the factor"
            )
    for column in spec.get("value_labels", {}):
        if column not in spec.get("groups", []):
            messages.append(
                f"value_labels.{column}: {column!r} is not a grouping column; value labels name the groups "
                f"of a column in groups: ({', '.join(map(repr, spec.get('groups', []))) or 'none'})"
            )
    for topic, pattern in (spec.get("codebook") or {}).items():
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            messages.append(f"codebook.{topic}: {pattern!r} is not a regular expression ({exc})")
    seen: dict[str, str] = {}
    for where, column in _columns(spec):
        if column in seen and not (where.startswith("groups") and seen[column].startswith("groups")):
            messages.append(f"{where}: column {column!r} is already {seen[column]}; a column has one role")
        seen.setdefault(column, where)
    return messages


def _columns(spec: dict):
    """``(where, column)`` for every column the spec names."""
    for key in ("id", "date", "weight", "recommend", "comment"):
        if key in spec:
            yield key, spec[key]
    for i, g in enumerate(spec.get("groups", [])):
        yield f"groups[{i}]", g
    for where, entry, _ in _rated(spec):
        yield where, entry["column"]


def read_spec(spec) -> dict:
    """Read a survey spec (a YAML file or a dict) and check it against its schema and its meaning.

    Parameters
    ----------
    spec : str, path or dict
        The spec file, or the spec itself.

    Returns
    -------
    dict
        The spec; ``"_folder"`` holds the folder its ``data`` path is relative to.

    Raises
    ------
    SpecError
        Naming every problem with its place in the spec (``factors.people.items[2].scale``).

    Examples
    --------
    >>> s = read_spec({"version": 1, "data": "x.csv", "recommend": "Q7"})
    >>> s["recommend"], s["format"]
    ('Q7', 'csv')
    >>> read_spec({"version": 1, "data": "x.csv", "satisfaction": {"column": "Q6", "scale": [5, 1]}})
    Traceback (most recent call last):
    ...
    cxlib.survey.SpecError: the survey spec has 1 problem:
      - satisfaction.scale: [5, 1] must be [lowest, highest] with lowest < highest
    """
    folder, from_file = Path.cwd(), isinstance(spec, (str, os.PathLike))
    if from_file:
        import yaml  # imported here: the analysis modules stay free of it

        path = Path(spec)
        if not path.is_file():
            raise SpecError(
                f"the survey spec {str(path)!r} does not exist (cxkit spec init EXPORT drafts one)"
            )
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SpecError(f"the survey spec {str(path)!r} is not valid YAML: {exc}") from None
        folder = path.resolve().parent
    if not isinstance(spec, dict):
        raise SpecError(f"a survey spec is a mapping (key: value lines), got {type(spec).__name__}")
    if from_file:  # _folder and _notes are a drafted dict's own (draft_spec): in a file, unknown keys
        own = [k for k in ("_folder", "_notes") if k in spec]
        if own:  # refused before their values are read (data: is found from the spec's own folder)
            raise SpecError(
                "the survey spec has 1 problem:\n"
                f"  - (the top level): {_unknown_keys(own, spec_schema()['properties'])}"
            )
        spec = spec | {"_folder": str(folder)}
    else:
        spec = {k: v for k, v in spec.items() if k not in ("_folder", "_notes")} | {
            "_folder": str(spec.get("_folder", folder))
        }
    problems = _schema_errors({k: v for k, v in spec.items() if k != "_folder"})
    if not problems:
        problems = _meaning_errors(spec)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise SpecError(f"the survey spec has {len(problems)} problem{'s' * (len(problems) > 1)}:\n{listing}")
    spec.setdefault("format", "csv")
    return spec


# ---------------------------------------------------------------------------------------------
# reading an export
# ---------------------------------------------------------------------------------------------


def _is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _head_rows(path: Path, n: int, delimiter: str = ",") -> list[list[str]]:
    """The first ``n`` rows of an export, as text. A CSV whose first row is one field that holds
    another usual separator was read with the wrong one: a SpecError says which to declare."""
    if _is_excel(path):
        head = pd.read_excel(path, header=None, nrows=n, dtype=str)
        return [["" if pd.isna(v) else str(v) for v in row] for row in head.itertuples(index=False)]
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            rows = [row for _, row in zip(range(n), reader)]
    except UnicodeDecodeError as exc:
        raise SpecError(_not_utf8(path, exc)) from None
    except csv.Error as exc:
        raise SpecError(f"{path.name}: its header rows cannot be read as CSV ({exc})") from None
    if rows and len(rows[0]) == 1:
        seen = [d for d in DELIMITERS if d != delimiter and d in rows[0][0]]
        if seen:
            said = "" if delimiter == "," else f" (the spec says delimiter: {json.dumps(delimiter)})"
            raise SpecError(
                f"{path.name}: its header row is one column when split at {_DELIMITER_NAMES[delimiter]}s"
                f"{said}, {rows[0][0][:80]!r}, and it holds {_DELIMITER_NAMES[seen[0]]}s: the file looks "
                f"{_DELIMITER_NAMES[seen[0]]}-separated. Say delimiter: {json.dumps(seen[0])} in the spec "
                "(cxkit spec init detects it)"
            )
    return rows


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> str:
    with open(path, "rb") as handle:
        utf16 = handle.read(2) in (b"\xff\xfe", b"\xfe\xff")
    if utf16:
        return (
            f"{path.name} is UTF-16 text (as Qualtrics' tab-separated download is): download the CSV "
            "instead, or save it as UTF-8 (Excel: 'CSV UTF-8'), and try again"
        )
    return (
        f"{path.name} is not UTF-8 text (byte {exc.start}: {exc.object[exc.start : exc.start + 1]!r}); "
        "save it as UTF-8 (Excel: 'CSV UTF-8') and try again"
    )


def detect_delimiter(path) -> str:
    """The field separator of a CSV export: the one of :data:`DELIMITERS` that splits its first rows
    into the most columns, the same number in each (a comma when none splits them; what
    ``cxkit spec init`` writes in the spec as ``delimiter``).

    Parameters
    ----------
    path : str or path
        The export (an Excel file: ``","``, unused).

    Returns
    -------
    str
        The separator.

    Examples
    --------
    >>> import cxlib.data as d, tempfile
    >>> detect_delimiter(d.default_data_dir() / "survey.csv")
    ','
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text('q1;q2;note\\n1;2;"a, b"\\n3;4;c\\n')
    >>> detect_delimiter(path)
    ';'
    """
    path = Path(path)
    if _is_excel(path):
        return ","
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            lines = [line for _, line in zip(range(20), handle)]
    except UnicodeDecodeError as exc:
        raise SpecError(_not_utf8(path, exc)) from None
    best, most = ",", 1
    for d in DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=d)}
        except csv.Error:  # a field over the csv module's limit: not this separator's to judge
            continue
        if len(widths) == 1 and (width := widths.pop()) > most:
            best, most = d, width
    return best


def surveymonkey_names(first: list[str], second: list[str]) -> list[str]:
    """Column names of a SurveyMonkey export from its two header rows.

    The first row holds the question (blank for the further columns of a matrix or a multiple
    choice), the second the answer or the matrix row (``Response`` for a single answer). The
    name is the question, and ``" - "`` and the row label where there is one.

    Parameters
    ----------
    first, second : list of str
        The two header rows.

    Returns
    -------
    list of str
        One name per column.

    Examples
    --------
    >>> surveymonkey_names(["Respondent ID", "How was the staff?", "", "Comments"],
    ...                    ["", "Friendly", "Knowledgeable", "Open-Ended Response"])
    ['Respondent ID', 'How was the staff? - Friendly', 'How was the staff? - Knowledgeable', 'Comments']
    """
    names, question = [], ""
    for top, sub in zip(first, second):
        question = top.strip() or question
        sub = sub.strip()
        names.append(question if sub in _SM_PLAIN else f"{question} - {sub}")
    return names


@dataclass(frozen=True)
class Export:
    """A raw export: its table (one header), its question texts and the rows' numbers in the file."""

    data: pd.DataFrame
    labels: dict
    format: str
    header_rows: int = 1


def detect_format(path, delimiter: str = ",") -> str:
    """Guess an export's format from its header rows (what ``cxkit spec init`` writes in the spec).

    Parameters
    ----------
    path : str or path
        The export.
    delimiter : str
        Its field separator (:func:`detect_delimiter`).

    Returns
    -------
    str
        ``"qualtrics"`` when the third row holds Qualtrics import ids, ``"surveymonkey"`` when the
        first column is ``Respondent ID`` and a second header row follows, else ``"xlsx"`` or ``"csv"``.

    Examples
    --------
    >>> import cxlib.data as d
    >>> detect_format(d.default_data_dir() / "survey.csv")
    'csv'
    """
    path = Path(path)
    rows = _head_rows(path, 3, delimiter)
    if len(rows) >= 3 and rows[2] and rows[2][0].startswith('{"ImportId"'):
        return "qualtrics"
    if (
        rows
        and rows[0]
        and rows[0][0].strip() == "Respondent ID"
        and len(rows) >= 2
        and not rows[1][0].strip()
    ):
        return "surveymonkey"
    return "xlsx" if _is_excel(path) else "csv"


def read_export(
    path, format: str = "csv", sheet=None, na_values=None, usecols=None, dtype=None, text=(), delimiter=","
) -> Export:
    """Read an export as it is (no spec): one header, the question texts as labels.

    Parameters
    ----------
    path : str or path
        The file: ``.csv``, or ``.xlsx`` for ``format="xlsx"`` (and SurveyMonkey's Excel export).
    format : {"csv", "xlsx", "qualtrics", "surveymonkey"}
        The layout of its header rows.
    sheet : str or int, optional
        The sheet of an Excel file (default the first).
    na_values : dict, optional
        ``{column: [codes]}``: values read as blanks.
    usecols : list of str, optional
        Read only these columns.
    dtype : dict, optional
        ``{column: dtype}`` for the parser (a value that does not fit raises ``ValueError``).
    text : list of str, optional
        Columns of free text: read as pandas' ``"string"`` dtype, an empty cell as ``""`` (not a
        blank), so that a comment column needs no second pass. Ignored for Excel files.
    delimiter : {",", ";", "\\t", "|"}
        The field separator of a CSV (:func:`detect_delimiter` finds it).

    Returns
    -------
    Export
        ``data`` (a DataFrame), ``labels`` (``{column: question text}``), ``format``, ``header_rows``.

    Examples
    --------
    >>> import cxlib.data as d
    >>> e = read_export(d.default_data_dir() / "survey.csv", usecols=["recommend", "comment"])
    >>> e.data.shape, e.labels["recommend"]
    ((6605, 2), 'recommend')
    """
    path = Path(path)
    if format not in FORMATS:
        raise SpecError(
            f"format {format!r} is not one of {', '.join(FORMATS)}{suggest(str(format), FORMATS)}"
        )
    if not path.is_file():
        raise SpecError(f"the export {str(path)!r} does not exist")
    excel = _is_excel(path)
    if format == "xlsx" and not excel:
        raise SpecError(f"format: xlsx, but {path.name!r} is not an .xlsx file; say format: csv")
    header_rows = HEADER_ROWS.get(format, 1)
    if delimiter not in DELIMITERS:
        raise SpecError(f"delimiter {delimiter!r} is not one of {', '.join(map(repr, DELIMITERS))}")
    head = _head_rows(path, header_rows, delimiter)
    if len(head) < header_rows:
        raise SpecError(
            f"{path.name}: a {format} export has {header_rows} header rows; the file has {len(head)}"
        )
    if format == "qualtrics" and not (head[2] and head[2][0].startswith('{"ImportId"')):
        raise SpecError(
            f"{path.name}: format: qualtrics, but row 3 holds no Qualtrics import ids ({head[2][:2]!r}); "
            "export again with 'Download all fields' (three header rows), or say format: csv"
        )
    names = surveymonkey_names(head[0], head[1]) if format == "surveymonkey" else head[0]
    _unique_names(names, path)
    labels = dict(zip(names, head[1] if format == "qualtrics" else names))
    # only an empty cell is a blank: a comment "n/a" or "None" stays text (pandas' default list would
    # blank it silently); the spec's missing codes are blanks in the rated columns
    na_values, text = na_values or {}, [] if excel else list(text)
    blanks = [""]  # one list for every column, unless a column has missing codes or is free text
    if na_values or text:
        blanks = {c: ([] if c in text else ["", *map(str, na_values.get(c, []))]) for c in (usecols or names)}
    options = dict(header=None, skiprows=header_rows, names=names, na_values=blanks, keep_default_na=False)
    if not excel and delimiter != ",":
        options["sep"] = delimiter
    if usecols is not None:
        options["usecols"] = list(usecols)
    if (dtype or text) and not excel:
        options["dtype"] = (dtype or {}) | dict.fromkeys(text, "string")
    if excel:
        _uncalculated_formulas(path, sheet)
    try:
        if excel:
            data = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, **options)
        else:
            data = _read_csv(path, options)
    except UnicodeDecodeError as exc:
        raise SpecError(_not_utf8(path, exc)) from None
    except pd.errors.ParserError as exc:  # a row longer than the header
        raise SpecError(
            f"{path.name}: {str(exc).strip()}; a row has more fields than the header row: a value with a "
            f"{_DELIMITER_NAMES[delimiter]} in it that is not quoted, or a wrong delimiter"
        ) from None
    except (ValueError, KeyError) as exc:
        if excel and "not found" in str(exc).lower():  # a sheet the workbook does not have
            import openpyxl

            names = openpyxl.load_workbook(path, read_only=True).sheetnames
            raise SpecError(
                f"{path.name}: no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))} (sheet:)"
            ) from None
        raise
    return Export(data, {k: v for k, v in labels.items() if k in data.columns}, format, header_rows)


def _read_csv(path: Path, options: dict) -> pd.DataFrame:
    """``pandas.read_csv`` as fast as it goes, with the types of a read of the whole file at once.

    pandas (3.1) reads a large file in byte ranges on several threads, or, failing that, in chunks
    of rows, inferring each column's type per range; both give the whole file's types (numbers,
    sorted categories) except for a column with numbers in one range and text in another, which
    the serial read warns of (``DtypeWarning``) and leaves as a mix of numbers and strings. That
    warning is the cue to read the file again at once (``low_memory=False``: one thread, one type
    inference per column), so that such a column is text throughout, as in a small file.
    ``usecols`` keeps pandas off its threads (so :func:`load_survey` reads every column).
    utf-8, not utf-8-sig (15% slower): a byte-order mark can only open the first header row, which
    is skipped here (the names come from ``_head_rows``, which strips it).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.DtypeWarning)
        try:
            return pd.read_csv(path, encoding="utf-8", **options)
        except pd.errors.DtypeWarning:
            pass
    return pd.read_csv(path, encoding="utf-8", low_memory=False, **options)


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _uncalculated_formulas(path: Path, sheet) -> None:
    """A SpecError naming the cells of ``sheet`` that hold a formula with no value saved.

    The loader reads the values a spreadsheet program saved with its formulas; a workbook written
    by a script and never opened in one holds formulas with no value, which would read as blanks.
    The sheets' XML is searched for a formula first (fast); only a workbook that has one is read
    cell by cell.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            parts = [n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if not any(_FORMULA.search(book.read(n)) for n in parts):
                return
    except zipfile.BadZipFile:
        raise SpecError(f"{path.name} is not an .xlsx workbook (not a zip archive)") from None
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = formulas.sheetnames
        index = 0 if sheet is None else sheet
        name = sheet if isinstance(sheet, str) else names[index] if index < len(names) else None
        if name not in names:
            return  # the read names the missing sheet
        empty = [
            f"{f.coordinate}: {str(f.value)[:40]}"
            for row_f, row_v in zip(formulas[name].iter_rows(), values[name].iter_rows())
            for f, v in zip(row_f, row_v)
            if f.data_type == "f" and v.value is None
        ]
    finally:  # read-only workbooks keep their file open until closed
        formulas.close()
        values.close()
    if empty:
        more = f" (and {len(empty) - _SHOWN} more)" if len(empty) > _SHOWN else ""
        raise SpecError(
            f"{path.name}, sheet {name!r}: {len(empty)} cell(s) hold a formula with no value saved: "
            f"{', '.join(empty[:_SHOWN])}{more}. Open the workbook in a spreadsheet program and save it "
            "(or paste the values in place of the formulas): they would be read as blanks"
        )


def _unique_names(names, path: Path) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SpecError(
            f"{path.name}: the header names a column more than once: {', '.join(map(repr, twice))}"
        )


# ---------------------------------------------------------------------------------------------
# loading by the spec
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Survey:
    """A loaded survey: the validated data, the spec, and each column's label (its question text).

    ``data`` keeps the export's column names; rated columns are floats (blank = not answered),
    whole numbers on their declared scale. The helpers give the columns by role.
    """

    data: pd.DataFrame
    spec: dict
    labels: dict = field(default_factory=dict)

    def scale(self, column: str) -> tuple[int, int]:
        """The declared scale of a rated column (the recommend question: 0-10)."""
        if column == self.spec.get("recommend"):
            return NPS_SCALE
        for _, entry, _ in _rated(self.spec):
            if entry["column"] == column:
                return tuple(entry["scale"])
        raise SpecError(f"column {column!r} is not a rated question of the spec")

    @property
    def factors(self) -> dict:
        """``{factor: [item columns]}``."""
        return {name: [i["column"] for i in f["items"]] for name, f in self.spec.get("factors", {}).items()}

    def label(self, column: str) -> str:
        """The question text of a column (or its name)."""
        return self.labels.get(column) or column

    def factor_label(self, name: str) -> str:
        """A factor's label (or its name)."""
        return self.spec.get("factors", {}).get(name, {}).get("label") or name

    def keyed(self, factor: str) -> pd.DataFrame:
        """A factor's items with reverse-keyed ones scored ``lowest + highest - answer``."""
        out = {}
        for item in self.spec["factors"][factor]["items"]:
            col, (lo, hi) = item["column"], item["scale"]
            out[col] = (lo + hi - self.data[col]) if item.get("reverse") else self.data[col]
        return pd.DataFrame(out, index=self.data.index)

    def factor_scores(self, min_answered: float = 0.5) -> pd.DataFrame:
        """Each respondent's score per factor: the mean of the answered (reverse-keyed) items."""
        from .scales import factor_scores

        keyed = pd.concat([self.keyed(f) for f in self.factors], axis=1) if self.factors else self.data[[]]
        return factor_scores(keyed, self.factors, min_answered=min_answered)


def _plain(value) -> str:
    """A value as a person reads it: 7, 2.5, 'Very satisfied'."""
    value = value.item() if isinstance(value, np.generic) else value
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "(blank)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _rows(mask: np.ndarray, values, ids, first_row: int) -> str:
    where = np.flatnonzero(mask)
    shown = []
    for i in where[:_SHOWN]:
        who = f" (id {_plain(ids[i]).strip(chr(39))})" if ids is not None else ""
        shown.append(f"row {first_row + i}{who}: {_plain(values[i])}")
    more = len(where) - _SHOWN
    return ", ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def _rated_column(col: pd.Series, name: str, where: str, scale, ids, first_row: int, codes) -> pd.Series:
    """A rated column as floats, each value a whole number on ``scale`` or blank; else a SpecError.

    Checked vectorised, in one pass over the column (:func:`_fits`); only a column that fails is
    looked at value by value, to name its rows. A column the parser read as floats is returned as it
    is (no copy).
    """
    lo, hi = scale
    raw = col.to_numpy()
    if col.dtype.kind in "iuf":
        x = raw
    else:
        x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        text = ~col.isna().to_numpy() & np.isnan(x)
        if text.any():
            codes_hint = (
                f" or add it to missing_codes (now {codes})" if codes else " or list it in missing_codes"
            )
            commas = col[text].astype(str).str.fullmatch(r"\s*-?\d+,\d+\s*").any()
            comma_hint = "; decimal commas (4,0) are not read: export with decimal points" if commas else ""
            raise SpecError(
                f"column {name!r} ({where}, declared scale {lo} to {hi}): {int(text.sum())} value(s) are not "
                f"numbers: {_rows(text, raw, ids, first_row)}; export numeric values "
                f"(Qualtrics: 'Use numeric values'){codes_hint}{comma_hint}"
            )
    if _fits(x, lo, hi):
        return col.astype(float) if x is raw else pd.Series(x, index=col.index, name=col.name)
    x = x.astype(float, copy=False)
    with np.errstate(invalid="ignore"):
        outside = (x < lo) | (x > hi)
        fraction = ~np.isnan(x) & ~outside & (x != np.round(x))
    if outside.any():
        seen = f"{np.nanmin(x):g} to {np.nanmax(x):g}"
        wider = f"[{min(lo, int(np.nanmin(x)))}, {max(hi, int(np.nanmax(x)))}]"
        odd = np.unique(x[outside])
        if np.isin(odd, USUAL_MISSING_CODES).all():  # -99, 999, ...: a code for 'not answered'
            fix = (
                f"{', '.join(f'{v:g}' for v in odd)} look(s) like a code for 'not answered': list it in "
                f"missing_codes (now {codes or '[]'}). If the question's scale is really wider, declare it "
                f"(scale: {wider}); cxlib never rescales"
            )
        else:
            fix = (
                f"If the question's scale is wider, declare it (scale: {wider}); cxlib never rescales."
                " A code for 'not answered' goes in missing_codes"
            )
        raise SpecError(
            f"column {name!r} ({where}): {int(outside.sum())} value(s) outside the declared scale "
            f"{lo} to {hi}: {_rows(outside, raw, ids, first_row)}; the data run from {seen}. {fix}"
        )
    if fraction.any():
        raise SpecError(
            f"column {name!r} ({where}, declared scale {lo} to {hi}): {int(fraction.sum())} value(s) are not "
            f"whole numbers: {_rows(fraction, raw, ids, first_row)}; a rating is one of the scale's answers"
        )
    return pd.Series(x, index=col.index, name=col.name)  # not reached: _fits agrees with the masks


_SLICE = 1 << 15


def _fits(x: np.ndarray, lo, hi) -> bool:
    """Whether every value of ``x`` is a whole number from ``lo`` to ``hi``, or blank (NaN).

    A float array is read once, in slices of 32,768 values: each slice's range and fractions are
    checked while it is in the processor's cache, in a work array of the slice's length (rather than
    three passes over the column and an array of its length). ``fmin``/``fmax`` skip blanks, and
    their ``initial`` values let a slice of blanks pass; an infinity is outside any scale.
    """
    if x.dtype.kind in "iu":
        return not len(x) or (lo <= x.min() and x.max() <= hi)
    work = np.empty(min(len(x), _SLICE))
    for start in range(0, len(x), _SLICE):
        part = x[start : start + _SLICE]
        if np.fmin.reduce(part, initial=np.inf) < lo or np.fmax.reduce(part, initial=-np.inf) > hi:
            return False
        w = np.subtract(np.rint(part, out=work[: len(part)]), part, out=work[: len(part)])
        if np.fmax.reduce(w, initial=0.0) > 0 or np.fmin.reduce(w, initial=0.0) < 0:
            return False
    return True


def _missing_columns(spec: dict, columns) -> None:
    missing = [(where, c) for where, c in _columns(spec) if c not in columns]
    if missing:
        listing = "; ".join(f"{c!r} ({where}){suggest(c, list(map(str, columns)))}" for where, c in missing)
        shown = ", ".join(map(repr, list(columns)[:30]))
        raise SpecError(
            f"the spec names column(s) the export lacks: {listing}. The export's columns: {shown}"
        )


def _check_id(col: pd.Series, name: str, first_row: int) -> pd.Series:
    blank = col.isna().to_numpy()
    if not blank.any() and pd.Index(col).is_unique:  # quick for ids in order (one pass), else a hash table
        return col
    found = []
    if blank.any():
        found.append(f"{int(blank.sum())} blank id(s): {_rows(blank, col.to_numpy(), None, first_row)}")
    twice = col.duplicated(keep=False).to_numpy() & ~blank
    if twice.any():
        found.append(f"ids must be unique; repeated: {_rows(twice, col.to_numpy(), None, first_row)}")
    raise SpecError(f"column {name!r} (id): {'; '.join(found)}")


#: A date written with numbers only, day and month in either order: 03/04/2024, 3.4.24, 03-04-2024
#: (also inside a value: "Sat 13/01/2024 14:05"); an ISO date (2024-03-04) is not one.
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])")


def _day_first(values: pd.Series, name: str, undecided: bool | None = None) -> bool | None:
    """Whether the dates written with numbers only (03/04/2024) put the day first, decided by the values.

    A first number above 12 can only be a day, a second above 12 only a day: the column's values
    decide the order, the same for every row (never one row day-first and the next month-first, as
    a value-by-value parser would). If they contradict each other, or cannot decide (every day is
    12 or less) and the export's format has no order of its own (``undecided``: SurveyMonkey writes
    month first), a SpecError asks for ``date_format``. ``None`` when no value holds such a date
    (2024-03-04, Excel dates): the parser infers their format.
    """
    text = values.dropna()
    if not len(text) or not (pd.api.types.is_string_dtype(text) or text.dtype == object):
        return None
    parts = text.astype(str).str.extract(_NUMERIC_DATE.pattern).dropna()
    if parts.empty:
        return None
    first, second = parts[0].astype(int), parts[2].astype(int)
    day_first, month_first = text[first[first > 12].index], text[second[second > 12].index]
    if len(day_first) and len(month_first):
        raise SpecError(
            f"column {name!r} (date): its dates put the day first in some rows ({day_first.iloc[0]!r}) and "
            f"the month first in others ({month_first.iloc[0]!r}); one column must use one order: fix "
            "the export, or declare date_format and the rows that differ are named"
        )
    if not len(day_first) and not len(month_first) and (first != second).any():
        if undecided is not None:
            return undecided
        example = text[first[first != second].index[0]]
        raise SpecError(
            f"column {name!r} (date): {example!r} could be day first or month first, and no value decides "
            'it (no number above 12): declare date_format: "%d/%m/%Y" (day first) or "%m/%d/%Y" (month '
            "first), with the export's own separator and time"
        )
    return bool(len(day_first))


def _iso(match: re.Match, day_first: bool) -> str:
    """A numbers-only date as ISO (2024-04-03), its two-digit year as Python's %y reads it."""
    a, b, year = int(match.group(1)), int(match.group(3)), match.group(4)
    day, month = (a, b) if day_first else (b, a)
    if len(year) == 2:
        year = str((2000 if int(year) < 69 else 1900) + int(year))
    return f"{year}-{month:02d}-{day:02d}"


def _parse_dates(
    col: pd.Series, name: str = "date", date_format: str | None = None, undecided: bool | None = None
) -> pd.Series:
    if date_format is not None:  # declared: every value in that format, or NaT (named by the caller)
        return pd.to_datetime(col, errors="coerce", format=date_format)
    first = _day_first(col, name, undecided)
    if first is not None:  # each numbers-only date rewritten as ISO in the order decided, the rest kept
        # (pandas' dayfirst=True would also read an ISO date 2024-01-06 as 1 June)
        col = col.astype("string").str.replace(_NUMERIC_DATE, lambda m: _iso(m, first), regex=True)
    parsed = pd.to_datetime(col, errors="coerce")  # one format, inferred from the first value: fast
    retry = parsed.isna().to_numpy() & col.notna().to_numpy()
    if retry.any():  # mixed formats (a Qualtrics date-time here, a plain date there): value by value
        parsed = parsed.where(~retry, pd.to_datetime(col.where(retry), errors="coerce", format="mixed"))
    return parsed


def _sorted_by(path: Path, fmt: str, delimiter: str, names: list, groups: list) -> set:
    """The grouping columns whose values at the start of a large CSV differ from those at its end:
    a file sorted by them, whose byte ranges (pandas' threads) would hold different categories and
    make pandas read the whole file again. Such a column is read as text instead. A guess from the
    first and last 64 KB; any doubt (a small file, Excel, a tail that does not parse) keeps categories.
    """
    if not groups or _is_excel(path):
        return set()
    size = path.stat().st_size
    if size < 5 << 20:  # pandas reads a file this small on one thread
        return set()
    header_rows = HEADER_ROWS.get(fmt, 1)
    options = dict(header=None, names=names, usecols=groups, dtype=str, sep=delimiter, keep_default_na=False)
    try:
        with open(path, "rb") as handle:
            head_bytes = handle.read(1 << 16)
            handle.seek(size - (1 << 16))
            tail_bytes = handle.read()
        head = head_bytes[: head_bytes.rfind(b"\n") + 1]
        tail = tail_bytes[tail_bytes.find(b"\n") + 1 :]
        first = pd.read_csv(io.BytesIO(head), skiprows=header_rows, **options)
        last = pd.read_csv(io.BytesIO(tail), **options)
    except (ValueError, csv.Error, UnicodeDecodeError):
        return set()
    return {g for g in groups if set(first[g]) != set(last[g])}


def _codes_by_runs(col: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pandas.factorize`` of a text column (codes in order of first appearance, -1 for a blank),
    done on its runs of equal values: an export in time order holds each date in long runs, so only
    the runs' first values are hashed (10 ms instead of 80 ms for a million rows); a column with no
    runs costs one comparison pass more than factorize itself."""
    values = col.to_numpy(dtype=object)
    if not len(values):
        return np.empty(0, dtype=np.intp), pd.Index([], dtype=object)
    starts = np.empty(len(values), dtype=bool)
    starts[0] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])  # a blank (NaN) starts a run of its own
    first = np.flatnonzero(starts)
    run_codes, uniques = pd.factorize(values[first], sort=False)
    return np.repeat(run_codes, np.diff(np.append(first, len(values)))), pd.Index(uniques)


def _dates(
    col: pd.Series,
    name: str,
    ids,
    first_row: int,
    date_format: str | None = None,
    undecided: bool | None = None,
) -> pd.Series:
    text = pd.api.types.is_string_dtype(col.dtype) or col.dtype == object
    if isinstance(col.dtype, pd.CategoricalDtype) or text:
        # each different value parsed once, in the order of first appearance (the format is inferred
        # from the first value, as for the whole column), then spread to the rows by their codes
        # through a table of the different values' dates with NaT last, which a blank's code (-1) picks
        codes, values = (col.cat.codes.to_numpy(), col.cat.categories) if not text else _codes_by_runs(col)
        seen = pd.unique(codes)
        seen = seen[seen >= 0]
        parsed = _parse_dates(pd.Series(values.take(seen)), name, date_format, undecided).array
        where = np.full(len(values) + 1, -1, dtype=np.intp)
        where[seen] = np.arange(len(seen))
        table = parsed.take(where, allow_fill=True)
        parsed = pd.Series(table.take(codes), index=col.index)
        any_bad = (len(codes) and codes.min() < 0) or table[:-1].isna().any()
    else:
        parsed = _parse_dates(col, name, date_format, undecided)
        any_bad = parsed.hasnans
    if any_bad:
        bad = parsed.isna().to_numpy()
        raise SpecError(
            f"column {name!r} (date): {int(bad.sum())} value(s) are not dates: "
            f"{_rows(bad, col.to_numpy(), ids, first_row)}; "
            + (
                f"the spec's date_format is {date_format!r}"
                if date_format
                else "write dates as 2024-01-31 or 2024-01-31 14:05, or declare their date_format"
            )
        )
    return parsed


def _groups(col: pd.Series, name: str, ids, first_row: int, labels: dict | None = None) -> pd.Series:
    """A grouping column as categories (text), its codes named by the spec's ``value_labels``."""
    blank = col.isna().to_numpy()
    if blank.any():
        raise SpecError(
            f"column {name!r} (group): {int(blank.sum())} blank value(s): "
            f"{_rows(blank, col.to_numpy(), ids, first_row)}"
            "; fill them (e.g. 'unknown') or leave the column out of groups: nothing is dropped silently"
        )
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.cat.rename_categories([str(c) for c in col.cat.categories])
    elif pd.api.types.is_string_dtype(col.dtype):  # read as text (a file sorted by it): codes by runs
        codes, found = _codes_by_runs(col)
        found = pd.Index(found, dtype=col.dtype)
        order = found.argsort()
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        col = pd.Series(
            pd.Categorical.from_codes(rank[codes], categories=found[order]), index=col.index, name=col.name
        )
    else:
        col = col.astype(str).astype("category")
    if not labels:
        return col
    named = {str(code): label for code, label in labels.items()}  # YAML may read a code 1 as a number
    new = [named.get(c, c) for c in col.cat.categories]
    twice = sorted({n for n in new if new.count(n) > 1})
    if twice:
        raise SpecError(
            f"column {name!r} (group): value_labels give two groups the same name "
            f"({', '.join(map(repr, twice))}); each group needs its own"
        )
    return col.cat.rename_categories(new)


def _weights(col: pd.Series, name: str, ids, first_row: int) -> np.ndarray:
    w = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    bad = ~(w > 0) | ~np.isfinite(w)
    if bad.any():
        raise SpecError(
            f"column {name!r} (weight): {int(bad.sum())} value(s) are not positive numbers: "
            f"{_rows(bad, col.to_numpy(), ids, first_row)}"
        )
    return w


def load_survey(spec, data=None) -> Survey:
    """Load a survey export by its spec: validated, typed, with its question texts as labels.

    Parameters
    ----------
    spec : str, path or dict
        The survey spec (see the module's description and ``cxlib/survey_spec.schema.json``).
    data : str or path, optional
        The export; by default the spec's ``data`` (relative to the spec's folder).

    Returns
    -------
    Survey
        ``data`` (only the columns the spec names, export names kept), ``spec``, ``labels``.

    Raises
    ------
    SpecError
        For a bad spec, a missing column, or a value that is not what the spec declares: the
        message names the column, its role, the rows (with their ids) and the values.

    Examples
    --------
    >>> import cxlib.data as d
    >>> spec = {"version": 1, "data": str(d.default_data_dir() / "survey.csv"), "id": "response_id",
    ...         "recommend": "recommend", "satisfaction": {"column": "satisfaction", "scale": [1, 5]}}
    >>> s = load_survey(spec)
    >>> s.data.shape[1], s.scale("recommend")
    (3, (0, 10))
    """
    spec = read_spec(spec)
    path = Path(data) if data is not None else Path(spec["_folder"]) / spec["data"]
    columns = list(dict.fromkeys(c for _, c in _columns(spec)))
    codes = spec.get("missing_codes", [])
    rated = {entry["column"]: (where, entry["scale"]) for where, entry, _ in _rated(spec)}
    if "recommend" in spec:
        rated[spec["recommend"]] = ("recommend", list(NPS_SCALE))
    na = {c: codes for c in rated} if codes else None
    fmt = spec.get("format", "csv")
    delimiter = spec.get("delimiter", ",")
    names = _export_names(path, fmt, delimiter)
    _missing_columns(spec, names)
    # The parser's types: groups as categories (each different value made once, not once per row),
    # the comment as text; the date as text, since a column whose values differ between the byte
    # ranges pandas reads on its threads (dates, in an export in time order) makes the ranges'
    # categories differ, and pandas then reads the whole file again on one thread (twice the time);
    # the date's different values are parsed once each (_dates). Groups are categories unless the
    # file seems sorted by them (_sorted_by), for the same reason. Rated
    # columns are left to its inference (whole numbers parse faster than floats, measured 0.29 s
    # against 0.33 s for the benchmark's million rows, and text in them must reach the checks
    # below, which name the rows).
    # Every column of a CSV is read: with usecols pandas neither reads on several threads nor
    # notices a row with more fields than the header (an unquoted comma in a comment), whose values
    # would then shift silently into the wrong columns. An Excel sheet has no such rows.
    groups = spec.get("groups", [])
    types = {g: "category" for g in groups if g not in _sorted_by(path, fmt, delimiter, names, groups)}
    if "date" in spec:  # as text even when it looks like numbers (2024, 202401): never nanoseconds
        types[spec["date"]] = "str"
    excel = _is_excel(path)
    usecols = columns if excel and 2 * len(columns) < len(names) else None
    text = [spec["comment"]] if "comment" in spec else []
    export = read_export(
        path,
        fmt,
        spec.get("sheet"),
        na_values=na,
        usecols=usecols,
        dtype=types,
        text=text,
        delimiter=delimiter,
    )
    df = export.data
    first_row = export.header_rows + 1  # the file's row of the first response (one line each)
    ids = df[spec["id"]].to_numpy() if "id" in spec else None
    out, problems = {}, []

    def check(column, fn, *args):  # every column is checked; its problem is kept, not raised yet
        try:
            out[column] = fn(df[column], column, *args)
        except SpecError as exc:
            problems.append(str(exc))

    if "id" in spec:
        check(spec["id"], _check_id, first_row)
    if "date" in spec:
        # SurveyMonkey writes dates month first (02/01/2024 10:00:00 AM): its order when undecided
        month_first = False if fmt == "surveymonkey" else None
        check(spec["date"], _dates, ids, first_row, spec.get("date_format"), month_first)
    for g in spec.get("groups", []):
        check(g, _groups, ids, first_row, spec.get("value_labels", {}).get(g))
    if "weight" in spec:
        check(spec["weight"], _weights, ids, first_row)
    for col, (where, scale) in rated.items():
        check(col, _rated_column, where, scale, ids, first_row, codes)
    if len(problems) == 1:
        raise SpecError(problems[0])
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise SpecError(f"the export does not fit the spec in {len(problems)} columns:\n{listing}")
    if "comment" in spec:
        comment = df[spec["comment"]]
        # read as text, a CSV's comment is never blank (an empty or missing cell is ""); an Excel
        # sheet's is read by type, so it is made text and its blanks ""
        if comment.dtype != pd.StringDtype():
            comment = comment.astype("string").fillna("")
        out[spec["comment"]] = comment
    # in the spec's order (every column it names is in out); copy=False: the columns stay the arrays
    # made for them (one block each), rather than being copied into one block per type
    frame = pd.DataFrame({c: out[c] for c in columns}, index=pd.RangeIndex(len(df)), copy=False)
    labels = {c: text for c, text in export.labels.items() if c in frame.columns}
    for _, entry, _ in _rated(spec):
        if entry.get("label"):
            labels[entry["column"]] = entry["label"]
    return Survey(frame, spec, labels)


def _export_names(path: Path, fmt: str, delimiter: str = ",") -> list[str]:
    if not path.is_file():
        raise SpecError(f"the export {str(path)!r} does not exist (the spec's data:, or --data)")
    head = _head_rows(path, 2 if fmt == "surveymonkey" else 1, delimiter)
    if not head:
        raise SpecError(f"the export {str(path)!r} is empty")
    if fmt == "surveymonkey":
        return surveymonkey_names(head[0], head[1] if len(head) > 1 else [""] * len(head[0]))
    return head[0]


# ---------------------------------------------------------------------------------------------
# drafting a spec from an export (cxkit spec init)
# ---------------------------------------------------------------------------------------------

_USUAL_TOPS = (5, 7, 10, 11)
#: Codes statistics packages write for "not answered" (SPSS's -99, ...): spec init proposes them as
#: missing_codes when a column is ratings once they are set aside.
USUAL_MISSING_CODES = (-999, -99, -9, 99, 999)
_STEM = re.compile(r"^(.*?)[_\s.-]*\d+$")


def draft_scale(values) -> tuple[int, int] | None:
    """The scale a column of ratings most likely has, from the values seen; ``None`` if not ratings.

    Ratings are whole numbers from 0 or 1 up to at most 11, with at least two different values.
    Only 0 and 1 (or 1 and 2) seen: a yes/no question, drafted as those two. Otherwise a scale that
    starts at 1 ends at the smallest usual top (5, 7, 10, 11) at or above the highest value seen (a
    1-5 question where nobody answered 5 is still drafted 1-5); one that starts at 0 ends at 10 when
    an 8, 9 or 10 was seen (0-10, as the recommend question), else at the highest value seen (0-6,
    0-7 days). It is a draft for a person to check, never applied silently: ``cxkit spec init``
    lists every scale drafted wider than the values seen.

    Parameters
    ----------
    values : array-like
        One column of the export.

    Returns
    -------
    (int, int) or None
        The drafted scale.

    Examples
    --------
    >>> draft_scale([1, 2, 4]), draft_scale([0, 3, 10]), draft_scale([2, 9]), draft_scale([1.5, 2])
    ((1, 5), (0, 10), (1, 10), None)
    >>> draft_scale([0, 1, 1]), draft_scale([1, 2]), draft_scale([0, 6, 3]), draft_scale([0, 9])
    ((0, 1), (1, 2), (0, 6), (0, 10))
    """
    x = pd.to_numeric(pd.Series(values), errors="coerce")
    if x.notna().sum() == 0 or x.isna().sum() > pd.Series(values).isna().sum():
        return None
    x = x.dropna().to_numpy(dtype=float)
    if (x != np.round(x)).any() or x.min() < 0 or x.max() > 11 or len(np.unique(x)) < 2:
        return None
    seen = np.unique(x)
    if len(seen) == 2 and tuple(seen) in ((0, 1), (1, 2)):
        return int(seen[0]), int(seen[1])
    if x.min() == 0:
        return 0, (10 if 8 <= x.max() <= 10 else int(x.max()))
    return 1, next(t for t in _USUAL_TOPS if t >= x.max())


def _left_out(col: pd.Series) -> str:
    """Why spec init drafted no role for a column of numbers or text (a note in the draft)."""
    x = pd.to_numeric(col, errors="coerce")
    if x.notna().sum() and x.notna().sum() == col.notna().sum():
        x = x.dropna()
        if (x != np.round(x)).any():
            return f"numbers with fractions ({x.min():g} to {x.max():g}), not ratings"
        if x.nunique() < 2:
            return "one value only"
        return f"whole numbers from {x.min():g} to {x.max():g}, not a rating scale (0 or 1 up to 11)"
    if col.isna().all():
        return "every cell blank"
    if col.isna().any():
        return "short text with blanks (a group needs a value in every row)"
    return f"short text with {col.nunique()} different values (a group has 2 to 30)"


def _stem(name: str, fmt: str) -> str | None:
    if fmt == "surveymonkey" and " - " in name:
        return name.rsplit(" - ", 1)[0]
    m = _STEM.match(name)
    if m and m.group(1):
        stem = m.group(1)
        # Q5_1 -> Q5 and PERQ1 -> PERQ share a stem; Q6 alone (one letter, no separator) has none
        return stem if (len(stem) > 1 or name[len(stem)] in "_.- ") else None
    return name.split("_", 1)[0] if "_" in name else None


def _role_of(name: str, label: str, pattern: str) -> bool:
    return re.search(pattern, f"{name} {label}", re.IGNORECASE) is not None


def _is_id(col: pd.Series, name: str) -> bool:
    return bool(re.search(r"(^|_|\s)id$|^responseid$|respondent", name, re.IGNORECASE)) and col.is_unique


def _looks_like_dates(col: pd.Series, name: str) -> bool:
    if col.dtype.kind in "iuf" or not re.search(r"date|time|month|day|week", name, re.IGNORECASE):
        return False
    return bool(pd.to_datetime(col.dropna().head(50), errors="coerce", format="mixed").notna().all())


def draft_spec(path, format: str | None = None, sheet=None) -> dict:
    """Draft a survey spec from an export, for a person to check and edit.

    The id is a unique column named like an id; the date a column of dates; a column whose
    question mentions recommending and that holds 0-10 answers is the recommend question; one
    mentioning satisfaction the satisfaction question, effort the effort question; columns of
    ratings that share a stem (``Q5_1, Q5_2``; ``PERQ1..PERQ7``; ``people_*``; one SurveyMonkey
    matrix) are one factor each, the other ratings outcomes; text with few different values is a
    grouping column, long text the comment. Scales come from :func:`draft_scale`.

    Parameters
    ----------
    path : str or path
        The export.
    format : str, optional
        Its format; detected from its header rows when not given (:func:`detect_format`).
    sheet : str or int, optional
        The sheet of an Excel file.

    Returns
    -------
    dict
        A spec that passes :func:`read_spec`; ``data`` is the export's file name, relative to
        ``"_folder"``, the export's folder (not written by :func:`spec_yaml`).

    Examples
    --------
    >>> import cxlib.data as d
    >>> s = draft_spec(d.default_data_dir() / "survey.csv")
    >>> s["id"], s["recommend"], sorted(s["factors"]), s["comment"]
    ('response_id', 'recommend', ['env', 'people', 'practices'], 'comment')
    """
    path = Path(path)
    delimiter = detect_delimiter(path)
    fmt = format or detect_format(path, delimiter)
    export = read_export(path, fmt, sheet, delimiter=delimiter)
    df, labels = export.data, export.labels
    _second_header(df, path, export.header_rows)
    meta = QUALTRICS_META | SURVEYMONKEY_META
    spec: dict = {"version": 1, "title": path.stem, "data": path.name, "format": fmt}
    spec["_folder"] = str(path.resolve().parent)  # so that the dict loads as it is (not written out)
    if sheet is not None:
        spec["sheet"] = sheet
    if delimiter != ",":
        spec["delimiter"] = delimiter
    rated, groups, texts, codes, left = {}, [], [], set(), {}
    for name in df.columns:
        col = df[name]
        if "id" not in spec and _is_id(col, name):
            spec["id"] = name
        elif "date" not in spec and _looks_like_dates(col, name):
            spec["date"] = name
        elif name in meta or name.endswith("_NPS_GROUP"):
            continue
        elif (scale := draft_scale(col)) is not None:
            rated[name] = scale
        elif col.dtype.kind in "if" and (found := col.isin(USUAL_MISSING_CODES)).any():
            if (scale := draft_scale(col[~found])) is not None:
                rated[name] = scale
                codes.update(col[found].astype(int).tolist())
            else:
                left[name] = _left_out(col)
        elif col.dtype == object or pd.api.types.is_string_dtype(col):
            words = col.dropna().astype(str).str.split().str.len()
            if len(words) and words.mean() >= 4:
                texts.append(name)
            elif 2 <= col.nunique() <= 30 and col.notna().all():
                groups.append(name)
            else:
                left[name] = _left_out(col)
        else:
            left[name] = _left_out(col)
    notes = []  # comments in the draft: a column name is written as repr(), so it is one line
    for name, (lo, hi) in rated.items():
        x = df[name][~df[name].isin(codes)]
        if (x.min(), x.max()) != (lo, hi):
            notes.append(f"{name!r}: values seen {x.min():g} to {x.max():g}, drafted as {lo}-{hi}: check it")
    notes += [f"{name!r}: left out, {why}" for name, why in left.items()]
    spec["_notes"] = notes
    if codes:
        spec["missing_codes"] = sorted(codes)
    _draft_roles(spec, rated, labels)
    _draft_factors(spec, rated, labels, fmt)
    if groups:
        spec["groups"] = groups
    if texts:
        spec["comment"] = texts[0]
    return spec


def _second_header(df: pd.DataFrame, path: Path, header_rows: int) -> None:
    """A SpecError when the first row under the header holds text in two or more columns whose other
    rows are all numbers: a second header row (a Qualtrics export saved with two header rows, or a
    row of question texts), which would be drafted as a respondent and turn ratings into text."""
    if len(df) < 3:
        return
    texts = {}
    for name in df.columns:
        rest, first = df[name].iloc[1:].dropna(), df[name].iloc[0]
        if len(rest) and isinstance(first, str) and pd.isna(pd.to_numeric(first, errors="coerce")):
            if pd.to_numeric(rest, errors="coerce").notna().all():
                texts[name] = first
    if len(texts) >= 2:
        shown = "; ".join(f"{k!r}: {v[:40]!r}" for k, v in list(texts.items())[:3])
        raise SpecError(
            f"{path.name}: row {header_rows + 1} holds text where the rows below hold numbers, in "
            f"{len(texts)} columns ({shown}): a second header row, such as question texts. A Qualtrics "
            "export has three header rows (export it with all three: format qualtrics); otherwise "
            "delete that row and draft again"
        )


def _draft_roles(spec: dict, rated: dict, labels: dict) -> None:
    """Recommend (0-10), satisfaction and effort: single questions whose text says so."""
    stems = [_stem(n, spec["format"]) for n in rated]
    in_block = {n for n, st in zip(rated, stems) if st is not None and stems.count(st) > 1}
    for role, pattern in (("recommend", r"recommend"), ("satisfaction", r"satisf"), ("effort", r"effort")):
        for name, scale in rated.items():
            if not _role_of(name, labels.get(name, ""), pattern):
                continue
            if role == "recommend" and tuple(scale) in (NPS_SCALE, (1, 10)):
                spec[role] = name  # read 0-10 (NPS) even when nobody answered 0
            elif role != "recommend" and name not in in_block:
                spec[role] = {"column": name, "scale": list(scale)}
            else:
                continue
            del rated[name]
            break


def _draft_factors(spec: dict, rated: dict, labels: dict, fmt: str) -> None:
    stems: dict[str, list[str]] = {}
    for name in rated:
        stems.setdefault(_stem(name, fmt) or name, []).append(name)
    factors, outcomes = {}, []
    for stem, names in stems.items():
        entries = [{"column": n, "scale": list(rated[n])} for n in names]
        if len(names) >= 2:
            key = re.sub(r"\W+", "_", stem).strip("_").lower() or f"factor_{len(factors) + 1}"
            factors[key] = {"label": stem, "items": entries}
        else:
            outcomes.extend(entries)
    if factors:
        spec["factors"] = factors
    if outcomes:
        spec["outcomes"] = outcomes


def spec_yaml(spec: dict) -> str:
    """A spec as YAML text, with a header that says what to check before using it.

    Parameters
    ----------
    spec : dict
        A spec (from :func:`draft_spec` or :func:`read_spec`).

    Returns
    -------
    str
        YAML, readable and editable.

    Examples
    --------
    >>> print(spec_yaml({"version": 1, "data": "x.csv", "satisfaction": {"column": "Q6", "scale": [1, 5]}}))
    ... # doctest: +ELLIPSIS
    # Survey spec ...
    version: 1
    data: x.csv
    satisfaction:
      column: Q6
      scale: [1, 5]
    <BLANKLINE>
    """
    import yaml  # imported here: the analysis modules stay free of it

    body = {k: v for k, v in spec.items() if not k.startswith("_")}
    head = (
        "# Survey spec (cxlib.survey; schema: cxlib/survey_spec.schema.json). Drafted from the export:\n"
        "# CHECK every scale against the questionnaire (drafted from the values seen; never rescaled),\n"
        "# mark reverse-keyed items (reverse: true), move items between factors, name the factors.\n"
        "# Then: cxkit spec check THIS_FILE, and cxkit report --spec THIS_FILE --out DIR\n"
    )
    if spec.get("_notes"):
        head += "# Notes from the draft:\n" + "".join(f"#   {n}\n" for n in spec["_notes"])

    class Dumper(yaml.SafeDumper):
        """Short lists of plain values ([1, 5]) on one line, the rest in block style."""

    def _list(dumper, data):
        flow = all(isinstance(v, (int, float, str)) for v in data) and len(data) <= 12
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    Dumper.add_representer(list, _list)
    return head + yaml.dump(body, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
