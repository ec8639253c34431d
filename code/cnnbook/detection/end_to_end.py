"""Fast R-CNN trained as the paper trains it: one network, RoI pooling in the graph, one loss.

Each step takes a few canvases, samples RoIs on each (a quarter digits, the rest background,
by IoU, :func:`sample_rois`), runs the backbone once per canvas, pools every RoI from its
canvas's map, and minimises the multi-task loss (:func:`multitask_loss`): log loss over the
eleven classes plus smooth L1 on the box deltas of the digit RoIs, for the true digit only.
Every layer learns, the convolutions too. The result is cached like :mod:`cnnbook.training`'s:
keyed by the config, the data, the starting weights and the code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnbook.detection.boxes import clip_boxes, decode, encode, per_class_nms
from cnnbook.detection.configs import FastRCNNConfig
from cnnbook.detection.detectors import MIN_SCORE, NMS_IOU, Detections
from cnnbook.detection.regions import Regions
from cnnbook.fingerprint import code_digest
from cnnbook.nets.rcnn import BACKGROUND, backbone_of, fast_rcnn
from cnnbook.runtime import keras, tf
from cnnbook.training import cache_dir, make_deterministic

#: The box targets [ty, tx, th, tw] are divided by these, so that all four spread about alike.
BOX_SCALES = np.array([0.1, 0.1, 0.2, 0.2])
WEIGHTS_FILE, RESULT_FILE = "model.weights.h5", "result.json"


def smooth_l1(x):
    """0.5 x^2 where |x| < 1, else |x| - 0.5: quadratic near zero, linear (robust) far off."""
    absolute = keras.ops.abs(x)
    return keras.ops.where(absolute < 1, 0.5 * x * x, absolute - 0.5)


def multitask_loss(labels, targets, probabilities, deltas, box_weight: float = 1.0):
    """Fast R-CNN's loss, averaged over the RoIs: L = L_cls(p, u) + lambda [u is a
    digit] L_loc(t^u, v), with L_cls the log loss of the true class u and L_loc the
    smooth L1 of the true digit's four box deltas t^u against the targets v.
    Returns (L, L_cls, L_loc)."""
    ops = keras.ops
    labels = ops.cast(labels, "int32")
    log_loss = keras.losses.sparse_categorical_crossentropy(labels, probabilities)
    per_digit = ops.reshape(deltas, (-1, BACKGROUND, 4))      # (R, 10, 4)
    true_digit = ops.minimum(labels, BACKGROUND - 1)[:, None, None]
    mine = ops.take_along_axis(per_digit, true_digit, axis=1)[:, 0]   # (R, 4)
    is_digit = ops.cast(labels != BACKGROUND, "float32")
    error = ops.sum(smooth_l1(mine - ops.cast(targets, "float32")), axis=1)
    classes, boxes = ops.mean(log_loss), ops.mean(is_digit * error)
    return classes + box_weight * boxes, classes, boxes


def sample_rois(overlap: np.ndarray, config: FastRCNNConfig,
                rng: np.random.Generator) -> np.ndarray:
    """Indices of one canvas's RoIs for a step: up to ``foreground_fraction`` of them
    with IoU >= ``foreground_iou`` (drawn without replacement), the rest background
    with IoU in ``background_iou`` (from lower IoU only if a canvas has none there)."""
    count = config.rois_per_image
    digits = np.flatnonzero(overlap >= config.foreground_iou)
    low, high = config.background_iou
    background = np.flatnonzero((overlap >= low) & (overlap < high))
    if len(background) == 0:
        background = np.flatnonzero(overlap < config.foreground_iou)
    wanted = min(int(round(config.foreground_fraction * count)), len(digits))
    if len(background) == 0:
        wanted = count
    chosen = [rng.choice(digits, wanted, replace=False)] if wanted else []
    rest = count - wanted
    if rest:
        chosen.append(rng.choice(background, rest, replace=rest > len(background)))
    return np.concatenate(chosen).astype(np.int64)


def box_targets(regions: Regions) -> np.ndarray:
    """The regression targets of every region, scaled by :data:`BOX_SCALES` (zero for background)."""
    targets = np.zeros((len(regions), 4))
    digit = regions.labels != BACKGROUND
    targets[digit] = encode(regions.matched[digit], regions.boxes[digit]) / BOX_SCALES
    return targets.astype(np.float32)


@dataclass
class FastRCNNResult:
    """A trained end-to-end Fast R-CNN: the network, its loss per epoch, seconds, cache key."""

    config: FastRCNNConfig
    model: keras.Model = field(repr=False)
    history: dict[str, list[float]]
    seconds_per_epoch: list[float]
    seconds_total: float
    key: str
    from_cache: bool = False


def _fit(config: FastRCNNConfig, images: np.ndarray, regions: Regions, start: keras.Model | None):
    make_deterministic(config.seed)
    model = fast_rcnn(images.shape[1])
    if start is not None:  # the pretrained classifier's layers, as the paper starts from VGG16's
        for name in ("conv1", "conv2", "fc", "classes"):
            model.get_layer(name).set_weights(start.get_layer(name).get_weights())
    return (model, *fit_network(model, config, images, regions))


def fit_network(model: keras.Model, config: FastRCNNConfig, images: np.ndarray, regions: Regions):
    """Fast R-CNN's training loop: ``model``'s trainable layers learn on RoIs sampled from the
    labelled ``regions`` of the canvases ``images``; the per-epoch losses and seconds."""
    optimizer = keras.optimizers.Adam(config.learning_rate)
    targets = box_targets(regions)
    by_canvas = [np.flatnonzero(regions.canvas == n) for n in range(len(images))]
    spec = [tf.TensorSpec((None, *images.shape[1:], 1)), tf.TensorSpec((None, 4)),
            tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None, 4))]

    @tf.function(input_signature=spec)
    def step(x, rois, which, labels, wanted):
        with tf.GradientTape() as tape:
            probabilities, deltas = model([x, rois, which], training=True)
            losses = multitask_loss(labels, wanted, probabilities, deltas, config.box_loss_weight)
        weights = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(losses[0], weights), weights))
        return losses

    rng = np.random.default_rng(config.seed)
    history, seconds = {"loss": [], "class_loss": [], "box_loss": []}, []
    for _ in range(config.epochs):
        begin, sums = time.perf_counter(), np.zeros(3)
        order = rng.permutation(len(images))
        for first in range(0, len(order), config.images_per_batch):
            canvases = order[first : first + config.images_per_batch]
            picked = [by_canvas[n][sample_rois(regions.overlap[by_canvas[n]], config, rng)] for n in canvases]
            which = np.concatenate([np.full(len(p), i) for i, p in enumerate(picked)]).astype(np.int32)
            picked = np.concatenate(picked)
            losses = step(images[canvases, :, :, None], regions.boxes[picked].astype(np.float32), which,
                          regions.labels[picked].astype(np.int32), targets[picked])
            sums += np.array([float(v) for v in losses]) * len(canvases)
        for name, total in zip(history, sums / len(images)):
            history[name].append(float(total))
        seconds.append(time.perf_counter() - begin)
    return history, seconds


def _digest(*arrays) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(str((array.dtype, array.shape)).encode() + array.tobytes())
    return digest.hexdigest()


def cache_key(config, data_digest: str, *code) -> str:
    """sha256 of the config, the data (and starting weights) digest, the code and the versions."""
    facts = {"config": dataclasses.asdict(config), "kind": type(config).__name__, "data": data_digest,
             "code": code_digest(*code), "tensorflow": tf.__version__, "keras": keras.__version__,
             "numpy": np.__version__}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def store(entry: Path, model: keras.Model, stored: dict) -> None:
    """Weights and facts into a temporary folder, renamed into place: never half-written."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=entry.parent))
    try:
        model.save_weights(staging / WEIGHTS_FILE)
        (staging / RESULT_FILE).write_text(json.dumps(stored, indent=1))
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load(entry: Path, key: str, model: keras.Model) -> dict | None:
    """The stored facts (and weights into ``model``), or None if missing, stale or unreadable."""
    try:
        stored = json.loads((entry / RESULT_FILE).read_text())
        if stored["key"] != key:
            return None
        model.load_weights(entry / WEIGHTS_FILE)
    except (OSError, ValueError, KeyError):
        return None
    return stored


def train_fast_rcnn(config: FastRCNNConfig, images: np.ndarray, regions: Regions,
                    start: keras.Model | None = None, *, use_cache: bool = True) -> FastRCNNResult:
    """Train (or load) the end-to-end network on the canvases ``images`` and their labelled
    ``regions``, starting from the classifier ``start``'s layers when given."""
    weights = [] if start is None else [w for name in ("conv1", "conv2", "fc", "classes")
                                        for w in start.get_layer(name).get_weights()]
    data = _digest(images, regions.canvas, regions.boxes, regions.labels, regions.matched, *weights)
    return trained("fast_rcnn_end_to_end", _fit, config, data, images, regions, start, use_cache)


def trained(name: str, fit, config, data: str, images: np.ndarray, regions: Regions,
            start: keras.Model | None, use_cache: bool) -> FastRCNNResult:
    """The network ``fit(config, images, regions, start)`` trains, loaded from the cache entry
    ``name`` when its key (the config, the ``data`` digest and the code) matches, else trained
    and stored there."""
    key = cache_key(config, data, fast_rcnn, fit)
    entry = cache_dir() / f"{name}-{key[:20]}"
    if use_cache:
        model = fast_rcnn(images.shape[1])
        stored = load(entry, key, model)
        if stored is not None:
            return FastRCNNResult(config, model, stored["history"], stored["seconds_per_epoch"],
                                  stored["seconds_total"], key, from_cache=True)
    begin = time.perf_counter()
    model, history, seconds = fit(config, images, regions, start)
    result = FastRCNNResult(config, model, history, seconds, time.perf_counter() - begin, key)
    if use_cache:
        store(entry, model, {"key": key, "config": dataclasses.asdict(config), "history": history,
                             "seconds_per_epoch": seconds, "seconds_total": result.seconds_total})
    return result


class FastRCNN:
    """The trained network as a detector: one call scores every proposal of a canvas."""

    name = "Fast R-CNN"

    def __init__(self, model: keras.Model):
        self.model = model
        side = model.inputs[0].shape[1]
        spec = [tf.TensorSpec((1, side, side, 1)), tf.TensorSpec((None, 4))]
        self.network = tf.function(
            lambda x, rois: model([x, rois, tf.zeros(tf.shape(rois)[:1], tf.int32)], training=False),
            input_signature=spec)

    def feature_map(self, image: np.ndarray) -> np.ndarray:
        """The shared convolutional feature map of one canvas, (H/2, W/2, 32)."""
        return np.asarray(backbone_of(self.model)(image[None, :, :, None], training=False))[0]

    def score(self, image: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(class probabilities (R, 11), per-digit box deltas (R, 10, 4), unscaled) of each box."""
        probabilities, deltas = self.network(image[None, :, :, None], np.asarray(boxes, np.float32))
        return np.asarray(probabilities), np.asarray(deltas).reshape(-1, BACKGROUND, 4) * BOX_SCALES

    def detect(self, image: np.ndarray, proposals: np.ndarray, *, refine: bool = True) -> Detections:
        """Score every proposal; each (proposal, digit) pair scoring at least MIN_SCORE becomes a
        box moved by that digit's deltas (unless ``refine`` is False); per-class NMS."""
        if len(proposals) == 0:
            return Detections(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64))
        probabilities, deltas = self.score(image, proposals)
        region, digit = np.nonzero(probabilities[:, :BACKGROUND] >= MIN_SCORE)
        boxes = np.asarray(proposals, dtype=np.float64)[region]
        if refine:
            boxes = decode(deltas[region, digit], boxes)
        boxes = clip_boxes(boxes, *image.shape[:2])
        scores = probabilities[region, digit]
        keep = per_class_nms(boxes, scores, digit, NMS_IOU)
        return Detections(boxes[keep], scores[keep], digit[keep])
