"""The whole-book PDF of each edition (``make pdf``, cnnbook.pdf), read back with pypdf.

The first tests assemble a small hand-made site (no Sphinx, no browser): chapters in the order
of the navigation, ids kept unique, links between pages turned into links inside the document,
solutions and hidden code opened, the solutions gathered at the book's end and linked both ways
with their exercises. The others (marker ``built_book``) read the PDFs of the built
book: every chapter's title, the glued MLP and CNN accuracies in the format their pages show,
every solution's text, printed after its exercise, each linked both ways; short tables on one
page; every font embedded (a Korean edition set in a Nanum font); no raw LaTeX,
ANSI escape or unrendered glue; and the link to the PDF on the landing page and in every
page's download menu. Editions are discovered: ``_build/html`` and any built folder in it
(``ko``). On a machine without Chromium the PDF cannot be printed: these tests skip there, and
fail under CI.
"""

from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from pathlib import Path

import pytest

from cnnbook import pdf as book_pdf
from conftest import BUILT_HTML
from test_browser import GLUE_ROLE, glued_renderings

# --- assembling a small site --------------------------------------------------------------

NAV = """<nav class="bd-docs-nav"><ul><li><a class="reference internal" href="#">Welcome</a></li></ul>
<p class="caption" role="heading"><span class="caption-text">Part I: Start</span></p>
<ul><li><a class="reference internal" href="one.html">One</a></li>
<li><a class="reference external" href="https://example.org/">Elsewhere</a></li></ul></nav>"""
PAGE = """<!DOCTYPE html><html lang="{lang}"><head><title>{title} &#8212; Tiny book</title>
<link rel="stylesheet" href="../_static/theme.css"><script src="../_static/theme.js"></script>
<script>window.MathJax = {{}}</script><script defer src="../_static/mathjax/tex-mml-chtml.js"></script>
</head><body><p class="logo__title">Tiny book</p>{nav}
<article class="bd-article">{body}<script>kernelName = 'python3'</script></article></body></html>"""


@pytest.fixture
def tiny_site(tmp_path) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/intro.html" />')
    intro = ('<section id="welcome"><h1>Welcome<a class="headerlink" href="#welcome">#</a></h1>'
             '<p>See <a href="one.html#exercises">the exercises</a> and '
             '<a href="#welcome">this page</a>, or <a href="../_sources/book/intro.md">the source</a>.'
             '</p><img src="../_images/a.png" loading="lazy" alt="a">'
             '<picture class="cnnbook-figure"><source media="screen and (max-width: 575px)" '
             'srcset="../_images/b-narrow.png 2x"><img src="../_images/b.png" '
             'srcset="../_images/b.png 2x" alt="b"></picture></section>')
    one = ('<section id="one"><h1>One</h1><section id="exercises"><h2>Exercises</h2>'
           '<ol><li><p>Six times seven?</p></li><li><p>Seven times eight?</p></li></ol>'
           '<details class="admonition hide above-input"><summary>Show code cell source</summary>'
           '<pre>print(1)</pre></details><details class="sd-dropdown"><summary>Solution</summary>'
           '<p>Forty-two.</p></details><div class="admonition dropdown"><p class="admonition-title">'
           'Solutions</p><ol><li><p>Forty-two.</p></li><li><p>Fifty-six.</p></li></ol></div>'
           '</section></section>')
    for name, title, body in (("intro", "Welcome", intro), ("one", "One", one)):
        page = PAGE.format(lang="en", title=title, nav=NAV, body=body)
        (tmp_path / "book" / f"{name}.html").write_text(page)
    return tmp_path


def test_chapters_follow_the_navigation(tiny_site):
    assert book_pdf.landing_page(tiny_site) == "book/intro.html"
    assert book_pdf.chapters(tiny_site) == [book_pdf.Chapter("book/intro.html"),
                                            book_pdf.Chapter("book/one.html", "Part I: Start")]


def test_assembled_book_links_inside_itself(tiny_site):
    from bs4 import BeautifulSoup

    html, language = book_pdf.assemble(tiny_site)
    doc = BeautifulSoup(html, "html.parser")
    assert language == "en" and doc.html["lang"] == "en"
    ids = [tag["id"] for tag in doc.find_all(id=True)]
    assert len(ids) == len(set(ids)), ids
    assert "p-book-one--exercises" in ids and "p-book-intro--welcome" in ids
    hrefs = [a.get("href") for a in doc.select(".pdf-chapter a")]
    assert "#p-book-one--exercises" in hrefs and "#p-book-intro--welcome" in hrefs
    assert all(href is None or href.startswith("#") for href in hrefs), hrefs  # no site files
    for href in hrefs + [a["href"] for a in doc.select(".pdf-contents a")]:
        if href:
            assert href[1:] in ids, href
    assert doc.select_one("img")["src"] == "_images/a.png" and not doc.select_one("img").get("loading")
    figure = doc.select_one("picture img")  # a figure's variants: printed wide (its srcset)
    assert figure["src"] == "_images/b.png" and figure["srcset"] == "_images/b.png 2x"
    assert doc.select_one("picture source")["srcset"] == "_images/b-narrow.png 2x"
    assert [s.get("src") for s in doc.find_all("script") if s.get("src")] == [
        "_static/mathjax/tex-mml-chtml.js"]  # the pages' other scripts are gone
    assert doc.find("details", class_="sd-dropdown").has_attr("open")
    assert "Show code cell source" not in doc.get_text() and "print(1)" in doc.get_text()
    assert not doc.select(".headerlink")
    assert doc.select_one(".pdf-title").get_text() == "Tiny book"
    assert [p.get_text() for p in doc.select("h1.pdf-part")] == ["Part I: Start"]
    # the contents: each chapter's title, and a place for its page (written in after a first print)
    assert [(entry.select_one(".pdf-contents-name").get_text(),
             entry.select_one(".pdf-contents-page")["data-chapter"])
            for entry in doc.select(".pdf-contents-entry")] == [
        ("Welcome", "p-book-intro"), ("One", "p-book-one"),
        ("Solutions to the exercises", "p-pdf-solutions")]


def test_solutions_are_gathered_at_the_end_and_linked_both_ways(tiny_site):
    """The solutions leave their exercises for a chapter of their own at the book's end; each
    exercise links to its solution and each solution back to its exercise."""
    from bs4 import BeautifulSoup

    doc = BeautifulSoup(book_pdf.assemble(tiny_site)[0], "html.parser")
    chapters = doc.select(".pdf-chapter")
    assert chapters[-1]["id"] == "p-pdf-solutions"
    assert not chapters[1].select(".admonition.dropdown")  # no longer under the exercises
    questions = chapters[1].select("#p-book-one--exercises > ol > li")
    answers = chapters[-1].select(".pdf-solutions ol > li")
    assert [a.get_text(" ", strip=True) for a in answers] == ["\u2190 Exercise Forty-two.",
                                                             "\u2190 Exercise Fifty-six."]
    for question, answer in zip(questions, answers, strict=True):
        assert question.select_one("a.pdf-to-solution")["href"] == "#" + answer["id"]
        assert answer.select_one("a.pdf-to-exercise")["href"] == "#" + question["id"]
    heading = chapters[-1].select_one("h2 a")
    assert heading.get_text() == "One" and heading["href"] == "#p-book-one--exercises"
    ids = [tag["id"] for tag in doc.find_all(id=True)]
    assert len(ids) == len(set(ids))
    assert all(a["href"][1:] in ids for a in doc.select("a[href^='#']"))


# --- the PDFs of the built book -----------------------------------------------------------


def editions() -> list[Path]:
    """The built editions: the site, and each folder in it that is a built edition itself."""
    if not (BUILT_HTML / "index.html").is_file():
        return []
    return [BUILT_HTML] + sorted(path.parent for path in BUILT_HTML.glob("*/index.html")
                                 if (path.parent / "_static").is_dir())


def _id(edition: Path) -> str:
    return edition.relative_to(BUILT_HTML).as_posix() if edition != BUILT_HTML else "en"


built = pytest.mark.parametrize("edition", editions() or [BUILT_HTML], ids=_id)


@functools.cache
def reader(edition: Path):
    path = edition / "_static" / book_pdf.PDF_NAME
    if not path.is_file():
        needs = book_pdf.missing(edition)
        if needs and not os.environ.get("CI"):
            pytest.skip("the whole-book PDF needs: " + "; ".join(needs))
        pytest.fail(f"no {path}: run `make pdf` (after `make book`)", pytrace=False)
    from pypdf import PdfReader

    return PdfReader(path)


@functools.cache
def page_texts(edition: Path) -> tuple[str, ...]:
    """The text of every page of the PDF (read once: pypdf takes a while on a whole book)."""
    return tuple(page.extract_text() or "" for page in reader(edition).pages)


@functools.cache
def text(edition: Path) -> str:
    """The PDF's text, whitespace removed (lines break anywhere in print)."""
    return squeeze("".join(page_texts(edition)))


def squeeze(words: str) -> str:
    """Text without whitespace, ligatures (print's "fi") as their letters."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", words))


@pytest.mark.built_book
@built
def test_every_chapter_title_is_in_the_pdf(edition):
    chapters = book_pdf.chapters(edition)
    assert len(chapters) >= 10, chapters
    missing = []
    for chapter in chapters:
        heading = book_pdf._soup(edition / chapter.path).select_one("article h1")
        title = heading.get_text(" ", strip=True).rstrip("#")
        if squeeze(title) not in text(edition):
            missing.append(title)
    assert not missing, f"chapter titles not in the PDF: {missing}"
    pages = len(reader(edition).pages)
    assert pages > len(chapters) + 2, f"{pages} pages for {len(chapters)} chapters"  # each opens a page
    print(f"{_id(edition)}: {pages} pages, {len(chapters)} chapters")


@pytest.mark.built_book
@built
@pytest.mark.parametrize("key", ["mlp_test_accuracy", "cnn_test_accuracy"])
def test_the_glued_accuracies_are_in_the_pdf(edition, key):
    numbers_file = edition / "_static" / "numbers.json"
    numbers = json.loads((numbers_file if numbers_file.is_file() else
                          BUILT_HTML / "_static" / "numbers.json").read_text())
    page = numbers[key]["page"]
    source = (BUILT_HTML / "_sources" / page).with_suffix(".md").read_text(encoding="utf8")
    specs = {m.group(1).partition(":")[2] for m in GLUE_ROLE.finditer(source)
             if m.group(1).partition(":")[0] == key}
    assert specs, f"{key} is not shown on {page}"
    for spec in specs:
        shown = glued_renderings(numbers[key]["value"], spec)[0]
        assert squeeze(shown) in text(edition), f"{key}:{spec} = {shown!r} is not in the PDF"


@pytest.mark.built_book
@built
def test_solutions_are_printed_open(edition):
    """The text of every dropdown (the exercises' solutions) is in the PDF: printed, not hidden."""
    solutions, missing = 0, []
    for chapter in book_pdf.chapters(edition):
        article = book_pdf._soup(edition / chapter.path).select_one("article")
        for dropdown in article.select(".admonition.dropdown, details.sd-dropdown"):
            title = dropdown.select_one(".admonition-title, summary")
            if title is not None:
                title.decompose()
            for formula in dropdown.select(".math"):  # typeset by MathJax: compare the words
                formula.replace_with("\0")
            pieces = [squeeze(piece)[:40] for paragraph in dropdown.find_all("p")  # list numbers
                      for piece in paragraph.get_text(" ").split("\0")]            # between them
            solutions += 1
            missing += [f"{chapter.path}: {piece}" for piece in pieces
                        if len(piece) >= 12 and piece not in text(edition)]
    assert solutions >= 10, f"only {solutions} dropdowns in the book"
    assert not missing, "solutions not printed:\n" + "\n".join(missing)


#: What must never be printed: formulas MathJax left as TeX, ANSI escapes, unrendered glue,
#: and characters no text has (a font whose glyphs map to them).
RAW = {"raw LaTeX": re.compile(r"\\frac|\\begin\{|\$\$|\\\(|\\\)|\\\[|\\\]"),
       "an ANSI escape": re.compile("\x1b\\["),
       "an unrendered glue": re.compile(r"\[glue|\{glue"),
       "a control character (a glyph without its text: copied text would be wrong)":
           re.compile("[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f]")}


@pytest.mark.built_book
@built
def test_no_raw_latex_ansi_or_glue_in_the_pdf(edition):
    found = {}
    for number, page in enumerate(page_texts(edition), start=1):
        for what, pattern in RAW.items():
            for match in pattern.finditer(page):
                found.setdefault(what, []).append(f"page {number}: {match.group(0)!r}")
    assert not found, found


def fonts(edition: Path) -> dict[str, bool]:
    """Every font of the PDF's pages: its name, and whether its glyphs are in the file."""
    found = {}
    for page in reader(edition).pages:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", "[Type 3]"))
            if font.get("/Subtype") == "/Type3":
                found[name] = "/CharProcs" in font  # glyphs drawn by the file itself
                continue
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[name] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


@pytest.mark.built_book
@built
def test_every_font_is_embedded(edition):
    found = fonts(edition)
    assert found, "no fonts in the PDF"
    assert not [name for name, embedded in found.items() if not embedded], found
    if book_pdf.edition_language(edition) == "ko":
        assert any("Nanum" in name for name in found), f"no Korean font in {sorted(found)}"


@pytest.mark.built_book
@built
def test_the_pdf_is_linked_from_the_landing_page_and_every_download_menu(edition):
    target = (edition / "_static" / book_pdf.PDF_NAME).resolve()
    landing = edition / book_pdf.landing_page(edition)
    links = [a["href"] for a in book_pdf._soup(landing).select("article a.book-pdf")]
    assert links and all((landing.parent / href).resolve() == target for href in links), links
    menus = 0
    for chapter in book_pdf.chapters(edition):
        page = edition / chapter.path
        entries = book_pdf._soup(page).select(".dropdown-download-buttons a.btn-download-book-pdf-button")
        assert [(page.parent / a["href"]).resolve() for a in entries] == [target], chapter.path
        menus += 1
    assert menus >= 10


# --- tables and the contents, as printed ---------------------------------------------------


def _articles(edition: Path):
    for chapter in book_pdf.chapters(edition):
        yield chapter, book_pdf._soup(edition / chapter.path).select_one("article")


@functools.cache
def spaced_text(edition: Path) -> str:
    """The PDF's text with its whitespace (ligatures as their letters)."""
    return unicodedata.normalize("NFKC", "\n".join(page_texts(edition)))


def _cell_pattern(cell: str) -> str:
    """A cell's text as printed: its words in order; inside a word, whatever spacing the text
    extraction puts (around Korean words, parentheses)."""
    return r"\s*".join(re.escape(character) for character in re.sub(r"\s+", "", cell))


@pytest.mark.built_book
@built
def test_table_cells_are_printed_apart(edition):
    """Every row of short cells (none over 20 characters: no cell wraps) is in the PDF's text
    cell by cell, with space between neighbours: "(None, 28, 28, 32) 320", never
    "(None, 28, 28, 32)320"."""
    rows, glued = 0, []
    for chapter, article in _articles(edition):
        for row in article.select("table tr"):
            cells = [c for c in (cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"]))
                     if c]
            if len(cells) < 2 or any(len(cell) > 20 for cell in cells):
                continue
            rows += 1
            if not re.search(r"\s+".join(map(_cell_pattern, cells)), spaced_text(edition)):
                glued.append(f"{chapter.path}: {cells}")
    assert rows >= 100, f"only {rows} table rows checked"
    assert re.search(r"\(None, 28, 28, 32\)\s+320\b", spaced_text(edition))  # cnn_mnist's layers
    assert not glued, "table rows whose cells are not printed apart:\n" + "\n".join(glued)


@pytest.mark.built_book
@built
def test_no_table_word_is_split(edition):
    """A word of a table (a header, an argument's name: "parameters", "kernel_initializer") is
    never broken across lines in print: the cells wrap between words only."""
    words = {word for _, article in _articles(edition) for cell in article.select("table th, table td")
             for word in cell.get_text(" ").split() if re.fullmatch(r"[A-Za-z_]{6,}", word)}
    # the English headers ("parameters") are in Korean in the Korean edition, the names of code not
    assert {"kernel_initializer"} | ({"parameters"} if edition.name != "ko" else set()) <= words
    split = sorted(f"{word[:at]}|{word[at:]}" for word in words for at in range(2, len(word) - 1)
                   if re.search(rf"(?<![\w]){word[:at]}-?\n{word[at:]}(?![\w])", spaced_text(edition)))
    assert not split, f"table words split across lines: {split}"


@pytest.mark.built_book
@built
def test_the_contents_give_each_chapter_its_page(edition):
    """The contents (the PDF's second page) give every chapter the page its bookmark points to."""
    contents = unicodedata.normalize("NFKC", "\n".join(page_texts(edition)[1:3]))
    marks, pdf = {}, reader(edition)
    for item in pdf.outline:
        if not isinstance(item, list):
            marks.setdefault(" ".join(item.title.split()), pdf.get_destination_page_number(item) + 1)
    wrong = []
    for chapter, article in _articles(edition):
        title = book_pdf.chapter_title(article, chapter)
        page = next((number for mark, number in marks.items() if mark.startswith(" ".join(title.split()))),
                    None)
        if page is None or not re.search(_cell_pattern(title) + rf"\s*{page}\n", contents + "\n"):
            wrong.append(f"{title}: bookmark on page {page}")
    assert not wrong, "chapters without their page in the contents:\n" + "\n".join(wrong)


@pytest.mark.built_book
@built
def test_each_chapters_solutions_follow_its_exercises_and_link_back(edition):
    """Every exercise of a chapter with solutions links to its solution, printed on a later page
    (gathered at the book's end), and every solution links back: both are named destinations of
    the PDF, and a link of the PDF points at each."""
    pdf = reader(edition)
    places = {str(name).lstrip("/"): pdf.get_destination_page_number(dest)
              for name, dest in pdf.named_destinations.items()}
    linked = {str(annotation.get_object().get("/Dest", "")).lstrip("/")
              for page in pdf.pages for annotation in (page.get("/Annots") or [])}
    exercises, wrong = 0, []
    for chapter, article in _articles(edition):
        section = article.select_one("section#exercises")
        if section is None or not section.select(".admonition.dropdown"):
            continue
        questions = section.find("ol").find_all("li", recursive=False)
        for number in range(1, len(questions) + 1):
            exercises += 1
            question = book_pdf.anchor(chapter.path, f"pdf-exercise-{number}")
            answer = book_pdf.anchor(chapter.path, f"pdf-solution-{number}")
            if question not in places or answer not in places:
                wrong.append(f"{chapter.path} exercise {number}: no destination")
            elif places[answer] <= places[question]:
                wrong.append(f"{chapter.path} exercise {number}: solution on page "
                             f"{places[answer] + 1}, exercise on {places[question] + 1}")
            elif not {question, answer} <= linked:
                wrong.append(f"{chapter.path} exercise {number}: not linked both ways")
    assert exercises >= 40, f"only {exercises} exercises with solutions"
    assert not wrong, "\n".join(wrong)


@pytest.mark.built_book
@built
def test_short_tables_are_not_split_across_pages(edition):
    """A table of under 16 rows is printed on one page: its first and last rows share a page
    (no lone row left on the next one). Rows whose text is not unique in the book are skipped."""
    pages = [squeeze(page) for page in page_texts(edition)]
    checked, split = 0, []
    for chapter, article in _articles(edition):
        for table in article.select("table"):
            rows = [squeeze(row.get_text(" ")) for row in table.select("tbody > tr")]
            if not 2 <= len(rows) < 16 or min(len(rows[0]), len(rows[-1])) < 12:
                continue
            first = [n for n, page in enumerate(pages) if rows[0] in page]
            last = [n for n, page in enumerate(pages) if rows[-1] in page]
            if len(first) != 1 or len(last) != 1:
                continue
            checked += 1
            if first != last:
                split.append(f"{chapter.path}: {rows[-1][:30]} on page {last[0] + 1}, "
                             f"first row on {first[0] + 1}")
    assert checked >= 10, f"only {checked} short tables checked"
    assert not split, "short tables split across pages:\n" + "\n".join(split)
