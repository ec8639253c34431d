"""Words that agree with the figures: captions and alt texts name no colour or line style by
hand. A caption names them through ``{figword}`` (cnnbook.figure_words), which reads the style
from the figure module's own constant; an alt text (plain text, no roles) says less. The few
words typed for a colour map (a digit "white on black" in the grey map, the filters' red and
blue) are listed below, each checked against the drawing function's code."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
import yaml

from cnnbook import figure_words
from cnnbook.figures import theme

BOOK = Path(__file__).resolve().parents[1] / "book"
COLOUR_WORDS = ("red", "orange", "blue", "green", "vermilion", "purple", "yellow", "grey", "gray",
                "black", "white")
STYLE_WORDS = ("dashed", "dotted", "solid")
WORDS = re.compile(r"\b(" + "|".join(COLOUR_WORDS + STYLE_WORDS) + r")\b", re.IGNORECASE)
FIGWORD = re.compile(r"\{figword\}`([^`]*)`")

#: (figure name, word) typed by hand: (function that draws the figure, what of its code makes
#: the word true, why the word cannot come from a constant).
TYPED = {
    **{(figure, word): ("feature_maps.map_panels", 'cmap: str = "gray"',
                        "maps drawn in the grey colour map: dark is low, white is high")
       for figure, words in {"fig-real-digit-input": ("white", "black"),
                             "fig-real-digit-conv-maps": ("grey", "black", "white"),
                             "fig-real-digit-trained-maps": ("grey", "black", "white"),
                             "fig-lenet-c1-maps": ("grey",)}.items() for word in words},
    **{("fig-real-digit-trained-filters", word): ("feature_maps.filter_panels", 'cmap="RdBu_r"',
                                                  "weights in a red-white-blue colour map, white at zero")
       for word in ("red", "white", "blue")},
    ("fig-digit-grid", "white"): ("curves.digit_grid", 'cmap="gray_r"',
                                  "digits in the reversed grey map: dark ink on white"),
    ("fig-size-strides", "dashed"): ("diagrams.stride_positions", 'linestyle="--"',
                                     "the next position's outline: a one-off line in the drawing"),
}


def figure_texts() -> list[tuple[str, str, str, str]]:
    """(page, figure name, "caption" or "alt", text) of every figure cell of the book."""
    found = []
    for page in sorted(BOOK.glob("*.md")):
        source = page.read_text(encoding="utf8")
        for match in re.finditer(r"```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n", source, re.S):
            options = (yaml.safe_load(match.group(1)) or {}).get("mystnb") or {}
            figure, image = options.get("figure") or {}, options.get("image") or {}
            for kind, text in (("caption", figure.get("caption")), ("alt", image.get("alt"))):
                if text:
                    found.append((page.stem, figure.get("name", "?"), kind, str(text)))
    return found


def test_captions_and_alts_name_colours_and_line_styles_only_from_the_figures():
    texts = figure_texts()
    assert len(texts) >= 60, f"only {len(texts)} captions and alt texts found"
    typed = []
    for page, figure, kind, text in texts:
        for word in WORDS.findall(FIGWORD.sub("", text)):
            if (figure, word.lower()) not in TYPED:
                typed.append(f"{page} {figure} ({kind}): {word!r}")
    assert not typed, ("colour or line-style words typed by hand (a caption: {figword}, an alt "
                       "text: say less):\n" + "\n".join(typed))


@pytest.mark.parametrize("key", sorted(TYPED), ids=lambda key: f"{key[0]}-{key[1]}")
def test_each_typed_word_is_what_the_function_draws(key):
    function, fragment, reason = TYPED[key]
    module, name = function.split(".")
    code = inspect.getsource(getattr(importlib.import_module(f"cnnbook.figures.{module}"), name))
    assert fragment in code, f"{key}: {reason}, but {function} no longer has {fragment!r}"
    assert any(key[1] in text.lower() for _, figure, _, text in figure_texts() if figure == key[0]), \
        f"{key} is allowed but no longer used: drop it"


def test_every_figword_in_the_book_names_a_style():
    roles = [(page.stem, text) for page in BOOK.glob("*.md")
             for text in FIGWORD.findall(page.read_text(encoding="utf8"))]
    assert len(roles) >= 6, roles
    for page, text in roles:
        for language in ("en", "ko"):
            assert figure_words.word(figure_words.resolve(text), language), (page, text)


def test_the_palette_has_okabe_and_itos_names():
    assert [theme.colour_name(f"C{n}") for n in range(8)] == [
        "blue", "orange", "bluish green", "vermilion", "reddish purple", "sky blue", "yellow", "black"]
    assert theme.colour_name("#E69F00") == "orange" and theme.colour_name("#D55E00") == "vermilion"
    assert theme.colour_name("0.5") == "grey" and theme.colour_name("red") == "red"
    with pytest.raises(ValueError):
        theme.colour_name("#123456")  # not of the palette: a caption could not name it


def test_figword_reads_the_figure_modules_constants():
    from cnnbook.figures import curves, resnet

    assert figure_words.word(figure_words.resolve("curves.CURVES.test_.2")) == \
        theme.LINE_STYLE_NAMES[curves.CURVES["test_"][2]]
    assert figure_words.word(figure_words.resolve("resnet.NET_COLOURS.0")) == \
        theme.colour_name(resnet.NET_COLOURS[0])
    assert figure_words.word("C3", "ko") == "주홍색" and figure_words.word("o:", "ko") == "점선"
    assert set(figure_words.KOREAN) >= set(theme.COLOUR_NAMES.values()) | set(theme.LINE_STYLE_NAMES.values())
    with pytest.raises(AttributeError):
        figure_words.resolve("resnet.NO_SUCH_STYLE")
