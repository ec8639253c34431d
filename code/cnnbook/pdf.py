"""The whole book as one PDF per edition, printed from the built HTML by headless Chromium.

``python -m cnnbook.pdf _build/html [_build/html/ko ...]`` writes ``_static/cnnbook.pdf`` into
each built edition (the folder of its ``index.html``; its language is the pages' ``lang``).

The chapters are taken from the built pages, never built again: nothing is executed, and the
PDF shows exactly the numbers, figures and tables of the site. :func:`assemble` joins the
``<article>`` of every page, in the order of the book's navigation, into one document (a title
page, the contents, one chapter per page run), renames each page's ids so that they stay
unique, turns links between pages into links inside the PDF, drops the pages' scripts but
MathJax, opens every dropdown and gathers the solutions at the book's end (pdf_solutions).
:func:`print_pdf` serves the edition on a local port (nothing else is reachable), waits for the
images, the fonts and MathJax, and prints with ``_static/book-print.css`` (A4, wrapped code,
figures within the page, ruled tables whose words never split; Korean in Nanum fonts) and
page numbers in the footer. A table wider than the page is set in smaller type until it fits.
Chromium cannot number the contents (no ``target-counter()``): the book is printed once, each
chapter's page read from the PDF's bookmarks, written into the contents, and printed again.

Chromium is Debian's ``/usr/bin/chromium`` or ``$CNNBOOK_CHROMIUM``, driven by Playwright, as in
the browser tests. Without it the PDF is skipped with the reason, unless ``CI`` is set.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import posixpath
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cnnbook import pdf_solutions
from cnnbook.pdf_pages import (
    CONTENTS_ENTRIES,
    FIT_TABLES,
    READY,
    SET_PAGE_NUMBERS,
    TEXT_WIDTH_PX,
    chapter_pages,
    contents_entry,
    page_count,
)

#: The PDF's name, in the ``_static`` folder of each edition (the same name in every edition,
#: so one link, ``{book-pdf}`` of cnnbook.sphinxext, serves the pages of both).
PDF_NAME = "cnnbook.pdf"
#: The print rules, copied from ``book/_static`` into every edition by the HTML build.
PRINT_CSS = "book-print.css"
CHROMIUM_ENV = "CNNBOOK_CHROMIUM"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]
#: The title of the contents, per language of the edition.
CONTENTS = {"en": "Contents", "ko": "차례"}
#: The footer of every page: its number and the count.
FOOTER = ('<div style="font-size: 8pt; width: 100%; text-align: center; color: #555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
_ASSEMBLED = "__cnnbook_print__.html"  # served from memory, never written into the site
_REFRESH = re.compile(r"url=([^\"'>\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Chapter:
    """One page of the book: its path in the edition and the part it opens, if any."""

    path: str  # e.g. "book/mlp.html"
    part: str | None = None


@dataclass(frozen=True)
class Printed:
    """What :func:`print_pdf` made."""

    pdf: Path
    language: str
    chapters: int
    pages: int
    seconds: float
    phases: dict[str, float]  # seconds: assembling, loading (images, fonts, MathJax), printing,
    # printing again with the contents' page numbers


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")


def landing_page(root: Path) -> str:
    """The edition's first page (``index.html`` redirects there), relative to ``root``."""
    index = root / "index.html"
    if not index.is_file():
        raise FileNotFoundError(f"no {index}: build the book first (make book)")
    found = _REFRESH.search(index.read_text(encoding="utf8"))
    return posixpath.normpath(found.group(1)) if found else "index.html"


def chapters(root: Path) -> list[Chapter]:
    """Every page of the book in reading order, from the navigation of its landing page."""
    first = landing_page(root)
    nav = _soup(root / first).select_one("nav.bd-docs-nav")
    if nav is None:
        raise ValueError(f"{root / first} has no book navigation (nav.bd-docs-nav)")
    found, part, seen = [], None, set()
    for element in nav.find_all(["p", "a"]):
        if element.name == "p" and "caption" in (element.get("class") or []):
            part = element.get_text(" ", strip=True)
            continue
        href = element.get("href") or ""
        if element.name != "a" or "reference" not in (element.get("class") or []):
            continue
        if urlsplit(href).scheme or urlsplit(href).netloc:
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(first), urlsplit(href).path)) \
            if urlsplit(href).path else first
        if path.startswith("../") or not (root / path).is_file():
            continue  # another edition (a language switch), or not a page of this one
        if path not in seen:
            seen.add(path)
            found.append(Chapter(path, part))
            part = None
    return found


def anchor(path: str, fragment: str | None = None) -> str:
    """The id, in the assembled document, of a page (``book/mlp.html``) or of an id in it."""
    base = "p-" + re.sub(r"[^\w-]", "-", path.removesuffix(".html"))
    return f"{base}--{fragment}" if fragment else base


def edition_language(root: Path) -> str:
    """The edition's language, from its first page's ``lang`` (``en``, ``ko``)."""
    first = _soup(root / landing_page(root))
    return (first.html.get("lang") or "en").split("-")[0].split("_")[0]


def _local_target(page: str, url: str) -> tuple[str, str] | None:
    """(path from the edition's root, fragment) of a relative URL on ``page``; None if remote."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "data:", "javascript:")):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path)) \
        if parts.path else page
    return path, parts.fragment


def _chapter_body(root: Path, chapter: Chapter, book: set[str]):
    """The ``<article>`` of one page, ready to stand in the assembled document."""
    page = _soup(root / chapter.path)
    article = page.select_one("article.bd-article")
    if article is None:
        raise ValueError(f"{chapter.path} has no article.bd-article")
    for tag in article.select("script, a.headerlink, button.toggle-button, .conv-calculator"):
        tag.decompose()
    for details in article.find_all("details"):  # solutions, hidden code: all of it in print
        details["open"] = ""
        if "hide" in (details.get("class") or []):  # myst-nb's "Show code cell source"
            for summary in details.find_all("summary", recursive=False):
                summary.decompose()
            details.unwrap()  # nothing to click on paper
    for paragraph in article.find_all("p"):  # "... as follows:" stays with what it introduces
        if paragraph.get_text().rstrip().endswith((":", "：")) and paragraph.find_next_sibling():
            paragraph["class"] = [*(paragraph.get("class") or []), "pdf-introduces"]
    for tag in article.select(".toggle-hidden"):
        tag["class"] = [c for c in tag["class"] if c != "toggle-hidden"]
    for tag in article.find_all(id=True):
        tag["id"] = anchor(chapter.path, tag["id"])
    for attribute in ("aria-labelledby", "aria-describedby", "for", "aria-controls"):
        for tag in article.find_all(attrs={attribute: True}):
            tag[attribute] = " ".join(anchor(chapter.path, i) for i in str(tag[attribute]).split())
    for tag in article.find_all(["img", "source"]):
        tag.attrs.pop("loading", None)  # a lazy image outside the window never prints
        for name in ("src", "srcset"):  # srcset: one "url 2x" (a figure's <picture>)
            url, _, density = (tag.get(name) or "").partition(" ")
            if url and (target := _local_target(chapter.path, url)):
                tag[name] = f"{target[0]} {density}".strip()
    for link in article.find_all("a", href=True):
        target = _local_target(chapter.path, link["href"])
        if target is None:
            continue
        path, fragment = target
        if path in book:
            link["href"] = "#" + anchor(path, fragment or None)
        else:  # a download or an index page of the site: no target in the PDF
            del link["href"]
    article.name = "div"
    article["class"] = ["pdf-chapter"]
    article["id"] = anchor(chapter.path)
    return article


def chapter_title(body, chapter: Chapter) -> str:
    """A chapter's title: the text of its first heading (its path if it has none)."""
    heading = body.find(["h1", "h2"])
    return heading.get_text(" ", strip=True).rstrip("#").strip() if heading else chapter.path


def assemble(root: Path) -> tuple[str, str]:
    """The whole edition as one HTML document, its URLs relative to the edition's root, and
    the edition's language."""
    from bs4 import BeautifulSoup

    book = chapters(root)
    first = _soup(root / book[0].path)
    language = edition_language(root)
    brand = first.select_one(".logo__title")
    title = brand.get_text(" ", strip=True) if brand else first.title.get_text().split(" \u2014 ")[-1]
    author = first.select_one(".component-author")
    doc = BeautifulSoup(f'<!DOCTYPE html><html lang="{language}" data-theme="light" data-mode="light">'
                        "<head></head><body></body></html>", "html.parser")
    head = doc.head
    head.append(doc.new_tag("meta", charset="utf-8"))
    head.append(doc.new_tag("title"))
    head.title.string = title
    for tag in first.head.find_all(["link", "script"]):
        if tag.name == "link" and "stylesheet" in (tag.get("rel") or []):
            tag["href"] = _local_target(book[0].path, tag["href"])[0]
        elif tag.name == "script" and "MathJax" in (tag.string or ""):
            tag.attrs.pop("src", None)
        elif tag.name == "script" and "mathjax" in (tag.get("src") or "").lower():
            target = _local_target(book[0].path, tag["src"])
            if target:
                tag["src"] = target[0]
        else:
            continue
        head.append(tag)
    head.append(doc.new_tag("link", rel="stylesheet", href=f"_static/{PRINT_CSS}"))
    cover = doc.new_tag("div", attrs={"class": "pdf-cover"})
    heading = doc.new_tag("p", attrs={"class": "pdf-title"})
    heading.string = title
    cover.append(heading)
    if author:
        byline = doc.new_tag("p", attrs={"class": "pdf-author"})
        byline.string = author.get_text(" ", strip=True)
        cover.append(byline)
    doc.body.append(cover)
    contents = doc.new_tag("nav", attrs={"class": "pdf-contents"})
    contents_heading = doc.new_tag("p", attrs={"class": "pdf-contents-title"})
    contents_heading.string = CONTENTS.get(language, CONTENTS["en"])
    contents.append(contents_heading)
    main = doc.new_tag("main", attrs={"class": "bd-main pdf-book"})
    paths, solutions = {chapter.path for chapter in book}, []
    for chapter in book:
        body = _chapter_body(root, chapter, paths)
        if chapter.part:
            part = doc.new_tag("p", attrs={"class": "pdf-contents-part"})
            part.string = chapter.part
            contents.append(part)
            divider = doc.new_tag("h1", attrs={"class": "pdf-part", "id": anchor(chapter.path, "part")})
            divider.string = chapter.part
            main.append(divider)
        title = chapter_title(body, chapter)
        contents.append(contents_entry(doc, anchor(chapter.path), title))
        solutions.append(pdf_solutions.gather(doc, body, anchor(chapter.path), title, language))
        main.append(body)
    if any(solutions):  # gathered at the book's end, not under their exercises
        main.append(pdf_solutions.chapter(doc, [part for part in solutions if part], language))
        contents.append(contents_entry(doc, pdf_solutions.ANCHOR, pdf_solutions.words(language)["title"]))
    doc.body.append(contents)
    doc.body.append(main)
    return str(doc), language


def chromium_path() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV, "/usr/bin/chromium"))


def missing(root: Path | None = None) -> list[str]:
    """What printing (the edition in ``root``, if given) needs and this machine lacks, each with
    its remedy. The PDF is printed offline, so the pages must serve MathJax themselves."""
    needs = []
    if root is not None and (root / "index.html").is_file():
        scripts = _soup(root / landing_page(root)).find_all("script", src=True)
        if any(urlsplit(s["src"]).scheme and "mathjax" in s["src"].lower() for s in scripts):
            needs.append("MathJax served by the book, not its CDN (make browser-deps, then make book)")
    if not chromium_path().exists():
        needs.append(f"{chromium_path()} (apt-get install chromium, or set {CHROMIUM_ENV})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        needs.append("the playwright package (pip install -r requirements.txt)")
    return needs


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def print_pdf(root: Path, pdf: Path | None = None) -> Printed:
    """Print the built edition in ``root`` to ``pdf`` (default: its ``_static/cnnbook.pdf``)."""
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    root = root.resolve()
    pdf = pdf or root / "_static" / PDF_NAME
    draft = pdf.with_name(f".{pdf.name}.part")  # becomes the PDF only once it proves sound
    html, language = assemble(root)
    phases = {"assemble": time.perf_counter() - started}
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/"
    refused, problems = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium_path()), headless=True,
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.route(lambda url: not url.startswith(site),
                          lambda route: (refused.append(route.request.url), route.abort()))
            context.route(site + _ASSEMBLED, lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html))
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
            page.on("response", lambda response: response.status >= 400 and problems.append(
                f"{response.status}: {response.url}"))
            page.goto(site + _ASSEMBLED, wait_until="load", timeout=120_000)
            state = page.evaluate(READY)
            phases["load"] = time.perf_counter() - started - phases["assemble"]
            page.emulate_media(media="print")
            page.set_viewport_size({"width": TEXT_WIDTH_PX, "height": 1000})  # as on paper
            page.evaluate(FIT_TABLES)
            pdf.parent.mkdir(parents=True, exist_ok=True)

            def print_draft() -> None:
                page.pdf(path=str(draft), prefer_css_page_size=True, print_background=True,
                         display_header_footer=True, header_template="<span></span>",
                         footer_template=FOOTER,
                         outline=True, tagged=True)

            print_draft()
            phases["print"] = time.perf_counter() - started - phases["assemble"] - phases["load"]
            # The contents' page numbers: read from the first print, written in, printed again
            # (the numbers take a place of their own, so the pages do not move; checked).
            entries = page.evaluate(CONTENTS_ENTRIES)
            numbers = chapter_pages(draft, entries)
            for _ in range(2):
                page.evaluate(SET_PAGE_NUMBERS, numbers)
                print_draft()
                printed = chapter_pages(draft, entries)
                if printed == numbers:
                    break
                numbers = printed
            else:
                problems.append("the contents' page numbers did not settle")
            unnumbered = [title for chapter, title in entries if chapter not in numbers]
            if unnumbered:
                problems.append(f"no bookmark for the chapters {unnumbered}: no page in the contents")
            phases["contents"] = (time.perf_counter() - started - phases["assemble"]
                                  - phases["load"] - phases["print"])
            browser.close()
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    finally:
        server.shutdown()
        server.server_close()
    problems += [f"image not loaded: {src}" for src in state["broken"]]
    problems += [f"refused (not the book): {url}" for url in refused]
    if state["mathErrors"]:
        problems.append(f"{state['mathErrors']} formulas MathJax could not typeset")
    if problems:
        draft.unlink(missing_ok=True)
        raise RuntimeError(f"printing {root} failed:\n  " + "\n  ".join(problems))
    draft.replace(pdf)
    return Printed(pdf, language, len(chapters(root)), page_count(pdf), time.perf_counter() - started,
                   phases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("editions", nargs="+", type=Path,
                        help="built editions: folders with an index.html (_build/html, _build/html/ko)")
    args = parser.parse_args(argv)
    needs = sorted({need for edition in args.editions for need in missing(edition)})
    if needs:
        message = "the whole-book PDF needs: " + "; ".join(needs)
        if os.environ.get("CI"):
            print(f"error: {message}", file=sys.stderr)
            return 1
        print(f"skipped: {message}", file=sys.stderr)
        return 0
    started = time.perf_counter()
    for edition in args.editions:
        done = print_pdf(edition)
        phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in done.phases.items())
        print(f"== PDF ({done.language}): {done.pdf} — {done.pages} pages, "
              f"{done.chapters} chapters, {done.seconds:.1f} s ({phases})")
    print(f"== PDFs printed in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
