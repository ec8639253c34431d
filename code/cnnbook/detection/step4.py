"""Faster R-CNN's fourth training step: the detector's head fine-tuned on the RPN's own proposals.

The paper trains its RPN and its detector in four alternating steps so that both end on one set
of shared convolutions. Ours: Fast R-CNN trained end to end on the hand-made proposals
(:mod:`~cnnbook.detection.end_to_end`, standing in for steps 1-2), the RPN on its frozen map
(:mod:`~cnnbook.detection.rpn`, step 3), and here step 4: the shared convolutions stay frozen
and the layers after them learn on RoIs sampled from the RPN's best boxes of every training
canvas, with Fast R-CNN's sampling and loss, so the head meets at training the boxes it will
meet at test. Cached like :mod:`~cnnbook.detection.end_to_end`'s training.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from cnnbook.detection.configs import HeadFineTuneConfig
from cnnbook.detection.end_to_end import (FastRCNNResult, _digest, box_targets, cache_key, load,
                                          multitask_loss, sample_rois, store)
from cnnbook.detection.regions import Regions, label_regions
from cnnbook.detection.toy import ToyDetectionSet
from cnnbook.nets.rcnn import fast_rcnn
from cnnbook.runtime import keras, tf
from cnnbook.training import cache_dir, make_deterministic

#: The layers steps 3 and 4 leave as they are: the convolutions the RPN and the detector share.
SHARED = ("conv1", "conv2")


def proposal_regions(toy: ToyDetectionSet, boxes: list[np.ndarray]) -> Regions:
    """Each canvas's proposals ``boxes`` labelled by IoU with its digits (R-CNN's
    labels), and nothing else: no ground-truth or jittered boxes, only what the RPN
    proposes."""
    parts = []
    for n, (props, gt_boxes, gt_labels) in enumerate(zip(boxes, toy.boxes, toy.labels)):
        props = np.asarray(props, dtype=np.float64).reshape(-1, 4)
        labels, matched, overlap = label_regions(props, gt_boxes, gt_labels)
        parts.append((np.full(len(props), n), props, labels, matched, overlap))
    return Regions(*(np.concatenate(column) for column in zip(*parts)))


def _fit(config: HeadFineTuneConfig, images: np.ndarray, regions: Regions, start: keras.Model):
    make_deterministic(config.seed)
    model = fast_rcnn(images.shape[1])
    model.set_weights(start.get_weights())
    for name in SHARED:
        model.get_layer(name).trainable = False
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
        weights = model.trainable_variables      # the head's only: the shared layers are frozen
        optimizer.apply_gradients(zip(tape.gradient(losses[0], weights), weights))
        return losses

    rng = np.random.default_rng(config.seed)
    history, seconds = {"loss": [], "class_loss": [], "box_loss": []}, []
    for _ in range(config.epochs):
        begin, sums = time.perf_counter(), np.zeros(3)
        order = rng.permutation(len(images))
        for first in range(0, len(order), config.images_per_batch):
            canvases = order[first : first + config.images_per_batch]
            picked = [by_canvas[n][sample_rois(regions.overlap[by_canvas[n]], config, rng)]
                      for n in canvases]
            which = np.concatenate([np.full(len(p), i) for i, p in enumerate(picked)]).astype(np.int32)
            picked = np.concatenate(picked)
            losses = step(images[canvases, :, :, None], regions.boxes[picked].astype(np.float32), which,
                          regions.labels[picked].astype(np.int32), targets[picked])
            sums += np.array([float(v) for v in losses]) * len(canvases)
        for name, total in zip(history, sums / len(images)):
            history[name].append(float(total))
        seconds.append(time.perf_counter() - begin)
    return model, history, seconds


def fine_tune_head(config: HeadFineTuneConfig, images: np.ndarray, regions: Regions,
                   start: keras.Model, *, use_cache: bool = True) -> FastRCNNResult:
    """Train (or load) step 4: the Fast R-CNN network ``start`` with its head fine-tuned on the
    labelled RPN proposals ``regions`` of the canvases ``images``, its shared layers unchanged."""
    data = _digest(images, regions.canvas, regions.boxes, regions.labels, regions.matched,
                   *start.get_weights())
    key = cache_key(config, data, fast_rcnn, _fit)
    entry = cache_dir() / f"faster_rcnn_step4-{key[:20]}"
    if use_cache:
        model = fast_rcnn(images.shape[1])
        stored = load(entry, key, model)
        if stored is not None:
            return FastRCNNResult(config, model, stored["history"], stored["seconds_per_epoch"],
                                  stored["seconds_total"], key, from_cache=True)
    begin = time.perf_counter()
    model, history, seconds = _fit(config, images, regions, start)
    result = FastRCNNResult(config, model, history, seconds, time.perf_counter() - begin, key)
    if use_cache:
        store(entry, model, {"key": key, "config": dataclasses.asdict(config), "history": history,
                             "seconds_per_epoch": seconds, "seconds_total": result.seconds_total})
    return result
