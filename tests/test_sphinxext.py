"""The build extension's pieces: cache folders per package version, and re-reading on change."""

from __future__ import annotations

from types import SimpleNamespace

from cnnbook import sphinxext


def _app(tmp_path):
    return SimpleNamespace(outdir=str(tmp_path / "_build" / "html"))


def test_cache_folder_is_named_by_the_package_digest(tmp_path, monkeypatch):
    monkeypatch.delenv("CNNBOOK_CACHE_DIR", raising=False)
    monkeypatch.setattr(sphinxext, "package_digest", lambda: "a" * 64)
    app, config = _app(tmp_path), SimpleNamespace(nb_execution_cache_path="")
    sphinxext._set_up_caches(app, config)
    first = config.nb_execution_cache_path
    assert first.endswith("cnnbook-" + "a" * 16)
    assert sphinxext.os.environ["CNNBOOK_CACHE_DIR"] == str(tmp_path / "_build" / "cnnbook-cache")

    (tmp_path / "_build" / ".jupyter_cache" / ("cnnbook-" + "a" * 16)).mkdir(parents=True)
    monkeypatch.setattr(sphinxext, "package_digest", lambda: "b" * 64)
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
