"""Classic architectures of Part III: LeNet-5 (1998) and AlexNet (2012), in Keras 3.

LeNet-5 is built and trained on MNIST as the paper laid it out (a 32x32 input, 5x5
convolutions, 2x2 subsampling, C5-F6-output), with today's simplifications named in
:data:`LENET5_CHANGES`. AlexNet is built at its real size, 227x227x3 with 1000 classes, to
count its parameters and follow its shapes; it is far too large to train here, so an
AlexNet-style network scaled to MNIST (:func:`alexnet_small`) is trained instead. Facts quoted
from the papers are constants below, each with its source, so pages can show them but never
compute them.
"""

from __future__ import annotations

from cnnbook import geometry, models
from cnnbook.experiments import HELD_OUT, SEED
from cnnbook.runtime import keras
from cnnbook.training import Recipe

layers = keras.layers

# --- Quoted from LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning applied to
# --- document recognition", Proc. IEEE 86(11). Quotes, not computations.

#: Trainable parameters per layer as Section II.B gives them (S2 and S4: one coefficient and one
#: bias per map; the RBF output layer's weights are fixed by hand, so it has none).
LENET5_PAPER_LAYER_PARAMS = {"C1": 156, "S2": 12, "C3": 1_516, "S4": 32, "C5": 48_120, "F6": 10_164}
#: Section II.B: "340,908 connections, but only 60,000 trainable free parameters".
LENET5_PAPER_PARAMS = 60_000
#: Table I: the S2 maps (0-5) that each of the 16 C3 maps reads; not every map sees every map.
LENET5_C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)
#: Section III.C: LeNet-5's MNIST test error, trained without distorted images (with them: 0.8%).
LENET5_PAPER_TEST_ERROR = 0.0095
LENET5_PAPER_TEST_ERROR_DISTORTED = 0.008
#: Section III.C: passes through the training set (epochs) of the paper's run.
LENET5_PAPER_EPOCHS = 20
#: Section II.B: digits are at most 20x20 pixels, centred in MNIST's 28x28 field; the network
#: reads 32x32, so strokes near the edge still fall in the centre of some C1 receptive field.
LENET5_INPUT_SIDE = 32
MNIST_SIDE = 28

#: Where the Keras model below differs from the 1998 network (the chapter explains each).
LENET5_CHANGES = {
    "C3 connections": "every C3 filter reads every S2 map (paper: only the pairs of Table I)",
    "S2, S4 subsampling": "2x2 average pooling (paper: sum x trainable coefficient + bias, then sigmoid)",
    "activation": "tanh (paper: scaled tanh, 1.7159 tanh(2x/3))",
    "output": "Dense(10) + softmax, cross-entropy (paper: 10 RBF units with fixed weights, MAP criterion)",
    "input scaling": "pixels in [0, 1] (paper: background -0.1, ink 1.175)",
    "training": "Adam, batch 100 (paper: stochastic diagonal Levenberg-Marquardt, one image at a time)",
}

# --- Quoted from Krizhevsky, Sutskever & Hinton (2012), "ImageNet classification with deep
# --- convolutional neural networks", NIPS 25.

#: Abstract: ILSVRC-2012 top-5 test error of the winning entry, and of the second-best entry.
ALEXNET_TOP5_TEST_ERROR = 0.153
ALEXNET_SECOND_PLACE_TOP5_ERROR = 0.262
#: The lecture's slide says 15.4%; the paper says 15.3% (see the syllabus's errata).
LECTURE_ALEXNET_TOP5_ERROR = 0.154
ALEXNET_YEAR = 2012
#: Abstract: "60 million parameters and 650,000 neurons".
ALEXNET_PAPER_PARAMS = 60_000_000
#: Section 5: batch 128, momentum 0.9, weight decay 0.0005, learning rate 0.01 (divided by 10
#: when the validation error stopped improving), about 90 epochs, five to six days on two GTX 580s.
ALEXNET_PAPER_TRAINING = {"batch size": 128, "momentum": 0.9, "weight decay": 0.0005,
                          "learning rate": 0.01, "epochs": 90}
#: Section 4.2: dropout probability on the first two fully-connected layers.
ALEXNET_DROPOUT = 0.5
#: Section 3.4: overlapping pooling, window z = 3 at stride s = 2 (z > s).
ALEXNET_POOL = (3, 2)
#: Section 3.4: overlapping pooling cut the top-1 and top-5 error rates by 0.4 and 0.3 points.
ALEXNET_OVERLAP_GAIN = {"top-1": 0.004, "top-5": 0.003}
#: Section 3.1 (Figure 1): a four-layer ReLU CNN reached 25% training error on CIFAR-10 six
#: times faster than the same network with tanh units.
ALEXNET_RELU_SPEEDUP = 6
ALEXNET_RELU_TARGET_ERROR = 0.25
#: Section 3.3: local response normalization cut the top-1 and top-5 error rates by 1.4 and 1.2 points.
ALEXNET_LRN_GAIN = {"top-1": 0.014, "top-5": 0.012}
#: Section 5: "five to six days on two NVIDIA GTX 580 3GB GPUs".
ALEXNET_TRAINING_DAYS = (5, 6)
ALEXNET_GPUS = 2
ALEXNET_GPU_MEMORY_GB = 3
#: Section 2: ILSVRC's training set, "roughly 1.2 million training images" in 1000 classes.
ILSVRC_TRAIN_IMAGES = 1_200_000
#: Section 6 (Table 2): the 15.3% entry averaged the predictions of seven CNNs (two pre-trained).
ALEXNET_ENTRY_CNNS = 7
#: Section 3.5 and Figure 2: the paper's stated input side (the arithmetic needs 227).
ALEXNET_PAPER_INPUT_SIDE = 224
ALEXNET_INPUT_SIDE = 227
IMAGENET_CLASSES = 1000

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


@models.register("lenet5")
def lenet5() -> keras.Model:
    """LeNet-5 on MNIST: 28x28 digits zero-padded to 32x32, then C1-S2-C3-S4-C5-F6 and a softmax."""
    return keras.Sequential(
        [
            keras.Input(shape=(MNIST_SIDE, MNIST_SIDE, 1)),
            layers.ZeroPadding2D((LENET5_INPUT_SIDE - MNIST_SIDE) // 2, name="pad"),  # 28 -> 32
            layers.Conv2D(6, 5, activation="tanh", name="C1"),                          # 32 -> 28
            layers.AveragePooling2D(2, strides=2, name="S2"),                          # 28 -> 14
            layers.Conv2D(16, 5, activation="tanh", name="C3"),                         # 14 -> 10
            layers.AveragePooling2D(2, strides=2, name="S4"),                          # 10 -> 5
            layers.Conv2D(120, 5, activation="tanh", name="C5"),                        # 5 -> 1
            layers.Flatten(name="flatten"),
            layers.Dense(84, activation="tanh", name="F6"),
            layers.Dense(models.NUM_CLASSES, activation="softmax", name="output"),
        ],
        name="lenet5",
    )


def alexnet(two_towers: bool = False) -> keras.Model:
    """AlexNet at its real input size, 227x227x3 -> 1000 classes; built to inspect, not to train.

    Single tower by default: every filter reads every map of the layer below. With
    ``two_towers`` the layers of :data:`ALEXNET_SPLIT_LAYERS` become grouped convolutions
    (``groups=2``), which is what the paper's split over two GPUs amounts to. Local response
    normalization is left out (it has no parameters and later networks dropped it).
    """
    stack: list = [keras.Input(shape=(ALEXNET_INPUT_SIDE, ALEXNET_INPUT_SIDE, 3))]
    for name, filters, kernel, stride, padding in ALEXNET_FEATURES:
        if filters is None:
            stack.append(layers.MaxPooling2D(kernel, strides=stride, name=name))
            continue
        if padding and (stride != 1 or padding != geometry.same_padding(kernel)):
            raise ValueError(f"{name}: padding {padding} is not what 'same' adds at stride 1")
        groups = 2 if two_towers and name in ALEXNET_SPLIT_LAYERS else 1
        stack.append(layers.Conv2D(filters, kernel, strides=stride, padding="same" if padding else "valid",
                                   activation="relu", groups=groups, name=name))
    stack.append(layers.Flatten(name="flatten"))
    for index, units in enumerate(ALEXNET_DENSE, start=6):
        stack += [layers.Dense(units, activation="relu", name=f"fc{index}"),
                  layers.Dropout(ALEXNET_DROPOUT, name=f"dropout{index}")]
    stack.append(layers.Dense(IMAGENET_CLASSES, activation="softmax", name="fc8"))
    return keras.Sequential(stack, name="alexnet_two_towers" if two_towers else "alexnet")


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


def conv_params(kernel: int, in_channels: int, filters: int, groups: int = 1) -> int:
    """Weights and biases of a square convolution: (k*k*C_in/groups + 1) * filters."""
    if in_channels % groups or filters % groups:
        raise ValueError(f"groups={groups} must divide both in_channels={in_channels} and filters={filters}")
    return (kernel * kernel * (in_channels // groups) + 1) * filters


def dense_params(inputs: int, units: int) -> int:
    """Weights and biases of a Dense layer: (inputs + 1) * units."""
    return (inputs + 1) * units


def multiply_adds(model: keras.Model) -> int:
    """Multiplications (each with an addition) that one image costs in the Conv2D and Dense layers.

    A convolution does k*k*C_in/groups of them for each filter at each output position; a Dense
    layer one per weight. Time per image follows this count far more than the parameter count.
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            _, rows, cols, filters = layer.output.shape
            kernel_rows, kernel_cols, per_group, _ = layer.kernel.shape
            total += rows * cols * filters * kernel_rows * kernel_cols * per_group
        elif isinstance(layer, layers.Dense):
            total += layer.kernel.shape[0] * layer.kernel.shape[1]
    return int(total)


def lenet5_c3_params(table=LENET5_C3_TABLE, kernel: int = 5) -> int:
    """C3's parameters by the paper's connection table: one kernel per connected pair, one bias per map."""
    return sum(kernel * kernel * len(inputs) + 1 for inputs in table)


@models.register("alexnet_small")
def alexnet_small(activation: str = "relu") -> keras.Model:
    """AlexNet's pattern scaled to 28x28x1 MNIST: five convolutions with overlapping max pooling
    after the 1st, 2nd and 5th, then three Dense layers with dropout 0.5 after the first two.

    Filters are AlexNet's (96, 256, 384, 384, 256) divided by 8; the sides go 28 -> 13 -> 6 -> 2.
    ``activation`` is AlexNet's ReLU unless a comparison asks for another.
    """
    window, stride = ALEXNET_POOL
    act = activation
    return keras.Sequential(
        [
            keras.Input(shape=(MNIST_SIDE, MNIST_SIDE, 1)),
            layers.Conv2D(12, 5, padding="same", activation=act, name="conv1"),   # 28
            layers.MaxPooling2D(window, strides=stride, name="pool1"),           # 28 -> 13
            layers.Conv2D(32, 5, padding="same", activation=act, name="conv2"),
            layers.MaxPooling2D(window, strides=stride, name="pool2"),           # 13 -> 6
            layers.Conv2D(48, 3, padding="same", activation=act, name="conv3"),
            layers.Conv2D(48, 3, padding="same", activation=act, name="conv4"),
            layers.Conv2D(32, 3, padding="same", activation=act, name="conv5"),
            layers.MaxPooling2D(window, strides=stride, name="pool5"),           # 6 -> 2
            layers.Flatten(name="flatten"),
            layers.Dense(256, activation=act, name="fc6"),
            layers.Dropout(ALEXNET_DROPOUT, name="dropout6"),
            layers.Dense(256, activation=act, name="fc7"),
            layers.Dropout(ALEXNET_DROPOUT, name="dropout7"),
            layers.Dense(models.NUM_CLASSES, activation="softmax", name="fc8"),
        ],
        name="alexnet_small" if activation == "relu" else f"alexnet_small_{activation}",
    )


@models.register("alexnet_small_tanh")
def alexnet_small_tanh() -> keras.Model:
    """The same small AlexNet with tanh units: the other side of the ReLU comparison."""
    return alexnet_small(activation="tanh")


#: LeNet-5 on MNIST: the last 6,000 training images held out for validation, test scored once.
LENET5 = Recipe("lenet5", epochs=10, seed=SEED, validation_size=HELD_OUT)
#: The small AlexNet, trained as AlexNet was: mini-batch SGD with momentum 0.9, learning rate 0.01.
ALEXNET_SMALL = Recipe("alexnet_small", epochs=8, optimizer="sgd_momentum", learning_rate=0.01,
                       seed=SEED, validation_size=HELD_OUT)
