"""A figure drawn again for a phone's column: the same figure at :data:`NARROW_INCHES`, shown
at its natural size, with its text a little smaller than on a desktop but far larger than the
wide figure shrunk to the column (5 to 7 points). Panels side by side are stacked when they
would be too narrow, legends move under their plots, long texts wrap, and the layout is redone.
Used by :mod:`cnnbook.figure_variants` on the figures the pages stored.
"""

from __future__ import annotations

import math
import textwrap

from cnnbook import figure_text
from cnnbook.figures import theme

NARROW_INCHES = theme.PHONE_COLUMN_PX / theme.PX_PER_INCH
#: The least width of a panel on a phone: a plot with ticks and labels, an image or diagram.
PLOT_PANEL_INCHES, IMAGE_PANEL_INCHES = 2.3, 1.0
#: Text on a phone: a little smaller than on a desktop (shown at its natural size there, it
#: reads as ``size * 100 / 96`` CSS points: 8.5 points as 8.9), which leaves panels more room.
NARROW_TEXT_SCALE, NARROW_MIN_PT = 0.85, 8.0

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
    """Lay ``fig`` out again for its new size (constrained layout where it can be switched on,
    as colorbars placed by the old layout forbid, else a tight layout)."""
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


def upright_crowded_labels(fig) -> bool:
    """Labels a plot writes over its bars or points that now run into each other ("flat" over
    three neighbouring bars) stand on their side, as the tick labels below them do."""
    renderer = fig.canvas.get_renderer()
    turned = False
    for ax in fig.axes:
        if not _is_plot(ax):
            continue
        texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip() and not t.get_rotation()]
        boxes = [t.get_window_extent(renderer) for t in texts]
        for i, text in enumerate(texts):
            if any(j != i and boxes[i].overlaps(other) for j, other in enumerate(boxes)):
                text.set_rotation(90)
                text.set_verticalalignment("bottom")
                text.set_horizontalalignment("center")
                turned = True
    return turned


def make_narrow(fig) -> None:
    """Everything above, in order: text a little smaller, panels restacked at the phone's width,
    the layout redone; then what the first drawing shows runs into something is moved."""
    smaller_text(fig)
    _one_line_rotated_labels(fig)
    reflow(fig)
    relayout(fig)
    fig.canvas.draw()
    if upright_crowded_labels(fig) | _wrap_long_texts(fig) | _legends_below(fig):
        fig.canvas.draw()
        if _legends_below(fig):  # again, where the new layout put the axis labels
            fig.canvas.draw()
