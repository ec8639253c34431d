"""The build itself: a raising cell fails it, and an edit to cnnbook never leaves a stale page.

These build small books in a temporary folder with the project's own configuration and
extension, so they test the real mechanism without the cost of the real book.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cnnbook.sphinxext import glued_values  # noqa: F401  (the extension must import cheaply)

REPO = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
STRICT = ["--all", "-W", "-n", "--keep-going"]

HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

# A page
"""


def make_book(folder: Path, cell: str, **more_pages: str) -> Path:
    """A book using the project's _config.yml (execution, extension, strictness): a page
    ``page`` with ``cell``, and one page more for each keyword (name=cell)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    config["exclude_patterns"] = ["_build", "pkg"]
    (folder / "_config.yml").write_text(yaml.safe_dump(config))
    chapters = "".join(f"  - file: {name}\n" for name in more_pages)
    toc = "format: jb-book\nroot: page\n" + (f"chapters:\n{chapters}" if chapters else "")
    (folder / "_toc.yml").write_text(toc)
    for name, code in {"page": cell, **more_pages}.items():
        (folder / f"{name}.md").write_text(HEADER + f"\n```{{code-cell}} ipython3\n{code}\n```\n")
    (folder / "book" / "_static").mkdir(parents=True, exist_ok=True)  # html_static_path
    for shared in ("references.bib", "_templates"):  # bibtex_bibfiles, templates_path
        (folder / "book" / shared).symlink_to(REPO / "book" / shared)
    return folder


def build(folder: Path, *flags: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(folder), "--builder", "html", *flags],
        capture_output=True, text=True, env=env, timeout=600,
    )


@pytest.mark.slow
def test_a_raising_cell_fails_the_strict_build(tmp_path):
    good = build(make_book(tmp_path / "good", "print(6 * 7)"), *STRICT)
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
    assert "42" in (tmp_path / "good" / "_build" / "html" / "page.html").read_text()

    bad = build(make_book(tmp_path / "bad", "raise RuntimeError('this cell fails')"), *STRICT)
    assert bad.returncode != 0
    assert "RuntimeError" in bad.stdout + bad.stderr


@pytest.mark.slow
def test_stderr_in_a_cell_fails_the_strict_build(tmp_path):
    done = build(make_book(tmp_path, "import sys; print('trouble', file=sys.stderr)"), *STRICT)
    assert done.returncode != 0
    warnings = [line for line in (done.stdout + done.stderr).splitlines() if "WARNING" in line]
    assert any("stderr" in line for line in warnings), warnings


@pytest.mark.slow
def test_an_edit_to_the_package_reexecutes_the_pages(tmp_path):
    """Build, edit a copy of cnnbook, rebuild incrementally: the page must show the edit."""
    import os

    book = make_book(tmp_path, "import cnnbook\nprint('version', cnnbook.__version__)")
    package = book / "pkg" / "cnnbook"
    shutil.copytree(REPO / "code" / "cnnbook", package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(book / "pkg")}
    page = book / "_build" / "html" / "page.html"

    first = build(book, env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    old = __import__("cnnbook").__version__
    assert f"version {old}" in page.read_text()

    again = build(book, env=env)  # nothing changed: nothing re-executed
    assert again.returncode == 0 and "Executing notebook" not in again.stdout + again.stderr

    init = package / "__init__.py"
    init.write_text(init.read_text().replace(f'__version__ = "{old}"', '__version__ = "9.9.9-edited"'))
    edited = build(book, env=env)
    assert edited.returncode == 0, edited.stdout[-3000:] + edited.stderr[-3000:]
    assert "version 9.9.9-edited" in page.read_text()


def _executed(done: subprocess.CompletedProcess) -> set[str]:
    """The pages a build executed (not taken from the cache)."""
    return {Path(line.split(":")[0]).stem for line in (done.stdout + done.stderr).splitlines()
            if "Executing notebook" in line}


@pytest.mark.slow
def test_an_edit_reexecutes_only_the_pages_that_import_the_edited_code(tmp_path):
    """A page is executed again when cnnbook code it imports changed; the others keep their outputs."""
    import os

    book = make_book(tmp_path, "from cnnbook import geometry\nprint('side', geometry.output_size(7, 3))",
                     data_page="from cnnbook.data import MNIST_FILE\nprint('file', MNIST_FILE)")
    package = book / "pkg" / "cnnbook"
    shutil.copytree(REPO / "code" / "cnnbook", package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(book / "pkg")}

    first = build(book, env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert _executed(first) == {"page", "data_page"}

    geometry = package / "geometry.py"
    source = geometry.read_text()
    assert "    padding = _padding(padding)\n\n" in source, "update this test to geometry.output_size"
    geometry.write_text(source.replace("    padding = _padding(padding)\n\n",
                                       "    padding = _padding(padding)\n    n += 100  # edited\n\n", 1))
    edited = build(book, env=env)
    assert edited.returncode == 0, edited.stdout[-3000:] + edited.stderr[-3000:]
    assert _executed(edited) == {"page"}, "the page without geometry keeps its cached outputs"
    assert "side 105" in (book / "_build" / "html" / "page.html").read_text()
    assert "file mnist.npz" in (book / "_build" / "html" / "data_page.html").read_text()
