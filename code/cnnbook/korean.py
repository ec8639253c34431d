"""Korean particles chosen from how the word before them is read, and large counts in 만/억.

A Korean particle has two forms, chosen by the sound the word before it ends with: 은/는, 이/가,
을/를, 과/와, 이나/나, 이랑/랑 (the first after a final consonant), 으로/로 (로 also after ㄹ). A
translation types the particle once, but a glued value is only known at build time, so "2.33를"
(삼 -> 을) or "7으로" (칠 -> 로) slipped through. :class:`KoreanParticles`, a post-transform of
the Korean edition that runs after myst-nb pasted the glued values, reads the word before each
particle as a Korean reader says it and corrects the particle:

- a number by its last digit or place: 2.33 -> 삼, 10 -> 십, 60,000 -> 만, 0 -> 영; a
  percentage as 퍼센트; ``28 x 28``, ``(1, 28, 28, 1)`` and ``Keras 3`` by their last number;
- a Latin name by its Korean reading (:data:`READINGS`: LeNet-5 -> 르넷 파이브, ReLU -> 렐루),
  an acronym or a name ending in a capital by its last letter (CNN -> 엔, Conv2D -> 디);
- a word followed by a parenthesis or a citation (``합성곱(convolution)``) by the word; a
  link's text ({doc}'s title, which the translator did not see) by its last syllable.

Words it cannot read (a code name not in the table) keep the particle the translator chose.
Why not a library: tossi 0.3.1 (2017) reads numbers and Hangul, but a percentage by its digits
(99.18% -> 팔 -> 을, where a reader says 퍼센트 -> 를), and no Latin name (it hedges "을(를)");
kiwipiepy would load a language model at every build for a few particles. The tests use tossi
as an independent reader of the numbers.

:class:`KoreanUnits` lets a Korean message show a large count in 만/억: ``{glue:text}`key:spec|e6```
takes the value as the English page shows it (``key:spec``, e.g. 62.4 for "62.4 million"),
times 10**6, written in Korean units (6,240만). ``|eN`` is the only thing a Korean message may
add to a role (:data:`UNIT_SUFFIX`, which the catalogue check allows).
"""

from __future__ import annotations

import re
from decimal import Decimal

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

#: Korean readings of Latin names and code words (what matters is the last syllable).
READINGS = {
    "lenet-5": "르넷파이브", "lenet": "르넷", "keras": "케라스", "resnet": "레즈넷",
    "alexnet": "알렉스넷", "vggnet": "브이지지넷", "googlenet": "구글넷", "imagenet": "이미지넷",
    "relu": "렐루", "mnist": "엠니스트", "iou": "아이오유", "map": "엠에이피", "tensorflow": "텐서플로",
    "numpy": "넘파이", "python": "파이썬", "pytorch": "파이토치", "adam": "아담", "sgd": "에스지디",
    "hubel": "허블", "wiesel": "비셀", "lecun": "르쿤", "hinton": "힌턴", "sun": "선",
    "burges": "버지스", "voc": "브이오시", "tanh": "탄에이치", "softmax": "소프트맥스",
    "mib": "메비바이트", "ms": "밀리초", "utc": "유티시", "onednn": "원디엔엔", "x": "엑스",
    "valid": "밸리드", "same": "세임", "zeros": "제로스", "true": "트루", "false": "폴스",
    "none": "논", "name": "네임", "train": "트레인", "seed": "시드", "padding": "패딩",
    "strides": "스트라이즈", "filters": "필터스", "flatten": "플래튼", "dense": "덴스",
    "learning": "러닝", "gradient": "그레이디언트", "encode": "인코드", "decode": "디코드",
    "predict": "프레딕트", "evaluate": "이밸류에이트", "check": "체크", "register": "레지스터",
    "glue": "글루", "geometry": "지오메트리", "size": "사이즈", "shape": "셰이프",
    "moveaxis": "무브액시스", "swapaxes": "스왑액시스", "replace": "리플레이스", "im2col": "임투콜",
    "cnnbook": "시엔엔북", "npz": "엔피지", "layer": "레이어", "bench": "벤치", "fastest": "패스티스트",
    "propose": "프로포즈", "constant": "콘스턴트", "henormal": "히노멀", "nbytes": "엔바이츠",
    "deep": "딥", "conv": "콘브", "positions": "포지션스", "params": "파람스", "grid": "그리드",
}
#: Latin letters as Korean spells them (an acronym is read letter by letter: CNN -> 씨엔엔).
LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    "에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 더블유 엑스 "
    "와이 제트").split()))
DIGITS = "영일이삼사오육칠팔구"
#: The place a number ends on, by its trailing zeros: 10 십, 100 백, 1,000 천, 10,000 만, 10^8 억.
PLACES = {1: "십", 2: "백", 3: "천", 4: "만", 8: "억", 12: "조"}

#: A particle (first form after a consonant, second after a vowel), then what may follow 으로/로.
PAIRS = {"은": "는", "이": "가", "을": "를", "과": "와", "이나": "나", "이랑": "랑", "으로": "로"}
FORMS = {form: pair for pair in PAIRS.items() for form in pair}
PARTICLE = re.compile(r"(이나|이랑|으로|[은는이가을를과와나랑로])((?<=로)(?:서|써|는|도|부터|의|만))?"
                      r"(?![\uac00-\ud7a3])")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CITATION = re.compile(r"[^\[\]]*[A-Za-z][^\[\]]*, \d{4}[a-z]?")
UNIT_SUFFIX = re.compile(r"\|e(\d{1,2})$")


def _coda(syllable: str) -> int:
    """The final consonant of a Hangul syllable as its index (0: none, 8: ㄹ)."""
    return (ord(syllable) - 0xAC00) % 28


def read_number(token: str) -> str | None:
    """The last syllable of a number as said in Korean (2.33 -> 삼, 60,000 -> 만, 7% -> 트)."""
    if token.endswith("%"):
        return "트"  # 퍼센트
    match = re.search(r"(\d[\d,]*)(\.\d+)?$", token)
    if match is None:
        return None
    if match.group(2):  # a decimal is read digit by digit after the point
        return DIGITS[int(match.group(2)[-1])]
    digits = match.group(1).replace(",", "")
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == len(digits):
        return "영"
    if zeros == 0:
        return DIGITS[int(digits[-1])]
    return PLACES[max(place for place in PLACES if place <= zeros)]


def read_latin(token: str) -> str | None:
    """The last syllable of a Latin name or code word as said in Korean, None if unknown."""
    low = token.lower()
    for key in (low, re.split(r"[._]", low)[-1], re.split(r"[._\-]", low)[-1]):
        if key in READINGS:
            return READINGS[key][-1]
    if re.fullmatch(r"[A-Z]+|[A-Z]*[a-z]?\w*\d[A-Z]|[A-Za-z]", token.split(".")[-1].split("-")[-1]):
        return LETTERS[low[-1]][-1]  # CNN, R-CNN, Conv2D, x: spelled out
    return None


def _last_word(text: str) -> str:
    """What a particle attaches to: the last word of ``text``, past a closing quote, parenthesis
    or citation (``합성곱(convolution)`` -> 합성곱; ``(1, 28, 28, 1)``, ``[0, 1]`` -> 1)."""
    while True:
        text = text.rstrip("'\"`’”*")
        if not text or text[-1] not in ")]":
            break
        opening = "(" if text[-1] == ")" else "["
        depth, start = 0, None
        for index in range(len(text) - 1, -1, -1):
            depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(text[index], 0)
            if depth == 0:
                start = index
                break
        if start is None or text[start] != opening:
            return ""
        before, inside = text[:start], text[start + 1:-1]
        if opening == "[" and CITATION.fullmatch(inside):
            text = before.rstrip()  # "ResNet [He et al., 2016]": the name, not the citation
        elif opening == "(" and before and not before[-1].isspace():
            text = before  # "합성곱(convolution)": the word, not its aside
        else:
            text = inside  # a tuple or list: its last item
    match = re.search(r"[^\s(\[{/]+$", text)
    return match.group(0).strip("'\"`‘“,") if match else ""


def last_syllable(text: str) -> str | None:
    """How the text before a particle ends when read aloud in Korean (one Hangul syllable), or
    None when it cannot be told."""
    word = _last_word(text)
    if not word:
        return None
    if HANGUL.fullmatch(word[-1]):
        return word[-1]
    known = read_latin(word) if re.search(r"[A-Za-z]", word) else None
    return known or read_number(word)


def particle_after(syllable: str, particle: str) -> str:
    """``particle`` in the form that follows ``syllable`` (삼 + 를 -> 을, 칠 + 으로 -> 로)."""
    after_consonant, after_vowel = FORMS[particle]
    coda = _coda(syllable)
    if after_consonant == "으로":
        return after_vowel if coda in (0, 8) else after_consonant
    return after_consonant if coda else after_vowel


def fix_particles(before: str, text: str) -> str:
    """``text`` with each particle that directly follows a readable number or name in the
    right form; ``before`` is what precedes ``text`` in its paragraph."""
    out, done = [], 0
    for match in PARTICLE.finditer(text):
        start = match.start()
        preceding = before + text[:start]
        if not preceding or preceding[-1].isspace() or (start and HANGUL.fullmatch(preceding[-1])):
            continue  # after a Hangul word in the same text: the translator's (가을 is no 가+을)
        syllable = last_syllable(preceding)
        if syllable is None:
            continue
        out += [text[done:start], particle_after(syllable, match.group(1))]
        done = match.end(1)
    return "".join(out) + text[done:]


_SKIP = (nodes.literal_block, nodes.math_block, nodes.raw, nodes.comment, nodes.Inline)
_FIXED = (nodes.literal, nodes.math, nodes.raw)


class KoreanParticles(SphinxPostTransform):
    """The Korean edition's particles after glued values, numbers and names (see above)."""

    #: after myst-nb pasted the glued values (5) and Sphinx resolved {doc} titles (10)
    default_priority = 20

    def run(self, **kwargs) -> None:
        if self.config.language != "ko":
            return
        for block in list(self.document.findall(nodes.TextElement)):
            if isinstance(block, _SKIP):
                continue
            seen = ""
            for text in list(block.findall(nodes.Text)):
                fixed = any(isinstance(parent, _FIXED) for parent in _ancestors(text, block))
                if not fixed and (new := fix_particles(seen, str(text))) != str(text):
                    text.parent.replace(text, nodes.Text(new))
                seen += str(text)


def _ancestors(node, stop):
    while node is not None and node is not stop:
        node = node.parent
        yield node


def korean_units(number: Decimal) -> str:
    """A count in Korean units: 62400000 -> 6,240만, 1140000000 -> 11.4억, 120 -> 120."""
    for power, unit in ((12, "조"), (8, "억"), (4, "만")):
        if abs(number) >= Decimal(10) ** power:
            scaled = (number / Decimal(10) ** power).normalize()
            return f"{scaled:,f}{unit}"
    return f"{number.normalize():,f}"


def unit_renderings(shown: str) -> list[str]:
    """What ``|eN`` may make of a value shown as ``shown`` (for tests): one per N."""
    try:
        value = Decimal(shown.replace(",", ""))
    except ArithmeticError:
        return []
    return [korean_units(value.scaleb(power)) for power in (0, 3, 6, 9, 12)]


class KoreanUnits(SphinxPostTransform):
    """``{glue:text}`key:spec|eN``` of a Korean message: the English rendering x 10**N in 만/억."""

    default_priority = 4  # before myst-nb resolves the pending glue reference (5)

    def run(self, **kwargs) -> None:
        from myst_nb.core.variables import format_plain_text
        from myst_nb.ext.glue.crossref import read_glue_cache
        from myst_nb.ext.glue.utils import PendingGlueReference

        folder = self.env.mystnb_config.output_folder
        for node in list(self.document.findall(PendingGlueReference)):
            spec = node.get("fmt_spec") or ""
            if not (unit := UNIT_SUFFIX.search(spec)):
                continue
            plain = read_glue_cache(folder, node.refdoc)[node.key]["data"]["text/plain"]
            shown = format_plain_text(plain, spec[: unit.start()])
            value = Decimal(shown.replace(",", "")).scaleb(int(unit.group(1)))
            text = korean_units(value)
            node.replace_self(nodes.inline(text, text, classes=["pasted-text"]))


def setup(app):
    """Both transforms, for the Korean edition (``cnnbook.editions`` sets this extension up)."""
    app.add_post_transform(KoreanUnits)
    app.add_post_transform(KoreanParticles)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
