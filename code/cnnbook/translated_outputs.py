"""What the executed cells show, in the edition's language: figure captions, alt texts, tables.

Sphinx's gettext builder extracts a page's messages without executing it (``python -m
cnnbook.editions gettext``), so it never sees what only exists once a cell has run: the caption
and alt text of a figure a cell draws (``mystnb: figure: caption:`` and ``image: alt:`` in the
cell's metadata, or a ``{glue:figure}`` directive), and the tables cells print. Left alone, a
Korean page showed those in English.

- **Captions and alt texts** are messages of the page's own catalogue like any paragraph:
  :func:`figure_messages` reads them from the page's source, exactly as Sphinx will see them
  once the cell's output is there, and the gettext extraction adds them to the page's
  ``.pot``; Sphinx's own translation step then replaces them in the built page (the figure is
  in the doctree by then, from the execution cache).
- **Table cells** (headers, row labels, words in cells; also of the execution-statistics table
  of the status page, which myst-nb builds at the end) are translated through one catalogue,
  ``locales/<lang>/LC_MESSAGES/outputs.po``, by :class:`TranslatedTableCells`. A cell's text is
  looked up with its numbers replaced by ``{0}``, ``{1}`` ... (:func:`template`), so that "seed
  3" and "plain, 25 conv layers" need one entry each and the numbers shown are the computed
  ones, never typed into a translation. A cell that is code (a layer's name, a Keras argument)
  has no entry and stays as it is.

``python -m cnnbook.translated_outputs BUILT_HTML [LANG]`` lists the table texts of the built
English pages that have English words (:func:`english_words`, with the reviewed names of
``locales/<lang>/latin_words.txt``) and no entry in the catalogue: the extraction for tables.
"""

from __future__ import annotations

import html
import re
import sys
from functools import cache
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

#: A number as a table shows it (1,024 0.5 99.18% 1e-05 -3), not part of a word (conv2, 5x5).
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?%?(?![\w])")
#: One cell (or the caption) of an HTML table: its opening tag, its text (no markup inside), its
#: closing tag.
CELL = re.compile(r"(<(t[hd]|caption)\b[^>]*>)([^<]*)(</\2>)")
#: A ``{glue:figure}`` directive: its options and its content (the caption, then perhaps more).
GLUE_FIGURE = re.compile(r"^(`{3,}|:{3,})\{glue:figure\}[^\n]*\n(.*?)^\1\s*$", re.DOTALL | re.MULTILINE)
OPTION = re.compile(r"^:(\w+):\s*(.*)$")
#: A table catalogue: (page or None for every page, English text as :func:`template` keys it)
#: -> the translation.
Catalogue = dict[tuple[str | None, str], str]


def template(text: str) -> tuple[str, list[str]]:
    """``text`` with its numbers replaced by ``{0}``, ``{1}`` ..., and those numbers."""
    numbers: list[str] = []

    def hole(match: re.Match) -> str:
        numbers.append(match.group(0))
        return f"{{{len(numbers) - 1}}}"

    return NUMBER.sub(hole, text), numbers


def translate_text(text: str, catalogue: Catalogue, page: str | None = None) -> str | None:
    """``text`` (a table cell's) in the catalogue's language, its numbers kept: the entry of
    ``page`` (the message context) first, then the entry for every page; None without one."""
    key, numbers = template(" ".join(text.split()))
    translated = catalogue.get((page, key)) or catalogue.get((None, key))
    if not translated:
        return None
    filled = re.sub(r"\{(\d+)\}", lambda m: numbers[int(m.group(1))], translated)
    if re.search("[가-힣]", filled):
        from cnnbook.korean import fix_particles

        filled = fix_particles("", filled)  # the particle after a number put back: 1과, 3을
    return filled


def translate_table_html(markup: str, catalogue: Catalogue, page: str | None = None) -> str:
    """Every ``<th>``/``<td>`` text of ``markup`` translated, HTML-escaped as before; a
    translation in backticks (```padding```) is code, kept as it is and shown as code."""
    def cell(match: re.Match) -> str:
        translated = translate_text(html.unescape(match.group(3)), catalogue, page)
        if translated is None:
            return match.group(0)
        if len(translated) > 2 and translated[0] == translated[-1] == "`":
            text = f"<code>{html.escape(translated[1:-1], quote=False)}</code>"
        else:
            text = html.escape(translated, quote=False)
        return match.group(1) + text + match.group(4)

    return CELL.sub(cell, markup)


def table_texts(markup: str) -> list[str]:
    """The texts of ``markup``'s table cells that have words, as :func:`template` keys them."""
    texts = (" ".join(html.unescape(text).split()) for _, _, text, _ in CELL.findall(markup))
    return [template(text)[0] for text in texts if re.search(r"[A-Za-z]{2,}", text)]


def figure_messages(source: str) -> list[str]:
    """The captions and alt texts of the figures that a page's cells draw (MyST notebook text),
    each as Sphinx's gettext builder would extract it from the executed page."""
    from myst_nb.core.read import read_myst_markdown_notebook

    messages = []
    for cell in read_myst_markdown_notebook(source).cells:
        options = cell.metadata.get("mystnb", {}) if cell.cell_type == "code" else {}
        caption = options.get("figure", {}).get("caption")
        alt = options.get("image", {}).get("alt")
        messages += [str(caption).replace("\n", " ").strip()] if caption else []
        messages += [str(alt)] if alt else []
        if cell.cell_type == "markdown":
            for _, body in GLUE_FIGURE.findall(cell.source):
                lines = body.splitlines()
                while lines and OPTION.match(lines[0]):
                    name, value = OPTION.match(lines.pop(0)).groups()
                    messages += [value] if name == "alt" and value else []
                paragraph = "\n".join(lines).strip().split("\n\n")[0].replace("\n", " ").strip()
                messages += [paragraph] if paragraph else []
    return list(dict.fromkeys(messages))


@cache
def read_catalogue(path: Path) -> Catalogue:
    """(msgctxt, msgid) -> msgstr of a ``.po`` file's translated, current entries."""
    from babel.messages.pofile import read_po

    if not path.is_file():
        return {}
    with open(path, encoding="utf8") as stream:
        return {(m.context, m.id): m.string for m in read_po(stream) if m.id and m.string and not m.fuzzy}


def outputs_catalogue(srcdir: str, locale_dirs, language: str | None) -> Catalogue:
    """The table catalogue of ``language`` (empty for the English edition)."""
    if not language or language.startswith("en"):
        return {}
    found: Catalogue = {}
    for folder in locale_dirs:
        found.update(read_catalogue(Path(srcdir, folder, language, "LC_MESSAGES", "outputs.po")))
    return found


class TranslatedTableCells(SphinxTransform):
    """Translate the tables that cells print (pandas' HTML), through ``outputs.po``."""

    default_priority = 200

    def apply(self, **kwargs) -> None:
        catalogue = outputs_catalogue(self.env.srcdir, self.config.locale_dirs, self.config.language)
        if not catalogue:
            return
        for node in list(self.document.findall(nodes.raw)):
            if "html" in node.get("format", "").split() and "<t" in node.astext():
                markup = translate_table_html(node.astext(), catalogue, Path(self.env.docname).name)
                if markup != node.astext():
                    node.replace(node[0], nodes.Text(markup))


class TranslatedLateOutputs(SphinxPostTransform):
    """Translate, through ``outputs.po``, what only exists once the page is resolved: glued text
    that is words ("6 and 10"; glue roles are resolved at post-transform 5), and myst-nb's
    execution-statistics table (``{nb-exec-table}``, on the status page: myst-nb builds it at 8,
    cnnbook.sphinxext puts it in words at 8.5), its headers, methods and status words."""

    default_priority = 8.6

    def run(self, **kwargs) -> None:
        catalogue = outputs_catalogue(self.env.srcdir, self.config.locale_dirs, self.config.language)
        if not catalogue:
            return
        texts = [text for node in self.document.findall(nodes.inline)
                 if "pasted-text" in node["classes"] for text in node.findall(nodes.Text)]
        for table in self.document.findall(nodes.table):
            if [entry.astext().strip() for entry in table.findall(nodes.entry)][:1] == ["Document"]:
                texts += table.findall(nodes.Text)
        for text in texts:
            translated = translate_text(text.astext(), catalogue, Path(self.env.docname).name)
            if translated is not None and text.astext().strip():
                text.parent.replace(text, nodes.Text(translated))


def missing_table_texts(built_html: Path, catalogue: Catalogue, names: frozenset[str]
                        ) -> dict[str, list[str]]:
    """Page -> the table texts with English words (:func:`english_words`) of the built pages'
    cell outputs that ``catalogue`` lacks."""
    from bs4 import BeautifulSoup

    missing: dict[str, list[str]] = {}
    for page in sorted(Path(built_html, "book").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf8"), "html.parser")
        for output in soup.select(".cell_output .output.text_html"):
            for text in table_texts(str(output)):
                known = (page.stem, text) in catalogue or (None, text) in catalogue
                if not known and english_words(text, names) and text not in missing.get(page.stem, []):
                    missing.setdefault(page.stem, []).append(text)
    return missing


def add_figure_messages(root: Path, pot_dir: Path) -> None:
    """Add each page's :func:`figure_messages` to its ``pot_dir/book/<page>.pot``."""
    from babel.messages.pofile import read_po, write_po

    for source in sorted(Path(root, "book").glob("*.md")):
        messages = figure_messages(source.read_text(encoding="utf8"))
        pot = pot_dir / "book" / f"{source.stem}.pot"
        if not messages or not pot.is_file():
            continue
        with open(pot, "rb") as stream:
            catalog = read_po(stream)
        for message in messages:
            if message not in catalog:
                catalog.add(message)
        with open(pot, "wb") as stream:
            write_po(stream, catalog, width=0, omit_header=False)


def setup(app):
    app.add_transform(TranslatedTableCells)
    app.add_post_transform(TranslatedLateOutputs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


#: A run of Latin letters as a page shows it (with what makes it code or a name: digits, _ . @ -).
LATIN = re.compile(r"[A-Za-z0-9_@.'’+/-]*[A-Za-z][A-Za-z0-9_@.'’+/-]*")


def latin_names(path: Path) -> frozenset[str]:
    """The reviewed words a page in another language may show in Latin letters (a file of
    words, ``#`` comments; a line ``phrase: ...`` is one entry, a whole phrase)."""
    lines = [line for line in Path(path).read_text(encoding="utf8").splitlines() if not line.startswith("#")]
    phrases = {line.removeprefix("phrase:").strip() for line in lines if line.startswith("phrase:")}
    words = {word for line in lines if not line.startswith("phrase:") for word in line.split()}
    return frozenset(phrases | words)


def english_words(text: str, names: frozenset[str]) -> list[str]:
    """The English words of ``text``: Latin words that are not names or code. Acronyms and
    names with two capitals or more (CNN, ReLU, TensorFlow), words with digits, dots or
    underscores (LeNet-5, conv2d_1), single letters and ``names`` are not English words."""
    found = []
    for phrase in (name for name in names if " " in name):
        text = text.replace(phrase, " ")
    for word in LATIN.findall(text):
        word = word.strip(".'’-/+")
        if len(word) < 2 or re.search(r"[0-9_@./+]", word) or sum(c.isupper() for c in word) >= 2:
            continue
        if not {word, word.lower(), word.rstrip("s"), re.sub(r"['’]s$", "", word)} & names:
            found.append(word)
    return found


if __name__ == "__main__":
    language = sys.argv[2] if len(sys.argv) > 2 else "ko"
    catalogue = read_catalogue(Path("locales", language, "LC_MESSAGES", "outputs.po"))
    names = latin_names(Path("locales", language, "latin_words.txt"))
    for page, texts in missing_table_texts(Path(sys.argv[1]), catalogue, names).items():
        for text in texts:
            print(f"{page}\t{text}")
