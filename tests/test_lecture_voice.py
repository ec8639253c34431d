"""The lecture's voice, in both editions: its section questions and its memorable phrases.

The lecture (13. Deep Learning, in Korean) asks a question at the head of several sections
("Convolutional Layer의 크기는?") and says a few things in words its students remember (ILSVRC
as the Olympics of computer vision, Fast R-CNN as the model that fixes R-CNN's slow training).
Each is kept in the chapter that answers it: the Korean edition says it in the lecture's words,
the English edition says the same in English. A heading is checked as a heading of the English
page whose Korean translation *is* the lecture's question; a phrase is checked as one message
whose English holds the English counterpart and whose Korean holds the lecture's words, so the
two cannot drift apart. The built pages of both editions are checked too (marker ``built_book``).
"""

from __future__ import annotations

import re

import pytest

from cnnbook import facts
from cnnbook.catalogues import read_messages
from conftest import BUILT_HTML, REPO

BOOK = REPO / "book"
CATALOGUES = REPO / "locales" / "ko" / "LC_MESSAGES" / "book"

#: (page, English heading, the Korean heading: the lecture's own question or title).
HEADINGS = [
    ("output_size", "How large is a convolutional layer's output?", "Convolutional Layer의 크기는?"),
    ("output_size", "Can the output size be made larger?", "output size를 크게 할 수 있을까?"),
    ("output_size", "What if several filters are applied at once?", "filter를 동시에 여러 개 적용하면?"),
    ("conv_by_hand", "Applying several filters: three at once", "여러 개의 Filter 적용하기"),
    ("real_digit", "How a CNN's state changes, layer by layer", "CNN 각 layer의 상태변화"),
    ("summary", "A summary of each method's results so far", "지금까지 각 메소드의 결과 요약"),
    ("beyond_mlp", "Is there a better way?", "더 좋은 방법은 없을까?"),
    ("beyond_mlp", "Is 99% impossible?", "99%이상은 불가능할까?"),
    ("cnn_intro", "The cat experiment: where the idea comes from", "고양이 실험"),
    ("further_study", "What to study next (앞으로 더 공부해야 할 것들)", "앞으로 더 공부해야 할 것들"),
]

#: (page, what the English message says, what its Korean says in the lecture's words).
PHRASES = [
    ("alexnet", "the Olympics of computer vision", "컴퓨터 비전 분야의 ‘올림픽’"),
    ("alexnet", "Professor Geoffrey Hinton's team", "제프리 힌튼 교수팀"),
    ("alexnet", "the error rate over the cases where the correct answer is not among the top five "
                "categories predicted", "예측한 최상위 5개 범주 가운데 정답이 없는 경우의 오류율"),
    ("alexnet", "by a wide margin", "2위를 큰 폭으로 따돌리고 1위를 차지"),
    ("rcnn", "finding objects' boundaries or classifying them", "물체의 경계를 찾거나, 물체를 분류하는 문제"),
    ("rcnn", "the model that fixes R-CNN's slow training",
     "R-CNN의 느린 학습시간 등 문제를 해결하기 위한 모델"),
]

#: The runner-up's top-5 error is glued from facts.py in the message that says "by a wide margin".
RUNNER_UP = "{glue:text}`alexnet_second_top5:.1%`"


def _headings(page: str) -> set[str]:
    text = (BOOK / f"{page}.md").read_text(encoding="utf8")
    inside_code, found = False, set()
    for line in text.splitlines():
        if line.startswith("```"):
            inside_code = not inside_code
        elif not inside_code and (match := re.match(r"#{1,4} (.+)$", line)):
            found.add(match.group(1).strip())
    return found


def _said(words: str, text: str) -> bool:
    """Whether ``text`` holds ``words``, whatever the spacing (상태변화 or 상태 변화)."""
    return re.sub(r"\s+", "", words) in re.sub(r"\s+", "", text)


def _messages(page: str) -> dict[str, str]:
    return {english: korean for english, (korean, _) in read_messages(CATALOGUES / f"{page}.po").items()}


@pytest.mark.parametrize("page, english, korean", HEADINGS, ids=[k for _, _, k in HEADINGS])
def test_a_lecture_question_heads_its_section_in_both_editions(page, english, korean):
    assert english in _headings(page), f"no heading {english!r} in book/{page}.md"
    translation = _messages(page).get(english, "")
    assert _said(korean, translation), f"{page}.po translates {english!r} as {translation!r}"


@pytest.mark.parametrize("page, english, korean", PHRASES, ids=[k for _, _, k in PHRASES])
def test_a_lecture_phrase_is_said_in_both_editions(page, english, korean):
    source = " ".join((BOOK / f"{page}.md").read_text(encoding="utf8").split())
    assert english in source, f"book/{page}.md does not say {english!r}"
    pairs = [(e, k) for e, k in _messages(page).items() if english in e]
    assert pairs, f"no message of {page}.po says {english!r} (extract and translate it)"
    assert any(_said(korean, k) for _, k in pairs), f"its Korean lacks the lecture's words {korean!r}"


def test_the_runner_up_is_glued_from_the_facts_beside_the_wide_margin():
    """The number is the paper's, quoted in facts.py (the lecture's slide gives the same one)."""
    message = next(e for e in _messages("alexnet") if "by a wide margin" in e)
    assert RUNNER_UP in message
    page = (BOOK / "alexnet.md").read_text(encoding="utf8")
    assert 'glue("alexnet_second_top5", facts.ALEXNET_SECOND_PLACE_TOP5_ERROR' in page
    assert facts.SOURCES["ALEXNET_SECOND_PLACE_TOP5_ERROR"] == "krizhevsky2012"


def test_the_checks_fail_on_a_heading_that_is_not_the_lecture_question():
    with pytest.raises(AssertionError):
        test_a_lecture_question_heads_its_section_in_both_editions(
            "output_size", "How large is a convolutional layer's output?", "합성곱 층의 크기")
    with pytest.raises(AssertionError):
        test_a_lecture_phrase_is_said_in_both_editions("alexnet", "by a wide margin", "큰 차이로 앞섰")


SMART_QUOTES = str.maketrans("‘’", "''")


# --- the built pages ----------------------------------------------------------------------------

def _page_text(path) -> str:
    from bs4 import BeautifulSoup

    article = BeautifulSoup(path.read_text(encoding="utf8"), "html.parser").find("article")
    text = " ".join(article.get_text(" ").split())
    return text.translate(SMART_QUOTES)  # Sphinx's smartquotes turn ' into ’ on the page


@pytest.mark.built_book
@pytest.mark.parametrize("page, english, korean", HEADINGS + PHRASES,
                         ids=[k for _, _, k in HEADINGS + PHRASES])
def test_the_built_editions_say_it(page, english, korean):
    english_page = BUILT_HTML / "book" / f"{page}.html"
    korean_page = BUILT_HTML / "ko" / "book" / f"{page}.html"
    assert korean_page.is_file(), "build both editions first (make book)"
    assert english.translate(SMART_QUOTES) in _page_text(english_page)
    assert _said(korean.translate(SMART_QUOTES), _page_text(korean_page))


@pytest.mark.built_book
def test_the_built_korean_page_shows_the_runner_up_beside_the_wide_margin():
    from bs4 import BeautifulSoup

    page = BUILT_HTML / "ko" / "book" / "alexnet.html"
    soup = BeautifulSoup(page.read_text(encoding="utf8"), "html.parser")
    paragraph = next(p.get_text() for p in soup.find_all("p") if "큰 폭으로 따돌리고" in p.get_text())
    assert f"{facts.ALEXNET_SECOND_PLACE_TOP5_ERROR:.1%}" in paragraph
