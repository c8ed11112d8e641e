"""Record a lesson's headline results so a batch run can collect them, and say them in words.

``record("nps", 12.8, low=8.1, high=17.3)`` shows ``nps = 12.8 [8.1, 17.3]`` in the notebook
and stores the value (and its interval) in the cell output under the MIME type
``application/vnd.cxkit.record+json``. The instructors' runner reads these outputs from each
executed notebook and puts every student's key numbers in one table (the same idea as
scrapbook's ``glue``); ``cxkit claims`` compares them with the truth behind generated data.

``say(f"...")`` shows a sentence computed from the results as Markdown, so a lesson's prose
follows its data: a number, a ranking or a verdict is never fixed text.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from .errors import InputError

MIME = "application/vnd.cxkit.record+json"


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        if not math.isfinite(value):
            raise InputError(f"cannot record a non-finite number ({value}); record text or a finite number")
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    raise InputError(f"record() takes a number, text or true/false, got {type(value).__name__}")


def _bound(name: str, bound, value) -> float:
    if isinstance(bound, (bool, np.bool_)) or not isinstance(bound, (int, float, np.integer, np.floating)):
        raise InputError(f"record({name!r}): low and high must be numbers, got {bound!r}")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise InputError(f"record({name!r}): an interval (low, high) needs a numeric value, got {value!r}")
    bound = float(bound)
    if not math.isfinite(bound):
        raise InputError(f"record({name!r}): cannot record a non-finite interval bound ({bound})")
    return bound


def _shown(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _display(payload: dict, text: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        display({**payload, "text/plain": text}, raw=True)
    else:
        print(text)


def record(name: str, value, digits: int | None = 4, *, low=None, high=None) -> None:
    """Show ``name = value`` and store it as a headline result of this notebook.

    Parameters
    ----------
    name : str
        A short identifier, e.g. ``"nps"`` or ``"end_weighs_most"``.
    value : number, str or bool
        The result: an estimate, or a verdict (true/false, a name). Floats are rounded to
        ``digits`` decimals for storage.
    digits : int or None
        Decimals kept for a float (``None``: all).
    low, high : float, optional
        The estimate's interval (both or neither).

    Returns
    -------
    None
        The line ``name = value`` is shown; in a notebook the value is stored in the cell's
        output for :func:`collect`.

    Examples
    --------
    >>> record("nps", 12.81234)
    nps = 12.81
    >>> record("nps", 12.81234, low=8.1, high=17.32)
    nps = 12.81 [8.1, 17.32]
    >>> record("end_weighs_most", True)
    end_weighs_most = True
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"record() needs a short identifier as name (letters, digits, _), got {name!r}")
    v = _plain(value)
    if isinstance(v, float) and digits is not None:
        v = round(v, digits)
    payload = {"name": name, "value": v}
    text = f"{name} = {_shown(v)}"
    if (low is None) != (high is None):
        raise InputError(f"record({name!r}): give both low and high, or neither")
    if low is not None:
        lo, hi = _bound(name, low, v), _bound(name, high, v)
        if digits is not None:
            lo, hi = round(lo, digits), round(hi, digits)
        if lo > hi:
            raise InputError(f"record({name!r}): low ({lo}) is above high ({hi})")
        payload.update(low=lo, high=hi)
        text += f" [{_shown(lo)}, {_shown(hi)}]"
    _display({MIME: payload}, text)


def say(text: str) -> None:
    """Show a sentence computed from the results, as Markdown (and the same text as plain text).

    Use it for every sentence that states a number, a ranking or a verdict taken from the data,
    so the prose holds for any data and any parameters. The plain-text copy is what a test
    compares when the notebook is executed again.

    Parameters
    ----------
    text : str
        Markdown, usually an f-string built from the results.

    Returns
    -------
    None
        The text is shown (rendered as Markdown in a notebook, printed elsewhere).

    Examples
    --------
    >>> nps = 31.46
    >>> say(f"The chain's NPS is **{nps:.0f}**.")
    The chain's NPS is **31**.
    """
    if not isinstance(text, str):
        raise InputError(f"say() takes text (a str), got {type(text).__name__}")
    _display({"text/markdown": text}, text)


_MARKDOWN_SPECIAL = re.compile(r"[\\`*\[\]<>&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape_md(text) -> str:
    """Escape a string taken from the data so that :func:`say` shows it as text, never as Markdown or HTML.

    A branch, business or expectation name read from a CSV file goes into a computed sentence; a
    name such as ``<img src=x>`` or ``**Best**`` would otherwise render. Every character with a meaning
    in Markdown or HTML (``\\ ` * [ ] < > &``, and ``_`` where it could open or close emphasis, not
    inside a word such as ``practices_waiting``) gets a backslash (CommonMark's escape), so it is shown
    as written.

    Parameters
    ----------
    text : object
        The value to show; it is converted with ``str``.

    Returns
    -------
    str
        The text with Markdown and HTML characters escaped.

    Examples
    --------
    >>> print(escape_md("<b>Bramble & Co.</b> *best*"))
    \\<b\\>Bramble \\& Co.\\</b\\> \\*best\\*
    """
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), str(text))


def _payloads(notebook):
    if not isinstance(notebook, dict):
        with open(notebook, encoding="utf-8") as fh:
            notebook = json.load(fh)
    for cell in notebook.get("cells", []):
        for out in cell.get("outputs", []):
            payload = out.get("data", {}).get(MIME)
            if payload is not None:
                yield payload


def collect(notebook) -> dict:
    """Return ``{name: value}`` for every result recorded in an executed notebook.

    Parameters
    ----------
    notebook : dict or nbformat.NotebookNode or path
        An executed notebook, or the path of one.

    Returns
    -------
    dict
        ``{name: value}`` in the order recorded (a name recorded twice keeps its last value).

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data",
    ...                                                  "data": {MIME: {"name": "nps", "value": 31.5}}}]}]}
    >>> collect(nb)
    {'nps': 31.5}
    """
    return {p["name"]: p["value"] for p in _payloads(notebook)}


def collect_details(notebook) -> dict:
    """Return ``{name: {"value": ..., "low": ..., "high": ...}}`` for every recorded result.

    Parameters
    ----------
    notebook : dict or nbformat.NotebookNode or path
        An executed notebook, or the path of one.

    Returns
    -------
    dict
        Per name, its value and, when recorded with an interval, ``low`` and ``high``.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {
    ...     MIME: {"name": "nps", "value": 31.5, "low": 27.0, "high": 36.1}}}]}]}
    >>> collect_details(nb)
    {'nps': {'value': 31.5, 'low': 27.0, 'high': 36.1}}
    """
    return {p["name"]: {k: v for k, v in p.items() if k != "name"} for p in _payloads(notebook)}
