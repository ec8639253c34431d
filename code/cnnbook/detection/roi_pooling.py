"""RoI max pooling (Fast R-CNN): any box of a feature map cut into K x K bins, the maximum of each.

Boxes are in image pixels, ``[y1, x1, y2, x2]`` as in :mod:`cnnbook.detection.boxes`; the
feature map is ``stride`` image pixels per cell. :func:`roi_bins` says where the bins fall.
"""

from __future__ import annotations

import numpy as np

from cnnbook import checks
from cnnbook.detection.boxes import as_boxes

_POOL_CHUNK = 512  # boxes pooled per gather


def _one_box(box) -> np.ndarray:
    array = np.asarray(box, dtype=np.float64)
    if array.shape != (4,):
        raise ValueError(f"box must be one [y1, x1, y2, x2] row of 4 numbers; got shape {array.shape}")
    return array


def _bin_ranges(starts: np.ndarray, ends: np.ndarray, cells: int, k: int, stride: float) -> np.ndarray:
    """(N, K, 2) integer [start, end) of each box's K bins along one axis of ``cells`` cells."""
    first = np.clip(np.floor(starts / stride).astype(np.int64), 0, cells - 1)
    last = np.clip(np.ceil(ends / stride).astype(np.int64), first + 1, cells)
    n, i = (last - first)[:, None], np.arange(k)[None, :]
    return np.stack([first[:, None] + (i * n) // k, first[:, None] - ((-(i + 1) * n) // k)], axis=-1)


def roi_bins(box, feature_shape: tuple[int, int], output_size: int, stride: float = 1.0):
    """Where RoI pooling's bins fall on the feature map, as integer [start, end) rows and columns.

    The box is divided by ``stride`` (image pixels per feature cell) and widened to whole cells
    (floor of the start, ceiling of the end), cut to the map, and kept at least one cell wide.
    Its n cells are split into ``output_size`` bins: bin i spans floor(i n / K) to
    ceil((i + 1) n / K), so every bin holds at least one cell (bins may share a cell when n is
    not a multiple of K, or when n < K).
    Returns two (K, 2) integer arrays: row ranges and column ranges.
    """
    b = as_boxes(np.reshape(_one_box(box), (1, 4)), "box")
    height = checks.whole_number("feature height", feature_shape[0])
    width = checks.whole_number("feature width", feature_shape[1])
    k, stride = checks.whole_number("output_size", output_size), checks.positive_number("stride", stride)
    rows = _bin_ranges(b[:, 0], b[:, 2], height, k, stride)[0]
    return rows, _bin_ranges(b[:, 1], b[:, 3], width, k, stride)[0]


def block_maxima(features) -> np.ndarray:
    """The maximum of every block of 2^a x 2^b cells of an H x W x C map, for every a and b.

    ``table[a, b, y, x]`` is the maximum over rows y .. y + 2^a - 1 and columns
    x .. x + 2^b - 1 (entries whose block would leave the map are unused). Any rectangle of
    cells is covered by four such blocks, so its maximum costs four look-ups however large it
    is; the table is computed once per feature map, shared by all boxes.
    """
    fmap = np.asarray(features)
    height, width = fmap.shape[:2]
    levels_y, levels_x = height.bit_length(), width.bit_length()
    table = np.empty((levels_y, levels_x, *fmap.shape), dtype=fmap.dtype)
    table[0, 0] = fmap
    for a in range(1, levels_y):  # a block of 2^a rows is two blocks of 2^(a-1) rows
        half = 1 << (a - 1)
        table[a, 0, : height - half] = np.maximum(table[a - 1, 0, : height - half], table[a - 1, 0, half:])
    for b in range(1, levels_x):
        half = 1 << (b - 1)
        left, right = table[:, b - 1, :, : width - half], table[:, b - 1, :, half:]
        table[:, b, :, : width - half] = np.maximum(left, right)
    return table


def roi_max_pool(
    features, boxes, output_size: int = 7, stride: float = 1.0
) -> np.ndarray:
    """Fast R-CNN's RoI max pooling: each box's part of an H x W x C map -> K x K x C,
    max per bin.

    Boxes are in image pixels; ``stride`` is how many image pixels one feature cell
    spans (the product of the strides before the map). Bins follow :func:`roi_bins`. A
    bin of n x m cells is covered by four blocks of 2^a x 2^b cells (2^a <= n < 2^(a+1),
    likewise b), one from each corner; their maxima come from :func:`block_maxima` and
    the largest is the bin's maximum (where blocks overlap, a cell counted twice cannot
    change a maximum). Returns (N, K, K, C).
    """
    fmap = np.asarray(features)
    if fmap.ndim != 3 or min(fmap.shape) < 1:
        raise ValueError(f"features must be an H x W x C map; got shape {fmap.shape}")
    b = as_boxes(boxes)
    k, stride = (
        checks.whole_number("output_size", output_size),
        checks.positive_number("stride", stride),
    )
    rows = _bin_ranges(
        b[:, 0], b[:, 2], fmap.shape[0], k, stride
    )  # (N, K, 2) [start, end)
    cols = _bin_ranges(b[:, 1], b[:, 3], fmap.shape[1], k, stride)
    table = block_maxima(fmap)

    def corners(ranges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        level = np.log2(ranges[..., 1] - ranges[..., 0]).astype(
            np.intp
        )  # exact for whole numbers
        return level, np.stack([ranges[..., 0], ranges[..., 1] - (1 << level)], axis=-1)

    (level_y, y), (level_x, x) = corners(rows), corners(cols)
    out = np.empty((len(b), k, k, fmap.shape[2]), dtype=fmap.dtype)
    for start in range(0, len(b), _POOL_CHUNK):  # bounded memory for thousands of boxes
        n = slice(start, start + _POOL_CHUNK)
        blocks = table[
            level_y[n, :, None, None, None],
            level_x[n, None, :, None, None],
            y[n, :, None, :, None],
            x[n, None, :, None, :],
        ]  # (n, K, K, 2, 2, C)
        out[n] = blocks.max(axis=(3, 4))
    return out
