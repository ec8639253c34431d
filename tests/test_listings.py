"""Listings for readers (cnnbook.listings): a chapter's ``{literalinclude}`` of the package shows
its docstrings without reST markup, and its code unchanged."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from cnnbook import listings

BOOK = Path(__file__).resolve().parents[1] / "book"
MARKUP = re.compile(r"``|:\w+:`")


def test_docstrings_lose_roles_and_double_backquotes():
    source = ('def f(padding):\n    """Pads with ``padding`` zeros, as :class:`~keras.layers.Conv2D`'
              ' does;\n    see :func:`output_size` and :mod:`cnnbook.geometry`."""\n'
              '    return "``kept``"  # code outside a docstring stays\n')
    plain = listings.plain_docstrings(source)
    assert plain == ('def f(padding):\n    """Pads with padding zeros, as Conv2D does;\n'
                     '    see output_size and cnnbook.geometry."""\n'
                     '    return "``kept``"  # code outside a docstring stays\n')
    assert plain.count("\n") == source.count("\n")  # emphasised lines still match
    assert listings.plain_docstrings(plain) == plain


def listed() -> list[tuple[str, str]]:
    """(module, object) of every literalinclude of the package in the book ('' for a whole file)."""
    found = set()
    for page in BOOK.glob("*.md"):
        for match in re.finditer(r"```\{literalinclude\} \.\./code/(\S+)\.py\n((?::[\w-]+:.*\n)*)",
                                 page.read_text(encoding="utf8")):
            shown = re.search(r":pyobject: (\S+)", match.group(2))
            found.add((match.group(1).replace("/", "."), shown.group(1) if shown else ""))
    return sorted(found)


def test_every_listing_of_the_book_shows_plain_docstrings():
    shown, marked = listed(), []
    assert len(shown) >= 20, shown
    for module, name in shown:
        thing = importlib.import_module(module)
        for part in filter(None, name.split(".")):
            thing = getattr(thing, part)
        plain = listings.plain_docstrings(inspect.getsource(thing))
        marked += [f"{module}.{name}: {m.group(2)[:60]!r}" for m in listings._DOCSTRING.finditer(plain)
                   if MARKUP.search(m.group(2))]
    assert not marked, "listings that would show reST markup:\n" + "\n".join(marked)
