"""Code listings for readers: a ``{literalinclude}`` of the package shows its docstrings as plain
text, without the reST markup they carry for the API's own documentation.

The package's docstrings say ``padding``, :class:`~keras.layers.Conv2D` and :func:`output_size`,
which Sphinx's autodoc turns into code and links; a chapter that lists the function shows the
raw markup, noise to a student. :class:`PlainLiteralInclude` takes Sphinx's ``literalinclude``
over and rewrites what it includes from a Python file: inside triple-quoted strings only,
``x`` becomes x and :role:`~a.b.c` becomes c (:role:`a.b` stays a.b). Code outside the
docstrings, and the number of lines, are left as they are (emphasised lines still match).
"""

from __future__ import annotations

import re

from sphinx.directives.code import LiteralInclude

_DOCSTRING = re.compile(r'("""|\'\'\')(.*?)\1', re.DOTALL)
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|obj|exc|const|ref|doc|term):"
                   r"`(~?)([^`<]*?)(?:\s*<[^`>]*>)?`")
_LITERAL = re.compile(r"``([^`]+)``")


def _plain(text: str) -> str:
    """One docstring's text without its reST roles and double backquotes."""
    text = _ROLE.sub(lambda m: m.group(2).rsplit(".", 1)[-1] if m.group(1) else m.group(2), text)
    return _LITERAL.sub(r"\1", text)


def plain_docstrings(source: str) -> str:
    """``source`` (Python) with every triple-quoted string's reST markup made plain."""
    return _DOCSTRING.sub(lambda m: m.group(1) + _plain(m.group(2)) + m.group(1), source)


class PlainLiteralInclude(LiteralInclude):
    """Sphinx's ``literalinclude``; from a ``.py`` file, with plain docstrings."""

    def run(self):
        from docutils import nodes

        result = super().run()
        if not self.arguments[0].endswith(".py"):
            return result
        for node in result:
            for block in node.findall(nodes.literal_block):
                text = block.astext()
                plain = plain_docstrings(text)
                if plain != text:
                    block.children = []
                    block += nodes.Text(plain)
                    block.rawsource = plain
        return result


def setup(app):
    app.add_directive("literalinclude", PlainLiteralInclude, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
