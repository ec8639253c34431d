"""Figures of what a convolution layer sees and makes: filters, feature maps, shapes.

Each function takes plain NumPy arrays (or the rows of ``models.summary_rows``) and returns a
matplotlib Figure; none of them needs TensorFlow. Arrays follow Keras's channels-last layout:
maps are (rows, cols, maps) and kernels are (rows, cols, in channels, filters).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import StrMethodFormatter

from cnnbook.figures import theme


def per_map(maps: np.ndarray) -> np.ndarray:
    """(rows, cols, maps) or (1, rows, cols, maps) as (maps, rows, cols): one 2-D map each.

    For a batch of one image this is the lecture's ``np.swapaxes(x, 0, 3)`` without the
    trailing axis of length 1: the map axis comes first, so a loop yields one map at a time.
    """
    maps = np.asarray(maps)
    if maps.ndim == 4:
        if maps.shape[0] != 1:
            raise ValueError(f"expected a batch of one image, got shape {maps.shape}")
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(f"maps must be (rows, cols, maps), got shape {maps.shape}")
    return np.moveaxis(maps, -1, 0)


def map_panels(maps, titles=None, cols: int | None = None, cmap: str = "gray", size: float = 1.6):
    """Every map in its own panel, each scaled to its own range (as plt.imshow does).

    ``cols`` defaults to all maps in one row. The colour scale is per map because the maps of
    different filters can differ by orders of magnitude; a shared scale would hide the weak ones.
    """
    panels = per_map(maps)
    count = len(panels)
    cols = count if cols is None else min(cols, count)
    rows = math.ceil(count / cols)
    size = min(size, theme.COLUMN_INCHES / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * (size + 0.3)), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    titles = [f"map {i + 1}" for i in range(count)] if titles is None else list(titles)
    for ax, panel, title in zip(axes.flat, panels, titles):
        ax.imshow(panel, cmap=cmap)
        ax.set_title(title, fontsize=theme.SMALL)
    fig.tight_layout()
    return fig


def filter_panels(kernel: np.ndarray, cols: int = 8, size: float = 1.0):
    """The filters of a first layer (one input channel), on one shared scale around zero.

    Red weights add the pixel under them, blue ones subtract it: a filter with red on one side
    and blue on the other responds to an edge. Unlike feature maps, weights are compared on a
    single colour scale, with white at zero.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4 or kernel.shape[2] != 1:
        raise ValueError(f"expected kernels (rows, cols, 1, filters), got shape {kernel.shape}")
    filters = np.moveaxis(kernel[:, :, 0, :], -1, 0)
    limit = float(np.abs(filters).max()) or 1.0
    cols = min(cols, len(filters))
    rows = math.ceil(len(filters) / cols)
    size = min(size, theme.COLUMN_INCHES / (cols + 0.6))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size + 0.6, rows * (size + 0.3) + 0.4),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, weights) in enumerate(zip(axes.flat, filters)):
        image = ax.imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(str(i + 1), fontsize=theme.SMALL)
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    return fig


def _label_bars(ax, heights, labels, upright: bool = False) -> None:
    """Write each label just above its bar (bars at x = 0, 1, 2, ...); ``upright`` turns the
    labels a quarter turn, so many bars side by side keep their labels apart."""
    for i, (height, label) in enumerate(zip(heights, labels)):
        ax.annotate(label, (i, height), ha="center", va="bottom", fontsize=theme.SMALL,
                    rotation=90 if upright else 0, xytext=(0, 2), textcoords="offset points")


def shape_flow(rows: list[dict], input_shape: tuple):
    """How one image's shape changes through a network, layer by layer.

    ``rows`` are ``models.summary_rows(model)``; ``input_shape`` is ``model.input_shape``
    (the batch axis, first, is dropped). The top panel shows the side of each map (rows =
    cols here), the bottom one how many maps (channels) or units there are, on a log scale.
    """
    stages = [("input", tuple(input_shape)[1:])]
    stages += [(f"{row['layer']}\n({row['type']})", tuple(row["output shape"])[1:]) for row in rows]
    x = np.arange(len(stages))
    sides = [shape[0] if len(shape) == 3 else 0 for _, shape in stages]
    depths = [shape[-1] for _, shape in stages]
    spatial = ["C0" if len(shape) == 3 else "C1" for _, shape in stages]

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(theme.COLUMN_INCHES, 5.2), sharex=True)
    top.bar(x, sides, color=spatial)
    top.set_ylabel("map side (pixels)")
    _label_bars(top, sides, [str(side) if side else "flat" for side in sides])
    top.set_ylim(0, max(sides) * 1.25)
    top.set_title("after each layer: map side (top), maps or units (bottom)")
    bottom.bar(x, depths, color=spatial)
    bottom.set_yscale("log")
    bottom.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    bottom.set_ylabel("maps or units")
    crowded = len(stages) > 12
    _label_bars(bottom, depths, [f"{depth:,}" for depth in depths], upright=crowded)
    bottom.set_ylim(0.5, max(depths) * (40 if crowded else 6))
    # upright names take no room sideways, however many layers there are
    bottom.set_xticks(x, [name for name, _ in stages], rotation=90, fontsize=theme.SMALL)
    for ax in (top, bottom):
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig
