"""Residual blocks: shapes, shortcuts, the identity at zero weights, the chapter's nets and gradients."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cnnbook import facts, nets, runs, signals, training
from cnnbook.nets import lecture, residual
from cnnbook.runtime import keras


def _block_model(filters: int, stride: int, shortcuts: bool = True, channels: int = 16) -> keras.Model:
    inputs = keras.Input(shape=(14, 14, channels))
    block = residual.residual_block if shortcuts else residual.plain_block
    return keras.Model(inputs, block(inputs, filters, stride, name="b", seed=3))


def _seeded(builder):
    training.make_deterministic(runs.SEED)
    return builder()


def _non_negative(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize(
    ("filters", "stride", "shape", "projected"),
    [(16, 1, (14, 14, 16), False), (32, 1, (14, 14, 32), True), (16, 2, (7, 7, 16), True),
     (32, 2, (7, 7, 32), True)],
)
def test_block_shapes_and_projection_exactly_when_the_shape_changes(filters, stride, shape, projected):
    model = _block_model(filters, stride)
    assert model.output_shape == (None, *shape)
    names = [layer.name for layer in model.layers]
    assert ("b_projection" in names) == projected
    assert "b_add" in names
    if projected:
        projection = model.get_layer("b_projection")
        assert projection.kernel_size == (1, 1) and projection.strides == (stride, stride)
    plain = _block_model(filters, stride, shortcuts=False)
    assert plain.output_shape == model.output_shape
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)


def test_identity_block_with_its_last_layer_zeroed_is_exactly_the_identity():
    model = _block_model(16, 1)
    x = _non_negative((4, 14, 14, 16))
    assert not np.array_equal(model(x).numpy(), x), "with random weights the block changes x"
    signals.zero_branch(model, "b")
    assert np.array_equal(model(x).numpy(), x)
    # the ReLU after the addition: on a negative input the zeroed block gives ReLU(x), not x
    assert np.array_equal(model(x - 0.5).numpy(), np.maximum(x - 0.5, 0))
    plain = _block_model(16, 1, shortcuts=False)
    signals.zero_branch(plain, "b")
    assert not np.any(plain(x).numpy()), "a plain block with its last layer zeroed outputs zeros"


def test_zeroed_branches_turn_the_deep_residual_net_into_the_shallow_one():
    deep = _seeded(residual.residual_deep)
    shallow = _seeded(lambda: residual.stacked_net(residual.SHALLOW_BLOCKS, shortcuts=True, name="s"))
    for stage in range(1, len(residual.WIDTHS) + 1):
        for index in range(residual.SHALLOW_BLOCKS + 1, residual.DEEP_BLOCKS + 1):
            signals.zero_branch(deep, f"stage{stage}_block{index}")
    x = _non_negative((8, 28, 28, 1))
    assert np.array_equal(deep(x).numpy(), shallow(x).numpy())


def test_plain_and_residual_nets_differ_only_in_their_shortcuts():
    plain, res = _seeded(residual.plain_deep), _seeded(residual.residual_deep)
    p, r = signals.describe(plain), signals.describe(res)
    assert p["3x3 conv layers"] == r["3x3 conv layers"] == 1 + 2 * residual.DEEP_BLOCKS * len(residual.WIDTHS)
    assert p["shortcut additions"] == 0
    assert r["shortcut additions"] == residual.DEEP_BLOCKS * len(residual.WIDTHS)
    assert (p["projection shortcuts"], r["projection shortcuts"]) == (0, len(residual.WIDTHS) - 1)
    projection_params = sum(ly.count_params() for ly in res.layers if ly.name.endswith("_projection"))
    assert r["parameters"] - p["parameters"] == projection_params > 0
    # same initial weights in every layer they share
    shared = [layer for layer in plain.layers if layer.weights]
    assert len(shared) == p["weight layers (conv + dense)"]
    for layer in shared:
        for a, b in zip(layer.get_weights(), res.get_layer(layer.name).get_weights(), strict=True):
            assert np.array_equal(a, b), layer.name
    training.make_deterministic(runs.SEED + 1)
    assert not np.array_equal(residual.plain_deep().get_weights()[0], plain.get_weights()[0])


def test_shallow_plain_net_and_registry():
    shallow = signals.describe(_seeded(residual.plain_shallow))
    assert shallow["3x3 conv layers"] == 1 + 2 * residual.SHALLOW_BLOCKS * len(residual.WIDTHS)
    for key in ("plain_deep", "residual_deep", "plain_shallow"):
        assert nets.registered_keys()[key] == "residual"


def test_recipes_differ_only_in_the_model():
    recipes = list(runs.RESNET_RUNS.values())
    assert {r.model for r in recipes} == {"plain_deep", "residual_deep", "plain_shallow"}
    for recipe in recipes:
        assert recipe.seed == runs.SEED and recipe.train_size == runs.RESNET_TRAIN_SIZE
        assert dataclasses.replace(recipe, model="plain_deep") == runs.PLAIN_DEEP


def test_gradient_norms_one_finite_positive_value_per_conv_layer(tiny_mnist):
    model = _seeded(residual.residual_deep)
    x, y = tiny_mnist.x_train[:32], tiny_mnist.y_train[:32]
    norms = signals.gradient_norms(model, x, y)
    assert list(norms) == [layer.name for layer in signals.conv_layers(model)]
    values = np.array(list(norms.values()))
    assert np.all(np.isfinite(values)) and np.all(values > 0)
    assert signals.gradient_norms(model, x, y) == norms, "no randomness: the same batch, the same norms"
    assert signals.gradient_norms(model, x[:16], y[:16]) != norms


def test_the_plain_nets_signal_and_gradients_fade_at_initialisation(tiny_mnist):
    """The chapter's claim, on random images: without shortcuts, little reaches the deep layers."""
    x, y = tiny_mnist.x_train[:32], tiny_mnist.y_train[:32]
    plain, res = _seeded(residual.plain_deep), _seeded(residual.residual_deep)
    plain_signal = list(signals.signal_scales(plain, x).values())
    res_signal = list(signals.signal_scales(res, x).values())
    assert len(plain_signal) == len(res_signal) == len(signals.conv_layers(plain))
    assert plain_signal[-1] < 1e-3 * plain_signal[0]
    assert res_signal[-1] > 0.1 * res_signal[0]
    plain_grads = signals.gradient_norms(plain, x, y)
    res_grads = signals.gradient_norms(res, x, y)
    assert max(plain_grads.values()) < 1e-3 * min(res_grads[name] for name in plain_grads)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: residual.residual_block(x, 0),
        lambda x: residual.residual_block(x, 16, stride=3),
        lambda x: residual.plain_block(x, 2.5),
        lambda x: residual.residual_block(x, True),
        lambda x: residual.stacked_net(0, shortcuts=True, name="n"),
    ],
)
def test_bad_block_arguments_are_clear_errors(call):
    with pytest.raises(ValueError, match="must be"):
        call(keras.Input(shape=(14, 14, 16)))


def test_bad_gradient_batches_are_clear_errors():
    model = _seeded(residual.plain_shallow)
    x = _non_negative((4, 28, 28))
    with pytest.raises(ValueError, match="one label per image"):
        signals.gradient_norms(model, x, np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match="non-empty"):
        signals.gradient_norms(model, x[:0], np.zeros(0, dtype=np.uint8))
    with pytest.raises(ValueError, match="no Conv2D layer"):
        signals.gradient_norms(lecture.softmax_regression(), x, np.zeros(4, dtype=np.uint8))
    with pytest.raises(ValueError, match="at least one image"):
        signals.signal_scales(model, x[:0])


def test_facts_are_the_papers():
    """Errata: the paper reports 3.57% (the slide's 3.6% is its rounding; 10.6% is not ResNet's)."""
    assert facts.RESNET_TOP5_TEST_ERROR == pytest.approx(0.0357)
    assert round(facts.RESNET_TOP5_TEST_ERROR, 3) == facts.LECTURE_SLIDE_TOP5_ERRORS[0]
    assert facts.RESNET_TOP5_TEST_ERROR not in facts.LECTURE_SLIDE_TOP5_ERRORS
    assert (facts.VGG_DEPTH, facts.GOOGLENET_DEPTH) == (19, 22)
    errors = facts.IMAGENET_TOP1_ERROR
    assert errors[("plain", 34)] > errors[("plain", 18)] and errors[("ResNet", 34)] < errors[("ResNet", 18)]


def test_predicted_classes_match_the_models_argmax():
    model = _seeded(residual.plain_shallow)
    x = _non_negative((7, 28, 28))
    expected = np.argmax(model(x[..., None]).numpy(), axis=1)
    assert np.array_equal(signals.predicted_classes(model, x, batch_size=3), expected)


@pytest.mark.slow
def test_a_tiny_training_run_of_the_residual_net(tiny_mnist):
    quick = dataclasses.replace(runs.RESIDUAL_DEEP, epochs=1, batch_size=50, train_size=100)
    result = training.train(quick, tiny_mnist, use_cache=False)
    assert len(result.history["loss"]) == 1 and np.isfinite(result.history["loss"][0])
    assert 0 <= result.test_accuracy <= 1


# --- with batch normalisation: the paper's degradation ----------------------------------------


@pytest.mark.parametrize(("key", "blocks", "shortcuts"), [
    ("bn_plain_shallow", residual.BN_SHALLOW_BLOCKS, False),
    ("bn_plain_deep", residual.BN_DEEP_BLOCKS, False),
    ("bn_residual_shallow", residual.BN_SHALLOW_BLOCKS, True),
    ("bn_residual_deep", residual.BN_DEEP_BLOCKS, True),
])
def test_bn_nets_normalise_after_every_convolution(key, blocks, shortcuts):
    model = _seeded(lambda: nets.build(key))
    assert model.output_shape == (None, 10)
    described = signals.describe(model)
    convs = 1 + 2 * blocks * len(residual.BN_WIDTHS)
    assert described["3x3 conv layers"] == convs
    assert described["shortcut additions"] == (blocks * len(residual.BN_WIDTHS) if shortcuts else 0)
    norms = [ly for ly in model.layers if isinstance(ly, keras.layers.BatchNormalization)]
    all_convs = signals.conv_layers(model)
    assert len(norms) == len(all_convs), "one batch normalisation per convolution, projections too"
    assert all(not conv.use_bias for conv in all_convs), "the normalisation's shift replaces the bias"
    assert all(norm.momentum == residual.BN_MOMENTUM for norm in norms)
    # parameters by hand: 3x3 kernels without bias, 4 numbers per normalised channel (2 trained)
    stem, (w1, w2) = residual.BN_WIDTHS[0], residual.BN_WIDTHS
    expected = 9 * 1 * stem + 4 * stem
    for stage, width in enumerate((w1, w2)):
        for index in range(blocks):
            width_in = (w1 if stage == 1 and index == 0 else width) if stage else stem
            expected += 9 * width_in * width + 9 * width * width + 8 * width
            if shortcuts and stage == 1 and index == 0:
                expected += w1 * w2 + 4 * w2
    expected += w2 * 10 + 10
    assert model.count_params() == expected
    assert nets.registered_keys()[key] == "residual"


def test_bn_deep_nets_are_several_times_deeper_and_start_alike():
    ratio = residual.BN_DEEP_BLOCKS / residual.BN_SHALLOW_BLOCKS
    assert 3 <= ratio <= 4
    plain, res = _seeded(residual.bn_plain_deep), _seeded(residual.bn_residual_deep)
    for layer in plain.layers:
        for a, b in zip(layer.get_weights(), res.get_layer(layer.name).get_weights(), strict=True):
            assert np.array_equal(a, b), layer.name
    # without batch normalisation the builder is unchanged: no normalisation, biases kept
    old = _seeded(residual.plain_deep)
    assert not any(isinstance(ly, keras.layers.BatchNormalization) for ly in old.layers)
    assert all(conv.use_bias for conv in signals.conv_layers(old))


def test_bn_recipes_share_the_experiments_recipe():
    recipes = runs.RESNET_BN_RUNS
    assert set(recipes) == {(k, d) for k in ("plain", "residual") for d in ("shallow", "deep")}
    for (kind, depth), recipe in recipes.items():
        assert recipe.model == f"bn_{kind}_{depth}"
        assert dataclasses.replace(recipe, model="plain_deep") == runs.PLAIN_DEEP
