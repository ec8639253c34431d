"""The lecture's own MNIST training code, ported only as far as Keras 3 requires, for timing.

Kept as the lecture wrote it (see shared/seed): ``X / 255.0`` (float64 arrays), the test set as
``validation_data``, ``verbose=2``, batch 100, ``input_shape=`` on the first layer (Keras 3
still accepts it, with a warning). The changes, each forced:

- ``use_multiprocessing=True`` is removed from ``fit`` and ``evaluate``: Keras 3 has no such
  argument (TypeError);
- ``mnist.load_data()`` would download; the same uint8 arrays are read from
  ``$CNNBOOK_DATA_DIR/mnist.npz`` (the file Keras itself downloads) instead;
- a callback records each epoch's seconds, as ``cnnbook.training`` does for the book's runs;
- ``train_size``/``epochs`` let a benchmark run a shorter version of the same code.

Run as a script it prints one JSON line: ``{"seconds_per_epoch": [...], "test_accuracy": ...,
"peak_rss_gib": ...}``; tests/benchmarks/build_times.py runs it beside the book's own code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import warnings
from pathlib import Path

import numpy as np


def load_data():
    """What ``tf.keras.datasets.mnist.load_data()`` returns, from the local copy."""
    with np.load(Path(os.environ["CNNBOOK_DATA_DIR"]) / "mnist.npz", allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def mlp(tf):
    return tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(1024, activation='relu'),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Dense(1024, activation='relu'),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Dense(1024, activation='relu'),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Dense(512, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')
    ])


def cnn(tf):
    return tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(32, (3, 3), padding='same',
                               activation='relu', input_shape=(28, 28, 1)),
        tf.keras.layers.MaxPooling2D((2, 2), padding='same'),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Conv2D(64, (3, 3), strides=(1, 1),
                               padding='same', activation='relu'),
        tf.keras.layers.MaxPooling2D((2, 2), padding='same'),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Conv2D(128, (3, 3), padding='same',
                               activation='relu'),
        tf.keras.layers.MaxPooling2D((2, 2), padding='same'),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')
    ])


def run(model_name: str, epochs: int, train_size: int | None = None) -> dict:
    """The lecture's dataset cell, model cell and compile/fit/evaluate cell, in that order."""
    from cnnbook.runtime import tf  # TensorFlow without its start-up chatter; nothing else changes
    from cnnbook.training import _EpochTimer as EpochTimer  # the same clock as our training

    # ■ Dataset
    (X_train, Y_train), (X_test, Y_test) = load_data()
    if model_name == "cnn":
        X_train = X_train.reshape(-1, 28, 28, 1)
        X_test = X_test.reshape(-1, 28, 28, 1)
    X_train, X_test = X_train / 255.0, X_test / 255.0
    if train_size is not None:
        X_train, Y_train = X_train[:train_size], Y_train[:train_size]

    # ■ Model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras 3 on `input_shape=`: the lecture's way
        model = {"mlp": mlp, "cnn": cnn}[model_name](tf)

    # ■ Model compile / fit / evaluate
    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(X_train, Y_train,
              validation_data=(X_test, Y_test),
              verbose=2, batch_size=100, epochs=epochs, callbacks=[timer])
    _, accuracy = model.evaluate(X_test, Y_test,
                                 verbose=2, batch_size=100)
    return {
        "seconds_per_epoch": timer.seconds,
        "test_accuracy": float(accuracy),
        "input_dtype": str(X_train.dtype),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", choices=["mlp", "cnn"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.model, args.epochs, args.train_size)))


if __name__ == "__main__":
    main()
