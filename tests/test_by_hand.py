"""The lecture's worked examples, number for number, with real Keras layers and with scratch.py.

Also the API tables: they cover the arguments the syllabus names, with the installed defaults.
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest

from cnnbook import api_tables, scratch
from cnnbook.runtime import keras

#: The lecture's 3x3 image with values 1..9, shaped (count, rows, cols, channels).
IMAGE = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
#: One 2x2 filter of ones, shaped (rows, cols, channels, count).
ONES = np.ones((2, 2, 1, 1), dtype=np.float32)
VALID = [[12, 16], [24, 28]]
SAME = [[12, 16, 9], [24, 28, 15], [15, 17, 9]]
POOLED = [[5, 6, 6], [8, 9, 9], [8, 9, 9]]
#: The three-filter weights (1, 10, -1), bracketed correctly: shape (2, 2, 1, 3).
THREE = np.array(
    [[[[1.0, 10.0, -1.0]], [[1.0, 10.0, -1.0]]], [[[1.0, 10.0, -1.0]], [[1.0, 10.0, -1.0]]]],
    dtype=np.float32,
)


def keras_conv(kernel: np.ndarray, padding: str) -> np.ndarray:
    """Conv2D whose filters are set by a constant initializer, as the lecture does."""
    layer = keras.layers.Conv2D(
        filters=kernel.shape[-1],
        kernel_size=kernel.shape[:2],
        padding=padding,
        kernel_initializer=keras.initializers.Constant(kernel),
    )
    return np.asarray(layer(IMAGE))


def test_the_lectures_shapes():
    assert IMAGE.shape == (1, 3, 3, 1)
    assert ONES.shape == (2, 2, 1, 1)
    assert THREE.shape == (2, 2, 1, 3)
    np.testing.assert_array_equal(IMAGE.reshape(3, 3), [[1, 2, 3], [4, 5, 6], [7, 8, 9]])


@pytest.mark.parametrize(("padding", "expected"), [("valid", VALID), ("same", SAME)])
def test_one_filter_of_ones(padding, expected):
    expected = np.array(expected, dtype=np.float32)[None, :, :, None]
    for result in (keras_conv(ONES, padding), scratch.conv2d(IMAGE, ONES, padding=padding)):
        assert result.shape == expected.shape
        np.testing.assert_array_equal(result, expected)


def test_the_uppercase_spelling_of_the_lecture_still_works():
    np.testing.assert_array_equal(keras_conv(ONES, "SAME")[0, :, :, 0], SAME)
    np.testing.assert_array_equal(scratch.conv2d(IMAGE, ONES, padding="SAME")[0, :, :, 0], SAME)


def test_three_filters_give_the_same_map_times_1_10_and_minus_1():
    expected = np.stack([np.array(SAME) * w for w in (1, 10, -1)], axis=-1)[None].astype(np.float32)
    for result in (keras_conv(THREE, "same"), scratch.conv2d(IMAGE, THREE, padding="same")):
        assert result.shape == (1, 3, 3, 3)
        np.testing.assert_array_equal(result, expected)
        maps = np.swapaxes(result, 0, 3)  # the lecture's way to pull out one map per filter
        assert maps.shape == (3, 3, 3, 1)
        for weight, one_map in zip((1, 10, -1), maps):
            np.testing.assert_array_equal(one_map.reshape(3, 3), np.array(SAME) * weight)


#: The slide's literal, as printed. Its brackets balance in number, but the second row of the
#: filter lacks its own pair, so the nesting is ragged.
LECTURE_LITERAL = """[[[[1.0, 10.0, -1.0]], [[1.0, 10.0, -1.0]]],
 [[1.0, 10.0, -1.0]], [[1.0, 10.0, -1.0]]]"""


def test_the_lectures_three_filter_literal_does_not_run():
    from cnnbook.runtime import tf

    nested = ast.literal_eval(LECTURE_LITERAL)
    assert [np.shape(part) for part in nested] == [(2, 1, 3), (1, 3), (1, 3)]
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant(nested)
    with pytest.raises(ValueError, match="inhomogeneous"):
        np.array(nested)
    fixed = LECTURE_LITERAL.replace("\n [[", "\n [[[").removesuffix("]") + "]]"
    np.testing.assert_array_equal(ast.literal_eval(fixed), THREE)


def test_swapaxes_filters_come_out_one_per_row():
    maps = np.swapaxes(THREE, 0, 3)
    assert maps.shape == (3, 2, 1, 2)
    for weight, one_filter in zip((1, 10, -1), maps):
        np.testing.assert_array_equal(one_filter.reshape(2, 2), np.full((2, 2), weight))


def test_swapaxes_small_examples():
    x = np.array([[1, 2, 3]])
    assert np.swapaxes(x, 0, 1).shape == (3, 1)
    np.testing.assert_array_equal(np.swapaxes(x, 0, 1), [[1], [2], [3]])

    y = np.array([[[0, 1], [2, 3], [4, 5], [6, 7]]])
    assert y.shape == (1, 4, 2)
    assert np.swapaxes(y, 0, 1).shape == (4, 1, 2)
    np.testing.assert_array_equal(np.swapaxes(y, 0, 1)[:, 0], y[0])
    assert np.swapaxes(y, 0, 2).shape == (2, 4, 1)
    np.testing.assert_array_equal(np.swapaxes(y, 0, 2)[..., 0], [[0, 2, 4, 6], [1, 3, 5, 7]])
    assert np.swapaxes(y, 1, 2).shape == (1, 2, 4)
    np.testing.assert_array_equal(np.swapaxes(y, 1, 2), [[[0, 2, 4, 6], [1, 3, 5, 7]]])


def test_max_pooling_by_hand():
    layer = keras.layers.MaxPool2D(pool_size=(2, 2), strides=1, padding="same")
    expected = np.array(POOLED, dtype=np.float32)[None, :, :, None]
    for result in (np.asarray(layer(IMAGE)), scratch.max_pool2d(IMAGE, (2, 2), strides=1, padding="same")):
        assert result.shape == (1, 3, 3, 1)
        np.testing.assert_array_equal(result, expected)


SYLLABUS_ARGUMENTS = {
    keras.layers.Conv2D: [
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "data_format",
        "dilation_rate",
        "groups",
        "activation",
        "use_bias",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint",
    ],
    keras.layers.MaxPool2D: ["pool_size", "strides", "padding", "data_format"],
}
TABLES = {keras.layers.Conv2D: api_tables.conv2d_rows, keras.layers.MaxPool2D: api_tables.maxpool2d_rows}


@pytest.mark.parametrize("layer_class", list(TABLES), ids=lambda c: c.__name__)
def test_api_table_covers_the_syllabus_with_the_installed_defaults(layer_class):
    rows = TABLES[layer_class]()
    assert all(set(row) == {"argument", "default", "meaning"} for row in rows)
    by_name = {row["argument"]: row for row in rows}
    assert len(by_name) == len(rows)
    assert set(SYLLABUS_ARGUMENTS[layer_class]) <= set(by_name)
    for name, parameter in inspect.signature(layer_class).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            assert name not in by_name
            continue
        empty = parameter.default is inspect.Parameter.empty
        assert by_name[name]["default"] == (api_tables.REQUIRED if empty else repr(parameter.default))
    for name in SYLLABUS_ARGUMENTS[layer_class]:
        meaning = by_name[name]["meaning"]
        assert meaning != api_tables.UNDOCUMENTED and 10 < len(meaning) <= 2 * api_tables.SUMMARY_CHARS
        assert "`" not in meaning and "\n" not in meaning


def test_api_table_defaults_are_the_familiar_ones():
    conv = {row["argument"]: row["default"] for row in api_tables.conv2d_rows()}
    assert conv["filters"] == conv["kernel_size"] == api_tables.REQUIRED
    assert (conv["strides"], conv["padding"], conv["use_bias"]) == ("(1, 1)", "'valid'", "True")
    pool = {row["argument"]: row["default"] for row in api_tables.maxpool2d_rows()}
    assert (pool["pool_size"], pool["strides"], pool["padding"]) == ("(2, 2)", "None", "'valid'")


DOC = """Something.

    Args:
        alpha: int, the first. It has a second sentence that is long enough to be dropped
            because the summary keeps whole sentences under the limit only, and this one is
            far too long to fit.
        beta: Optional `thing` (e.g. a callable). Short again.

    Returns:
        gamma: not an argument.
"""


def test_docstring_args_parsing_and_summaries():
    args = api_tables.docstring_args(DOC)
    assert list(args) == ["alpha", "beta"]
    assert api_tables.summary(args["alpha"]) == "int, the first."
    assert api_tables.summary(args["beta"]) == "Optional thing (e.g. a callable). Short again."
    assert api_tables.docstring_args("No sections here.") == {}
    assert api_tables.docstring_args(None) == {}


def test_an_undocumented_argument_is_marked_not_invented():
    class Bare:
        """No Args section."""

        def __init__(self, size=3):
            pass

    assert api_tables.argument_rows(Bare) == [
        {"argument": "size", "default": "3", "meaning": api_tables.UNDOCUMENTED}
    ]


def test_feature_map_helpers_pull_out_maps_like_the_lecture():
    import matplotlib.pyplot as plt

    from cnnbook import anatomy
    from cnnbook.figures import feature_maps
    from cnnbook.nets import lecture

    maps = scratch.conv2d(IMAGE, THREE, padding="same")
    np.testing.assert_array_equal(feature_maps.per_map(maps), np.swapaxes(maps, 0, 3)[..., 0])
    with pytest.raises(ValueError, match="batch of one"):
        feature_maps.per_map(np.zeros((2, 3, 3, 1)))
    figures = [
        feature_maps.map_panels(maps),
        feature_maps.map_panels(np.zeros((4, 4, 10)), cols=4),
        feature_maps.filter_panels(THREE),
        feature_maps.shape_flow(anatomy.summary_rows(lecture.lecture_cnn()), (None, 28, 28, 1)),
    ]
    assert [len(fig.axes) for fig in figures] == [3, 12, 3 + 1, 2]  # filter_panels adds a colour bar
    with pytest.raises(ValueError, match="rows, cols, 1, filters"):
        feature_maps.filter_panels(np.zeros((3, 3, 2, 4)))
    for fig in figures:
        plt.close(fig)
