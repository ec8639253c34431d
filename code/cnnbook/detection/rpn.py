"""Faster R-CNN's region proposal network (RPN), trained on the toy canvases, and its proposals.

The RPN sits on the shared feature map of the end-to-end Fast R-CNN network, which stays frozen
while the RPN's own layers learn (the third step of the paper's four-step alternating training;
the fourth, fine-tuning the detector on the RPN's proposals, is :mod:`cnnbook.detection.step4`).
Anchors are labelled by :func:`cnnbook.detection.label_anchors`; each step samples a fixed
number of them per canvas, at most half positive (:func:`sample_anchors`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from cnnbook.detection.boxes import anchors, clip_boxes, decode, encode, iou, label_anchors
from cnnbook.detection.configs import RPNConfig
from cnnbook.detection.end_to_end import _digest, cache_key, load, smooth_l1, store
from cnnbook.detection.proposals import large_enough
from cnnbook.nets.rcnn import ANCHOR_RATIOS, ANCHOR_SCALES, FEATURE_STRIDE, rpn
from cnnbook.runtime import keras, tf
from cnnbook.training import cache_dir, make_deterministic

#: Boxes scored before NMS, as the paper keeps the best few thousand before its NMS.
PRE_NMS = 2000


def canvas_anchors(feature_shape: tuple[int, int]) -> np.ndarray:
    """The anchors of one canvas's map, in the RPN's output order (cell, scale, ratio)."""
    return anchors(feature_shape, FEATURE_STRIDE, ANCHOR_SCALES, ANCHOR_RATIOS)


def anchor_targets(anchor_boxes: np.ndarray, truth: np.ndarray, config: RPNConfig):
    """Labels (1 object, 0 background, -1 ignored) and deltas to the best-overlapping box."""
    labels = label_anchors(anchor_boxes, truth, config.positive_iou, config.negative_iou)
    deltas = np.zeros((len(anchor_boxes), 4))
    if len(truth):
        best = iou(anchor_boxes, truth).argmax(axis=1)
        deltas = encode(truth[best], anchor_boxes)
    return labels, deltas.astype(np.float32)


def sample_anchors(labels: np.ndarray, config: RPNConfig, rng: np.random.Generator) -> np.ndarray:
    """A 0/1 mask of the anchors one step learns from: ``anchors_per_image`` of them, at most
    ``positive_fraction`` positive, the rest negative (fewer if a canvas has too few)."""
    positive, negative = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    wanted = min(int(config.positive_fraction * config.anchors_per_image), len(positive))
    rest = min(config.anchors_per_image - wanted, len(negative))
    mask = np.zeros(len(labels), dtype=np.float32)
    mask[rng.choice(positive, wanted, replace=False)] = 1
    mask[rng.choice(negative, rest, replace=False)] = 1
    return mask


def rpn_loss(labels, deltas_wanted, mask, objectness, deltas, box_weight: float = 1.0):
    """Log loss of objectness over the sampled anchors, plus smooth L1 of the deltas of the
    sampled positive anchors, each averaged over its anchors. Returns (L, L_cls, L_reg)."""
    ops = keras.ops
    positive = mask * ops.cast(labels == 1, "float32")
    log_loss = keras.losses.binary_crossentropy(ops.cast(labels == 1, "float32")[..., None],
                                                objectness[..., None])
    classes = ops.sum(mask * log_loss) / ops.maximum(ops.sum(mask), 1.0)
    boxes = ops.sum(positive * ops.sum(smooth_l1(deltas - deltas_wanted), axis=-1))
    boxes = boxes / ops.maximum(ops.sum(positive), 1.0)
    return classes + box_weight * boxes, classes, boxes


@dataclass
class RPNResult:
    config: RPNConfig
    model: keras.Model = field(repr=False)
    history: dict[str, list[float]]
    seconds_per_epoch: list[float]
    seconds_total: float
    key: str
    from_cache: bool = False


def _fit(config: RPNConfig, maps: np.ndarray, boxes: tuple[np.ndarray, ...]):
    make_deterministic(config.seed)
    model = rpn()
    all_anchors = canvas_anchors(maps.shape[1:3])
    labels, wanted = zip(*(anchor_targets(all_anchors, truth, config) for truth in boxes))
    labels, wanted = np.stack(labels).astype(np.int32), np.stack(wanted)
    optimizer = keras.optimizers.Adam(config.learning_rate)
    spec = [tf.TensorSpec((None, *maps.shape[1:])), tf.TensorSpec((None, len(all_anchors)), tf.int32),
            tf.TensorSpec((None, len(all_anchors), 4)), tf.TensorSpec((None, len(all_anchors)))]

    @tf.function(input_signature=spec)
    def step(fmaps, labels, wanted, mask):
        with tf.GradientTape() as tape:
            objectness, deltas = model(fmaps, training=True)
            count = tf.shape(fmaps)[0]
            losses = rpn_loss(labels, wanted, mask, tf.reshape(objectness, (count, -1)),
                              tf.reshape(deltas, (count, -1, 4)), config.box_loss_weight)
        weights = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(losses[0], weights), weights))
        return losses

    rng = np.random.default_rng(config.seed)
    history, seconds = {"loss": [], "objectness_loss": [], "box_loss": []}, []
    for _ in range(config.epochs):
        begin, sums = time.perf_counter(), np.zeros(3)
        order = rng.permutation(len(maps))
        for first in range(0, len(order), config.images_per_batch):
            n = order[first : first + config.images_per_batch]
            mask = np.stack([sample_anchors(labels[i], config, rng) for i in n])
            losses = step(maps[n], labels[n], wanted[n], mask)
            sums += np.array([float(v) for v in losses]) * len(n)
        for name, total in zip(history, sums / len(maps)):
            history[name].append(float(total))
        seconds.append(time.perf_counter() - begin)
    return model, history, seconds


def train_rpn(config: RPNConfig, maps: np.ndarray, boxes, *, use_cache: bool = True) -> RPNResult:
    """Train (or load) the RPN on the shared feature maps ``maps`` of the training canvases and
    their ground-truth ``boxes``."""
    key = cache_key(config, _digest(maps, *boxes), rpn, _fit)
    entry = cache_dir() / f"rpn-{key[:20]}"
    if use_cache:
        model = rpn()
        stored = load(entry, key, model)
        if stored is not None:
            return RPNResult(config, model, stored["history"], stored["seconds_per_epoch"],
                             stored["seconds_total"], key, from_cache=True)
    begin = time.perf_counter()
    model, history, seconds = _fit(config, maps, tuple(boxes))
    result = RPNResult(config, model, history, seconds, time.perf_counter() - begin, key)
    if use_cache:
        store(entry, model, {"key": key, "config": dataclasses.asdict(config), "history": history,
                             "seconds_per_epoch": seconds, "seconds_total": result.seconds_total})
    return result


class RegionProposer:
    """Backbone + RPN as one proposal step: a canvas in, its best boxes after NMS out."""

    def __init__(self, backbone: keras.Model, network: keras.Model, nms_iou: float = 0.7):
        self.nms_iou = nms_iou
        side = backbone.inputs[0].shape[1]
        self.network = tf.function(lambda x: network(backbone(x, training=False), training=False),
                                   input_signature=[tf.TensorSpec((1, side, side, 1))])
        self.anchors = canvas_anchors(backbone.outputs[0].shape[1:3])

    def propose(self, image: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` best-scoring boxes (anchors moved by their deltas, cut to the canvas,
        at least a few pixels on each side) after NMS at ``nms_iou``, best first."""
        objectness, deltas = self.network(image[None, :, :, None])
        scores = np.asarray(objectness).ravel()
        best = np.argsort(-scores, kind="stable")[:PRE_NMS]
        boxes = clip_boxes(decode(np.asarray(deltas).reshape(-1, 4)[best], self.anchors[best]),
                           *image.shape[:2])
        kept = large_enough(boxes)
        boxes, scores = boxes[kept], scores[best][kept]
        # TensorFlow's NMS: the rules of detection.non_max_suppression (the tests hold them equal),
        # in compiled code, as the RPN is timed as part of Faster R-CNN
        keep = tf.image.non_max_suppression(boxes.astype(np.float32), scores, count, self.nms_iou)
        return boxes[np.asarray(keep)]
