"""Classic architectures of Part III: LeNet-5 (1998) and AlexNet (2012), in Keras 3.

LeNet-5 is built and trained on MNIST as the paper laid it out (a 32x32 input, 5x5
convolutions, 2x2 subsampling, C5-F6-output), with today's simplifications named in
:data:`cnnbook.facts.LENET5_CHANGES`. AlexNet is built at its real size, 227x227x3 with 1000
classes, to count its parameters and follow its shapes; it is far too large to train here, so
an AlexNet-style network scaled to MNIST (:func:`alexnet_small`) is trained instead.
"""

from __future__ import annotations

from cnnbook import geometry
from cnnbook.facts import (
    ALEXNET_DROPOUT,
    ALEXNET_INPUT_SIDE,
    ALEXNET_POOL,
    IMAGENET_CLASSES,
    LENET5_INPUT_RANGE,
    LENET5_INPUT_SIDE,
    LENET5_TANH_AMPLITUDE,
    LENET5_TANH_SLOPE,
)
from cnnbook.nets import register
from cnnbook.nets.lecture import NUM_CLASSES
from cnnbook.runtime import keras

layers = keras.layers

MNIST_SIDE = 28

#: AlexNet's feature extractor as (name, filters, kernel, stride, padding) for convolutions and
#: (name, None, window, stride, 0) for max pooling: the one table the builder and the size
#: arithmetic both read, so the two cannot disagree.
ALEXNET_FEATURES = (
    ("conv1", 96, 11, 4, 0),
    ("pool1", None, 3, 2, 0),
    ("conv2", 256, 5, 1, 2),
    ("pool2", None, 3, 2, 0),
    ("conv3", 384, 3, 1, 1),
    ("conv4", 384, 3, 1, 1),
    ("conv5", 256, 3, 1, 1),
    ("pool5", None, 3, 2, 0),
)
ALEXNET_DENSE = (4096, 4096)
#: In the paper's two-GPU network, conv2, conv4 and conv5 read only the maps on their own GPU.
ALEXNET_SPLIT_LAYERS = ("conv2", "conv4", "conv5")


def scaled_tanh(x):
    """LeNet-5's squashing function, A tanh(S x) with A = 1.7159 and S = 2/3: f(1) = 1,
    f(-1) = -1, and the steepest part of the curve lies between them."""
    numerator, denominator = LENET5_TANH_SLOPE
    return LENET5_TANH_AMPLITUDE * keras.ops.tanh(numerator / denominator * x)


@register("lenet5")
def lenet5() -> keras.Model:
    """LeNet-5 on MNIST: 28x28 digits zero-padded to 32x32 and scaled as in the paper
    (background -0.1, ink 1.175), then C1-S2-C3-S4-C5-F6 and a softmax."""
    low, high = LENET5_INPUT_RANGE
    act = scaled_tanh
    return keras.Sequential(
        [
            keras.Input(shape=(MNIST_SIDE, MNIST_SIDE, 1)),
            layers.ZeroPadding2D(
                (LENET5_INPUT_SIDE - MNIST_SIDE) // 2, name="pad"
            ),  # 28 -> 32
            # pixels in [0, 1] -> [-0.1, 1.175]
            layers.Rescaling(high - low, offset=low, name="scale"),
            layers.Conv2D(6, 5, activation=act, name="C1"),  # 32 -> 28
            layers.AveragePooling2D(2, strides=2, name="S2"),  # 28 -> 14
            layers.Conv2D(16, 5, activation=act, name="C3"),  # 14 -> 10
            layers.AveragePooling2D(2, strides=2, name="S4"),  # 10 -> 5
            layers.Conv2D(120, 5, activation=act, name="C5"),  # 5 -> 1
            layers.Flatten(name="flatten"),
            layers.Dense(84, activation=act, name="F6"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="output"),
        ],
        name="lenet5",
    )


def alexnet(two_towers: bool = False) -> keras.Model:
    """AlexNet at its real input size, 227x227x3 -> 1000 classes; built to inspect, not
    to train.

    Single tower by default: every filter reads every map of the layer below. With
    ``two_towers`` the layers of :data:`ALEXNET_SPLIT_LAYERS` become grouped
    convolutions (``groups=2``), which is what the paper's split over two GPUs amounts
    to. Local response normalization is left out (it has no parameters and later
    networks dropped it).
    """
    stack: list = [keras.Input(shape=(ALEXNET_INPUT_SIDE, ALEXNET_INPUT_SIDE, 3))]
    for name, filters, kernel, stride, padding in ALEXNET_FEATURES:
        if filters is None:
            stack.append(layers.MaxPooling2D(kernel, strides=stride, name=name))
            continue
        if padding and (stride != 1 or padding != geometry.same_padding(kernel)):
            raise ValueError(
                f"{name}: padding {padding} is not what 'same' adds at stride 1"
            )
        groups = 2 if two_towers and name in ALEXNET_SPLIT_LAYERS else 1
        stack.append(
            layers.Conv2D(
                filters,
                kernel,
                strides=stride,
                padding="same" if padding else "valid",
                activation="relu",
                groups=groups,
                name=name,
            )
        )
    stack.append(layers.Flatten(name="flatten"))
    for index, units in enumerate(ALEXNET_DENSE, start=6):
        stack += [
            layers.Dense(units, activation="relu", name=f"fc{index}"),
            layers.Dropout(ALEXNET_DROPOUT, name=f"dropout{index}"),
        ]
    stack.append(layers.Dense(IMAGENET_CLASSES, activation="softmax", name="fc8"))
    name = "alexnet_two_towers" if two_towers else "alexnet"
    return keras.Sequential(stack, name=name)


def feature_sides(side: int, features=ALEXNET_FEATURES) -> list[tuple[str, int]]:
    """The side of the maps after each layer of ``features``, by the output-size rule.

    Raises :class:`cnnbook.geometry.DoesNotFit` at the first layer whose windows do not land
    evenly on its input, as AlexNet's conv1 does on a 224-pixel image.
    """
    sides = []
    for name, _, kernel, stride, padding in features:
        side = geometry.output_size(side, kernel, stride, padding)
        sides.append((name, side))
    return sides


@register("alexnet_small")
def alexnet_small(activation: str = "relu") -> keras.Model:
    """AlexNet's pattern scaled to 28x28x1 MNIST: five convolutions with overlapping max
    pooling after the 1st, 2nd and 5th, then three Dense layers with dropout 0.5 after
    the first two.

    Filters are AlexNet's (96, 256, 384, 384, 256) divided by 8; the sides go 28 -> 13
    -> 6 -> 2. ``activation`` is AlexNet's ReLU unless a comparison asks for another.
    """
    window, stride = ALEXNET_POOL
    act = activation
    return keras.Sequential(
        [
            keras.Input(shape=(MNIST_SIDE, MNIST_SIDE, 1)),
            layers.Conv2D(12, 5, padding="same", activation=act, name="conv1"),  # 28
            layers.MaxPooling2D(window, strides=stride, name="pool1"),  # 28 -> 13
            layers.Conv2D(32, 5, padding="same", activation=act, name="conv2"),
            layers.MaxPooling2D(window, strides=stride, name="pool2"),  # 13 -> 6
            layers.Conv2D(48, 3, padding="same", activation=act, name="conv3"),
            layers.Conv2D(48, 3, padding="same", activation=act, name="conv4"),
            layers.Conv2D(32, 3, padding="same", activation=act, name="conv5"),
            layers.MaxPooling2D(window, strides=stride, name="pool5"),  # 6 -> 2
            layers.Flatten(name="flatten"),
            layers.Dense(256, activation=act, name="fc6"),
            layers.Dropout(ALEXNET_DROPOUT, name="dropout6"),
            layers.Dense(256, activation=act, name="fc7"),
            layers.Dropout(ALEXNET_DROPOUT, name="dropout7"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="fc8"),
        ],
        name="alexnet_small" if activation == "relu" else f"alexnet_small_{activation}",
    )


@register("alexnet_small_tanh")
def alexnet_small_tanh() -> keras.Model:
    """The same small AlexNet with tanh units: the other side of the ReLU comparison."""
    return alexnet_small(activation="tanh")
