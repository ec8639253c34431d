"""What to study next: one small, untrained Keras network per problem, to compare their outputs.

The further-study chapter does not train these; it builds them to show what each kind of network
takes in and gives out, which is what tells the problems apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnnbook.runtime import keras

layers = keras.layers

NUM_CLASSES = 10
NOISE_SIZE = 64
ACTIONS = 4  # e.g. an elevator: up, down, open, wait


def classifier() -> keras.Model:
    """Classification: an image in, one probability per class out (Parts I-III)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="classifier",
    )


def localiser() -> keras.Model:
    """Detection of one object: class probabilities plus a box (y1, x1, y2, x2) in [0, 1]."""
    image = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(image)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    classes = layers.Dense(NUM_CLASSES, activation="softmax", name="class")(x)
    box = layers.Dense(4, activation="sigmoid", name="box")(x)
    return keras.Model(image, [classes, box], name="localiser")


def segmenter() -> keras.Model:
    """Segmentation: fully convolutional, so it gives a class per pixel (ink or
    background)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.Conv2D(2, 1, activation="softmax"),
        ],
        name="segmenter",
    )


def row_reader() -> keras.Model:
    """A recurrent network (LSTM) reading an image as a sequence of 28 rows of 28 pixels."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.LSTM(32),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="row_reader",
    )


def generator() -> keras.Model:
    """A GAN's generator: random noise in, a 28x28 image out (trained against a discriminator)."""
    return keras.Sequential(
        [
            keras.Input(shape=(NOISE_SIZE,)),
            layers.Dense(7 * 7 * 16, activation="relu"),
            layers.Reshape((7, 7, 16)),
            layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu"),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


def q_network(state_size: int = 8) -> keras.Model:
    """Deep reinforcement learning: a state in, one expected return per action out (DQN)."""
    if state_size < 1:
        raise ValueError(f"state_size must be at least 1, got {state_size!r}")
    return keras.Sequential(
        [
            keras.Input(shape=(state_size,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(ACTIONS),
        ],
        name="q_network",
    )


@dataclass(frozen=True)
class Problem:
    """A problem, the network that fits it, and what its output means."""

    problem: str
    method: str
    build: Callable[[], keras.Model]
    output_means: str


PROBLEMS = (
    Problem("classification", "CNN", classifier, "one probability per class"),
    Problem("object detection", "region-based CNN", localiser, "class probabilities and a box"),
    Problem("image segmentation", "fully convolutional network", segmenter, "a class for every pixel"),
    Problem("sequences (translation, speech)", "RNN / LSTM", row_reader, "a label after the last step"),
    Problem("data generation", "GAN", generator, "a new image"),
    Problem("control and games", "deep reinforcement learning", q_network, "a value for each action"),
)


def _shape(shape) -> str:
    return "x".join(str(size) for size in shape[1:])


def comparison_rows() -> list[dict]:
    """One row per problem: the input and output shapes and the size of its network."""
    rows = []
    for entry in PROBLEMS:
        model = entry.build()
        outputs = model.outputs
        rows.append(
            {
                "problem": entry.problem,
                "method": entry.method,
                "input": _shape(model.inputs[0].shape),
                "output": " and ".join(_shape(tensor.shape) for tensor in outputs),
                "output means": entry.output_means,
                "parameters": model.count_params(),
            }
        )
    return rows
