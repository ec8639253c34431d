"""The translations of the book's text: is every English message translated, and kept intact?

The English messages come from Sphinx's gettext builder (``python -m cnnbook.editions gettext
DIR``: one ``<page>.pot`` per page), the translations from ``locales/<lang>/LC_MESSAGES/
<page>.po`` (``make translations`` brings them up to date with ``sphinx-intl update``). A
message is a paragraph, heading, caption, list item, table cell or definition. Each one needs a
current translation: present in the catalogue, not empty, not fuzzy (gettext marks a message
fuzzy when its English changed since it was translated). A translation must also keep what the
build resolves: glued values, findings, citations, cross-references and equations, ``{term}`` targets and
math, each exactly as in the English (the words around them are free). A glued value may add only
a Korean unit suffix (``|e6``: the count in 만/억, :mod:`cnnbook.korean`).

``python -m cnnbook.catalogues POT_DIR PO_DIR`` prints the problems (exit status 1 if any);
``python -m cnnbook.catalogues --tidy PO_DIR`` (``make translations``, after ``sphinx-intl
update``) drops the obsolete (``#~``) entries it keeps and names the project in the header.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: Roles whose whole content the build resolves: it must be the English one.
WHOLE_ROLE = re.compile(r"\{(glue(?::\w+)?|cite(?::\w+)?|eq|finding|figword)\}`([^`]*)`")
#: Roles that may carry a title of their own (``{doc}`title <target>```): the target must stay.
TARGET_ROLE = re.compile(r"\{(term|ref|numref|doc|download)\}`(?:[^`<]*<([^`>]+)>|([^`]*))`")
#: Inline and display math.
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.DOTALL)


def kept_markup(message: str) -> dict[str, list[str]]:
    """What of ``message`` a translation must keep: roles the build resolves, and math."""
    from cnnbook.korean import UNIT_SUFFIX

    return {
        "role": sorted(f"{{{role}}}`{UNIT_SUFFIX.sub('', text) if role == 'glue:text' else text}`"
                       for role, text in WHOLE_ROLE.findall(message)),
        "target": sorted(f"{{{role}}} {a or b}" for role, a, b in TARGET_ROLE.findall(message)),
        "math": sorted(MATH.findall(message)),
    }


def message_problems(english: str, translation: str | None, fuzzy: bool) -> list[str]:
    """What is wrong with one message's translation (nothing: an empty list)."""
    if translation is None:
        return ["missing from the catalogue"]
    if not translation.strip():
        return ["not translated"]
    problems = ["fuzzy (the English changed since it was translated)"] if fuzzy else []
    want, got = kept_markup(english), kept_markup(translation)
    for kind in want:
        if want[kind] != got[kind]:
            problems.append(f"{kind} changed: {want[kind]} -> {got[kind]}")
    return problems


def read_messages(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of a .po or .pot file, without its header and obsolete entries."""
    from babel.messages.pofile import read_po

    with open(path, encoding="utf8") as stream:
        catalog = read_po(stream)
    return {m.id: (m.string or "", m.fuzzy) for m in catalog if m.id and isinstance(m.id, str)}


def catalogue_problems(pot_dir: Path, po_dir: Path) -> list[str]:
    """One line per English message of ``pot_dir`` without a current translation in ``po_dir``."""
    lines = []
    templates = sorted(Path(pot_dir).rglob("*.pot"))
    if not templates:
        return [f"no .pot files in {pot_dir}: extract the messages first"]
    for template in templates:
        name = template.relative_to(pot_dir).with_suffix(".po")
        path = Path(po_dir) / name
        translated = read_messages(path) if path.is_file() else {}
        for english in read_messages(template):
            translation, fuzzy = translated.get(english, (None, False))
            for problem in message_problems(english, translation, fuzzy):
                lines.append(f"{name}: {problem}: {english[:70]!r}")
    return lines


#: The header's project and version (Sphinx's gettext writes "Project name not set").
PROJECT, VERSION = "cnnbook", "0.1.0"


def tidy(po_dir: Path) -> None:
    """Catalogues without obsolete entries, each header naming the project (as babel writes)."""
    from babel.messages.pofile import read_po, write_po

    po_dir = Path(po_dir)
    for path in sorted(po_dir.rglob("*.po")):
        with open(path, encoding="utf8") as stream:
            catalog = read_po(stream)
        template = "SOME DESCRIPTIVE TITLE" in catalog.header_comment
        named = (catalog.project, catalog.version) == (PROJECT, VERSION)
        if named and not template and not catalog.obsolete:
            continue
        catalog.obsolete.clear()
        catalog.project, catalog.version = PROJECT, VERSION
        if template:
            page = path.relative_to(po_dir).with_suffix(".md").as_posix()
            catalog.header_comment = f"# The Korean translation of {page}."
        with open(path, "wb") as stream:
            write_po(stream, catalog, width=76)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--tidy"]:
        sys.exit(tidy(Path(sys.argv[2])))
    found = catalogue_problems(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(found) or "every message translated")
    print(f"{len(found)} problem(s)", file=sys.stderr)
    sys.exit(1 if found else 0)
