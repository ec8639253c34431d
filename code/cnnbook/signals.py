"""What flows through a network: the signal and the gradients at each layer, and its answers.

The ResNet chapter uses these to show why a deep plain network does not learn: at
initialisation the signal fades layer by layer, and so do the gradients that would train the
first layers. Shortcuts keep both.
"""

from __future__ import annotations

import numpy as np

from cnnbook.runtime import keras, tf

layers = keras.layers

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
    """Set the last convolution of ``block`` (kernel and bias) to zero, so its branch F
    gives 0."""
    layer = model.get_layer(f"{block}_conv2")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])


def predicted_classes(model: keras.Model, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The most probable class of every image (called in batches, without Keras's predict loop)."""
    x = np.asarray(x, dtype=np.float32).reshape((-1, *model.input_shape[1:]))
    batches = [model(x[i : i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    return np.concatenate([np.argmax(b, axis=1) for b in batches])


def gradient_norms(
    model: keras.Model, x: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """The L2 norm of d(loss)/d(kernel) for every Conv2D layer, on one batch (x, y).

    The loss is the training loss (mean cross-entropy); nothing random runs (no
    dropout), so the result depends only on the weights and the batch.
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if len(x) == 0 or len(x) != len(y):
        raise ValueError(
            f"need a non-empty batch with one label per image, got {len(x)} images "
            f"and {len(y)} labels"
        )
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
