"""The words inside a figure, per edition: each text of a stored figure as a template with its
numbers as placeholders, translated through a catalogue, and put back with the same numbers.

A figure's labels mix words and computed values ("padding 1: 30 x 30 x 6"). The catalogue holds
the template ("padding {0}: {1} x {2} x {3}" -> "패딩 {0}: {1} x {2} x {3}"), so a rebuild whose
numbers change needs no new translation, and a value is never translated by hand. Math
(``$...$``) is a placeholder too. The catalogue is ``locales/<lang>/LC_MESSAGES/figures.po``;
``python -m cnnbook.figure_text STORE PO`` adds the templates of the stored figures to it.
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict
from pathlib import Path

#: What a template keeps as a placeholder: math, then numbers (signs, separators, decimals, %).
_VALUE = re.compile(r"\$[^$]*\$|(?<![A-Za-z\d._-])[-\u2212+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
                    r"(?:\.\d+)?(?:e[-+]?\d+)?%?")
_SLOT = re.compile(r"\{(\d+)\}")
#: Latin words that stay as they are in every edition: names of networks, data sets, methods,
#: and Keras's layer classes. A word with a digit or an underscore is an identifier (conv1,
#: conv2d_1, LeNet-5) and a single letter a symbol (x, F(x)): both stay too.
NAMES = frozenset("""
MNIST CIFAR ImageNet ILSVRC ReLU tanh CNN CNNs MLP LeNet AlexNet VGG ResNet GoogLeNet R-CNN RPN
RoI IoU NMS AP mAP Fast Faster Keras TensorFlow softmax SGD Adam RMS ms Conv2D MaxPooling2D
AveragePooling2D ZeroPadding2D Dense Dropout Flatten Rescaling BatchNormalization Activation
""".split())
#: A layer as Keras names it, ``name\n(Class)``: an identifier the code prints, kept as is.
LAYER = re.compile(r"\w+\s+\([A-Z]\w*\)")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def template(text: str) -> tuple[str, list[str]]:
    """``text`` with each number and each piece of math as ``{i}``, and those values in order."""
    values: list[str] = []

    def slot(match):
        values.append(match.group(0))
        return f"{{{len(values) - 1}}}"

    return _VALUE.sub(slot, text), values


def fill(translated: str, values: list[str]) -> str:
    """A translated template with the values put back (a slot the translation dropped stays
    dropped; one it repeats is repeated)."""
    return _SLOT.sub(lambda m: values[int(m.group(1))], translated)


def _is_name(token: str) -> bool:
    parts = [part for part in token.split("-") if part]
    return all(part in NAMES or len(part) == 1 or re.search(r"[\d_]", part) for part in parts)


def latin_words(text: str) -> list[str]:
    """The Latin words of ``text`` outside math, names, identifiers and symbols."""
    if LAYER.fullmatch(text.strip()):
        return []
    return [t for t in _TOKEN.findall(re.sub(r"\$[^$]*\$", " ", text)) if not _is_name(t)]


def needs_translation(text: str) -> bool:
    """Whether ``text`` has a word to translate (numbers, math and names alone need none)."""
    return bool(latin_words(text))


class Translator:
    """Templates -> translations of one language; ``missing`` collects what it lacked."""

    def __init__(self, messages: dict[str, str]):
        self.messages = messages
        self.missing: set[str] = set()

    def __call__(self, text: str) -> str:
        if not needs_translation(text):
            return text
        key, values = template(text)
        translated = self.messages.get(key)
        if not translated:
            self.missing.add(key)
            return text
        return fill(translated, values)


def read_catalogue(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (translated, not fuzzy messages only)."""
    from babel.messages.pofile import read_po

    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf8") as stream:
        catalog = read_po(stream)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def tick_labels(fig) -> set[int]:
    """ids of the tick labels of ``fig``: drawn from each axis's formatter, not set one by one."""
    found = set()
    for ax in fig.axes:
        for axis in ax._axis_map.values():
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                found.update((id(tick.label1), id(tick.label2)))
    return found


def figure_texts(fig) -> list[str]:
    """Every string ``fig`` shows that a reader reads: texts, titles, labels, legends, and the
    labels of categorical or fixed ticks (numeric ticks are the formatter's numbers)."""
    from matplotlib.text import Text

    skip = tick_labels(fig)
    texts = [t.get_text() for t in fig.findobj(Text) if id(t) not in skip and t.get_text().strip()]
    for axis in _axes_of(fig):
        texts.extend(str(label) for label in _fixed_labels(axis))
    return texts


def _axes_of(fig):
    return [axis for ax in fig.axes if ax.get_visible() for axis in ax._axis_map.values()]


def _fixed_labels(axis) -> list:
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.ticker import FixedFormatter

    formatter = axis.get_major_formatter()
    if isinstance(formatter, FixedFormatter):
        return list(formatter.seq)
    if isinstance(formatter, StrCategoryFormatter):
        return list(formatter._units)
    if (labels := _labels_by_tick(formatter)) is not None:
        return list(labels.values())
    return []


def _labels_by_tick(formatter) -> dict | None:
    """The labels ``set_xticks(ticks, labels)`` gave: matplotlib keeps them in a FuncFormatter
    of ``Axis._format_with_dict`` and a {tick: label} dict."""
    import functools

    func = getattr(formatter, "func", None)
    if isinstance(func, functools.partial) and getattr(func.func, "__name__", "") == "_format_with_dict":
        return func.args[0]
    return None


def translate_figure(fig, translate) -> None:
    """Replace every string of ``fig`` (as :func:`figure_texts` finds them) by ``translate(s)``."""
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter

    skip = tick_labels(fig)
    for text in fig.findobj(Text):
        if id(text) not in skip and text.get_text().strip():
            text.set_text(translate(text.get_text()))
    for axis in _axes_of(fig):
        formatter = axis.get_major_formatter()
        if isinstance(formatter, FixedFormatter):
            formatter.seq = [translate(str(label)) for label in formatter.seq]
        elif isinstance(formatter, StrCategoryFormatter):
            mapping = OrderedDict((translate(str(k)), v) for k, v in formatter._units.items())
            axis.units._mapping = formatter._units = mapping
        elif (labels := _labels_by_tick(formatter)) is not None:
            for tick, label in labels.items():
                labels[tick] = translate(str(label))


def templates_of(figures) -> dict[str, str]:
    """Template -> an example text, for every string to translate in ``figures``."""
    found = {}
    for fig in figures:
        for text in figure_texts(fig):
            if needs_translation(text):
                found.setdefault(template(text)[0], text)
    return found


def update_catalogue(store: Path, po_path: Path) -> tuple[int, int]:
    """Add the templates of every figure in ``store`` to ``po_path`` (translations kept).
    Returns (templates found, of them untranslated)."""
    import pickle

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    figures = []
    for path in sorted(Path(store).glob("*.pickle")):
        figures.append(pickle.loads(path.read_bytes()))
    found = templates_of(figures)
    if po_path.is_file():
        with open(po_path, encoding="utf8") as stream:
            catalog = read_po(stream)
    else:
        catalog = Catalog(locale=po_path.parent.parent.name, project="cnnbook figures", fuzzy=False,
                          header_comment="# The words inside the book's figures, as templates.")
    for key, example in sorted(found.items()):
        if key not in catalog:
            catalog.add(key, "", auto_comments=[f"e.g. {example!r}"] if example != key else [])
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with open(po_path, "wb") as stream:
        write_po(stream, catalog, width=0, omit_header=False, sort_output=True)
    untranslated = sum(1 for key in found if not catalog[key].string)
    return len(found), untranslated


if __name__ == "__main__":
    total, left = update_catalogue(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{total} figure templates, {left} untranslated, in {sys.argv[2]}")
