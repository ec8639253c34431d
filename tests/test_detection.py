"""cnnbook.detection: hand-computed cases, properties, and agreement with TensorFlow where it has one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook import detection as d

# ---- strategies ------------------------------------------------------------------------------

COORD = st.floats(-50, 50, allow_nan=False, width=32)
SIDE = st.floats(0.5, 40, allow_nan=False, width=32)


@st.composite
def boxes(draw, min_size=0, max_size=12, flat=False):
    n = draw(st.integers(min_size, max_size))
    side = st.floats(0, 40, width=32) if flat else SIDE
    rows = [(y, x, y + h, x + w) for y, x, h, w in
            (draw(st.tuples(COORD, COORD, side, side)) for _ in range(n))]
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def random_boxes(rng, n, low=0.0, high=50.0, side=(1.0, 30.0)):
    corner = rng.uniform(low, high, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(*side, (n, 2))], axis=1)


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1, 2, 3, 4], r"shape \(N, 4\).*\(4,\)"),
        ([[1, 2, 3]], r"shape \(N, 4\).*\(1, 3\)"),
        (np.zeros((2, 4, 1)), r"shape \(N, 4\)"),
        ([[0, 0, 1, np.nan]], r"boxes\[0\].*not finite"),
        ([[0, 0, 1, 1], [0, 0, np.inf, 1]], r"boxes\[1\].*not finite"),
        ([[0, 0, 1, 1], [0, 5, 1, 4]], r"boxes\[1\].*negative size"),
        ([[3, 0, 2, 1]], r"boxes\[0\].*negative size"),
        ([[0, 0, 1], [0, 0, 1, 1]], r"numbers of shape \(N, 4\)"),
        ([["a", 0, 1, 1]], r"numbers of shape \(N, 4\)"),
    ],
)
def test_invalid_boxes_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        d.as_boxes(bad)


def test_valid_boxes_pass_unchanged():
    assert d.as_boxes(np.zeros((0, 4))).shape == (0, 4)
    boxes = [[0, 0, 0, 0], [1.5, 2, 3, 2]]      # flat boxes are valid
    assert np.array_equal(d.as_boxes(boxes), np.array(boxes, dtype=float))
    assert d.as_boxes(np.array([[1, 2, 3, 4]], dtype=np.int32)).dtype == np.float64


def test_every_function_validates_its_boxes():
    bad = [[0, 0, -1, 1]]
    good = [[0, 0, 1, 1]]
    calls = [
        lambda: d.area(bad),
        lambda: d.iou(good, bad),
        lambda: d.non_max_suppression(bad, [1.0]),
        lambda: d.encode(bad, good),
        lambda: d.decode([[0, 0, 0, 0]], bad),
        lambda: d.crop_and_resize(np.zeros((4, 4)), bad, 2),
        lambda: d.roi_max_pool(np.zeros((4, 4, 1)), bad, 2),
        lambda: d.label_anchors(good, bad),
        lambda: d.match_detections(bad, [1.0], good),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="negative size"):
            call()


def test_detection_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, cnnbook.detection; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# ---- area and IoU ----------------------------------------------------------------------------


def test_area_and_iou_by_hand():
    a = [[0, 0, 2, 2]]
    assert d.area([[0, 0, 2, 2], [1, 1, 4, 2], [3, 3, 3, 9]]).tolist() == [4, 3, 0]
    cases = {
        (1, 1, 3, 3): 1 / 7,        # overlap 1, union 4 + 4 - 1
        (0, 0, 2, 2): 1.0,
        (0, 1, 2, 3): 2 / 6,        # half of each
        (2, 0, 4, 2): 0.0,          # sharing an edge is no overlap
        (5, 5, 6, 6): 0.0,
        (0, 0, 1, 1): 1 / 4,        # inside
        (-1, -1, 3, 3): 4 / 16,     # around
    }
    result = d.iou(a, list(cases))
    assert result.shape == (1, len(cases))
    assert np.allclose(result[0], list(cases.values()))


def test_iou_of_flat_boxes_is_zero():
    assert d.iou([[1, 1, 1, 1]], [[1, 1, 1, 1]])[0, 0] == 0.0
    assert d.iou([[0, 0, 2, 2]], [[1, 0, 1, 2]])[0, 0] == 0.0


def test_iou_matrix_shapes():
    assert d.iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    a, b = random_boxes(np.random.default_rng(0), 3), random_boxes(np.random.default_rng(1), 5)
    assert d.iou(a, b).shape == (3, 5)


@settings(max_examples=300, deadline=None)
@given(a=boxes(flat=True), b=boxes(flat=True))
def test_iou_is_symmetric_and_in_unit_range(a, b):
    forward, backward = d.iou(a, b), d.iou(b, a)
    assert np.allclose(forward, backward.T)
    assert ((forward >= 0) & (forward <= 1 + 1e-12)).all()


@settings(max_examples=200, deadline=None)
@given(a=boxes(min_size=1))
def test_iou_with_itself_is_one(a):
    assert np.allclose(np.diag(d.iou(a, a)), 1.0)


@settings(max_examples=200, deadline=None)
@given(a=boxes(min_size=1, max_size=1), shift=st.floats(0.0, 1.0))
def test_iou_falls_as_a_box_slides_away(a, shift):
    moved = a + [0, shift * 100, 0, shift * 100]
    further = a + [0, shift * 100 + 1, 0, shift * 100 + 1]
    assert d.iou(a, further)[0, 0] <= d.iou(a, moved)[0, 0] + 1e-12


# ---- non-maximum suppression -----------------------------------------------------------------


def test_nms_by_hand():
    boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [0, 20, 10, 30], [0, 0, 10, 9]]
    scores = [0.9, 0.8, 0.7, 0.95]
    # box 3 is best; box 0 overlaps it by 0.9 and box 1 overlaps box 3 by 0.61: both go.
    assert d.non_max_suppression(boxes, scores, 0.5).tolist() == [3, 2]
    # At 0.65 box 1 survives box 3 (0.61) but not box 0, which is already gone: it stays.
    assert d.non_max_suppression(boxes, scores, 0.65).tolist() == [3, 1, 2]
    assert d.non_max_suppression(boxes, scores, 0.95).tolist() == [3, 0, 1, 2]
    assert d.non_max_suppression(boxes, scores, 0.5, score_threshold=0.92).tolist() == [3]
    assert d.non_max_suppression(boxes, scores, 1.0, max_outputs=2).tolist() == [3, 0]
    assert d.non_max_suppression(boxes, scores, 1.0, max_outputs=0).tolist() == []
    assert d.non_max_suppression(np.zeros((0, 4)), []).tolist() == []


def test_nms_ties_go_to_the_lower_index():
    same = [[0, 0, 1, 1]] * 3
    assert d.non_max_suppression(same, [0.5, 0.5, 0.5]).tolist() == [0]
    assert d.non_max_suppression(same, [0.5, 0.5, 0.5], iou_threshold=1.0).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"iou_threshold": 1.5}, "iou_threshold"),
        ({"iou_threshold": -0.1}, "iou_threshold"),
        ({"iou_threshold": True}, "iou_threshold"),
        ({"score_threshold": float("nan")}, "score_threshold"),
        ({"score_threshold": "0.5"}, "score_threshold"),
        ({"max_outputs": -1}, "max_outputs"),
        ({"max_outputs": 1.5}, "max_outputs"),
        ({"scores": [0.5]}, r"scores must have shape \(2,\)"),
        ({"scores": [0.5, float("nan")]}, "finite"),
    ],
)
def test_nms_refuses_bad_arguments(kwargs, message):
    arguments = {"boxes": [[0, 0, 1, 1], [0, 0, 2, 2]], "scores": [0.5, 0.6], **kwargs}
    with pytest.raises(ValueError, match=message):
        d.non_max_suppression(**arguments)


def _tf_nms(boxes, scores, iou_threshold, score_threshold=-np.inf, max_outputs=None):
    from cnnbook.runtime import tf

    limit = len(boxes) if max_outputs is None else max_outputs
    return tf.image.non_max_suppression(
        boxes.astype(np.float32), scores.astype(np.float32), max_output_size=limit,
        iou_threshold=iou_threshold, score_threshold=score_threshold,
    ).numpy()


def _clear_of(boxes, threshold, margin=1e-4):
    """No pair of boxes overlaps within ``margin`` of the threshold, where float32 (TensorFlow)
    and float64 could round apart; an IoU of exactly 0 or 1 is the same in both."""
    overlaps = d.iou(boxes, boxes)
    exact = (overlaps == 0) | (overlaps == 1)
    return not ((np.abs(overlaps - threshold) < margin) & ~exact).any()


@pytest.mark.parametrize("seed", range(200))
def test_nms_equals_tensorflow_on_random_cases(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 40))
    boxes = random_boxes(rng, n).astype(np.float32).astype(np.float64)
    scores = rng.random(n).astype(np.float32).astype(np.float64)
    if seed % 4 == 0:
        scores = np.round(scores, 1)            # many ties
    threshold = float(rng.choice([0.0, 0.1, 0.3, 0.5, 0.7, 1.0, rng.random()]))
    score_threshold = float(rng.choice([-np.inf, 0.2, 0.5]))
    max_outputs = None if seed % 3 else int(rng.integers(0, 6))
    while not _clear_of(boxes, threshold):  # an overlap on the threshold: move the threshold off it
        threshold += 3e-4 if threshold < 0.5 else -3e-4
    mine = d.non_max_suppression(boxes, scores, threshold, score_threshold, max_outputs)
    assert mine.tolist() == _tf_nms(boxes, scores, threshold, score_threshold, max_outputs).tolist()


@settings(max_examples=150, deadline=None)
@given(b=boxes(max_size=20), data=st.data(), threshold=st.floats(0, 1, width=32))
def test_nms_equals_tensorflow_property(b, data, threshold):
    # No subnormal scores: TensorFlow flushes them to zero, which makes ties NumPy does not see.
    score = st.floats(0, 1, width=32, allow_subnormal=False)
    scores = np.array(data.draw(st.lists(score, min_size=len(b), max_size=len(b))))
    b = b.astype(np.float32).astype(np.float64)
    assume(_clear_of(b, threshold))
    assert d.non_max_suppression(b, scores, threshold).tolist() == _tf_nms(b, scores, threshold).tolist()


@settings(max_examples=200, deadline=None)
@given(b=boxes(max_size=15), data=st.data(), threshold=st.floats(0, 1))
def test_nms_output_is_sorted_and_spread_out(b, data, threshold):
    scores = np.array(data.draw(st.lists(st.floats(0, 1), min_size=len(b), max_size=len(b))))
    kept = d.non_max_suppression(b, scores, threshold)
    assert len(set(kept.tolist())) == len(kept)
    assert (np.diff(scores[kept]) <= 0).all()
    overlaps = d.iou(b[kept], b[kept])
    assert (overlaps[np.triu_indices(len(kept), 1)] <= threshold).all()
    dropped = np.setdiff1d(np.arange(len(b)), kept)
    if len(kept) and len(dropped):  # every dropped box was suppressed by a kept, better box
        assert (d.iou(b[dropped], b[kept]).max(axis=1) > threshold).all()


def test_per_class_nms():
    boxes = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 9], [20, 20, 30, 30]]
    scores = [0.6, 0.9, 0.8, 0.7]
    classes = np.array([3, 7, 3, 3])
    # Box 0 and box 2 overlap (class 3): 2 wins; box 1 is a 7 and suppresses nothing of class 3.
    assert d.per_class_nms(boxes, scores, classes, 0.5).tolist() == [1, 2, 3]
    assert d.per_class_nms(boxes, scores, classes, 0.5, max_outputs=2).tolist() == [1, 2]
    assert d.per_class_nms(np.zeros((0, 4)), [], np.zeros(0, dtype=int)).tolist() == []
    with pytest.raises(ValueError, match="classes must be integers"):
        d.per_class_nms(boxes, scores, [0.5, 1, 1, 1])


# ---- box regression --------------------------------------------------------------------------


def test_encode_by_hand():
    proposal = [[0, 0, 10, 10]]          # centre (5, 5), 10 x 10
    truth = [[2, 1, 12, 21]]             # centre (7, 11), 10 tall, 20 wide
    t = d.encode(truth, proposal)
    assert np.allclose(t, [[0.2, 0.6, 0.0, math.log(2)]])
    assert np.allclose(d.decode(t, proposal), truth)
    assert np.allclose(d.encode(proposal, proposal), 0)


def test_encode_is_scale_free():
    p, g = np.array([[0, 0, 10, 10.0]]), np.array([[2, 1, 12, 21.0]])
    assert np.allclose(d.encode(g * 3 + 7, p * 3 + 7), d.encode(g, p))


@settings(max_examples=300, deadline=None)
@given(g=boxes(min_size=1, max_size=8), data=st.data())
def test_decode_inverts_encode(g, data):
    p = data.draw(boxes(min_size=len(g), max_size=len(g)))
    t = d.encode(g, p)
    assume((np.abs(t[:, 2:]) < d.MAX_LOG_SCALE).all())   # beyond it, decode limits the size
    assert np.allclose(d.decode(t, p), g, atol=1e-6)


def test_decode_limits_wild_predictions():
    out = d.decode([[0, 0, 1e6, -1e6]], [[0, 0, 10, 10]])
    assert np.isfinite(out).all()
    height, width = out[0, 2] - out[0, 0], out[0, 3] - out[0, 1]
    assert height == pytest.approx(10 * math.exp(d.MAX_LOG_SCALE)) and width == pytest.approx(10 / 64)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: d.encode([[0, 0, 1, 1]], [[0, 0, 0, 1]]), "zero height or width"),
        (lambda: d.encode([[0, 0, 1, 0]], [[0, 0, 1, 1]]), "zero height or width"),
        (lambda: d.encode([[0, 0, 1, 1]] * 2, [[0, 0, 1, 1]]), "one ground-truth box per proposal"),
        (lambda: d.decode([[0, 0, 0]], [[0, 0, 1, 1]]), "deltas must be finite numbers of shape"),
        (lambda: d.decode([[0, 0, np.nan, 0]], [[0, 0, 1, 1]]), "deltas must be finite"),
        (lambda: d.clip_boxes([[0, 0, 1, 1]], 0, 5), "image size must be positive"),
    ],
)
def test_regression_refusals(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_clip_boxes():
    clipped = d.clip_boxes([[-3, 2, 5, 70], [70, 70, 80, 80]], 64, 64)
    assert clipped.tolist() == [[0, 2, 5, 64], [64, 64, 64, 64]]


# ---- warping ---------------------------------------------------------------------------------


def _bilinear_reference(image, box, size):
    """One pixel at a time: sample the box at output pixel centres, clamp to the image."""
    height, width = image.shape[:2]
    y1, x1, y2, x2 = box
    out = np.zeros((size, size) + image.shape[2:])
    for i in range(size):
        for j in range(size):
            y = min(max(y1 + (i + 0.5) * (y2 - y1) / size - 0.5, 0), height - 1)
            x = min(max(x1 + (j + 0.5) * (x2 - x1) / size - 0.5, 0), width - 1)
            r, c = int(math.floor(y)), int(math.floor(x))
            r2, c2 = min(r + 1, height - 1), min(c + 1, width - 1)
            fy, fx = y - r, x - c
            out[i, j] = ((1 - fy) * ((1 - fx) * image[r, c] + fx * image[r, c2])
                         + fy * ((1 - fx) * image[r2, c] + fx * image[r2, c2]))
    return out


@pytest.mark.parametrize("channels", [None, 3])
@pytest.mark.parametrize("size", [1, 5, 28, 40])
def test_crop_of_the_whole_image_is_tf_resize(channels, size):
    from cnnbook.runtime import tf

    rng = np.random.default_rng(size)
    shape = (17, 23) if channels is None else (17, 23, channels)
    image = rng.random(shape, dtype=np.float32)
    mine = d.crop_and_resize(image, [[0, 0, 17, 23]], size)[0]
    as_tf = image if channels else image[..., None]
    reference = tf.image.resize(as_tf, (size, size), "bilinear", antialias=False).numpy()
    assert np.allclose(mine, reference if channels else reference[..., 0], atol=1e-5)


def test_crop_and_resize_equals_the_slow_reference():
    rng = np.random.default_rng(3)
    image = rng.random((20, 30))
    b = random_boxes(rng, 12, low=-5, high=28, side=(0.0, 20.0))
    out = d.crop_and_resize(image, b, 7)
    assert out.shape == (12, 7, 7) and out.dtype == np.float64
    for box, crop in zip(b, out):
        assert np.allclose(crop, _bilinear_reference(image, box, 7))


def test_crop_and_resize_refusals():
    with pytest.raises(ValueError, match="image must be"):
        d.crop_and_resize(np.zeros(5), [[0, 0, 1, 1]], 3)
    with pytest.raises(ValueError, match="size must be positive, got 0"):
        d.crop_and_resize(np.zeros((5, 5)), [[0, 0, 1, 1]], 0)


# ---- RoI pooling -----------------------------------------------------------------------------


def _roi_reference(fmap, box, k, stride):
    """A slow, literal RoI max pooling: cells by floor/ceil, bins by floor/ceil, one max each."""
    height, width = fmap.shape[:2]
    y1, x1, y2, x2 = np.asarray(box) / stride
    r0 = min(max(math.floor(y1), 0), height - 1)
    r1 = min(max(math.ceil(y2), r0 + 1), height)
    c0 = min(max(math.floor(x1), 0), width - 1)
    c1 = min(max(math.ceil(x2), c0 + 1), width)
    out = np.zeros((k, k, fmap.shape[2]))
    for i in range(k):
        for j in range(k):
            rows = range(r0 + math.floor(i * (r1 - r0) / k), r0 + math.ceil((i + 1) * (r1 - r0) / k))
            cols = range(c0 + math.floor(j * (c1 - c0) / k), c0 + math.ceil((j + 1) * (c1 - c0) / k))
            assert len(rows) and len(cols), "every bin must hold a cell"
            for channel in range(fmap.shape[2]):
                out[i, j, channel] = max(fmap[r, c, channel] for r in rows for c in cols)
    return out


def test_roi_pooling_by_hand():
    fmap = np.arange(16.0).reshape(4, 4, 1)
    whole = d.roi_max_pool(fmap, [[0, 0, 4, 4]], 2)[0, :, :, 0]
    assert whole.tolist() == [[5, 7], [13, 15]]
    # The image-space box [0, 0, 4, 4] at stride 2 covers the top-left 2 x 2 cells.
    assert d.roi_max_pool(fmap, [[0, 0, 4, 4]], 1, stride=2)[0, 0, 0, 0] == 5
    # Three cells into two bins: rows 0-1 and 1-2 share row 1.
    rows, cols = d.roi_bins([0, 0, 3, 3], (4, 4), 2)
    assert rows.tolist() == [[0, 2], [1, 3]] and cols.tolist() == [[0, 2], [1, 3]]
    assert d.roi_max_pool(fmap, [[0, 0, 3, 3]], 2)[0, :, :, 0].tolist() == [[5, 6], [9, 10]]
    # One cell into three bins: every bin is that cell.
    assert d.roi_max_pool(fmap, [[1, 2, 1.5, 2.5]], 3)[0, :, :, 0].tolist() == [[6] * 3] * 3


@pytest.mark.parametrize("seed", range(10))
def test_roi_pooling_equals_the_slow_reference(seed):
    rng = np.random.default_rng(seed)
    fmap = rng.normal(size=(int(rng.integers(1, 15)), int(rng.integers(1, 15)), 3))
    b = random_boxes(rng, 20, low=-10, high=60, side=(0.0, 50.0))
    for k in (1, 2, 3, 7):
        for stride in (1, 2, 3.5):
            pooled = d.roi_max_pool(fmap, b, k, stride)
            assert pooled.shape == (20, k, k, 3)
            for box, out in zip(b, pooled):
                assert np.array_equal(out, _roi_reference(fmap, box, k, stride))


def test_block_maxima_by_brute_force():
    fmap = np.random.default_rng(5).normal(size=(9, 6, 2))
    table = d.block_maxima(fmap)
    assert table.shape == (4, 3, 9, 6, 2)          # blocks of 1, 2, 4, 8 rows and 1, 2, 4 columns
    for a in range(4):
        for b in range(3):
            for y in range(9 - 2**a + 1):
                for x in range(6 - 2**b + 1):
                    block = fmap[y : y + 2**a, x : x + 2**b]
                    assert np.array_equal(table[a, b, y, x], block.max(axis=(0, 1)))


def test_roi_pooling_of_many_boxes_in_chunks():
    rng = np.random.default_rng(11)
    fmap = rng.normal(size=(20, 20, 4)).astype(np.float32)
    b = random_boxes(rng, 1100, low=-5, high=40, side=(0.0, 35.0))
    pooled = d.roi_max_pool(fmap, b, 5, 2)
    assert pooled.dtype == np.float32
    for n in (0, 511, 512, 513, 1023, 1024, 1099):
        assert np.array_equal(pooled[n], _roi_reference(fmap, b[n], 5, 2))


@settings(max_examples=300, deadline=None)
@given(box=boxes(min_size=1, max_size=1, flat=True), k=st.integers(1, 9), h=st.integers(1, 12),
       w=st.integers(1, 12), stride=st.sampled_from([1, 2, 4, 16, 0.5]))
def test_every_bin_is_inside_the_map_and_not_empty(box, k, h, w, stride):
    rows, cols = d.roi_bins(box[0], (h, w), k, stride)
    for ranges, cells in ((rows, h), (cols, w)):
        assert (ranges[:, 0] >= 0).all() and (ranges[:, 1] <= cells).all()
        assert (ranges[:, 1] > ranges[:, 0]).all()
        assert (np.diff(ranges[:, 0]) >= 0).all()          # bins run in order
        assert (ranges[1:, 0] <= ranges[:-1, 1]).all()      # and leave no gap


def test_roi_pooling_refusals():
    with pytest.raises(ValueError, match="H x W x C"):
        d.roi_max_pool(np.zeros((4, 4)), [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="stride must be a positive number"):
        d.roi_max_pool(np.zeros((4, 4, 1)), [[0, 0, 1, 1]], 2, stride=0)
    with pytest.raises(ValueError, match="output_size"):
        d.roi_max_pool(np.zeros((4, 4, 1)), [[0, 0, 1, 1]], 0)
    with pytest.raises(ValueError, match="one .* row of 4 numbers"):
        d.roi_bins([0, 0, 1], (4, 4), 2)
    assert d.roi_max_pool(np.zeros((4, 4, 2)), np.zeros((0, 4)), 3).shape == (0, 3, 3, 2)


# ---- anchors ---------------------------------------------------------------------------------


def test_anchors_count_centres_and_shapes():
    scales, ratios = [8, 16, 32], [0.5, 1, 2]
    a = d.anchors((5, 7), 4, scales, ratios)
    k = len(scales) * len(ratios)
    assert a.shape == (5 * 7 * k, 4)
    centres = np.stack(d.centres(a)[:2], axis=1).reshape(5, 7, k, 2)
    assert np.allclose(centres[..., 0], ((np.arange(5) + 0.5) * 4)[:, None, None])
    assert np.allclose(centres[..., 1], ((np.arange(7) + 0.5) * 4)[None, :, None])
    _, _, h, w = d.centres(a[:k])
    assert np.allclose(h * w, np.repeat(np.square(scales), len(ratios)))      # area s^2
    assert np.allclose(h / w, np.tile(ratios, len(scales)))                   # ratio h/w


def test_the_paper_anchor_count():
    # Faster R-CNN: 3 scales x 3 ratios = 9 anchors per position.
    assert len(d.anchors((1, 1), 16, [128, 256, 512], [0.5, 1, 2])) == 9


@pytest.mark.parametrize(
    "arguments",
    [((0, 5), 4, [8], [1]), ((5, 5), 0, [8], [1]), ((5, 5), 4, [], [1]), ((5, 5), 4, [8], [-1]),
     ((5, 5), 4, [np.nan], [1]), ((5, 2.5), 4, [8], [1])],
)
def test_anchor_refusals(arguments):
    with pytest.raises(ValueError):
        d.anchors(*arguments)


def test_label_anchors_by_hand():
    anchors = [[0, 0, 10, 10], [0, 0, 10, 8], [0, 0, 10, 5], [20, 20, 30, 30], [0, 6, 10, 16]]
    truth = [[0, 0, 10, 10]]
    # IoU: 1.0, 0.8, 0.5, 0.0, 0.25 -> positive, positive, ignored, negative, negative
    assert d.label_anchors(anchors, truth).tolist() == [1, 1, -1, 0, 0]
    # A box no anchor overlaps well still gets its best anchor as a positive.
    assert d.label_anchors(anchors, [[0, 0, 10, 3]]).tolist() == [-1, -1, 1, 0, 0]
    assert d.label_anchors(anchors, np.zeros((0, 4))).tolist() == [0] * 5
    with pytest.raises(ValueError, match="must not exceed"):
        d.label_anchors(anchors, truth, positive=0.2, negative=0.3)


# ---- average precision -----------------------------------------------------------------------


def test_average_precision_by_hand():
    # Ranked: hit, miss, hit; two objects. Precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1.
    precision, recall = d.precision_recall([0.9, 0.8, 0.7], np.array([True, False, True]), 2)
    assert np.allclose(precision, [1, 1 / 2, 2 / 3]) and np.allclose(recall, [0.5, 0.5, 1])
    assert d.average_precision([0.9, 0.8, 0.7], np.array([True, False, True]), 2) == pytest.approx(
        0.5 * 1 + 0.5 * 2 / 3)
    assert d.average_precision([0.9, 0.8, 0.7], np.array([True, False, True]), 2, "11point") == pytest.approx(
        (6 * 1 + 5 * 2 / 3) / 11)


def test_average_precision_ranks_by_score_not_order():
    hits = np.array([False, True])
    assert d.average_precision([0.1, 0.9], hits, 1) == 1.0
    assert d.average_precision([0.9, 0.1], hits, 1) == 0.5


@pytest.mark.parametrize(
    ("correct", "positives", "area", "eleven"),
    [
        ([True, True, True], 3, 1.0, 1.0),
        ([True], 4, 0.25, 3 / 11),                 # recall stops at 0.25: points 0, 0.1, 0.2
        ([False, False], 2, 0.0, 0.0),
        ([], 2, 0.0, 0.0),
        ([False, True], 1, 0.5, 0.5),
        ([True] * 3 + [False] * 7, 10, 0.3, 4 / 11),  # recall exactly 0.3 reaches the point 0.3
    ],
)
def test_average_precision_cases(correct, positives, area, eleven):
    scores = -np.arange(len(correct), dtype=float)
    hits = np.array(correct, dtype=bool)
    assert d.average_precision(scores, hits, positives) == pytest.approx(area)
    assert d.average_precision(scores, hits, positives, "11point") == pytest.approx(eleven)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([0.5], np.array([True]), 0), "positives"),
        (([0.5, 0.4], np.array([True, True]), 1), "only 1 objects"),
        (([0.5], np.array([1]), 1), "booleans"),
        (([0.5], np.array([True, False]), 1), "booleans"),
        (([np.nan], np.array([True]), 1), "finite"),
        (([0.5], np.array([True]), 1, "voc"), "method"),
    ],
)
def test_average_precision_refusals(arguments, message):
    with pytest.raises(ValueError, match=message):
        d.average_precision(*arguments)


def test_match_detections():
    truth = [[0, 0, 10, 10], [20, 20, 30, 30]]
    boxes = [[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 24], [40, 40, 50, 50], [20, 20, 30, 30]]
    scores = [0.9, 0.95, 0.8, 0.7, 0.6]
    # Box 1 (best score) takes object 0; box 0 is then a duplicate; box 2 overlaps object 1 by
    # 0.4 only; box 3 overlaps nothing; box 4 takes object 1.
    assert d.match_detections(boxes, scores, truth).tolist() == [False, True, False, False, True]
    assert d.match_detections(boxes, scores, truth, 0.3).tolist() == [False, True, True, False, False]
    assert d.match_detections(boxes, scores, np.zeros((0, 4))).tolist() == [False] * 5


def test_mean_average_precision_by_hand():
    detections = [
        (np.array([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30]]), np.array([0.9, 0.3, 0.8]),
         np.array([1, 2, 2])),
        (np.array([[5, 5, 15, 15]]), np.array([0.7]), np.array([1])),
    ]
    truths = [
        (np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([1, 2])),
        (np.array([[5, 5, 15, 15], [40, 40, 50, 50]]), np.array([1, 2])),
    ]
    score, ap = d.mean_average_precision(detections, truths, num_classes=4)
    # class 1: both hits, 2 objects -> AP 1. class 2: 0.8 hit, 0.3 miss, 2 objects -> AP 0.5.
    assert np.isnan(ap[0]) and np.isnan(ap[3])     # no objects of classes 0 and 3
    assert ap[1] == pytest.approx(1.0) and ap[2] == pytest.approx(0.5)
    assert score == pytest.approx(0.75)


def test_mean_average_precision_refusals():
    one = [(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int))]
    with pytest.raises(ValueError, match="1 images of detections but 2"):
        d.mean_average_precision(one, [(np.zeros((0, 4)), np.zeros(0, dtype=int))] * 2, 3)
    with pytest.raises(ValueError, match="undefined"):
        d.mean_average_precision(one, [(np.zeros((0, 4)), np.zeros(0, dtype=int))], 3)
    with pytest.raises(ValueError, match="ground-truth classes"):
        d.mean_average_precision(one, [(np.array([[0, 0, 1, 1]]), np.array([5]))], 3)
    with pytest.raises(ValueError, match="detection classes"):
        d.mean_average_precision([(np.array([[0, 0, 1, 1]]), np.array([0.5]), np.array([0.5]))],
                                 [(np.array([[0, 0, 1, 1]]), np.array([1]))], 3)
