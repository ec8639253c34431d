"""The glossary of a translated edition in the order of its own headwords.

``book/glossary.md`` lists its entries in English alphabetical order, and Sphinx translates
each headword in place, so the Korean glossary ("합성곱 레이어 (Convolution layer)") kept the
English order. :class:`GlossaryInHeadwordOrder` sorts the entries again after the translation,
by the translated headword: Korean headwords in 가나다 order (the order of Hangul syllables in
Unicode), spaces ignored as a Korean index ignores them, then the headwords that begin with a
Latin letter or a digit ("1x1 합성곱", "top-5 오류율"), alphabetically. The English edition is
left as written. Term ids do not change, so every ``{term}`` link still lands on its entry.
"""

from __future__ import annotations

import re
import unicodedata

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def headword_key(headword: str) -> tuple[int, str]:
    """The sort key of a headword: Korean ones first, in 가나다 order, then the others."""
    text = unicodedata.normalize("NFC", "".join(headword.split())).casefold()
    return (0 if text and _HANGUL.match(text) else 1, text)


def sort_glossary(glossary: nodes.Element) -> None:
    """Order the entries of each definition list of ``glossary`` by their first headword."""
    for dlist in glossary.findall(nodes.definition_list):
        items = [child for child in dlist.children if isinstance(child, nodes.definition_list_item)]
        if len(items) != len(dlist.children):
            continue  # something other than entries in the list: leave it as written
        items.sort(key=lambda item: headword_key(next(item.findall(nodes.term)).astext()))
        dlist.children = []
        dlist.extend(items)


class GlossaryInHeadwordOrder(SphinxTransform):
    """Sort a translated glossary by its translated headwords (see the module's docstring)."""

    default_priority = 25  # after Sphinx's Locale transform (20), which translates the headwords

    def apply(self, **kwargs) -> None:
        if self.config.language in (None, "", "en"):
            return
        for glossary in self.document.findall(addnodes.glossary):
            sort_glossary(glossary)


def setup(app):
    app.add_transform(GlossaryInHeadwordOrder)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
