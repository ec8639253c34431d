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
