"""cnnbook.geometry: the lecture's worked sizes, every refusal, and agreement with real Keras layers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook import geometry
from cnnbook.geometry import DoesNotFit, output_size, receptive_field, same_padding

# ---- the lecture's worked examples ---------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "f", "stride", "padding", "size"),
    [
        (7, 3, 1, 0, 5),       # the lecture: N=7, F=3, stride 1
        (7, 3, 2, 0, 3),       # stride 2
        (7, 3, 1, 1, 7),       # padding 1 makes 7x7 a 9x9 input: (9 - 3)/1 + 1
        (32, 5, 1, 0, 28),     # 32x32x3 image, 5x5x3 filters, no padding
        (32, 5, 1, 1, 30),     # ... with padding 1, which the lecture claims but does not compute
        (32, 5, 1, 2, 32),     # (5 - 1)/2 zeros keep the size
        (1, 1, 1, 0, 1),
        (5, 5, 1, 0, 1),       # the filter covers the whole input: one position
        (1, 3, 1, 1, 1),       # ... after padding
        (7, 3, 3, 1, 3),       # stride 3 fits once one zero surrounds the image: (9 - 3)/3 + 1
        (28, 2, 2, 0, 14),     # a 2x2 pooling window at stride 2
    ],
)
def test_explicit_padding_examples(n, f, stride, padding, size):
    assert output_size(n, f, stride, padding) == size


def test_stride_three_does_not_fit_and_says_what_valid_and_same_would_do():
    with pytest.raises(DoesNotFit) as caught:
        output_size(7, 3, 3)
    message = str(caught.value)
    assert "2.33" in message and "not a whole number" in message
    assert "padding='valid'" in message and "gives 2" in message
    assert "padding='same'" in message and "= 3" in message
    assert caught.value.valid == 2 and caught.value.same == 3
    assert caught.value.value == pytest.approx(7 / 3)
    assert isinstance(caught.value, ValueError)   # callers may catch the general kind
    assert output_size(7, 3, 3, "valid") == 2
    assert output_size(7, 3, 3, "same") == 3


def test_does_not_fit_when_valid_has_no_position():
    with pytest.raises(DoesNotFit, match="'valid' has no position") as caught:
        output_size(2, 3, 2, 1)      # padded to 4: (4 - 3)/2 + 1 = 1.5
    assert caught.value.valid is None and caught.value.same == 1


@pytest.mark.parametrize(
    ("n", "f", "stride", "valid", "same"),
    [(7, 3, 1, 5, 7), (7, 3, 2, 3, 4), (7, 3, 3, 2, 3), (28, 2, 2, 14, 14), (7, 2, 2, 3, 4),
     (3, 2, 1, 2, 3), (5, 9, 2, None, 3), (1, 1, 4, 1, 1)],
)
def test_keras_padding_modes(n, f, stride, valid, same):
    assert output_size(n, f, stride, "same") == same
    assert output_size(n, f, stride, "SAME") == same          # Keras takes any letter case
    if valid is None:
        with pytest.raises(ValueError, match="filter larger than input"):
            output_size(n, f, stride, "valid")
    else:
        assert output_size(n, f, stride, "Valid") == valid


def test_padded_size():
    assert geometry.padded_size(7, 1) == 9
    assert geometry.padded_size(32, 0) == 32


@pytest.mark.parametrize(("f", "padding"), [(1, 0), (3, 1), (5, 2), (7, 3), (11, 5)])
def test_same_padding_keeps_the_size_at_stride_one(f, padding):
    assert same_padding(f) == padding
    assert output_size(20, f, 1, padding) == 20


@pytest.mark.parametrize("f", [2, 4, 6])
def test_even_filters_have_no_symmetric_padding(f):
    with pytest.raises(ValueError, match="even filter"):
        same_padding(f)


@pytest.mark.parametrize(
    ("layers", "field"),
    [
        ([], 1),
        ([(3, 1)], 3),
        ([(3, 1), (3, 1)], 5),                        # two 3x3 convolutions see 5x5
        ([(3, 1)] * 3, 7),
        ([(5, 1)], 5),
        ([(2, 2)], 2),
        ([(3, 1), (2, 2)], 4),
        ([(3, 1), (2, 2), (3, 1)], 8),                # after a pooling, each step counts twice
        ([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1), (2, 2)], 22),   # the lecture's MNIST CNN
        ([(5, 1), (2, 2), (5, 1), (2, 2)], 16),       # LeNet-5's first four layers
        (((3, 2), (3, 2)), 7),                        # any iterable of pairs
        ([[3, 1], [3, 1]], 5),
    ],
)
def test_receptive_field(layers, field):
    assert receptive_field(layers) == field


def test_window_starts():
    assert geometry.window_starts(7, 3, 1) == [0, 1, 2, 3, 4]
    assert geometry.window_starts(7, 3, 2) == [0, 2, 4]
    assert geometry.window_starts(7, 3, 3) == [0, 3]      # the third would start at 6 and stick out
    with pytest.raises(ValueError, match="filter larger than input"):
        geometry.window_starts(2, 3)


# ---- where the windows land, per side (what the calculator draws) --------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [   # (N, F, stride, padding): pad before, after, first, last, count, fits, overhang, unused
        ((7, 3, 1, 0), (0, 0, 0, 4, 5, True, 0, 0)),          # the lecture: 5 x 5
        ((7, 3, 2, 0), (0, 0, 0, 4, 3, True, 0, 0)),          # 3 x 3
        ((7, 3, 3, 0), (0, 0, 0, 3, 2, False, 2, 1)),         # the third would stick out 2
        ((7, 3, 1, 1), (1, 1, -1, 5, 7, True, 0, 0)),         # padding 1 keeps 7
        ((7, 3, 3, 1), (1, 1, -1, 5, 3, True, 0, 0)),         # ... and makes stride 3 fit
        ((7, 3, 3, "valid"), (0, 0, 0, 3, 2, True, 0, 1)),    # 'valid' drops the last column
        ((7, 3, 3, "same"), (1, 1, -1, 5, 3, True, 0, 0)),
        ((7, 2, 2, "same"), (0, 1, 0, 6, 4, True, 0, 0)),     # odd total: the extra zero after
        ((4, 2, 2, "valid"), (0, 0, 0, 2, 2, True, 0, 0)),    # the pooling chapter's 2x2 windows
        ((8, 1, 3, "same"), (0, 0, 0, 6, 3, True, 0, 1)),     # 'same' adds nothing, one cell unseen
        ((7, 1, 4, 0), (0, 0, 0, 4, 2, False, 2, 2)),         # the next window lies wholly outside
    ],
)
def test_axis_positions_of_the_lecture_and_beyond(case, expected):
    axis = geometry.axis_positions(*case)
    fields = ("pad_before", "pad_after", "first", "last", "count", "fits", "overhang", "unused")
    assert tuple(getattr(axis, name) for name in fields) == expected


def test_axis_starts():
    assert geometry.axis_positions(7, 3, 2).starts == [0, 2, 4]
    assert geometry.axis_positions(7, 3, 3).starts == [0, 3]
    assert geometry.axis_positions(7, 3, 1, 1).starts == list(range(-1, 6))
    assert geometry.axis_positions(3, 3, 5).starts == [0]


@pytest.mark.parametrize(
    ("n", "f", "stride", "sides"),
    [(7, 3, 1, (1, 1)), (7, 3, 3, (1, 1)), (7, 2, 2, (0, 1)), (28, 2, 2, (0, 0)), (5, 4, 1, (1, 2)),
     (1, 7, 1, (3, 3)), (8, 1, 3, (0, 0))],
)
def test_same_sides(n, f, stride, sides):
    assert geometry.same_sides(n, f, stride) == sides


@pytest.mark.parametrize(
    ("arguments", "error"),
    [((7, 3, 1, -1), ValueError), ((7, 3, 0, 0), ValueError), ((7, 3.0, 1, 0), TypeError),
     ((7, 3, 1, "full"), ValueError), ((3, 5, 1, "valid"), ValueError), ((3, 6, 1, 1), ValueError),
     ((True, 3, 1, 0), TypeError)],
)
def test_axis_positions_refuses_what_output_size_refuses(arguments, error):
    with pytest.raises(error):
        geometry.axis_positions(*arguments)
    with pytest.raises(error):
        output_size(*arguments)


@settings(max_examples=1000, deadline=None)
@given(n=st.integers(1, 64), f=st.integers(1, 9), stride=st.integers(1, 4),
       padding=st.integers(0, 5) | st.sampled_from(["valid", "same"]))
def test_axis_positions_agree_with_output_size_and_the_windows(n, f, stride, padding):
    from cnnbook import scratch

    try:
        size = output_size(n, f, stride, padding)
    except DoesNotFit as error:
        size = None
        error_value = error.value
    except ValueError:
        with pytest.raises(ValueError):
            geometry.axis_positions(n, f, stride, padding)
        return
    axis = geometry.axis_positions(n, f, stride, padding)
    padded = n + axis.pad_before + axis.pad_after
    assert (axis.pad_before, axis.pad_after) == scratch.padding_amounts(n, f, stride, padding)[:2]
    if size is None:
        assert not axis.fits and 0 < axis.overhang < stride
        assert axis.count + 1 - axis.overhang / stride == pytest.approx(error_value)
        assert axis.last + stride + f == padded - axis.pad_before + axis.overhang
    else:
        assert axis.fits and axis.overhang == 0 and axis.count == size
    assert [start + axis.pad_before for start in axis.starts] == geometry.window_starts(
        padded, f, stride)
    assert axis.unused == padded - axis.pad_before - (axis.last + f) >= 0
    assert axis.unused < stride                         # never a whole step left over


def test_two_decimals_rounds_half_up():
    assert geometry.two_decimals(7, 3) == "2.33"
    assert geometry.two_decimals(1, 8) == "0.13"      # format(0.125, ".2f") would give 0.12
    assert geometry.two_decimals(3, 2) == "1.50"
    assert geometry.two_decimals(10, 5) == "2.00"


# ---- every refusal -------------------------------------------------------------------------

BAD_TYPES = [True, False, 3.0, 2.5, "7", None, [7], np.float64(3)]


@pytest.mark.parametrize("argument", ["n", "f", "stride"])
@pytest.mark.parametrize("value", BAD_TYPES, ids=repr)
def test_non_int_sizes_are_type_errors(argument, value):
    arguments = {"n": 7, "f": 3, "stride": 1, "padding": 0, argument: value}
    with pytest.raises(TypeError, match=f"{argument} must be an int"):
        output_size(**arguments)


@pytest.mark.parametrize("argument", ["n", "f", "stride"])
@pytest.mark.parametrize("value", [0, -1, -7])
def test_non_positive_sizes_are_value_errors(argument, value):
    arguments = {"n": 7, "f": 3, "stride": 1, "padding": 0, argument: value}
    with pytest.raises(ValueError, match=f"{argument} must be positive, got {value}"):
        output_size(**arguments)


@pytest.mark.parametrize("value", [True, False, 1.0, 0.5, None, (1, 1), np.float32(1)], ids=repr)
def test_padding_of_the_wrong_type(value):
    with pytest.raises(TypeError, match="padding must be an int"):
        output_size(7, 3, 1, value)


@pytest.mark.parametrize("value", ["full", "causal", "", " same", "zeros"])
def test_unknown_padding_names(value):
    with pytest.raises(ValueError, match="unknown padding .*'valid' or 'same'"):
        output_size(7, 3, 1, value)


def test_negative_padding():
    with pytest.raises(ValueError, match="padding must be zero or more, got -1"):
        output_size(7, 3, 1, -1)


@pytest.mark.parametrize(("n", "f", "padding"), [(3, 4, 0), (1, 4, 1), (7, 10, 1), (7, 30, 10)])
def test_filter_larger_than_padded_input(n, f, padding):
    with pytest.raises(ValueError, match="filter larger than padded input") as caught:
        output_size(n, f, 1, padding)
    assert not isinstance(caught.value, DoesNotFit)


def test_numpy_integers_are_accepted():
    assert output_size(np.int64(7), np.int32(3), np.int8(2), np.int16(0)) == 3


@pytest.mark.parametrize(
    ("function", "arguments", "error"),
    [
        (same_padding, (3.0,), TypeError),
        (same_padding, (True,), TypeError),
        (same_padding, (0,), ValueError),
        (same_padding, (-3,), ValueError),
        (geometry.padded_size, (7, -1), ValueError),
        (geometry.padded_size, (7, 1.0), TypeError),
        (geometry.padded_size, (0, 1), ValueError),
        (geometry.window_starts, (7, 3, 0), ValueError),
        (geometry.window_starts, (7, 3.0), TypeError),
        (receptive_field, (None,), TypeError),
        (receptive_field, (3,), TypeError),
        (receptive_field, ("33",), TypeError),
        (receptive_field, ([3, 1],), TypeError),             # a pair, not a list of pairs
        (receptive_field, ([(3, 1, 1)],), TypeError),
        (receptive_field, ([(3.0, 1)],), TypeError),
        (receptive_field, ([(3, True)],), TypeError),
        (receptive_field, ([(0, 1)],), ValueError),
        (receptive_field, ([(3, 1), (3, -2)],), ValueError),
    ],
)
def test_invalid_arguments_of_the_helpers(function, arguments, error):
    with pytest.raises(error):
        function(*arguments)


def test_the_receptive_field_error_names_the_layer():
    with pytest.raises(ValueError, match="layer 1 stride must be positive"):
        receptive_field([(3, 1), (3, 0)])


def test_geometry_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, cnnbook.geometry; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# ---- properties of the arithmetic ----------------------------------------------------------

SIZES = st.integers(1, 64)
KERNELS = st.integers(1, 9)
STRIDES = st.integers(1, 4)
MODES = st.sampled_from(["valid", "same"])


@settings(max_examples=1000, deadline=None)
@given(n=SIZES, f=KERNELS, stride=STRIDES, padding=st.integers(0, 5))
def test_explicit_padding_is_the_formula_or_a_refusal(n, f, stride, padding):
    total = n + 2 * padding
    try:
        size = output_size(n, f, stride, padding)
    except DoesNotFit as error:
        assert f <= total and (total - f) % stride
        assert error.value == pytest.approx((total - f) / stride + 1)
        assert error.same == math.ceil(n / stride)
        assert error.valid == (None if f > n else (n - f) // stride + 1)
        return
    except ValueError:
        assert f > total
        return
    assert size == (total - f) / stride + 1
    starts = geometry.window_starts(total, f, stride)
    assert len(starts) == size and starts[-1] + f == total    # the last window ends at the edge


@settings(max_examples=1000, deadline=None)
@given(n=SIZES, f=st.integers(0, 5).map(lambda k: 2 * k + 1))
def test_same_padding_property(n, f):
    assert output_size(n, f, 1, same_padding(f)) == n == output_size(n, f, 1, "same")


@settings(max_examples=1000, deadline=None)
@given(layers=st.lists(st.tuples(KERNELS, STRIDES), max_size=8))
def test_receptive_field_by_brute_force(layers):
    """Follow one output value back through the stack: the span of input pixels it touches."""
    low, high = 0, 0                                   # one output position, index 0
    for kernel, stride in reversed(layers):
        low, high = low * stride, high * stride + kernel - 1
    assert receptive_field(layers) == high - low + 1


# ---- agreement with the shapes real Keras layers report -----------------------------------


@pytest.fixture(scope="module")
def keras():
    from cnnbook.runtime import keras

    return keras


def _ours(n, f, stride, padding):
    try:
        return output_size(n, f, stride, padding)
    except ValueError:
        return None


def _keras_spatial(layer, rows, cols, channels):
    try:
        shape = layer.compute_output_shape((None, rows, cols, channels))
    except ValueError:
        return None
    return shape


@settings(max_examples=1000, deadline=None)
@given(rows=SIZES, cols=SIZES, kh=KERNELS, kw=KERNELS, sh=STRIDES, sw=STRIDES, padding=MODES)
def test_conv2d_output_shape_matches_keras(keras, rows, cols, kh, kw, sh, sw, padding):
    layer = keras.layers.Conv2D(4, (kh, kw), strides=(sh, sw), padding=padding)
    shape = _keras_spatial(layer, rows, cols, 3)
    ours = (_ours(rows, kh, sh, padding), _ours(cols, kw, sw, padding))
    if None in ours:
        assert shape is None, (ours, shape)
    else:
        assert shape == (None, *ours, 4)


@settings(max_examples=1000, deadline=None)
@given(rows=SIZES, cols=SIZES, ph=KERNELS, pw=KERNELS, strides=st.none() | st.tuples(STRIDES, STRIDES),
       padding=MODES)
def test_maxpool2d_output_shape_matches_keras(keras, rows, cols, ph, pw, strides, padding):
    layer = keras.layers.MaxPool2D((ph, pw), strides=strides, padding=padding)
    sh, sw = strides or (ph, pw)                         # strides default to the pool size
    assert tuple(layer.strides) == (sh, sw)
    shape = _keras_spatial(layer, rows, cols, 5)
    ours = (_ours(rows, ph, sh, padding), _ours(cols, pw, sw, padding))
    if None in ours:
        assert shape is None, (ours, shape)
    else:
        assert shape == (None, *ours, 5)


@settings(max_examples=1000, deadline=None)
@given(n=SIZES, f=KERNELS, stride=STRIDES, padding=st.integers(0, 4))
def test_explicit_padding_is_zero_padding_then_valid(keras, n, f, stride, padding):
    """Keras has no numeric padding on Conv2D; ZeroPadding2D followed by 'valid' is the same."""
    padded = keras.layers.ZeroPadding2D(padding).compute_output_shape((None, n, n, 1))
    assert padded == (None, geometry.padded_size(n, padding), geometry.padded_size(n, padding), 1)
    shape = _keras_spatial(keras.layers.Conv2D(1, f, strides=stride, padding="valid"), *padded[1:])
    try:
        size = output_size(n, f, stride, padding)
    except DoesNotFit:
        # Keras drops the position that sticks out: the floor of the fractional size.
        assert shape[1] == (n + 2 * padding - f) // stride + 1
        return
    except ValueError:
        assert shape is None
        return
    assert shape == (None, size, size, 1)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(n=st.integers(1, 24), f=st.integers(1, 6), stride=STRIDES, padding=MODES, pool=st.booleans())
def test_real_layers_on_real_arrays(keras, n, f, stride, padding, pool):
    """Not only the shape a layer predicts: the shape of what it returns when run (slow: 10-30 s)."""
    if pool:
        layer = keras.layers.MaxPool2D(f, strides=stride, padding=padding)
    else:
        layer = keras.layers.Conv2D(1, f, strides=stride, padding=padding)
    size = _ours(n, f, stride, padding)
    # Running a window larger than its input is not a clean ValueError in TensorFlow: its oneDNN
    # kernels abort, and can take the process down. compute_output_shape covers the refusals above.
    assume(size is not None)
    assert tuple(layer(np.zeros((1, n, n, 1), np.float32)).shape) == (1, size, size, 1)


# ---- the drawings take their sizes from geometry -------------------------------------------


def _texts(figure) -> str:
    return " ".join(text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text")))


def test_diagrams_show_the_computed_sizes(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnnbook.figures import diagrams

    figure = diagrams.stride_positions(7, 3, (1, 2, 3))
    text = _texts(figure)
    assert "output 5" in text and "output 3" in text and "does not fit" in text and "2.33" in text
    figure = diagrams.lecture_filters(32, 3, 5, 6)
    text = _texts(figure)
    assert "28 x 28 x 6" in text and "30 x 30 x 6" in text
    assert "9 x 9" in _texts(diagrams.padding_grid(7, 1))
    plt.close("all")

    # A different rule in geometry changes the drawing: the sizes are not typed in diagrams.py.
    monkeypatch.setattr(geometry, "output_size", lambda n, f, stride=1, padding=0: 99)
    text = _texts(diagrams.lecture_filters(32, 3, 5, 6))
    assert "99 x 99 x 6" in text and "28 x 28" not in text
    plt.close("all")
