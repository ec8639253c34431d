"""Figures of Part III ("Beyond 99%"): a confusion matrix and the accuracy-time frontier."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

from cnnbook.figures import theme


def confusion_matrix(matrix: np.ndarray, title: str = ""):
    """Counts of (true, predicted) classes; the diagonal (correct) is left blank so that the
    few mistakes stand out, each with its count."""
    errors = np.array(matrix, dtype=float)
    np.fill_diagonal(errors, np.nan)
    fig, ax = plt.subplots(figsize=(theme.STACKED_INCHES, theme.STACKED_INCHES))
    ax.imshow(errors, cmap="Oranges", vmin=0, vmax=max(1.0, np.nanmax(errors)))
    for (true, said), count in np.ndenumerate(matrix):
        if true != said and count:
            ax.text(said, true, str(count), ha="center", va="center", fontsize=theme.SMALL)
    ax.set_xticks(range(len(matrix)))
    ax.set_yticks(range(len(matrix)))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title or "test mistakes: true against predicted")
    fig.tight_layout()
    return fig


def frontier(points: list[dict]):
    """Test error against training seconds, both on log scales, one marker per trained model;
    the error axis runs downward so that better is up. ``points`` are dicts with "label",
    "seconds", "accuracy" and "group"."""
    fig, ax = plt.subplots(figsize=(theme.COLUMN_INCHES, 4.6))
    groups = list(dict.fromkeys(point["group"] for point in points))
    markers, colours = "osD^vP*X", ("C0", "C1", "C2", "C3", "C4", "C5", "C7")
    for index, group in enumerate(groups):
        chosen = [p for p in points if p["group"] == group]
        ax.scatter([p["seconds"] for p in chosen], [100 * (1 - p["accuracy"]) for p in chosen],
                   color=colours[index % len(colours)], marker=markers[index % len(markers)],
                   s=40, label=group)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.invert_yaxis()
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(ticker.StrMethodFormatter("{x:g}"))
        axis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xticks([10, 20, 50, 100, 200, 500, 1000])
    ax.set_yticks([0.5, 1, 2, 5, 10, 20, 50, 100])
    ax.set_xlabel("training wall time (seconds, log scale)")
    ax.set_ylabel("test error (%, log scale; better is up)")
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=theme.SMALL, loc="lower right")
    fig.tight_layout()
    return fig
