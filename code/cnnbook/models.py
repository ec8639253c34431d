"""The lecture's three MNIST classifiers, written in current Keras 3.

Each builder returns a fresh, uncompiled model; the training module compiles it by a recipe.
The chapters show these functions' source, so what the reader sees is what runs.
"""

from __future__ import annotations

from cnnbook.runtime import keras

layers = keras.layers

NUM_CLASSES = 10


def softmax_regression() -> keras.Model:
    """The baseline: one Dense layer with softmax, i.e. multinomial logistic regression."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="softmax_regression",
    )


def lecture_mlp(dropout: float = 0.3) -> keras.Model:
    """The lecture's plain network: five Dense layers (1024, 1024, 1024, 512, 10)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(512, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="lecture_mlp",
    )


def lecture_cnn(dropout: float = 0.3) -> keras.Model:
    """The lecture's CNN: three 3x3 conv + 2x2 max-pool stages, then two Dense layers."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
            layers.MaxPooling2D((2, 2), padding="same"),
            layers.Dropout(dropout),
            layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
            layers.MaxPooling2D((2, 2), padding="same"),
            layers.Dropout(dropout),
            layers.Conv2D(128, (3, 3), padding="same", activation="relu"),
            layers.MaxPooling2D((2, 2), padding="same"),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="lecture_cnn",
    )


#: Recipes name their model by key, so a cache key can record it as plain text.
BUILDERS = {
    "softmax": softmax_regression,
    "mlp": lecture_mlp,
    "cnn": lecture_cnn,
}


def build(name: str) -> keras.Model:
    """Build a model by its key in :data:`BUILDERS`, with a clear error for an unknown key."""
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(BUILDERS)}") from None
    return builder()


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
