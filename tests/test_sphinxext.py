"""The build extension's pieces: the execution cache per page and per code, and page fixes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from cnnbook import sphinxext


def _app(tmp_path):
    return SimpleNamespace(outdir=str(tmp_path / "_build" / "html"))


def test_the_caches_live_in_the_build_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CNNBOOK_CACHE_DIR", raising=False)
    old = tmp_path / "_build" / ".jupyter_cache" / ("cnnbook-" + "a" * 16)  # the earlier layout
    old.mkdir(parents=True)
    app, config = _app(tmp_path), SimpleNamespace(nb_execution_cache_path="", cnnbook_build_dir="")
    sphinxext._set_up_caches(app, config)
    assert config.nb_execution_cache_path == str(tmp_path / "_build" / ".jupyter_cache")
    assert sphinxext.os.environ["CNNBOOK_CACHE_DIR"] == str(tmp_path / "_build" / "cnnbook-cache")
    assert not old.exists(), "outputs cached under the earlier layout are never used again"


def _page(folder: Path, name: str, code: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(f"# {name}\n\n```{{code-cell}} ipython3\n{code}\n```\n")
    return path.resolve()


def _cache_outputs(cache_path: Path, page: Path) -> None:
    """Put an executed notebook for ``page`` into the cache, as myst-nb does."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(page.name, execution_count=1)])
    get_cache(str(cache_path)).cache_notebook_bundle(CacheBundleIn(notebook, str(page)), overwrite=True)


def test_a_page_is_stale_when_the_code_it_imports_changes(tmp_path, monkeypatch):
    from cnnbook import fingerprint

    cache = tmp_path / "cache"
    pages = {"geo": _page(tmp_path, "geo", "from cnnbook import geometry"),
             "data": _page(tmp_path, "data", "from cnnbook import data")}
    assert sphinxext.stale_pages(cache, pages) == ["data", "geo"], "nothing cached yet"
    _cache_outputs(cache, pages["geo"])
    _cache_outputs(cache, pages["data"])
    assert sphinxext.stale_pages(cache, pages) == [], "nothing changed"

    real = fingerprint.modules_digest
    monkeypatch.setattr(fingerprint, "modules_digest",
                        lambda names: real(names) + ("edited" if "cnnbook.geometry" in names else ""))
    assert sphinxext.stale_pages(cache, pages) == ["geo"]
    from jupyter_cache import get_cache

    uris = {record.uri for record in get_cache(str(cache)).list_cache_records()}
    assert uris == {str(pages["data"])}, "the stale page's outputs are gone, the other's are kept"
    assert sphinxext.stale_pages(cache, pages) == [], "and it is stale once only"


def test_a_build_folder_copied_to_another_checkout_still_drops_a_stale_page(tmp_path, monkeypatch):
    """The record and the cache name pages by where they sit in the book, not by absolute path:
    outputs cached in one checkout and copied with its build folder into another (a worktree)
    are dropped there when the page's code changed, instead of being served stale."""
    from jupyter_cache import get_cache

    from cnnbook import fingerprint

    cache = tmp_path / "cache"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = {"geo": _page(tmp_path / "one", "geo", "from cnnbook import geometry")}
    sphinxext.stale_pages(cache, first)
    _cache_outputs(cache, first["geo"])
    second = {"geo": _page(tmp_path / "two", "geo", "from cnnbook import geometry")}
    assert sphinxext.stale_pages(cache, second) == [], "the same page, unchanged"

    real = fingerprint.modules_digest
    monkeypatch.setattr(fingerprint, "modules_digest", lambda names: real(names) + "edited")
    assert sphinxext.stale_pages(cache, second) == ["geo"]
    assert not get_cache(str(cache)).list_cache_records(), "the copied outputs are dropped"


def test_a_page_is_stale_when_an_installed_version_changes(tmp_path, monkeypatch):
    from cnnbook import fingerprint

    pages = {"a": _page(tmp_path, "a", "print(1)")}
    assert sphinxext.stale_pages(tmp_path, pages) == ["a"]
    assert sphinxext.stale_pages(tmp_path, pages) == []
    real = fingerprint.installed_versions()
    monkeypatch.setattr(fingerprint, "installed_versions", lambda: {**real, "tensorflow-cpu": "9.9.9"})
    monkeypatch.setattr(sphinxext, "versions_digest", fingerprint.versions_digest)
    assert sphinxext.stale_pages(tmp_path, pages) == ["a"]


def test_each_script_is_included_once_per_page():
    from sphinx.builders.html._assets import _JavaScript

    body = 'const THEBE_JS_URL = "x"'
    shared = [_JavaScript("_static/a.js"), _JavaScript(None, body=body), _JavaScript("_static/b.js"),
              _JavaScript("", body=body), _JavaScript("_static/a.js")]
    context = {"script_files": shared}
    sphinxext._scripts_once(None, "page", "page.html", context, None)
    assert [(s.filename or "", s.attributes.get("body")) for s in context["script_files"]] == [
        ("_static/a.js", None), ("", body), ("_static/b.js", None)]
    assert len(shared) == 5, "the builder's own list is left alone"


def test_the_colab_button_opens_the_notebook():
    colab = {"text": "Colab", "url": "https://colab.research.google.com/github/o/r/blob/notebooks/book/a.md"}
    other = {"text": "Binder", "url": "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/book/a.md"}
    context = {"header_buttons": [{"label": "launch-buttons", "buttons": [colab, other]}]}
    sphinxext._colab_opens_notebooks(None, "book/a", "page.html", context, None)
    assert colab["url"].endswith("/blob/notebooks/book/a.ipynb")
    assert other["url"].endswith("book/a.md")


def test_the_repository_comes_from_the_environment_when_set(monkeypatch):
    config = SimpleNamespace(html_theme_options={"repository_url": "https://github.com/a/default"})
    monkeypatch.delenv("CNNBOOK_REPOSITORY_URL", raising=False)
    sphinxext._repository_from_environment(None, config)
    assert config.html_theme_options["repository_url"] == "https://github.com/a/default"
    monkeypatch.setenv("CNNBOOK_REPOSITORY_URL", "https://github.com/someone/fork/")
    sphinxext._repository_from_environment(None, config)
    assert config.html_theme_options["repository_url"] == "https://github.com/someone/fork"


def test_a_hidden_cell_is_named_by_its_visible_text():
    translator = SimpleNamespace(body=["<p>before</p>"])
    node = {"classes": ["tag_hide-input"], "prompt_show": "Show code cell source",
            "prompt_hide": "Hide code cell source"}
    sphinxext._visit_hidden_cell(translator, node)
    html = "".join(translator.body)
    assert "<summary>\n" in html and "aria-label" not in html
    assert "Show code cell source" in html and translator.body[0] == "<p>before</p>"


def test_bibliography_entries_are_list_items():
    body = '<div role="list" class="citation-list">\n<div class="citation" id="x" role="doc-biblioentry">'
    context = {"body": body}
    sphinxext._citations_as_list_items(None, "book/references", "page.html", context, None)
    assert context["body"] == body.replace("doc-biblioentry", "listitem")
    empty = {}
    sphinxext._citations_as_list_items(None, "search", "search.html", empty, None)
    assert empty == {}


def test_the_versions_digest_changes_with_an_installed_version(monkeypatch):
    """A TensorFlow upgrade must re-execute the pages, not show outputs of the old version."""
    from cnnbook import fingerprint

    before = fingerprint.versions_digest()
    assert fingerprint.installed_versions()["keras"] != "-"
    real = fingerprint.installed_versions()
    monkeypatch.setattr(fingerprint, "installed_versions", lambda: {**real, "tensorflow-cpu": "9.9.9"})
    assert fingerprint.versions_digest() != before


def _mathjax_copy(folder: Path, version: str = "3.2.2") -> Path:
    es5 = folder / "mathjax" / "es5"
    (es5 / "output" / "svg").mkdir(parents=True)
    (es5 / "output" / "chtml").mkdir(parents=True)
    (folder / "mathjax" / "package.json").write_text(f'{{"version": "{version}"}}')
    for name in ("tex-mml-chtml.js", "tex-svg.js", "latest.js", "output/chtml/font.js"):
        (es5 / name).write_text("// " + name)
    return es5


def test_mathjax_is_served_from_the_book_when_installed(tmp_path):
    es5 = _mathjax_copy(tmp_path / "npm")
    app = SimpleNamespace(outdir=str(tmp_path / "_build" / "html"), confdir=str(tmp_path))
    config = SimpleNamespace(cnnbook_mathjax=str(es5.relative_to(tmp_path)),
                             html_static_path=["book/_static"], mathjax_path="https://cdn.example/mathjax.js")
    sphinxext._mathjax_from_the_book(app, config)
    staged = tmp_path / "_build" / "cnnbook-static"
    assert config.mathjax_path == "mathjax/tex-mml-chtml.js"
    assert config.html_static_path == ["book/_static", str(staged)]
    assert (staged / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (staged / "mathjax" / "output" / "chtml" / "font.js").is_file()
    assert not (staged / "mathjax" / "tex-svg.js").exists()
    assert not (staged / "mathjax" / "latest.js").exists()
    assert not (staged / "mathjax" / "output" / "svg").exists()


def test_without_the_npm_copy_the_pages_keep_the_cdn(tmp_path):
    app = SimpleNamespace(outdir=str(tmp_path / "_build" / "html"), confdir=str(tmp_path))
    config = SimpleNamespace(cnnbook_mathjax="missing/es5", html_static_path=["book/_static"],
                             mathjax_path="https://cdn.example/mathjax.js")
    sphinxext._mathjax_from_the_book(app, config)
    assert config.mathjax_path == "https://cdn.example/mathjax.js"
    assert config.html_static_path == ["book/_static"]


def test_the_status_table_says_titles_and_words():
    """The {nb-exec-table}: chapter titles, not paths; "ran"/"failed", not emoji."""
    from collections import defaultdict

    from docutils import nodes
    from myst_nb.ext.execution_tables import make_stat_table

    metadata = defaultdict(dict)
    metadata["book/data"]["exec_data"] = {"mtime": 0, "method": "cache", "runtime": 1.5, "succeeded": True,
                                          "error": None}
    metadata["book/mlp"]["exec_data"] = {"mtime": 0, "method": "cache", "runtime": 2.0, "succeeded": False,
                                         "error": "CellExecutionError"}
    table = make_stat_table("book/status", metadata)
    titles = {"book/data": "The MNIST data", "book/mlp": "The plain network"}
    assert sphinxext.exec_table_in_words(table, titles)
    rows = [[entry.astext() for entry in row.findall(nodes.entry)] for row in table.findall(nodes.row)]
    assert rows[1][0] == "The MNIST data" and rows[2][0] == "The plain network"
    assert rows[1][-1] == "ran" and rows[2][-1] == "failed"
    assert "\u2705" not in table.astext() and "\u274c" not in table.astext()
    header = nodes.row("", nodes.entry("", nodes.paragraph(text="x")))
    other = nodes.table("", nodes.tgroup("", nodes.thead("", header)))
    assert not sphinxext.exec_table_in_words(other, titles)


def test_the_download_menu_offers_the_whole_book_pdf():
    page_files = [{"label": "download-source-button", "url": "../_sources/book/a.md"}]
    context = {"header_buttons": [{"label": "download-buttons", "buttons": page_files},
                                  {"label": "launch-buttons", "buttons": []}]}
    for language, text in (("en", "Book .pdf"), ("ko", "책 전체 .pdf")):
        app = SimpleNamespace(config=SimpleNamespace(language=language))
        sphinxext._book_pdf_in_download_menu(app, "book/a", "page.html", context, None)
        entry = context["header_buttons"][0]["buttons"][-1]
        assert (entry["url"], entry["text"]) == ("../_static/cnnbook.pdf", text)
    assert context["header_buttons"][1]["buttons"] == []  # the other menus are left alone
    sphinxext._book_pdf_in_download_menu(app, "genindex", "genindex.html", context, None)
    assert context["header_buttons"][0]["buttons"][-1]["url"] == "_static/cnnbook.pdf"


def test_the_book_pdf_role_links_the_pdf_from_any_page():
    from docutils import nodes

    for docname, uri in (("book/intro", "../_static/cnnbook.pdf"), ("index", "_static/cnnbook.pdf")):
        inliner = SimpleNamespace(document=SimpleNamespace(
            settings=SimpleNamespace(env=SimpleNamespace(docname=docname))))
        [link], messages = sphinxext._book_pdf_role("book-pdf", "", "the PDF", 1, inliner)
        assert isinstance(link, nodes.reference) and messages == []
        assert (link["refuri"], link.astext()) == (uri, "the PDF")
