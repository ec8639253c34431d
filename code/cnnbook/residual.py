"""Residual learning (ResNet, 2015): residual blocks and deep plain vs residual networks.

A residual block adds its input to the output of two convolutions, y = F(x) + x, so the layers
learn only a correction F to the identity. The chapter's experiment trains two MNIST networks
of the same depth that differ only in these shortcuts: same layers, same initial weights, same
optimizer, same seed. Batch normalisation, which He et al. use after every convolution, is left
out on purpose: a few hundred training steps are too few for its running averages to settle,
and without it the shortcut is the only difference between the two networks.
"""

from __future__ import annotations

import random
import zlib

import matplotlib.pyplot as plt
import numpy as np

from cnnbook import experiments, models
from cnnbook.runtime import keras, tf
from cnnbook.training import Recipe

layers = keras.layers

# ---- Facts quoted from the papers (not computed) ----------------------------------------------
#: ILSVRC 2015 classification winner: He, Zhang, Ren and Sun, Microsoft Research (he2016, abstract).
RESNET_AUTHORS = "He, Zhang, Ren and Sun"
RESNET_LAB = "Microsoft Research"
RESNET_YEAR = 2015
#: Top-5 error of the ResNet ensemble on the ILSVRC 2015 test set (he2016, abstract and Table 5).
RESNET_TOP5_TEST_ERROR = 0.0357
#: The lecture's ResNet slide gives both of these for the same top-5 error (see the Errata).
LECTURE_SLIDE_TOP5_ERRORS = (0.036, 0.106)
#: Weight layers of VGG-19, 16 convolutional + 3 fully-connected (simonyan2015, Table 1, column E).
VGG_DEPTH = 19
#: GoogLeNet's depth counting only layers with parameters (szegedy2015, Section 5).
GOOGLENET_DEPTH = 22
#: The deepest ResNet the paper trains on ImageNet (he2016, Table 1 and abstract).
RESNET_IMAGENET_DEPTH = 152
#: Top-1 error on the ImageNet validation set, 10-crop testing (he2016, Table 2), by (net, depth):
#: the deeper plain net is worse, the deeper residual net is better.
IMAGENET_TOP1_ERROR = {("plain", 18): 0.2794, ("plain", 34): 0.2854, ("ResNet", 18): 0.2788,
                       ("ResNet", 34): 0.2503}

# ---- The chapter's networks --------------------------------------------------------------------
#: Filters per stage; the second stage halves the map size (14x14 -> 7x7) and doubles the filters.
WIDTHS = (16, 32)
#: Residual (or plain) blocks of two 3x3 convolutions per stage: 1 + 2*2*6 = 25 conv layers.
DEEP_BLOCKS = 6
#: The shallow plain network for comparison: 1 + 2*2*1 = 5 conv layers.
SHALLOW_BLOCKS = 1
IMAGE_SHAPE = (28, 28, 1)


def _layer_seed(seed: int | None, name: str) -> int | None:
    """A layer's initialiser seed from the net's seed and the layer's name: layers with the same
    name start with the same weights in the plain and the residual net."""
    return None if seed is None else (seed + zlib.crc32(name.encode())) % 2**31


def _conv(x, filters: int, size: int, stride: int, name: str, seed: int | None):
    """A convolution with 'same' padding and Keras's default Glorot-uniform initialiser."""
    init = keras.initializers.GlorotUniform(seed=_layer_seed(seed, name))
    return layers.Conv2D(filters, size, strides=stride, padding="same", kernel_initializer=init,
                         name=name)(x)


def _check(filters: int, stride: int) -> None:
    if not isinstance(filters, int) or isinstance(filters, bool) or filters < 1:
        raise ValueError(f"filters must be a positive integer, got {filters!r}")
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2, got {stride!r}")


def needs_projection(x, filters: int, stride: int) -> bool:
    """True when the block changes the shape of x, so the identity cannot be added as it is."""
    return stride != 1 or x.shape[-1] != filters


def residual_block(x, filters: int, stride: int = 1, *, name: str = "block", seed: int | None = None):
    """y = ReLU(F(x) + shortcut(x)), F = two 3x3 convolutions (잔차 블록, He et al. Fig. 2).

    The shortcut is the identity when the shape stays; when it changes (stride 2 or another
    number of filters) it is a 1x1 convolution with the block's stride (a projection).
    ``seed`` ties each layer's initial weights to its name, so a plain net can start alike.
    """
    _check(filters, stride)
    f = _conv(x, filters, 3, stride, f"{name}_conv1", seed)
    f = layers.ReLU(name=f"{name}_relu1")(f)
    f = _conv(f, filters, 3, 1, f"{name}_conv2", seed)
    shortcut = x
    if needs_projection(x, filters, stride):
        init = keras.initializers.GlorotUniform(seed=_layer_seed(seed, f"{name}_projection"))
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False, kernel_initializer=init,
                                 name=f"{name}_projection")(x)
    y = layers.Add(name=f"{name}_add")([f, shortcut])
    return layers.ReLU(name=f"{name}_relu2")(y)


def plain_block(x, filters: int, stride: int = 1, *, name: str = "block", seed: int | None = None):
    """The same two 3x3 convolutions without the shortcut: y = ReLU(F(x))."""
    _check(filters, stride)
    f = _conv(x, filters, 3, stride, f"{name}_conv1", seed)
    f = layers.ReLU(name=f"{name}_relu1")(f)
    f = _conv(f, filters, 3, 1, f"{name}_conv2", seed)
    return layers.ReLU(name=f"{name}_relu2")(f)


def stacked_net(blocks_per_stage: int, shortcuts: bool, name: str) -> keras.Model:
    """A stem convolution (stride 2: 28x28 -> 14x14), then blocks in stages of :data:`WIDTHS`
    filters, the first block of each later stage with stride 2; global average pooling; softmax.

    The one random draw (the net's seed) comes from the seeded global generator, so a plain and a
    residual net built after the same seeding start with identical weights in every shared layer.
    """
    if not isinstance(blocks_per_stage, int) or isinstance(blocks_per_stage, bool) or blocks_per_stage < 1:
        raise ValueError(f"blocks_per_stage must be a positive integer, got {blocks_per_stage!r}")
    seed = random.randint(0, 2**31 - 1)
    block = residual_block if shortcuts else plain_block
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.ReLU(name="stem_relu")(_conv(inputs, WIDTHS[0], 3, 2, "stem_conv", seed))
    for stage, filters in enumerate(WIDTHS, start=1):
        for index in range(1, blocks_per_stage + 1):
            stride = 2 if stage > 1 and index == 1 else 1
            x = block(x, filters, stride, name=f"stage{stage}_block{index}", seed=seed)
    x = layers.GlobalAveragePooling2D(name="average")(x)
    init = keras.initializers.GlorotUniform(seed=_layer_seed(seed, "classifier"))
    outputs = layers.Dense(models.NUM_CLASSES, activation="softmax", kernel_initializer=init,
                           name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)


@models.register("plain_deep")
def plain_deep() -> keras.Model:
    """25 plain 3x3 convolution layers (a 26-layer net with the classifier), no shortcuts."""
    return stacked_net(DEEP_BLOCKS, shortcuts=False, name="plain_deep")


@models.register("residual_deep")
def residual_deep() -> keras.Model:
    """The same 25 convolution layers with a shortcut around every pair: a residual net."""
    return stacked_net(DEEP_BLOCKS, shortcuts=True, name="residual_deep")


@models.register("plain_shallow")
def plain_shallow() -> keras.Model:
    """A shallow plain net of the same design: 5 convolution layers."""
    return stacked_net(SHALLOW_BLOCKS, shortcuts=False, name="plain_shallow")


# ---- Training: MNIST subset, budgeted for two CPU cores -----------------------------------------
#: The first 10,000 training images (of 60,000); the full test set scores each net once.
TRAIN_SIZE = 10_000
EPOCHS = 5
PLAIN_DEEP = Recipe("plain_deep", epochs=EPOCHS, seed=experiments.SEED, train_size=TRAIN_SIZE)
RESIDUAL_DEEP = Recipe("residual_deep", epochs=EPOCHS, seed=experiments.SEED, train_size=TRAIN_SIZE)
PLAIN_SHALLOW = Recipe("plain_shallow", epochs=EPOCHS, seed=experiments.SEED, train_size=TRAIN_SIZE)
RECIPES = {"plain, 25 conv layers": PLAIN_DEEP, "residual, 25 conv layers": RESIDUAL_DEEP,
           "plain, 5 conv layers": PLAIN_SHALLOW}


# ---- Looking inside ----------------------------------------------------------------------------
def conv_layers(model: keras.Model, *, projections: bool = True) -> list:
    """The model's Conv2D layers from input to output; ``projections=False`` keeps the 3x3 ones."""
    return [layer for layer in model.layers if isinstance(layer, layers.Conv2D)
            and (projections or not layer.name.endswith("_projection"))]


def describe(model: keras.Model) -> dict:
    """What a net is made of: its 3x3 conv layers, projections, shortcut additions, parameters."""
    convs = conv_layers(model)
    main = conv_layers(model, projections=False)
    return {
        "3x3 conv layers": len(main),
        "weight layers (conv + dense)": len(main) + sum(isinstance(ly, layers.Dense) for ly in model.layers),
        "projection shortcuts": len(convs) - len(main),
        "shortcut additions": sum(isinstance(layer, layers.Add) for layer in model.layers),
        "parameters": model.count_params(),
    }


def zero_branch(model: keras.Model, block: str) -> None:
    """Set the last convolution of ``block`` (kernel and bias) to zero, so its branch F gives 0."""
    layer = model.get_layer(f"{block}_conv2")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])


def predicted_classes(model: keras.Model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The most probable class of every image (called in batches, without Keras's predict loop)."""
    x = np.asarray(x, dtype=np.float32).reshape((-1, *model.input_shape[1:]))
    batches = [model(x[i : i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    return np.concatenate([np.argmax(b, axis=1) for b in batches])


# ---- Gradients and signals ---------------------------------------------------------------------
def gradient_norms(model: keras.Model, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The L2 norm of d(loss)/d(kernel) for every Conv2D layer, on one batch (x, y).

    The loss is the training loss (mean cross-entropy); nothing random runs (no dropout), so the
    result depends only on the weights and the batch.
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if len(x) == 0 or len(x) != len(y):
        raise ValueError(f"need a non-empty batch with one label per image, got {len(x)} images "
                         f"and {len(y)} labels")
    x = x.reshape((-1, *model.input_shape[1:]))
    convs = conv_layers(model)
    if not convs:
        raise ValueError(f"model {model.name!r} has no Conv2D layer")
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, [layer.kernel for layer in convs])
    return {layer.name: float(tf.norm(g)) for layer, g in zip(convs, grads)}


def signal_scales(model: keras.Model, x: np.ndarray) -> dict[str, float]:
    """Root-mean-square of what enters each 3x3 conv layer: how much signal reaches that depth."""
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        raise ValueError("need at least one image")
    convs = conv_layers(model, projections=False)
    probe = keras.Model(model.input, [layer.input for layer in convs])
    outputs = probe(x.reshape((-1, *model.input_shape[1:])), training=False)
    return {layer.name: float(np.sqrt(np.mean(np.square(out)))) for layer, out in zip(convs, outputs)}


# ---- Figures -----------------------------------------------------------------------------------
def compare_training(results: dict[str, object]):
    """Training cost and accuracy per epoch of several results, one line per net, side by side."""
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
    for (label, result), colour in zip(results.items(), ("C3", "C0", "C7")):
        epochs = np.arange(1, result.recipe.epochs + 1)
        for ax, metric in zip(axes, ("loss", "accuracy")):
            ax.plot(epochs, result.history[metric], marker="o", markersize=3, color=colour, label=label)
    for ax, title in zip(axes, ("training cost (cross-entropy)", "training accuracy")):
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.set_xticks(np.arange(1, max(r.recipe.epochs for r in results.values()) + 1))
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def gradient_norm_figure(scales: dict[str, dict[str, float]], norms: dict[str, dict[str, float]]):
    """Per 3x3 conv layer, against depth on a log scale: the signal entering it (left) and the
    norm of the loss gradient with respect to its kernel (right); one line per net."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, by_net in zip(axes, (scales, norms)):
        for (label, by_layer), colour in zip(by_net.items(), ("C3", "C0", "C7")):
            values = [v for name, v in by_layer.items() if not name.endswith("_projection")]
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, color=colour,
                    label=label)
        ax.set_yscale("log")
        ax.set_xlabel("conv layer (1 = next to the input)")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_title("signal entering the layer (RMS)")
    axes[1].set_title("gradient of the loss w.r.t. its kernel (norm)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def block_diagram():
    """A plain block and a residual block side by side: the same layers, plus one shortcut."""
    steps = ["x", "3x3 conv", "ReLU", "3x3 conv", "+", "ReLU", "y"]
    rows = list(zip(steps, np.linspace(0.92, 0.08, len(steps))))
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 4.6))
    for ax, residual in zip(axes, (False, True)):
        shown = [(text, h) for text, h in rows if residual or text != "+"]
        for text, h in shown:
            boxed = text not in ("x", "y", "+")
            ax.text(0.45, h, "F(x) + x" if text == "+" else text, ha="center", va="center", fontsize=10,
                    bbox=dict(boxstyle="round", fc="#e8f0fa" if boxed else "white",
                              ec="C0" if boxed else "white"))
        for (_, upper), (_, lower) in zip(shown[:-1], shown[1:]):
            ax.annotate("", xy=(0.45, lower + 0.045), xytext=(0.45, upper - 0.045),
                        arrowprops=dict(arrowstyle="->", color="0.3"))
        top, bottom = rows[1][1], rows[3][1]
        ax.plot([0.18, 0.16, 0.16, 0.18], [top, top, bottom, bottom], color="C0", lw=1.2)
        ax.text(0.1, (top + bottom) / 2, "F(x)", color="C0", ha="center", va="center", fontsize=11)
        if residual:
            ax.annotate("", xy=(0.6, rows[4][1]), xytext=(0.5, rows[0][1]),
                        arrowprops=dict(arrowstyle="->", color="C3", lw=1.8,
                                        connectionstyle="arc,angleA=0,angleB=0,armA=60,armB=60,rad=12"))
            ax.text(0.87, (rows[0][1] + rows[4][1]) / 2, "identity\nshortcut", color="C3", ha="center",
                    va="center", fontsize=9)
        ax.set_title("residual block: y = ReLU(F(x) + x)" if residual else "plain block: y = ReLU(F(x))",
                     fontsize=10)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
    fig.tight_layout()
    return fig
