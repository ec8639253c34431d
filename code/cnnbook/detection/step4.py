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

import numpy as np

from cnnbook.detection.configs import HeadFineTuneConfig
from cnnbook.detection.end_to_end import FastRCNNResult, _digest, fit_network, trained
from cnnbook.detection.regions import Regions, label_regions
from cnnbook.detection.toy import ToyDetectionSet
from cnnbook.nets.rcnn import fast_rcnn
from cnnbook.runtime import keras
from cnnbook.training import make_deterministic

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
    for name in SHARED:  # the head's layers only learn: the shared ones are frozen
        model.get_layer(name).trainable = False
    return (model, *fit_network(model, config, images, regions))


def fine_tune_head(config: HeadFineTuneConfig, images: np.ndarray, regions: Regions,
                   start: keras.Model, *, use_cache: bool = True) -> FastRCNNResult:
    """Train (or load) step 4: the Fast R-CNN network ``start`` with its head fine-tuned on the
    labelled RPN proposals ``regions`` of the canvases ``images``, its shared layers unchanged."""
    data = _digest(images, regions.canvas, regions.boxes, regions.labels, regions.matched,
                   *start.get_weights())
    return trained("faster_rcnn_step4", _fit, config, data, images, regions, start, use_cache)
