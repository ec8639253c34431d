"""Figures of the detection chapters: canvases with boxes, IoU, precision-recall, RoI pooling,
speed and anchors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullFormatter, StrMethodFormatter

from cnnbook.detection.boxes import as_boxes, iou
from cnnbook.detection.roi_pooling import roi_bins, roi_max_pool
from cnnbook.figures import theme

#: The ground truth drawn under a detector's boxes: (colour, line style), named in captions.
TRUTH_STYLE = ("0.5", "--")


def draw_boxes(ax, boxes, captions=None, colour: str = "C1", style: str = "-", width: float = 1.5) -> None:
    """Rectangles for [y1, x1, y2, x2] boxes on an image axis (pixel edges at .5 in imshow)."""
    for n, (y1, x1, y2, x2) in enumerate(as_boxes(boxes)):
        ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, edgecolor=colour,
                               linestyle=style, linewidth=width))
        if captions is not None:
            ax.text(x1 - 0.5, y1 - 1, captions[n], color=colour, fontsize=theme.SMALL, va="bottom",
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 0.5})


def _canvas(ax, image: np.ndarray) -> None:
    """A canvas in grey on white, framed, without ticks."""
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("0.75")


def canvas_grid(images, boxes, captions=None, cols: int = 4, overlays=(), size: float | None = None,
                titles=None):
    """Canvases in a grid with their boxes and captions (None: no captions); ``overlays`` adds
    (boxes per canvas, colour, style) layers drawn thinner, e.g. proposals."""
    rows = -(-len(images) // cols)
    size = theme.COLUMN_INCHES / cols if size is None else min(size, theme.COLUMN_INCHES / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size * 1.1), squeeze=False)
    for ax in axes.flat[len(images) :]:
        ax.axis("off")
    for n, ax in enumerate(axes.flat[: len(images)]):
        _canvas(ax, images[n])
        for layer, colour, style in overlays:
            draw_boxes(ax, layer[n], colour=colour, style=style, width=0.8)
        draw_boxes(ax, boxes[n], None if captions is None else captions[n])
        if titles is not None:
            ax.set_title(titles[n], fontsize=theme.NORMAL)
    fig.tight_layout()
    return fig


def precision_recall_figure(precision: np.ndarray, recall: np.ndarray, title: str = ""):
    """The precision/recall points down a ranking, and the envelope whose area is the AP."""
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    steps_r = np.concatenate([[0.0], np.repeat(recall, 2)])
    steps_p = np.concatenate([np.repeat(envelope, 2), [0.0]])[: len(steps_r)]
    ax.fill_between(steps_r, steps_p, color="C0", alpha=0.2, label="area = AP")
    ax.plot(steps_r, steps_p, "-", color="C0", label="best precision at this recall or beyond")
    ax.plot(recall, precision, "o:", color="C1", label="after each detection")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(title, fontsize=theme.TITLE)
    ax.legend(fontsize=theme.SMALL, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def iou_examples(pairs):
    """Pairs of boxes drawn side by side, each panel titled with its IoU."""
    size = int(np.ceil(np.max(pairs))) + 2
    side = min(2.3, theme.COLUMN_INCHES / len(pairs))
    fig, axes = plt.subplots(1, len(pairs), figsize=(side * len(pairs), side + 0.3))
    for ax, (a, b) in zip(np.atleast_1d(axes), pairs):
        ax.imshow(np.zeros((size, size)), cmap="gray_r", vmin=0, vmax=1)
        draw_boxes(ax, [a], colour="C0", width=2)
        draw_boxes(ax, [b], colour="C1", style="--", width=2)
        ax.set_title(f"IoU = {iou([a], [b])[0, 0]:.2f}", fontsize=theme.TITLE)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def roi_pooling_figure(fmap: np.ndarray, box, output_size: int, stride: float):
    """One feature map (a single channel), a box, its bins, and the pooled result."""
    rows, cols = roi_bins(box, fmap.shape, output_size, stride)
    pooled = roi_max_pool(fmap[:, :, None], [box], output_size, stride)[0, :, :, 0]
    fig, (left, right) = plt.subplots(1, 2, figsize=(theme.COLUMN_INCHES, 3.3),
                                      gridspec_kw={"width_ratios": [fmap.shape[1], 6]})
    left.imshow(fmap, cmap="viridis")
    y1, x1, y2, x2 = (np.asarray(box, dtype=float) / stride).tolist()
    left.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, edgecolor="white",
                             linewidth=2, linestyle="--"))
    for (r0, r1) in rows:
        for (c0, c1) in cols:
            left.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="red",
                                     linewidth=1))
    left.set_title("feature map: the box (dashed) and its bins")
    right.imshow(pooled, cmap="viridis", vmin=fmap.min(), vmax=fmap.max())
    right.set_title(f"{output_size} x {output_size} after RoI max pooling")
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def speed_figure(counts, rcnn_seconds, fast_seconds):
    """Milliseconds per image against the number of proposals, for both detectors (log scales)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(counts, np.asarray(rcnn_seconds) * 1000, "o-", label="R-CNN (CNN per proposal)")
    ax.plot(counts, np.asarray(fast_seconds) * 1000, "s--", label="Fast R-CNN (shared map + RoI pooling)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):  # plain numbers (2, 10, 500), not 2 x 10^0
        axis.set_major_formatter(StrMethodFormatter("{x:g}"))
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("proposals per image")
    ax.set_ylabel("milliseconds per image")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=theme.SMALL)
    fig.tight_layout()
    return fig


def anchors_figure(image: np.ndarray, all_anchors: np.ndarray, per_position: int, position: int,
                   stride: float, labels: np.ndarray | None = None, gt_boxes=None):
    """Left: every anchor centre and the k anchors of one position. Right: labelled anchors."""
    panels = 1 if labels is None else 2
    side = min(4.0, theme.COLUMN_INCHES / panels)
    fig, axes = plt.subplots(1, panels, figsize=(side * panels, side), squeeze=False)
    ax = axes[0, 0]
    size = image.shape[0]
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    centres = (all_anchors[:, :2] + all_anchors[:, 2:]) / 2
    ax.plot(centres[::per_position, 1] - 0.5, centres[::per_position, 0] - 0.5, ".", color="C0",
            markersize=1.5, alpha=0.5)
    mine = all_anchors[position * per_position : (position + 1) * per_position]
    for n, box in enumerate(mine):
        draw_boxes(ax, [box], colour=f"C{n % 10}", width=1)
    ax.set_title(f"{per_position} anchors at one position (stride {stride:g})", fontsize=theme.NORMAL)
    if labels is not None:
        ax = axes[0, 1]
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        draw_boxes(ax, all_anchors[labels == 1], colour="C2", width=1)
        if gt_boxes is not None:
            draw_boxes(ax, gt_boxes, colour="C3", style="--", width=2)
        ax.set_title(f"positive anchors ({theme.colour_name('C2')}),\nground truth "
                     f"({theme.colour_name('C3')})", fontsize=theme.NORMAL)
    for ax in axes.flat:
        ax.add_patch(Rectangle((-0.5, -0.5), size, size, fill=False, edgecolor="0.6", linewidth=1))
        ax.set_xlim(-0.5 - size * 0.25, size * 1.25 - 0.5)
        ax.set_ylim(size * 1.25 - 0.5, -0.5 - size * 0.25)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def recall_figure(counts, rpn_recall: dict, hand_count: float, hand_recall: dict):
    """Recall against proposals per image: the RPN's top N as a line per IoU threshold, the
    hand-made proposals (unranked, all of them) as one point per threshold."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for n, (threshold, values) in enumerate(rpn_recall.items()):
        ax.plot(counts, values, "o-", color=f"C{n}", label=f"RPN, IoU {threshold}")
        ax.plot([hand_count], [hand_recall[threshold]], "*", color=f"C{n}", markersize=12,
                label=f"hand-made (all), IoU {threshold}")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("proposals per image")
    ax.set_ylabel("recall")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=theme.SMALL)
    fig.tight_layout()
    return fig
