"""Turn the book's executed chapters into notebooks that run on Google Colab.

The Pages workflow runs this after the build and publishes the result on the ``notebooks``
branch, where the Colab button of every chapter points (``repository.branch`` in _config.yml).
Input: the executed notebooks the theme copies to ``_build/html/_sources/**/*.ipynb``, which the
build has already made to run anywhere (:mod:`cnnbook.notebooks`: plain Markdown, a set-up cell
first). Output: the same files with that cell made for this very commit of this repository: it
installs the ``cnnbook`` package at the commit that built the book (without its pinned
dependencies, so Colab keeps its own TensorFlow) and MyST-NB (for ``glue``). MNIST downloads
through Keras there.

    python .github/colab_notebooks.py _build/html _build/colab --repository OWNER/NAME --commit SHA
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cnnbook import notebooks
from cnnbook.notebooks import MYST_NB

README = """# Notebooks for Colab

Made by the Pages workflow from the commit {commit} of {repository}; do not edit. Each chapter
of the book is here as `book/<chapter>.ipynb`, with its outputs and a first cell that installs
the book's package on Colab. The book itself: the repository's main branch.
"""


def setup_cell(repository: str, commit: str) -> dict:
    """The first cell: install ``cnnbook`` from github.com/``repository`` at ``commit`` and MyST-NB."""
    return notebooks.setup_cell(f"https://github.com/{repository}", commit, MYST_NB)


def convert(sources: Path, out: Path, repository: str, commit: str) -> list[Path]:
    """Write every notebook under ``sources`` to ``out`` with the set-up cell first."""
    written = []
    for path in sorted(sources.rglob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf8"))
        notebook = notebooks.with_setup_cell(notebook, setup_cell(repository, commit))
        notebook.setdefault("metadata", {}).setdefault("colab", {"provenance": []})
        target = out / path.relative_to(sources)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf8")
        written.append(target)
    if not written:
        raise SystemExit(f"no notebooks under {sources}: is a launch button set in _config.yml?")
    (out / "README.md").write_text(README.format(commit=commit, repository=repository), encoding="utf8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("html", type=Path, help="the built site (_build/html)")
    parser.add_argument("out", type=Path, help="where to write the notebooks")
    parser.add_argument("--repository", required=True, help="OWNER/NAME on GitHub")
    parser.add_argument("--commit", required=True, help="the commit the book was built from")
    args = parser.parse_args()
    written = convert(args.html / "_sources", args.out, args.repository, args.commit)
    print(f"{len(written)} notebooks for Colab in {args.out}")


if __name__ == "__main__":
    main()
