"""The Korean edition says each concept with one word, in one register, from clean catalogues.

``locales/ko/terms.yml`` is the term base: for each English term the one Korean term (the
lecture's own word where it has one) and the variants it replaced. A variant in any msgstr of
``locales/ko/LC_MESSAGES`` fails here, outside what the build resolves (glued values, role
targets, code, math) and outside the phrases the term base allows. The glossary follows it too:
its Korean headwords (``book/glossary.md`` and their translations) use the chosen terms, come
Korean first on the Korean edition, and its Korean definitions end in 합니다체. The catalogues
keep no obsolete (``#~``) entries and no template headers.
"""

from __future__ import annotations

import re

import pytest
import yaml
from babel.messages.pofile import read_po

from conftest import REPO

CATALOGUES = REPO / "locales" / "ko" / "LC_MESSAGES"
TERM_BASE = REPO / "locales" / "ko" / "terms.yml"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: What the build resolves or a reader types: glued values and findings, a role's target,
#: roles without a title, inline code, math. A term's variant may stand there.
RESOLVED = re.compile(r"\{(?:glue(?::\w+)?|cite(?::\w+)?|eq|finding)\}`[^`]*`|<[^<>`]*>`"
                      r"|\{(?:term|ref|numref|doc|download)\}`[^`<]*`|(?<!\})`[^`]*`"
                      r"|\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)
#: The variant pairs issue 18 found, each of which the term base must settle.
SETTLED = ["훈련", "네트워크", "층", "합성곱층", "창", "형태", "상자", "모서리", "흑백", "테스트 데이터",
           "테스트 오차", "기준값", "최대값", "방법", "가족", "단계", "평범한", "연습문제", "보세요"]


def term_base() -> list[dict]:
    return yaml.safe_load(TERM_BASE.read_text(encoding="utf8"))["terms"]


def catalogues():
    return sorted(CATALOGUES.rglob("*.po"))


def messages(path):
    """(English, Korean) of each message of a catalogue, the header left out."""
    with open(path, encoding="utf8") as stream:
        catalog = read_po(stream)
    return [(m.id, m.string) for m in catalog if m.id and isinstance(m.id, str)]


def variants_in(english: str, korean: str, terms: list[dict]) -> list[str]:
    """Each variant of the term base in ``korean`` (the translation of ``english``)."""
    text = RESOLVED.sub(" ", korean)
    found = []
    for term in terms:
        if term.get("only_when") and not re.search(term["only_when"], english):
            continue
        kept = text
        for phrase in term.get("allowed", []):
            kept = kept.replace(phrase, " ")
        for variant in term["variants"]:
            if match := re.search(variant, kept):
                found.append(f"{match.group()!r} (use {term['korean']!r})")
    return found


def test_the_term_base_is_complete_and_each_entry_says_why():
    terms = term_base()
    for term in terms:
        assert {"english", "korean", "variants", "why"} <= set(term), term
        assert term["why"].strip() and term["variants"], term
        for pattern in term["variants"] + [term.get("only_when") or ""]:
            re.compile(pattern)
    listed = " ".join(" ".join(term["variants"]) for term in terms)
    assert not [pair for pair in SETTLED if pair not in listed], "a variant pair left unsettled"
    chosen = {term["korean"] for term in terms}
    assert {"학습", "레이어", "신경망", "합성곱 레이어", "테스트 세트", "검증 세트"} <= chosen


@pytest.mark.parametrize("korean, english, found", [
    ("층을 쌓습니다.", "Layers stack.", True),
    ("다층 퍼셉트론입니다.", "A multilayer perceptron.", False),
    ("{term}`합성곱 레이어 <Convolution layer (합성곱 층)>`입니다.", "A layer.", False),  # a target
    ("`층` 변수", "A variable.", False),  # code
    ("이 형태를 요청해 보면:", "Asking for this form:", False),  # 형태 is a variant only for "shape"
    ("출력 형태는 같습니다.", "The output shape is the same.", True),
    ("{doc}`lenet`을 보세요.", "See {doc}`lenet`.", True),
    ("{doc}`lenet` 참고.", "See {doc}`lenet`.", False),
])
def test_the_check_finds_a_variant_where_it_reads_as_the_term(korean, english, found):
    assert bool(variants_in(english, korean, term_base())) == found


def test_no_catalogue_uses_a_variant_of_the_term_base():
    terms = term_base()
    found = [f"{path.name}: {hit} in {korean[:60]!r}"
             for path in catalogues() for english, korean in messages(path)
             for hit in variants_in(english, korean, terms)]
    assert not found, (f"{len(found)} variants of the term base (locales/ko/terms.yml):\n"
                       + "\n".join(found[:40]))


def _headwords(text: str) -> list[tuple[str, str]]:
    """(English headword, Korean in its parentheses) of each entry of book/glossary.md."""
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return re.findall(r"^(\S[^\n(]*?) \(([^()\n]*)\)\s*$", block, re.MULTILINE)


def test_the_glossary_uses_the_chosen_terms_korean_first():
    terms = term_base()
    text = (REPO / "book" / "glossary.md").read_text(encoding="utf8")
    headwords = _headwords(text)
    assert len(headwords) >= 60
    translated = dict(messages(CATALOGUES / "book" / "glossary.po"))
    wrong = []
    for english, korean in headwords:
        wrong += [f"glossary.md {english}: {hit}" for hit in variants_in("", korean, terms)]
        heading = f"{english} ({korean})"
        if HANGUL.search(korean):  # on the Korean edition the Korean term comes first
            first = [item.strip() for item in korean.split(",") if HANGUL.search(item)][0]
            shown = translated.get(heading, "")
            if not (shown.startswith(first) and f"({english}" in shown):
                wrong.append(f"glossary.po: {heading!r} -> {translated.get(heading)!r}")
    assert not wrong, "\n".join(wrong)


#: The endings of 합니다체 (a statement, a question), before a closing quotation or bracket.
FORMAL = re.compile(r"(?:니다|니까|세요|시오)[.?!]?[)\"'”]*$")


def test_the_korean_glossary_defines_in_hapnida_style():
    plain = []
    for english, korean in messages(CATALOGUES / "book" / "glossary.po"):
        if not english.rstrip().endswith(".") or english == korean:
            continue  # a headword or the title
        text = re.sub(r"\s*\{doc\}`[^`]*`(?:, \{doc\}`[^`]*`)* 참고\.$", "", korean).strip()
        text = re.sub(r"\([^()]*\)\.$", ".", text)  # a closing aside: 레이어입니다(Keras의 `Dense`).
        if not FORMAL.search(text):
            plain.append(korean[-50:])
    assert not plain, f"{len(plain)} glossary definitions not in 합니다체:\n" + "\n".join(plain)


def test_one_form_for_cross_references_and_exercises():
    odd = [f"{path.name}: {korean[:70]!r}" for path in catalogues() for english, korean in messages(path)
           if re.search(r"`(?:을|를|와|과)? ?보세요|참조\)|연습문제", korean)
           or (re.search(r"\?\s*$", english) and re.search(r"입니까\?|습니까\?", korean))]
    assert not odd, ("one form: '{doc}`page` 참고.', '연습 문제', questions as '...일까요?':\n"
                     + "\n".join(odd))


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: path.name)
def test_a_catalogue_keeps_no_obsolete_entries_or_template_header(path):
    text = path.read_text(encoding="utf8")
    assert not re.search(r"^#~", text, re.MULTILINE), "obsolete #~ entries (delete them)"
    for template in ("Project name not set", "SOME DESCRIPTIVE TITLE", "PROJECT VERSION"):
        assert template not in text, f"the template header {template!r}"
    assert '"Project-Id-Version: cnnbook 0.1.0\\n"' in text  # cnnbook.catalogues.tidy writes it


def test_tidy_drops_obsolete_entries_and_names_the_project(tmp_path):
    from cnnbook.catalogues import tidy

    page = tmp_path / "book" / "page.po"
    page.parent.mkdir()
    page.write_text('# SOME DESCRIPTIVE TITLE.\n# FIRST AUTHOR <EMAIL@ADDRESS>, 2026.\n#\n'
                    'msgid ""\nmsgstr ""\n"Project-Id-Version: Project name not set \\n"\n'
                    '"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "A"\nmsgstr "가"\n\n'
                    '#~ msgid "Old"\n#~ msgstr "옛"\n', encoding="utf8")
    tidy(tmp_path)
    test_a_catalogue_keeps_no_obsolete_entries_or_template_header(page)
    assert messages(page) == [("A", "가")]
    assert page.read_text(encoding="utf8").startswith("# The Korean translation of book/page.md.\n")
