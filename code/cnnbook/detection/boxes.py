"""Box geometry for object detection (물체 검출), in NumPy: IoU, NMS, box regression, warping
and anchors.

One convention throughout, TensorFlow's: a box is a row ``[y1, x1, y2, x2]`` of floats (top,
left, bottom, right) and many boxes are an array of shape (N, 4). Coordinates are continuous
pixel positions: pixel (row r, column c) covers [r, r + 1) x [c, c + 1), so the box around
the pixels of rows 3 to 7 runs from y1 = 3 to y2 = 8 and is y2 - y1 = 5 pixels tall (no "+1").
A box may be flat (y2 = y1) but never inside out; NaN, infinity, a wrong shape or y2 < y1 is a
ValueError that names the offending box. No TensorFlow here: the tests hold these functions
to TensorFlow's where TensorFlow has one.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnnbook import checks

#: A box regression may grow or shrink a box at most this many times per side (log scale), so a
#: wild prediction cannot overflow to an infinite box.
MAX_LOG_SCALE = float(np.log(64.0))


# ---- validation ------------------------------------------------------------------------------


def as_boxes(boxes, name: str = "boxes") -> np.ndarray:
    """``boxes`` as a float64 (N, 4) array of valid [y1, x1, y2, x2] rows, or a clear ValueError."""
    try:
        array = np.asarray(boxes, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be numbers of shape (N, 4), [y1, x1, y2, x2] per row ({error})"
        ) from None
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), [y1, x1, y2, x2] per row; got shape {array.shape}")
    finite = np.isfinite(array).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise ValueError(f"{name}[{i}] = {array[i].tolist()} is not finite")
    inside_out = (array[:, 2] < array[:, 0]) | (array[:, 3] < array[:, 1])
    if inside_out.any():
        i = int(np.argmax(inside_out))
        raise ValueError(
            f"{name}[{i}] = {array[i].tolist()} has a negative size: boxes are [y1, x1, y2, x2] "
            "with y2 >= y1 and x2 >= x1"
        )
    return array


def _positive_boxes(boxes, name: str) -> np.ndarray:
    array = as_boxes(boxes, name)
    flat = (array[:, 2] <= array[:, 0]) | (array[:, 3] <= array[:, 1])
    if flat.any():
        i = int(np.argmax(flat))
        raise ValueError(
            f"{name}[{i}] = {array[i].tolist()} has zero height or width; box regression needs both"
        )
    return array


def as_scores(scores, count: int, name: str = "scores") -> np.ndarray:
    """``scores`` as finite float64 numbers, one per box, or a clear ValueError."""
    array = np.asarray(scores, dtype=np.float64)
    if array.shape != (count,):
        raise ValueError(f"{name} must have shape ({count},), one per box; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite numbers")
    return array


# ---- areas and overlaps ----------------------------------------------------------------------


def area(boxes) -> np.ndarray:
    """Area of each box, (y2 - y1) * (x2 - x1)."""
    b = as_boxes(boxes)
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def iou(boxes_a, boxes_b) -> np.ndarray:
    """Intersection over union (IoU) of every pair: an (N, M) matrix in [0, 1].

    IoU = area(A ∩ B) / area(A ∪ B); two flat boxes, whose union is empty, overlap 0.
    """
    a, b = as_boxes(boxes_a, "boxes_a"), as_boxes(boxes_b, "boxes_b")
    height = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(
        a[:, None, 0], b[None, :, 0]
    )
    width = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(
        a[:, None, 1], b[None, :, 1]
    )
    inter = np.clip(height, 0, None) * np.clip(width, 0, None)
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


# ---- non-maximum suppression -----------------------------------------------------------------


def non_max_suppression(
    boxes,
    scores,
    iou_threshold: float = 0.5,
    score_threshold: float = -np.inf,
    max_outputs: int | None = None,
) -> np.ndarray:
    """Greedy NMS (비최대 억제): indices of the boxes kept, best score first.

    Take the best-scoring box left, keep it, drop every box that overlaps it by IoU
    greater than ``iou_threshold``; repeat. Only boxes scoring above ``score_threshold``
    take part, and ties in score go to the lower index: the rules of
    ``tf.image.non_max_suppression``.
    """
    b = as_boxes(boxes)
    s = as_scores(scores, len(b))
    threshold = checks.fraction("iou_threshold", iou_threshold)
    if not isinstance(score_threshold, numbers.Real) or isinstance(
        score_threshold, bool
    ):
        raise ValueError(f"score_threshold must be a number, got {score_threshold!r}")
    if np.isnan(score_threshold):
        raise ValueError("score_threshold must be a number, got NaN")
    limit = (
        len(b)
        if max_outputs is None
        else checks.whole_number("max_outputs", max_outputs, minimum=0)
    )
    order = np.argsort(-s, kind="stable")
    order = order[s[order] > score_threshold]
    alive = np.ones(len(order), dtype=bool)
    keep: list[int] = []
    for position, index in enumerate(order):
        if len(keep) >= limit:
            break
        if not alive[position]:
            continue
        keep.append(int(index))
        alive &= iou(b[index : index + 1], b[order])[0] <= threshold
    return np.array(keep, dtype=np.int64)


def per_class_nms(boxes, scores, classes, iou_threshold: float = 0.5, score_threshold: float = -np.inf,
                  max_outputs: int | None = None) -> np.ndarray:
    """NMS within each class separately (a 3 never suppresses a 7), then all kept, best first."""
    b = as_boxes(boxes)
    s = as_scores(scores, len(b))
    c = np.asarray(classes)
    if c.shape != (len(b),) or not np.issubdtype(c.dtype, np.integer):
        raise ValueError(f"classes must be integers of shape ({len(b)},); got {c.dtype} {c.shape}")
    kept = [np.flatnonzero(c == k)[non_max_suppression(b[c == k], s[c == k], iou_threshold, score_threshold)]
            for k in np.unique(c)]
    kept = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    kept = kept[np.lexsort((kept, -s[kept]))]  # best score first, ties by index
    return kept if max_outputs is None else kept[: checks.whole_number("max_outputs", max_outputs, minimum=0)]


# ---- bounding-box regression -----------------------------------------------------------------


def centres(boxes) -> tuple[np.ndarray, ...]:
    """Centre row, centre column, height and width of each box."""
    boxes = as_boxes(boxes)
    height, width = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + height / 2, boxes[:, 1] + width / 2, height, width


def encode(ground_truth, proposals) -> np.ndarray:
    """R-CNN's regression targets: how to move and resize each proposal P onto its box
    G.

    Rows [ty, tx, th, tw] with ty = (Gy - Py) / Ph, tx = (Gx - Px) / Pw (centre shifts
    in units of the proposal's size, so they do not depend on the scale) and th = log(Gh
    / Ph), tw = log(Gw / Pw) (size ratios on a log scale).
    """
    g, p = (
        _positive_boxes(ground_truth, "ground_truth"),
        _positive_boxes(proposals, "proposals"),
    )
    if g.shape != p.shape:
        raise ValueError(
            f"need one ground-truth box per proposal; got {len(g)} and {len(p)}"
        )
    gy, gx, gh, gw = centres(g)
    py, px, ph, pw = centres(p)
    return np.stack(
        [(gy - py) / ph, (gx - px) / pw, np.log(gh / ph), np.log(gw / pw)], axis=1
    )


def decode(deltas, proposals, max_log_scale: float = MAX_LOG_SCALE) -> np.ndarray:
    """The inverse of :func:`encode`: apply [ty, tx, th, tw] to each proposal, giving boxes.

    th and tw are first limited to +-``max_log_scale``, so no prediction makes an infinite box.
    """
    p = _positive_boxes(proposals, "proposals")
    t = np.asarray(deltas, dtype=np.float64)
    if t.shape != p.shape or not np.isfinite(t).all():
        raise ValueError(f"deltas must be finite numbers of shape {p.shape}; got shape {t.shape}")
    py, px, ph, pw = centres(p)
    y, x = py + t[:, 0] * ph, px + t[:, 1] * pw
    h = ph * np.exp(np.clip(t[:, 2], -max_log_scale, max_log_scale))
    w = pw * np.exp(np.clip(t[:, 3], -max_log_scale, max_log_scale))
    return np.stack([y - h / 2, x - w / 2, y + h / 2, x + w / 2], axis=1)


def clip_boxes(boxes, height: float, width: float) -> np.ndarray:
    """Boxes cut to the image [0, height] x [0, width] (a box wholly outside becomes flat)."""
    b = as_boxes(boxes)
    if not (height > 0 and width > 0):
        raise ValueError(f"image size must be positive, got {height} x {width}")
    return np.clip(b, 0, [height, width, height, width])


# ---- warping -----------------------------------------------------------------------------


def crop_and_resize(image, boxes, size: int) -> np.ndarray:
    """Cut each box out of ``image`` and warp it to ``size`` x ``size`` (bilinear), as R-CNN does.

    Output pixel i samples the box at y1 + (i + 0.5) * (y2 - y1) / size, a pixel centre;
    samples beyond the image take the nearest edge pixel. For the box of the whole image this
    is ``tf.image.resize(..., "bilinear")`` without antialiasing. ``image`` is H x W or
    H x W x C; the result is (N, size, size) or (N, size, size, C).
    """
    img = np.asarray(image)
    if img.ndim not in (2, 3) or min(img.shape[:2]) < 1:
        raise ValueError(f"image must be H x W or H x W x C; got shape {img.shape}")
    b = as_boxes(boxes)
    size = checks.whole_number("size", size)
    height, width = img.shape[:2]
    steps = (np.arange(size) + 0.5) / size
    ys = b[:, 0, None] + steps * (b[:, 2] - b[:, 0])[:, None] - 0.5
    xs = b[:, 1, None] + steps * (b[:, 3] - b[:, 1])[:, None] - 0.5
    ys, xs = np.clip(ys, 0, height - 1), np.clip(xs, 0, width - 1)
    y0, x0 = np.floor(ys).astype(np.intp), np.floor(xs).astype(np.intp)
    y1, x1 = np.minimum(y0 + 1, height - 1), np.minimum(x0 + 1, width - 1)
    wy, wx = ys - y0, xs - x0
    extra = (None,) * (img.ndim - 2)  # broadcast the weights over channels
    wy, wx = wy[:, :, None][(...,) + extra], wx[:, None, :][(...,) + extra]

    def at(rows, cols):
        return img[rows[:, :, None], cols[:, None, :]].astype(np.float64)

    top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32 if img.dtype != np.float64 else np.float64)


# ---- anchors (Faster R-CNN) ------------------------------------------------------------------


def anchors(
    feature_shape: tuple[int, int], stride: float, scales, ratios
) -> np.ndarray:
    """Faster R-CNN's anchors: k = len(scales) * len(ratios) boxes centred on every
    feature cell.

    Cell (i, j) of an H x W map sits at image point ((i + 0.5) * stride, (j + 0.5) *
    stride). An anchor of scale s and ratio r (height / width) has area s^2: height s *
    sqrt(r), width s / sqrt(r). Rows are ordered by cell (row-major), then scale, then
    ratio: (H * W * k, 4).
    """
    height = checks.whole_number("feature height", feature_shape[0])
    width = checks.whole_number("feature width", feature_shape[1])
    stride = checks.positive_number("stride", stride)
    s, r = (
        np.asarray(scales, dtype=np.float64).ravel(),
        np.asarray(ratios, dtype=np.float64).ravel(),
    )
    for name, values in (("scales", s), ("ratios", r)):
        if values.size == 0 or not (np.isfinite(values) & (values > 0)).all():
            raise ValueError(
                f"{name} must be one or more positive numbers, got {values.tolist()}"
            )
    heights = (s[:, None] * np.sqrt(r)[None, :]).ravel()
    widths = (s[:, None] / np.sqrt(r)[None, :]).ravel()
    cy, cx = np.meshgrid(
        (np.arange(height) + 0.5) * stride,
        (np.arange(width) + 0.5) * stride,
        indexing="ij",
    )
    cy, cx = cy.reshape(-1, 1), cx.reshape(-1, 1)
    boxes = np.stack(
        [cy - heights / 2, cx - widths / 2, cy + heights / 2, cx + widths / 2], axis=-1
    )
    return boxes.reshape(-1, 4)


def label_anchors(
    anchor_boxes, ground_truth, positive: float = 0.7, negative: float = 0.3
) -> np.ndarray:
    """The RPN's training labels: 1 object, 0 background, -1 ignored.

    As Faster R-CNN: an anchor is positive if its IoU with some ground-truth box is
    above ``positive``, or if it is (one of) the anchors overlapping a ground-truth box
    most; negative if its IoU is below ``negative`` for every ground-truth box; the rest
    are ignored.
    """
    a = as_boxes(anchor_boxes, "anchor_boxes")
    g = as_boxes(ground_truth, "ground_truth")
    negative, positive = (
        checks.fraction("negative", negative),
        checks.fraction("positive", positive),
    )
    if negative > positive:
        raise ValueError(f"negative ({negative}) must not exceed positive ({positive})")
    labels = np.full(len(a), -1, dtype=np.int64)
    if len(g) == 0:
        labels[:] = 0
        return labels
    overlaps = iou(a, g)
    best = overlaps.max(axis=1)
    labels[best < negative] = 0
    most = overlaps.max(axis=0)
    labels[((overlaps == most) & (most > 0)).any(axis=1)] = 1
    labels[best > positive] = 1
    return labels
