"""Figures of the ResNet chapter: training compared, signal and gradients by depth, a block."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from cnnbook.figures import theme

#: The colour of each net's line in the comparisons, in the order of the results given (the
#: deep plain net, the deep residual one, the shallow plain one); pages name them in captions
#: through theme.colour_name.
NET_COLOURS = ("C3", "C0", "C7")
#: The degradation figure's (colour, line width): the shallow net's line, then the deep one's.
DEPTH_STYLES = (("C7", 1.4), ("C3", 2.6))

def compare_training(results: dict[str, object]):
    """Training cost (top) and accuracy (bottom) per epoch of several results, one line per net."""
    fig, axes = plt.subplots(2, 1, figsize=(theme.STACKED_INCHES, 5.2))
    for (label, result), colour in zip(results.items(), NET_COLOURS):
        epochs = np.arange(1, result.recipe.epochs + 1)
        for ax, metric in zip(axes, ("loss", "accuracy")):
            ax.plot(epochs, result.history[metric], marker="o", markersize=3, color=colour, label=label)
    for ax, title in zip(axes, ("training cost (cross-entropy)", "training accuracy")):
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.set_xticks(np.arange(1, max(r.recipe.epochs for r in results.values()) + 1))
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=theme.SMALL)
    fig.tight_layout()
    return fig


def gradient_norm_figure(scales: dict[str, dict[str, float]], norms: dict[str, dict[str, float]]):
    """Per 3x3 conv layer, against depth on a log scale: the signal entering it (top) and the
    norm of the loss gradient with respect to its kernel (bottom); one line per net."""
    fig, axes = plt.subplots(2, 1, figsize=(theme.STACKED_INCHES, 5.6))
    for ax, by_net in zip(axes, (scales, norms)):
        for (label, by_layer), colour in zip(by_net.items(), NET_COLOURS):
            values = [v for name, v in by_layer.items() if not name.endswith("_projection")]
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, color=colour,
                    label=label)
        ax.set_yscale("log")
        ax.set_xlabel("conv layer (1 = next to the input)")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_title("signal entering the layer (RMS)")
    axes[1].set_title("gradient of the loss w.r.t. its kernel (norm)")
    axes[1].legend(fontsize=theme.SMALL)
    fig.tight_layout()
    return fig


def block_diagram():
    """A plain block and a residual block side by side: the same layers, plus one shortcut."""
    steps = ["x", "3x3 conv", "ReLU", "3x3 conv", "+", "ReLU", "y"]
    rows = list(zip(steps, np.linspace(0.92, 0.08, len(steps))))
    fig, axes = plt.subplots(1, 2, figsize=(theme.COLUMN_INCHES, 4.2))
    for ax, residual in zip(axes, (False, True)):
        shown = [(text, h) for text, h in rows if residual or text != "+"]
        for text, h in shown:
            boxed = text not in ("x", "y", "+")
            ax.text(0.45, h, "F(x) + x" if text == "+" else text, ha="center", va="center",
                    fontsize=theme.TITLE,
                    bbox=dict(boxstyle="round", fc="#e8f0fa" if boxed else "white",
                              ec="C0" if boxed else "white"))
        for (_, upper), (_, lower) in zip(shown[:-1], shown[1:]):
            ax.annotate("", xy=(0.45, lower + 0.045), xytext=(0.45, upper - 0.045),
                        arrowprops=dict(arrowstyle="->", color="0.3"))
        top, bottom = rows[1][1], rows[3][1]
        ax.plot([0.18, 0.16, 0.16, 0.18], [top, top, bottom, bottom], color="C0", lw=1.2)
        ax.text(0.1, (top + bottom) / 2, "F(x)", color="C0", ha="center", va="center", fontsize=theme.LARGE)
        if residual:
            ax.annotate("", xy=(0.6, rows[4][1]), xytext=(0.5, rows[0][1]),
                        arrowprops=dict(arrowstyle="->", color="C3", lw=1.8,
                                        connectionstyle="arc,angleA=0,angleB=0,armA=60,armB=60,rad=12"))
            ax.text(0.87, (rows[0][1] + rows[4][1]) / 2, "identity\nshortcut", color="C3", ha="center",
                    va="center", fontsize=theme.NORMAL)
        ax.set_title("residual block: y = ReLU(F(x) + x)" if residual else "plain block: y = ReLU(F(x))",
                     fontsize=theme.TITLE)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
    fig.tight_layout()
    return fig


def degradation_figure(results: dict[tuple[str, str], object], final_errors: dict[tuple[str, str], float]):
    """He et al.'s Fig. 4 in miniature: training error per epoch, plain nets (left) and residual
    nets (right), shallow (thin) and deep (thick). ``results`` and ``final_errors`` are keyed by
    (kind, depth label); the lines are Keras's running training error (the mean over an epoch's
    batches, in training mode), the end points the error on the same images after training,
    in inference mode."""
    fig, axes = plt.subplots(1, 2, figsize=(theme.COLUMN_INCHES, 3.6), sharey=True)
    kinds = list(dict.fromkeys(kind for kind, _ in results))
    for ax, kind in zip(axes, kinds):
        for ((k, depth), result), (colour, width) in zip(
            ((key, r) for key, r in results.items() if key[0] == kind), DEPTH_STYLES
        ):
            epochs = np.arange(1, result.recipe.epochs + 1)
            errors = 1 - np.asarray(result.history["accuracy"])
            ax.plot(epochs, errors, color=colour, lw=width, label=f"{depth}, per epoch")
            ax.plot(epochs[-1] + 0.15, final_errors[(k, depth)], marker="D", markersize=7,
                    color=colour, linestyle="none", label=f"{depth}, after training")
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(mticker.FixedLocator([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]))
        ax.yaxis.set_minor_locator(mticker.NullLocator())
        ax.yaxis.set_major_formatter(mticker.PercentFormatter(1, decimals=0))
        ax.yaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_title(f"{kind} nets")
        ax.set_xlabel("epoch")
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=theme.SMALL)
    axes[0].set_ylabel("training error")
    fig.tight_layout()
    return fig
