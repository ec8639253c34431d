"""The built HTML's links, read without a browser: none broken, every figure described.

A crawl of every page of ``_build/html``: each local ``href``/``src`` must name a file of the
site, and each ``#fragment`` an ``id`` in the page it points to. External links cannot be
checked here (no internet); the crawl writes them to ``_build/external_links.txt`` and
``make linkcheck`` checks them where the internet is available. Pages are discovered from the
built site, never listed.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from cnnbook import status_table
from conftest import BUILT_HTML, REPO

pytestmark = pytest.mark.built_book

EXTERNAL_LIST = BUILT_HTML.parent / "external_links.txt"
#: Attributes that load or link another resource.
LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src",
           "meta": "content"}  # <meta http-equiv="refresh" content="0; url=...">
NOT_FILES = ("mailto:", "javascript:", "data:", "tel:")
#: Alt texts that describe nothing.
EMPTY_WORDS = {"image", "figure", "plot", "picture", "png", "output", "chart", "graph", "untitled"}


def site_pages() -> list[Path]:
    """Every HTML page of the built site, both editions (the Korean one is in ko/)."""
    pages = [
        path for path in BUILT_HTML.rglob("*.html")
        if not {"_static", "_sources", "_images"} & set(path.relative_to(BUILT_HTML).parts[:2])
    ]
    assert pages, f"no pages in {BUILT_HTML}: build the book first (make book)"
    return sorted(pages)


def notebook_pages() -> list[Path]:
    """The pages built from a MyST notebook (a source with a kernelspec): the chapters."""
    def source(page: Path) -> Path:
        return (BUILT_HTML / "_sources" / page.relative_to(BUILT_HTML)).with_suffix(".md")

    return [page for page in site_pages()
            if source(page).is_file() and "kernelspec" in source(page).read_text(encoding="utf8")]


@functools.cache
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    """Every fragment a link may name in the page: ids, and the names of old-style anchors."""
    page = soup(path)
    return frozenset([tag["id"] for tag in page.find_all(id=True)]
                     + [tag["name"] for tag in page.find_all("a", attrs={"name": True})])


def links(page: Path):
    """(tag, attribute value) for every linking attribute of the page."""
    for tag in soup(page).find_all(LINKING):
        value = tag.get(LINKING[tag.name])
        if tag.name == "meta":
            if (tag.get("http-equiv") or "").lower() != "refresh" or "url=" not in (value or "").lower():
                continue
            value = value[value.lower().index("url=") + len("url="):]
        if value:
            yield tag, value.strip()


def unprinted_pdf(target: Path) -> bool:
    """The whole-book PDF on a reader's machine that cannot print it (no Chromium, not CI):
    ``make pdf`` skipped it with the reason, and tests/test_pdf.py skips too."""
    import os

    from cnnbook import pdf

    return target.name == pdf.PDF_NAME and bool(pdf.missing(BUILT_HTML)) and not os.environ.get("CI")


@pytest.fixture(scope="module")
def crawl() -> dict:
    """Broken local links and every external one, from one pass over the site."""
    broken, external, checked = defaultdict(list), defaultdict(set), 0
    root = BUILT_HTML.resolve()
    for page in site_pages():
        name = page.relative_to(BUILT_HTML).as_posix()
        for _, value in links(page):
            parts = urlsplit(value)
            if value.startswith(NOT_FILES):
                continue
            if parts.scheme or parts.netloc:
                external[value].add(name)
                continue
            checked += 1
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if target.is_dir():
                target = target / "index.html"
            if root not in target.parents:
                broken[name].append(f"{value} (outside the site)")
            elif not target.is_file() and not unprinted_pdf(target):
                broken[name].append(f"{value} (no such file)")
            elif (parts.fragment and target.suffix == ".html"
                  and unquote(parts.fragment) not in anchors(target)):
                broken[name].append(f"{value} (no id {parts.fragment!r} in {target.name})")
    return {"broken": dict(broken), "external": dict(external), "checked": checked,
            "pages": len(site_pages())}


def test_no_broken_local_links_or_anchors(crawl):
    lines = [f"{page}: {problems}" for page, problems in sorted(crawl["broken"].items())]
    if lines:
        pytest.fail("broken links in the built site:\n" + "\n".join(lines), pytrace=False)
    assert crawl["checked"] > 500, f"only {crawl['checked']} local links in {crawl['pages']} pages"


def test_external_links_are_listed_for_a_linkcheck(crawl):
    """No internet here: list them (``make linkcheck`` checks them where there is)."""
    external = sorted(crawl["external"].items())
    listing = "".join(f"{url}\t{' '.join(sorted(pages))}\n" for url, pages in external)
    EXTERNAL_LIST.write_text(listing, encoding="utf8")
    assert EXTERNAL_LIST.read_text(encoding="utf8").count("\n") == len(crawl["external"])
    for url in crawl["external"]:
        assert urlsplit(url).scheme in ("http", "https"), f"odd external link {url!r}"


def test_pages_load_nothing_from_other_hosts():
    """Scripts and styles come from the book itself (MathJax too), so a page reads offline."""
    import os

    npm_copy = Path(__file__).resolve().parent / "browser" / "node_modules" / "mathjax"
    if not npm_copy.is_dir() and not os.environ.get("CI"):
        pytest.skip("no npm copy of MathJax (make browser-deps): the pages load it from its CDN")
    remote = defaultdict(set)
    for path in site_pages():
        soup = BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")
        for tag, attribute in (("script", "src"), ("link", "href")):
            for element in soup.find_all(tag):
                value = element.get(attribute) or ""
                if tag == "link" and "stylesheet" not in (element.get("rel") or []):
                    continue
                if urlsplit(value).scheme in ("http", "https") or value.startswith("//"):
                    remote[value].add(path.relative_to(BUILT_HTML).as_posix())
    assert not remote, f"resources loaded from other hosts: {dict(remote)}"
    assert (BUILT_HTML / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()


def meaningful(text: str | None) -> bool:
    """At least three words, and not a file name or a generic word."""
    text = (text or "").strip()
    words = re.findall(r"[^\W\d_]{2,}", text)
    return (len(words) >= 3 and not re.search(r"\.(png|jpe?g|svg|gif)\b|_images/", text)
            and not set(w.lower() for w in words) <= EMPTY_WORDS)


def test_every_figure_has_meaningful_alt_text_or_a_caption():
    """Every image in a page's content is described: by its alt text or by its figure's caption."""
    problems, seen = defaultdict(list), 0
    for page in site_pages():
        content = soup(page).find("article") or soup(page)  # the page's content, not the theme's buttons
        for img in content.find_all("img"):
            seen += 1
            figure = img.find_parent("figure")
            caption = figure.find("figcaption") if figure else None
            if not (meaningful(img.get("alt")) or (caption and meaningful(caption.get_text(" ")))):
                problems[page.relative_to(BUILT_HTML).as_posix()].append(
                    f"{img.get('src')} alt={img.get('alt')!r}")
    if problems:
        pytest.fail("images a screen reader cannot describe:\n"
                    + "\n".join(f"{p}: {v}" for p, v in sorted(problems.items())), pytrace=False)
    assert seen >= 10, f"only {seen} images in the book"


def test_every_chapter_offers_its_notebook():
    """The download menu of every notebook chapter links an .ipynb that exists and parses."""
    import json

    chapters = notebook_pages()
    assert len(chapters) >= 10, chapters
    missing = []
    for page in chapters:
        hrefs = [value for _, value in links(page)
                 if urlsplit(value).path.endswith(".ipynb") and not urlsplit(value).scheme]
        if not hrefs:
            missing.append(f"{page.name}: no .ipynb link")
            continue
        notebook = (page.parent / urlsplit(hrefs[0]).path).resolve()
        if not notebook.is_file():
            missing.append(f"{page.name}: {hrefs[0]} missing")
            continue
        content = json.loads(notebook.read_text(encoding="utf8"))
        if content.get("nbformat") != 4 or not content.get("cells"):
            missing.append(f"{page.name}: {hrefs[0]} is not a notebook with cells")
    assert not missing, missing


def test_every_chapter_opens_in_colab():
    """Each notebook chapter's Colab button opens ``<page>.ipynb`` of the configured repository."""
    opened = 0
    for page in notebook_pages():
        for _, value in links(page):
            if value.startswith("https://colab.research.google.com/"):
                opened += 1
                name = page.relative_to(BUILT_HTML).with_suffix(".ipynb").as_posix()
                assert re.fullmatch(rf"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w./-]+/"
                                    rf"{re.escape(name)}", value), value
    assert opened >= 10, f"only {opened} Colab buttons"


def test_the_status_page_shows_versions_and_execution_times():
    """The page with ``{nb-exec-table}`` names the installed versions and times every chapter."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def source(page: Path) -> str:
        return (BUILT_HTML / "_sources" / page.relative_to(BUILT_HTML)).with_suffix(".md").read_text(
            encoding="utf8")

    chapters = notebook_pages()
    status = [page for page in chapters if "{nb-exec-table}" in source(page)]
    assert len(status) == 1, f"expected one status page with {{nb-exec-table}}, found {status}: " \
                             "is book/status in _toc.yml?"
    text = soup(status[0]).get_text(" ")
    expected = [platform.python_version()]
    for names in (("tensorflow-cpu", "tensorflow"), ("keras",), ("numpy",), ("jupyter-book",), ("myst-nb",)):
        for name in names:
            try:
                expected.append(version(name))
                break
            except PackageNotFoundError:
                continue
    assert len(expected) == 6
    assert all(v in text for v in expected), f"versions missing on the status page: {expected}"
    tables = soup(status[0]).select("table.cnnbook-status")
    assert tables, "no cold-run table on the status page (cnnbook.status_table)"
    listed = tables[0].get_text(" ")
    assert "❌" not in listed and "✅" not in listed, "the table says ran/failed in words, not emoji"
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in tables[0].find_all("tr")]
    rows, total = [row for row in rows if row][:-1], [row for row in rows if row][-1]
    words = status_table.WORDS["en"]
    assert all(row[1] in (words["trained"], words["cached"], words["ran"]) for row in rows), \
        f"a chapter failed to execute: {rows}"
    assert any(row[1] == words["trained"] for row in rows), "no chapter trained in a cold run"
    seconds = [float(row[2].replace(",", "")) for row in rows]
    training = [float(row[3].replace(",", "") or 0) for row in rows]
    assert all(s >= t for s, t in zip(seconds, training)), rows
    assert total[0] == words["total"] and abs(float(total[2].replace(",", "")) - sum(seconds)) <= len(rows)
    documents = [row[0] for row in rows]
    assert not any("/" in name for name in documents), f"paths instead of titles: {documents}"
    titles = {page: soup(page).find("h1").get_text(" ", strip=True).rstrip("#").strip() for page in chapters}
    missing = [title for title in titles.values() if title not in documents]
    assert not missing, f"chapters without an execution time on the status page: {missing}"
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    order = [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    by_file = {page.relative_to(BUILT_HTML).with_suffix("").as_posix(): title
               for page, title in titles.items()}
    expected = [by_file[name] for name in order if name in by_file]
    assert documents == expected, "the status table is not in the book's order (_toc.yml)"
