"""Every figure drawn for each edition and each screen from the same executed figure.

A page's cells run once, for the English edition; :func:`cnnbook.figures.theme.watch` keeps
each figure they save (``_build/figure-store/<sha256 of its PNG>.pickle``). At build time this
extension draws each of a page's figures again:

- **narrow**, for a phone's column (:data:`NARROW_INCHES`, 342 CSS pixels): the same text
  sizes in points, so the text is shown at its natural size instead of shrunk to half; panels
  side by side are stacked when they would be too narrow, and the layout is redone;
- **in the edition's language** (the Korean edition), wide and narrow: every string translated
  through ``locales/<lang>/LC_MESSAGES/figures.po`` (:mod:`cnnbook.figure_text`), in a font
  with Hangul.

The page then shows a ``<picture>``: the narrow image on a screen up to :data:`PHONE_MAX_PX`
wide, the wide one otherwise and in print (the PDF is printed from the pages). Renders are
cached by the figure, the catalogue and this code, so a rebuild draws nothing anew. Each render's
smallest text is logged (``_build/figure-variants.jsonl``) for the tests. A Korean page whose
figure has no stored form (or an untranslated string) fails a CI build and is reported locally.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import pickle
import re
import textwrap
from pathlib import Path

from cnnbook import figure_text
from cnnbook.figures import theme

NARROW_INCHES = theme.PHONE_COLUMN_PX / theme.PX_PER_INCH
#: The smallest text a figure may show on a 390-pixel phone (CSS points).
PHONE_MIN_TEXT_PT = 8
#: The widest screen that gets the narrow figures (Bootstrap's "small", as the book's theme).
PHONE_MAX_PX = 575
PHONE_MEDIA = f"screen and (max-width: {PHONE_MAX_PX}px)"
VARIANT_LOG = "figure-variants.jsonl"
RENDER_CACHE = "figure-variants"
#: The least width of a panel on a phone: a plot with ticks and labels, an image or diagram.
PLOT_PANEL_INCHES, IMAGE_PANEL_INCHES = 2.3, 1.0
#: Text on a phone: a little smaller than on a desktop (shown at its natural size there, it
#: reads as ``size * 100 / 96`` CSS points: 8.5 points as 8.9), which leaves panels more room.
NARROW_TEXT_SCALE, NARROW_MIN_PT = 0.85, 8.0
#: Latin text in the theme's font, Hangul from the next one (matplotlib's per-glyph fallback).
FONTS = {"ko": ["DejaVu Sans", "NanumGothic"]}
_OUTPUT_IMG = re.compile(r'<img ([^>]*?)src="([^"]*?)_images/([0-9a-f]{64})\.png"([^>]*?)/?>')
_STYLE = re.compile(r'\s*style="[^"]*"')


def _grid(fig):
    """(rows, cols, axes in reading order) when every visible axes is one cell of one grid."""
    axes = [ax for ax in fig.axes if ax.get_visible()]
    specs = [ax.get_subplotspec() for ax in axes]
    if not axes or any(spec is None for spec in specs):
        return None
    grids = {id(spec.get_gridspec()) for spec in specs}
    if len(grids) != 1 or any(spec.num1 != spec.num2 for spec in specs):
        return None
    rows, cols = specs[0].get_geometry()[:2]
    return rows, cols, [ax for _, ax in sorted(zip([s.num1 for s in specs], axes), key=lambda p: p[0])]


def _is_plot(ax) -> bool:
    """A plot with axes to read (ticks and labels), not an image or a diagram of equal units."""
    return ax.axison and ax.get_aspect() == "auto"


def _own_texts(ax):
    """The texts an axes shows besides its tick labels: titles, axis labels, annotations."""
    titles = (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label)
    return [t for t in (*titles, *ax.texts) if t.get_visible() and t.get_text().strip()]


def _widest_text(fig, ax) -> float:
    """The widest line of an axes' own texts, in inches, at the narrow text size."""
    renderer = fig.canvas.get_renderer()
    widths = [t.get_window_extent(renderer).width for t in _own_texts(ax) if t is not ax.yaxis.label]
    return max(widths, default=0) / fig.dpi


def _panel_inches(fig, ax, panel_w: float) -> float:
    """The least width a panel needs on a phone."""
    if _is_plot(ax):
        return max(PLOT_PANEL_INCHES, _widest_text(fig, ax) + 0.1)
    return max(IMAGE_PANEL_INCHES * 0.6, min(panel_w, IMAGE_PANEL_INCHES * 1.1) * 0.85,
               _widest_text(fig, ax) + 0.15)


def smaller_text(fig, scale: float = None) -> None:
    """Every text of ``fig`` at ``scale`` of its size, never under :data:`NARROW_MIN_PT`."""
    from matplotlib.text import Text

    scale = scale or NARROW_TEXT_SCALE
    resize = lambda size: max(NARROW_MIN_PT, min(size, size * scale))  # noqa: E731
    for ax in fig.axes:
        for axis in ax._axis_map.values():
            ticks = axis.get_major_ticks()
            if ticks:
                axis.set_tick_params(labelsize=resize(ticks[0].label1.get_fontsize()))
    skip = figure_text.tick_labels(fig)
    for text in fig.findobj(Text):
        if id(text) not in skip:
            text.set_fontsize(resize(text.get_fontsize()))


def reflow(fig) -> None:
    """Make ``fig`` :data:`NARROW_INCHES` wide, stacking panels that would be too narrow."""
    from matplotlib.gridspec import GridSpec

    width, height = fig.get_size_inches()
    grid = _grid(fig)
    if grid is None:
        fig.set_size_inches(NARROW_INCHES, max(height * NARROW_INCHES / width, min(height, 2.4)))
        return
    rows, cols, axes = grid
    panel_w, panel_h = width / cols, height / rows
    need = max(_panel_inches(fig, ax, panel_w) for ax in axes)
    new_cols = max(1, min(cols, int(NARROW_INCHES // need)))
    new_rows = math.ceil(len(axes) / new_cols)
    new_w = NARROW_INCHES / new_cols
    shrink = min(1.0, new_w / panel_w)
    if any(_is_plot(ax) for ax in axes):  # text keeps its size: a plot loses less height than width
        new_h = max(panel_h * math.sqrt(shrink), min(panel_h, 2.2))
    else:  # an image keeps its shape; its title keeps its height
        new_h = max(panel_h - 0.35, 0.2) * shrink + 0.35
    if new_cols != cols:
        spec = GridSpec(new_rows, new_cols, figure=fig)
        for i, ax in enumerate(axes):
            ax.set_subplotspec(spec[i // new_cols, i % new_cols])
    fig.set_size_inches(NARROW_INCHES, new_h * new_rows)


def relayout(fig) -> None:
    """Lay ``fig`` out again for its new size or words (constrained layout where it can be
    switched on, as colorbars placed by the old layout forbid, else a tight layout)."""
    try:
        fig.set_layout_engine("constrained")
        return
    except RuntimeError:
        pass
    try:
        fig.set_layout_engine("none")
        fig.tight_layout()
    except (RuntimeError, ValueError):
        pass


def _one_line_rotated_labels(fig) -> None:
    """Tick labels set on their side (many categories) on one line each: a phone has the height
    for a long label, not the width for many two-line ones."""
    for ax in fig.axes:
        labels = ax.get_xticklabels()
        if labels and labels[0].get_rotation() not in (0, 360):
            formatter = ax.xaxis.get_major_formatter()
            mapping = figure_text._labels_by_tick(formatter)
            if mapping is not None:
                for tick, label in mapping.items():
                    mapping[tick] = " ".join(str(label).split("\n"))
            elif hasattr(formatter, "seq"):
                formatter.seq = [" ".join(str(label).split("\n")) for label in formatter.seq]


def _legends_below(fig) -> bool:
    """On a phone a legend inside a plot covers its lines: put each under its plot, and make
    the figure taller by what the legends take."""
    moved, taller = False, {}
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not _is_plot(ax) or len(legend.get_texts()) < 2:
            continue
        renderer = fig.canvas.get_renderer()
        legend.set_visible(False)
        bottom = ax.get_tightbbox(renderer).y0
        legend.set_visible(True)
        y = ax.transAxes.inverted().transform((0, bottom))[1]
        legend.set_bbox_to_anchor((0.5, y - 0.02), transform=ax.transAxes)
        if legend._loc != 9:  # not below yet ("upper center"): the figure grows once
            spec = ax.get_subplotspec()
            row = spec.rowspan.start if spec is not None else 0
            height = legend.get_window_extent(renderer).height / fig.dpi
            taller[row] = max(taller.get(row, 0), height + 0.05)
        legend.set_loc("upper center")
        moved = True
    if taller:
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h + sum(taller.values()))
    return moved


def _wrap_long_texts(fig) -> bool:
    """Break lines of a text wider than its room: the figure, its axes (a title), or its share
    of the axes' width when other texts stand beside it (labels of a diagram)."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    skip = figure_text.tick_labels(fig)
    limit = fig.bbox.width * 0.96
    boxes = {id(t): t.get_window_extent(renderer) for t in fig.findobj(Text)
             if id(t) not in skip and t.get_visible() and t.get_text().strip()}
    changed = False
    for text in fig.findobj(Text):
        words = text.get_text()
        if id(text) not in boxes or "$" in words:
            continue
        box, room = boxes[id(text)], limit
        if text.axes is not None and text is not text.axes.yaxis.label:
            beside = [other for other in _own_texts(text.axes) if id(other) in boxes and
                      boxes[id(other)].y0 < box.y1 and box.y0 < boxes[id(other)].y1]
            room = min(limit, max(text.axes.bbox.width, limit * 0.45) / max(1, len(beside)))
        if box.width > room * 1.02:
            longest = max(len(line) for line in words.split("\n"))
            width = max(6, int(longest * room / box.width))
            text.set_text("\n".join(textwrap.fill(line, width) for line in words.split("\n")))
            changed = True
    return changed


def render(fig, narrow: bool, language: str = "en", translate=None) -> tuple[bytes, dict]:
    """``fig`` drawn narrow or wide, translated when ``translate`` is given, as a 2x PNG, and
    what a reader sees of its text (as :func:`cnnbook.figures.theme._record` measures it)."""
    import warnings

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig)
    wide_inches = fig.get_size_inches()[0]
    fonts = FONTS.get(language)
    with matplotlib.rc_context({"font.family": fonts} if fonts else {}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if translate is not None:
            figure_text.translate_figure(fig, translate)
        if fonts:  # a generic family names one font; fallback needs the list on each text
            for text in fig.findobj(Text):
                if text.get_fontfamily() in (["sans-serif"], ["DejaVu Sans"]):
                    text.set_fontfamily(fonts)
        if narrow:
            smaller_text(fig)
            _one_line_rotated_labels(fig)
            reflow(fig)
        if narrow or translate is not None:
            relayout(fig)
            fig.canvas.draw()
            if narrow and (_wrap_long_texts(fig) | _legends_below(fig)):
                fig.canvas.draw()
                if _legends_below(fig):  # again, where the new layout put the axis labels
                    fig.canvas.draw()
        target = NARROW_INCHES if narrow else wide_inches
        for _ in range(3):  # tight cropping may add margins: shrink until it fits its column
            data = _png(fig)
            inches = theme.png_width(data) / (2 * theme.PX_PER_INCH)
            if inches <= target + 0.02 or not (narrow or translate is not None):
                break
            w, h = fig.get_size_inches()
            fig.set_size_inches(w * target / inches, h)
    smallest = theme.smallest_text(fig)
    return data, {
        "width_inches": round(inches, 3), "smallest_pt": smallest,
        "desktop_pt": smallest and round(theme.displayed_pt(smallest, inches), 2),
        "phone_pt": smallest and round(theme.displayed_pt(smallest, inches, theme.PHONE_COLUMN_PX), 2),
        "texts": figure_text.figure_texts(fig),
    }


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * theme.PX_PER_INCH, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def _code_digest() -> str:
    sources = [Path(__file__), Path(figure_text.__file__), Path(theme.__file__)]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:16]


class Variants:
    """The variants of one edition's figures: rendered on demand, cached in the build folder."""

    def __init__(self, build_dir: Path, language: str, catalogue: Path | None):
        self.store = build_dir / theme.STORE_FOLDER
        self.cache = build_dir / RENDER_CACHE
        self.log = build_dir / VARIANT_LOG
        self.language = language
        messages = figure_text.read_catalogue(catalogue) if catalogue else {}
        self.translate = figure_text.Translator(messages) if language != "en" else None
        digest = hashlib.sha256(json.dumps(sorted(messages.items())).encode()).hexdigest()
        self.key = hashlib.sha256(f"{_code_digest()} {digest} {language}".encode()).hexdigest()[:16]
        self.seconds = 0.0
        self.rendered = 0

    def names(self, sha: str) -> dict[str, str] | None:
        """{"wide": file name, "narrow": file name} of figure ``sha`` (None if not stored);
        the files are in the render cache (see :meth:`path`)."""
        if not (self.store / f"{sha}.pickle").is_file():
            return None
        prefix = sha if self.language == "en" else f"{sha}-{self.language}"
        names = {"narrow": f"{prefix}-narrow.png"}
        names["wide"] = f"{sha}.png" if self.language == "en" else f"{prefix}.png"
        for variant, name in names.items():
            if name != f"{sha}.png":
                self._ensure(sha, variant == "narrow", name)
        return names

    def path(self, name: str) -> Path:
        return self.cache / f"{self.key}-{name}"

    def _ensure(self, sha: str, narrow: bool, name: str) -> None:
        import time

        target = self.path(name)
        if target.is_file():
            if self.translate is not None:  # a cached render still reports what it lacked
                record = json.loads(target.with_suffix(".json").read_text(encoding="utf8"))
                self.translate.missing.update(record.get("missing", []))
            return
        start = time.perf_counter()
        fig = pickle.loads((self.store / f"{sha}.pickle").read_bytes())
        before = set(self.translate.missing) if self.translate else set()
        data, measured = render(fig, narrow, self.language, self.translate)
        missing = sorted(set(self.translate.missing) - before) if self.translate else []
        self.cache.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entry = {"png": sha, "edition": self.language, "variant": "narrow" if narrow else "wide",
                 "file": name, **measured, "missing": missing}
        target.with_suffix(".json").write_text(json.dumps(entry), encoding="utf8")
        with open(self.log, "a", encoding="utf8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.seconds += time.perf_counter() - start
        self.rendered += 1


def picture(attributes: str, prefix: str, names: dict[str, str]) -> str:
    """The ``<picture>`` for one figure: narrow on a phone's screen, wide elsewhere and in print.
    Both are 2x images (``2x``), so each is shown at its natural size where it fits, and its
    shape is kept (no fixed width and height)."""
    attributes = _STYLE.sub("", attributes).strip()
    return (f'<picture class="cnnbook-figure"><source media="{PHONE_MEDIA}" '
            f'srcset="{prefix}_images/{names["narrow"]} 2x">'
            f'<img {attributes} src="{prefix}_images/{names["wide"]}" '
            f'srcset="{prefix}_images/{names["wide"]} 2x" style="max-width: 100%; height: auto;" />'
            "</picture>")


def _variants(app) -> Variants:
    if not hasattr(app, "_cnnbook_variants"):
        build_dir = Path(app.config.cnnbook_build_dir or Path(app.outdir).parent).resolve()
        language = (app.config.language or "en").split("_")[0]
        catalogue = None
        if language != "en":
            for folder in app.config.locale_dirs:
                candidate = Path(app.confdir, folder, language, "LC_MESSAGES", "figures.po")
                catalogue = candidate if candidate.is_file() else catalogue
        app._cnnbook_variants = Variants(build_dir, language, catalogue)
        app._cnnbook_unstored = set()
    return app._cnnbook_variants


def _pictures(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if not body or "_images/" not in body or app.builder.format != "html":
        return
    variants = _variants(app)
    images = Path(app.outdir) / "_images"

    def replace(match):
        attributes, prefix, sha, rest = match.groups()
        names = variants.names(sha)
        if names is None:
            app._cnnbook_unstored.add((pagename, sha))
            return match.group(0)
        images.mkdir(parents=True, exist_ok=True)
        for name in names.values():
            if name != f"{sha}.png":
                _copy(variants.path(name), images / name)
        return picture(f"{attributes} {rest}", prefix, names)

    context["body"] = _OUTPUT_IMG.sub(replace, body)


def _copy(source: Path, target: Path) -> None:
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        target.write_bytes(source.read_bytes())


def _report(app, exception) -> None:
    """Say what was drawn and how long it took; a figure left in English on a translated page,
    or without a narrow variant, fails a CI build and is a warning locally."""
    from sphinx.util import logging

    if exception is not None or not hasattr(app, "_cnnbook_variants"):
        return
    logger = logging.getLogger(__name__)
    variants = app._cnnbook_variants
    logger.info(f"figure variants ({variants.language}): {variants.rendered} drawn in "
                f"{variants.seconds:.1f} s, the others from the cache")
    problems = [f"{page}: figure {sha[:12]} has no stored form (not drawn narrow"
                + (", shown in English)" if variants.language != "en" else ")")
                for page, sha in sorted(app._cnnbook_unstored)]
    if variants.translate is not None:
        problems += [f"figure text not in figures.po: {key!r}" for key in sorted(variants.translate.missing)]
    report = logger.warning if os.environ.get("CI") else logger.info
    for problem in problems:
        report(("" if os.environ.get("CI") else "WARNING (CI fails on it): ") + problem)


def setup(app):
    app.connect("html-page-context", _pictures, priority=600)
    app.connect("build-finished", _report)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": False}
