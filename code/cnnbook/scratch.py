"""Convolution and max pooling from scratch, in NumPy, to show what Conv2D and MaxPool2D compute.

The layouts are TensorFlow's, so results can be compared number for number: images are NHWC
``(count, rows, cols, channels)`` and kernels are HWIO ``(rows, cols, in channels, filters)``.
The convolution uses *im2col*: every window the filter visits is copied out as one row, and the
whole convolution becomes a single matrix product. That is also how fast libraries do it.

Like ``tf.nn.conv2d`` this is cross-correlation: the filter is not flipped. No TensorFlow here,
on purpose: the point is that plain arithmetic gives the same numbers.
"""

from __future__ import annotations

import numpy as np

from cnnbook import checks, geometry

PADDINGS = ("valid", "same")
IMAGES_LAYOUT = "(count, rows, cols, channels)"
KERNELS_LAYOUT = "(rows, cols, in channels, filters)"


def _positive_int(value) -> bool:
    try:
        checks.whole_number("value", value)
    except ValueError:
        return False
    return True


def _pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints, all positive, as a (rows, cols) pair."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(_positive_int(v) for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of positive ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _array4d(array, name: str, layout: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 4:
        raise ValueError(f"{name} must be 4-D {layout}, got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def padding_amounts(
    size: int, window: int, stride: int, padding
) -> tuple[int, int, int]:
    """(before, after, output size) along one axis, exactly as TensorFlow pads.

    'valid' adds nothing and drops windows that would run off the edge. 'same' makes the
    output ceil(size / stride) long and pads just enough for that; when the padding is
    odd, the extra row or column goes at the bottom or right. An int pads that much on
    both sides.
    """
    if isinstance(padding, str) and padding.lower() == "same":
        before, after = geometry.same_sides(size, window, stride)
        return before, after, geometry.output_size(size, window, stride, "same")
    if isinstance(padding, str) and padding.lower() == "valid":
        before = after = 0
    else:
        try:
            before = after = checks.whole_number("padding", padding, 0)
        except ValueError:
            raise ValueError(
                f"padding must be 'valid', 'same' or an int >= 0, got {padding!r}"
            ) from None
    padded = size + before + after
    if padded < window:
        raise ValueError(
            f"a window of {window} does not fit in {size} pixels "
            f"with padding {padding!r}"
        )
    return before, after, geometry.output_size(padded, window, stride, "valid")


def im2col(
    padded: np.ndarray, window: tuple[int, int], stride: tuple[int, int]
) -> np.ndarray:
    """Every window of an (already padded) NHWC batch, flattened into one row.

    Returns shape (count, out_rows, out_cols, window_rows * window_cols * channels), in
    the order (row, col, channel) that ``kernels.reshape(-1, filters)`` uses for HWIO
    kernels. It loops over the few offsets inside a window, not over the many window
    positions: at offset (i, j) every window's pixel is one strided slice of the image.
    """
    count, rows, cols, channels = padded.shape
    (kh, kw), (sh, sw) = window, stride
    out_rows, out_cols = (rows - kh) // sh + 1, (cols - kw) // sw + 1
    columns = np.empty(
        (count, out_rows, out_cols, kh, kw, channels), dtype=padded.dtype
    )
    for i in range(kh):
        for j in range(kw):
            columns[:, :, :, i, j, :] = padded[
                :, i : i + sh * out_rows : sh, j : j + sw * out_cols : sw, :
            ]
    return columns.reshape(count, out_rows, out_cols, kh * kw * channels)


def _pad(images: np.ndarray, window, stride, padding, fill: float) -> np.ndarray:
    (top, bottom, _), (left, right, _) = (
        padding_amounts(images.shape[axis], window[k], stride[k], padding) for k, axis in ((0, 1), (1, 2))
    )
    return np.pad(images, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)


def conv2d(images, kernels, bias=None, stride=1, padding="valid") -> np.ndarray:
    """A 2-D convolution (합성곱) of NHWC ``images`` with HWIO ``kernels``, like
    tf.nn.conv2d.

    Pad, cut every window out as a row (im2col), and multiply by the filters laid out as
    columns: one matrix product computes every filter at every position. ``bias`` (one
    number per filter) is added to every position of that filter's map.
    """
    images = _array4d(images, "images", IMAGES_LAYOUT)
    kernels = _array4d(kernels, "kernels", KERNELS_LAYOUT)
    kh, kw, in_channels, filters = kernels.shape
    if min(kernels.shape) < 1:
        raise ValueError(
            f"kernels must not have an empty axis, got shape {kernels.shape}"
        )
    if in_channels != images.shape[3]:
        raise ValueError(
            f"the kernels expect {in_channels} input channels (axis 2 of HWIO), "
            f"but the images have {images.shape[3]} (axis 3 of NHWC)"
        )
    stride = _pair(stride, "stride")
    dtype = np.result_type(images, kernels, np.float32)
    padded = _pad(images.astype(dtype, copy=False), (kh, kw), stride, padding, fill=0.0)
    columns = im2col(padded, (kh, kw), stride)
    out = columns @ kernels.astype(dtype, copy=False).reshape(
        kh * kw * in_channels, filters
    )
    if bias is not None:
        bias = np.asarray(bias)
        if bias.shape != (filters,):
            raise ValueError(
                f"bias must have shape ({filters},), one per filter, got {bias.shape}"
            )
        out = out + bias.astype(dtype, copy=False)
    return out


def max_pool2d(images, pool_size=(2, 2), strides=None, padding="valid") -> np.ndarray:
    """Max pooling (최대 풀링) of NHWC ``images``, like keras.layers.MaxPool2D.

    Each channel is pooled on its own: the largest value in every window. ``strides``
    defaults to the pool size, so windows tile the image without overlap. 'same' pads with
    -inf, never 0, so padding can never win the maximum (a map of negative values stays
    negative).
    """
    images = _array4d(images, "images", IMAGES_LAYOUT)
    if not (isinstance(padding, str) and padding.lower() in PADDINGS):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    window = _pair(pool_size, "pool_size")
    stride = window if strides is None else _pair(strides, "strides")
    dtype = np.result_type(images, np.float32)
    padded = _pad(images.astype(dtype, copy=False), window, stride, padding, fill=-np.inf)
    columns = im2col(padded, window, stride)
    # Each row holds the window's pixels in (row, col, channel) order: split the channels off.
    windows = columns.reshape(*columns.shape[:3], window[0] * window[1], images.shape[3])
    return windows.max(axis=3)
