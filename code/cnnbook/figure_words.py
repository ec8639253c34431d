"""Words that agree with the figures: a caption names a colour or a line style through the role
``{figword}`resnet.NET_COLOURS.0` ``, which reads the style from the figure module's own
constant (here ``cnnbook.figures.resnet.NET_COLOURS[0]``, the colour the function draws the deep
plain network with) and writes its name in the page's language: "vermilion", "dotted";
"주홍색", "점선" in the Korean edition.

A caption that typed "red" went on saying so after the line turned orange; a named style cannot
drift from the drawing. ``tests/test_figure_words.py`` fails on a colour or line-style word typed
in a caption or alt text (alt texts cannot hold a role: they say less).
"""

from __future__ import annotations

import importlib

from cnnbook.figures import theme

#: The Korean names of theme.COLOUR_NAMES and theme.LINE_STYLE_NAMES, and of the grey levels.
KOREAN = {
    "blue": "파란색", "orange": "주황색", "bluish green": "청록색", "vermilion": "주홍색",
    "reddish purple": "자주색", "sky blue": "하늘색", "yellow": "노란색", "black": "검은색",
    "grey": "회색", "red": "빨간색", "white": "흰색",
    "solid": "실선", "dashed": "파선", "dotted": "점선", "dash-dotted": "일점쇄선",
}


def resolve(path: str):
    """The value a role names: ``module.NAME.key...`` in ``cnnbook.figures`` (a key that is a
    number indexes a sequence)."""
    module, name, *keys = path.strip().split(".")
    value = getattr(importlib.import_module(f"cnnbook.figures.{module}"), name)
    for key in keys:
        value = value[int(key)] if key.isdigit() and not isinstance(value, dict) else value[key]
    return value


def word(value: str, language: str = "en") -> str:
    """The name of a line style ("--", "o:") or else of a colour ("C3", "0.5"), in ``language``."""
    style = value.lstrip("o.Ds*^v") if isinstance(value, str) else None
    english = theme.LINE_STYLE_NAMES[style] if style in theme.LINE_STYLE_NAMES else theme.colour_name(value)
    return KOREAN[english] if language == "ko" else english


def figword_role(name, rawtext, text, lineno, inliner, options=None, content=()):
    """``{figword}`module.NAME.key` ``: the name of the style a figure module draws with."""
    from docutils import nodes

    env = getattr(inliner.document.settings, "env", None)
    language = (env.config.language if env is not None else None) or "en"
    try:
        return [nodes.Text(word(resolve(text), language))], []
    except (ImportError, AttributeError, LookupError, ValueError, TypeError) as error:
        message = inliner.reporter.error(f"{{figword}}`{text}`: {error!r}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]


def setup(app):
    app.add_role("figword", figword_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
