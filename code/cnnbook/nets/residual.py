"""Residual learning (ResNet, 2015): residual blocks and deep plain vs residual networks.

A residual block adds its input to the output of two convolutions, y = F(x) + x, so the layers
learn only a correction F to the identity. The chapter's experiment trains two MNIST networks
of the same depth that differ only in these shortcuts: same layers, same initial weights, same
optimizer, same seed, and no batch normalisation, so the shortcut is the only difference.

The paper's own finding needs batch normalisation (after every convolution, as He et al. put it):
with it the signal no longer vanishes, and a deeper plain net still trains worse than a
shallower one. The ``bn_*`` nets, plain and residual at two depths, show that.
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
#: The nets with batch normalisation: residual (or plain) blocks per stage of the shallow and
#: the deep net, 1 + 2*2*2 = 9 and 1 + 2*2*7 = 29 conv layers, and their (narrower) widths.
BN_SHALLOW_BLOCKS = 2
BN_DEEP_BLOCKS = 7
BN_WIDTHS = (8, 16)
#: The running averages that batch normalisation uses at test time follow the batches' means
#: with this momentum (Keras's default is 0.99; 0.9 settles within a short run).
BN_MOMENTUM = 0.9


def _layer_seed(seed: int | None, name: str) -> int | None:
    """A layer's initialiser seed from the net's seed and the layer's name: layers with the same
    name start with the same weights in the plain and the residual net."""
    return None if seed is None else (seed + zlib.crc32(name.encode())) % 2**31


def _conv(x, filters: int, size: int, stride: int, name: str, seed: int | None,
          batch_norm: bool = False):
    """A convolution with 'same' padding and Keras's default Glorot-uniform initialiser;
    with ``batch_norm``, followed by batch normalisation (and then without a bias, which
    the normalisation's own shift replaces)."""
    init = keras.initializers.GlorotUniform(seed=_layer_seed(seed, name))
    x = layers.Conv2D(filters, size, strides=stride, padding="same",
                      kernel_initializer=init, use_bias=not batch_norm, name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return x


def _check(filters: int, stride: int) -> None:
    checks.whole_number("filters", filters)
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2, got {stride!r}")


def needs_projection(x, filters: int, stride: int) -> bool:
    """True when the block changes the shape of x, so the identity cannot be added as it
    is."""
    return stride != 1 or x.shape[-1] != filters


def residual_block(
    x, filters: int, stride: int = 1, *, name: str = "block", seed: int | None = None,
    batch_norm: bool = False,
):
    """y = ReLU(F(x) + shortcut(x)), F = two 3x3 convolutions (잔차 블록).

    He et al.'s Fig. 2. The shortcut is the identity when the shape stays; when it
    changes (stride 2 or another number of filters) it is a 1x1 convolution with the
    block's stride (a projection). ``seed`` ties each layer's initial weights to its
    name, so a plain net can start alike. ``batch_norm`` normalises after every
    convolution, as the paper does.
    """
    _check(filters, stride)
    f = _conv(x, filters, 3, stride, f"{name}_conv1", seed, batch_norm)
    f = layers.ReLU(name=f"{name}_relu1")(f)
    f = _conv(f, filters, 3, 1, f"{name}_conv2", seed, batch_norm)
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
        if batch_norm:
            shortcut = layers.BatchNormalization(
                momentum=BN_MOMENTUM, name=f"{name}_projection_bn"
            )(shortcut)
    y = layers.Add(name=f"{name}_add")([f, shortcut])
    return layers.ReLU(name=f"{name}_relu2")(y)


def plain_block(x, filters: int, stride: int = 1, *, name: str = "block", seed: int | None = None,
                batch_norm: bool = False):
    """The same two 3x3 convolutions without the shortcut: y = ReLU(F(x))."""
    _check(filters, stride)
    f = _conv(x, filters, 3, stride, f"{name}_conv1", seed, batch_norm)
    f = layers.ReLU(name=f"{name}_relu1")(f)
    f = _conv(f, filters, 3, 1, f"{name}_conv2", seed, batch_norm)
    return layers.ReLU(name=f"{name}_relu2")(f)


def stacked_net(blocks_per_stage: int, shortcuts: bool, name: str, *, widths=WIDTHS,
                batch_norm: bool = False) -> keras.Model:
    """A stem convolution (stride 2: 28x28 -> 14x14), then blocks in stages of
    ``widths`` filters, the first block of each later stage with stride 2; global
    average pooling; softmax.

    The one random draw (the net's seed) comes from the seeded global generator, so a
    plain and a residual net built after the same seeding start with identical weights
    in every shared layer.
    """
    checks.whole_number("blocks_per_stage", blocks_per_stage)
    seed = random.randint(0, 2**31 - 1)
    block = residual_block if shortcuts else plain_block
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = _conv(inputs, widths[0], 3, 2, "stem_conv", seed, batch_norm)
    x = layers.ReLU(name="stem_relu")(x)
    for stage, filters in enumerate(widths, start=1):
        for index in range(1, blocks_per_stage + 1):
            stride = 2 if stage > 1 and index == 1 else 1
            x = block(x, filters, stride, name=f"stage{stage}_block{index}", seed=seed,
                      batch_norm=batch_norm)
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


# ---- With batch normalisation: the paper's degradation -----------------------------------------


def bn_net(deep: bool, shortcuts: bool) -> keras.Model:
    """A net of :data:`BN_WIDTHS` filters, batch normalisation after every convolution:
    :data:`BN_DEEP_BLOCKS` or :data:`BN_SHALLOW_BLOCKS` blocks per stage, plain or
    residual."""
    blocks = BN_DEEP_BLOCKS if deep else BN_SHALLOW_BLOCKS
    name = f"bn_{'residual' if shortcuts else 'plain'}_{'deep' if deep else 'shallow'}"
    return stacked_net(blocks, shortcuts, name, widths=BN_WIDTHS, batch_norm=True)


@register("bn_plain_shallow")
def bn_plain_shallow() -> keras.Model:
    """The shallow plain net with batch normalisation: 9 conv layers."""
    return bn_net(deep=False, shortcuts=False)


@register("bn_plain_deep")
def bn_plain_deep() -> keras.Model:
    """The deep plain net with batch normalisation: 29 conv layers."""
    return bn_net(deep=True, shortcuts=False)


@register("bn_residual_shallow")
def bn_residual_shallow() -> keras.Model:
    """The shallow net with batch normalisation and shortcuts: 9 conv layers."""
    return bn_net(deep=False, shortcuts=True)


@register("bn_residual_deep")
def bn_residual_deep() -> keras.Model:
    """The deep net with batch normalisation and shortcuts: 29 conv layers."""
    return bn_net(deep=True, shortcuts=True)


# ---- Training: MNIST subset, budgeted for two CPU cores -----------------------------------------


# ---- Looking inside ----------------------------------------------------------------------------








# ---- Gradients and signals ---------------------------------------------------------------------




# ---- Figures -----------------------------------------------------------------------------------




