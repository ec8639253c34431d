"""Korean particles chosen from the value (``cnnbook.korean``), counts in 만/억, and the built
Korean pages: no number or name followed by the wrong particle, no hedged particle.

tossi (pinned in requirements.txt) is the independent reader: it reads numbers by their last
digit or place, as the book's reader does, but was written by others.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from cnnbook.catalogues import message_problems
from cnnbook.korean import fix_particles, korean_units, last_syllable, particle_after, unit_renderings
from conftest import BUILT_HTML

try:
    import tossi
except ImportError:  # a reader's machine without `pip install -r requirements.txt`
    if os.environ.get("CI"):
        raise
    tossi = None
needs_tossi = pytest.mark.skipif(tossi is None, reason="tossi is not installed (requirements.txt)")

#: (text before, particle as typed, particle as it must be): the cases issue 18 found, and the
#: places where a reading changes (10 십, 100 백, 1,000 천, 10,000 만), ㄹ before 로, products.
CASES = [
    ("2.33", "를", "을"), ("0.823", "로", "으로"), ("7", "으로", "로"), ("1", "으로", "로"),
    ("8", "으로", "로"), ("0", "로", "으로"), ("3", "로", "으로"), ("6", "가", "이"),
    ("10", "를", "을"), ("20", "는", "은"), ("100", "로", "으로"), ("1,000", "를", "을"),
    ("10,000", "가", "이"), ("60,000", "를", "을"), ("200,000", "와", "과"), ("3e+05", "는", "는"),
    ("12.0", "는", "은"), ("0.5", "을", "를"), ("99.18%", "을", "를"), ("25%", "은", "는"),
    ("28 x 28 x 6", "는", "은"), ("30 x 30 x 6", "가", "이"), ("28 x 28", "으로", "로"),
    ("(1, 28, 28, 1)", "으로", "로"), ("숫자 1", "를", "을"), ("Keras 3", "로", "으로"),
    ("LeNet-5", "을", "를"), ("ResNet", "를", "을"), ("AlexNet", "와", "과"), ("R-CNN", "는", "은"),
    ("ReLU", "을", "를"), ("MNIST", "을", "를"), ("Conv2D", "과", "와"), ("MaxPool2D", "을", "를"),
    ("Hubel", "와", "과"), ("Hubel", "으로", "로"), ("Sun", "가", "이"), ("C3", "가", "이"),
    ("합성곱(convolution)", "를", "을"), ("필터(filter)", "을", "를"), ('`"same"`', "는", "은"),
    ("CNN [LeCun et al., 2015]", "는", "은"), ("이미지는 [0, 1]", "으로", "로"),
    ("[y1, x1, y2, x2]", "으로", "로"), ("[[-1, 1], [-1, 1]]", "를", "을"), ("3", "로는", "으로는"),
    ("1", "이나", "이나"), ("5", "이나", "나"),
]


@pytest.mark.parametrize(("before", "typed", "right"), CASES)
def test_the_particle_follows_the_reading(before, typed, right):
    assert fix_particles(before, typed + " 바꿉니다") == right + " 바꿉니다"


@pytest.mark.parametrize("text", ["3가지", "5개를", "2이다", "1이면", "3으로써는 안", "x86_64에서",
                                  "평가 결과", "가을", "0의", "7로그"])
def test_what_is_no_particle_stays(text):
    assert fix_particles("값 ", text) == text


def test_unknown_names_and_hangul_words_keep_the_translators_particle():
    assert fix_particles("some_helper", "를 부릅니다") == "를 부릅니다"  # no reading: untouched
    assert fix_particles("", "신경망를") == "신경망를"  # in one text: the catalogue's (checked)
    assert fix_particles("평범한 신경망", "를 보세요") == "을 보세요"  # a link's title before it


@pytest.mark.parametrize(("text", "syllable"), [
    ("1,010", "십"), ("1,001", "일"), ("100,000", "만"), ("120,000,000", "만"), ("300,000,000", "억"),
    ("3.15.1", "일"), ("7x7x32", "이"), ("55 UTC", "시"), ("x", "스"), ("np.moveaxis", "스"),
    ("신경망", "망")])
def test_readings(text, syllable):
    assert last_syllable(text) == syllable


def test_rieul_takes_ro_and_other_codas_take_euro():
    assert [particle_after(s, "으로") for s in "칠일팔삼십만영"] == ["로"] * 3 + ["으로"] * 4
    assert [particle_after(s, "를") for s in "사오구영"] == ["를"] * 3 + ["을"]


@needs_tossi
@pytest.mark.parametrize("particle", ["을", "은", "이", "과", "으로"])
def test_numbers_read_as_tossi_reads_them(particle):
    """Every integer to 100,000 and decimals: the same particle as the independent reader."""
    numbers = [str(n) for n in range(100_001)] + [f"{n / 1000:.3f}" for n in range(0, 10_000, 7)]
    numbers += [f"{n:.1f}" for n in (0.0, 1.0, 12.5, 99.9)] + ["10" * k for k in range(1, 9)]
    wrong = [n for n in numbers
             if particle_after(last_syllable(f"{int(n):,}" if n.isdigit() else n), particle)
             != tossi.pick(n, particle)]
    assert not wrong, wrong[:20]


@pytest.mark.parametrize(("shown", "power", "korean"), [
    ("62.4", 6, "6,240만"), ("60", 6, "6,000만"), ("1.2", 6, "120만"), ("1.14", 9, "11.4억"),
    ("0.72", 9, "7.2억"), ("12,345", 0, "1.2345만"), ("250", 12, "250조"), ("999", 0, "999")])
def test_counts_in_man_and_eok(shown, power, korean):
    assert korean_units(Decimal(shown.replace(",", "")).scaleb(power)) == korean
    assert korean in unit_renderings(shown)


def test_a_korean_unit_is_the_only_change_a_glued_value_may_take():
    english = "about {glue:text}`alexnet_params_millions:.1f` million"
    assert message_problems(english, "약 {glue:text}`alexnet_params_millions:.1f|e6` 개", False) == []
    for changed in ("{glue:text}`alexnet_params:.1f|e6`", "{glue:text}`alexnet_params_millions:.2f|e6`",
                    "{glue:text}`alexnet_params_millions:.1f|x6`"):
        assert message_problems(english, f"약 {changed} 개", False), changed


# --- the built Korean pages ------------------------------------------------------------------------

KOREAN = BUILT_HTML / "ko"
PARTICLE = r"(이나|이랑|으로|[은는이가을를과와나랑로])(?![\uac00-\ud7a3])"
#: A number as a page shows it, right before a particle (not inside a word: conv5, x86_64).
NUMBER_PARTICLE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?%?)" + PARTICLE)
NAME_PARTICLE = re.compile(r"(?<![\w.-])([A-Za-z][\w.-]*[A-Za-z0-9])" + PARTICLE)
HEDGE = re.compile(r"을\(를\)|를\(을\)|\(으\)로|이\(가\)|가\(이\)|은\(는\)|는\(은\)|과\(와\)|와\(과\)"
                   r"|\((?:을|를|이|가|은|는|과|와|으)\)")
#: After a final consonant 를 and 와 are never right (신경망를): no word of Korean ends so.
AFTER_CONSONANT = re.compile(r"([\uac00-\ud7a3])(를|와)(?![\uac00-\ud7a3])")


def korean_page_texts() -> dict[str, str]:
    if not (KOREAN / "index.html").is_file():
        pytest.skip("the Korean edition is not built (make book)")
    texts = {}
    for page in sorted(KOREAN.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf8"), "html.parser")
        for node in soup.select("pre, script, style, .math, div.highlight"):
            node.decompose()
        texts[str(page.relative_to(KOREAN))] = re.sub(r"\s+", " ", soup.get_text())
    return texts


def number_pairs(texts):
    for page, text in texts.items():
        for match in NUMBER_PARTICLE.finditer(text):
            yield page, match.group(1), match.group(2), text[max(0, match.start() - 30):match.end() + 5]


@pytest.mark.built_book
@needs_tossi
def test_no_number_on_a_korean_page_takes_the_wrong_particle():
    """Judged by tossi (a percentage read as 퍼센트), not by the module that chose them."""
    wrong, pairs = [], 0
    for page, number, particle, context in number_pairs(korean_page_texts()):
        pairs += 1
        spoken = "퍼센트" if number.endswith("%") else number.replace(",", "")
        if tossi.pick(spoken, particle) != particle:
            wrong.append(f"{page}: ...{context}")
    assert pairs >= 150, f"only {pairs} number-particle pairs found"
    assert not wrong, f"{len(wrong)} of {pairs} numbers with the wrong particle:\n" + "\n".join(wrong)


@pytest.mark.built_book
def test_no_name_on_a_korean_page_takes_the_wrong_particle():
    """Latin names the reader knows (READINGS, acronyms): as cnnbook.korean reads them."""
    wrong = []
    for page, text in korean_page_texts().items():
        for match in NAME_PARTICLE.finditer(text):
            syllable = last_syllable(match.group(1))
            if syllable and particle_after(syllable, match.group(2)) != match.group(2):
                wrong.append(f"{page}: ...{text[max(0, match.start() - 30):match.end() + 5]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.built_book
def test_no_hedged_particle_and_no_particle_a_consonant_cannot_take():
    found = []
    for page, text in korean_page_texts().items():
        for pattern in (HEDGE, AFTER_CONSONANT):
            for match in pattern.finditer(text):
                if pattern is HEDGE or (ord(match.group(1)) - 0xAC00) % 28:
                    found.append(f"{page}: ...{text[max(0, match.start() - 30):match.end() + 5]}")
    assert not found, "\n".join(found)


def _transformed(*children, language="ko"):
    """A paragraph of ``children`` after :class:`KoreanParticles`, as its text."""
    from types import SimpleNamespace

    from docutils import nodes
    from docutils.utils import new_document

    from cnnbook.korean import KoreanParticles

    document = new_document("page")
    document.settings.env = SimpleNamespace(config=SimpleNamespace(language=language))
    document += nodes.paragraph("", "", *children)
    KoreanParticles(document).run()
    return document.astext()


def test_the_transform_reads_pasted_values_code_and_links_but_leaves_code_alone():
    from docutils import nodes

    children = lambda: [  # noqa: E731
        nodes.Text("공식은 "), nodes.inline("2.33", "2.33", classes=["pasted-text"]),
        nodes.Text("를 주고 "), nodes.literal("MaxPool2D", "MaxPool2D"), nodes.Text("을 쓰며 "),
        nodes.literal("x가", "x가"), nodes.Text(" "),
        nodes.reference("", "", nodes.inline("평범한 신경망", "평범한 신경망")), nodes.Text("를 보세요.")]
    assert _transformed(*children()) == "공식은 2.33을 주고 MaxPool2D를 쓰며 x가 평범한 신경망을 보세요."
    assert _transformed(*children(), language="en") == \
        "공식은 2.33를 주고 MaxPool2D을 쓰며 x가 평범한 신경망를 보세요."


@pytest.mark.built_book
def test_large_counts_are_in_man_and_eok():
    """약 6,240만 개, not 62.4백만 개: no count in 백만/십억 on a Korean page."""
    texts = korean_page_texts()
    western = [f"{page}: {m.group(0)}" for page, text in texts.items()
               for m in re.finditer(r"\d[\d,.]*\s?(백만|십억|천만)", text)]
    assert not western, western
    assert re.search(r"\d,\d{3}만 개", texts["book/alexnet.html"])


def test_a_translated_table_cell_takes_the_particle_of_the_number_put_back():
    """A table cell's translation is a template ({0}와): the particle follows the number the
    cell shows, not the one the translator had in mind."""
    from cnnbook.translated_outputs import translate_text

    catalogue = {(None, "strides > {0} is incompatible with dilation_rate > {1}"):
                 "strides > {0}는 dilation_rate > {1}와 함께 쓸 수 없습니다."}
    shown = translate_text("strides > 1 is incompatible with dilation_rate > 1", catalogue)
    assert shown == "strides > 1은 dilation_rate > 1과 함께 쓸 수 없습니다."
    shown = translate_text("strides > 2 is incompatible with dilation_rate > 2", catalogue)
    assert shown == "strides > 2는 dilation_rate > 2와 함께 쓸 수 없습니다."
