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

from cnnbook import checks
from cnnbook.nets import register
from cnnbook.nets.lecture import NUM_CLASSES
from cnnbook.runtime import keras

layers = keras.layers

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
    checks.whole_number("filters", filters)
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2, got {stride!r}")


def needs_projection(x, filters: int, stride: int) -> bool:
    """True when the block changes the shape of x, so the identity cannot be added as it
    is."""
    return stride != 1 or x.shape[-1] != filters


def residual_block(
    x, filters: int, stride: int = 1, *, name: str = "block", seed: int | None = None
):
    """y = ReLU(F(x) + shortcut(x)), F = two 3x3 convolutions (잔차 블록).

    He et al.'s Fig. 2. The shortcut is the identity when the shape stays; when it
    changes (stride 2 or another number of filters) it is a 1x1 convolution with the
    block's stride (a projection). ``seed`` ties each layer's initial weights to its
    name, so a plain net can start alike.
    """
    _check(filters, stride)
    f = _conv(x, filters, 3, stride, f"{name}_conv1", seed)
    f = layers.ReLU(name=f"{name}_relu1")(f)
    f = _conv(f, filters, 3, 1, f"{name}_conv2", seed)
    shortcut = x
    if needs_projection(x, filters, stride):
        init = keras.initializers.GlorotUniform(
            seed=_layer_seed(seed, f"{name}_projection")
        )
        shortcut = layers.Conv2D(
            filters,
            1,
            strides=stride,
            use_bias=False,
            kernel_initializer=init,
            name=f"{name}_projection",
        )(x)
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
    """A stem convolution (stride 2: 28x28 -> 14x14), then blocks in stages of
    :data:`WIDTHS` filters, the first block of each later stage with stride 2; global
    average pooling; softmax.

    The one random draw (the net's seed) comes from the seeded global generator, so a
    plain and a residual net built after the same seeding start with identical weights
    in every shared layer.
    """
    checks.whole_number("blocks_per_stage", blocks_per_stage)
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
    outputs = layers.Dense(
        NUM_CLASSES, activation="softmax", kernel_initializer=init, name="classifier"
    )(x)
    return keras.Model(inputs, outputs, name=name)


@register("plain_deep")
def plain_deep() -> keras.Model:
    """25 plain 3x3 convolution layers (a 26-layer net with the classifier), no shortcuts."""
    return stacked_net(DEEP_BLOCKS, shortcuts=False, name="plain_deep")


@register("residual_deep")
def residual_deep() -> keras.Model:
    """The same 25 convolution layers with a shortcut around every pair: a residual net."""
    return stacked_net(DEEP_BLOCKS, shortcuts=True, name="residual_deep")


@register("plain_shallow")
def plain_shallow() -> keras.Model:
    """A shallow plain net of the same design: 5 convolution layers."""
    return stacked_net(SHALLOW_BLOCKS, shortcuts=False, name="plain_shallow")


# ---- Training: MNIST subset, budgeted for two CPU cores -----------------------------------------


# ---- Looking inside ----------------------------------------------------------------------------








# ---- Gradients and signals ---------------------------------------------------------------------




# ---- Figures -----------------------------------------------------------------------------------




