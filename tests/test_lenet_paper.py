"""LeNet-5's own devices: the C3 connection table, the RBF output, SDLM and their cached runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cnnbook import facts, paper_training, runs, sdlm
from cnnbook.nets import lenet_paper
from cnnbook.runtime import keras


def test_c3_table_has_the_papers_parameter_count():
    layer = lenet_paper.TableConv2D(name="C3")
    layer.build((None, 14, 14, 6))
    assert layer.count_params() == facts.LENET5_PAPER_LAYER_PARAMS["C3"] == 1_516


def test_c3_table_connects_exactly_the_tables_pairs():
    layer = lenet_paper.TableConv2D()
    out = layer(np.zeros((2, 14, 14, 6), dtype="float32"))
    assert tuple(out.shape) == (2, 10, 10, 16)
    reads = np.abs(layer.full_kernel().numpy()).sum(axis=(0, 1)) > 0
    wanted = np.zeros((6, 16), dtype=bool)
    for m, inputs in enumerate(facts.LENET5_C3_TABLE):
        wanted[list(inputs), m] = True
    assert (reads == wanted).all()
    assert lenet_paper.connection_matrix().sum(axis=1).tolist() == [1.0] * int(wanted.sum())


def test_c3_table_convolves_like_a_masked_conv2d():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 14, 14, 6)).astype("float32")
    layer = lenet_paper.TableConv2D()
    mine = layer(x).numpy()
    conv = keras.layers.Conv2D(16, 5)
    conv.build((None, 14, 14, 6))
    conv.set_weights([layer.full_kernel().numpy(), layer.bias.numpy()])
    np.testing.assert_allclose(mine, conv(x).numpy(), rtol=1e-4, atol=1e-5)


def test_a_map_that_does_not_read_an_input_ignores_it():
    layer = lenet_paper.TableConv2D()
    x = np.zeros((1, 14, 14, 6), dtype="float32")
    base = layer(x).numpy()
    x[..., 0] = 1.0  # S2 map 0: C3 map 1 reads maps 1, 2, 3 only
    changed = layer(x).numpy()
    assert 0 not in facts.LENET5_C3_TABLE[1]
    np.testing.assert_array_equal(changed[..., 1], base[..., 1])
    assert not np.allclose(changed[..., 0], base[..., 0])


def test_rbf_codes_are_fixed_plus_minus_one_and_distinct():
    codes = lenet_paper.rbf_codes()
    assert codes.shape == (10, facts.LENET5_RBF_UNITS)
    assert set(np.unique(codes)) == {-1.0, 1.0}
    assert len({row.tobytes() for row in codes}) == 10
    np.testing.assert_array_equal(codes, lenet_paper.rbf_codes())


def test_rbf_penalty_is_the_squared_distance_and_the_loss_its_correct_class():
    codes = lenet_paper.rbf_codes()
    x = np.stack([codes[3], codes[7] + 0.5]).astype("float32")
    penalties = lenet_paper.RBF()(x).numpy()
    assert penalties.shape == (2, 10)
    np.testing.assert_allclose(penalties[0, 3], 0.0, atol=1e-5)
    np.testing.assert_allclose(penalties[1], ((x[1] - codes) ** 2).sum(axis=1), rtol=1e-5)
    scores = lenet_paper.scores(penalties)
    assert np.argmax(scores, axis=1).tolist() == [3, 7]
    loss = lenet_paper.distance_loss(np.array([3, 2]), scores).numpy()
    np.testing.assert_allclose(loss, [penalties[0, 3], penalties[1, 2]], rtol=1e-5)


def test_the_model_with_the_devices_lacks_only_the_subsampling_coefficients():
    model = lenet_paper.lenet5_c3_table_rbf()
    paper = facts.LENET5_PAPER_LAYER_PARAMS
    assert model.count_params() == facts.LENET5_PAPER_PARAMS - paper["S2"] - paper["S4"]
    assert model.output_shape == (None, 10)


def _sdlm_on(values, curvatures, gradient_scale=1.0):
    variables = [keras.Variable(np.array(v, dtype="float32")) for v in values]
    optimizer = sdlm.SDLM(learning_rate=0.01, mu=0.02, gradient_scale=gradient_scale)
    optimizer.build(variables)
    optimizer.set_curvatures([np.array(h, dtype="float32") for h in curvatures])
    return variables, optimizer


def test_sdlm_steps_are_smaller_where_the_curvature_is_higher():
    variables, optimizer = _sdlm_on([[0.0, 0.0, 0.0]], [[0.0, 1.0, 100.0]])
    steps = optimizer.step_sizes()[0].numpy()
    np.testing.assert_allclose(steps, 0.01 / (0.02 + np.array([0.0, 1.0, 100.0])), rtol=1e-5)
    assert steps[0] > steps[1] > steps[2]
    optimizer.apply([np.ones((3,), dtype="float32")], variables)
    moved = -variables[0].numpy()
    np.testing.assert_allclose(moved, steps, rtol=1e-5)  # the step is eta / (mu + h) x gradient


def test_sdlm_gradient_scale_multiplies_the_step():
    variables, optimizer = _sdlm_on([[0.0]], [[1.0]], gradient_scale=3.0)
    optimizer.apply([np.ones((1,), dtype="float32")], variables)
    np.testing.assert_allclose(-variables[0].numpy(), 3.0 * 0.01 / 1.02, rtol=1e-5)


def test_curvature_is_the_gauss_newton_diagonal_of_a_linear_layer():
    # F6 = W x + b: each weight moves one output, so 2 sum_o (dF6_o/dW_oj)^2 = 2 x_j^2 exactly
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(3, name="F6")(inputs))
    x = np.random.default_rng(0).normal(size=(150, 4)).astype("float32")
    kernel, bias = sdlm.curvature_estimator(model)(x, seed=1)
    expected = 2 * (x ** 2).mean(axis=0)
    np.testing.assert_allclose(kernel.numpy(), np.repeat(expected[:, None], 3, axis=1), rtol=1e-4)
    np.testing.assert_allclose(bias.numpy(), [2.0, 2.0, 2.0], rtol=1e-5)


def test_paper_runs_are_refused_when_wrong():
    with pytest.raises(ValueError):
        paper_training.PaperRun("lenet5_c3_table_rbf", epochs=1, optimizer="rmsprop")
    with pytest.raises(ValueError):
        paper_training.PaperRun("lenet5_c3_table_rbf", epochs=1, gradient_scale=0)
    assert runs.lenet5_all_images(3).validation_size == 0
    assert runs.LENET5_SDLM.mu == facts.LENET5_SDLM_MU
    assert runs.LENET5_SDLM.curvature_patterns == facts.LENET5_SDLM_PATTERNS


def test_paper_rates_are_the_papers_schedule():
    schedule = paper_training.rates(runs.LENET5_SDLM, steps_per_epoch=10)
    per_pass = [float(schedule(10 * done + 5)) for done in range(14)]  # mid-pass
    expected = [0.0005] * 2 + [0.0002] * 3 + [0.0001] * 3 + [0.00005] * 4 + [0.00001] * 2
    np.testing.assert_allclose(per_pass, expected, rtol=1e-6)


def test_an_sdlm_run_trains_is_cached_and_keyed(tiny_mnist, cache_dir):
    run = paper_training.PaperRun("lenet5_c3_table_rbf", epochs=1, batch_size=50,
                                  curvature_patterns=100, validation_size=100)
    first = paper_training.train_paper(run, tiny_mnist)
    assert not first.from_cache and np.isfinite(first.history["loss"]).all()
    assert set(first.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    again = paper_training.train_paper(run, tiny_mnist)
    assert again.from_cache and again.test_accuracy == first.test_accuracy
    other = dataclasses.replace(run, mu=0.05)
    assert paper_training.cache_key(other, tiny_mnist) != first.key
