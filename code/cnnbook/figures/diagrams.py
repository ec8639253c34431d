"""Schematic drawings of convolution geometry: each function returns a matplotlib Figure.

Every size a drawing shows (grid widths, window positions, output shapes) is computed by
:mod:`cnnbook.geometry` when the figure is drawn, so a drawing cannot disagree with the text or
with Keras. Labels are ASCII on purpose: the default font has no Hangul glyphs, and a missing
glyph is a warning, which fails the strict build.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon, Rectangle

from cnnbook import geometry
from cnnbook.figures import theme

_FILTER = "C0"
_STEP = "C1"
_MISS = "C3"
_ZERO = "#d9d9d9"


def _grid(ax, size: int, offset: float = 0, shade=None) -> None:
    """size x size unit cells with their top-left corner at (offset, offset); y grows downwards."""
    for row in range(size):
        for col in range(size):
            colour = shade(row, col) if shade else "white"
            ax.add_patch(Rectangle((offset + col, offset + row), 1, 1, facecolor=colour,
                                   edgecolor="0.55", linewidth=0.8))


def _square_axes(ax, low: float, high: float, bottom: float | None = None) -> None:
    ax.set_xlim(low, high)
    ax.set_ylim(high if bottom is None else bottom, low)
    ax.set_aspect("equal")
    ax.axis("off")


def stride_positions(n: int = 7, f: int = 3, strides=(1, 2, 3)):
    """An n x n input with an f x f filter: where it lands at each stride, one panel per stride.

    A dot marks the centre of every position the filter takes; each dot is one output value,
    so a row of dots is the output's width. Where the stride does not fit, the position that
    would stick out past the edge is drawn in red.
    """
    fig, axes = plt.subplots(1, len(strides), figsize=(theme.COLUMN_INCHES, 3.3), squeeze=False)
    # One scale for all panels: wide enough for the last position of any stride that sticks out.
    high = max(geometry.window_starts(n, f, s)[-1] + s + f for s in strides) + 0.2
    high = max(high, n + 0.2)
    for ax, stride in zip(axes[0], strides):
        _grid(ax, n)
        starts = geometry.window_starts(n, f, stride)
        try:
            size = geometry.output_size(n, f, stride)
        except geometry.DoesNotFit:
            size = None
        for top in starts:
            for left in starts:
                ax.plot(left + f / 2, top + f / 2, "o", color="0.25", markersize=4)
        ax.add_patch(Rectangle((0, 0), f, f, facecolor=_FILTER, alpha=0.25, edgecolor=_FILTER, linewidth=2))
        if len(starts) > 1:
            ax.add_patch(Rectangle((starts[1], 0.08), f, f - 0.16, fill=False, edgecolor=_STEP,
                                   linewidth=2, linestyle="--"))
            ax.annotate("", xy=(starts[1], -0.35), xytext=(0, -0.35),
                        arrowprops={"arrowstyle": "->", "color": _STEP, "linewidth": 1.5})
            ax.text(starts[1] / 2, -0.5, f"stride {stride}", ha="center", va="bottom", color=_STEP,
                    fontsize=theme.NORMAL)
        if size is None:
            beyond = starts[-1] + stride
            ax.add_patch(Rectangle((beyond, 0.12), f, f - 0.24, fill=False, edgecolor=_MISS,
                                   linewidth=2, linestyle="--", hatch="//"))
            value = geometry.two_decimals(n - f + stride, stride)
            title = f"stride {stride}: does not fit\n({n} - {f})/{stride} + 1 = {value}"
            ax.set_title(title, fontsize=theme.TITLE, color=_MISS)
        else:
            ax.set_title(f"stride {stride}: output {size}\n({n} - {f})/{stride} + 1 = {size}",
                         fontsize=theme.TITLE)
        _square_axes(ax, -1.2, high, bottom=n + 0.2)
    fig.suptitle(f"{n} x {n} input, {f} x {f} filter", fontsize=theme.LARGE)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig


def padding_grid(n: int = 7, padding: int = 1, f: int = 3):
    """An n x n input before and after ``padding`` zeros on each side, with the first f x f window.

    With the zeros the filter can be centred on the corner pixel, so the corner counts as much
    as any other pixel and, at stride 1, the output keeps the input's size.
    """
    total = geometry.padded_size(n, padding)
    size = geometry.output_size(n, f, 1, padding)
    bare = geometry.output_size(n, f, 1, 0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(theme.COLUMN_INCHES, 4.0))

    _grid(left, n, offset=padding)
    left.add_patch(Rectangle((padding, padding), f, f, facecolor=_FILTER, alpha=0.25, edgecolor=_FILTER,
                             linewidth=2))
    left.set_title(f"{n} x {n} input, no padding\nstride 1: output {bare} x {bare}", fontsize=theme.TITLE)
    _square_axes(left, -0.2, total + 0.2)

    def shade(row, col):
        inside = padding <= row < padding + n and padding <= col < padding + n
        return "white" if inside else _ZERO

    _grid(right, total, shade=shade)
    for row in range(total):
        for col in range(total):
            if shade(row, col) == _ZERO:
                right.text(col + 0.5, row + 0.5, "0", ha="center", va="center", fontsize=theme.SMALL,
                           color="0.3")
    right.add_patch(Rectangle((0, 0), f, f, facecolor=_FILTER, alpha=0.25, edgecolor=_FILTER, linewidth=2))
    right.set_title(f"padding {padding}: {total} x {total}\nstride 1: output {size} x {size}",
                    fontsize=theme.TITLE)
    _square_axes(right, -0.2, total + 0.2)
    fig.tight_layout()
    return fig


def _box(ax, x: float, y: float, width: float, height: float, depth: float, colour, alpha: float = 0.85,
         label: str | None = None) -> None:
    """A width x height face at (x, y) (lower left) with a slanted top and side of the given depth."""
    dx, dy = 0.6 * depth, 0.45 * depth
    face = dict(facecolor=colour, edgecolor="0.2", linewidth=0.8, alpha=alpha)
    ax.add_patch(Polygon([(x, y + height), (x + dx, y + height + dy), (x + width + dx, y + height + dy),
                          (x + width, y + height)], **face))
    ax.add_patch(Polygon([(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy),
                          (x + width, y + height)], **face))
    ax.add_patch(Rectangle((x, y), width, height, **face))
    if label:
        ax.text(x + width / 2, y - 1.5, label, ha="center", va="top", fontsize=theme.NORMAL)


def filter_maps(n: int = 32, depth: int = 3, f: int = 5, filters: int = 4, padding: int = 0):
    """Schematic: each filter slides over the whole input volume and leaves one activation map;
    the maps, one per filter, stack into the output volume, as deep as there are filters."""
    out = geometry.output_size(n, f, 1, padding)
    colours = [f"C{i % 10}" for i in range(filters)]
    fig, ax = plt.subplots(figsize=(theme.COLUMN_INCHES, 3.4))
    _box(ax, 0, 0, n, n, depth * 2, "0.85", label=f"input {n} x {n} x {depth}")

    column = n + 14
    spacing = n / max(filters, 1)
    for i, colour in enumerate(colours):
        y = n - (i + 1) * spacing + (spacing - f) / 2
        _box(ax, column, y, f, f, depth * 2, colour)
        ax.annotate("", xy=(column + 20, y + f / 2), xytext=(column + f + depth * 1.4, y + f / 2),
                    arrowprops={"arrowstyle": "->", "color": colour})
    ax.text(column + f / 2, n + 6, f"{filters} filters\n{f} x {f} x {depth}", ha="center", va="bottom",
            fontsize=theme.NORMAL)

    maps_x = column + 22
    step = 2.2
    for i, colour in enumerate(colours):
        _box(ax, maps_x + i * step, i * step * 0.75, out, out, 0.6, colour, alpha=0.9)
    ax.text(maps_x + out / 2, -1.5, f"{filters} activation maps of {out} x {out},\n"
            f"one per filter: {out} x {out} x {filters}", ha="center", va="top", fontsize=theme.NORMAL)
    ax.set_xlim(-2, maps_x + out + filters * step + 4)
    ax.set_ylim(-9, n + 14)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def lecture_filters(n: int = 32, depth: int = 3, f: int = 5, filters: int = 6, paddings=(0, 1)):
    """The lecture's example: an n x n x depth image and ``filters`` filters of f x f x depth at
    stride 1, with each padding in ``paddings``: the output volume each one gives."""
    fig, axes = plt.subplots(1, 1 + len(paddings), figsize=(theme.COLUMN_INCHES, 3.2),
                             gridspec_kw={"width_ratios": [1.2] + [1] * len(paddings)})
    scale = 1.0
    high = max(geometry.padded_size(n, p) for p in paddings) * scale + 10
    _box(axes[0], 0, 0, n * scale, n * scale, depth * 2, "0.85", label=f"input {n} x {n} x {depth}")
    axes[0].text(n * scale / 2, n * scale + 6, f"{filters} filters {f} x {f} x {depth}, stride 1",
                 ha="center", va="bottom", fontsize=theme.NORMAL)
    for ax, padding, colour in zip(axes[1:], paddings, ("C0", "C2", "C4", "C5")):
        out = geometry.output_size(n, f, 1, padding)
        _box(ax, 0, 0, out * scale, out * scale, filters * 1.2, colour, alpha=0.7,
             label=f"padding {padding}: {out} x {out} x {filters}")
        ax.text(out * scale / 2, out * scale + filters * 0.6 + 4,
                f"({n} - {f} + 2*{padding})/1 + 1 = {out}", ha="center", va="bottom", fontsize=theme.NORMAL)
    for ax in axes:
        ax.set_xlim(-2, high)
        ax.set_ylim(-8, high)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


def max_pooling(values: np.ndarray, pool: int = 2, stride: int | None = None):
    """A small 2-D array, its pooling windows outlined, and the maximum of each window.

    Without a stride the windows move by the pool size (Keras's default), so they tile the
    input; the output size comes from :func:`geometry.output_size` with padding 'valid'.
    """
    values = np.asarray(values)
    stride = pool if stride is None else stride
    n = values.shape[0]
    if values.ndim != 2 or values.shape[1] != n:
        raise ValueError(f"need a square 2-D array, got shape {values.shape}")
    size = geometry.output_size(n, pool, stride, "valid")
    starts = geometry.window_starts(n, pool, stride)
    pooled = np.array([[values[r:r + pool, c:c + pool].max() for c in starts] for r in starts])
    assert pooled.shape == (size, size)

    fig, (left, right) = plt.subplots(1, 2, figsize=(theme.COLUMN_INCHES, 3.5),
                                      gridspec_kw={"width_ratios": [n, size]})
    _grid(left, n)
    for i, top in enumerate(starts):
        for j, start in enumerate(starts):
            colour = f"C{(i * size + j) % 10}"
            inset = 0.06 * ((i + j) % 2) if stride < pool else 0.04
            left.add_patch(Rectangle((start + inset, top + inset), pool - 2 * inset, pool - 2 * inset,
                                     facecolor=colour, alpha=0.18 if stride >= pool else 0.0,
                                     edgecolor=colour, linewidth=2))
    winners = set()
    if stride >= pool:  # windows do not overlap: mark the value each window keeps
        for top in starts:
            for start in starts:
                row, col = np.unravel_index(values[top:top + pool, start:start + pool].argmax(), (pool, pool))
                winners.add((top + row, start + col))
    for row in range(n):
        for col in range(n):
            left.text(col + 0.5, row + 0.5, f"{values[row, col]:g}", ha="center", va="center",
                      fontsize=theme.TITLE,
                      fontweight="bold" if (row, col) in winners else "normal")
    left.set_title(f"input {n} x {n}, pool {pool} x {pool}, stride {stride}", fontsize=theme.TITLE)
    _square_axes(left, -0.1, n + 0.1)

    _grid(right, size)
    for i in range(size):
        for j in range(size):
            colour = f"C{(i * size + j) % 10}"
            right.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, facecolor=colour, alpha=0.18,
                                      edgecolor=colour, linewidth=2))
            right.text(j + 0.5, i + 0.5, f"{pooled[i, j]:g}", ha="center", va="center", fontsize=theme.LARGE,
                       fontweight="bold")
    right.set_title(f"max pooling: {size} x {size}", fontsize=theme.TITLE)
    _square_axes(right, -0.1, size + 0.1)
    fig.tight_layout()
    return fig
