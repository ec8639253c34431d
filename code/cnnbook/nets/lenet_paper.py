"""LeNet-5 with the paper's own devices (LeCun et al. 1998): the C3 connection table and the
RBF output with fixed class codes.

:func:`cnnbook.nets.classic.lenet5` simplifies both; these builders put them back one at a time,
so the chapter can measure what each one is worth. The layers of the two builders are otherwise
the same as ``lenet5``'s, layer by layer.
"""

from __future__ import annotations

import numpy as np

from cnnbook.facts import LENET5_C3_TABLE, LENET5_INPUT_RANGE, LENET5_INPUT_SIDE, LENET5_RBF_UNITS
from cnnbook.nets import register
from cnnbook.nets.classic import MNIST_SIDE, scaled_tanh
from cnnbook.nets.lecture import NUM_CLASSES
from cnnbook.runtime import keras

layers = keras.layers
ops = keras.ops

#: The seed of the RBF units' +1/-1 codes (fixed, never searched: the codes are not trained).
RBF_CODE_SEED = 1998


def connection_matrix(table=LENET5_C3_TABLE, inputs: int = 6) -> np.ndarray:
    """A 0/1 matrix of shape (connections, inputs x maps): row c puts the c-th kernel of the table
    at its (input map, output map) place of a full Conv2D kernel (index input * maps + map)."""
    maps = len(table)
    pairs = [(i, m) for m, reads in enumerate(table) for i in sorted(reads)]
    placement = np.zeros((len(pairs), inputs * maps), dtype="float32")
    for row, (i, m) in enumerate(pairs):
        placement[row, i * maps + m] = 1.0
    return placement


class TableConv2D(layers.Layer):
    """A 5x5 convolution in which output map m reads only the input maps ``table[m]``.

    Only the connected kernels are weights (one 5x5 kernel per pair of the table, one bias per
    map), so ``count_params`` is the paper's count; the call places them into a full kernel whose
    other entries are zero, then convolves as Conv2D does.
    """

    def __init__(self, table=LENET5_C3_TABLE, kernel_size: int = 5, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.table = tuple(tuple(reads) for reads in table)
        self.kernel_size = kernel_size
        self.activation = activation

    def build(self, input_shape):
        inputs, maps, side = input_shape[-1], len(self.table), self.kernel_size
        self.placement = ops.convert_to_tensor(connection_matrix(self.table, inputs))
        # Glorot's limit of a full Conv2D of the same shape, so only the connections differ
        limit = float(np.sqrt(6.0 / (side * side * (inputs + maps))))
        self.kernel = self.add_weight(
            shape=(side * side, self.placement.shape[0]), name="kernel",
            initializer=keras.initializers.RandomUniform(-limit, limit))
        self.bias = self.add_weight(shape=(maps,), name="bias", initializer="zeros")
        self.full_shape = (side, side, inputs, maps)

    def full_kernel(self):
        """The (side, side, inputs, maps) kernel, zero where the table has no connection."""
        return ops.reshape(ops.matmul(self.kernel, self.placement), self.full_shape)

    def call(self, x):
        y = ops.conv(x, self.full_kernel(), strides=1, padding="valid") + self.bias
        return y if self.activation is None else self.activation(y)

    def compute_output_shape(self, input_shape):
        side = input_shape[1] - self.kernel_size + 1
        return (input_shape[0], side, side, len(self.table))


def rbf_codes(classes: int = NUM_CLASSES, units: int = LENET5_RBF_UNITS,
              seed: int = RBF_CODE_SEED) -> np.ndarray:
    """Fixed class codes of +1 and -1, drawn with equal probabilities: the paper's own stated
    alternative to its 7x12 bitmaps of the characters (Sec. II-B)."""
    rng = np.random.default_rng(seed)
    return rng.choice(np.array([-1.0, 1.0], dtype="float32"), size=(classes, units))


class RBF(layers.Layer):
    """Euclidean RBF units with fixed codes: y_i = sum_j (x_j - code_ij)^2, a penalty
    per class (small when F6's output is near class i's code). The codes are constants,
    not weights."""

    def __init__(self, codes: np.ndarray | None = None, **kwargs):
        super().__init__(**kwargs)
        if codes is None:
            codes = rbf_codes()
        self.codes = np.asarray(codes, dtype="float32")

    def call(self, x):
        codes = ops.convert_to_tensor(self.codes)
        return ops.sum(ops.square(x[:, None, :] - codes[None, :, :]), axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.codes.shape[0])


def scores(penalties):
    """-y: the class with the smallest penalty gets the largest score, so argmax still picks it."""
    return -penalties


def distance_loss(labels, class_scores):
    """The paper's first criterion (eq. 9): the RBF penalty of the correct class, the squared
    distance from F6's output to the correct code."""
    labels = ops.cast(ops.reshape(labels, (-1, 1)), "int32")
    return -ops.squeeze(ops.take_along_axis(class_scores, labels, axis=1), axis=1)


def lenet5_paper_devices(c3_table: bool, rbf: bool) -> keras.Model:
    """``classic.lenet5`` with the paper's C3 table and/or its RBF output put back."""
    low, high = LENET5_INPUT_RANGE
    act = scaled_tanh
    c3 = (TableConv2D(activation=act, name="C3") if c3_table
          else layers.Conv2D(16, 5, activation=act, name="C3"))
    if rbf:
        output = [RBF(name="RBF"), layers.Activation(scores, name="output")]
    else:
        output = [layers.Dense(NUM_CLASSES, activation="softmax", name="output")]
    name = "lenet5" + ("_c3_table" if c3_table else "") + ("_rbf" if rbf else "")
    return keras.Sequential(
        [
            keras.Input(shape=(MNIST_SIDE, MNIST_SIDE, 1)),
            layers.ZeroPadding2D((LENET5_INPUT_SIDE - MNIST_SIDE) // 2, name="pad"),
            layers.Rescaling(high - low, offset=low, name="scale"),
            layers.Conv2D(6, 5, activation=act, name="C1"),
            layers.AveragePooling2D(2, strides=2, name="S2"),
            c3,
            layers.AveragePooling2D(2, strides=2, name="S4"),
            layers.Conv2D(120, 5, activation=act, name="C5"),
            layers.Flatten(name="flatten"),
            layers.Dense(LENET5_RBF_UNITS, activation=act, name="F6"),
            *output,
        ],
        name=name,
    )


@register("lenet5_c3_table")
def lenet5_c3_table() -> keras.Model:
    """LeNet-5 with the paper's C3 connection table (Table I); softmax output."""
    return lenet5_paper_devices(c3_table=True, rbf=False)


@register("lenet5_c3_table_rbf")
def lenet5_c3_table_rbf() -> keras.Model:
    """LeNet-5 with the C3 table and the RBF output with fixed +1/-1 codes."""
    return lenet5_paper_devices(c3_table=True, rbf=True)
