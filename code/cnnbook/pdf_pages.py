"""The printed pages of the whole-book PDF (:mod:`cnnbook.pdf`): what Chromium must wait for
before it prints, tables fitted to the page's width, and the contents' page numbers.

Chromium has no ``target-counter()``, so the contents cannot number themselves: the book is
printed once, each chapter's first page is read from that PDF's bookmarks
(:func:`chapter_pages`), written into the contents, and the book printed again.
"""

from __future__ import annotations

from pathlib import Path

READY = """async () => {
    await Promise.all([...document.images].map(img => img.complete ? null : new Promise(done => {
        img.addEventListener("load", done); img.addEventListener("error", done); })));
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    await document.fonts.ready;
    return {broken: [...document.images].filter(img => !(img.naturalWidth > 0)).map(img => img.src),
            math: document.querySelectorAll("mjx-container").length,
            mathErrors: document.querySelectorAll("mjx-merror").length};
}"""


#: The width of the printed text in CSS pixels: A4 (210 mm) less book-print.css's 15 mm margins.
TEXT_WIDTH_PX = round((210 - 2 * 15) / 25.4 * 96)

#: Every table wider than its place on the page is printed in smaller type, step by step down to
#: 6 points; one that still does not fit lets its cells break anywhere (class pdf-squeezed).
FIT_TABLES = """() => {
    const shrunk = [];
    for (const table of document.querySelectorAll(".pdf-book table")) {
        const room = () => table.parentElement.getBoundingClientRect().width;
        let size = parseFloat(getComputedStyle(table).fontSize);
        const start = size;
        while (table.getBoundingClientRect().width > room() + 0.5 && size > 8) {
            size *= 0.93;
            table.style.fontSize = `${size}px`;
        }
        if (table.getBoundingClientRect().width > room() + 0.5) table.classList.add("pdf-squeezed");
        if (size < start) shrunk.push(Math.round(size / start * 100));
    }
    return shrunk;
}"""
#: The contents' entries: (the chapter's anchor, its title).
CONTENTS_ENTRIES = """() => [...document.querySelectorAll(".pdf-contents-entry")].map(entry =>
    [entry.querySelector(".pdf-contents-page").dataset.chapter,
     entry.querySelector(".pdf-contents-name").textContent])"""
SET_PAGE_NUMBERS = """(numbers) => { for (const place of document.querySelectorAll(".pdf-contents-page"))
    place.textContent = numbers[place.dataset.chapter] || ""; }"""


def contents_entry(doc, target: str, title: str):
    """A line of the contents: the title, and a place for its page (filled after a first print)."""
    entry = doc.new_tag("a", href="#" + target, attrs={"class": "pdf-contents-entry"})
    name = doc.new_tag("span", attrs={"class": "pdf-contents-name"})
    name.string = title
    entry.append(name)
    entry.append(doc.new_tag("span", attrs={"class": "pdf-contents-page", "data-chapter": target}))
    return entry


def chapter_pages(pdf: Path, entries: list[list[str]]) -> dict[str, int]:
    """The page (from 1) on which each chapter of the contents (anchor, title) begins, read from
    the printed PDF's bookmarks: the first bookmark of that title after the previous chapter's.
    Chromium prints no target-counter(), hence a first print to read the numbers from."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    marks: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks.append((" ".join(item.title.split()), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    found, after = {}, 0
    for chapter, title in entries:
        title = " ".join(title.split())
        for at in range(after, len(marks)):
            if marks[at][0].startswith(title):
                found[chapter], after = marks[at][1], at + 1
                break
    return found


def page_count(pdf: Path) -> int:
    """Pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)
