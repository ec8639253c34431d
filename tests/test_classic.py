"""LeNet-5 and AlexNet: shapes and parameter counts by independent arithmetic, and the recipes."""

from __future__ import annotations

import dataclasses

import pytest

from cnnbook import anatomy, facts, geometry, nets, runs, runtime
from cnnbook.nets import classic
from cnnbook.training import train


def _sides(model) -> dict[str, int]:
    """Side of the maps after each layer with 4-D output, by layer name (from Keras's shapes)."""
    return {layer.name: layer.output.shape[1] for layer in model.layers if len(layer.output.shape) == 4}


def _by_hand_conv(kernel, c_in, filters):
    return kernel * kernel * c_in * filters + filters


def _by_hand_dense(n_in, n_out):
    return n_in * n_out + n_out


# --- LeNet-5 -------------------------------------------------------------------------------


def test_lenet5_shape_flow_is_32_28_14_10_5_1():
    model = classic.lenet5()
    assert model.input_shape == (None, 28, 28, 1), "MNIST digits go in as they are"
    sides = _sides(model)
    assert [sides[name] for name in ("pad", "C1", "S2", "C3", "S4", "C5")] == [32, 28, 14, 10, 5, 1]
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes["C1"] == (28, 28, 6) and shapes["C3"] == (10, 10, 16) and shapes["C5"] == (1, 1, 120)
    assert shapes["F6"] == (84,) and shapes["output"] == (10,)


def test_lenet5_layers_are_the_papers_kinds():
    model = classic.lenet5()
    kinds = [type(layer).__name__ for layer in model.layers]
    conv, pool = "Conv2D", "AveragePooling2D"
    assert kinds[:7] == ["ZeroPadding2D", "Rescaling", conv, pool, conv, pool, conv]
    for name in ("C1", "C3", "C5"):
        layer = model.get_layer(name)
        assert layer.kernel_size == (5, 5) and layer.strides == (1, 1) and layer.padding == "valid"
        assert layer.activation is classic.scaled_tanh
    assert model.get_layer("F6").activation is classic.scaled_tanh
    for name in ("S2", "S4"):
        assert model.get_layer(name).pool_size == (2, 2) and model.get_layer(name).strides == (2, 2)
    assert model.get_layer("output").activation.__name__ == "softmax"


def test_lenet5_padding_keeps_the_digit_centred():
    import numpy as np

    model = classic.lenet5()
    digit = np.zeros((1, 28, 28, 1), dtype="float32")
    digit[0, 0, 0, 0] = 1.0
    padded = model.get_layer("pad")(digit).numpy()
    assert padded.shape == (1, 32, 32, 1)
    assert padded[0, 2, 2, 0] == 1.0 and padded.sum() == 1.0


def test_lenet5_squashing_and_input_scaling_are_the_papers():
    import numpy as np

    f = classic.scaled_tanh
    assert float(f(np.float32(1.0))) == pytest.approx(1.0, abs=1e-3), "f(1) = 1 (Appendix A)"
    assert float(f(np.float32(-1.0))) == pytest.approx(-1.0, abs=1e-3)
    assert float(f(np.float32(50.0))) == pytest.approx(facts.LENET5_TANH_AMPLITUDE)
    model = classic.lenet5()
    digit = np.zeros((1, 28, 28, 1), dtype="float32")
    digit[0, 10, 10, 0] = 1.0
    scaled = model.get_layer("scale")(model.get_layer("pad")(digit)).numpy()
    low, high = facts.LENET5_INPUT_RANGE
    assert scaled.shape == (1, 32, 32, 1)
    assert scaled[0, 0, 0, 0] == pytest.approx(low), "the padding is background, like the margin"
    assert scaled[0, 12, 12, 0] == pytest.approx(high)


def test_lenet5_recipe_is_the_papers_schedule():
    assert runs.LENET5.epochs == facts.LENET5_PAPER_EPOCHS
    assert runs.LENET5.schedule == "lenet_1998"
    assert runs.LENET5.validation_size == runs.HELD_OUT


def test_lenet5_parameters_by_formula():
    model = classic.lenet5()
    expected = {
        "C1": _by_hand_conv(5, 1, 6),          # 156
        "C3": _by_hand_conv(5, 6, 16),         # full connection table
        "C5": _by_hand_conv(5, 16, 120),
        "F6": _by_hand_dense(120, 84),
        "output": _by_hand_dense(84, 10),
    }
    for name, count in expected.items():
        assert model.get_layer(name).count_params() == count, name
    assert model.count_params() == sum(expected.values())


def test_the_papers_counts_add_up():
    paper = facts.LENET5_PAPER_LAYER_PARAMS
    assert sum(paper.values()) == facts.LENET5_PAPER_PARAMS
    assert anatomy.lenet5_c3_params() == paper["C3"], "Table I must reproduce the paper's C3 count"
    table = facts.LENET5_C3_TABLE
    assert len(table) == 16 and all(set(maps) <= set(range(6)) for maps in table)
    assert len({frozenset(maps) for maps in table}) == 16, "no two C3 maps read the same S2 maps"
    model = classic.lenet5()
    for name in ("C1", "C5", "F6"):
        assert model.get_layer(name).count_params() == paper[name], name


def test_lenet5_without_padding_cannot_reach_c5():
    side = 28
    for kernel, stride in [(5, 1), (2, 2), (5, 1), (2, 2)]:
        side = geometry.output_size(side, kernel, stride)
    assert side == 4
    with pytest.raises(ValueError):
        geometry.output_size(side, 5)


# --- AlexNet ---------------------------------------------------------------------------------


def test_alexnet_at_227_gives_55_then_6x6x256():
    model = classic.alexnet()
    assert model.input_shape == (None, 227, 227, 3)
    assert tuple(model.get_layer("conv1").output.shape[1:]) == (55, 55, 96)
    assert tuple(model.get_layer("pool5").output.shape[1:]) == (6, 6, 256)
    assert model.get_layer("flatten").output.shape[1] == 9216
    assert model.output_shape == (None, 1000)
    sides = _sides(model)
    names = ("pool1", "conv2", "pool2", "conv3", "conv4", "conv5")
    assert [sides[n] for n in names] == [27, 27, 13, 13, 13, 13]


def test_feature_sides_agree_with_keras():
    model = classic.alexnet()
    assert dict(classic.feature_sides(227)) == _sides(model)


def test_224_does_not_fit_conv1():
    assert (227 - 11) % 4 == 0 and (227 - 11) // 4 + 1 == 55
    assert (224 - 11) % 4 != 0
    with pytest.raises(geometry.DoesNotFit) as caught:
        classic.feature_sides(224)
    assert caught.value.value == pytest.approx((224 - 11) / 4 + 1) == 54.25
    assert caught.value.value != int(caught.value.value)
    for padding in range(6):  # no symmetric padding helps: 213 + 2P is always odd
        with pytest.raises(geometry.DoesNotFit):
            geometry.output_size(224, 11, 4, padding)


def test_alexnet_parameters_by_formula():
    conv = [(11, 3, 96), (5, 96, 256), (3, 256, 384), (3, 384, 384), (3, 384, 256)]
    dense = [(6 * 6 * 256, 4096), (4096, 4096), (4096, 1000)]
    expected = sum(_by_hand_conv(*c) for c in conv) + sum(_by_hand_dense(*d) for d in dense)
    model = classic.alexnet()
    assert model.count_params() == expected
    assert 62.3e6 < expected < 62.4e6
    assert model.get_layer("fc6").count_params() == _by_hand_dense(9216, 4096)


def test_two_towers_halve_the_split_layers():
    single, towers = classic.alexnet(), classic.alexnet(two_towers=True)
    for name in classic.ALEXNET_SPLIT_LAYERS:
        layer = single.get_layer(name)
        kernel, c_in, filters = layer.kernel_size[0], layer.kernel.shape[2], layer.filters
        assert towers.get_layer(name).count_params() == _by_hand_conv(kernel, c_in // 2, filters)
    assert towers.get_layer("conv3").count_params() == single.get_layer("conv3").count_params()
    assert towers.count_params() < single.count_params()


def test_alexnet_ingredients():
    model = classic.alexnet()
    conv1 = model.get_layer("conv1")
    assert conv1.filters == 96 and conv1.kernel_size == (11, 11) and conv1.strides == (4, 4)
    for name in ("pool1", "pool2", "pool5"):
        pool = model.get_layer(name)
        assert pool.pool_size == (3, 3) and pool.strides == (2, 2), "overlapping pooling: z=3 > s=2"
    assert [model.get_layer(f"dropout{i}").rate for i in (6, 7)] == [0.5, 0.5]
    relu = [layer for layer in model.layers if getattr(layer, "activation", None) is not None
            and layer.activation.__name__ == "relu"]
    assert len(relu) == 7, "five convolutions and two hidden Dense layers use ReLU"


def test_quoted_facts():
    assert facts.ALEXNET_TOP5_TEST_ERROR == 0.153, "the paper, not the lecture's 15.4%"
    assert facts.ALEXNET_SECOND_PLACE_TOP5_ERROR == 0.262
    assert facts.LENET5_PAPER_TEST_ERROR == 0.0095


def test_helpers_refuse_bad_groups_and_count_by_formula():
    assert anatomy.conv_params(3, 4, 8) == _by_hand_conv(3, 4, 8)
    assert anatomy.conv_params(5, 96, 256, groups=2) == _by_hand_conv(5, 48, 256)
    assert anatomy.dense_params(10, 3) == 33
    with pytest.raises(ValueError, match="groups"):
        anatomy.conv_params(3, 5, 8, groups=2)


def test_multiply_adds_by_formula():
    model = classic.lenet5()
    expected = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 25 * 6 + 120 * 25 * 16 + 120 * 84 + 84 * 10
    assert anatomy.multiply_adds(model) == expected
    single, towers = classic.alexnet(), classic.alexnet(two_towers=True)
    assert anatomy.multiply_adds(towers) < anatomy.multiply_adds(single)


# --- the small AlexNet and the recipes ----------------------------------------------------


def test_alexnet_small_layout():
    model = classic.alexnet_small()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 5 and kinds.count("Dense") == 3 and kinds.count("Dropout") == 2
    sides = _sides(model)
    assert [sides[n] for n in ("pool1", "pool2", "pool5")] == [13, 6, 2]
    for layer in model.layers:
        if isinstance(layer, runtime.keras.layers.MaxPooling2D):
            # oneDNN pitfall: never pool an axis narrower than the window
            assert layer.input.shape[1] >= layer.pool_size[0]
    assert classic.alexnet_small_tanh().get_layer("conv1").activation.__name__ == "tanh"


def test_models_are_registered():
    known = nets.builders()
    for key in ("lenet5", "alexnet_small", "alexnet_small_tanh"):
        assert key in known and nets.registered_keys()[key] == "classic"


def test_recipes_follow_the_protocol():
    for recipe in (runs.LENET5, runs.ALEXNET_SMALL):
        assert recipe.validation_size == runs.HELD_OUT and not recipe.watch_test
        assert recipe.train_size is None and recipe.seed == runs.SEED
    assert runs.ALEXNET_SMALL.optimizer == "sgd_momentum"


@pytest.mark.slow
@pytest.mark.parametrize("recipe", [runs.LENET5, runs.ALEXNET_SMALL])
def test_training_smoke(recipe, tiny_mnist, cache_dir):
    quick = dataclasses.replace(recipe, epochs=1, train_size=300, validation_size=100)
    result = train(quick, tiny_mnist)
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert 0 <= result.test_accuracy <= 1 and len(result.seconds_per_epoch) == 1
    assert result.model.count_params() == nets.build(recipe.model).count_params()
    assert train(quick, tiny_mnist).from_cache
