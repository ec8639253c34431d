"""Train a model by a declared recipe, deterministically, and cache the result on disk.

A :class:`Recipe` says everything that decides a result. :func:`train` fixes the seeds, feeds
the data through an explicit ``tf.data`` pipeline, and returns a :class:`Result` with the
per-epoch history, the test score and the seconds per epoch. Results are stored under a key
that covers the recipe, the data digest, the code of the model's builder and of the training
steps (with everything of cnnbook they call, :func:`cnnbook.fingerprint.code_digest`), and the
TensorFlow/Keras/NumPy versions: an unchanged rebuild never retrains, a change to what decides
a model retrains that model, and an edit elsewhere (a figure, a quoted fact) retrains nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnbook import checks, nets, status_table
from cnnbook.data import ImageSet, load_mnist
from cnnbook.fingerprint import code_digest
from cnnbook.runtime import keras, tf

CACHE_DIR_ENV = "CNNBOOK_CACHE_DIR"


def _sgd_momentum(learning_rate: float) -> keras.optimizers.Optimizer:
    """SGD with momentum 0.9, as AlexNet and ResNet were trained."""
    return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)


OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "sgd_momentum": _sgd_momentum}

#: LeNet-5's schedule (LeCun et al. 1998, section II-B): the global rate for passes 1-2, 3-5,
#: 6-8, 9-12 and from 13 on, as fractions of the first (0.0005, 0.0002, 0.0001, 0.00005, 0.00001).
LENET_1998_PASSES = (2, 5, 8, 12)
LENET_1998_FRACTIONS = (1.0, 0.4, 0.2, 0.1, 0.02)
#: One cycle (Smith 2018): the rate climbs from a 25th of the peak for this fraction of the steps,
#: then falls to zero along a cosine.
ONE_CYCLE_RISE = 0.25


class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """A warm-up to ``peak`` and a cosine decay to zero over ``steps`` steps."""

    def __init__(self, peak: float, steps: int):
        self.peak, self.steps = float(peak), int(steps)

    def __call__(self, step):
        rise = max(1.0, ONE_CYCLE_RISE * self.steps)
        step = keras.ops.cast(step, "float32")
        warm = self.peak / 25 + (self.peak - self.peak / 25) * step / rise
        fall = keras.ops.clip((step - rise) / max(1.0, self.steps - rise), 0.0, 1.0)
        cool = 0.5 * self.peak * (1 + keras.ops.cos(np.pi * fall))
        return keras.ops.where(step < rise, warm, cool)

    def get_config(self) -> dict:
        return {"peak": self.peak, "steps": self.steps}


def learning_rate(recipe: Recipe, steps_per_epoch: int):
    """The recipe's learning rate: a number, or a schedule over the training steps."""
    if recipe.schedule == "constant":
        return recipe.learning_rate
    if recipe.schedule == "one_cycle":
        return OneCycle(recipe.learning_rate, recipe.epochs * steps_per_epoch)
    boundaries = [passes * steps_per_epoch for passes in LENET_1998_PASSES]
    values = [recipe.learning_rate * fraction for fraction in LENET_1998_FRACTIONS]
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)


SCHEDULES = ("constant", "one_cycle", "lenet_1998")
WEIGHTS_FILE = "model.weights.h5"
RESULT_FILE = "result.json"


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run (the lecture's protocol by default)."""

    model: str
    epochs: int
    batch_size: int = 100
    optimizer: str = "adam"
    learning_rate: float = 0.001
    seed: int = 1
    #: Images held out of the end of the training set and scored after every epoch.
    validation_size: int = 0
    #: The lecture's way: score the test set after every epoch (to draw it, never to choose).
    watch_test: bool = False
    #: Train on the first ``train_size`` images only (quick runs, tests); None means all.
    train_size: int | None = None
    #: How the learning rate moves over training (see :func:`learning_rate`); the rate above is
    #: the constant rate, the one-cycle peak, or LeNet's first rate.
    schedule: str = "constant"

    def __post_init__(self) -> None:
        nets.check_key(self.model)  # reads the registry from source: nothing is imported
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {sorted(OPTIMIZERS)}")
        checks.whole_number("epochs", self.epochs)
        checks.whole_number("batch_size", self.batch_size)
        checks.positive_number("learning_rate", self.learning_rate)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; choose one of {list(SCHEDULES)}")
        checks.whole_number("validation_size", self.validation_size, 0)
        if self.train_size is not None:
            checks.whole_number("train_size", self.train_size)
        if self.validation_size and self.watch_test:
            raise ValueError("choose one per-epoch score: validation_size or watch_test, not both")
        if self.train_size is not None and self.train_size <= self.validation_size:
            raise ValueError("train_size must exceed validation_size")


@dataclass
class Result:
    """What a training run produced; ``model`` holds the trained weights."""

    recipe: Recipe
    history: dict[str, list[float]]
    test_loss: float
    test_accuracy: float
    seconds_per_epoch: list[float]
    key: str
    model: keras.Model = field(repr=False)
    from_cache: bool = False
    #: The whole training's wall time: building the model and the input pipeline, and every
    #: epoch, without the per-epoch scores (:attr:`scoring_seconds` holds those).
    seconds_total: float = 0.0
    #: Seconds each epoch's score took (validation or test watch), measured apart from training.
    scoring_seconds: list[float] = field(default_factory=list)
    #: When this run trained (UTC, ISO 8601): a result from the cache is from an earlier build.
    trained_at: str = ""

    @property
    def epochs_table(self) -> list[dict]:
        """The training log as rows: one per epoch, every recorded metric plus its seconds."""
        rows = []
        for epoch, seconds in enumerate(self.seconds_per_epoch):
            row = {"epoch": epoch + 1, "seconds": seconds}
            row.update({name: values[epoch] for name, values in self.history.items()})
            rows.append(row)
        return rows


def model_code_digest(model: str) -> str:
    """Digest of the code that decides a trained ``model``: its builder and the training steps,
    with everything of cnnbook they use (see :func:`cnnbook.fingerprint.code_digest`)."""
    return code_digest(nets.builder(model), _fit, _evaluate)


def cache_key(recipe: Recipe, data: ImageSet) -> str:
    """sha256 of everything that can change a result of ``recipe`` on ``data``."""
    facts = {
        "recipe": dataclasses.asdict(recipe),
        "data": data.digest,
        "code": model_code_digest(recipe.model),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def cache_dir() -> Path:
    """``$CNNBOOK_CACHE_DIR`` if set (the book build sets it under ``_build``), else ~/.cache."""
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "cnnbook").expanduser()


def make_deterministic(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and ask TF for deterministic kernels."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def _images(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Add the channel axis when the model expects one (the CNN takes 28x28x1)."""
    return x.reshape((-1, *model.input_shape[1:]))


def _pipeline(x, y, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """Explicit tf.data input: with autotune off, no idle stall at every epoch end."""
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)
    options = tf.data.Options()
    options.autotune.enabled = False
    options.deterministic = True
    return dataset.batch(batch_size).prefetch(2).with_options(options)


class _EpochTimer(keras.callbacks.Callback):
    """Seconds of training per epoch, without the per-epoch score (validation or the lecture's
    test watch): two recipes are timed alike whether or not they score after every epoch."""

    def on_train_begin(self, logs=None):
        self.seconds, self.scoring = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._scored = time.perf_counter(), 0.0

    def on_test_begin(self, logs=None):
        self._test_start = time.perf_counter()

    def on_test_end(self, logs=None):
        self._scored += time.perf_counter() - self._test_start

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start - self._scored)
        self.scoring.append(self._scored)


def _compiled(recipe: Recipe, builder, weights: Path | None = None, steps_per_epoch: int = 1) -> keras.Model:
    """The recipe's model from its ``builder``, compiled; weights are loaded before compiling, so
    the saved optimizer state (useless for scoring) is not matched against a fresh optimizer."""
    model = builder()
    if weights is not None:
        model.load_weights(weights)
    model.compile(
        optimizer=OPTIMIZERS[recipe.optimizer](learning_rate=learning_rate(recipe, steps_per_epoch)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _fit(recipe: Recipe, data: ImageSet, builder) -> tuple[keras.Model, dict, list, list]:
    """The trained model, its history, the training seconds per epoch and the seconds each
    epoch's score took (not counted in the first)."""
    make_deterministic(recipe.seed)
    x, y = data.x_train, data.y_train
    if recipe.train_size is not None:
        x, y = x[: recipe.train_size], y[: recipe.train_size]
    watched = None
    if recipe.validation_size:
        cut = len(x) - recipe.validation_size
        x, y, watched = x[:cut], y[:cut], (x[cut:], y[cut:])
    elif recipe.watch_test:
        watched = (data.x_test, data.y_test)
    model = _compiled(recipe, builder, steps_per_epoch=-(-len(x) // recipe.batch_size))
    x = _images(model, x)
    if watched is not None:
        watched = (_images(model, watched[0]), watched[1])
    timer = _EpochTimer()
    fit = model.fit(
        _pipeline(x, y, recipe.batch_size, shuffle_seed=recipe.seed),
        validation_data=None if watched is None else _pipeline(*watched, recipe.batch_size),
        epochs=recipe.epochs,
        callbacks=[timer],
        shuffle=False,  # the pipeline shuffles, with the recipe's seed
        verbose=0,
    )
    history = {name: [float(v) for v in values] for name, values in fit.history.items()}
    if recipe.watch_test:  # Keras calls every per-epoch score "val_"; say what it really is
        history = {name.replace("val_", "test_", 1): values for name, values in history.items()}
    return model, history, timer.seconds, timer.scoring


def _evaluate(model: keras.Model, data: ImageSet, batch_size: int) -> tuple[float, float]:
    loss, accuracy = model.evaluate(
        _pipeline(_images(model, data.x_test), data.y_test, batch_size), verbose=0
    )
    return float(loss), float(accuracy)


def _load(entry: Path, recipe: Recipe, key: str) -> Result | None:
    """A cached result, or None if the entry is missing or unreadable (then we retrain)."""
    try:
        stored = json.loads((entry / RESULT_FILE).read_text())
        if stored["key"] != key:
            return None
        model = _compiled(recipe, nets.builder(recipe.model), weights=entry / WEIGHTS_FILE)
    except (OSError, ValueError, KeyError):
        return None
    return Result(
        recipe=recipe,
        history=stored["history"],
        test_loss=stored["test_loss"],
        test_accuracy=stored["test_accuracy"],
        seconds_per_epoch=stored["seconds_per_epoch"],
        key=key,
        model=model,
        from_cache=True,
        seconds_total=stored["seconds_total"],
        scoring_seconds=stored.get("scoring_seconds", []),
        trained_at=stored.get("trained_at", ""),
    )


def _store(entry: Path, result: Result) -> None:
    """Write the entry into a temporary folder, then rename it into place: never half-written."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=entry.parent))
    try:
        result.model.save_weights(staging / WEIGHTS_FILE)
        stored = {
            "key": result.key,
            "recipe": dataclasses.asdict(result.recipe),
            "history": result.history,
            "test_loss": result.test_loss,
            "test_accuracy": result.test_accuracy,
            "seconds_per_epoch": result.seconds_per_epoch,
            "seconds_total": result.seconds_total,
            "scoring_seconds": result.scoring_seconds,
            "trained_at": result.trained_at,
            "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
        }
        (staging / RESULT_FILE).write_text(json.dumps(stored, indent=1))
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def train(recipe: Recipe, data: ImageSet | None = None, *, use_cache: bool = True) -> Result:
    """Train by ``recipe`` (or load the cached result of exactly this recipe, data and code)."""
    data = load_mnist() if data is None else data
    key = cache_key(recipe, data)
    entry = cache_dir() / f"{recipe.model}-{key[:20]}"
    if use_cache and (cached := _load(entry, recipe, key)) is not None:
        _note_use(cached)
        return cached
    start = time.perf_counter()
    model, history, seconds, scoring = _fit(recipe, data, nets.builder(recipe.model))
    total = time.perf_counter() - start - sum(scoring)
    test_loss, test_accuracy = _evaluate(model, data, recipe.batch_size)
    trained_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result = Result(recipe, history, test_loss, test_accuracy, seconds, key, model,
                    seconds_total=total, scoring_seconds=scoring, trained_at=trained_at)
    if use_cache:
        _store(entry, result)
    _note_use(result)
    return result


#: This process's run of a page, for the status page: the latest run of a page is what counts.
_RUN = f"{time.time():017.6f}-{os.getpid()}"


def _note_use(result: Result) -> None:
    """Note, for the status page's cold run (cnnbook.status_table), that the page being built
    used ``result`` and how long it took to train, even when it was loaded from the cache."""
    path = os.environ.get(status_table.USE_LOG_ENV)
    if not path:
        return
    record = {"page": os.environ.get(status_table.PAGE_ENV, ""), "run": _RUN, "key": result.key,
              "model": result.recipe.model, "trained": not result.from_cache,
              "seconds": result.seconds_total + sum(result.scoring_seconds)}
    with open(path, "a", encoding="utf8") as log:
        log.write(json.dumps(record) + "\n")
