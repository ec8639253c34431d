"""Each chapter's downloadable notebook, made to run anywhere and to read as plain Markdown.

The theme offers the executed notebook of every chapter (``_sources/<page>.ipynb`` in the built
site). As myst-nb writes it, its Markdown cells hold the page's MyST markup (``{glue:text}``
roles, ``{literalinclude}`` directives, ...) and nothing installs ``cnnbook``, so the notebook
fails outside the repository. At the end of each HTML build (both editions) every such notebook
is rewritten in place (:func:`rewrite_site`):

- a first code cell (:func:`setup_cell`) installs ``cnnbook`` at the commit that built the book,
  from the published repository, unless it is importable already (``$CNNBOOK_INSTALL`` names
  another pip source, such as a local checkout), then whatever of its dependencies and MyST-NB
  (for ``glue``) is missing. MNIST comes through ``cnnbook.data`` as on any machine: Keras
  downloads it, or ``$CNNBOOK_DATA_DIR`` names a folder holding it;
- Markdown cells as the page shows them (:func:`plain_markdown`): each glued value formatted as
  its role asks, cross-references by their text, citations in author-year form, a ``{finding}`` as a
  tick, an included function as its source, an admonition as a bold title and its text; in an
  edition in another language, every paragraph whose translation the catalogue holds translated.

On a built site: ``python -m cnnbook.notebooks _build/html`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
from pathlib import Path

REPOSITORY_ENV = "CNNBOOK_REPOSITORY_URL"
INSTALL_ENV = "CNNBOOK_INSTALL"
SETUP_TAG = "cnnbook-setup"
#: The tags of set-up cells written before (here or by the Colab script); one replaces them.
SETUP_TAGS = {SETUP_TAG, "colab-setup"}
MYST_NB = "myst-nb==1.4.0"

SETUP_SOURCE = '''\
# Set-up: the book's package (cnnbook) at the commit that built this page, unless it is
# importable already (${install_env} may name another pip source, e.g. a local checkout),
# then whatever else this chapter needs and is missing. MNIST: Keras downloads it on first use,
# or $CNNBOOK_DATA_DIR names a folder holding mnist.npz.
import importlib, importlib.metadata, importlib.util, os, re, subprocess, sys


def _pip(*args):
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *args], check=True)
    importlib.invalidate_caches()


if importlib.util.find_spec("cnnbook") is None:
    _pip("--no-deps", os.environ.get("{install_env}") or "cnnbook @ git+{url}@{commit}")
_needed = [*importlib.metadata.requires("cnnbook"), "{myst_nb}"]
if sys.platform == "darwin":  # on macOS, TensorFlow's CPU build is the package tensorflow
    _needed = [need.replace("tensorflow-cpu", "tensorflow") for need in _needed]
_module = {{"tensorflow-cpu": "tensorflow", "myst-nb": "myst_nb"}}
_missing = [need for need in _needed if importlib.util.find_spec(_module.get(
    _name := re.match(r"[\\w.-]+", need)[0], _name.replace("-", "_"))) is None]
if _missing:
    _pip(*_missing)
'''


def setup_cell(url: str, commit: str, myst_nb: str = MYST_NB) -> dict:
    """The first code cell: install ``cnnbook`` from ``url`` (a git repository) at ``commit``."""
    source = SETUP_SOURCE.format(install_env=INSTALL_ENV, url=url.rstrip("/"), commit=commit,
                                 myst_nb=myst_nb)
    return {"cell_type": "code", "execution_count": None, "id": SETUP_TAG,
            "metadata": {"tags": [SETUP_TAG]}, "outputs": [], "source": source}


def with_setup_cell(notebook: dict, cell: dict) -> dict:
    """``notebook`` with ``cell`` first, instead of any set-up cell it had."""
    cells = [c for c in notebook.get("cells", [])
             if not SETUP_TAGS & set(c.get("metadata", {}).get("tags", []))]
    return {**notebook, "cells": [cell, *cells]}


# --- Markdown as the page shows it -------------------------------------------------------------

ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
TITLED = re.compile(r"^(.*?)\s*<([^<>]*)>$", re.DOTALL)
FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})\{([\w:.-]+)\}\s*(.*)$")
OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
TARGET = re.compile(r"^\s*\([\w:.-]+\)=\s*$")


def format_glued(text: str, spec: str) -> str:
    """A glued ``text/plain`` value as ``{glue:text}`name:spec``` shows it (myst-nb 1.4)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    convert = {"s": str, **dict.fromkeys("bcdoxX", int), **dict.fromkeys("eEfFgGn%", float)}
    return format(convert.get(spec[-1], lambda v: v)(value), spec) if spec else str(value)


class Page:
    """What the Markdown of one page needs: the build's glued outputs, titles and sources."""

    def __init__(self, docname: str, glue: dict[str, dict], titles: dict[str, str], srcdir: Path,
                 cited: dict[str, tuple[str, str]] | None = None):
        self.docname, self.glue, self.titles, self.srcdir = docname, glue, titles, srcdir
        self.cited = cited or {}  # key -> (authors, year), see citations()
        self.attachments: dict[str, dict] = {}

    def glued(self, key: str) -> dict:
        doc, _, name = key.rpartition("::")
        pages = [doc] if doc else [self.docname, *sorted(self.glue)]
        for page in pages:
            if name in self.glue.get(page, {}):
                return self.glue[page][name].get("data", {})
        return {}

    def role(self, match: re.Match) -> str:
        name, text = match.group(1), match.group(2)
        if name.startswith("glue"):
            key, spec = text, ""
            if ":" in text.replace("::", "\0"):
                key, spec = text.replace("::", "\0").rsplit(":", 1)
                key = key.replace("\0", "::")
            data = self.glued(key)
            if "text/markdown" in data and name in ("glue:md", "glue:markdown"):
                return data["text/markdown"]
            try:
                return format_glued(data["text/plain"], spec)
            except (KeyError, ValueError, TypeError):  # not glued, or not in that format: as it is
                return data.get("text/plain", key)
        if name == "finding":
            return " ✓"
        if name.startswith("cite"):  # as sphinxcontrib-bibtex's author_year style shows it
            known = [self.cited.get(key.strip(), (key.strip(), "")) for key in text.split(",")]
            if name == "cite:t":
                return ", ".join(f"{who} [{year}]" if year else who for who, year in known)
            return "[" + "; ".join(f"{who}, {year}" if year else who for who, year in known) + "]"
        titled = TITLED.match(text)
        if titled:
            return titled.group(1)
        if name == "doc":
            target = (Path(self.docname).parent / text).as_posix() if not text.startswith("/") else text[1:]
            return self.titles.get(os.path.normpath(target), text)
        return text

    def include(self, argument: str, options: dict[str, str]) -> str:
        path = (self.srcdir / Path(self.docname).parent / argument).resolve()
        try:
            source = path.read_text(encoding="utf8")
        except OSError:
            return f"(`{argument}`: shown on the book's page)"
        if "pyobject" in options:
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source)):
                if getattr(node, "name", None) == options["pyobject"]:
                    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
                    source = "\n".join(lines[first - 1:node.end_lineno])
                    break
        elif "lines" in options:
            lines = source.splitlines()
            first, _, last = options["lines"].partition("-")
            source = "\n".join(lines[int(first) - 1:int(last) if last else None])
        language = options.get("language", "python" if path.suffix == ".py" else "")
        return f"```{language}\n{source.rstrip()}\n```"

    def directive(self, name: str, argument: str, options: dict, body: str) -> str:
        if name == "literalinclude":
            return self.include(argument, options)
        if name == "glue:figure":
            data = self.glued(argument)
            caption = self.markdown(body).strip()
            if "image/png" not in data:
                return caption
            file = f"{argument.split('::')[-1]}.png"
            self.attachments[file] = {"image/png": data["image/png"]}
            return f"![{options.get('alt', argument)}](attachment:{file})\n\n{caption}"
        if name in ("admonition", "note", "tip", "warning", "important", "caution", "seealso"):
            title = self.markdown(argument).strip() or name.capitalize()
            return f"**{title}**\n\n{self.markdown(body).strip()}"
        if name in ("raw", "nb-exec-table", "findings-table", "bibliography"):
            return ""
        return self.markdown(body).strip() if body.strip() else ""

    def markdown(self, text: str) -> str:
        """``text`` with every directive replaced by what it shows and every role by its text."""
        lines, out, i, code = text.split("\n"), [], 0, ""
        while i < len(lines):
            fence, plain = FENCE.match(lines[i]), re.match(r"^\s*(`{3,}|~{3,})", lines[i])
            if code or (plain and not fence):  # a code block: shown as it is
                code = "" if code and lines[i].strip() == code else code or plain.group(1)
                out.append(lines[i])
                i += 1
                continue
            if TARGET.match(lines[i]) or re.match(r"^\s*%", lines[i]):
                i += 1
                continue
            if not fence:
                out.append(ROLE.sub(self.role, lines[i]))
                i += 1
                continue
            indent, marker, name, argument = fence.groups()
            i += 1
            options, body = {}, []
            while i < len(lines) and OPTION.match(lines[i]) and not body:
                key, value = OPTION.match(lines[i]).groups()
                options[key] = value
                i += 1
            depth = 0
            while i < len(lines):
                stripped = lines[i].strip()
                if FENCE.match(lines[i]) and stripped.startswith(marker[0] * len(marker)):
                    depth += 1
                elif stripped == marker[0] * len(marker) or (stripped and set(stripped) == {marker[0]}
                                                             and len(stripped) >= len(marker)):
                    if depth == 0:
                        break
                    depth -= 1
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            i += 1  # the closing fence
            shown = self.directive(name, argument.strip(), options, "\n".join(body).strip("\n"))
            out.extend(indent + line if line else line for line in shown.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


# --- Translation (an edition in another language) ----------------------------------------------

def translator(locale_dirs: list[Path], language: str, docname: str):
    """A function translating one message of ``docname`` by the edition's catalogue, or None."""
    from babel.messages.pofile import read_po

    messages = {}
    for folder in locale_dirs:
        po = folder / language / "LC_MESSAGES" / f"{docname}.po"
        if po.is_file():
            with po.open("rb") as handle:
                messages.update({m.id: m.string for m in read_po(handle) if m.id and m.string
                                 and not m.fuzzy and isinstance(m.id, str)})
    return messages.get if messages else None


LIST_ITEM = re.compile(r"^(\s*)(#{1,6} |[-*+] |\d+[.)] |> )?(.*)$")


def translate(text: str, lookup) -> str:
    """Translate each paragraph, heading and list item of MyST ``text`` that the catalogue holds."""
    if lookup is None:
        return text
    lines, out, block = text.split("\n"), [], []

    def flush():
        if not block:
            return
        indent, marker, first = LIST_ITEM.match(block[0]).groups()
        message = " ".join([first.strip(), *(line.strip() for line in block[1:])])
        translated = lookup(message)
        if translated:
            out.append(f"{indent}{marker or ''}{translated}")
        else:
            out.extend(block)
        block.clear()

    for line in lines:
        if not line.strip() or OPTION.match(line) or re.match(r"^\s*(`{3,}|:{3,}|\$\$)", line):
            flush()
            fence = FENCE.match(line)
            if fence and fence.group(4).strip() and lookup(fence.group(4).strip()):
                line = line[: fence.start(4)] + lookup(fence.group(4).strip())  # a title
            out.append(line)
        elif LIST_ITEM.match(line).group(2) and block:
            flush()
            block.append(line)
        else:
            block.append(line)
    flush()
    return "\n".join(out)


# --- The built site ----------------------------------------------------------------------------

def citations(bibfiles) -> dict[str, tuple[str, str]]:
    """Each BibTeX key's (authors, year): "LeCun et al.", "Hubel and Wiesel", "Deotte"."""
    cited = {}
    for bib in map(Path, bibfiles):
        text = bib.read_text(encoding="utf8") if bib.is_file() else ""
        for key, body in re.findall(r"@\w+\{([^,\s]+),(.*?)\n\}", text, re.DOTALL):
            field = dict(re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", body, re.MULTILINE))
            names = [name.split(",")[0].strip() if "," in name else name.split()[-1]
                     for name in re.sub(r"\\.|[{}]", "", field.get("author", key)).split(" and ")]
            who = " and ".join(names) if len(names) < 3 else f"{names[0]} et al."
            cited[key] = (who, field.get("year", ""))
    return cited


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def titles_of(sources: Path) -> dict[str, str]:
    """Each page's title: the first heading of its MyST source copied into ``_sources``."""
    titles = {}
    for path in sources.rglob("*.md"):
        heading = re.search(r"^#\s+(.+)$", path.read_text(encoding="utf8"), re.MULTILINE)
        if heading:
            titles[path.relative_to(sources).with_suffix("").as_posix()] = ROLE.sub(
                lambda m: (TITLED.match(m.group(2)) or m).group(1 if TITLED.match(m.group(2)) else 2),
                heading.group(1).strip())
    return titles


def rewrite_notebook(notebook: dict, page: Page, setup: dict, lookup=None) -> dict:
    cells = []
    for cell in with_setup_cell(notebook, setup)["cells"]:
        if cell.get("cell_type") == "markdown":
            page.attachments = {}
            cell = {**cell, "source": page.markdown(translate(_source(cell), lookup))}
            if page.attachments:
                cell["attachments"] = {**cell.get("attachments", {}), **page.attachments}
        cells.append(cell)
    return {**notebook, "cells": cells}


def rewrite_site(html: Path, glue_dir: Path, srcdir: Path, url: str, commit: str, language: str = "en",
                 locale_dirs: list[Path] = (), bibfiles: list[Path] = ()) -> list[Path]:
    """Rewrite every ``_sources/**/*.ipynb`` of the built site ``html`` (see the module's text)."""
    sources = html / "_sources"
    glue = {path.relative_to(glue_dir).as_posix()[: -len(".glue.json")]:
            json.loads(path.read_text(encoding="utf8")) for path in glue_dir.rglob("*.glue.json")}
    titles, setup, written = titles_of(sources), setup_cell(url, commit), []
    cited = citations(bibfiles)
    lookups = {docname: translator(list(locale_dirs), language, docname) if language != "en" else None
               for docname in titles}
    titles = {name: (lookups[name] or {}.get)(title) or title for name, title in titles.items()}
    for path in sorted(sources.rglob("*.ipynb")):
        docname = path.relative_to(sources).with_suffix("").as_posix()
        lookup = lookups.get(docname)
        notebook = rewrite_notebook(json.loads(path.read_text(encoding="utf8")),
                                    Page(docname, glue, titles, srcdir, cited), setup, lookup)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf8")
        written.append(path)
    return written


def build_commit(folder: Path, branch: str = "main") -> str:
    """The commit checked out in ``folder`` (``git rev-parse HEAD``), or ``branch`` without git."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                              text=True, check=True, timeout=30).stdout.strip() or branch
    except (OSError, subprocess.SubprocessError):
        return branch


def _rewrite_at_build_end(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    url = (os.environ.get(REPOSITORY_ENV, "").strip()
           or app.config.html_theme_options.get("repository_url", "")).rstrip("/")
    language = (app.config.language or "en").split("_")[0]
    locale_dirs = [Path(app.srcdir, folder) for folder in app.config.locale_dirs]
    bibfiles = [Path(app.srcdir, bib) for bib in getattr(app.config, "bibtex_bibfiles", [])]
    rewrite_site(Path(app.outdir), Path(app.env.mystnb_config.output_folder), Path(app.srcdir),
                 url, build_commit(Path(app.srcdir)), language, locale_dirs, bibfiles)


def setup(app):
    app.connect("build-finished", _rewrite_at_build_end)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> None:
    import yaml

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html", type=Path, help="a built edition (_build/html or _build/html/ko)")
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="the book's root")
    parser.add_argument("--glue", type=Path, help="its myst-nb outputs (default: beside html)")
    parser.add_argument("--repository", help="the git repository to install from")
    parser.add_argument("--commit", help="the commit to install (default: the source's HEAD)")
    parser.add_argument("--language", help="the edition's language (default: from the path)")
    args = parser.parse_args(argv)
    html = args.html.resolve()
    language = args.language or ("en" if html.name == "html" else html.name)
    build = html.parent if language == "en" else html.parent.parent / language
    config = yaml.safe_load((args.source / "_config.yml").read_text(encoding="utf8"))
    url = args.repository or os.environ.get(REPOSITORY_ENV) or config["repository"]["url"]
    written = rewrite_site(html, args.glue or build / "jupyter_execute", args.source, url,
                           args.commit or build_commit(args.source), language,
                           [args.source / "locales"],
                           [args.source / bib for bib in config.get("bibtex_bibfiles", [])])
    print(f"{len(written)} notebooks rewritten in {html / '_sources'}")


if __name__ == "__main__":
    main()
