"""Labelled regions for training the detectors, and R-CNN's warped crops of them.

A region is a digit (0-9) when it overlaps one by at least :data:`POSITIVE_IOU`, else
background; extra boxes near and away from the digits stand in for the near misses among
R-CNN's 2000 proposals per image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnbook.detection.boxes import centres, clip_boxes, crop_and_resize, iou
from cnnbook.detection.proposals import large_enough
from cnnbook.detection.toy import ToyDetectionSet
from cnnbook.nets.rcnn import BACKGROUND, CROP

#: Pixels of context around the box at the warped size; R-CNN keeps 16 pixels at 227 x 227.
CONTEXT = 2
POSITIVE_IOU = 0.5               # a region is a digit if it overlaps one by at least this
REGRESSION_IOU = 0.6             # regions that close to a digit train the box regressor
#: Training regions per canvas beside the proposals: boxes jittered around each digit, and
#: boxes anywhere, so the classifier also meets near misses and empty canvas.
JITTERED_PER_DIGIT = 6
RANDOM_PER_CANVAS = 4


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
    overlaps = iou(boxes, gt_boxes)
    best = overlaps.argmax(axis=1)
    overlap = overlaps[np.arange(len(boxes)), best]
    labels = np.where(overlap >= POSITIVE_IOU, gt_labels[best], BACKGROUND)
    matched = np.where((overlap > 0)[:, None], gt_boxes[best], boxes)
    return labels.astype(np.int64), matched, overlap


def jitter_boxes(boxes: np.ndarray, per_box: int, rng: np.random.Generator, shift: float = 0.2,
                 scale: float = 0.25) -> np.ndarray:
    """``per_box`` copies of each box, the centre moved by a normal share ``shift`` of the size,
    height and width multiplied by exp of a normal with spread ``scale``."""
    y, x, h, w = centres(boxes)
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
    boxes = clip_boxes(np.concatenate([jittered, anywhere]), size, size)
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
    y, x, h, w = centres(boxes)
    grow = size / (size - 2 * context)
    return np.stack([y - h * grow / 2, x - w * grow / 2, y + h * grow / 2, x + w * grow / 2], axis=1)


def warped_crops(image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """R-CNN's input: each box (with context) cut out and warped to CROP x CROP, (N, 28, 28)."""
    return crop_and_resize(image, with_context(boxes), CROP)


def crops_of(toy: ToyDetectionSet, regions: Regions) -> np.ndarray:
    """The warped crops of all regions, in order."""
    crops = np.empty((len(regions), CROP, CROP), dtype=np.float32)
    for n in np.unique(regions.canvas):
        mine = regions.canvas == n
        crops[mine] = warped_crops(toy.images[n], regions.boxes[mine])
    return crops
