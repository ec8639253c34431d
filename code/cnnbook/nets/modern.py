"""The modern building blocks of Part III ("Beyond 99%"): batch normalization, stacks of 3x3
convolutions (VGG), global average pooling and data augmentation, on MNIST.

Convolutions that feed a batch normalization have no bias: the normalization's shift (beta)
takes its place. The augmentation layers are part of the model, the Keras idiom: they move
the images while the model trains and pass them through untouched when it predicts.
"""

from __future__ import annotations

from cnnbook.nets import register
from cnnbook.runtime import keras

layers = keras.layers

NUM_CLASSES = 10
#: Augmentation: shifts up to this fraction of the side (10% of 28 pixels: about 3), rotations
#: up to this fraction of a full turn (10 degrees), zooms in or out by up to this fraction.
SHIFT, TURN, ZOOM = 0.1, 10 / 360, 0.1
AUGMENT_SEED = 7
#: Running averages of batch normalization keep this share of their old value at each step:
#: less than Keras's 0.99, so that they settle within the few hundred steps of a short run.
BN_MOMENTUM = 0.9


def augmentation(seed: int = AUGMENT_SEED) -> list:
    """Random small shifts, rotations and zooms, seeded; active in training only."""
    return [
        layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=seed),
        layers.RandomRotation(TURN, fill_mode="constant", seed=seed + 1),
        layers.RandomZoom(ZOOM, fill_mode="constant", seed=seed + 2),
    ]


def conv_bn(filters: int, kernel: int = 3, **kwargs) -> list:
    """Convolution (no bias), batch normalization, then ReLU: the modern unit."""
    return [
        layers.Conv2D(filters, kernel, padding="same", use_bias=False, **kwargs),
        layers.BatchNormalization(momentum=BN_MOMENTUM),
        layers.ReLU(),
    ]


@register("cnn_bn")
def lecture_cnn_bn(dropout: float = 0.3) -> keras.Model:
    """The lecture's CNN with a batch normalization after each convolution, nothing else
    changed."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *conv_bn(32),
            layers.MaxPooling2D((2, 2), padding="same"),
            layers.Dropout(dropout),
            *conv_bn(64),
            layers.MaxPooling2D((2, 2), padding="same"),
            layers.Dropout(dropout),
            *conv_bn(128),
            layers.MaxPooling2D((2, 2), padding="same"),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="lecture_cnn_bn",
    )


def _small_vgg(head: str, name: str) -> keras.Model:
    """Two stages of two 3x3 convolutions and a pooling, then ``head``: "flatten"
    (Flatten and a Dense layer to the classes) or "gap" (a 1x1 convolution to the
    classes, then global average pooling)."""
    if head == "flatten":
        top = [layers.Flatten(), layers.Dense(NUM_CLASSES, activation="softmax")]
    else:
        top = [layers.Conv2D(NUM_CLASSES, 1), layers.GlobalAveragePooling2D(),
               layers.Softmax()]
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *conv_bn(16), *conv_bn(16),
            layers.MaxPooling2D(2),
            *conv_bn(32), *conv_bn(32),
            layers.MaxPooling2D(2),
            *top,
        ],
        name=name,
    )


@register("vgg_flatten")
def small_vgg_flatten() -> keras.Model:
    """A small VGG-style net ending in Flatten and Dense."""
    return _small_vgg("flatten", "small_vgg_flatten")


@register("vgg_gap")
def small_vgg_gap() -> keras.Model:
    """The same net ending in a 1x1 convolution and global average pooling."""
    return _small_vgg("gap", "small_vgg_gap")


def _fast(norm: bool, augment: bool, name: str, width: int = 16) -> keras.Model:
    """A small, quick net: a 5x5 convolution with stride 2 (straight to 14x14), then
    two 3x3 stages with pooling, and one Dense layer; with or without batch
    normalization, with or without augmentation in front."""

    def unit(filters: int, kernel: int = 3, **kwargs) -> list:
        if norm:
            return conv_bn(filters, kernel, **kwargs)
        return [layers.Conv2D(filters, kernel, padding="same", activation="relu",
                              **kwargs)]

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *(augmentation() if augment else []),
            *unit(width, 5, strides=2),
            *unit(2 * width),
            layers.MaxPooling2D(2),
            *unit(4 * width),
            layers.MaxPooling2D(2, padding="same"),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name=name,
    )


@register("fast_cnn")
def fast_cnn() -> keras.Model:
    """The quick net with batch normalization."""
    return _fast(True, False, "fast_cnn")


@register("fast_plain")
def fast_plain() -> keras.Model:
    """The quick net without batch normalization (convolutions with biases)."""
    return _fast(False, False, "fast_plain")


@register("fast_plain_aug")
def fast_plain_aug() -> keras.Model:
    """The quick net without batch normalization, trained on augmented images."""
    return _fast(False, True, "fast_plain_aug")


def _best(augment: bool, name: str) -> keras.Model:
    """VGG-style: one 3x3 stage of 32 filters, two of 48, one of 96, pooling after the
    first, third and fourth; batch norm throughout, dropout before the Dense head; with
    or without augmentation in front."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            *(augmentation() if augment else []),
            *conv_bn(32),
            layers.MaxPooling2D(2),
            *conv_bn(48), *conv_bn(48),
            layers.MaxPooling2D(2),
            *conv_bn(96),
            layers.MaxPooling2D(2, padding="same"),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name=name,
    )


@register("best_cnn")
def best_cnn() -> keras.Model:
    """The net for "how far": VGG-style with batch norm, trained on augmented images."""
    return _best(True, "best_cnn")


@register("best_cnn_plain")
def best_cnn_plain() -> keras.Model:
    """The same net without augmentation (the control of the augmentation experiment)."""
    return _best(False, "best_cnn_plain")
