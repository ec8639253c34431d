"""A translated glossary is ordered by its translated headwords, and its term links still work.

A small Sphinx project with a glossary in English order and a Korean catalogue is built in
Korean: the entries come out in 가나다 order (Latin and digits after), a ``:term:`` link that
names the English headword still resolves, and the English build keeps the written order.
"""

from __future__ import annotations

import io
import re

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from docutils import nodes
from sphinx import addnodes, locale
from sphinx.application import Sphinx

from cnnbook.glossary_order import headword_key, sort_glossary

INDEX = """Glossary
========

See :term:`Convolution layer (합성곱 층)` and :term:`Padding (패딩)`.

.. glossary::

   1x1 convolution (1x1 합성곱)
      One pixel.

   Batch normalization (배치 정규화)
      Standardizes.

   Background (배경)
      No object.

   Convolution layer (합성곱 층)
      Filters.

   Padding (패딩)
      Zeros.

   Top-5 error (top-5 오류율)
      Five guesses.
"""

KOREAN = {
    "1x1 convolution (1x1 합성곱)": "1x1 합성곱 (1x1 convolution)",
    "Batch normalization (배치 정규화)": "배치 정규화 (Batch normalization)",
    "Background (배경)": "배경 (Background)",
    "Convolution layer (합성곱 층)": "합성곱 레이어 (Convolution layer)",
    "Padding (패딩)": "패딩 (Padding)",
    "Top-5 error (top-5 오류율)": "top-5 오류율 (Top-5 error)",
}


def _build(tmp_path, language):
    src = tmp_path / "src"
    (src / "locale" / "ko" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text("extensions = ['cnnbook.glossary_order']\nlocale_dirs = ['locale']\n")
    (src / "index.rst").write_text(INDEX, encoding="utf8")
    catalog = Catalog(locale="ko")
    for english, korean in KOREAN.items():
        catalog.add(english, korean)
    with open(src / "locale" / "ko" / "LC_MESSAGES" / "index.po", "wb") as stream:
        write_po(stream, catalog)
    out = tmp_path / f"html-{language}"
    locale.translators.clear()  # Sphinx keeps a process's catalogues: no Korean in English
    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / f"doctrees-{language}"), "html",
                 confoverrides={"language": language}, status=None, warning=warnings, freshenv=True)
    app.build()
    # a second Sphinx in one process re-registers docutils' nodes: that warning is not ours
    problems = [line for line in warnings.getvalue().splitlines() if "is already registered" not in line]
    assert not problems, problems
    html = (out / "index.html").read_text(encoding="utf8")
    return re.findall(r'<dt id="term-[^"]*">(.*?)<a class="headerlink"', html), html


def test_the_korean_glossary_is_in_headword_order_and_its_links_work(tmp_path):
    headwords, html = _build(tmp_path, "ko")
    assert headwords == ["배경 (Background)", "배치 정규화 (Batch normalization)", "패딩 (Padding)",
                         "합성곱 레이어 (Convolution layer)", "1x1 합성곱 (1x1 convolution)",
                         "top-5 오류율 (Top-5 error)"]
    assert html.count('class="xref std std-term"') == 2  # both links resolved, no warning


def test_the_english_glossary_keeps_its_written_order(tmp_path):
    headwords, _ = _build(tmp_path, "en")
    assert headwords[:3] == ["1x1 convolution (1x1 합성곱)", "Batch normalization (배치 정규화)",
                             "Background (배경)"]


def test_the_key_reads_korean_first_spaces_ignored():
    assert sorted(["합성곱", "배치 정규화", "배경", "IoU", "가중치"], key=headword_key) == [
        "가중치", "배경", "배치 정규화", "합성곱", "IoU"]
    assert headword_key("배치 정규화") == headword_key("배치정규화")


def test_a_list_with_more_than_entries_is_left_alone():
    glossary = addnodes.glossary()
    dlist = nodes.definition_list()
    for word in ["하나", "가"]:
        dlist += nodes.definition_list_item("", nodes.term(text=word), nodes.definition())
    dlist += nodes.paragraph(text="not an entry")
    glossary += dlist
    sort_glossary(glossary)
    assert [item.astext().strip() for item in dlist.children][:2] == ["하나", "가"]
