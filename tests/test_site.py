"""The course site: built offline from the stored outputs, checked in a real browser.

Debian's chromium, driven headless by Playwright (``executable_path``, never a browser
download), opens the built site from disk. The site is built once for this module and
crawled once: every page reachable from the landing page (and the search page) is
opened, every same-site link must point at a file that exists (and at an anchor that
exists on that page), and every request the pages make must stay on ``file://`` (or
``data:``). Each lesson page must show its figures (loaded images) and tables. A
planted customer comment containing ``<script>`` must show as text and never run. Every page
carries the Content-Security-Policy, and it blocks nothing of the site's own (the theme's scripts,
fonts and styles). Hostile notebooks, a logging HTTP server and the folder rules:
``tests/test_site_safety.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import CHROMIUM_ARGS, ROOT

from cxlib.kit import site

pytestmark = pytest.mark.slow  # Sphinx and a browser

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
LOCAL = ("file://", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return site.build(tmp_path_factory.mktemp("site") / "html")


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _local_path(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


@pytest.fixture(scope="module")
def crawl(built, browser):
    """Open every same-site page once; per page: links, element ids, outside requests, errors."""
    page = browser.new_page()
    outside, errors, blocked = [], [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(LOCAL) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    start = [built / "index.html", built / "search.html"]
    queue, seen, pages = [p.resolve() for p in start], set(), {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        outside.clear()
        errors.clear()
        blocked.clear()
        page.goto(path.as_uri() + ("?q=nps" if path.name == "search.html" else ""))
        page.wait_for_load_state("load")
        if path.name == "search.html":
            page.wait_for_timeout(500)  # the search runs after load
        info = page.evaluate("""() => ({
            links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
            ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)})""")
        pages[path] = {
            "links": info["links"],
            "ids": set(info["ids"]),
            "outside": list(outside),
            "errors": list(errors),
            "blocked": list(blocked),
        }
        for href in info["links"]:
            if href.startswith("file://"):
                target = _local_path(href)
                if (
                    target.suffix == ".html"
                    and target.is_file()
                    and str(target).startswith(str(built.resolve()))
                ):
                    queue.append(target.resolve())
    page.close()
    return pages


def _outputs(nb_path: Path) -> tuple[int, int]:
    """Numbers of PNG figures and of HTML tables among a notebook's stored outputs."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    outs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    html = ["".join(o["data"]["text/html"]) for o in outs if "text/html" in o.get("data", {})]
    return sum("image/png" in o.get("data", {}) for o in outs), sum(h.count("<table") for h in html)


def test_site_has_landing_page_lessons_in_order_exercises_and_data_dictionary(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="lessons/{nb.stem}.html"') for nb in LESSONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), "lessons listed in course order"
    for nb in LESSONS:
        assert (built / "lessons" / f"{nb.stem}.html").is_file()
    data = (built / "data.html").read_text(encoding="utf-8")
    assert "data dictionary" in index.lower() and "survey.csv" in data and "<table" in data
    exercises = (built / "exercises.html").read_text(encoding="utf-8")
    for nb in EXERCISES:
        assert (built / "exercises" / f"{nb.stem}.html").is_file()
        assert re.search(
            rf'class="reference download internal"[^>]*href="_downloads/\w+/{re.escape(nb.name)}"', exercises
        ), f"no download link for {nb.name}"
    assert len(list((built / "_downloads").rglob("*.ipynb"))) == len(EXERCISES)
    assert not (built / ".doctrees").exists(), "build internals stay out of the site"


def test_every_link_on_every_page_resolves(built, crawl):
    assert len(crawl) >= len(LESSONS) + len(EXERCISES) + 3
    broken = []
    for path, info in crawl.items():
        for href in info["links"]:
            url = urlparse(href)
            if url.scheme != "file":
                continue  # links to other sites are allowed (they are not followed or fetched)
            target = _local_path(href)
            if not target.exists():
                broken.append(f"{path.name}: {href}")
            elif url.fragment and target.suffix == ".html" and target.resolve() in crawl:
                if unquote(url.fragment) not in crawl[target.resolve()]["ids"]:
                    broken.append(f"{path.name}: {href} (no such anchor)")
    assert broken == []


def test_no_page_fetches_anything_from_the_network(built, crawl):
    fetched = {path.name: info["outside"] for path, info in crawl.items() if info["outside"]}
    assert fetched == {}
    errors = {path.name: info["errors"] for path, info in crawl.items() if info["errors"]}
    assert errors == {}, "JavaScript errors on the pages"
    # every page carries the Content-Security-Policy, and it blocks nothing of the site's own
    pages = list(built.rglob("*.html"))
    assert all('http-equiv="Content-Security-Policy"' in p.read_text(encoding="utf-8") for p in pages)
    blocked = {path.name: info["blocked"] for path, info in crawl.items() if info["blocked"]}
    assert blocked == {}, "the Content-Security-Policy blocked part of the site"
    # and nothing in the pages' markup points at another site for a script, style, font or image
    remote = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"']?(https?:)?//", re.IGNORECASE)
    offenders = [p.name for p in built.rglob("*.html") if remote.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("nb", LESSONS, ids=lambda p: p.stem)
def test_lesson_page_renders_its_figures_tables_and_formulas(nb, built, browser):
    page = browser.new_page()
    page.goto((built / "lessons" / f"{nb.stem}.html").as_uri())
    page.wait_for_load_state("load")
    n_png, n_tables = _outputs(nb)
    figures = page.evaluate(
        "Array.from(document.querySelectorAll('.cell_output img')).map(i => [i.complete, i.naturalWidth])"
    )
    tables = page.locator(".cell_output table").count()
    formulas = page.evaluate("Array.from(document.querySelectorAll('img.math')).map(i => i.naturalWidth)")
    text = page.locator("article").inner_text()
    page.close()
    assert len(figures) == n_png and all(done and width > 0 for done, width in figures), figures
    assert tables == n_tables
    assert all(width > 0 for width in formulas)
    assert "$$" not in text, "a formula was left as LaTeX source"


PLANTED = ["<script>window.__pwned = 1</script> Lovely sofa", "<img src=x onerror='window.__pwned = 2'>"]


def test_a_planted_script_in_a_customer_comment_shows_as_text_and_never_runs(tmp_path_factory, browser):
    import nbformat
    from nbclient import NotebookClient

    tmp = tmp_path_factory.mktemp("planted")
    (tmp / "nb").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Comments"),
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom IPython.display import Markdown, HTML, display\n"
            f"comments = pd.DataFrame({{'comment': {PLANTED!r}, 'score': [5, 1]}})\n"
            "print(comments['comment'].iloc[0])\ncomments"
        ),
        # outputs that would pass the comment on raw: a Styler without escaping, Markdown, HTML
        nbformat.v4.new_code_cell("comments.style"),
        nbformat.v4.new_code_cell(
            "for c in comments['comment']:\n    display(Markdown(c))\n    display(HTML('<b>' + c + '</b>'))"
        ),
    ]
    NotebookClient(nb, kernel_name="python3").execute()
    nbformat.write(nb, tmp / "nb" / "00_comments.ipynb")
    out = site.build(tmp / "html", notebooks=tmp / "nb", exercises=[])
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(LOCAL) else None)
    page.goto((out / "lessons" / "00_comments.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    pwned = page.evaluate("typeof window.__pwned")
    text = page.locator("article").inner_text()
    cells = page.locator(".cell_output table td").all_inner_texts()
    page.close()
    assert pwned == "undefined", "a customer comment ran as a script"
    assert PLANTED[0] in cells and PLANTED[1] in cells  # the table shows the comments as text
    assert text.count(PLANTED[0]) >= 2  # the printed text and the table, at least
    assert outside == [], "the planted <img src=x> made no request outside the site"
