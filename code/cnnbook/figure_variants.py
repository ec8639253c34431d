"""Every figure drawn for each edition and each screen from the same executed figure.

A page's cells run once, for the English edition; :func:`cnnbook.figures.theme.watch` keeps
each figure they save (``_build/figure-store/<sha256 of its PNG>.pickle``). At build time this
extension draws each of a page's figures again:

- **narrow**, for a phone's column (342 CSS pixels), shown at its natural size instead of
  shrunk to half: panels stacked where they would be too narrow, the layout redone
  (:mod:`cnnbook.figure_narrow`);
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
import logging
import os
import pickle
import re
from pathlib import Path

from cnnbook import figure_narrow, figure_text
from cnnbook.figures import theme

NARROW_INCHES = figure_narrow.NARROW_INCHES
#: The smallest text a figure may show on a 390-pixel phone (CSS points).
PHONE_MIN_TEXT_PT = 8
#: The widest screen that gets the narrow figures (Bootstrap's "small", as the book's theme).
PHONE_MAX_PX = 575
PHONE_MEDIA = f"screen and (max-width: {PHONE_MAX_PX}px)"
VARIANT_LOG = "figure-variants.jsonl"
RENDER_CACHE = "figure-variants"
#: Latin text in the theme's font, Hangul from the next one (matplotlib's per-glyph fallback).
FONTS = {"ko": ["DejaVu Sans", "NanumGothic"]}
_OUTPUT_IMG = re.compile(r'<img ([^>]*?)src="([^"]*?)_images/([0-9a-f]{64})\.png"([^>]*?)/?>')
_STYLE = re.compile(r'\s*style="[^"]*"')


def render(fig, narrow: bool, language: str = "en", translate=None) -> tuple[bytes, dict]:
    """``fig`` drawn narrow or wide, translated when ``translate`` is given, as a 2x PNG, and
    what a reader sees of its text (as :func:`cnnbook.figures.theme._record` measures it)."""
    import warnings

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig)
    wide_inches = fig.get_size_inches()[0]
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no bold Nanum: 600
    fonts = FONTS.get(language)
    if fonts:
        _know_fonts(fonts)
    with matplotlib.rc_context({"font.family": fonts} if fonts else {}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if translate is not None:
            figure_text.translate_figure(fig, translate)
        if fonts:  # a generic family names one font; fallback needs the list on each text
            for text in fig.findobj(Text):
                if text.get_fontfamily() in (["sans-serif"], ["DejaVu Sans"]):
                    text.set_fontfamily(fonts)
        if narrow:  # a wide figure keeps the English layout (and so its ticks and colorbars)
            figure_narrow.make_narrow(fig)
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


def _know_fonts(families: list[str]) -> None:
    """Make matplotlib know fonts installed after it cached its list (fonts-nanum, say)."""
    from matplotlib import font_manager

    for family in families:
        try:
            font_manager.findfont(family, fallback_to_default=False)
        except ValueError:
            for path in font_manager.findSystemFonts():
                if Path(path).stem.replace(" ", "").startswith(family):
                    font_manager.fontManager.addfont(path)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * theme.PX_PER_INCH, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def _code_digest() -> str:
    sources = [Path(module.__file__) for module in (figure_narrow, figure_text, theme)] + [Path(__file__)]
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
