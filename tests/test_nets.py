"""The lecture's models: parameter counts and output shapes as the syllabus states them."""

import pytest

from cnnbook import anatomy, nets
from cnnbook.nets import lecture


@pytest.mark.parametrize(
    ("name", "params"), [("softmax", 7_850), ("mlp", 3_432_970), ("cnn", 356_234)]
)
def test_parameter_counts(name, params):
    assert nets.build(name).count_params() == params


def test_mlp_has_five_dense_layers_as_in_the_code_not_the_slide():
    rows = anatomy.summary_rows(lecture.lecture_mlp())
    dense = [row["output shape"][-1] for row in rows if row["type"] == "Dense"]
    assert dense == [1024, 1024, 1024, 512, 10]
    assert [row["parameters"] for row in rows if row["type"] == "Dense"] == [
        803_840, 1_049_600, 1_049_600, 524_800, 5_130,
    ]


def test_cnn_output_shapes():
    rows = anatomy.summary_rows(lecture.lecture_cnn())
    shapes = [row["output shape"][1:] for row in rows if row["type"] != "Dropout"]
    assert shapes == [
        (28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64),
        (7, 7, 128), (4, 4, 128), (2048,), (128,), (10,),
    ]
    assert [row["parameters"] for row in rows if row["parameters"]] == [320, 18_496, 73_856, 262_272, 1_290]


def test_dropout_rate_is_a_parameter():
    rates = {layer.rate for layer in lecture.lecture_cnn(dropout=0.5).layers if hasattr(layer, "rate")}
    assert rates == {0.5}


def test_models_end_in_a_probability_distribution():
    """Every model ends in class probabilities, except LeNet-5's RBF output as the paper built
    it: minus each class's penalty, a score whose argmax is the class (cnnbook.nets.lenet_paper)."""
    import numpy as np

    for name in nets.builders():
        model = nets.build(name)
        x = np.random.default_rng(0).random((3, *model.input_shape[1:]), dtype=np.float32)
        probabilities = model.predict(x, verbose=0)
        assert probabilities.shape == (3, model.output_shape[-1])
        if any(layer.name == "RBF" for layer in model.layers):
            assert (probabilities <= 0).all(), name  # minus squared distances
            continue
        assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown model 'lenet'; choose one of"):
        nets.build("lenet")


def test_registry_names_each_builders_module_and_refuses_a_taken_key():
    assert nets.registered_keys()["cnn"] == "lecture"
    assert {"softmax", "mlp", "cnn"} <= set(nets.builders())

    def impostor():
        raise AssertionError("never built")

    with pytest.raises(ValueError, match="taken"):
        nets.register("cnn")(impostor)
    assert nets.build("cnn").name == "lecture_cnn"


def test_the_registry_read_from_source_matches_the_builders():
    """Keys are found without a hand-kept list, and the source scan agrees with the decorators."""
    builders = nets.builders()
    assert set(builders) == set(nets.registered_keys())
    for key, module in nets.registered_keys().items():
        assert builders[key].__module__ == f"cnnbook.nets.{module}"
