"""Everything a Korean page shows is Korean: what cells print (figure captions, alt texts,
tables), the theme, the title and the byline; English only in code, math, citations, the
original term in parentheses after a Korean one (합성곱 신경망(convolutional neural network)) and
the reviewed names and phrases of ``locales/ko/latin_words.txt`` (figure images are checked
elsewhere).

The first tests run on made-up input; those marked ``built_book`` read the built book
(``_build/html`` and ``_build/html/ko``) and are skipped without it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from cnnbook.translated_outputs import (
    english_words,
    figure_messages,
    latin_names,
    missing_table_texts,
    read_catalogue,
    template,
    translate_table_html,
)
from conftest import BUILT_HTML, REPO

KOREAN = BUILT_HTML / "ko"
NAMES = latin_names(REPO / "locales" / "ko" / "latin_words.txt")
OUTPUTS = REPO / "locales" / "ko" / "LC_MESSAGES" / "outputs.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: What a Korean page may show in English: code, math, citations (names and titles of papers),
#: the glossary's bilingual headwords, elements marked English (the link to the English edition).
NOT_PROSE = ("script, style, pre, code, kbd, .math, math, mjx-container, svg, .output.stream, "
             ".output.text_plain, span.bibtex-citation, .citation, dl.glossary > dt, "
             "table.indextable, [lang=en]")
#: A parenthesis after a Korean word or an acronym, where Korean textbooks give the original
#: term: 합성곱 신경망(convolutional neural network, CNN), IoU(intersection over union).
PARENTHESIS = re.compile(r"(?<=[\uac00-\ud7a3A-Z])\s*\(((?:[^()]|\([^()]*\))*)\)")
#: LaTeX written out (a finding's formula on the findings page): math, not English.
LATEX = re.compile(r"\\[A-Za-z]+(?:\{[^}]*\})?")


def without_glosses(text: str) -> str:
    """``text`` without the English parts (between commas or after a colon) of its glosses."""
    def gloss(match: re.Match) -> str:
        parts = re.split(r"([,;:]\s*)", match.group(1))
        kept = [part if HANGUL.search(part) or re.fullmatch(r"[,;:]\s*", part) else "" for part in parts]
        return " (" + "".join(kept) + ")"

    return PARENTHESIS.sub(gloss, LATEX.sub(" ", text))


# --- on made-up input ---------------------------------------------------------------------------

def test_a_template_holds_the_numbers_of_a_cell_not_of_its_names():
    assert template("shifted (1, 2)") == ("shifted ({0}, {1})", ["1", "2"])
    assert template("1,024 images at 99.18%") == ("{0} images at {1}", ["1,024", "99.18%"])
    assert template("conv2d_1 5x5 fc6") == ("conv2d_1 5x5 fc6", [])


def test_table_cells_are_translated_with_their_numbers_and_page():
    catalogue = {(None, "seed {0}"): "시드 {0}", (None, "padding"): "패딩",
                 ("conv_by_hand", "padding"): "`padding`", (None, "{0} and {1}"): "{1}, {0}"}
    table = ('<th class="col_heading" >seed 12</th><td>padding</td><td>1,000 and 3</td>'
             '<td>conv2d_1</td><td>&lt;b&gt;</td>')
    assert translate_table_html(table, catalogue) == (
        '<th class="col_heading" >시드 12</th><td>패딩</td><td>3, 1,000</td>'
        '<td>conv2d_1</td><td>&lt;b&gt;</td>')
    assert "<td><code>padding</code></td>" in translate_table_html(table, catalogue, "conv_by_hand")


def test_the_captions_and_alt_texts_of_drawn_figures_are_messages():
    page = "\n".join([
        "# A page", "", "```{code-cell} ipython3", "---", "mystnb:", "  figure:",
        "    caption: The cost (top) and the accuracy", "      (bottom) per epoch.",
        "    name: fig-curves", "  image:", "    alt: Two line charts.", "---", "draw()", "```", "",
        "```{glue:figure} speed", ":name: fig-speed", ":alt: A log-log chart.", "",
        "Milliseconds per canvas, the median of", "{glue:text}`repeats` rounds.", "```", ""])
    assert figure_messages(page) == [
        "The cost (top) and the accuracy (bottom) per epoch.", "Two line charts.",
        "A log-log chart.", "Milliseconds per canvas, the median of {glue:text}`repeats` rounds."]


def test_glosses_and_latex_are_not_english_prose():
    assert without_glosses("합성곱 신경망(convolutional neural network, CNN)과 파라미터 공유 "
                           "(parameter sharing), (3 \\cdot 4)") == \
        "합성곱 신경망 (, )과 파라미터 공유 (), (3   4)"
    assert without_glosses("(What to study next)") == "(What to study next)"


def test_english_words_leave_out_code_names_and_acronyms():
    text = "그림 3 The CNN (LeNet-5, conv2d_1) uses ReLU and Keras; x is a value, He et al."
    assert english_words(text, NAMES) == ["The", "uses", "and", "is", "value"]


def test_the_table_catalogue_is_translated_and_keeps_its_holes():
    catalogue = read_catalogue(OUTPUTS)
    assert len(catalogue) >= 200
    for (_, english), korean in catalogue.items():
        assert sorted(re.findall(r"\{\d+\}", english)) == sorted(re.findall(r"\{\d+\}", korean)), english
        assert korean.startswith("`") or not english_words(korean, NAMES) or HANGUL.search(korean), english


# --- on the built book --------------------------------------------------------------------------

def _built():
    if not (KOREAN / "index.html").is_file():
        pytest.skip("the Korean edition is not built (make book)")


def _pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if not {"_static", "_sources", "ko"} & set(
        p.relative_to(root).parts[:-1]))


def shown_english(page: Path) -> Counter:
    """The English words a page shows: its text and its tooltips and alt texts, less code,
    math, citations and the reviewed names."""
    soup = BeautifulSoup(page.read_text(encoding="utf8"), "html.parser")
    for element in soup.select(NOT_PROSE):
        element.decompose()
    texts = [without_glosses(soup.get_text(" "))] + [
        element[attribute] for attribute in ("title", "alt")
        for element in soup.find_all(attrs={attribute: True})]
    return Counter(word for text in texts for word in english_words(text, NAMES))


@pytest.mark.built_book
def test_every_table_text_of_the_english_pages_has_a_korean_entry():
    _built()
    missing = missing_table_texts(BUILT_HTML, read_catalogue(OUTPUTS), NAMES)
    assert not missing, f"table texts without Korean in {OUTPUTS.name} " \
                        f"(python -m cnnbook.translated_outputs _build/html): {missing}"


@pytest.mark.built_book
def test_the_korean_pages_show_no_english():
    _built()
    found = {page.relative_to(KOREAN).as_posix(): shown_english(page) for page in _pages(KOREAN)}
    found = {page: words for page, words in found.items() if words}
    listed = "; ".join(f"{page}: {dict(words.most_common(8))}" for page, words in found.items())
    assert not found, f"{sum(sum(words.values()) for words in found.values())} English words on Korean " \
                      f"pages (translate them, or add a name to locales/ko/latin_words.txt): {listed}"


@pytest.mark.built_book
def test_captions_tables_title_and_byline_are_korean():
    _built()
    page = BeautifulSoup((KOREAN / "book" / "cnn_mnist.html").read_text(encoding="utf8"), "html.parser")
    captions = page.select("figcaption")
    assert captions and all(HANGUL.search(caption.get_text()) for caption in captions)
    headers = page.select(".cell_output table th")
    assert headers and any(HANGUL.search(header.get_text()) for header in headers)
    for text in (page.title.get_text(), page.select_one(".component-author").get_text(),
                 page.select_one(".logo__title, .navbar-brand").get_text()):
        assert HANGUL.search(text) and not english_words(text, NAMES), text
