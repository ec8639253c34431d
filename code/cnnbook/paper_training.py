"""LeNet-5 trained with the paper's output criterion and optimizer: the runs whose loss is the
squared distance to a fixed RBF code (:func:`cnnbook.nets.lenet_paper.distance_loss`) and whose
optimizer is Adam or SDLM (:mod:`cnnbook.sdlm`).

:func:`cnnbook.training.train` compiles every model with softmax cross-entropy and one of its
optimizers, so these runs have their own recipe, :class:`PaperRun`, and reuse the rest of the
training module: the same split, input pipeline, timing, scoring and cache entries, keyed the
same way (the run, the data, the code that decides the result, the versions).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass

import numpy as np

from cnnbook import checks, nets
from cnnbook.data import ImageSet, load_mnist
from cnnbook.facts import LENET5_SDLM_MU, LENET5_SDLM_PATTERNS, LENET5_SDLM_RATES
from cnnbook.fingerprint import code_digest
from cnnbook.nets.lenet_paper import distance_loss
from cnnbook.runtime import keras, tf
from cnnbook.sdlm import SDLM, Curvature
from cnnbook.training import (
    LENET_1998_FRACTIONS,
    LENET_1998_PASSES,
    RESULT_FILE,
    WEIGHTS_FILE,
    Result,
    _EpochTimer,
    _evaluate,
    _images,
    _pipeline,
    _store,
    cache_dir,
    make_deterministic,
)

OPTIMIZERS = ("adam", "sdlm")


@dataclass(frozen=True)
class PaperRun:
    """Everything that decides a run with the RBF output (names as in :class:`training.Recipe`).

    The learning rate falls after passes 2, 5, 8 and 12 in the paper's proportions: for SDLM
    from the paper's own 0.0005 (0.0002, 0.0001, 0.00005, 0.00001), for Adam from its first rate.
    """

    model: str
    epochs: int
    optimizer: str = "sdlm"
    learning_rate: float = LENET5_SDLM_RATES[0]
    seed: int = 1
    batch_size: int = 100
    validation_size: int = 0
    mu: float = LENET5_SDLM_MU
    curvature_patterns: int = LENET5_SDLM_PATTERNS
    #: SDLM's mean batch gradient is multiplied by this (the batch size: the sum of the
    #: per-pattern steps the paper takes one image at a time).
    gradient_scale: float = 1.0

    def __post_init__(self) -> None:
        nets.check_key(self.model)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {list(OPTIMIZERS)}")
        checks.whole_number("epochs", self.epochs)
        checks.whole_number("batch_size", self.batch_size)
        checks.whole_number("curvature_patterns", self.curvature_patterns)
        checks.positive_number("learning_rate", self.learning_rate)
        checks.positive_number("mu", self.mu)
        checks.positive_number("gradient_scale", self.gradient_scale)
        checks.whole_number("validation_size", self.validation_size, 0)


def rates(run: PaperRun, steps_per_epoch: int):
    """The run's global rate as a schedule over the steps: the paper's steps and proportions."""
    boundaries = [passes * steps_per_epoch for passes in LENET_1998_PASSES]
    values = [run.learning_rate * fraction for fraction in LENET_1998_FRACTIONS]
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)


def _compiled(run: PaperRun, steps_per_epoch: int, weights=None) -> keras.Model:
    """The run's model, compiled; saved weights are loaded before compiling (as in training)."""
    model = nets.builder(run.model)()
    if weights is not None:
        model.load_weights(weights)
    schedule = rates(run, steps_per_epoch)
    optimizer = (SDLM(schedule, run.mu, run.gradient_scale) if run.optimizer == "sdlm"
                 else keras.optimizers.Adam(schedule))
    model.compile(optimizer=optimizer, loss=distance_loss, metrics=["accuracy"])
    return model


def _fit_paper(run: PaperRun, data: ImageSet):
    """The trained model, its history and seconds; split and fed as :func:`training._fit` does."""
    make_deterministic(run.seed)
    x, y = data.x_train, data.y_train
    watched = None
    if run.validation_size:
        cut = len(x) - run.validation_size
        x, y, watched = x[:cut], y[:cut], (x[cut:], y[cut:])
    model = _compiled(run, -(-len(x) // run.batch_size))
    x = _images(model, x)
    if watched is not None:
        watched = (_images(model, watched[0]), watched[1])
    timer = _EpochTimer()
    callbacks = [timer]
    if run.optimizer == "sdlm":
        callbacks.insert(0, Curvature(x, run.curvature_patterns, run.seed))
    fit = model.fit(
        _pipeline(x, y, run.batch_size, shuffle_seed=run.seed),
        validation_data=None if watched is None else _pipeline(*watched, run.batch_size),
        epochs=run.epochs, callbacks=callbacks, shuffle=False, verbose=0,
    )
    history = {name: [float(v) for v in values] for name, values in fit.history.items()}
    return model, history, timer.seconds, timer.scoring


def cache_key(run: PaperRun, data: ImageSet) -> str:
    """sha256 of everything that can change the result of ``run`` on ``data``."""
    facts = {
        "run": dataclasses.asdict(run),
        "data": data.digest,
        "code": code_digest(nets.builder(run.model), _fit_paper, _evaluate),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _load(entry, run: PaperRun, key: str) -> Result | None:
    try:
        stored = json.loads((entry / RESULT_FILE).read_text())
        if stored["key"] != key:
            return None
        model = _compiled(run, 1, weights=entry / WEIGHTS_FILE)
    except (OSError, ValueError, KeyError):
        return None
    return Result(run, stored["history"], stored["test_loss"], stored["test_accuracy"],
                  stored["seconds_per_epoch"], key, model, from_cache=True,
                  seconds_total=stored["seconds_total"],
                  scoring_seconds=stored.get("scoring_seconds", []),
                  trained_at=stored.get("trained_at", ""))


def train_paper(run: PaperRun, data: ImageSet | None = None, *, use_cache: bool = True) -> Result:
    """Train by ``run``, or load the cached result of exactly this run, data and code."""
    data = load_mnist() if data is None else data
    key = cache_key(run, data)
    entry = cache_dir() / f"{run.model}-{run.optimizer}-{key[:20]}"
    if use_cache and (cached := _load(entry, run, key)) is not None:
        return cached
    start = time.perf_counter()
    model, history, seconds, scoring = _fit_paper(run, data)
    total = time.perf_counter() - start - sum(scoring)
    test_loss, test_accuracy = _evaluate(model, data, run.batch_size)
    trained_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result = Result(run, history, test_loss, test_accuracy, seconds, key, model,
                    seconds_total=total, scoring_seconds=scoring, trained_at=trained_at)
    if use_cache:
        _store(entry, result)
    return result
