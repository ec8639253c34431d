"""What a reader of the built chapters sees: code to read, tables for people.

The code a page shows is there to be read: no line scrolls sideways, and the glue() calls
that carry numbers into the prose sit in removed cells, out of the way. The tables read as
the prose quotes them. Run after `make book`; these tests read _build/html.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from conftest import BUILT_HTML
from test_built_book import BACK_MATTER, CHAPTERS

pytestmark = pytest.mark.built_book

#: The widest code line a page may show (PEP 8's limit as Black and ruff apply it).
MAX_CODE_LINE = 88
#: How many glue( a page may show in its code; the rest go in cells tagged remove-cell.
GLUE_BUDGET = {}  # page -> count; every chapter not named here: 0
CHAPTER_PAGES = [name for name in CHAPTERS if name not in BACK_MATTER]


@pytest.fixture(scope="module")
def soups():
    found = {name: BUILT_HTML / "book" / f"{name}.html" for name in CHAPTER_PAGES}
    missing = [str(p) for p in found.values() if not p.is_file()]
    assert not missing, f"pages missing, build the book first (make book): {missing}"
    return {name: BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")
            for name, path in found.items()}


def shown_code(soup) -> list[str]:
    """The source of every code cell the page shows, hidden behind a toggle or not."""
    return [pre.get_text() for pre in soup.select("div.cell div.cell_input pre")]


def test_the_pages_show_code(soups):
    """The selector finds the cells (or every other test here would pass on nothing)."""
    assert all(shown_code(soup) for soup in soups.values())
    assert len(soups) >= 15


def test_no_shown_code_line_is_longer_than_88_characters(soups):
    too_long = [f"{name}: {len(line)}: {line}"
                for name, soup in soups.items()
                for code in shown_code(soup)
                for line in code.splitlines()
                if len(line) > MAX_CODE_LINE]
    assert not too_long, "\n".join(too_long)


def included_source(soup) -> list[str]:
    """The package source a page shows with literalinclude (code blocks outside the cells)."""
    return [pre.get_text() for pre in soup.select("div.highlight pre")
            if not pre.find_parent("div", class_="cell")]


def test_no_line_of_the_package_source_a_page_shows_is_longer_than_88_characters(soups):
    shown = {name: included_source(soup) for name, soup in soups.items()}
    assert sum(map(len, shown.values())) >= 25, "the selector finds the included source"
    too_long = [f"{name}: {len(line)}: {line}"
                for name, blocks in shown.items() for code in blocks
                for line in code.splitlines() if len(line) > MAX_CODE_LINE]
    assert not too_long, "\n".join(too_long)


def test_glue_calls_stay_out_of_shown_code(soups):
    over = {name: count for name, soup in soups.items()
            if (count := sum(code.count("glue(") for code in shown_code(soup)))
            > GLUE_BUDGET.get(name, 0)}
    assert not over, f"glue( in shown code, over the budget: {over}"


def output_tables(soup):
    return soup.select("div.cell_output table")


def test_no_table_has_a_header_row_for_its_index_name_alone(soups):
    """pandas gives a named index a header row of its own: the name, then empty cells."""
    bad = []
    for name, soup in soups.items():
        for table in output_tables(soup):
            for row in table.select("thead tr"):
                cells = [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
                if len(cells) > 1 and not any(cells[1:]):
                    bad.append(f"{name}: {cells}")
    assert not bad, "\n".join(bad)


def test_every_output_table_has_the_padded_pandas_look(soups):
    """A Styler table without the ``dataframe`` class gets no cell padding ("325 1")."""
    bare = [f"{name}: {table.get_text(' ', strip=True)[:60]}"
            for name, soup in soups.items()
            for table in output_tables(soup)
            if "dataframe" not in table.get("class", [])]
    assert not bare, "\n".join(bare)
    assert sum(len(output_tables(soup)) for soup in soups.values()) >= 30


def test_no_page_prints_a_recipe_repr(soups):
    """A recipe is shown as a (setting, value) table, not as a line that runs off the page."""
    shown = [name for name, soup in soups.items()
             for output in soup.select("div.cell_output")
             if "Recipe(" in output.get_text()]
    assert not shown, shown
