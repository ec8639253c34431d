"""The Korean edition's mechanism: glued values in translated text, Korean search, the build.

The first tests build tiny Sphinx projects in a temporary folder (no book, no kernel: the
notebook carries its outputs); the last builds a small book both ways with the project's own
configuration, as ``make book`` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnbook import editions
from test_build import STRICT, build, make_book

PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def po_file(path: Path, messages: dict[str, str]) -> None:
    """A gettext catalogue with ``messages`` (English -> translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    quote = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 (gettext's escapes)
    path.write_text(PO_HEADER + "".join(f"msgid {quote(en)}\nmsgstr {quote(ko)}\n\n"
                                        for en, ko in messages.items()), encoding="utf8")


def glue_notebook(path: Path, text: str, values: dict[str, str]) -> None:
    """A notebook whose markdown is ``text`` and whose one cell glued ``values`` (their repr)."""
    cell = nbformat.v4.new_code_cell("glue(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": value},
                                           metadata={"scrapbook": {"name": name, "mime_prefix": ""}})
                    for name, value in values.items()]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text), cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def sphinx(folder: Path, language: str) -> subprocess.CompletedProcess:
    """A strict HTML build of ``folder`` in ``language`` into ``_build/<language>``."""
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", "html",
                           "-D", f"language={language}", str(folder), str(folder / "_build" / language)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(Path(editions.__file__).parents[1])})


PARAGRAPH = "The accuracy is {glue:text}`acc:.2%`, the count {glue:text}`count:,d` and {glue}`name`."
KOREAN = "정확도는 {glue:text}`acc:.2%`, 개수는 {glue:text}`count:,d`, 이름은 {glue}`name`."


def tiny_project(folder: Path, extensions: list[str]) -> Path:
    folder.mkdir()
    (folder / "conf.py").write_text(
        f"extensions = {extensions!r}\nnb_execution_mode = 'off'\nexclude_patterns = ['_build']\n"
        "locale_dirs = ['locales']\ngettext_compact = False\n")
    glue_notebook(folder / "index.ipynb", f"# Title\n\n{PARAGRAPH}\n",
                  {"acc": "0.98765", "count": "356234", "name": "'LeNet'"})
    po_file(folder / "locales" / "ko" / "LC_MESSAGES" / "index.po", {"Title": "제목", PARAGRAPH: KOREAN})
    return folder


@pytest.mark.slow
def test_a_translated_paragraph_shows_its_glued_values(tmp_path):
    project = tiny_project(tmp_path / "fixed", ["myst_nb", "cnnbook.editions"])
    english = sphinx(project, "en")
    korean = sphinx(project, "ko")
    for done in (english, korean):
        assert done.returncode == 0, done.stderr[-3000:]
    # the same values, formatted by myst-nb in the same way, on both pages
    shown = ['<span class="pasted-text">98.77%</span>', '<span class="pasted-text">356,234</span>']
    for page in (project / "_build" / "en" / "index.html", project / "_build" / "ko" / "index.html"):
        html = page.read_text(encoding="utf8")
        assert all(value in html for value in shown), page
        assert "LeNet" in html
    korean_html = (project / "_build" / "ko" / "index.html").read_text(encoding="utf8")
    assert "정확도는 <span" in korean_html and "제목" in korean_html


@pytest.mark.slow
def test_without_the_fix_myst_nb_loses_the_values(tmp_path):
    """The pitfall the fix is for (myst-nb 1.4). When this fails, myst-nb has fixed it upstream:
    the roles of cnnbook.editions can then go."""
    project = tiny_project(tmp_path / "plain", ["myst_nb"])
    korean = sphinx(project, "ko")
    assert "No key 'acc' found in glue data" in korean.stderr


def test_korean_words_are_indexed_without_their_particle():
    assert editions.without_particle("합성곱을") == "합성곱"
    assert editions.without_particle("풀링에서") == "풀링"
    assert editions.without_particle("신경망입니다") == "신경망"
    assert editions.without_particle("깊이") is None, "a one-syllable stem is no word"
    assert editions.without_particle("stride") is None
    words = editions.SearchKorean({}).split("최대 풀링은 합성곱을 따릅니다 (max pooling)")
    assert {"풀링", "풀링은", "합성곱", "합성곱을", "max", "pooling"} <= set(words)


def test_each_page_links_its_counterpart():
    app = type("App", (), {"config": type("Config", (), {
        "cnnbook_other_editions": [["한국어", "ko", "ko/"]]})})()
    context = {}
    editions._counterparts(app, "book/cnn_mnist", "page.html", context, None)
    assert context["cnnbook_counterparts"] == [("한국어", "ko", "../ko/book/cnn_mnist.html")]
    app.config.cnnbook_other_editions = [["English", "en", "../"]]
    editions._counterparts(app, "index", "page.html", context, None)
    assert context["cnnbook_counterparts"] == [("English", "en", "../index.html")]


@pytest.mark.slow
def test_the_korean_edition_reuses_the_english_outputs(tmp_path):
    """Build a small book in English, then in Korean: nothing executes again, the translated
    page shows the glued value, the numbers are the same, and the pages link each other."""
    cell = "from myst_nb import glue\nglue('answer', 6 * 7 / 100)"
    book = make_book(tmp_path / "book", cell, second="print('two')")
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\nparts:\n"
                                   "  - caption: The first part\n    chapters:\n      - file: second\n")
    page = book / "page.md"
    page.write_text(page.read_text() + "\nThe answer is {glue:text}`answer:.1%`.\n")
    po_file(book / "locales" / "ko" / "LC_MESSAGES" / "page.po",
            {"A page": "한 페이지", "The first part": "첫째 부",
             "The answer is {glue:text}`answer:.1%`.": "답은 {glue:text}`answer:.1%`이다."})
    english = build(book, *STRICT)
    assert english.returncode == 0, english.stdout[-3000:] + english.stderr[-3000:]
    env = {**os.environ, "PYTHONPATH": str(Path(editions.__file__).parents[1])}
    korean = subprocess.run([sys.executable, "-m", "cnnbook.editions", "ko"], cwd=book, env=env,
                            capture_output=True, text=True, timeout=600)
    assert korean.returncode == 0, korean.stdout[-3000:] + korean.stderr[-3000:]
    assert "Executing notebook" not in korean.stdout + korean.stderr, "the Korean build executed"
    site = book / "_build" / "html"
    html = (site / "ko" / "page.html").read_text(encoding="utf8")
    assert "답은 <span class=\"pasted-text\">42.0%</span>이다" in html
    assert '<a class="btn btn-sm cnnbook-edition" href="../page.html" lang="en" hreflang="en">' in html
    assert 'href="ko/page.html" lang="ko"' in (site / "page.html").read_text(encoding="utf8")
    assert json.loads((site / "ko" / "_static" / "numbers.json").read_text()) == \
        json.loads((site / "_static" / "numbers.json").read_text())
    assert not (book / "_build" / "ko" / "html").exists(), "the edition was moved into the site"
    second = (site / "ko" / "second.html").read_text(encoding="utf8")
    assert "첫째 부" in second and "The first part" not in second, "the part's caption in Korean"
    assert "The first part" in (site / "second.html").read_text(encoding="utf8")
