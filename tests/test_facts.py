"""Quoted facts: each has its source, and the source is in the bibliography (or the lecture)."""

from __future__ import annotations

import re
from pathlib import Path

from cnnbook import facts

BIBLIOGRAPHY = Path(__file__).resolve().parents[1] / "book" / "references.bib"


def test_every_fact_names_its_source():
    constants = {name for name in vars(facts) if name.isupper() and name != "SOURCES"}
    assert constants == set(facts.SOURCES), "a fact without a source, or a source without a fact"


def test_every_source_is_in_the_bibliography_or_the_lecture():
    keys = set(re.findall(r"^@\w+\{([^,]+),", BIBLIOGRAPHY.read_text(encoding="utf8"), re.M))
    unknown = {name: key for name, key in facts.SOURCES.items() if key != "lecture" and key not in keys}
    assert not unknown


def test_facts_are_quotes_not_computations():
    """Plain literals only: a fact computed from another would be a number the book typed twice."""
    import ast

    tree = ast.parse(Path(facts.__file__).read_text(encoding="utf8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id != "SOURCES":
            ast.literal_eval(node.value)  # raises for anything but a literal
