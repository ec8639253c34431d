"""No number is typed in the book's prose: every figure a reader sees is computed and glued.

This lint reads book/*.md as text (it needs no built book). It looks at prose, headings, table
cells, admonitions, figure captions and alt texts (``caption:`` and ``alt:`` in the YAML header
of a code cell, and the options and body of a ``{figure}`` or ``{glue:figure}`` directive) and
fails on any digit that is not

* inside a ``{glue...}`` role (the number is computed by a cell),
* inside a role or place that is not prose: ``{cite}``, ``{doc}``, ``{numref}``, ``{ref}``,
  ``{term}``, ``{eq}``, ``{math}``, inline code, ``$...$`` / ``$$...$$`` math, a URL, a link
  target, a label ``(name)=``, a comment,
* or matched by an entry of :data:`ALLOWED`, the short reviewed list below, each with its reason.

The bodies of code cells, ``{literalinclude}`` and other code blocks are code, not prose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"

#: (page or None for every page, regex, reason). A digit is allowed when a match of the regex on
#: the line (after roles, code, math and URLs are removed) covers it.
ALLOWED: list[tuple[str | None, str, str]] = [
    # -- names, not numbers ----------------------------------------------------------------------
    (None, r"\b(?:C[135]|S[24]|F6)\b", "LeNet-5's layer names (C1, S2, C3, S4, C5, F6), from the paper"),
    (None, r"\bLeNet-5\b|\bResNet-(?:18|34|50|101|152)\b|\bVGG-?1[69]\b|\bILSVRC[- ]?20(?:1[0-5])\b|"
           r"\bVOC[- ]?20(?:07|10|12)\b|\bCIFAR-10\b|\bGTX 580\b|\bR-CNN\b",
     "names of networks, contests, data sets and hardware (the digit is part of the name)"),
    (None, r"\b(?:conv2d|max_pooling2d|dense|flatten)(?:_\d+)?\b|\bConv2D\b|\bMaxPooling2D\b|"
           r"\bAveragePooling2D\b|\bZeroPadding2D\b|\bGlobalAveragePooling2D\b",
     "Keras layer and class names"),
    (None, r"\bMNIST\b|\bfloat(?:32|64)\b|\buint8\b|\bH200\b|\bx86-64\b",
     "data and hardware type names"),
    (None, r"\b(?:pool|conv|fc)[1-8]\b", "R-CNN's and AlexNet's layer names (pool5, conv5, fc7)"),
    # -- years and section numbers of the cited papers --------------------------------------------
    (None, r"\b(?:19[89]\d|20[0-2]\d)\b", "years of papers and contests (LeCun et al. 1998, AlexNet 2012)"),
    (None, r"\b(?:[Ss]ection|Sec\.|Table|Figure|Fig\.|[Aa]ppendix) (?:[IVX]+\.)?[A-Z0-9](?:\.\d)*\b",
     "section, table and figure numbers of a cited paper"),
    (None, r"\b1\d\. [A-Z][a-z]+(?: [A-Z][a-z]+)*\b", "the lecture's chapter number (13. Deep Learning)"),
    # -- the lecture's vocabulary: sizes that define an operation, not results -------------------
    (None, r"\b[1-7] ?[x×] ?[1-7]\b(?= (?:convolution|conv|filter|kernel|window|max|average|pool|subsampling|"
           r"region|grid|map|input|image|patch|identity|matrix|filters|kernels|windows|convolutions|block|pooling|"
           r"cell|cells|feature))",
     "filter and window sizes that name an operation (a 3x3 convolution, a 2x2 max pool)"),
    (None, r"\b(?:1D|2D|3D|2-D)\b|\bMaxPool2D\b|\bim2col\b|\b(?:32|64)-bit\b|\bCS230\b|\bsmooth L1\b",
     "names: dimensions, a Keras layer, a method, a float format, a course, a loss"),
    (None, r"\bTensorFlow 2\.0\b|\bKeras 3\b", "library versions the lecture and the book use (names)"),
    (None, r"\b(?:Case study|Step|Part) [1-9]\b", "the book's own numbering of case studies and steps"),
    (None, r"\b(?:at |of |with |gives |a )?strides? (?:of )?[1-4]\b|\bstrides=1\b|\bpadding (?:of )?[0-2]\b",
     "stride and padding values that define the operation being discussed (inputs, not results)"),
    (None, r"\bIoU (?:≥ |of |at )?0\.[357]\b|\bmAP@0\.[57]\b|\bIoU 0\.5 or more\b",
     "the IoU thresholds that name a detection metric (mAP@0.5, the stricter 0.7)"),
    (None, r"\[0, 1\]|\b0 to 9\b|\b0 \(background\) to 255 \(ink\)|\bby 255\b",
     "value ranges that define the data: pixels in [0, 1], bytes 0-255, labels 0 to 9"),
    (None, r"\bmax\(0, x\)|\bF\(x\) \+ x\b|\bReLU\(0 \+ x\)",
     "ReLU's and the residual block's definitions, written in words"),
    (None, r"\(N - F(?: \+ 2P)?\) ?/ ?(?:stride|S) \+ 1|\(F - 1\) ?/ ?2|\bF - 1\b|\bN - F \+ 2P\b|\b2P\b|"
           r"\(N \+ 2P\)|\bceil\(N/(?:2|stride)\)|\bfloor\(\(N - F\)/stride\) \+ 1|\bpool_size - 1\b|"
           r"\)/(?:1|stride) \+ 1\b",
     "the output-size rule written in words (a definition, not a result)"),
    ("beyond_mlp", r"Is 99% impossible\?|\*is 99%|\b99% question\b",
     "the lecture's own question (a target, not a result)"),
    (None, r"99%이상은 불가능할까\?", "the lecture's own question, in Korean (a target, not a result)"),
    (None, r"\b1x1 합성곱", "the Korean name of the 1x1 convolution (a size that names an operation)"),
    (None, r"\b(?:The )?9[89]% challenge\b", "the name of the lecture's challenge (a target, not a result)"),
    (None, r"\b[Tt]op-[15]\b", "top-1 and top-5 error: names of a metric (also as a glossary term)"),
    (None, r"\b0-9\b|\bdigit (?:[0-9])\b",
     "the digit classes themselves (a 7, the 0-9 labels, 1s and 7s)"),
]


ROLES_NOT_PROSE = ("glue", "finding", "figword", "cite", "doc", "numref", "ref", "term", "eq", "math",
                   "download")
DIRECTIVES_WITH_PROSE = ("figure", "glue:figure", "admonition", "note", "tip", "warning", "important",
                         "caution", "attention", "hint", "seealso", "epigraph", "list-table", "table",
                         "glossary", "margin", "sidebar", "dropdown", "exercise", "solution")
DIRECTIVES_WITH_CAPTION_OPTIONS = ("alt", "caption")


def _strip(text: str) -> str:
    """The line with everything that is not prose replaced by spaces (columns are kept)."""

    def blank(match: re.Match) -> str:
        return " " * len(match.group(0))

    text = re.sub(r"<!--.*?-->", blank, text)
    # roles that are not prose: {glue}, {glue:text}, {cite:p}, {doc}, ...
    text = re.sub(r"\{(?:" + "|".join(ROLES_NOT_PROSE) + r")(?::[\w-]+)*\}`[^`]*`", blank, text)
    text = re.sub(r"``[^`]+``|`[^`]*`", blank, text)              # inline code (other roles' text stays)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]+\$", blank, text)          # math
    text = re.sub(r"\]\([^)]*\)", blank, text)                     # link targets
    text = re.sub(r"<[a-z]+://[^>]*>|\bhttps?://\S+", blank, text)  # URLs
    text = re.sub(r"^\([\w:-]+\)=\s*$", blank, text)               # labels
    text = re.sub(r"^\s*\d+\.(?=\s)", blank, text)                 # an ordered list's markers
    return text


def _digits_left(page: str, text: str) -> list[int]:
    """Columns of the digits in ``text`` (already stripped) that no allow-list entry covers."""
    covered = [False] * len(text)
    for where, pattern, _ in ALLOWED:
        if where not in (None, page):
            continue
        for match in re.finditer(pattern, text):
            for i in range(match.start(), match.end()):
                covered[i] = True
    return [i for i, ch in enumerate(text) if ch.isdigit() and not covered[i]]


def _yaml_texts(header: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(line number, kind, text) of each caption and alt entry in a code cell's YAML header.

    A value may continue on indented lines below its key (plain YAML folding)."""
    out = []
    current: list | None = None
    key_indent = 0
    for number, line in header:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        match = re.match(r"\s*(?::)?(caption|alt)\s*:\s*(.*)$", line)
        if match and not line.lstrip().startswith("-"):
            current = [number, match.group(1), match.group(2)]
            key_indent = indent
            out.append(current)
            continue
        if current is not None and stripped and indent > key_indent and not re.match(r"\s*[\w-]+\s*:", line):
            out.append([number, current[1], stripped])
            continue
        current = None
    return [(n, kind, text.strip("\"'|>")) for n, kind, text in out]


def prose_lines(path: Path) -> list[tuple[int, str, str]]:
    """(line number, kind, text) of every piece of prose in one page.

    kind is "prose", "caption", "alt" or "figure" (a figure directive's body or option)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[tuple[int, str, str]] = []
    i = 0
    if lines and lines[0].strip() == "---":  # the page's own front matter (jupytext, kernel)
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    in_math = False
    while i < len(lines):
        line = lines[i]
        number = i + 1
        fence = re.match(r"^(\s*)(`{3,}|:{3,})\s*(\{([\w:-]+)\})?\s*(.*)$", line)
        if in_math:
            if "$$" in line:
                in_math = False
            i += 1
            continue
        if line.strip().startswith("$$") and line.count("$$") == 1:
            in_math = True
            i += 1
            continue
        if fence and (fence.group(3) or fence.group(2).startswith("`")):
            marker, directive = fence.group(2), fence.group(4)
            # find the closing fence
            j = i + 1
            while j < len(lines) and not re.match(r"^\s*" + re.escape(marker) + r"\s*$", lines[j]):
                j += 1
            body = list(enumerate(lines[i + 1:j], start=i + 2))
            if directive == "code-cell":
                header = []
                if body and body[0][1].strip() == "---":
                    k = 1
                    while k < len(body) and body[k][1].strip() != "---":
                        header.append(body[k])
                        k += 1
                else:
                    header = [b for b in body if b[1].startswith(":")]
                out += _yaml_texts(header)
                i = j + 1
                continue
            if directive in DIRECTIVES_WITH_PROSE:
                kind = "figure" if "figure" in directive else "prose"
                if directive != "glue:figure" and directive not in ("figure",) and fence.group(5):
                    out.append((number, kind, fence.group(5)))  # an admonition's title
                for n, text in body:
                    option = re.match(r"^\s*:([\w-]+):\s*(.*)$", text)
                    if option:
                        if option.group(1) in DIRECTIVES_WITH_CAPTION_OPTIONS:
                            out.append((n, option.group(1), option.group(2)))
                        continue
                    out.append((n, kind, text))
                # nested fences inside an admonition are rare here; their prose is checked as prose
                i = j + 1
                continue
            # any other fenced block (literalinclude, raw, bibliography, text, code) is not prose
            i = j + 1
            continue
        if line.lstrip().startswith("%"):  # MyST comment
            i += 1
            continue
        out.append((number, "prose", line))
        i += 1
    return out


def offences(path: Path) -> list[str]:
    page = path.stem
    found = []
    for number, kind, text in prose_lines(path):
        stripped = _strip(text)
        if _digits_left(page, stripped):
            found.append(f"{path.name}:{number} [{kind}] {text.strip()}")
    return found


PAGES = sorted(BOOK.glob("*.md"))

@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_no_number_is_typed_in_prose(path):
    found = offences(path)
    for line in found:
        print(line)
    assert not found, f"{len(found)} line(s) of {path.name} type a number by hand:\n" + "\n".join(found)


def test_the_lint_sees_what_it_should():
    """The lint itself: a typed number is caught, a glued or cited one is not."""
    assert _digits_left("x", _strip("the accuracy is 0.98 after training"))
    assert not _digits_left("x", _strip("the accuracy is {glue:text}`acc:.2%` after training"))
    assert not _digits_left("x", _strip("as {cite:t}`lecun1998` showed, see {numref}`fig-1`"))
    assert not _digits_left("x", _strip("the rule $(N - F) / S + 1$ and `conv2d_1`"))
    assert not _digits_left("x", _strip("a 3x3 convolution in LeNet-5's C3"))
    assert _digits_left("x", _strip("C3 has 1516 parameters"))


def test_captions_and_alt_texts_are_read(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(
        "---\nkernelspec: {}\n---\n\n# Title\n\n```{code-cell} ipython3\n---\nmystnb:\n  figure:\n"
        "    caption: The loss falls to 0.1\n      after 5 epochs.\n    name: fig-x\n  image:\n"
        "    alt: A curve near 0.98.\n---\nplot(1, 2, 3)\n```\n\n```{glue:figure} fig_x\n:alt: ends at 12\n"
        ":name: fig-y\n\nCaption with {glue:text}`n` and 7 typed.\n```\n",
        encoding="utf-8")
    found = offences(page)
    assert len(found) == 5, found
    assert not any("plot(1, 2, 3)" in line for line in found)
