"""The Korean edition keeps up with the English one, and the Korean terms keep to the glossary.

``test_every_english_message_has_a_current_korean_translation`` extracts the English messages
of every page now (Sphinx's gettext builder, nothing executed) and fails on any paragraph,
heading, caption, list item, table cell or definition without a current translation in
``locales/ko`` (missing, empty or fuzzy), or whose translation dropped or changed a glued
value, citation, cross-reference, ``{term}`` target or formula. ``make translations`` merges
new English text into the catalogues and lists what is left to translate.
"""

from __future__ import annotations

import re

import pytest

from cnnbook.catalogues import catalogue_problems, kept_markup, message_problems
from cnnbook.editions import extract_messages
from conftest import REPO
from test_editions import po_file

CATALOGUES = REPO / "locales" / "ko" / "LC_MESSAGES"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # sphinx-jupyterbook-latex 1.0
def test_every_english_message_has_a_current_korean_translation(tmp_path):
    assert extract_messages(REPO, tmp_path / "pot") == 0
    assert len(list((tmp_path / "pot").rglob("*.pot"))) >= 20, "one catalogue per page"
    problems = catalogue_problems(tmp_path / "pot", CATALOGUES)
    assert not problems, f"{len(problems)} English messages without a current Korean translation " \
                         "(run `make translations`, then translate):\n" + "\n".join(problems[:60])


# --- the checker on catalogues made up for the purpose ------------------------------------------

ENGLISH = {
    "A title": "제목",
    "Accuracy {glue:text}`acc:.2%` on {doc}`the data <data>`, see {term}`CNN <CNN (합성곱 신경망)>`.":
        "{doc}`데이터 <data>`에서 정확도 {glue:text}`acc:.2%`, "
        "{term}`합성곱 신경망 <CNN (합성곱 신경망)>` 참고.",
    "The size is $n - k + 1$ {cite:p}`lecun1998`.": "크기는 $n - k + 1$이다 {cite:p}`lecun1998`.",
}


def _pot(folder, messages):
    po_file(folder / "book" / "page.pot", dict.fromkeys(messages, ""))


def test_a_fully_translated_catalogue_passes(tmp_path):
    _pot(tmp_path / "pot", ENGLISH)
    po_file(tmp_path / "po" / "book" / "page.po", ENGLISH)
    assert catalogue_problems(tmp_path / "pot", tmp_path / "po") == []


def test_missing_empty_and_changed_translations_fail(tmp_path):
    _pot(tmp_path / "pot", {**ENGLISH, "A new paragraph.": ""})
    broken = {**ENGLISH, "A title": ""}
    key = "The size is $n - k + 1$ {cite:p}`lecun1998`."
    broken[key] = "크기는 n - k + 1이다 {cite:p}`lecun1998`."  # the formula lost its math
    po_file(tmp_path / "po" / "book" / "page.po", broken)
    problems = "\n".join(catalogue_problems(tmp_path / "pot", tmp_path / "po"))
    assert "missing from the catalogue: 'A new paragraph.'" in problems
    assert "not translated: 'A title'" in problems
    assert "math changed" in problems
    assert len(problems.splitlines()) == 3, problems


def test_a_fuzzy_translation_fails():
    assert message_problems("Two", "둘", fuzzy=True) == [
        "fuzzy (the English changed since it was translated)"]


@pytest.mark.parametrize("translation", [
    "정확도 {glue:text}`acc:.1%`",  # another format
    "정확도 {glue:text}`other:.2%`",  # another value
    "정확도",  # no value
])
def test_a_glued_value_must_stay_as_in_english(translation):
    problems = message_problems("Accuracy {glue:text}`acc:.2%`", translation, False)
    assert any("role changed" in problem for problem in problems)


def test_titles_of_references_may_be_translated_but_not_their_targets():
    english = "See {doc}`the data <data>` and {term}`stride <Stride (스트라이드)>`."
    assert message_problems(english, "{doc}`데이터 <data>`와 {term}`스트라이드 <Stride (스트라이드)>` 참고.",
                            False) == []
    assert message_problems(english, "{doc}`데이터 <mlp>`와 {term}`스트라이드 <Stride (스트라이드)>`.", False)
    assert kept_markup("{ref}`sec`")["target"] == ["{ref} sec"]


# --- the glossary ----------------------------------------------------------------------------------

HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: Korean in parentheses that is not a term of the lecture, so not in the glossary, with why.
NOT_TERMS = {
    "개수": "the lecture's name for the count axis of an array (conv_by_hand), beside row and col",
    "앞으로 더 공부해야 할 것들": "the title of the lecture's last section, quoted (further_study)",
    "문제": "the lecture's slide heading 'problems' (further_study)",
    "방법": "the lecture's slide heading 'methods' (further_study)",
    "빌드 상태": "the title of the build status page, not a lecture term",
    "학습 캐시": "the book's training cache (status page), not a lecture term",
    "참고문헌": "the title of the references page",
}


def _compact(term: str) -> str:
    """Korean spacing of compound nouns varies (합성곱 층, 합성곱층): compare without spaces."""
    return re.sub(r"\s+", "", term)


def glossary_terms() -> set[str]:
    """The Korean terms of the glossary's entries: ``English (한국어, 한국어)``."""
    text = (REPO / "book" / "glossary.md").read_text(encoding="utf8")
    terms = set()
    for heading in re.findall(r"^\S.*\(([^()]*)\)\s*$", text, re.MULTILINE):
        terms |= {_compact(item) for item in heading.split(",") if HANGUL.search(item)}
    return terms


def korean_in_parentheses(text: str) -> set[str]:
    """Each Korean item in parentheses: ``convolution (합성곱)``, ``(CNN, 합성곱 신경망)``."""
    found = set()
    for inside in re.findall(r"\(([^()]*)\)", text):
        found |= {" ".join(item.split()) for item in inside.split(",") if HANGUL.search(item)}
    return found


def test_every_korean_term_of_a_chapter_is_in_the_glossary():
    known = glossary_terms()
    assert len(known) >= 60
    missing = {}
    for page in sorted((REPO / "book").glob("*.md")):
        if page.name == "glossary.md":
            continue
        for term in korean_in_parentheses(page.read_text(encoding="utf8")):
            if _compact(term) not in known and term not in NOT_TERMS:
                missing.setdefault(term, []).append(page.stem)
    assert not missing, f"Korean terms not in book/glossary.md (add an entry, or use its term): {missing}"


def test_the_allow_list_holds_only_what_the_chapters_use():
    used = set().union(*(korean_in_parentheses(page.read_text(encoding="utf8"))
                         for page in (REPO / "book").glob("*.md")))
    assert set(NOT_TERMS) <= used, f"no longer in any chapter: {set(NOT_TERMS) - used}"
    assert not {_compact(term) for term in NOT_TERMS} & glossary_terms()
