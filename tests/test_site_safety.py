"""The site builder under attack: it deletes nothing it did not write, and its pages run and fetch nothing.

Fast tests check the pieces: the folder stamp (:mod:`cxlib.kit.stamp`), ``cxkit site`` refusing
folders before anything is deleted (the repository root, a non-empty ``.``), the sanitiser and
the notebook and page cleaning (:mod:`cxlib.kit.safehtml`). Slow tests build a site from hostile
notebooks (built in ``.``, the case that used to fail in sphinx-build's argument parser), serve
it from a local HTTP server that logs every request, and open every page in headless chromium:
no payload runs (each would change ``document.title`` or ask the server for ``/beacon/...``), no
request leaves for another host, no request asks the server for a path the site did not write,
and search and navigation still work under the Content-Security-Policy.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import html
import http.server
import json
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from conftest import CHROMIUM_ARGS, ROOT

from cxlib.kit import safehtml, site
from cxlib.kit.stamp import STAMP, FolderError, claim, clear, stamp

EVIL = "http://cxkit-evil.invalid"
RUN = "document.title='PWNED'"  # what every script payload does: the browser test looks at the title

# Each payload either runs RUN or makes the browser fetch (a /beacon/... path on the local server,
# or a file on another host). Most are from issue 15; the rest are classic sanitiser bypasses.
PAYLOADS = [
    f"<script>{RUN}; fetch('/beacon/script')</script>",
    f'<img src=x onerror="{RUN}">',
    f'<img src="x"/onerror="{RUN}">',
    '<img/src="/beacon/img-slash-src">',
    '<video poster="/beacon/video-poster" src="/beacon/video-src"></video>'
    '<audio src="/beacon/audio" autoplay>',
    '<table background="/beacon/table-bg"><tr><td background="/beacon/td-bg">cell</td></tr></table>',
    f'<a href="jav&#x61;script:{RUN}">entity</a> <a href="jav&#x09;ascript:{RUN}">tab</a> '
    f'<a href=" javascript:{RUN}">space</a> <a href="JAVASCRIPT&colon;{RUN}">colon</a>',
    f'<iframe src="/beacon/iframe"></iframe><iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',
    '<div style="background:url(/beacon/style-url)">styled</div>'
    f"<div style=\"background-image:url('{EVIL}/style.png')\">styled</div>",
    f'<svg onload="{RUN}"><script>{RUN}</script><image href="/beacon/svg-image"/></svg>',
    '<link rel=stylesheet href="/beacon/link-css"><link rel=prefetch href="/beacon/prefetch">',
    '<meta http-equiv="refresh" content="0;url=/beacon/meta-refresh">',
    '<object data="/beacon/object"></object><embed src="/beacon/embed">',
    '<form action="/beacon/form"><button formaction="/beacon/formaction">go</button></form>',
    f'<base href="{EVIL}/">',
    "<style>@import url(/beacon/style-import); body{background:url(/beacon/style-bg)}</style>",
    f'<input autofocus onfocus="{RUN}"><details open ontoggle="{RUN}"><summary>d</summary></details>',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{RUN}">',
    f'<noscript><p title="</noscript><img src=x onerror={RUN}>"></noscript>',
    '<img srcset="/beacon/srcset 1x"><picture><source srcset="/beacon/source">'
    '<img src="/beacon/picture"></picture>',
    f'<a href="data:text/html,<script>{RUN}</script>">data</a> <a href="vbscript:msgbox(1)">vb</a>',
    f'<img src="{EVIL}/remote.png"><img src="//cxkit-evil.invalid/schemeless.png">'
    '<img src="/\\cxkit-evil.invalid/backslash.png">',
    '<a ping="/beacon/ping" href="https://example.org/">ping</a>',
    '<div id="search-results" class="bd-search pst-js-only">clobber</div>',
    f'<body onload="{RUN}"><marquee onstart="{RUN}">m</marquee><img src="data:text/html,x">',
]
MARKDOWN = (
    "\n\n".join(PAYLOADS)
    + f"""

![remote image]({EVIL}/md-image.png) ![local image](/beacon/md-image.png) ![up](../../../etc/hostname)

[js link](javascript:{RUN}) [entity link](jav&#x61;script:{RUN}) <javascript:{RUN}>

$$\\href{{javascript:{RUN}}}{{x}}$$

```{{raw}} html
<script>{RUN}</script>
```

```{{image}} {EVIL}/directive.png
```

```{{eval-rst}}
.. raw:: html

   <script>{RUN}</script>

.. image:: /beacon/rst-image.png

`rst link <javascript:{RUN}>`_

.. meta::
   :http-equiv=refresh: 0;url=/beacon/rst-meta

.. include:: ../../../../../etc/hostname
```

```{{literalinclude}} ../../../../../etc/hostname
```

{{download}}`leak <../../../../../etc/hostname>`
"""
)
SVG = (
    f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"{RUN}\"><script>{RUN}</script>"
    "<image href='/beacon/svg'/></svg>"
)


def _hostile_notebook(sentinel: Path) -> nbformat.NotebookNode:
    """A notebook that tries everything: its metadata, Markdown cells, outputs and raw cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # myst-nb takes notebook metadata as configuration: executing the notebook, a redirect
    nb.metadata["mystnb"] = {"execution_mode": "force"}
    nb.metadata["myst"] = {"html_meta": {"http-equiv=refresh": "0;url=/beacon/front-matter"}}
    nb.metadata["html_meta"] = {"http-equiv=refresh": "0;url=/beacon/front-matter-top"}
    code = nbformat.v4.new_code_cell(f"open({str(sentinel)!r}, 'w').write('executed')")
    code.metadata["mystnb"] = {"markdown_format": "myst"}
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "\n".join(PAYLOADS), "text/plain": "h"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": MARKDOWN, "text/plain": "m"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": SVG}),
        nbformat.v4.new_output("display_data", data={"application/javascript": RUN, "text/plain": "js"}),
        nbformat.v4.new_output("stream", name="stdout", text=f"<script>{RUN}</script>\n"),
    ]
    raw = nbformat.v4.new_raw_cell(f'<script>{RUN}</script><img src=x onerror="{RUN}">')
    raw.metadata["format"] = "text/html"
    nb.cells = [
        nbformat.v4.new_markdown_cell(f'# Hostile <img src=x onerror="{RUN}"> page'),
        nbformat.v4.new_markdown_cell(MARKDOWN),
        code,
        raw,
        nbformat.v4.new_markdown_cell("Some <b>bold</b> and <span style='color: red'>red</span> words."),
    ]
    return nb


# --- fast: the folder stamp ------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_new_or_empty_folder_may_be_written_and_a_stamped_one_replaced(tmp_path):
    assert claim(tmp_path / "new", "site").files == ()
    (tmp_path / "empty").mkdir()
    assert claim(tmp_path / "empty", "site").files == ()
    out = tmp_path / "site"
    (out / "lessons").mkdir(parents=True)
    (out / "index.html").write_text("<p>index</p>")
    (out / "lessons" / "a.html").write_text("<p>a</p>")
    stamp(out, "site")
    granted = claim(out, "site")
    assert sorted(granted.files) == ["index.html", "lessons/a.html"] and granted.dirs == ("lessons",)
    clear(granted)
    assert list(out.iterdir()) == []  # the folder itself stays: it may be the current directory


def test_a_folder_without_a_stamp_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "notes.txt").write_text("mine")
    before = _tree(tmp_path)
    with pytest.raises(FolderError, match=r"not empty and was not written by cxkit .*\.git, notes\.txt"):
        claim(tmp_path, "site", "--out")
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("change", ["added", "edited", "symlink", "other kind", "bad stamp"])
def test_a_stamped_folder_holding_anything_else_is_refused(tmp_path, change):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<p>index</p>")
    stamp(out, "site")
    words = {
        "added": "not written by cxkit: mine.txt",
        "edited": "changed since cxkit wrote them: index.html",
        "symlink": "not written by cxkit: link",
        "other kind": "written by cxkit for 'site', not for 'site sources'",
        "bad stamp": "was not written by cxkit",
    }[change]
    if change == "added":
        (out / "mine.txt").write_text("mine")
    elif change == "edited":
        (out / "index.html").write_text("<p>my edits</p>")
    elif change == "symlink":
        (out / "link").symlink_to(tmp_path)
    elif change == "bad stamp":
        (out / STAMP).write_text("[]")
    before = _tree(out)
    with pytest.raises(FolderError, match=re.escape(words)):
        claim(out, "site sources" if change == "other kind" else "site")
    assert _tree(out) == before


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    (tmp_path / "site").write_text("a file")
    with pytest.raises(FolderError, match="is not a folder"):
        claim(tmp_path / "site", "site", "--out")


# --- fast: cxkit site refuses before it deletes ------------------------------------------------------


def _site(out, capsys) -> tuple[int, str]:
    code = site.run(argparse.Namespace(out=str(out), notebooks=None))
    return code, capsys.readouterr().err


@pytest.fixture
def no_deleting(monkeypatch):
    """Any attempt to delete or move a file fails the test (the refusal comes before them all)."""

    def forbidden(*args, **kwargs):
        raise AssertionError(f"tried to delete or move {args}")

    for module, name in [(os, "remove"), (os, "unlink"), (os, "rmdir"), (os, "rename"), (os, "replace")]:
        monkeypatch.setattr(module, name, forbidden)
    monkeypatch.setattr(site.shutil, "rmtree", forbidden)
    monkeypatch.setattr(site.shutil, "move", forbidden)
    monkeypatch.setattr(Path, "unlink", forbidden)
    monkeypatch.setattr(Path, "rmdir", forbidden)


def test_out_set_to_the_repository_root_is_refused_with_status_2_and_nothing_deleted(no_deleting, capsys):
    top = sorted(p.name for p in ROOT.iterdir())
    head = (ROOT / ".git").stat().st_mtime_ns if (ROOT / ".git").exists() else None
    sources = ROOT.parent / f"{ROOT.name}-src"
    existed = sources.exists()
    code, err = _site(ROOT, capsys)
    assert code == 2
    assert f"--out {ROOT} is not empty and was not written by cxkit" in err
    assert "cxkit never deletes what it did not write" in err
    assert sorted(p.name for p in ROOT.iterdir()) == top
    assert head is None or (ROOT / ".git").stat().st_mtime_ns == head
    assert sources.exists() == existed  # nothing was written beside it either


def test_out_dot_in_a_folder_of_yours_is_refused_with_status_2(tmp_path, monkeypatch, no_deleting, capsys):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "thesis.tex").write_text("mine")
    monkeypatch.chdir(tmp_path / "work")
    code, err = _site(".", capsys)
    assert code == 2, err
    assert f"--out {tmp_path / 'work'} is not empty" in err and "thesis.tex" in err
    assert "usage:" not in err and "sphinx" not in err.lower()  # not sphinx-build's argument parser
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]  # no "-src" or "work-src" made
    assert (tmp_path / "work" / "thesis.tex").read_text() == "mine"


def test_a_sources_folder_of_yours_is_refused_before_the_site_is_touched(tmp_path, no_deleting, capsys):
    (tmp_path / "site-src").mkdir()
    (tmp_path / "site-src" / "conf.py").write_text("# my own Sphinx project")
    code, err = _site(tmp_path / "site", capsys)
    assert code == 2 and "the site's sources folder" in err and "conf.py" in err
    assert not (tmp_path / "site").exists()


def test_cxkit_course_refuses_a_site_folder_of_yours_before_running_anything(tmp_path, capsys):
    from cxlib.kit import cli

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("my own page")
    assert cli.main(["course", "--out", str(tmp_path)]) == 2
    assert "not written by cxkit" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no data generated, no lesson run


def test_a_site_built_before_stamps_is_refused_with_a_hint_to_delete_it_yourself(
    tmp_path, no_deleting, capsys
):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / ".buildinfo").write_text("# Sphinx build info version 1")
    (tmp_path / "site" / "index.html").write_text("<p>an old site</p>")
    code, err = _site(tmp_path / "site", capsys)
    assert code == 2 and "built by an earlier cxkit" in err and "delete it yourself" in err
    assert (tmp_path / "site" / "index.html").read_text() == "<p>an old site</p>"


def test_overlapping_site_and_sources_folders_are_refused(tmp_path):
    with pytest.raises(FolderError, match="overlap"):
        site.folders(tmp_path / "a", tmp_path / "a" / "src")
    with pytest.raises(FolderError, match="overlap"):
        site.folders(tmp_path / "a" / "b", tmp_path / "a")


def test_a_notebook_name_that_cannot_be_a_page_is_refused(tmp_path):
    bad = tmp_path / "nb"
    bad.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), bad / "x';alert(1);'.ipynb")
    with pytest.raises(site.SiteError, match="rename them"):
        site.write_sources(tmp_path / "src", notebooks=bad, exercises=[])
    assert not (tmp_path / "src").exists()


# --- fast: the sanitiser and the notebook copy -------------------------------------------------------


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser's tokenizer sees them."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(fragment: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(fragment)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_the_sanitiser_keeps_nothing_that_runs_or_fetches(payload):
    cleaned = safehtml.clean_html(payload)
    for tag, attrs in _elements(cleaned):
        assert tag in safehtml.TAGS, cleaned
        assert not [a for a in attrs if a.startswith("on") or a in ("srcset", "poster", "background", "ping")]
        assert "src" not in attrs or attrs["src"].startswith("data:image/"), cleaned
        href = attrs.get("href", "https:")
        assert re.match(r"(https?|mailto):", href.strip(), re.IGNORECASE), cleaned
        assert "url(" not in attrs.get("style", ""), cleaned
    assert safehtml.clean_html(cleaned) == cleaned  # cleaning again changes nothing


def test_the_sanitiser_keeps_what_a_lesson_shows():
    table = (
        "<div><style scoped>.dataframe tbody tr th {vertical-align: top;}</style>"
        '<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th>'
        '<th colspan="2">estimate</th></tr></thead><tbody><tr><th>Ashford</th><td>8.2</td>'
        "<td>&lt;script&gt;</td></tr></tbody></table></div>"
    )
    cleaned = safehtml.clean_html(table)
    assert '<table border="1" class="dataframe">' in cleaned and '<tr style="text-align:right">' in cleaned
    assert '<th colspan="2">estimate</th>' in cleaned and "<td>&lt;script&gt;</td>" in cleaned
    assert "<style" not in cleaned
    link = safehtml.clean_html('<a href="https://example.org/x?a=1&amp;b=2">docs</a>')
    assert link == '<a href="https://example.org/x?a=1&amp;b=2" rel="noopener noreferrer">docs</a>'
    png = "data:image/png;base64,iVBORw0KGgo="
    assert safehtml.clean_html(f'<img src="{png}" alt="a figure">') == f'<img src="{png}" alt="a figure">'


def test_the_notebook_copy_keeps_no_configuration_and_no_active_output(tmp_path):
    nb = json.loads(nbformat.writes(_hostile_notebook(tmp_path / "ran")))
    nb["cells"][2]["metadata"]["tags"] = ["remove-input", 3]
    assert safehtml.clean_notebook(nb) == 3  # the HTML, the SVG and the script outputs
    assert nb["metadata"] == {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    assert nb["cells"][2]["metadata"] == {"tags": ["remove-input"]}
    assert nb["cells"][3]["metadata"] == {"format": "text/html"}
    outputs = [o.get("data", {}) for o in nb["cells"][2]["outputs"]]
    assert "<script" not in outputs[0]["text/html"] and "onerror" not in outputs[0]["text/html"]
    assert (
        "".join(outputs[1]["text/markdown"]) == MARKDOWN
    )  # Markdown is sanitised once rendered (clean_doctree)
    svg = re.fullmatch(
        r'<img alt="figure" src="data:image/svg\+xml;base64,([^"]+)">', outputs[2]["text/html"]
    )
    assert svg and base64.b64decode(svg.group(1)).decode() == SVG  # shown as an image: inert
    assert list(outputs[3]) == ["text/plain"]


def test_a_figure_sphinx_has_collected_stays_and_files_outside_the_site_do_not(tmp_path):
    from docutils import nodes

    src = tmp_path / "src"
    (src / "_build" / "jupyter_execute").mkdir(parents=True)
    (src / "lessons").mkdir()
    (src / "_build" / "jupyter_execute" / "f.png").write_bytes(b"png")
    (tmp_path / "outside.png").write_bytes(b"png")
    uris = ["_build/jupyter_execute/f.png", "../../outside.png", "../outside.png", "/etc/hostname"]
    doc = nodes.section("", *(nodes.image(uri=u, alt=u) for u in uris))
    assert safehtml.clean_doctree(doc, src, src / "lessons") == 3
    assert [n["uri"] for n in doc.findall(nodes.image)] == ["_build/jupyter_execute/f.png"]


def test_every_page_gets_the_policy_first_and_only_the_themes_inline_scripts_are_allowed():
    page = (
        '<html><head><meta charset="utf-8"><script>theme()</script><script src="a.js"></script></head>'
        "<body><script>injected()</script></body></html>"
    )
    protected = safehtml.protect_page(page)
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', protected)
    assert meta and protected.index(meta.group(0)) < protected.index("<script")
    digest = base64.b64encode(hashlib.sha256(b"theme()").digest()).decode()
    policy = html.unescape(meta.group(1))
    assert f"'sha256-{digest}'" in policy and policy.count("sha256-") == 2  # injected() has no hash
    printing = base64.b64encode(hashlib.sha256(b"window.print()").digest()).decode()
    assert f"'unsafe-hashes' 'sha256-{printing}'" in policy  # the theme's print button
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert safehtml.protect_page(protected) == protected
    assert safehtml.protect_page(page, trusted=True).count("sha256-") == 3


# --- slow: a hostile site in a real browser, served by a server that logs every request --------------


class _Log(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A site built in ``.`` (an empty folder) from hostile notebooks; the sentinel shows execution."""
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "nb").mkdir()
    sentinel = tmp / "executed-at-build-time"
    nbformat.write(_hostile_notebook(sentinel), tmp / "nb" / "00_hostile.ipynb")
    task = _hostile_notebook(sentinel)
    task.cells[0].source = "# A hostile exercise"
    nbformat.write(task, tmp / "nb" / "01_exercise.ipynb")
    (tmp / "html").mkdir()
    cwd = Path.cwd()
    os.chdir(tmp / "html")
    try:
        out = site.build(Path("."), notebooks=tmp / "nb", exercises=[tmp / "nb" / "01_exercise.ipynb"])
    finally:
        os.chdir(cwd)
    assert out == tmp / "html" and (tmp / "html-src" / "conf.py").is_file()
    return {"out": out, "sentinel": sentinel}


@pytest.fixture(scope="module")
def served(hostile):
    log: list[str] = []
    handler = type("Handler", (_Log,), {"requests": log})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(hostile["out"]))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_address[1]}", "log": log, "out": hostile["out"]}
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def crawl(served, browser):
    """Open every page of the hostile site once over HTTP; record titles, requests, console and links."""
    base = served["base"]
    page = browser.new_page()
    requests, console = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: console.append(m.text))
    queue, seen, pages = ["index.html", "search.html", "lessons/00_hostile.html"], set(), {}
    while queue:
        rel = queue.pop(0)
        if rel in seen:
            continue
        seen.add(rel)
        page.goto(f"{base}/{rel}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        info = page.evaluate("""() => ({title: document.title,
            links: Array.from(document.links).map(a => a.href),
            bad: Array.from(document.links).filter(a => a.getAttribute('href') !== null
                 && !['http:', 'https:', 'mailto:'].includes(a.protocol)).map(a => a.href)})""")
        pages[rel] = info
        for href in info["links"]:
            url = urlparse(href)
            if href.startswith(base) and url.path.endswith(".html"):
                queue.append(unquote(url.path).lstrip("/"))
    page.close()
    return {"pages": pages, "requests": requests, "console": console}


@pytest.mark.slow
def test_the_hostile_notebook_is_not_executed_while_the_site_is_built(hostile):
    assert not hostile["sentinel"].exists(), "notebook metadata made myst-nb execute the notebook"
    assert (hostile["out"] / "lessons" / "00_hostile.html").is_file()


@pytest.mark.slow
def test_no_script_from_a_hostile_notebook_runs(crawl):
    assert "lessons/00_hostile.html" in crawl["pages"] and "exercises/01_exercise.html" in crawl["pages"]
    ran = {rel: info["title"] for rel, info in crawl["pages"].items() if "PWNED" in info["title"]}
    assert ran == {}
    script_links = {rel: info["bad"] for rel, info in crawl["pages"].items() if info["bad"]}
    assert script_links == {}, "links a click would run as script (javascript:, data:, vbscript:)"


@pytest.mark.slow
def test_no_request_leaves_the_site_and_none_asks_for_a_path_it_did_not_write(served, crawl):
    base, out = served["base"], served["out"]
    outside = [u for u in crawl["requests"] if not u.startswith((base + "/", "data:", "about:", "blob:"))]
    assert outside == []
    unknown = sorted(
        {p for p in served["log"] if not (out / unquote(urlparse(p).path).lstrip("/")).is_file()}
    )
    assert unknown == [], "requests for paths the site did not write (payloads that fetched)"
    assert not [p for p in served["log"] if "beacon" in p]


@pytest.mark.slow
def test_every_page_carries_the_policy_and_the_theme_runs_under_it(served, crawl):
    pages = sorted(served["out"].rglob("*.html"))
    assert pages and all(
        'http-equiv="Content-Security-Policy"' in p.read_text(encoding="utf-8") for p in pages
    )
    blocked = [m for m in crawl["console"] if "Content Security Policy" in m]
    assert blocked == [], "the policy blocked something of the site itself, or the sanitiser let it through"


@pytest.mark.slow
def test_search_and_navigation_work_under_the_policy(served, browser):
    base = served["base"]
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/search.html?q=clobber")
    page.wait_for_selector("#search-results ul li", timeout=15000)
    found = page.locator("#search-results ul li a").all_inner_texts()
    page.goto(f"{base}/index.html")
    page.locator("a.right-next").click()
    page.wait_for_load_state("load")
    landed = page.url
    dark = page.evaluate("document.documentElement.dataset.theme")  # set by the theme's hashed inline script
    page.close()
    assert any("Hostile" in title for title in found), found
    assert landed.endswith("/lessons/00_hostile.html")
    assert dark in ("light", "dark") and errors == []


@pytest.mark.slow
def test_the_policy_blocks_a_script_that_got_past_the_sanitiser(hostile, browser, tmp_path):
    # the second line of defence alone: a page of the site with a script and a remote image put in
    # (the site's own files stay allowed: the policy stops scripts and other hosts, the sanitiser the rest)
    lesson = (hostile["out"] / "lessons" / "00_hostile.html").read_text(encoding="utf-8")
    planted = lesson.replace("</article>", f'<script>{RUN}</script><img src="{EVIL}/planted.png"></article>')
    probe = hostile["out"] / "lessons" / "probe.html"
    probe.write_text(planted, encoding="utf-8")
    page = browser.new_page()
    finished, failed = [], {}
    page.on("requestfinished", lambda r: finished.append(r.url))
    page.on("requestfailed", lambda r: failed.update({r.url: r.failure}))
    try:
        page.goto(probe.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        title = page.title()
    finally:
        page.close()
        probe.unlink()
    assert "PWNED" not in title
    assert [u for u in finished if "planted" in u] == []
    assert failed == {f"{EVIL}/planted.png": "csp"}  # refused by the browser, never sent


@pytest.mark.slow
def test_the_hostile_pages_keep_their_text_and_local_files_stay_off_the_site(hostile):
    lesson = (hostile["out"] / "lessons" / "00_hostile.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" in lesson and '<span style="color:red">red</span>' in lesson  # inline HTML kept
    assert "[image not loaded: remote image]" in lesson and "[image not shown: local image]" in lesson
    assert "[download not available: leak]" in lesson
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").is_file() else None
    leaked = [p.name for p in hostile["out"].rglob("*") if p.is_file() and p.name == "hostname"]
    assert leaked == [] and (not hostname or hostname not in lesson.split("<article", 1)[1])


@pytest.mark.slow
def test_a_rebuild_replaces_what_the_last_build_wrote_and_refuses_a_file_of_yours(tmp_path):
    out = tmp_path / "site"
    site.build(out, notebooks=[], exercises=[])
    first = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    (out / "data.html").write_text("stale")  # a file the build wrote, now edited by someone
    with pytest.raises(FolderError, match="changed since cxkit wrote them: data.html"):
        site.build(out, notebooks=[], exercises=[])
    (out / "data.html").unlink()
    site.build(out, notebooks=[], exercises=[])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == first
    (out / "my-notes.md").write_text("mine")
    with pytest.raises(FolderError, match="not written by cxkit: my-notes.md"):
        site.build(out, notebooks=[], exercises=[])
    assert (out / "my-notes.md").read_text() == "mine" and (out / "index.html").is_file()
