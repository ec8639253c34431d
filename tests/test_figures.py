"""Every figure of the built book, as a reader sees it: its text at 10 points or more.

The theme (cnnbook.figures.theme) records each figure the pages save, keyed by the sha256 of
its PNG, which is the name myst-nb gives the image in ``_build/html/_images``. Run after
`make book`.
"""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from cnnbook.figures import theme
from cnnbook.sphinxext import FIGURE_LOG
from conftest import BUILT_HTML

pytestmark = pytest.mark.built_book
OUTPUT_IMAGE = re.compile(r"_images/([0-9a-f]{64})\.png$")


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    log = BUILT_HTML.parent / FIGURE_LOG
    assert log.is_file(), f"{log} is missing: build the book (make book)"
    return {entry["png"]: entry for entry in map(json.loads, log.read_text(encoding="utf8").splitlines())}


@pytest.fixture(scope="module")
def figures() -> dict[str, list[str]]:
    """Each page's output images (the sha256 names myst-nb gives them)."""
    found = {}
    for path in sorted((BUILT_HTML / "book").glob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")
        names = [m.group(1) for img in soup.find_all("img") if (m := OUTPUT_IMAGE.search(img.get("src", "")))]
        if names:
            found[path.stem] = names
    assert sum(map(len, found.values())) >= 30, "the book shows almost no figures"
    return found


def test_every_figure_was_measured(figures, measured):
    unmeasured = {page: [n[:12] for n in names if n not in measured] for page, names in figures.items()}
    unmeasured = {page: names for page, names in unmeasured.items() if names}
    assert not unmeasured, f"figures drawn without the book's theme (import cnnbook.figures): {unmeasured}"


def test_every_figures_text_is_at_least_10_points_on_a_desktop(figures, measured):
    small = {page: [(n[:12], measured[n]["desktop_pt"]) for n in names
                    if n in measured and (measured[n]["desktop_pt"] or 99) < theme.MIN_TEXT_PT]
             for page, names in figures.items()}
    small = {page: items for page, items in small.items() if items}
    assert not small, f"figures whose smallest text is under {theme.MIN_TEXT_PT} pt at 1280 px: {small}"


def test_every_figure_fits_the_text_column(figures, measured):
    wide = {page: [(n[:12], measured[n]["width_inches"]) for n in names
                   if n in measured and measured[n]["width_inches"] > theme.COLUMN_INCHES + 0.05]
            for page, names in figures.items()}
    wide = {page: items for page, items in wide.items() if items}
    assert not wide, f"figures wider than the text column ({theme.COLUMN_INCHES} in): {wide}"


# Each figure drawn again per screen and per edition (cnnbook.figure_variants): a phone's
# narrow figure, and in the Korean edition every figure with its words in Korean.
from cnnbook import figure_text, figure_variants  # noqa: E402

PICTURE = re.compile(r'<picture class="cnnbook-figure"><source media="[^"]*" srcset="[^"]*_images/'
                     r'([^"/ ]+) 2x"><img [^>]*?src="[^"]*_images/([^"/]+)"')
BARE_OUTPUT = re.compile(r'<img [^>]*src="[^"]*_images/[0-9a-f]{64}\.png"')


@pytest.fixture(scope="module")
def variants() -> dict[str, dict]:
    """File name -> what its latest render measured (``_build/figure-variants.jsonl``)."""
    log = BUILT_HTML.parent / figure_variants.VARIANT_LOG
    assert log.is_file(), f"{log} is missing: build the book (make book)"
    return {entry["file"]: entry for entry in map(json.loads, log.read_text(encoding="utf8").splitlines())}


def pictures(edition: str) -> dict[str, list[tuple[str, str]]]:
    """Each page's figures in ``edition`` as (narrow file, wide file); a bare output image
    (a figure shown without its variants) as ("", its src)."""
    root = BUILT_HTML / ("" if edition == "en" else edition) / "book"
    found = {}
    for path in sorted(root.glob("*.html")):
        html = path.read_text(encoding="utf8")
        pairs = PICTURE.findall(html) + [("", m.group(0)[-80:]) for m in BARE_OUTPUT.finditer(html)
                                          if "cnnbook-figure" not in html[max(0, m.start() - 400):m.start()]]
        if pairs:
            found[path.stem] = pairs
    return found


def test_every_figure_was_stored_to_be_drawn_again(figures, measured):
    unstored = {page: [n[:12] for n in names if n in measured and not measured[n].get("stored")]
                for page, names in figures.items()}
    unstored = {page: names for page, names in unstored.items() if names}
    assert not unstored, f"figures that could not be pickled (cnnbook.figures.theme._store): {unstored}"


@pytest.mark.parametrize("edition", ["en", "ko"])
def test_every_figures_text_is_at_least_8_points_on_a_phone(edition, variants):
    found = pictures(edition)
    assert sum(map(len, found.values())) >= 30, "the edition shows almost no figures"
    bare = {page: [wide for narrow, wide in pairs if not narrow] for page, pairs in found.items()}
    assert not any(bare.values()), f"figures without a narrow variant: {bare}"
    small = {page: [(narrow[:12], variants.get(narrow, {}).get("phone_pt")) for narrow, _ in pairs
                    if (variants.get(narrow, {}).get("phone_pt") or 0) < figure_variants.PHONE_MIN_TEXT_PT]
             for page, pairs in found.items()}
    small = {page: items for page, items in small.items() if items}
    least = figure_variants.PHONE_MIN_TEXT_PT
    assert not small, f"narrow figures whose text is under {least} pt at 390 px: {small}"


def test_korean_figures_are_in_korean_and_legible_on_a_desktop(variants):
    english, small = {}, {}
    for page, pairs in pictures("ko").items():
        for narrow, wide in pairs:
            assert wide.endswith("-ko.png"), f"{page} shows the English figure {wide[:12]}"
            for name in (narrow, wide):
                words = sorted({w for text in variants[name]["texts"] for w in figure_text.latin_words(text)})
                if words:
                    english.setdefault(page, []).append((name[:12], words))
            if (variants[wide]["desktop_pt"] or 99) < theme.MIN_TEXT_PT:
                small.setdefault(page, []).append((wide[:12], variants[wide]["desktop_pt"]))
    assert not english, f"English words in Korean figures (names belong in figure_text.NAMES): {english}"
    assert not small, f"Korean figures whose text is under {theme.MIN_TEXT_PT} pt at 1280 px: {small}"
