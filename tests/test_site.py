"""The course site: built offline from the stored outputs, checked in a real browser.

Debian's chromium, driven headless by Playwright (``executable_path``, no browser
download), opens every lesson page from disk and checks that its figures load, its
tables render, its internal links resolve, and that nothing is fetched from the
network. A planted customer comment containing ``<script>`` must show as text.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import CHROMIUM_ARGS, ROOT
from cxlib import site

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLANTED = "<script>window.__pwned = 1</script> Lovely sofa!"


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


def _open(browser, path: Path):
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file://", "data:", "blob:")) else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, outside


def _outputs(nb_path: Path) -> tuple[int, int]:
    nb = json.loads(nb_path.read_text())
    outs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    return (sum("image/png" in o.get("data", {}) for o in outs), sum("text/html" in o.get("data", {}) for o in outs))


def test_site_has_landing_page_lessons_exercises_and_data_dictionary(built):
    index = (built / "index.html").read_text()
    for nb in LESSONS:
        assert (built / "lessons" / f"{nb.stem}.html").exists()
        assert f"lessons/{nb.stem}.html" in index
    assert (built / "data.html").exists() and "data dictionary" in index.lower()
    exercises = (built / "exercises.html").read_text()
    for nb in sorted((ROOT / "exercises").glob("*.ipynb")):
        assert f"{nb.name}" in exercises and (built / "exercises" / f"{nb.stem}.html").exists()
    assert list((built / "_downloads").rglob("*.ipynb")), "exercise notebooks are downloadable"


@pytest.mark.parametrize("nb", LESSONS, ids=lambda p: p.stem)
def test_lesson_page_renders_figures_tables_and_links_offline(nb, built, browser):
    page_path = built / "lessons" / f"{nb.stem}.html"
    page, outside = _open(browser, page_path)
    n_png, n_html = _outputs(nb)
    images = page.evaluate("Array.from(document.querySelectorAll('.cell_output img'))"
                           ".map(i => [i.complete, i.naturalWidth])")
    assert len(images) == n_png
    assert all(done and width > 0 for done, width in images), images
    assert page.locator(".cell_output table").count() >= min(n_html, 1)
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    page.close()
    assert outside == [], f"fetched from the network: {outside[:5]}"
    for href in hrefs:
        url = urlparse(href)
        if url.scheme == "file":
            target = Path(unquote(url.path))
            assert target.exists(), f"broken link {href} on {page_path.name}"


def test_planted_script_in_a_comment_shows_as_text(tmp_path, browser):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Comments"),
                nbformat.v4.new_code_cell("import pandas as pd\n"
                                          f"comments = pd.DataFrame({{'comment': [{PLANTED!r}]}})\n"
                                          "print(comments['comment'].iloc[0])\ncomments")]
    NotebookClient(nb, kernel_name="python3").execute()
    nbformat.write(nb, nbdir / "00_comments.ipynb")
    out = site.build(tmp_path / "html", notebooks=nbdir, exercises=tmp_path / "none")
    page, outside = _open(browser, out / "lessons" / "00_comments.html")
    pwned = page.evaluate("typeof window.__pwned")
    text = page.locator("article").inner_text()
    page.close()
    assert pwned == "undefined", "a customer comment ran as a script"
    assert text.count("<script>window.__pwned = 1</script>") >= 2  # the printed text and the table cell
    assert outside == []
