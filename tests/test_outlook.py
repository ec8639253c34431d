"""The further-study networks: what each takes in and gives out."""

import numpy as np
import pytest

from cnnbook.nets import outlook


def test_every_problem_has_one_row_with_its_shapes():
    rows = outlook.comparison_rows()
    assert [row["problem"] for row in rows] == [entry.problem for entry in outlook.PROBLEMS]
    assert all(row["parameters"] > 0 for row in rows)
    by_problem = {row["problem"]: row for row in rows}
    assert by_problem["classification"]["output"] == str(outlook.NUM_CLASSES)
    assert by_problem["object detection"]["output"] == f"{outlook.NUM_CLASSES} and 4"


def test_segmenter_labels_every_pixel_at_any_size():
    model = outlook.segmenter()
    for side in (28, 56):
        x = np.zeros((1, side, side, 1), np.float32)
        probabilities = model(x).numpy()
        assert probabilities.shape == (1, side, side, 2)
        assert np.allclose(probabilities.sum(axis=-1), 1, atol=1e-5)


def test_generator_turns_noise_into_an_image_in_0_1():
    image = outlook.generator()(np.random.default_rng(0).normal(size=(2, outlook.NOISE_SIZE))).numpy()
    assert image.shape == (2, 28, 28, 1)
    assert image.min() >= 0 and image.max() <= 1


def test_q_network_gives_one_value_per_action_and_refuses_an_empty_state():
    assert outlook.q_network(state_size=3).output_shape == (None, outlook.ACTIONS)
    with pytest.raises(ValueError, match="state_size"):
        outlook.q_network(state_size=0)
