"""Training: recipes are validated, caching is keyed on everything, and runs are deterministic."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pytest

from cnnbook import runs, training
from cnnbook.training import Recipe, cache_key, train

QUICK = Recipe("mlp", epochs=1, batch_size=50, train_size=300)


def test_lecture_recipes():
    mlp = runs.MLP
    assert (mlp.epochs, mlp.batch_size, mlp.optimizer, mlp.learning_rate) == (15, 100, "adam", 0.001)
    assert (runs.CNN.epochs, runs.CNN.batch_size) == (5, 100)
    for recipe in runs.HEADLINE.values():
        assert recipe.train_size is None and recipe.validation_size == 0, "headline runs use all images"
    assert runs.MLP_HELD_OUT.validation_size > 0 and not runs.MLP_HELD_OUT.watch_test


@pytest.mark.parametrize(
    "bad",
    [
        {"model": "lenet"},
        {"optimizer": "rmsprop"},
        {"epochs": 0},
        {"epochs": 1.5},
        {"batch_size": -1},
        {"learning_rate": 0},
        {"validation_size": -5},
        {"train_size": 0},
        {"validation_size": 10, "watch_test": True},
        {"train_size": 100, "validation_size": 100},
    ],
)
def test_bad_recipes_are_refused(bad):
    fields = {"model": "mlp", "epochs": 1, **bad}
    with pytest.raises(ValueError):
        Recipe(**fields)


def _changed_value(value):
    if isinstance(value, bool):
        return not value
    if value is None:
        return 123
    if isinstance(value, str):
        return {"mlp": "cnn", "adam": "sgd", "constant": "one_cycle"}[value]
    return value * 2 if value else 7


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Recipe)])
def test_cache_key_changes_with_every_recipe_field(field, tiny_mnist):
    changed = dataclasses.replace(QUICK, **{field: _changed_value(getattr(QUICK, field))})
    assert changed != QUICK
    assert cache_key(changed, tiny_mnist) != cache_key(QUICK, tiny_mnist)


def test_cache_key_changes_with_data_source_and_versions(tiny_mnist, monkeypatch):
    base = cache_key(QUICK, tiny_mnist)
    assert cache_key(QUICK, tiny_mnist) == base, "the key must be stable"
    other_data = dataclasses.replace(tiny_mnist, y_train=(tiny_mnist.y_train + 1) % 10)
    assert cache_key(QUICK, other_data) != base
    monkeypatch.setattr(training, "model_code_digest", lambda model: "edited source")
    assert cache_key(QUICK, tiny_mnist) != base
    monkeypatch.undo()
    monkeypatch.setattr(training.tf, "__version__", "2.99.0")
    assert cache_key(QUICK, tiny_mnist) != base


def test_the_key_covers_the_builder_and_the_training_steps():
    """What decides a model: its builder and the code that fits and scores it, called or not."""
    from cnnbook import fingerprint, nets

    assert training.model_code_digest("mlp") == fingerprint.code_digest(
        nets.builder("mlp"), training._fit, training._evaluate)
    assert training.model_code_digest("mlp") != training.model_code_digest("cnn")


def test_same_recipe_gives_identical_weights(tiny_mnist):
    first = train(QUICK, tiny_mnist, use_cache=False)
    second = train(QUICK, tiny_mnist, use_cache=False)
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert first.history == second.history and first.test_accuracy == second.test_accuracy
    other_seed = train(dataclasses.replace(QUICK, seed=2), tiny_mnist, use_cache=False)
    assert not np.array_equal(first.model.get_weights()[0], other_seed.model.get_weights()[0])


def test_result_is_cached_and_reloaded(tiny_mnist, cache_dir):
    fresh = train(QUICK, tiny_mnist)
    assert not fresh.from_cache
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a reload must be silent: on a page, a warning fails the build
        again = train(QUICK, tiny_mnist)
    assert again.from_cache
    assert again.history == fresh.history and again.seconds_per_epoch == fresh.seconds_per_epoch
    for a, b in zip(fresh.model.get_weights(), again.model.get_weights(), strict=True):
        assert np.array_equal(a, b)
    changed = train(dataclasses.replace(QUICK, learning_rate=0.01), tiny_mnist)
    assert not changed.from_cache
    assert len([p for p in cache_dir.iterdir() if not p.name.startswith(".")]) == 2


def test_damaged_cache_entry_means_retraining(tiny_mnist, cache_dir):
    fresh = train(QUICK, tiny_mnist)
    (entry,) = cache_dir.iterdir()
    (entry / training.WEIGHTS_FILE).write_bytes(b"not weights")
    again = train(QUICK, tiny_mnist)
    assert not again.from_cache and again.history == fresh.history
    assert train(QUICK, tiny_mnist).from_cache


def test_failed_save_leaves_nothing_half_written(tiny_mnist, cache_dir, monkeypatch):
    def broken_save(model, path, *args, **kwargs):
        Path(path).write_bytes(b"the first half of the weights")
        raise OSError("disk full")

    monkeypatch.setattr(training.keras.Model, "save_weights", broken_save)
    with pytest.raises(OSError, match="disk full"):
        train(QUICK, tiny_mnist)
    assert cache_dir.is_dir() and list(cache_dir.iterdir()) == []


def test_history_names_say_what_was_scored(tiny_mnist):
    watched = train(dataclasses.replace(QUICK, watch_test=True), tiny_mnist, use_cache=False)
    assert set(watched.history) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert watched.history["test_accuracy"][-1] == pytest.approx(watched.test_accuracy)
    held = train(dataclasses.replace(QUICK, validation_size=100), tiny_mnist, use_cache=False)
    assert set(held.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    table = held.epochs_table
    assert [row["epoch"] for row in table] == [1] and table[0]["seconds"] > 0


def test_cnn_trains_on_images_with_a_channel_axis(tiny_mnist):
    result = train(Recipe("cnn", epochs=1, batch_size=100, train_size=200), tiny_mnist, use_cache=False)
    assert 0 <= result.test_accuracy <= 1 and len(result.seconds_per_epoch) == 1


def test_a_models_key_covers_its_own_builder_only(tiny_mnist, monkeypatch):
    """The key asks for the code of this model's builder, never another chapter's."""
    from cnnbook import nets

    seen = []
    monkeypatch.setattr(training, "code_digest", lambda *objects: seen.extend(objects) or "digest")
    cache_key(QUICK, tiny_mnist)
    assert nets.builder("mlp") in seen and nets.builder("cnn") not in seen


def test_building_a_recipe_imports_nothing():
    """A recipe checks its model key from the registry's source: no chapter code is imported."""
    import subprocess
    import sys

    code = ("import sys; from cnnbook.training import Recipe; before = set(sys.modules); "
            "Recipe('softmax', epochs=1); Recipe('rcnn_classifier', epochs=1); "
            "print(sorted(set(sys.modules) - before))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_sgd_with_momentum_is_a_recipe_optimizer():
    optimizer = training.OPTIMIZERS["sgd_momentum"](learning_rate=0.01)
    assert optimizer.momentum == pytest.approx(0.9)


@pytest.mark.parametrize("schedule", ["one_cycle", "lenet_1998"])
def test_schedules_move_the_rate_as_declared(schedule):
    recipe = Recipe("mlp", epochs=20, learning_rate=0.01, schedule=schedule)
    rate = training.learning_rate(recipe, steps_per_epoch=10)
    at = {step: float(rate(step)) for step in (0, 19, 25, 49, 50, 199)}
    if schedule == "one_cycle":  # rises for a quarter of the 200 steps, then falls to zero
        assert at[0] == pytest.approx(0.01 / 25)
        assert at[0] < at[25] < at[49] <= at[50] == pytest.approx(0.01)
        assert at[199] < 0.0001
    else:  # LeCun et al.: 0.0005, 0.0002, 0.0001, 0.00005, 0.00001 after 2, 5, 8, 12 passes
        assert at[0] == at[19] == pytest.approx(0.01)
        assert at[25] == pytest.approx(0.004)
        assert at[199] == pytest.approx(0.0002)
    assert training.learning_rate(Recipe("mlp", epochs=2), 10) == 0.001


def test_an_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="one_cycle"):
        Recipe("mlp", epochs=1, schedule="warm_restarts")


def test_the_whole_training_time_covers_every_epoch(tiny_mnist):
    result = train(dataclasses.replace(QUICK, schedule="one_cycle"), tiny_mnist, use_cache=False)
    assert result.seconds_total >= sum(result.seconds_per_epoch) > 0
