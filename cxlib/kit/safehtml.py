"""What the course site lets through from a notebook: inert HTML only, nothing that runs or fetches.

A notebook's Markdown cells and outputs are untrusted text: a customer comment shown as
Markdown or HTML, a student's notebook, an output of a library that writes HTML. The site
shows them without letting them run code in the reader's browser or make it fetch anything.
Three layers, each enough on its own for what it covers:

1. **The notebook copy** (:func:`clean_notebook`, before Sphinx reads it). Notebook and cell
   metadata are cut down to what the site needs (the kernel, the language, cell tags), since
   myst-nb reads the rest as per-notebook configuration: ``"mystnb": {"execution_mode":
   "force"}`` would execute the notebook's code while the site is built, ``html_meta`` would
   write a ``<meta http-equiv="refresh">`` redirect. Script and widget outputs are dropped;
   an SVG output becomes an ``<img>`` with a ``data:`` URL (an image cannot run script or
   fetch); HTML outputs go through the sanitiser.
2. **Every node Sphinx renders** (:func:`clean_doctree`, when a page is read and again just
   before it is written). Raw HTML, from a Markdown cell, an HTML or Markdown output or a raw
   cell, goes through the sanitiser (:func:`clean_html`, the allow-list sanitiser Ammonia
   through its Python binding ``nh3``: tags, attributes, URL schemes and style properties
   that are allowed, everything else removed). A link keeps its target only if Ammonia keeps
   it on an ``<a href>`` (``http``, ``https``, ``mailto`` or relative), so an entity-encoded
   ``javascript:`` goes. An image is shown only from a ``data:image`` URL or a file of the
   site; a remote one becomes a link, a missing one its text. Downloads come only from the
   site's own folder; ``<meta>`` elements go. The generated ``docutils.conf`` switches off
   ``include``, ``literalinclude`` and ``raw``, so a cell cannot pull a file into the site.
3. **Every page written** (:func:`protect_pages`): a Content-Security-Policy ``<meta>`` as the
   first element of ``<head>`` (:func:`policy`) allows scripts, styles, fonts and images only
   from the site's own files (images also from ``data:`` URLs), no frames, plugins, ``<base>``
   or remote connections, and runs no inline script except the theme's own in ``<head>``
   (and those of the search page, which holds no notebook content), each allowed by its
   SHA-256 hash. Should a script get past the first two layers, the browser refuses it. A
   ``data:`` favicon link stops browsers asking the server for a ``/favicon.ico`` the site
   does not have.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import nh3

# --- the allow-list -------------------------------------------------------------------------------

#: Tags an HTML fragment may keep: Ammonia's defaults (text, lists, tables, images, links).
TAGS = set(nh3.ALLOWED_TAGS)

#: Attributes kept, per tag ("*": any tag). No ``id`` (a notebook cannot clobber the page's
#: elements), no ``class`` but ``dataframe`` on tables (the theme styles pandas tables by it).
ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"title", "lang", "dir", "style"},
    "td": set(nh3.ALLOWED_ATTRIBUTES["td"]) | {"valign"},
    "th": set(nh3.ALLOWED_ATTRIBUTES["th"]) | {"valign"},
    "table": set(nh3.ALLOWED_ATTRIBUTES["table"]) | {"border"},
}
CLASSES = {"table": {"dataframe"}}

#: CSS properties a ``style`` attribute may keep: none of them takes a URL (no ``background``,
#: ``background-image``, ``list-style``, ``border-image``, ``cursor``, ``content``).
STYLE_PROPERTIES = {
    "color", "background-color", "text-align", "vertical-align", "font-weight", "font-style",
    "font-size", "white-space", "text-decoration", "width", "min-width", "max-width", "height",
    "padding", "padding-left", "padding-right", "padding-top", "padding-bottom", "margin",
    "margin-left", "margin-right", "margin-top", "margin-bottom", "border", "border-color",
    "border-style", "border-width", "border-collapse", "border-left", "border-right", "border-top",
    "border-bottom", "opacity",
}  # fmt: skip

#: Schemes a link may use; ``data:`` only ever survives in an image's ``src`` (see below).
LINK_SCHEMES = {"http", "https", "mailto"}
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)


def _attribute(tag: str, name: str, value: str) -> str | None:
    """Ammonia's last word on an attribute it has allowed: where a URL may point."""
    if tag == "img" and name == "src":  # an image from a data: URL only: nothing fetched
        return value if _DATA_IMAGE.match(value.strip()) else None
    if name in ("href", "src", "cite") and value.strip().lower().startswith("data:"):
        return None  # a link to a data: URL would be a page of the notebook's making
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    allowed_classes=CLASSES,
    attribute_filter=_attribute,
    url_schemes=LINK_SCHEMES | {"data"},
    filter_style_properties=STYLE_PROPERTIES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(text: str) -> str:
    """An HTML fragment with only what the allow-list keeps: nothing that runs or fetches.

    Parameters
    ----------
    text : str
        HTML from a notebook: a Markdown cell's raw HTML, an output, a raw cell.

    Returns
    -------
    str
        The fragment as Ammonia (``nh3``) cleans it with the site's allow-list.

    Examples
    --------
    >>> clean_html('<b onclick="x()">hi</b><script>alert(1)</script>')
    '<b>hi</b>'
    >>> clean_html('<img src="x"/onerror="alert(1)"><a href="jav&#x61;script:alert(1)">a</a>')
    '<img><a rel="noopener noreferrer">a</a>'
    >>> clean_html('<table class="dataframe x" background="/bg.png"><tr><td>&lt;script&gt;</td></tr></table>')
    '<table class="dataframe"><tbody><tr><td>&lt;script&gt;</td></tr></tbody></table>'
    """
    return _CLEANER.clean(text)


def safe_link(url: str) -> bool:
    """Whether a link may point at ``url``: Ammonia keeps it on an ``<a href>``.

    Parameters
    ----------
    url : str
        The target, as the page would write it.

    Returns
    -------
    bool
        True for ``http``, ``https``, ``mailto`` and relative targets.

    Examples
    --------
    >>> safe_link("https://example.org/"), safe_link("../data.html#survey"), safe_link("mailto:a@b.c")
    (True, True, True)
    >>> safe_link("javascript:alert(1)"), safe_link(" JaVa\\tScRiPt:alert(1)"), safe_link("data:text/html,x")
    (False, False, False)
    """
    return "href=" in clean_html(f'<a href="{html.escape(url, quote=True)}">x</a>')


def data_image(url: str) -> bool:
    """Whether ``url`` is an image held in a ``data:`` URL (shown: nothing is fetched).

    Parameters
    ----------
    url : str
        An image's source.

    Returns
    -------
    bool

    Examples
    --------
    >>> data_image("data:image/png;base64,iVBORw0KGgo="), data_image("data:text/html,<script>")
    (True, False)
    """
    return "src=" in clean_html(f'<img src="{html.escape(url, quote=True)}">')


# --- layer 1: the notebook copy -------------------------------------------------------------------

#: Output formats never shown: they are code for the browser.
DROPPED_MIME = (
    "application/javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)
_KERNEL_KEYS = {
    "kernelspec": ("name", "display_name", "language"),
    "language_info": ("name", "version", "pygments_lexer", "file_extension", "mimetype"),
}


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _clean_metadata(nb: dict) -> None:
    """Keep the kernel and language (text only) of the notebook, the tags (and a raw cell's format)."""
    meta = nb.get("metadata") or {}
    kept = {}
    for key, fields in _KERNEL_KEYS.items():
        part = meta.get(key)
        if isinstance(part, dict):
            kept[key] = {f: part[f] for f in fields if isinstance(part.get(f), str)}
    nb["metadata"] = kept
    for cell in nb.get("cells", []):
        meta = cell.get("metadata") or {}
        tags = meta.get("tags")
        clean = {"tags": [t for t in tags if isinstance(t, str)]} if isinstance(tags, list) else {}
        if cell.get("cell_type") == "raw":
            clean |= {k: meta[k] for k in ("format", "raw_mimetype") if isinstance(meta.get(k), str)}
        cell["metadata"] = clean


def _svg_as_image(data: dict) -> None:
    """An SVG output shown as an ``<img>`` of a ``data:`` URL, where it cannot run or fetch anything."""
    svg = _text(data.pop("image/svg+xml"))
    if "text/html" in data or not isinstance(svg, str):
        return
    alt = html.escape(_text(data.get("text/plain", "figure")) or "figure", quote=True)
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    data["text/html"] = f'<img alt="{alt}" src="data:image/svg+xml;base64,{encoded}">'


def clean_notebook(nb: dict) -> int:
    """Make a notebook safe to hand to Sphinx: metadata cut down, outputs that run code or fetch made inert.

    Parameters
    ----------
    nb : dict
        A notebook as read from its JSON; changed in place.

    Returns
    -------
    int
        How many outputs were changed.

    Examples
    --------
    >>> nb = {"metadata": {"mystnb": {"execution_mode": "force"}, "kernelspec": {"name": "python3"}},
    ...       "cells": [{"cell_type": "code", "metadata": {"mystnb": {}}, "outputs": [
    ...           {"output_type": "display_data", "data": {"text/html": "<b onclick='x()'>hi</b>",
    ...                                                    "application/javascript": "x()"}}]}]}
    >>> clean_notebook(nb), nb["metadata"], nb["cells"][0]["metadata"]
    (1, {'kernelspec': {'name': 'python3'}}, {})
    >>> nb["cells"][0]["outputs"][0]["data"]
    {'text/html': '<b>hi</b>'}
    """
    _clean_metadata(nb)
    changed = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not isinstance(data, dict):
                continue
            before = dict(data)
            for mime in DROPPED_MIME:
                data.pop(mime, None)
            if "image/svg+xml" in data:
                _svg_as_image(data)
            if "text/html" in data:
                data["text/html"] = clean_html(str(_text(data["text/html"])))
            changed += data != before
    return changed


# --- layer 2: the document tree ---------------------------------------------------------------------


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _local_file(target: str, srcdir: Path, docdir: Path) -> bool:
    """Whether a Sphinx file reference (``/x`` from the source folder, else from the page) is a site file."""
    path = srcdir / target.lstrip("/") if target.startswith("/") else docdir / target
    return _inside(path, srcdir) and path.is_file()


def _as_text(node, text: str) -> None:
    from docutils import nodes

    node.replace_self(nodes.inline(text, text, classes=["cxkit-not-shown"]))


def _clean_image(node, srcdir: Path, docdir: Path) -> bool:
    """Leave an image of the site or of a ``data:`` URL; any other becomes a link or text (True)."""
    from docutils import nodes

    uri = node.get("uri", "")
    # a file of the site: from the page as written, or from the project as Sphinx holds it once it
    # has collected the page's images (myst-nb's figures, in _build/jupyter_execute/)
    local = not uri.startswith("data:") and (
        _local_file(uri, srcdir, docdir) or _local_file("/" + uri.lstrip("/"), srcdir, docdir)
    )
    if data_image(uri) or local:
        return False
    alt = node.get("alt") or uri
    if re.match(r"https?://", uri.strip(), re.IGNORECASE) and safe_link(uri):
        link = nodes.reference("", f"[image not loaded: {alt}]", refuri=uri)
        node.replace_self(nodes.inline("", "", link, classes=["cxkit-not-shown"]))
    else:
        _as_text(node, f"[image not shown: {alt}]")
    return True


def _merge_inline_html(doctree) -> None:
    """Join a paragraph of text and inline HTML into one fragment, so that ``<b>x</b>`` is cleaned whole.

    Markdown gives ``<b>``, ``x`` and ``</b>`` as three nodes; cleaned one by one, the tags would
    close at once and the formatting be lost (safely). Paragraphs holding other elements too
    (emphasis, code, links) keep their nodes, each raw one cleaned alone.
    """
    from docutils import nodes

    for para in list(doctree.findall(nodes.TextElement)):
        kids = list(para.children)
        raws = [k for k in kids if isinstance(k, nodes.raw)]
        if not raws or not all(isinstance(k, (nodes.Text, nodes.raw)) for k in kids):
            continue
        if any("html" not in k.get("format", "").split() for k in raws):
            continue
        joined = "".join(k.astext() if isinstance(k, nodes.raw) else html.escape(k.astext()) for k in kids)
        para[:] = [nodes.raw("", joined, format="html")]


def clean_doctree(doctree, srcdir: Path, docdir: Path) -> int:
    """Sanitise every node of a page that could run code or fetch: raw HTML, links, images, downloads, meta.

    Parameters
    ----------
    doctree : docutils.nodes.document
        A page as Sphinx holds it; changed in place.
    srcdir : Path
        The Sphinx project (files outside it are never put on the site).
    docdir : Path
        The folder of the page (relative file references start there).

    Returns
    -------
    int
        How many nodes were changed.

    Examples
    --------
    >>> from docutils import nodes
    >>> doc = nodes.section("", nodes.raw("", "<img src=x onerror=alert(1)>hi", format="html"),
    ...                     nodes.reference("", "x", refuri="javascript:alert(1)"))
    >>> clean_doctree(doc, Path("."), Path("."))
    2
    >>> doc.pformat().split()
    ['<section>', '<raw', 'format="html"', 'xml:space="preserve">', '<img>hi', '<inline>', 'x']
    """
    from docutils import nodes
    from sphinx import addnodes

    _merge_inline_html(doctree)
    changed = 0
    for node in list(doctree.findall(nodes.raw)):
        if "html" in node.get("format", "").split():
            text = clean_html(node.astext())
            if text != node.astext():
                node.replace_self(nodes.raw("", text, format="html"))
                changed += 1
    for node in list(doctree.findall(nodes.reference)):
        if "refuri" in node and not safe_link(node["refuri"]):
            node.replace_self(nodes.inline("", "", *node.children))
            changed += 1
    for node in list(doctree.findall(nodes.image)):
        changed += _clean_image(node, srcdir, docdir)
    for node in list(doctree.findall(addnodes.download_reference)):
        target = node.get("reftarget", "")
        remote = "://" in target and safe_link(target)
        if not remote and not _local_file(target, srcdir, docdir):
            _as_text(node, f"[download not available: {node.astext()}]")
            changed += 1
    for node in list(doctree.findall(nodes.meta)):
        node.parent.remove(node)
        changed += 1
    return changed


# --- layer 3: the pages -----------------------------------------------------------------------------

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_HEAD = re.compile(r"<head\b[^>]*>(\s*<meta charset=[^>]*>)?", re.IGNORECASE)
_MARK = 'http-equiv="Content-Security-Policy"'


#: Inline event handlers of the theme (its "print to PDF" button), allowed by hash with 'unsafe-hashes':
#: a handler the same as one of these does nothing but what the theme's does.
THEME_HANDLERS = ("window.print()",)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def policy(script_hashes=()) -> str:
    """The Content-Security-Policy of every page: the site's own files only, inline scripts only if hashed.

    Parameters
    ----------
    script_hashes : iterable of str
        Base64 SHA-256 digests of the inline scripts allowed to run (the theme's own).

    Returns
    -------
    str
        The policy, for a ``<meta http-equiv="Content-Security-Policy">``.

    Examples
    --------
    >>> print(policy(["abc="]).replace("; ", ";\\n"))  # doctest: +ELLIPSIS
    default-src 'none';
    script-src 'self' 'unsafe-hashes' 'sha256-...' 'sha256-abc=';
    style-src 'self' 'unsafe-inline';
    img-src 'self' data:;
    font-src 'self';
    connect-src 'self';
    form-action 'self';
    base-uri 'none';
    object-src 'none';
    frame-src 'none'
    """
    hashes = sorted(set(script_hashes) | {_sha256(h) for h in THEME_HANDLERS})
    scripts = " ".join(["'self'", "'unsafe-hashes'", *(f"'sha256-{h}'" for h in hashes)])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'; frame-src 'none'"
    )


def _inline_hashes(page: str) -> list[str]:
    return [
        _sha256(body)
        for attrs, body in _SCRIPT.findall(page)
        if not re.search(r"\bsrc\s*=", attrs, re.IGNORECASE)
    ]


def protect_page(page: str, trusted: bool = False) -> str:
    """Put the site's Content-Security-Policy (and a ``data:`` favicon) first in a page's ``<head>``.

    Parameters
    ----------
    page : str
        An HTML page as Sphinx wrote it.
    trusted : bool
        The page holds no notebook content (the search page): its inline scripts in ``<body>``
        are the theme's and are allowed too. Otherwise only those in ``<head>`` are.

    Returns
    -------
    str
        The page with the policy (unchanged if it already has it).

    Examples
    --------
    >>> page = "<html><head><script>theme()</script></head><body><script>evil()</script></body></html>"
    >>> out = protect_page(page)
    >>> out.count("sha256-"), out.index(_MARK) < out.index("<script>")  # theme() and the print button
    (2, True)
    """
    if _MARK in page:
        return page
    head = _HEAD.search(page)
    end = page.lower().find("</head>")
    scope = page if trusted else page[: end if end >= 0 else 0]
    meta = f'<meta {_MARK} content="{policy(_inline_hashes(scope))}">\n<link rel="icon" href="data:,">\n'
    if head is None:  # a fragment (the theme's template macros): the policy goes first
        return meta + page
    return page[: head.end()] + "\n" + meta + page[head.end() :]


def protect_pages(folder: Path, trusted=("search.html", "genindex.html")) -> int:
    """Give every HTML page of a built site its Content-Security-Policy.

    Parameters
    ----------
    folder : Path
        The built site.
    trusted : iterable of str
        Pages (relative to ``folder``) with no notebook content, whose inline scripts are the theme's.

    Returns
    -------
    int
        How many pages were changed.

    Examples
    --------
    >>> import tempfile
    >>> site = Path(tempfile.mkdtemp())
    >>> _ = (site / "index.html").write_text("<html><head></head><body>hi</body></html>")
    >>> protect_pages(site), protect_pages(site)
    (1, 0)
    """
    changed = 0
    for path in sorted(Path(folder).rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        protected = protect_page(page, trusted=path.relative_to(folder).as_posix() in set(trusted))
        if protected != page:
            path.write_text(protected, encoding="utf-8")
            changed += 1
    return changed
