"""Argument tables for Keras layers, read from the installed Keras when the book is built.

A table typed by hand goes stale with the next Keras release (the lecture's own table already
differs from today's docstrings). Here the defaults come from ``inspect.signature`` and the
meanings from the "Args:" section of the class docstring, so the table always describes the
Keras that ran the book.
"""

from __future__ import annotations

import inspect
import re

from cnnbook.runtime import keras

#: Shown in the default column for an argument that has none.
REQUIRED = "(required)"
#: Shown as the meaning when no docstring in the class hierarchy documents the argument.
UNDOCUMENTED = "(not documented)"
#: A meaning keeps whole sentences up to about this many characters (always at least one).
SUMMARY_CHARS = 160

# "    name: text" at the indent of the first entry; deeper lines continue the entry.
_ENTRY = re.compile(r"^(\s*)(\*{0,2}\w+):\s*(.*)$")
# A sentence ends at ". " before a capital letter, a quote or a backtick (not "e.g. used").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'])")


def docstring_args(doc: str | None) -> dict[str, str]:
    """The entries of a Google-style "Args:" section, as {name: text on one line}."""
    lines = inspect.cleandoc(doc or "").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() in ("Args:", "Arguments:"))
    except StopIteration:
        return {}
    entries: dict[str, list[str]] = {}
    indent, name = None, None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if indent is None:
            indent = width
        if width < indent:  # the section ended (e.g. "Input shape:" at the outer indent)
            break
        match = _ENTRY.match(line)
        if width == indent and match:
            name = match.group(2).lstrip("*")
            entries[name] = [match.group(3)]
        elif name is not None:
            entries[name].append(line.strip())
    return {key: " ".join(" ".join(parts).split()) for key, parts in entries.items()}


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence of ``text``, plus following ones while the whole stays short.

    Backticks are dropped: the table shows plain text, and the quotes around string values
    such as "same" are kept.
    """
    sentences = _SENTENCE_END.split(text.replace("`", "").strip())
    kept = sentences[:1]
    for sentence in sentences[1:]:
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def argument_rows(layer_class: type) -> list[dict]:
    """One row per named argument of ``layer_class``: argument, default and meaning.

    Defaults are the ``repr`` of the signature's default (REQUIRED if there is none). A
    meaning comes from the class's own docstring or, for arguments every layer takes (such
    as ``name``), from the first base class whose docstring documents it.
    """
    documented: dict[str, str] = {}
    for klass in reversed(inspect.getmro(layer_class)):  # the class itself wins
        documented.update(docstring_args(klass.__doc__))
    rows = []
    for parameter in inspect.signature(layer_class).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        empty = parameter.default is inspect.Parameter.empty
        rows.append(
            {
                "argument": parameter.name,
                "default": REQUIRED if empty else repr(parameter.default),
                "meaning": summary(documented[parameter.name])
                if parameter.name in documented
                else UNDOCUMENTED,
            }
        )
    return rows


def conv2d_rows() -> list[dict]:
    """The argument table of the installed ``keras.layers.Conv2D``."""
    return argument_rows(keras.layers.Conv2D)


def maxpool2d_rows() -> list[dict]:
    """The argument table of the installed ``keras.layers.MaxPool2D``."""
    return argument_rows(keras.layers.MaxPool2D)
