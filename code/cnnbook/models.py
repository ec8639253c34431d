"""The lecture's three MNIST classifiers in current Keras 3, and the registry of every model.

Each builder returns a fresh, uncompiled model; the training module compiles it by a recipe.
The chapters show these functions' source, so what the reader sees is what runs. Builders of
later chapters live in their own modules and join the registry with :func:`register`; the
cache key of a trained model covers the source of the module that defines its builder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from cnnbook.runtime import keras

layers = keras.layers

NUM_CLASSES = 10


#: Modules that define registered builders; :func:`builders` imports them all.
MODEL_MODULES = ("models", "classic_nets", "residual", "region_cnn")
_REGISTRY: dict[str, Callable[[], keras.Model]] = {}


def register(key: str) -> Callable:
    """Decorator: make a builder trainable by a recipe under ``key`` (plain text, for cache keys)."""

    def add(builder: Callable[[], keras.Model]) -> Callable[[], keras.Model]:
        known = _REGISTRY.get(key)
        if known is not None and known.__qualname__ != builder.__qualname__:
            raise ValueError(f"model key {key!r} is taken by {known.__module__}.{known.__qualname__}")
        _REGISTRY[key] = builder
        return builder

    return add


@register("softmax")
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


def builders() -> dict[str, Callable[[], keras.Model]]:
    """Every registered builder by key (importing the modules of :data:`MODEL_MODULES`)."""
    for name in MODEL_MODULES:
        importlib.import_module(f"cnnbook.{name}")
    return dict(sorted(_REGISTRY.items()))


def builder_module(name: str) -> str:
    """The short name of the module that defines the builder of ``name`` (e.g. ``"models"``)."""
    return _builder(name).__module__.rpartition(".")[2]


def _builder(name: str) -> Callable[[], keras.Model]:
    known = builders()
    if name not in known:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(known)}")
    return known[name]


def build(name: str) -> keras.Model:
    """Build a model by its registered key, with a clear error for an unknown key."""
    return _builder(name)()


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
