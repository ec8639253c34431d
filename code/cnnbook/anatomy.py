"""What a built network is made of: its layers, parameters and multiply-adds, as data.

The chapters count parameters and costs with these (never by hand in a cell), and the tests
check the formulas against Keras's own counts.
"""

from __future__ import annotations

from cnnbook.facts import LENET5_C3_TABLE
from cnnbook.runtime import keras

layers = keras.layers

def summary_rows(model: keras.Model) -> list[dict]:
    """One row per layer (name, type, output shape, parameters): Keras's summary as data."""
    return [
        {
            "layer": layer.name,
            "type": type(layer).__name__,
            "output shape": tuple(layer.output.shape),
            "parameters": layer.count_params(),
        }
        for layer in model.layers
    ]


def conv_params(kernel: int, in_channels: int, filters: int, groups: int = 1) -> int:
    """Weights and biases of a square convolution: (k*k*C_in/groups + 1) * filters."""
    if in_channels % groups or filters % groups:
        raise ValueError(f"groups={groups} must divide both in_channels={in_channels} and filters={filters}")
    return (kernel * kernel * (in_channels // groups) + 1) * filters


def dense_params(inputs: int, units: int) -> int:
    """Weights and biases of a Dense layer: (inputs + 1) * units."""
    return (inputs + 1) * units


def multiply_adds(model: keras.Model, input_shape: tuple[int, ...] | None = None, *,
                  dense: bool = True) -> int:
    """Multiplications (each with an addition) that one image costs in the Conv2D and Dense layers.

    A convolution does k*k*C_in/groups of them for each filter at each output position; a Dense
    layer one per weight. Time per image follows this count far more than the parameter count.
    ``input_shape`` (rows, cols, channels) sizes a network built for images of any size (a
    shared backbone); ``dense=False`` counts the convolutions alone.
    """
    shape = None if input_shape is None else (None, *input_shape)
    total = 0
    for layer in model.layers:
        if shape is not None:
            shape = tuple(layer.compute_output_shape(shape))
        out = shape if shape is not None else tuple(layer.output.shape)
        if isinstance(layer, layers.Conv2D):
            _, rows, cols, filters = out
            kernel_rows, kernel_cols, per_group, _ = layer.kernel.shape
            total += rows * cols * filters * kernel_rows * kernel_cols * per_group
        elif isinstance(layer, layers.Dense) and dense:
            total += layer.kernel.shape[0] * layer.kernel.shape[1]
    return int(total)


def lenet5_c3_params(table=LENET5_C3_TABLE, kernel: int = 5) -> int:
    """C3's parameters by the paper's connection table: one kernel per connected pair, one bias per map."""
    return sum(kernel * kernel * len(inputs) + 1 for inputs in table)
