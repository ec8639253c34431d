"""The build's side of :mod:`cnnbook.findings`: the ``{finding}`` role and the Findings page.

* ``{finding}`name``` after a sentence marks it as a finding a cell checks. It becomes a small
  tick that links to the finding's row on the Findings page. A role whose finding no cell
  declared (``findings.check``) is a build error, and so is a declared finding that no sentence
  states: deleting either half of a finding fails the build, as a run that contradicts it does.
* ``{findings-table}`` (on ``book/findings.md``) becomes, at write time, when every page has
  been executed: a sentence with the counts, and a table of every finding in book order, each
  with the sentence that states it (taken from the page in the edition's own language), a link
  there, the comparison on this build's numbers, its margin, and whether it holds.
* ``numbers.json`` gains ``findings_total``, ``findings_holding`` and ``findings_pages``.
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.util import logging

from cnnbook.findings import GLUE_PREFIX, evaluate

logger = logging.getLogger(__name__)

#: Words of the table and of the tick, per language of the edition.
LABELS = {
    "en": {
        "finding": "Finding (as the book states it)", "measured": "Measured", "margin": "Margin",
        "holds": "Holds", "yes": "yes", "no": "no", "again": "again",
        "tick": "checked by this build (see Findings)",
        "summary": "This build checked {total} findings stated on {pages} pages; {holding} of "
                   "them hold.",
    },
    "ko": {
        "finding": "결과 (책에 적힌 대로)", "measured": "측정값", "margin": "여유", "holds": "성립",
        "yes": "예", "no": "아니요", "again": "다시", "tick": "이 빌드가 확인함 (검증된 결과 참고)",
        "summary": "이 빌드는 {pages}개 장에 적힌 결과 {total}개를 확인했고, 그중 {holding}개가 "
                   "성립합니다.",
    },
}
TICK = "\u2713"
SENTENCE_END = re.compile(r"(?<=[.?!])\s")


class finding_ref(nodes.Inline, nodes.Element):
    """Where a page states a finding; resolved to a link once every page has been read."""


class findings_table(nodes.General, nodes.Element):
    """The Findings page's table, filled in at write time."""


def _labels(app) -> dict:
    return LABELS.get((app.config.language or "en").split("_")[0], LABELS["en"])


def _finding_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    node = finding_ref(rawtext, name=text.strip())
    node.line = lineno
    return [node], []


def _record_places(app, doctree) -> None:
    """Where this page states each finding, from the page as read (translated, in an edition
    in another language: the role then runs twice, and only the translated node is kept)."""
    env = app.env
    stated = env.__dict__.setdefault("cnnbook_stated", {})
    seen: dict[str, int] = {}
    for node in doctree.findall(finding_ref):
        key = node["name"]
        seen[key] = seen.get(key, 0) + 1
        anchor = f"stated-{key}" + (f"-{seen[key]}" if seen[key] > 1 else "")
        node["ids"] = [anchor]
        stated.setdefault(key, []).append((env.docname, anchor))


class FindingsTable(Directive):
    has_content = False

    def run(self):
        return [findings_table()]


def _purge(app, env, docname) -> None:
    stated = getattr(env, "cnnbook_stated", {})
    for key in list(stated):
        stated[key] = [place for place in stated[key] if place[0] != docname]
        if not stated[key]:
            del stated[key]


def _merge(app, env, docnames, other) -> None:
    stated = env.__dict__.setdefault("cnnbook_stated", {})
    for key, places in getattr(other, "cnnbook_stated", {}).items():
        stated.setdefault(key, []).extend(p for p in places if p[0] in docnames)


def declared_findings(app) -> dict[str, dict]:
    """name -> the record a cell glued (``findings.check``), with the page that declared it.

    Read once per write phase (every page has been executed by then)."""
    if getattr(app, "_cnnbook_declared", None) is None:
        app._cnnbook_declared = _read_declared(app)
    return app._cnnbook_declared


def _read_declared(app) -> dict[str, dict]:
    from cnnbook.sphinxext import glued_values

    return {key[len(GLUE_PREFIX):]: {**entry["value"], "page": entry["page"]}
            for key, entry in glued_values(app).items() if key.startswith(GLUE_PREFIX)}


def book_order(env) -> list[str]:
    """Every document in the order of the book's navigation (root first)."""
    order, seen = [], set()

    def visit(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            visit(child)

    visit(env.config.root_doc)
    return order + sorted(set(env.all_docs) - seen)


def _stating_sentence(paragraph: nodes.Element, anchor: str) -> str:
    """The sentence of ``paragraph`` that ends at (or runs through) the tick with ``anchor``."""
    before, after, inside = [], [], None
    for node in paragraph.findall(nodes.Text):
        owner = node.parent
        while owner is not None and owner is not paragraph and anchor not in owner.get("ids", []):
            owner = owner.parent
        if owner is not None and owner is not paragraph:
            inside = True
            continue
        (after if inside else before).append(node.astext())
    head, tail = "".join(before), "".join(after)
    starts = [m.end() for m in SENTENCE_END.finditer(head.rstrip())]
    head = head[starts[-1]:] if starts else head
    if not re.search(r"[.?!]\s*$", head):
        end = SENTENCE_END.search(tail)
        head += tail[: end.start()] if end else tail
    return " ".join((head.replace(TICK, "")).split())


def _sentence(app, docname: str, anchor: str) -> str:
    doctree = app.env.get_and_resolve_doctree(docname, app.builder)
    for node in doctree.findall(nodes.Element):
        if anchor in node.get("ids", []):
            block = node.parent
            while block is not None and not isinstance(block, (nodes.paragraph, nodes.title)):
                block = block.parent
            return _stating_sentence(block or node.parent, anchor)
    return ""


def _cell(*children) -> nodes.entry:
    entry = nodes.entry()
    entry += nodes.paragraph("", "", *children)
    return entry


def _table(app, docname: str, declared: dict, stated: dict) -> list[nodes.Node]:
    words = _labels(app)
    order = {doc: i for i, doc in enumerate(book_order(app.env))}

    def first_place(key: str) -> tuple:
        page = stated[key][0][0] if stated.get(key) else declared[key]["page"]
        return order.get(page, len(order)), key

    names = sorted(declared, key=first_place)
    pages = {place[0] for k in names for place in stated.get(k, [])}
    holding = sum(bool(declared[k]["holds"]) for k in names)
    counts = words["summary"].format(total=len(names), pages=len(pages), holding=holding)
    summary = nodes.paragraph(text=counts)
    table = nodes.table(classes=["findings-table"])
    group = nodes.tgroup(cols=4)
    table += group
    for width in (55, 20, 15, 10):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for key in ("finding", "measured", "margin", "holds"):
        row += _cell(nodes.Text(words[key]))
    head += row
    group += head
    body = nodes.tbody()
    group += body
    for key in names:
        record = declared[key]
        row = nodes.row(ids=[f"finding-{key}"])
        where = stated.get(key, [])
        text = nodes.paragraph()
        for i, (page, anchor) in enumerate(where):
            sentence = _sentence(app, page, anchor) if i == 0 else ""
            uri = app.builder.get_relative_uri(docname, page) + "#" + anchor
            title = app.env.titles[page].astext() if page in app.env.titles else page
            if any(place[0] == page for place in where[:i]):  # stated again on that page
                title = words["again"]
            if sentence:
                text += nodes.Text(sentence + " ")
            text += nodes.reference("", f"({title})", refuri=uri, internal=True)
            text += nodes.Text(" ")
        entry = nodes.entry()
        entry += text
        row += entry
        row += _cell(nodes.Text(record["comparison"]))
        row += _cell(nodes.Text(evaluate(key, record["statement"], record["left"],
                                         record["relation"], record["right"],
                                         record["fmt"]).margin_text))
        row += _cell(nodes.Text(words["yes"] if record["holds"] else words["no"]))
        body += row
    return [summary, table]


def _resolve(app, doctree, docname) -> None:
    """Turn each tick into a link, check both halves of every finding, fill the table."""
    ticks = list(doctree.findall(finding_ref))
    tables = list(doctree.findall(findings_table))
    if not ticks and not tables:
        return
    checking = app.builder.format == "html"  # other builders (gettext) execute nothing
    declared = declared_findings(app) if checking else {}
    findings_doc = app.config.cnnbook_findings_page
    words = _labels(app)
    for tick in ticks:
        key = tick["name"]
        if checking and key not in declared:
            logger.warning(
                f"the page states finding {key!r} ({{finding}}`{key}`), but no cell declares it "
                f"with findings.check: the sentence is not checked", location=tick)
        uri = app.builder.get_relative_uri(docname, findings_doc) + f"#finding-{key}"
        link = nodes.reference("", TICK, refuri=uri, internal=True, reftitle=words["tick"],
                               classes=["finding-tick"])
        tick.replace_self(nodes.inline("", "", link, ids=tick["ids"], classes=["finding"]))
    if tables and not checking:
        for table in tables:
            table.replace_self([])
    elif tables:
        stated = getattr(app.env, "cnnbook_stated", {})
        for key, record in declared.items():
            if key not in stated:
                logger.warning(f"finding {key!r} is declared on {record['page']} but no sentence "
                               f"states it ({{finding}}`{key}`)", location=docname)
        for table in tables:
            table.replace_self(_table(app, docname, declared, stated))


def _always_write_findings(app, env) -> list[str]:
    """The Findings page gathers every page's findings: re-read it whenever anything changed."""
    app._cnnbook_declared = None  # read afresh in the write phase
    page = app.config.cnnbook_findings_page
    return [page] if page in env.found_docs else []


def summary_numbers(app) -> dict[str, dict]:
    """The counts for ``numbers.json``."""
    declared = declared_findings(app)
    page = app.config.cnnbook_findings_page
    pages = {record["page"] for record in declared.values()}
    return {
        "findings_total": {"value": len(declared), "page": page},
        "findings_holding": {"value": sum(bool(r["holds"]) for r in declared.values()), "page": page},
        "findings_pages": {"value": len(pages), "page": page},
    }


def setup(app):
    app.add_config_value("cnnbook_findings_page", "book/findings", "env")
    app.add_node(finding_ref)
    app.add_node(findings_table)
    app.add_role("finding", _finding_role)
    app.add_directive("findings-table", FindingsTable)
    app.connect("doctree-read", _record_places)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _always_write_findings)
    app.connect("doctree-resolved", _resolve)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
