"""Region-based CNNs (R-CNN, Fast R-CNN): the networks and pipelines of the detection chapter.

Both detectors work on the toy canvases of :mod:`cnnbook.toy_detection` and share one
proposal method, :func:`propose` (a small grouping of ink regions in the spirit of selective
search, which is not available here). They differ where the papers differ:

- R-CNN crops every proposal out of the image, warps it to the classifier's 28 x 28 input and
  runs the whole CNN once per proposal;
- Fast R-CNN runs the convolution layers once per image and cuts each proposal out of that
  shared feature map with RoI max pooling, so only a small head runs per proposal.

Both classifiers say "digit 0-9 or background" with a softmax, and both refine their boxes
with a class-agnostic ridge regressor on their last hidden features, fitted in NumPy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from cnnbook import detection, experiments, models, training
from cnnbook.data import ImageSet
from cnnbook.runtime import keras, tf
from cnnbook.toy_detection import ToyDetectionSet, make_toy_set

layers = keras.layers

# ---- the toy problem and the pipelines' settings ---------------------------------------------

TRAIN_CANVASES = 800
TEST_CANVASES = 200
BACKGROUND = 10                  # class index of "no digit" (배경)
NUM_CLASSES = 11                 # ten digits + background
CROP = 28                        # R-CNN warps every region to the classifier's input size
HIDDEN = 64                      # units of the classifiers' hidden Dense layer, the regressors' features
#: Pixels of context around the box at the warped size; R-CNN keeps 16 pixels at 227 x 227.
CONTEXT = 2
POOL = 7                         # RoI pooling output, K x K (Fast R-CNN with VGG16: 7 x 7)
FEATURE_STRIDE = 2               # image pixels per cell of the shared feature map
TRUNK_CHANNELS = 32
POSITIVE_IOU = 0.5               # a region is a digit if it overlaps one by at least this
REGRESSION_IOU = 0.6             # regions that close to a digit train the box regressor
RIDGE_CHOICES = (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
NMS_IOU = 0.3                    # per-class NMS after scoring, as R-CNN
MIN_SCORE = 0.01                 # class scores below this are not reported as detections
#: Training regions per canvas beside the proposals: boxes jittered around each digit, and
#: boxes anywhere, so the classifier also meets near misses and empty canvas.
JITTERED_PER_DIGIT = 6
RANDOM_PER_CANVAS = 4

#: Ink for proposals: pixels brighter than this. The ground truth counts every pixel above 0,
#: so proposals sit a little inside the true boxes, and box regression has something to learn.
PROPOSAL_INK = 0.3
#: Over-segmentation: the ink is first cut into pieces, one per connected patch of ink within
#: each square tile of this side (pixels), as selective search starts from small segments.
PROPOSAL_TILES = (6, 10)
#: Two regions are neighbours, and may merge, when their ink comes within this many rows and
#: columns of each other (1 means touching).
PROPOSAL_LINKS = (1, 3)
#: No proposal is thinner than MIN_PROPOSAL_SIDE or shorter than MIN_PROPOSAL_LENGTH pixels
#: (a "1" can be 3 pixels wide, but no digit is a speck).
MIN_PROPOSAL_SIDE = 2
MIN_PROPOSAL_LENGTH = 8

# ---- facts from the papers (quoted, not computed) --------------------------------------------

#: R-CNN (Girshick et al., 2014), abstract and section 2: about 2000 selective-search proposals
#: per image, each warped to 227 x 227 with 16 pixels of context; 53.3% mAP on VOC 2012, more
#: than 30% better (relatively) than the best result before; section 2.3: fine-tuning batches of
#: 32 positive and 96 background regions.
RCNN_PROPOSALS = 2000
RCNN_WARP = 227
RCNN_CONTEXT = 16
RCNN_VOC2012_MAP = 0.533
RCNN_RELATIVE_GAIN = 0.30
RCNN_BATCH_POSITIVES = 32
RCNN_BATCH_BACKGROUND = 96
#: R-CNN, appendix C: box regression on pool5 features, ridge penalty 1000, from proposals
#: with IoU above 0.6; section 2.3: SVM negatives are regions with IoU below 0.3.
RCNN_RIDGE = 1000
RCNN_REGRESSION_IOU = 0.6
RCNN_SVM_NEGATIVE_IOU = 0.3
#: Fast R-CNN (Girshick, 2015), abstract: with VGG16, 9x faster training and 213x faster
#: testing than R-CNN.
FAST_TRAIN_SPEEDUP = 9
FAST_TEST_SPEEDUP = 213
#: Faster R-CNN (Ren et al., 2015), section 3.1: 3 scales (box areas 128^2, 256^2, 512^2) x
#: 3 aspect ratios (1:1, 1:2, 2:1) = 9 anchors per position, on a feature map of typically
#: about 2,400 positions; positives IoU above 0.7, negatives below 0.3; section 3.1.3: 256
#: anchors sampled per image, up to half of them positive; abstract: 5 frames per second on a
#: GPU with VGG-16, all steps included.
FASTER_SCALES = (128, 256, 512)
FASTER_RATIOS = (0.5, 1.0, 2.0)
FASTER_POSITIONS = 2400
FASTER_POSITIVE_IOU = 0.7
FASTER_NEGATIVE_IOU = 0.3
FASTER_RPN_BATCH = 256
FASTER_RPN_POSITIVE_SHARE = 0.5
FASTER_FPS = 5
#: Faster R-CNN, section 1: selective search takes about 2 seconds per image in a CPU
#: implementation.
SELECTIVE_SEARCH_SECONDS = 2

#: Anchors for our canvases (Faster R-CNN's three ratios, scales fitted to the digits' sizes),
#: on the shared feature map of stride FEATURE_STRIDE.
ANCHOR_SCALES = (12, 18, 24)
ANCHOR_RATIOS = FASTER_RATIOS


# ---- region proposals ------------------------------------------------------------------------


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs of True: (row, start, end) with the run covering columns [start, end)."""
    step = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    (rows, starts), (_, ends) = np.nonzero(step == 1), np.nonzero(step == -1)
    return rows, starts, ends


def _near(rows, starts, ends, link: int) -> np.ndarray:
    """Pairs of runs (i < j) whose pixels come within ``link`` rows and columns of each other."""
    near = ((np.abs(rows[:, None] - rows[None, :]) <= link)
            & (starts[:, None] - ends[None, :] < link) & (starts[None, :] - ends[:, None] < link))
    return np.argwhere(np.triu(near, 1))


def _components(count: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of ``count`` nodes joined by ``pairs``: a component id per node."""
    group = np.arange(count)
    while True:  # every node takes the smallest id it is joined to, until nothing changes
        new = group.copy()
        np.minimum.at(new, pairs[:, 0], group[pairs[:, 1]])
        np.minimum.at(new, pairs[:, 1], group[pairs[:, 0]])
        new = new[new]
        if np.array_equal(new, group):
            return np.unique(group, return_inverse=True)[1]
        group = new


def ink_pieces(image: np.ndarray, tile: int, link: int, threshold: float = PROPOSAL_INK):
    """Selective search's starting point, for ink: small regions and which of them are neighbours.

    The pixels above ``threshold`` are cut by a grid of ``tile`` x ``tile`` squares; each
    connected (8-neighbour) patch of ink within one square is a piece. Returns the pieces'
    pixel counts (P,), tight boxes (P, 4), and neighbour pairs (pieces within ``link``).
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D; got shape {image.shape}")
    for name, value in (("tile", tile), ("link", link)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    mask = image > threshold
    # Cutting the mask along the grid columns cuts the runs at the tile edges.
    cut = np.zeros((mask.shape[0], mask.shape[1] + mask.shape[1] // tile), dtype=bool)
    columns = np.arange(mask.shape[1]) + np.arange(mask.shape[1]) // tile
    cut[:, columns] = mask
    rows, starts, ends = _runs(cut)
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 4)), np.zeros((0, 2), dtype=np.int64)
    original = np.flatnonzero(np.isin(np.arange(cut.shape[1]), columns))  # cut column -> image column
    lookup = np.full(cut.shape[1] + 1, -1)
    lookup[original] = np.arange(mask.shape[1])
    starts, last = lookup[starts], lookup[ends - 1]
    ends = last + 1
    pairs = _near(rows, starts, ends, 1)
    same_tile = (rows[pairs[:, 0]] // tile == rows[pairs[:, 1]] // tile) & (
        starts[pairs[:, 0]] // tile == starts[pairs[:, 1]] // tile)
    piece = _components(rows.size, pairs[same_tile])
    count = piece.max() + 1
    sizes = np.bincount(piece, weights=ends - starts, minlength=count).astype(np.int64)
    boxes = np.zeros((count, 4))
    for k, values, reduce in ((0, rows, np.minimum), (1, starts, np.minimum), (2, rows + 1, np.maximum),
                              (3, ends, np.maximum)):
        boxes[:, k] = np.inf if reduce is np.minimum else -np.inf
        reduce.at(boxes[:, k], piece, values)
    linked = _near(rows, starts, ends, link)
    linked = np.unique(np.sort(piece[linked], axis=1), axis=0)
    return sizes, boxes, linked[linked[:, 0] != linked[:, 1]]


def hierarchical_grouping(sizes, boxes, neighbours, image_area: float) -> list[np.ndarray]:
    """Selective search's grouping: merge the most similar pair of neighbours, again and again.

    Similarity is selective search's size + fill measure: small regions merge first, and so do
    regions that fill their joint box well. The merged region inherits both regions'
    neighbours. Every region ever formed, first pieces included, gives a proposal box.
    """
    regions = {i: (int(s), np.asarray(b, dtype=np.float64)) for i, (s, b) in enumerate(zip(sizes, boxes))}
    linked: dict[int, set[int]] = {i: set() for i in regions}
    for i, j in neighbours:
        linked[int(i)].add(int(j))
        linked[int(j)].add(int(i))

    def similarity(i: int, j: int) -> float:
        (size_i, box_i), (size_j, box_j) = regions[i], regions[j]
        joint = np.concatenate([np.minimum(box_i[:2], box_j[:2]), np.maximum(box_i[2:], box_j[2:])])
        gap = (joint[2] - joint[0]) * (joint[3] - joint[1]) - size_i - size_j
        return (1 - (size_i + size_j) / image_area) + (1 - gap / image_area)

    pairs = {(i, j): similarity(i, j) for i in linked for j in linked[i] if i < j}
    out = [box for _, box in regions.values()]
    while pairs:
        i, j = max(pairs, key=pairs.get)
        new = max(regions) + 1
        (size_i, box_i), (size_j, box_j) = regions.pop(i), regions.pop(j)
        regions[new] = (size_i + size_j, np.concatenate([np.minimum(box_i[:2], box_j[:2]),
                                                         np.maximum(box_i[2:], box_j[2:])]))
        out.append(regions[new][1])
        linked[new] = (linked.pop(i) | linked.pop(j)) - {i, j}
        pairs = {pair: value for pair, value in pairs.items() if i not in pair and j not in pair}
        for k in linked[new]:
            linked[k] -= {i, j}
            linked[k].add(new)
            pairs[(k, new)] = similarity(k, new)
    return out


def propose(image: np.ndarray) -> np.ndarray:
    """Region proposals for one canvas: every box of hierarchical grouping, run from each tile
    size of :data:`PROPOSAL_TILES` with each neighbour distance of :data:`PROPOSAL_LINKS`
    (selective search, too, runs several groupings and pools their boxes); no duplicates, and no
    speck (:func:`large_enough`)."""
    image = np.asarray(image)
    boxes = [box for tile in PROPOSAL_TILES for link in PROPOSAL_LINKS
             for box in hierarchical_grouping(*ink_pieces(image, tile, link), float(image.size))]
    if not boxes:
        return np.zeros((0, 4))
    boxes = np.unique(np.array(boxes), axis=0)
    return boxes[large_enough(boxes)]


def large_enough(boxes: np.ndarray) -> np.ndarray:
    """Which boxes are at least MIN_PROPOSAL_SIDE thick and MIN_PROPOSAL_LENGTH long."""
    height, width = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    thick = np.minimum(height, width) >= MIN_PROPOSAL_SIDE
    return thick & (np.maximum(height, width) >= MIN_PROPOSAL_LENGTH)


def recall(proposals: list[np.ndarray], ground_truth: tuple[np.ndarray, ...], iou_threshold: float) -> float:
    """Share of the ground-truth boxes that some proposal overlaps by at least ``iou_threshold``."""
    found = [
        (detection.iou(g, p).max(axis=1) >= iou_threshold) if len(p) else np.zeros(len(g), dtype=bool)
        for p, g in zip(proposals, ground_truth)
    ]
    return float(np.concatenate(found).mean())


# ---- training regions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Regions:
    """Labelled regions of a toy set: which canvas, the box, its class, its digit's box, IoU."""

    canvas: np.ndarray     # (R,) canvas index
    boxes: np.ndarray      # (R, 4)
    labels: np.ndarray     # (R,) digit 0-9, or BACKGROUND
    matched: np.ndarray    # (R, 4) the ground-truth box it overlaps most (itself if none)
    overlap: np.ndarray    # (R,) IoU with that box

    def __len__(self) -> int:
        return len(self.boxes)


def label_regions(boxes: np.ndarray, gt_boxes: np.ndarray, gt_labels: np.ndarray):
    """R-CNN's labels: a region's class is that of the digit it overlaps most, if by at least
    :data:`POSITIVE_IOU`; otherwise it is background. Returns labels, matched boxes, IoU."""
    if len(gt_boxes) == 0 or len(boxes) == 0:
        boxes = np.array(boxes, dtype=np.float64).reshape(-1, 4)
        return np.full(len(boxes), BACKGROUND), boxes, np.zeros(len(boxes))
    overlaps = detection.iou(boxes, gt_boxes)
    best = overlaps.argmax(axis=1)
    overlap = overlaps[np.arange(len(boxes)), best]
    labels = np.where(overlap >= POSITIVE_IOU, gt_labels[best], BACKGROUND)
    matched = np.where((overlap > 0)[:, None], gt_boxes[best], boxes)
    return labels.astype(np.int64), matched, overlap


def jitter_boxes(boxes: np.ndarray, per_box: int, rng: np.random.Generator, shift: float = 0.2,
                 scale: float = 0.25) -> np.ndarray:
    """``per_box`` copies of each box, the centre moved by a normal share ``shift`` of the size,
    height and width multiplied by exp of a normal with spread ``scale``."""
    y, x, h, w = detection.centres(boxes)
    moves = rng.normal(0, shift, (len(y), per_box, 2))
    factors = np.exp(rng.normal(0, scale, (len(y), per_box, 2)))
    cy, cx = y[:, None] + moves[..., 0] * h[:, None], x[:, None] + moves[..., 1] * w[:, None]
    hh, ww = h[:, None] * factors[..., 0], w[:, None] * factors[..., 1]
    return np.stack([cy - hh / 2, cx - ww / 2, cy + hh / 2, cx + ww / 2], axis=-1).reshape(-1, 4)


def _extra_boxes(gt_boxes: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Boxes jittered around each digit and boxes anywhere, cut to the canvas."""
    jittered = jitter_boxes(gt_boxes, JITTERED_PER_DIGIT, rng)
    corner = rng.uniform(0, size, (RANDOM_PER_CANVAS, 2))
    sides = rng.uniform(6, size * 0.6, (RANDOM_PER_CANVAS, 2))
    anywhere = np.concatenate([corner, corner + sides], axis=1)
    boxes = detection.clip_boxes(np.concatenate([jittered, anywhere]), size, size)
    return boxes[large_enough(boxes)]


def training_regions(toy: ToyDetectionSet, proposals: list[np.ndarray], seed: int) -> Regions:
    """Every canvas's proposals, its ground-truth boxes, and extra boxes near and away from the
    digits, labelled by IoU with the ground truth (the extra boxes stand in for the many near
    misses among R-CNN's 2000 proposals per image)."""
    rng = np.random.default_rng(seed)
    parts = []
    for n, (props, gt_boxes, gt_labels) in enumerate(zip(proposals, toy.boxes, toy.labels)):
        boxes = np.concatenate([props, gt_boxes, _extra_boxes(gt_boxes, toy.images.shape[1], rng)])
        labels, matched, overlap = label_regions(boxes, gt_boxes, gt_labels)
        parts.append((np.full(len(boxes), n), boxes, labels, matched, overlap))
    return Regions(*(np.concatenate(column) for column in zip(*parts)))


def with_context(boxes: np.ndarray, context: int = CONTEXT, size: int = CROP) -> np.ndarray:
    """Boxes widened so that, warped to ``size``, ``context`` pixels surround the original box."""
    y, x, h, w = detection.centres(boxes)
    grow = size / (size - 2 * context)
    return np.stack([y - h * grow / 2, x - w * grow / 2, y + h * grow / 2, x + w * grow / 2], axis=1)


def warped_crops(image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """R-CNN's input: each box (with context) cut out and warped to CROP x CROP, (N, 28, 28)."""
    return detection.crop_and_resize(image, with_context(boxes), CROP)


def crops_of(toy: ToyDetectionSet, regions: Regions) -> np.ndarray:
    """The warped crops of all regions, in order."""
    crops = np.empty((len(regions), CROP, CROP), dtype=np.float32)
    for n in np.unique(regions.canvas):
        mine = regions.canvas == n
        crops[mine] = warped_crops(toy.images[n], regions.boxes[mine])
    return crops


# ---- the networks ----------------------------------------------------------------------------


def _trunk_layers() -> list:
    """The convolution layers both detectors share in design: the "backbone" (특징 추출부)."""
    return [
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(TRUNK_CHANNELS, 3, padding="same", activation="relu", name="conv2"),
    ]


def _head_layers() -> list:
    return [
        layers.Flatten(name="flatten"),
        layers.Dense(HIDDEN, activation="relu", name="fc"),
        layers.Dense(NUM_CLASSES, activation="softmax", name="classes"),
    ]


@models.register("rcnn_classifier")
def rcnn_classifier() -> keras.Model:
    """R-CNN's region classifier: a warped 28 x 28 crop -> ten digits or background."""
    return keras.Sequential(
        [keras.Input(shape=(CROP, CROP, 1)), *_trunk_layers(), layers.MaxPooling2D(2, name="pool2"),
         *_head_layers()],
        name="rcnn_classifier",
    )


@models.register("fast_rcnn_head")
def fast_rcnn_head() -> keras.Model:
    """Fast R-CNN's head: a 7 x 7 RoI-pooled piece of the shared map -> ten digits or background.
    RoI pooling takes the place of the classifier's last max pooling, as in the paper."""
    return keras.Sequential([keras.Input(shape=(POOL, POOL, TRUNK_CHANNELS)), *_head_layers()],
                            name="fast_rcnn_head")


def trunk(classifier: keras.Model) -> keras.Model:
    """The classifier's convolution layers, weights copied, on an image of any size."""
    model = keras.Sequential([keras.Input(shape=(None, None, 1)), *_trunk_layers()], name="trunk")
    for layer in model.layers:
        layer.set_weights(classifier.get_layer(layer.name).get_weights())
    return model


def _with_features(model: keras.Model) -> keras.Model:
    """The same model answering (class probabilities, last hidden features) in one pass."""
    return keras.Model(model.inputs[0], [model.outputs[0], model.get_layer("fc").output])


def _compiled(model: keras.Model) -> Callable:
    """``model`` as one TensorFlow graph for any batch size: inference without per-layer Python
    overhead and without retracing for each new number of regions."""
    spec = tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32)
    return tf.function(lambda x: model(x, training=False), input_signature=[spec], reduce_retracing=True)


#: R-CNN's classifier, trained on warped crops of the training canvases' regions.
RCNN = training.Recipe("rcnn_classifier", epochs=4, seed=experiments.SEED)
#: Fast R-CNN's head, trained on RoI-pooled features of the same regions.
FAST_HEAD = training.Recipe("fast_rcnn_head", epochs=4, seed=experiments.SEED)


# ---- bounding-box regression -----------------------------------------------------------------


@dataclass(frozen=True)
class BoxRegressor:
    """A linear map from a region's features to R-CNN's targets [ty, tx, th, tw] (ridge)."""

    weights: np.ndarray   # (D, 4)
    bias: np.ndarray      # (4,)
    mean: np.ndarray      # (D,) feature mean, subtracted first
    ridge: float

    @classmethod
    def fit(cls, features: np.ndarray, boxes: np.ndarray, targets: np.ndarray, ridge: float) -> BoxRegressor:
        """Least squares with an L2 penalty ``ridge`` on the weights (not on the bias)."""
        x = np.asarray(features, dtype=np.float64)
        t = detection.encode(targets, boxes)
        mean = x.mean(axis=0)
        centred = x - mean
        gram = centred.T @ centred + ridge * np.eye(x.shape[1])
        weights = np.linalg.solve(gram, centred.T @ (t - t.mean(axis=0)))
        return cls(weights, t.mean(axis=0), mean, float(ridge))

    @classmethod
    def fit_validated(cls, features, boxes, targets, seed: int) -> BoxRegressor:
        """Choose the penalty from :data:`RIDGE_CHOICES` on a fifth of the data held out, then
        refit on all of it."""
        order = np.random.default_rng(seed).permutation(len(features))
        held, kept = order[: len(order) // 5], order[len(order) // 5 :]
        truth = detection.encode(targets[held], boxes[held])

        def error(ridge: float) -> float:
            fitted = cls.fit(features[kept], boxes[kept], targets[kept], ridge)
            return float(np.mean((fitted.deltas(features[held]) - truth) ** 2))

        best = min(RIDGE_CHOICES, key=error)
        return cls.fit(features, boxes, targets, best)

    def deltas(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, dtype=np.float64) - self.mean) @ self.weights + self.bias

    def refine(self, features: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        return detection.decode(self.deltas(features), boxes)


# ---- the detectors ---------------------------------------------------------------------------


@dataclass
class Detections:
    """One image's detections, best first."""

    boxes: np.ndarray     # (D, 4)
    scores: np.ndarray    # (D,)
    classes: np.ndarray   # (D,) digits 0-9

    def __len__(self) -> int:
        return len(self.boxes)


def _detections(boxes: np.ndarray, probabilities: np.ndarray, size: int) -> Detections:
    """Every (region, digit) pair scoring at least MIN_SCORE, then per-class NMS (R-CNN's step 4)."""
    boxes = detection.clip_boxes(boxes, size, size)
    region, digit = np.nonzero(probabilities[:, :BACKGROUND] >= MIN_SCORE)
    boxes, scores = boxes[region], probabilities[region, digit]
    keep = detection.per_class_nms(boxes, scores, digit, NMS_IOU)
    return Detections(boxes[keep], scores[keep], digit[keep])


class Detector:
    """The common part: proposals in, detections out; subclasses say how regions are scored."""

    name = "detector"

    def __init__(self, regressor: BoxRegressor | None = None):
        self.regressor = regressor

    def score(self, image: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(class probabilities, hidden features) of each box."""
        raise NotImplementedError

    def detect(self, image: np.ndarray, proposals: np.ndarray | None = None, *,
               refine: bool = True) -> Detections:
        """Steps 1 to 3 and NMS: propose (unless given), score every box, move the boxes by the
        box regressor (unless ``refine`` is False), then keep the best per class."""
        boxes = propose(image) if proposals is None else proposals
        if len(boxes) == 0:
            return Detections(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64))
        probabilities, features = self.score(image, boxes)
        if refine and self.regressor is not None:
            boxes = self.regressor.refine(features, boxes)
        return _detections(boxes, probabilities, image.shape[0])


class RCNNDetector(Detector):
    """R-CNN: warp every proposal to 28 x 28 and run the whole CNN on each."""

    name = "R-CNN"

    def __init__(self, classifier: keras.Model, regressor: BoxRegressor | None = None):
        super().__init__(regressor)
        self.classifier = classifier
        self.network = _compiled(_with_features(classifier))

    def score(self, image, boxes):
        probabilities, features = self.network(warped_crops(image, boxes)[..., None])
        return np.asarray(probabilities), np.asarray(features)


class FastRCNNDetector(Detector):
    """Fast R-CNN: one feature map per image, RoI max pooling per proposal, the head on each."""

    name = "Fast R-CNN"

    def __init__(self, backbone: keras.Model, head: keras.Model, regressor: BoxRegressor | None = None):
        super().__init__(regressor)
        self.backbone, self.head = backbone, head
        self.network = _compiled(_with_features(head))
        self.shared = _compiled(backbone)

    def feature_map(self, image: np.ndarray) -> np.ndarray:
        """The shared convolutional feature map of one image, (H/2, W/2, 32)."""
        return np.asarray(self.shared(image[None, :, :, None]))[0]

    def pooled(self, image: np.ndarray, boxes: np.ndarray,
               feature_map: np.ndarray | None = None) -> np.ndarray:
        fmap = self.feature_map(image) if feature_map is None else feature_map
        return detection.roi_max_pool(fmap, boxes, POOL, FEATURE_STRIDE)

    def score(self, image, boxes):
        probabilities, features = self.network(self.pooled(image, boxes))
        return np.asarray(probabilities), np.asarray(features)


# ---- training both -----------------------------------------------------------------------------


def _in_batches(function: Callable[[np.ndarray], object], x: np.ndarray, batch: int = 2000) -> np.ndarray:
    return np.concatenate([np.asarray(function(x[i : i + batch])) for i in range(0, len(x), batch)])


@dataclass
class Trained:
    """Everything the R-CNN chapter shows: the sets, their proposals, both detectors."""

    train_set: ToyDetectionSet
    test_set: ToyDetectionSet
    train_proposals: list[np.ndarray]
    test_proposals: list[np.ndarray]
    train_regions: Regions
    test_regions: Regions
    rcnn: RCNNDetector
    fast: FastRCNNDetector
    rcnn_result: training.Result
    fast_result: training.Result


def toy_sets(seed: int = experiments.SEED) -> tuple[ToyDetectionSet, ToyDetectionSet]:
    """The book's toy training and test canvases."""
    return make_toy_set("train", TRAIN_CANVASES, seed), make_toy_set("test", TEST_CANVASES, seed)


def _pooled_set(fast: FastRCNNDetector, toy: ToyDetectionSet, regions: Regions) -> np.ndarray:
    pooled = np.empty((len(regions), POOL, POOL, TRUNK_CHANNELS), dtype=np.float32)
    maps = _in_batches(lambda x: fast.shared(x[..., None]), toy.images, 200)
    for n in np.unique(regions.canvas):
        mine = regions.canvas == n
        pooled[mine] = detection.roi_max_pool(maps[n], regions.boxes[mine], POOL, FEATURE_STRIDE)
    return pooled


def _regressor(network: keras.Model, inputs: np.ndarray, regions: Regions, seed: int) -> BoxRegressor:
    near = (regions.overlap >= REGRESSION_IOU) & (regions.labels != BACKGROUND)
    features = _in_batches(lambda x: network(x)[1], inputs[near])
    return BoxRegressor.fit_validated(features, regions.boxes[near], regions.matched[near], seed)


def train_detectors(seed: int = experiments.SEED, rcnn_recipe: training.Recipe = RCNN,
                    head_recipe: training.Recipe = FAST_HEAD, sets=None) -> Trained:
    """Build the region sets, train (or load) both classifiers, fit both box regressors."""
    train_set, test_set = toy_sets(seed) if sets is None else sets
    train_props = [propose(image) for image in train_set.images]
    test_props = [propose(image) for image in test_set.images]
    train_regions = training_regions(train_set, train_props, seed)
    test_regions = training_regions(test_set, test_props, seed + 1)
    source = f"toy detection regions, {len(train_set)}/{len(test_set)} canvases, seed {seed}"

    crops_train, crops_test = crops_of(train_set, train_regions), crops_of(test_set, test_regions)
    rcnn_data = ImageSet(crops_train, train_regions.labels, crops_test, test_regions.labels,
                         source=f"warped crops of {source}")
    rcnn_result = training.train(rcnn_recipe, rcnn_data)
    rcnn = RCNNDetector(rcnn_result.model)

    fast = FastRCNNDetector(trunk(rcnn_result.model), fast_rcnn_head())
    pooled_train = _pooled_set(fast, train_set, train_regions)
    pooled_test = _pooled_set(fast, test_set, test_regions)
    fast_data = ImageSet(pooled_train, train_regions.labels, pooled_test, test_regions.labels,
                         source=f"RoI-pooled features of {source}")
    fast_result = training.train(head_recipe, fast_data)
    fast = FastRCNNDetector(fast.backbone, fast_result.model)

    rcnn.regressor = _regressor(rcnn.network, crops_train[..., None], train_regions, seed)
    fast.regressor = _regressor(fast.network, pooled_train, train_regions, seed)
    return Trained(train_set, test_set, train_props, test_props, train_regions, test_regions,
                   rcnn, fast, rcnn_result, fast_result)


def refinement_overlaps(detector: Detector, toy: ToyDetectionSet, regions: Regions) -> tuple[np.ndarray, ...]:
    """IoU with their digit of the regions box regression is meant for (IoU >= REGRESSION_IOU),
    before and after the detector's regressor moves them."""
    before, after = [], []
    near = (regions.overlap >= REGRESSION_IOU) & (regions.labels != BACKGROUND)
    for n in np.unique(regions.canvas[near]):
        mine = near & (regions.canvas == n)
        _, features = detector.score(toy.images[n], regions.boxes[mine])
        moved = detector.regressor.refine(features, regions.boxes[mine])
        truth = regions.matched[mine]
        before.append(np.diag(detection.iou(regions.boxes[mine], truth)))
        after.append(np.diag(detection.iou(moved, truth)))
    return np.concatenate(before), np.concatenate(after)


# ---- evaluation and timing -------------------------------------------------------------------


def detect_all(detector: Detector, toy: ToyDetectionSet, proposals: list[np.ndarray], *,
               refine: bool = True) -> list[Detections]:
    return [detector.detect(image, props, refine=refine) for image, props in zip(toy.images, proposals)]


def mean_ap(found: list[Detections], toy: ToyDetectionSet, iou_threshold: float = 0.5,
            method: str = "area") -> tuple[float, np.ndarray]:
    """mAP over the ten digits at ``iou_threshold``, and each digit's AP."""
    return detection.mean_average_precision(
        [(d.boxes, d.scores, d.classes) for d in found],
        list(zip(toy.boxes, toy.labels)),
        num_classes=BACKGROUND,
        iou_threshold=iou_threshold,
        method=method,
    )


def seconds_per_image(functions: dict[str, Callable[[int], object]], images: int,
                      repeats: int = 5) -> dict[str, float]:
    """Each function's seconds per image: the median over ``repeats`` rounds of its mean time
    for ``function(i)``, i = 0 .. ``images`` - 1. The functions take turns within every round,
    so a burst of load on a shared machine slows them alike; each is called once, untimed, first.
    """
    for function in functions.values():
        function(0)
    runs: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            for i in range(images):
                function(i)
            runs[name].append((time.perf_counter() - start) / images)
    return {name: float(np.median(times)) for name, times in runs.items()}


# ---- figures ---------------------------------------------------------------------------------


def draw_boxes(ax, boxes, captions=None, colour: str = "C1", style: str = "-", width: float = 1.5) -> None:
    """Rectangles for [y1, x1, y2, x2] boxes on an image axis (pixel edges at .5 in imshow)."""
    for n, (y1, x1, y2, x2) in enumerate(detection.as_boxes(boxes)):
        ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, edgecolor=colour,
                               linestyle=style, linewidth=width))
        if captions is not None:
            ax.text(x1 - 0.5, y1 - 1, captions[n], color=colour, fontsize=8, va="bottom")


def _canvas(ax, image: np.ndarray) -> None:
    """A canvas in grey on white, framed, without ticks."""
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("0.75")


def canvas_grid(images, boxes, captions=None, cols: int = 6, overlays=(), size: float = 1.7, titles=None):
    """Canvases in a grid with their boxes and captions (None: no captions); ``overlays`` adds
    (boxes per canvas, colour, style) layers drawn thinner, e.g. proposals."""
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size * 1.05), squeeze=False)
    for ax in axes.flat[len(images) :]:
        ax.axis("off")
    for n, ax in enumerate(axes.flat[: len(images)]):
        _canvas(ax, images[n])
        for layer, colour, style in overlays:
            draw_boxes(ax, layer[n], colour=colour, style=style, width=0.8)
        draw_boxes(ax, boxes[n], None if captions is None else captions[n])
        if titles is not None:
            ax.set_title(titles[n], fontsize=9)
    fig.tight_layout()
    return fig


def precision_recall_figure(precision: np.ndarray, recall: np.ndarray, title: str = ""):
    """The precision/recall points down a ranking, and the envelope whose area is the AP."""
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    steps_r = np.concatenate([[0.0], np.repeat(recall, 2)])
    steps_p = np.concatenate([np.repeat(envelope, 2), [0.0]])[: len(steps_r)]
    ax.fill_between(steps_r, steps_p, color="C0", alpha=0.2, label="area = AP")
    ax.plot(steps_r, steps_p, "-", color="C0", label="best precision at this recall or beyond")
    ax.plot(recall, precision, "o:", color="C1", label="after each detection")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def iou_examples(pairs):
    """Pairs of boxes drawn side by side, each panel titled with its IoU."""
    size = int(np.ceil(np.max(pairs))) + 2
    fig, axes = plt.subplots(1, len(pairs), figsize=(2.3 * len(pairs), 2.4))
    for ax, (a, b) in zip(np.atleast_1d(axes), pairs):
        ax.imshow(np.zeros((size, size)), cmap="gray_r", vmin=0, vmax=1)
        draw_boxes(ax, [a], colour="C0", width=2)
        draw_boxes(ax, [b], colour="C1", style="--", width=2)
        ax.set_title(f"IoU = {detection.iou([a], [b])[0, 0]:.2f}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def roi_pooling_figure(fmap: np.ndarray, box, output_size: int, stride: float):
    """One feature map (a single channel), a box, its bins, and the pooled result."""
    rows, cols = detection.roi_bins(box, fmap.shape, output_size, stride)
    pooled = detection.roi_max_pool(fmap[:, :, None], [box], output_size, stride)[0, :, :, 0]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.8),
                                      gridspec_kw={"width_ratios": [fmap.shape[1], 6]})
    left.imshow(fmap, cmap="viridis")
    y1, x1, y2, x2 = (np.asarray(box, dtype=float) / stride).tolist()
    left.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, edgecolor="white",
                             linewidth=2, linestyle="--"))
    for (r0, r1) in rows:
        for (c0, c1) in cols:
            left.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor="red",
                                     linewidth=1))
    left.set_title("feature map: the box (dashed) and its bins")
    right.imshow(pooled, cmap="viridis", vmin=fmap.min(), vmax=fmap.max())
    right.set_title(f"{output_size} x {output_size} after RoI max pooling")
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def speed_figure(counts, rcnn_seconds, fast_seconds):
    """Seconds per image against the number of proposals, for both detectors."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(counts, np.asarray(rcnn_seconds) * 1000, "o-", label="R-CNN (CNN per proposal)")
    ax.plot(counts, np.asarray(fast_seconds) * 1000, "s--", label="Fast R-CNN (shared map + RoI pooling)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("proposals per image")
    ax.set_ylabel("milliseconds per image")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def anchors_figure(image: np.ndarray, all_anchors: np.ndarray, per_position: int, position: int,
                   stride: float, labels: np.ndarray | None = None, gt_boxes=None):
    """Left: every anchor centre and the k anchors of one position. Right: labelled anchors."""
    panels = 1 if labels is None else 2
    fig, axes = plt.subplots(1, panels, figsize=(4 * panels, 4), squeeze=False)
    ax = axes[0, 0]
    size = image.shape[0]
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    centres = (all_anchors[:, :2] + all_anchors[:, 2:]) / 2
    ax.plot(centres[::per_position, 1] - 0.5, centres[::per_position, 0] - 0.5, ".", color="C0",
            markersize=1.5, alpha=0.5)
    mine = all_anchors[position * per_position : (position + 1) * per_position]
    for n, box in enumerate(mine):
        draw_boxes(ax, [box], colour=f"C{n % 10}", width=1)
    ax.set_title(f"{per_position} anchors at one position (stride {stride:g})", fontsize=9)
    if labels is not None:
        ax = axes[0, 1]
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        draw_boxes(ax, all_anchors[labels == 1], colour="C2", width=1)
        if gt_boxes is not None:
            draw_boxes(ax, gt_boxes, colour="C3", style="--", width=2)
        ax.set_title("positive anchors (green), ground truth (red)", fontsize=9)
    for ax in axes.flat:
        ax.add_patch(Rectangle((-0.5, -0.5), size, size, fill=False, edgecolor="0.6", linewidth=1))
        ax.set_xlim(-0.5 - size * 0.25, size * 1.25 - 0.5)
        ax.set_ylim(size * 1.25 - 0.5, -0.5 - size * 0.25)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig
