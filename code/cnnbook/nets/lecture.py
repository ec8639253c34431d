"""The lecture's three MNIST classifiers in current Keras 3: softmax regression, the plain
network (MLP) and the CNN. The chapters show these functions' source, so what the reader sees
is what runs."""

from __future__ import annotations

from cnnbook.nets import register
from cnnbook.runtime import keras

layers = keras.layers

NUM_CLASSES = 10


@register("softmax")
def softmax_regression() -> keras.Model:
    """The baseline: one Dense layer and a softmax (multinomial logistic regression)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="softmax_regression",
    )


@register("mlp")
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


@register("cnn")
def lecture_cnn(dropout: float = 0.3) -> keras.Model:
    """The lecture's CNN: three 3x3-conv + 2x2-pool stages, then two Dense layers."""
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
