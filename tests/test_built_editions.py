"""The Korean edition as built (``_build/html/ko``): every page, linked to its English page, with
the same numbers, the part captions and theme labels in Korean, and a search that finds Korean
words. Run after ``make book``; the browser checks of tests/test_browser.py run on it too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from cnnbook.editions import without_particle
from cnnbook.translated_outputs import read_catalogue, translate_text
from conftest import BUILT_HTML, REPO
from test_browser import EDITIONS, GLUE_ROLE, _normal, glued_renderings, site_pages

pytestmark = pytest.mark.built_book
KOREAN = BUILT_HTML / "ko"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def pages() -> dict[str, list[str]]:
    found = {language: site_pages(BUILT_HTML / folder) for language, folder in EDITIONS.items()}
    assert len(found["en"]) >= 20 and (KOREAN / "index.html").is_file(), "build the book first (make book)"
    return found


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")


def test_every_page_is_in_both_editions(pages):
    assert pages["ko"] == pages["en"]


def test_every_page_links_its_counterpart(pages):
    """한국어 on each English page, English on each Korean page, each to the same page."""
    for name in pages["en"]:
        for folder, other in (("", "ko"), ("ko/", "en")):
            page = BUILT_HTML / folder / name
            links = soup(page).select(f"a.cnnbook-edition[hreflang={other}]")
            assert len(links) == 1, f"{folder}{name}: no link to the {other} edition"
            target = (page.parent / links[0]["href"]).resolve()
            assert target == (BUILT_HTML / EDITIONS[other] / name).resolve(), (folder + name, target)


def test_the_korean_pages_say_they_are_korean(pages):
    for name in pages["ko"]:
        assert soup(KOREAN / name).html.get("lang") == "ko", name


def test_the_numbers_are_the_english_ones():
    korean = json.loads((KOREAN / "_static" / "numbers.json").read_text())
    english = json.loads((BUILT_HTML / "_static" / "numbers.json").read_text())
    assert korean == english and len(english) >= 40


def test_korean_pages_show_every_glued_value_as_the_english_page_does():
    """Each ``{glue:text}`` of a chapter in its source's format, as in numbers.json (no Korean
    convention differs: decimal point, thousands comma and percent sign are the English ones),
    or, where the Korean message asks for it, as a count in 만/억; glued words ("6 and 10") as
    locales/ko/LC_MESSAGES/outputs.po translates them."""
    numbers = json.loads((KOREAN / "_static" / "numbers.json").read_text())
    outputs = read_catalogue(REPO / "locales" / "ko" / "LC_MESSAGES" / "outputs.po")
    missing, checked = {}, 0
    for source in sorted((KOREAN / "_sources" / "book").glob("*.md")):
        page = KOREAN / "book" / f"{source.stem}.html"
        text = _normal(soup(page).get_text())
        for match in GLUE_ROLE.finditer(source.read_text(encoding="utf8")):
            key, _, spec = match.group(1).rpartition("::")[2].partition(":")
            shown = glued_renderings(numbers[key]["value"], spec, korean=True)
            shown += [word for s in shown if (word := translate_text(s, outputs, source.stem))]
            checked += 1
            if not any(_normal(s) in text for s in shown):
                missing.setdefault(source.stem, []).append(f"{key}:{spec} = {shown[0]!r}")
    assert checked >= 100
    assert not missing, f"glued values missing from Korean pages: {missing}"


def test_the_korean_pages_are_in_korean(pages):
    """Most of each chapter's text is Hangul (a page left in English would show few)."""
    for name in pages["ko"]:
        if not name.startswith("book/"):
            continue
        article = soup(KOREAN / name).select_one("article")
        text = re.sub(r"\s+", "", article.get_text()) if article else ""
        assert len(HANGUL.findall(text)) >= 100, f"{name}: hardly any Korean"


def _translations() -> dict[str, str]:
    catalogue = REPO / "locales" / "ko" / "LC_MESSAGES" / "book" / "intro.po"
    with open(catalogue, encoding="utf8") as stream:
        return {m.id: m.string for m in read_po(stream) if m.id and m.string and not m.fuzzy}


def test_the_part_captions_are_in_korean():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    captions = [part["caption"] for part in toc["parts"]]
    translated = _translations()
    sidebar = soup(KOREAN / "book" / "cnn_mnist.html").select_one(".bd-sidebar-primary").get_text(" ")
    for caption in captions:
        assert caption in translated, f"{caption!r} has no Korean translation in book/intro.po"
        assert translated[caption] in sidebar and caption not in sidebar, caption


def test_the_theme_speaks_korean():
    page = soup(KOREAN / "book" / "cnn_mnist.html")
    text = page.get_text(" ")
    assert "Search" not in page.select_one(".search-button__default-text").get_text()
    assert "검색" in text
    assert "Contents" not in text  # sphinx-book-theme's own Korean labels


def test_the_search_index_holds_korean_words_without_their_particles():
    """searchindex.js as the search page reads it: 합성곱 and 풀링 are terms of many chapters,
    which a query finds as typed (the page's stemmer leaves Hangul alone)."""
    raw = (KOREAN / "searchindex.js").read_text(encoding="utf8")
    index = json.loads(raw[raw.index("(") + 1: raw.rindex(")")])
    chapters = {i for i, name in enumerate(index["docnames"]) if name.startswith("book/")}
    for word in ("합성곱", "풀링"):
        found = index["terms"].get(word)
        found = {found} if isinstance(found, int) else set(found or [])
        assert len(found & chapters) >= 5, f"{word!r} indexed on {len(found & chapters)} chapters"
    def pages(term: str) -> set[int]:
        found = [index[kind].get(term, []) for kind in ("terms", "titleterms")]
        return set().union(*({entry} if isinstance(entry, int) else set(entry) for entry in found))

    with_particles = [term for term in index["terms"] if without_particle(term) in ("합성곱", "풀링")]
    assert len(with_particles) >= 5, with_particles  # 합성곱을, 합성곱의, 풀링은 ...
    for term in with_particles:
        assert pages(term) <= pages(without_particle(term)), term
