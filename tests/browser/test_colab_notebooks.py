"""The Pages workflow's Colab notebooks: each chapter, its outputs kept, one set-up cell first."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".github" / "colab_notebooks.py"


@pytest.fixture(scope="module")
def colab():
    spec = importlib.util.spec_from_file_location("colab_notebooks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_gets_the_setup_cell_and_keeps_its_cells(colab, tmp_path):
    chapter = {"cells": [{"cell_type": "code", "source": "1 + 1", "metadata": {}, "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": "2"}}], "execution_count": 1}],
        "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    sources = tmp_path / "html" / "_sources" / "book"
    sources.mkdir(parents=True)
    (sources / "a.ipynb").write_text(json.dumps(chapter))
    (sources / "a.md").write_text("# not a notebook")

    written = colab.convert(tmp_path / "html" / "_sources", tmp_path / "out", "someone/book", "abc123")
    assert written == [tmp_path / "out" / "book" / "a.ipynb"]
    notebook = json.loads(written[0].read_text())
    setup, original = notebook["cells"]
    assert "git+https://github.com/someone/book@abc123" in setup["source"]
    assert "--no-deps" in setup["source"] and colab.MYST_NB in setup["source"]
    assert original == chapter["cells"][0]
    assert notebook["metadata"]["kernelspec"] == {"name": "python3"}
    assert "abc123" in (tmp_path / "out" / "README.md").read_text()


def test_no_notebooks_is_an_error(colab, tmp_path):
    (tmp_path / "_sources").mkdir()
    with pytest.raises(SystemExit, match="no notebooks"):
        colab.convert(tmp_path / "_sources", tmp_path / "out", "o/r", "c")
