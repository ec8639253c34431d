"""Sphinx extension for the book build: no stale pages, and every glued number in one file.

1. Execution cache per page and per code it imports. jupyter-cache keys a notebook on its cells
   alone, so an edit to ``cnnbook`` or an upgrade of TensorFlow would leave old outputs on the
   pages. Each page's digest covers the ``cnnbook`` modules its cells import, followed import by
   import, and the installed versions (:func:`cnnbook.fingerprint.page_digest`); when it
   changes, the page's cached outputs are dropped and the page is executed again. Pages that
   do not import the edited code keep their outputs.
2. Training cache inside the build folder (``_build/cnnbook-cache``; the folder is
   ``cnnbook_build_dir`` when set, as for the Korean edition) unless the reader set
   ``CNNBOOK_CACHE_DIR``; a fresh clone therefore trains at build time. Beside it,
   ``_build/figure-text.jsonl`` records how large each figure's text is shown (see
   :mod:`cnnbook.figures.theme`).
3. ``_static/numbers.json``: every value glued on any page, ``{"name": {"value", "page"}}``,
   so tools can check a build and compare two builds.
4. Pages a browser runs without errors: each script is included once (see :func:`_scripts_once`),
   a hidden cell's toggle is named by its visible text (:func:`_visit_hidden_cell`), the
   bibliography's entries are list items (:func:`_citations_as_list_items`), and the Colab
   button opens the chapter as a notebook (see :func:`_colab_opens_notebooks`).
5. ``CNNBOOK_REPOSITORY_URL``, when set, replaces the repository of ``_config.yml`` in the
   buttons (the Pages workflow passes the repository it builds).
6. MathJax from the book itself: when the pinned npm copy named by ``cnnbook_mathjax`` is
   installed, it is copied into ``_static/mathjax`` and the pages load it from there, so every
   formula renders offline. Without it (no npm), the pages load MathJax from its CDN.
7. The whole-book PDF (:mod:`cnnbook.pdf`, printed after the HTML build into each edition's
   ``_static``): the role ``{book-pdf}`text``` links it from a page, and every page's download
   menu offers it beside the page's own files (:func:`_book_pdf_in_download_menu`).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

from sphinx.util import logging

from cnnbook.fingerprint import page_digest, versions_digest

logger = logging.getLogger(__name__)

CACHE_PREFIX = "cnnbook-"
#: In the execution cache's folder: each page's digest when its cached outputs were made.
PAGE_DIGESTS = "cnnbook-pages.json"
#: In the build folder: the smallest text of every figure the pages saved (cnnbook.figures.theme).
FIGURE_LOG = "figure-text.jsonl"
NUMBERS_FILE = "numbers.json"
REPOSITORY_ENV = "CNNBOOK_REPOSITORY_URL"


def _set_up_caches(app, config) -> None:
    from cnnbook.figures.theme import LOG_ENV

    build_dir = Path(config.cnnbook_build_dir or Path(app.outdir).parent).resolve()
    os.environ.setdefault("CNNBOOK_CACHE_DIR", str(build_dir / "cnnbook-cache"))
    os.environ.setdefault(LOG_ENV, str(build_dir / FIGURE_LOG))  # the kernels inherit it
    base = Path(config.nb_execution_cache_path or build_dir / ".jupyter_cache").resolve()
    if base.is_dir():  # the earlier layout, one whole cache per package digest: never valid now
        for old in base.glob(f"{CACHE_PREFIX}*"):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(base)


#: The MathJax bundle the pages load (TeX and MathML in, HTML-CSS out), and what of the npm
#: package it never loads (the other bundles, SVG output, the CDN's version checker).
MATHJAX_ENTRY = "tex-mml-chtml.js"
_MATHJAX_UNUSED = ("tex-svg*.js", "tex-chtml*.js", "mml-*.js", "node-main.js", "latest.js", "svg")


def mathjax_version(es5: Path) -> str | None:
    """The version of the npm copy of MathJax whose ``es5`` folder is given, or None if absent."""
    try:
        return json.loads((es5.parent / "package.json").read_text(encoding="utf8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def _mathjax_from_the_book(app, config) -> None:
    """Serve MathJax from ``_static/mathjax`` when the pinned copy is installed (see 6. above)."""
    if not config.cnnbook_mathjax:
        return
    source = Path(app.confdir, config.cnnbook_mathjax).resolve()
    version = mathjax_version(source)
    if version is None or not (source / MATHJAX_ENTRY).is_file():
        logger.info(f"MathJax from its CDN: no npm copy in {source} (run `make browser-deps`)")
        return
    staging = Path(app.outdir).resolve().parent / "cnnbook-static"
    target, stamp = staging / "mathjax", staging / "mathjax" / ".version"
    if not (stamp.is_file() and stamp.read_text() == version):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(*_MATHJAX_UNUSED))
        stamp.write_text(version)
    config.html_static_path = [*config.html_static_path, str(staging)]
    config.mathjax_path = f"mathjax/{MATHJAX_ENTRY}"


def _repository_from_environment(app, config) -> None:
    """Link the buttons to ``$CNNBOOK_REPOSITORY_URL`` when set (the real repository on Pages)."""
    url = os.environ.get(REPOSITORY_ENV, "").strip().rstrip("/")
    if url:
        config.html_theme_options = {**config.html_theme_options, "repository_url": url}


def stale_pages(cache_path: Path, pages: dict[str, Path]) -> list[str]:
    """The pages (docname -> source file) whose code or versions changed since their outputs
    were cached. Their cached outputs are removed first, so they can only be executed anew.

    Pages are keyed by docname and cached notebooks matched by their path's ending, not by
    absolute paths: a build folder copied to another checkout (a worktree, CI's clone) still
    finds the record of what its pages ran with, and drops the right outputs."""
    record = cache_path / PAGE_DIGESTS
    try:
        stored = json.loads(record.read_text(encoding="utf8"))
    except (OSError, ValueError):
        stored = {}
    versions = versions_digest()
    current = {name: page_digest(path.read_text(encoding="utf8"), versions)
               for name, path in pages.items()}
    stale = sorted(name for name in pages if stored.get(name) != current[name])
    if stale and (cache_path / "global.db").is_file():
        from jupyter_cache import get_cache

        endings = tuple(f"/{name}{Path(pages[name]).suffix}" for name in stale)
        cache = get_cache(str(cache_path))
        for entry in cache.list_cache_records():
            if Path(entry.uri).as_posix().endswith(endings):
                cache.remove_cache(entry.pk)
    cache_path.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({**stored, **current}, indent=1, sort_keys=True), encoding="utf8")
    return stale


def _pages_whose_code_changed(app, env, added, changed, removed):
    """Re-read (and so re-execute) each page whose imported cnnbook code changed since it ran."""
    pages = {name: Path(env.doc2path(name)).resolve() for name in env.found_docs - set(removed)}
    pages = {name: path for name, path in pages.items() if path.suffix == ".md"}
    stale = stale_pages(Path(app.config.nb_execution_cache_path), pages)
    return [name for name in stale if name not in added]


def glued_values(app) -> dict[str, dict]:
    """Every glued value of the build, parsed from its text form where it is a literal."""
    from myst_nb.sphinx_ import NbMetadataCollector

    output_folder = Path(app.env.mystnb_config.output_folder)
    numbers = {}
    for docname in sorted(app.env.all_docs):
        if not NbMetadataCollector.get_doc_data(app.env)[docname].get("glue"):
            continue
        glue_file = output_folder.joinpath(*(docname + ".glue.json").split("/"))
        for name, output in json.loads(glue_file.read_text(encoding="utf8")).items():
            text = output.get("data", {}).get("text/plain", "")
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                value = text
            numbers[name] = {"value": value, "page": docname}
    return numbers


def _write_numbers(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    from cnnbook.findings_page import summary_numbers

    numbers = {**glued_values(app), **summary_numbers(app)}
    (static / NUMBERS_FILE).write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")


def _scripts_once(app, pagename, templatename, context, doctree) -> None:
    """Include each script once per page.

    sphinx-thebe 0.3.1 registers its inline settings with ``filename=None``, which Sphinx 7.4
    keeps apart from the ``""`` of the same script registered again later: every page then
    declared ``const THEBE_JS_URL`` twice, an uncaught SyntaxError in the reader's browser.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique  # a new list: the builder's own is shared by every page


HIDDEN_CELL_SUMMARY = '<summary aria-label="Toggle hidden content">\n'


def _visit_hidden_cell(translator, node) -> None:
    """myst-nb's toggle of a hidden cell, named by the text a reader sees ("Show code cell ...").

    myst-nb 1.4 labels the ``<summary>`` "Toggle hidden content", a name that does not contain
    its visible text (WCAG 2.5.3 "label in name"; axe-core: label-content-name-mismatch).
    Without the label, the name is the visible text itself.
    """
    from myst_nb.sphinx_ import visit_HideCellInput

    start = len(translator.body)
    visit_HideCellInput(translator, node)
    translator.body[start:] = [
        "<summary>\n" if part == HIDDEN_CELL_SUMMARY else part for part in translator.body[start:]
    ]


def _citations_as_list_items(app, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the role ``listitem``, which their ``role="list"`` parent needs.

    docutils 0.21 marks each entry ``role="doc-biblioentry"``, a role DPUB-ARIA 1.1 deprecates
    in favour of ``listitem``; screen readers and axe-core (aria-required-children, critical)
    then find a list without items.
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _colab_opens_notebooks(app, pagename, templatename, context, doctree) -> None:
    """Point the Colab button at ``<page>.ipynb``: Colab opens notebooks, not MyST ``.md`` files.

    The theme links the chapter's source file; the Pages workflow publishes every chapter as
    ``<page>.ipynb`` on the branch that ``repository.branch`` names (see README, Publishing).
    """
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if button.get("text") == "Colab" and url.endswith(".md"):
                button["url"] = url[: -len(".md")] + ".ipynb"


#: What the status page's table says in the Status column, in words rather than emoji (an emoji
#: font is not on every reader's machine; without one, myst-nb's tick is an empty box).
EXEC_STATUS_WORDS = {"\u2705": "ran", "\u274c": "failed"}


def exec_table_in_words(table, titles: dict[str, str]) -> bool:
    """Rewrite myst-nb's execution-statistics table (``{nb-exec-table}``) in place.

    The Document column shows each chapter's title instead of its path (the link stays), and the
    Status column says "ran" or "failed" instead of an emoji. ``titles`` maps docnames to titles.
    Returns False, and changes nothing, for any other table."""
    from docutils import nodes
    from sphinx.addnodes import pending_xref

    thead = next(iter(table.findall(nodes.thead)), nodes.thead())
    head = [entry.astext().strip() for entry in thead.findall(nodes.entry)]
    if not head or head[0] != "Document" or "Status" not in head:
        return False
    status = head.index("Status")
    for body in table.findall(nodes.tbody):
        for row in body.children:
            entries = [child for child in row.children if isinstance(child, nodes.entry)]
            for link in entries[0].findall(pending_xref):
                docname = link.get("refdocname") or link.children[0].astext()
                for text in link.findall(nodes.inline):
                    text.replace_self(nodes.inline(text=titles.get(docname, docname)))
                    break
            cell = entries[status]
            for paragraph in cell.findall(nodes.paragraph):
                for child in list(paragraph.children):
                    word = EXEC_STATUS_WORDS.get(child.astext().strip())
                    if word is None:
                        continue
                    if isinstance(child, nodes.Text):
                        paragraph.replace(child, nodes.Text(word))
                    else:  # a failure is an abbreviation whose explanation holds the error
                        child.children = [nodes.Text(word)]
    return True


def _exec_table_post_transform():
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class ExecutionTableInWords(SphinxPostTransform):
        """After myst-nb builds the ``{nb-exec-table}`` (priority 8), before references resolve."""

        default_priority = 8.5

        def run(self, **kwargs) -> None:
            titles = {name: title.astext() for name, title in self.env.titles.items()}
            for table in list(self.document.findall(nodes.table)):
                exec_table_in_words(table, titles)

    return ExecutionTableInWords


#: The download menu's entry for the whole book, per language of the edition.
BOOK_PDF_LABELS = {"en": ("Book .pdf", "Download the whole book as one PDF"),
                   "ko": ("책 전체 .pdf", "책 전체를 PDF 하나로 내려받기")}


def book_pdf_uri(docname: str) -> str:
    """The whole-book PDF, relative to the page of ``docname`` (the same in every edition)."""
    from cnnbook.pdf import PDF_NAME

    return "../" * docname.count("/") + f"_static/{PDF_NAME}"


def _book_pdf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{book-pdf}`the whole book```: a link to the edition's whole-book PDF."""
    from docutils import nodes

    uri = book_pdf_uri(inliner.document.settings.env.docname)
    return [nodes.reference(rawtext, text, refuri=uri, classes=["book-pdf"])], []


def _book_pdf_in_download_menu(app, pagename, templatename, context, doctree) -> None:
    """Offer the whole-book PDF in the theme's download menu, after the page's own files."""
    language = (app.config.language or "en").split("_")[0]
    text, tooltip = BOOK_PDF_LABELS.get(language, BOOK_PDF_LABELS["en"])
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group.setdefault("buttons", []).append({
                "type": "link", "url": book_pdf_uri(pagename), "text": text, "tooltip": tooltip,
                "icon": "fas fa-book", "label": "download-book-pdf-button",
            })


def setup(app):
    # The build folder whose caches the pages share; by default the output folder's parent
    # (_build), and the same _build for an edition in another language (cnnbook.editions).
    app.add_config_value("cnnbook_build_dir", "", "env")
    app.setup_extension("cnnbook.editions")
    app.setup_extension("cnnbook.findings_page")
    app.setup_extension("cnnbook.notebooks")
    app.setup_extension("cnnbook.figure_variants")  # each figure narrow, and per edition
    app.add_role("book-pdf", _book_pdf_role)
    app.add_post_transform(_exec_table_post_transform())
    app.connect("config-inited", _set_up_caches)
    app.connect("config-inited", _repository_from_environment)
    app.add_config_value("cnnbook_mathjax", "", "html")
    app.connect("config-inited", _mathjax_from_the_book)
    app.connect("env-get-outdated", _pages_whose_code_changed)
    app.connect("build-finished", _write_numbers)
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, depart_HideCellInput))
    app.connect("html-page-context", _scripts_once, priority=900)  # after every script is added
    app.connect("html-page-context", _citations_as_list_items)
    app.connect("html-page-context", _colab_opens_notebooks, priority=510)  # after the theme's 501
    app.connect("html-page-context", _book_pdf_in_download_menu, priority=510)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
