"""The downloaded notebooks (cnnbook.notebooks): plain Markdown, a set-up cell, and they run anywhere.

The last test executes two chapters' downloaded notebooks in a fresh virtual environment that
cannot import ``cnnbook`` until the notebook's own set-up cell has installed it (from this
checkout, through ``CNNBOOK_INSTALL``, so that nothing is downloaded).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from cnnbook import notebooks
from conftest import BUILT_HTML, REPO

#: MyST markup a reader must never see in a notebook's Markdown.
MARKUP = re.compile(r"\{(glue|finding|literalinclude|doc|term|numref|ref|cite)[\w:]*\}|^\s*(```|:::)\{",
                    re.MULTILINE)
#: Cheap chapters (nothing trained) whose downloaded notebooks the last test runs.
CHAPTERS = ("book/output_size", "book/pooling")


def page(tmp_path: Path) -> notebooks.Page:
    (tmp_path / "book").mkdir(exist_ok=True)
    (tmp_path / "code.py").write_text("import os\n\n\n@staticmethod\ndef twice(x):\n    return 2 * x\n")
    glue = {"book/a": {"acc": {"data": {"text/plain": "0.98765"}}, "n": {"data": {"text/plain": "60000"}},
                       "fig": {"data": {"text/plain": "<Figure>", "image/png": "iVBORw0KGgo="}}},
            "book/b": {"name": {"data": {"text/plain": "'Keras'"}}}}
    return notebooks.Page("book/a", glue, {"book/b": "The other chapter"}, tmp_path,
                          notebooks.citations([REPO / "book" / "references.bib"]))


def test_roles_show_what_the_page_shows(tmp_path):
    text = ("Accuracy {glue:text}`acc:.1%` on {glue:text}`n:,` images by {glue:text}`book/b::name`"
            "{finding}`a_claim`; see {doc}`b`, {doc}`that page <b>`, {term}`pooling <Pooling (풀링)>`,"
            " {numref}`fig-x`, {cite:p}`lecun1998, nokey` and {cite:t}`hubel1962`.")
    shown = page(tmp_path).markdown(text)
    assert shown == ("Accuracy 98.8% on 60,000 images by Keras ✓; see The other chapter, that page, "
                     "pooling, fig-x, [LeCun et al., 1998; nokey] and Hubel and Wiesel [1962].")
    assert notebooks.format_glued("3", ".2f") == "3.00" and notebooks.format_glued("'a'", "") == "a"


def test_directives_become_their_content(tmp_path):
    text = ("(a-target)=\n# Title\n\n```{literalinclude} ../code.py\n:pyobject: twice\n```\n\n"
            ":::{admonition} Solutions\n:class: dropdown\n\n1. {glue:text}`n:,d` images.\n:::\n\n"
            "```{glue:figure} fig\n:alt: A chart\n\nThe caption, {glue:text}`acc:.2f`.\n```\n"
            "```{raw} html\n<div></div>\n```\n")
    shown_page = page(tmp_path)
    shown = shown_page.markdown(text)
    assert shown.startswith("# Title\n\n```python\n@staticmethod\ndef twice(x):\n    return 2 * x\n```")
    assert "**Solutions**\n\n1. 60,000 images." in shown
    assert "![A chart](attachment:fig.png)\n\nThe caption, 0.99." in shown
    assert shown_page.attachments == {"fig.png": {"image/png": "iVBORw0KGgo="}}
    assert not MARKUP.search(shown) and "<div>" not in shown and "a-target" not in shown


def test_translated_paragraphs_list_items_and_titles():
    catalogue = {"A paragraph on two lines.": "두 줄의 문단.", "Solutions": "풀이", "An item": "항목",
                 "Title": "제목"}
    text = ("# Title\n\nA paragraph\non two lines.\n\n:::{admonition} Solutions\n\n"
            "1. An item\n2. Not here\n:::")
    assert notebooks.translate(text, catalogue.get) == (
        "# 제목\n\n두 줄의 문단.\n\n:::{admonition} 풀이\n\n1. 항목\n2. Not here\n:::")
    assert notebooks.translate(text, None) == text


def test_one_setup_cell_first_however_often_it_is_added():
    cell = notebooks.setup_cell("https://github.com/someone/book/", "abc123")
    compile(cell["source"], "setup", "exec")
    assert '"cnnbook @ git+https://github.com/someone/book@abc123"' in cell["source"]
    assert notebooks.INSTALL_ENV in cell["source"] and "--no-deps" in cell["source"]
    notebook = {"cells": [{"cell_type": "code", "source": "1", "metadata": {}}]}
    twice = notebooks.with_setup_cell(notebooks.with_setup_cell(notebook, cell), cell)
    assert twice["cells"] == [cell, *notebook["cells"]]


PAGE = """
# A page

The accuracy is {glue:text}`acc:.2%`{finding}`page_accurate`, as {doc}`other` says.

```{literalinclude} pkg/shown.py
:pyobject: shown
```

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue
glue("acc", 0.98765, display=False)
from cnnbook import findings
findings.check("page_accurate", "accurate", 0.98765, ">", 0.5)
```
"""


@pytest.mark.slow
def test_a_built_book_offers_the_rewritten_notebook(tmp_path):
    from test_build import HEADER, build, make_book

    folder = make_book(tmp_path / "book", "print(1)", other="print(2)")
    (folder / "page.md").write_text(HEADER.replace("# A page\n", "") + PAGE)
    (folder / "pkg").mkdir()
    (folder / "pkg" / "shown.py").write_text("def shown():\n    return 42\n")
    done = build(folder)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    html = folder / "_build" / "html"
    assert "_sources/page.ipynb" in (html / "page.html").read_text(encoding="utf8")
    notebook = json.loads((html / "_sources" / "page.ipynb").read_text(encoding="utf8"))
    setup, *cells = notebook["cells"]
    assert notebooks.SETUP_TAG in setup["metadata"]["tags"]
    markdown = "\n".join(cell["source"] for cell in cells if cell["cell_type"] == "markdown")
    assert "The accuracy is 98.77% ✓, as A page says." in markdown, markdown
    assert "```python\ndef shown():\n    return 42\n```" in markdown
    assert not MARKUP.search(markdown)

    # The Korean edition (cnnbook.editions) rewrites its own download, in its own words.
    from test_editions import po_file

    po_file(folder / "locales" / "ko" / "LC_MESSAGES" / "page.po", {
        "The accuracy is {glue:text}`acc:.2%`{finding}`page_accurate`, as {doc}`other` says.":
        "정확도는 {glue:text}`acc:.2%`{finding}`page_accurate`입니다({doc}`other`)."})
    env = {**os.environ, "PYTHONPATH": str(REPO / "code")}
    korean = subprocess.run([sys.executable, "-m", "cnnbook.editions", "ko"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=600)
    assert korean.returncode == 0, korean.stdout[-3000:] + korean.stderr[-3000:]
    notebook = json.loads((html / "ko" / "_sources" / "page.ipynb").read_text(encoding="utf8"))
    markdown = "\n".join(cell["source"] for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert "정확도는 98.77% ✓입니다(A page)." in markdown, markdown


@pytest.mark.built_book
@pytest.mark.parametrize("edition", ["", "ko"])
def test_every_downloaded_notebook_reads_as_its_page(edition):
    """Each chapter's download in each edition: the set-up cell first, no MyST markup left; the
    Korean edition's chapters in Korean."""
    downloads = sorted((BUILT_HTML / edition / "_sources").rglob("*.ipynb"))
    assert len(downloads) >= 10, downloads
    for path in downloads:
        cells = json.loads(path.read_text(encoding="utf8"))["cells"]
        assert notebooks.SETUP_TAG in cells[0]["metadata"].get("tags", []), path
        assert sum(notebooks.SETUP_TAG in cell["metadata"].get("tags", []) for cell in cells) == 1
        markdown = "\n".join(cell["source"] for cell in cells if cell["cell_type"] == "markdown")
        assert not MARKUP.search(markdown), (path, MARKUP.search(markdown))
        if edition == "ko":  # the English pages have Korean terms too: the text must differ
            english = BUILT_HTML / path.relative_to(BUILT_HTML / "ko")
            english = json.loads(english.read_text(encoding="utf8"))
            assert markdown != "\n".join(cell["source"] for cell in english["cells"]
                                         if cell["cell_type"] == "markdown"), path


def fresh_python(folder: Path) -> Path:
    """A new virtual environment seeing this one's packages but not cnnbook (its .pth files,
    the editable install's among them, are not read from a folder a .pth file adds)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=60)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "project.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def checkout_wheel(folder: Path) -> Path:
    """This checkout's cnnbook as a wheel, made here: pip would build the checkout with a
    setuptools new enough for its pyproject.toml, downloaded unless one is installed."""
    import base64
    import hashlib
    import tomllib
    import zipfile

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf8"))["project"]
    info = f"cnnbook-{project['version']}.dist-info"
    files = {path.relative_to(REPO / "code").as_posix(): path.read_bytes()
             for path in sorted((REPO / "code" / "cnnbook").rglob("*")) if path.is_file()
             and "__pycache__" not in path.parts}
    files[f"{info}/METADATA"] = "\n".join([
        "Metadata-Version: 2.1", "Name: cnnbook", f"Version: {project['version']}",
        *(f"Requires-Dist: {need}" for need in project["dependencies"]), ""]).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    digest = {name: base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
              for name, data in files.items()}
    record = [f"{name},sha256={digest[name]},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    folder.mkdir(parents=True)
    wheel = folder / f"cnnbook-{project['version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


@pytest.mark.slow
@pytest.mark.built_book
def test_downloaded_notebooks_run_in_a_fresh_environment(tmp_path, monkeypatch):
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    started = time.monotonic()
    monkeypatch.delenv("PYTHONPATH", raising=False)
    python = fresh_python(tmp_path / "venv")
    assert subprocess.run([str(python), "-c", "import cnnbook"], capture_output=True).returncode != 0
    monkeypatch.setenv(notebooks.INSTALL_ENV, str(checkout_wheel(tmp_path / "wheel")))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # nothing from the network: all else is there already
    kernels = tmp_path / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    for chapter in CHAPTERS:
        path = BUILT_HTML / "_sources" / f"{chapter}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        assert not MARKUP.search(markdown), MARKUP.search(markdown).group(0)
        assert notebooks.SETUP_TAG in notebook.cells[0].metadata.get("tags", [])
        run = tmp_path / "run" / chapter
        run.mkdir(parents=True)
        manager = KernelManager(kernel_name="fresh", kernel_spec_manager=specs)
        NotebookClient(notebook, km=manager, timeout=300, allow_errors=False,
                       resources={"metadata": {"path": str(run)}}).execute()
        assert all(cell.execution_count for cell in notebook.cells if cell.cell_type == "code")
        errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
                  if output.get("output_type") == "error"]
        assert not errors, errors
    installed = subprocess.run([str(python), "-c", "import cnnbook; print(cnnbook.__file__)"],
                               capture_output=True, text=True, check=True).stdout
    assert installed.startswith(str(tmp_path / "venv")), installed
    assert time.monotonic() - started < 300
