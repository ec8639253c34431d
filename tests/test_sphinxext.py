"""The build extension's pieces: cache folders per package version, and re-reading on change."""

from __future__ import annotations

from types import SimpleNamespace

from cnnbook import sphinxext


def _app(tmp_path):
    return SimpleNamespace(outdir=str(tmp_path / "_build" / "html"))


def test_cache_folder_is_named_by_the_build_digest(tmp_path, monkeypatch):
    monkeypatch.delenv("CNNBOOK_CACHE_DIR", raising=False)
    monkeypatch.setattr(sphinxext, "build_digest", lambda: "a" * 64)
    app, config = _app(tmp_path), SimpleNamespace(nb_execution_cache_path="")
    sphinxext._set_up_caches(app, config)
    first = config.nb_execution_cache_path
    assert first.endswith("cnnbook-" + "a" * 16)
    assert sphinxext.os.environ["CNNBOOK_CACHE_DIR"] == str(tmp_path / "_build" / "cnnbook-cache")

    (tmp_path / "_build" / ".jupyter_cache" / ("cnnbook-" + "a" * 16)).mkdir(parents=True)
    monkeypatch.setattr(sphinxext, "build_digest", lambda: "b" * 64)
    config = SimpleNamespace(nb_execution_cache_path="")
    sphinxext._set_up_caches(app, config)
    assert config.nb_execution_cache_path.endswith("cnnbook-" + "b" * 16)
    assert not (tmp_path / "_build" / ".jupyter_cache" / ("cnnbook-" + "a" * 16)).exists()


def test_every_page_is_outdated_when_the_package_changed():
    env = SimpleNamespace(found_docs={"a", "b", "c"})
    app = SimpleNamespace(cnnbook_digest="one")
    assert sphinxext._all_outdated_when_code_changed(app, env, {"c"}, set(), set()) == ["a", "b"]
    assert sphinxext._all_outdated_when_code_changed(app, env, set(), set(), set()) == []
    app.cnnbook_digest = "two"
    assert sphinxext._all_outdated_when_code_changed(app, env, set(), set(), set()) == ["a", "b", "c"]


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


def test_the_build_digest_changes_with_an_installed_version(monkeypatch):
    """A TensorFlow upgrade must re-execute the pages, not show outputs of the old version."""
    from cnnbook import fingerprint

    before = fingerprint.build_digest()
    assert fingerprint.installed_versions()["keras"] != "-"
    real = fingerprint.installed_versions()
    monkeypatch.setattr(fingerprint, "installed_versions", lambda: {**real, "tensorflow-cpu": "9.9.9"})
    assert fingerprint.build_digest() != before
