"""Figures of Part I-II: digits, class balance and training curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from cnnbook.figures import theme

#: Curve styles by metric prefix: what was measured, and on which images (colour, line style:
#: captions name them through theme.colour_name and theme.line_style_name).
CURVES = {
    "": ("training", "C0", "-"),
    "val_": ("validation\n(held out of training)", "C1", "--"),
    "test_": ("test (watched each\nepoch, as the lecture does)", "C3", ":"),
}


def digit_grid(images: np.ndarray, labels: np.ndarray, rows: int = 3, cols: int = 12):
    """The first rows*cols images in a grid, each titled with its label."""
    if len(images) < rows * cols:
        raise ValueError(f"need {rows * cols} images, got {len(images)}")
    side = theme.COLUMN_INCHES / cols
    fig, axes = plt.subplots(rows, cols, figsize=(theme.COLUMN_INCHES, rows * side * 1.3))
    for ax, image, label in zip(axes.flat, images, labels):
        ax.imshow(image.reshape(28, 28), cmap="gray_r")
        ax.set_title(str(label), fontsize=theme.NORMAL)
        ax.axis("off")
    fig.tight_layout()
    return fig


def class_balance(y_train: np.ndarray, y_test: np.ndarray):
    """Images per digit class in the training and test sets, side by side."""
    classes = np.arange(10)
    fig, ax = plt.subplots(figsize=(theme.COLUMN_INCHES, 3))
    width = 0.4
    for offset, (name, y) in zip((-width / 2, width / 2), (("training", y_train), ("test", y_test))):
        ax.bar(classes + offset, np.bincount(y, minlength=10) / len(y), width, label=name)
    ax.set_xticks(classes)
    ax.set_xlabel("digit")
    ax.set_ylabel("share of the set")
    ax.legend()
    fig.tight_layout()
    return fig


def training_curves(*results, titles: tuple[str, ...] = ()):
    """Cost (top) and accuracy (bottom) per epoch for one or more results, stacked in one
    column narrow enough to read on a phone."""
    fig, axes = plt.subplots(2 * len(results), 1, squeeze=False,
                             figsize=(theme.STACKED_INCHES, 2.5 * 2 * len(results)))
    axes = axes.reshape(len(results), 2)
    for row, result in enumerate(results):
        epochs = np.arange(1, result.recipe.epochs + 1)
        for col, metric in enumerate(("loss", "accuracy")):
            ax = axes[row, col]
            for prefix, (label, colour, style) in CURVES.items():
                if prefix + metric in result.history:
                    ax.plot(epochs, result.history[prefix + metric], style, color=colour,
                            marker="o", markersize=3, label=label)
            ax.set_xlabel("epoch")
            ax.set_ylabel("cost (cross-entropy)" if metric == "loss" else "accuracy")
            title = titles[row] if row < len(titles) else result.recipe.model
            ax.set_title(f"{title}: {'cost' if metric == 'loss' else 'accuracy'}")
            ax.grid(alpha=0.3)
        axes[row, 0].legend(fontsize=theme.SMALL, loc="upper right")  # costs fall: room there
    fig.tight_layout()
    return fig


def labelled_digits(images: np.ndarray, captions: list[str], cols: int = 8):
    """A grid of digits, each with its own caption (e.g. 'true 4 / said 9')."""
    rows = max(1, -(-len(images) // cols))
    side = (theme.COLUMN_INCHES - 0.4) / cols  # room for captions wider than a digit
    fig, axes = plt.subplots(rows, cols, figsize=(cols * side, rows * side * 1.25), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, caption in zip(axes.flat, images, captions):
        ax.imshow(image.reshape(28, 28), cmap="gray_r")
        ax.set_title(caption, fontsize=theme.SMALL)
    fig.tight_layout()
    return fig
