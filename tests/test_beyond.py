"""Part III ("Beyond 99%"): the blocks by hand against Keras, the builders, and the choices
made on validation only."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from cnnbook import anatomy, blocks, runs, selection
from cnnbook.nets import lecture, modern
from cnnbook.runtime import keras


def test_multichannel_convolution_by_hand_matches_conv2d():
    rng = np.random.default_rng(1)
    image = rng.normal(size=(7, 6, 3)).astype("float32")
    conv = keras.layers.Conv2D(5, 3)
    expected = conv(image[None])[0].numpy()
    kernel, bias = (w.numpy() for w in conv.weights)
    ours = blocks.conv_channels(image, kernel, bias)
    assert ours.shape == expected.shape == (5, 4, 5)
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    # the sum runs over the input channels: one channel's slice alone gives something else
    alone = blocks.conv_channels(image[..., :1], kernel[:, :, :1], bias)
    assert np.abs(alone - expected).max() > 0.1
    assert conv.count_params() == anatomy.conv_params(3, 3, 5)


def test_one_by_one_convolution_is_a_dense_layer_at_every_pixel():
    rng = np.random.default_rng(2)
    maps = rng.normal(size=(4, 5, 8)).astype("float32")
    conv = keras.layers.Conv2D(3, 1)
    expected = conv(maps[None])[0].numpy()
    weights, bias = (w.numpy() for w in conv.weights)
    np.testing.assert_allclose(blocks.pointwise(maps, weights[0, 0], bias), expected, atol=1e-5)
    dense = keras.layers.Dense(3)
    dense.build((None, 8))
    dense.set_weights([weights[0, 0], bias])
    np.testing.assert_allclose(dense(maps.reshape(-1, 8)).numpy().reshape(4, 5, 3), expected,
                               atol=1e-5)
    assert conv.count_params() == anatomy.dense_params(8, 3)


def test_batch_norm_by_hand_in_training_and_in_inference():
    rng = np.random.default_rng(3)
    batch = rng.normal(loc=2.0, scale=3.0, size=(6, 4, 4, 3)).astype("float32")
    norm = keras.layers.BatchNormalization(momentum=0.8)
    norm.build(batch.shape)
    norm.gamma.assign([0.5, 1.5, 2.0])
    norm.beta.assign([0.1, -0.2, 0.3])
    gamma, beta = norm.gamma.numpy(), norm.beta.numpy()
    trained = norm(batch, training=True).numpy()
    ours, mean, variance = blocks.batch_norm_train(batch, gamma, beta, norm.epsilon)
    np.testing.assert_allclose(ours, trained, atol=1e-4)
    moving_mean = blocks.update_moving(np.zeros(3), mean, 0.8)
    moving_variance = blocks.update_moving(np.ones(3), variance, 0.8)
    np.testing.assert_allclose(norm.moving_mean.numpy(), moving_mean, atol=1e-5)
    np.testing.assert_allclose(norm.moving_variance.numpy(), moving_variance, rtol=1e-4)
    inferred = norm(batch, training=False).numpy()
    np.testing.assert_allclose(
        blocks.batch_norm_infer(batch, gamma, beta, moving_mean, moving_variance, norm.epsilon),
        inferred, atol=1e-4)
    assert np.abs(inferred - trained).max() > 0.1  # the two modes differ after one step


@pytest.mark.parametrize("name", ["cnn_bn", "vgg_flatten", "vgg_gap", "fast_cnn", "fast_plain",
                                  "fast_plain_aug", "best_cnn", "best_cnn_plain"])
def test_builders_take_digits_and_give_probabilities(name):
    from cnnbook import nets

    model = nets.build(name)
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    out = model(np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)).numpy()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)


def test_batch_norm_cnn_is_the_lecture_cnn_plus_normalization():
    plain, normed = lecture.lecture_cnn(), modern.lecture_cnn_bn()
    convs = [layer for layer in normed.layers if isinstance(layer, keras.layers.Conv2D)]
    norms = [layer for layer in normed.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(convs) == len(norms) == 3 and not any(c.use_bias for c in convs)
    # each normalization has 4 numbers per channel; each conv lost its biases
    extra = sum(4 * c.filters for c in convs) - sum(c.filters for c in convs)
    assert normed.count_params() == plain.count_params() + extra


def test_global_average_pooling_head_is_far_smaller():
    flat, gap = modern.small_vgg_flatten(), modern.small_vgg_gap()
    # the same body; the heads: Flatten of 7x7x32 into a Dense layer, or a 1x1 conv to 10 maps
    head_flat, head_gap = anatomy.dense_params(7 * 7 * 32, 10), anatomy.conv_params(1, 32, 10)
    assert flat.count_params() - gap.count_params() == head_flat - head_gap
    assert head_gap < head_flat / 40
    assert any(isinstance(layer, keras.layers.GlobalAveragePooling2D) for layer in gap.layers)


def test_augmentation_is_inactive_at_inference_and_active_in_training():
    model = modern.fast_plain_aug()
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    stack = keras.Sequential(modern.augmentation())
    np.testing.assert_array_equal(stack(x, training=False).numpy(), x)
    assert np.abs(stack(x, training=True).numpy() - x).max() > 0
    assert model.count_params() == modern.fast_plain().count_params()


def _result(val, seconds=1.0, watch_test=False, test=0.5):
    history = {"val_accuracy": [0.1, val]} if not watch_test else {"test_accuracy": [val]}
    recipe = SimpleNamespace(model="m", watch_test=watch_test)
    return SimpleNamespace(recipe=recipe, history=history, seconds_total=seconds,
                           test_accuracy=test)


def test_choices_read_validation_never_the_test_set():
    # the test scores rank the candidates the other way round: they must not matter
    results = {"a": _result(0.99, test=0.90), "b": _result(0.98, test=0.999)}
    assert selection.choose(results) == "a"
    with pytest.raises(ValueError, match="validation"):
        selection.choose({"a": _result(0.99, watch_test=True)})
    with pytest.raises(ValueError, match="validation"):
        selection.validation_accuracy(SimpleNamespace(recipe=SimpleNamespace(
            model="m", watch_test=False), history={"accuracy": [0.9]}))


def test_choose_fastest_takes_the_quickest_that_reaches_the_target():
    results = {"slow": _result(0.995, seconds=30), "quick": _result(0.992, seconds=10),
               "quicker": _result(0.980, seconds=5)}
    assert selection.choose_fastest(results, 0.99) == "quick"
    assert selection.reaching(results, 0.99) == ["slow", "quick"]


def test_choose_fastest_refuses_when_no_candidate_reaches_the_target():
    # no silent fallback to the most accurate: the page would call it "the quickest that
    # reaches the target"; the error names the target and every candidate's score
    results = {"slow": _result(0.995, seconds=30), "quick": _result(0.992, seconds=10)}
    assert selection.reaching(results, 0.999) == []
    with pytest.raises(selection.NoCandidateReached, match=r"99\.9000%.*slow: 99\.5000%"):
        selection.choose_fastest(results, 0.999)
    assert issubclass(selection.NoCandidateReached, ValueError)


def test_the_fast_candidates_hold_out_validation_and_the_final_runs_use_all_images():
    for recipe in runs.FAST_CANDIDATES.values():
        assert recipe.validation_size == runs.HELD_OUT and not recipe.watch_test
    chosen = next(iter(runs.FAST_CANDIDATES.values()))
    finals = runs.fast_runs(chosen)
    assert [r.seed for r in finals] == list(runs.FAST_SEEDS)
    assert all(dataclasses.replace(r, seed=chosen.seed, validation_size=chosen.validation_size)
               == chosen for r in finals)
    assert all(r.validation_size == 0 for r in finals)
    for recipe in runs.BEST_MEMBERS:
        assert recipe.validation_size == runs.HELD_OUT and not recipe.watch_test


def test_ensemble_averages_probabilities():
    a = np.array([[0.6, 0.4], [0.2, 0.8]])
    b = np.array([[0.0, 1.0], [0.4, 0.6]])
    np.testing.assert_allclose(selection.average_probabilities([a, b]),
                               [[0.3, 0.7], [0.3, 0.7]])
    assert selection.accuracy(selection.average_probabilities([a, b]), np.array([1, 1])) == 1.0
    with pytest.raises(ValueError):
        selection.average_probabilities([np.ones(3)])


def test_greedy_ensemble_adds_members_only_while_validation_rises():
    labels = np.array([0, 1, 2])
    eye = np.eye(3)
    probabilities = {
        "good": np.array([eye[0], eye[1], 0.4 * eye[0] + 0.6 * eye[1]]),       # 2 of 3
        "fixes": np.array([0.4 * eye[0] + 0.6 * eye[2], eye[1], eye[2]]),      # 2 of 3
        "bad": np.array([eye[1], eye[0], eye[0]]),                             # 0 of 3
    }
    chosen = selection.greedy_ensemble(probabilities, labels)
    assert chosen == ["good", "fixes"]
    assert not selection.is_single(chosen)
    assert selection.ensemble_label(chosen) == "ensemble of 2"


def test_a_greedy_ensemble_of_one_is_called_a_single_model():
    labels = np.array([0, 1, 2])
    eye = np.eye(3)
    probabilities = {
        "good": np.array([eye[0], eye[1], 0.4 * eye[0] + 0.6 * eye[1]]),       # 2 of 3
        "same": np.array([eye[0], eye[1], 0.3 * eye[0] + 0.7 * eye[1]]),       # the same 2
    }
    chosen = selection.greedy_ensemble(probabilities, labels)
    assert chosen == ["good"]  # adding "same" does not raise the accuracy: the search stops
    assert selection.is_single(chosen)
    assert selection.ensemble_label(chosen).startswith("single model (good)")
    with pytest.raises(ValueError):
        selection.is_single([])


def test_confusion_counts_pairs():
    matrix = selection.confusion(np.array([1, 1, 2, 0]), np.array([1, 2, 2, 0]), classes=3)
    np.testing.assert_array_equal(matrix, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    assert matrix.sum() == 4
