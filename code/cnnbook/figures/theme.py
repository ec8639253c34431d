"""One theme for every figure of the book: sizes that fit the text column, legible text, and
colours that colour-blind readers tell apart.

The book's text column is :data:`COLUMN_PX` CSS pixels wide at a 1280-pixel window. Figures are
drawn at :data:`PX_PER_INCH` pixels per inch and saved at twice that (``retina``), so a figure
up to :data:`COLUMN_INCHES` wide is shown at its natural size, sharp on a 2x screen, and a
10-point label reads as 10 points. Importing :mod:`cnnbook.figures` applies the theme
(:func:`use`); :func:`watch` records, for every figure a page saves, its smallest text at the
size a reader sees it, so the tests can hold every figure of the built book to
:data:`MIN_TEXT_PT`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import types
from pathlib import Path

#: Width of the book's text column for figures (CSS pixels, 1280-pixel window), and on a phone.
COLUMN_PX = 672
PHONE_COLUMN_PX = 342
#: Matplotlib's pixels per inch at 1x; figures are saved at twice this (a 2x screen's pixels).
PX_PER_INCH = 100
COLUMN_INCHES = COLUMN_PX / PX_PER_INCH
#: Plots of two panels stack them in a column this wide: narrow enough that a phone shrinks
#: them little (their text stays above 7 points there), wide enough for a desktop.
STACKED_INCHES = 4.6
#: The smallest text a figure may show on a desktop screen (CSS points).
MIN_TEXT_PT = 10

#: Text sizes in points, by role; none below MIN_TEXT_PT.
SMALL = 10      # legends, tick labels, captions on boxes, labels inside crowded panels
NORMAL = 11     # axis labels, panel titles in grids
TITLE = 12      # a figure's or a panel's title
LARGE = 13      # numbers written inside diagram cells

#: Okabe & Ito's palette, distinct for the common kinds of colour blindness, as the colour cycle
#: ("C0" is blue, "C1" orange, "C2" green, "C3" vermilion, ...).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FIRST, SECOND, GOOD, BAD = "C0", "C1", "C2", "C3"
#: What the palette's colours are called (Okabe & Ito's own names), for captions: a caption
#: names a colour through :func:`colour_name` of the colour the figure drew with, never typed.
COLOUR_NAMES = dict(zip(PALETTE, ("blue", "orange", "bluish green", "vermilion", "reddish purple",
                                  "sky blue", "yellow", "black")))
#: Matplotlib's line styles in words.
LINE_STYLE_NAMES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dash-dotted"}
GRID = "0.75"   # frames and light grid lines

#: Where :func:`watch` writes what it measures (set by the book build; unset, nothing is written).
LOG_ENV = "CNNBOOK_FIGURE_LOG"
#: Beside that log, the folder where :func:`watch` keeps each saved figure itself (a pickle named
#: by its PNG's sha256), so the build can draw it again per edition and per screen width
#: (:mod:`cnnbook.figure_variants`).
STORE_FOLDER = "figure-store"

RC = {
    "figure.figsize": (COLUMN_INCHES, COLUMN_INCHES * 0.55),
    "figure.dpi": PX_PER_INCH,
    "savefig.dpi": 2 * PX_PER_INCH,
    "figure.facecolor": "white",   # a white card: dark text stays readable in dark mode
    "savefig.facecolor": "white",
    "font.size": NORMAL,
    "axes.titlesize": TITLE,
    "axes.labelsize": NORMAL,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL,
    "legend.title_fontsize": SMALL,
    "figure.titlesize": TITLE,
    "axes.prop_cycle": None,       # set in use(): cycler of PALETTE
    "image.cmap": "viridis",
    "figure.hooks": ["cnnbook.figures.theme:watch"],
}


def colour_name(colour: str) -> str:
    """The word for a colour a figure draws with: a cycle entry ("C3"), a palette colour, a grey
    level ("0.6") or a named colour ("red")."""
    from matplotlib.colors import to_hex

    if isinstance(colour, str) and colour.lower() in {"red", "white", "black"}:
        return colour.lower()
    if isinstance(colour, str) and colour.startswith("C") and colour[1:].isdigit():
        return COLOUR_NAMES[PALETTE[int(colour[1:]) % len(PALETTE)]]
    hex_colour = to_hex(colour).upper()
    if hex_colour in COLOUR_NAMES:
        return COLOUR_NAMES[hex_colour]
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    if red == green == blue:
        return "grey"
    raise ValueError(f"no name for the colour {colour!r}: use one of theme.PALETTE")


def line_style_name(style: str) -> str:
    """The word for a matplotlib line style ("--" is dashed); markers before it are dropped."""
    return LINE_STYLE_NAMES[style.lstrip("o.Ds*^v")]


def use() -> None:
    """Apply the theme to matplotlib, and ask IPython (when running) for 2x PNG figures."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update({**RC, "axes.prop_cycle": cycler(color=PALETTE)})
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def smallest_text(fig) -> float | None:
    """The size in points of the smallest visible, non-empty text of ``fig`` (None if none)."""
    from matplotlib.text import Text

    sizes = [text.get_fontsize() for text in fig.findobj(Text)
             if text.get_visible() and text.get_text().strip() and _shown(text)]
    return min(sizes) if sizes else None


def _shown(text) -> bool:
    """Whether the text is drawn: tick labels of hidden ticks and axes are not."""
    axes = text.axes
    return axes is None or axes.get_visible()


def displayed_pt(size_pt: float, width_inches: float, column_px: float = COLUMN_PX) -> float:
    """Text of ``size_pt`` in a figure ``width_inches`` wide, in CSS points as a reader sees it:
    the figure is shown at PX_PER_INCH CSS pixels per inch, shrunk to fit the column."""
    natural_px = width_inches * PX_PER_INCH
    scale = min(1.0, column_px / natural_px)
    return size_pt * PX_PER_INCH / 96 * scale


def png_width(data: bytes) -> int:
    """The width in pixels of a PNG image (from its header)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return int.from_bytes(data[16:20], "big")


def watch(fig) -> None:
    """Fit a new figure to the text column, and record, for each PNG it is saved as, its
    smallest text as a reader sees it.

    Called by matplotlib for every new pyplot figure (``figure.hooks``). A figure asked for wider
    than the column is made the column's width (same proportions), so its text is shown at the
    size it was set in. The record is keyed by the sha256 of the PNG's bytes, which is the name
    myst-nb gives the image in the built book.
    """
    width, height = fig.get_size_inches()
    if width > COLUMN_INCHES:
        fig.set_size_inches(COLUMN_INCHES, height * COLUMN_INCHES / width)
    canvas = fig.canvas
    original = canvas.print_figure

    def print_figure(self, filename, *args, **kwargs):
        result = original(filename, *args, **kwargs)
        path = os.environ.get(LOG_ENV)
        fmt = kwargs.get("format") or ""
        if path and isinstance(filename, io.BytesIO) and fmt.lower() in ("png", ""):
            _record(path, fig, filename.getvalue(), kwargs.get("dpi") or fig.dpi)
        return result

    canvas.print_figure = types.MethodType(print_figure, canvas)


def _record(path: str, fig, data: bytes, dpi: float) -> None:
    try:
        width = png_width(data)
    except ValueError:
        return
    inches = width / dpi
    smallest = smallest_text(fig)
    sha = hashlib.sha256(data).hexdigest()
    entry = {
        "png": sha,
        "stored": _store(Path(path).parent / STORE_FOLDER, sha, fig),
        "width_inches": round(inches, 3),
        "smallest_pt": smallest,
        "desktop_pt": None if smallest is None else round(displayed_pt(smallest, inches), 2),
        "phone_pt": None if smallest is None else round(displayed_pt(smallest, inches, PHONE_COLUMN_PX), 2),
    }
    with open(path, "a", encoding="utf8") as log:
        log.write(json.dumps(entry) + "\n")


def _store(folder: Path, sha: str, fig) -> bool:
    """Keep ``fig`` as ``folder/<sha>.pickle`` (written whole or not at all); False if it cannot
    be pickled (a lambda among its artists, say), which the build then reports."""
    import pickle

    target = folder / f"{sha}.pickle"
    if target.is_file():
        return True
    try:
        data = pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - any artist may refuse; the log says so
        return False
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(target)
    return True
