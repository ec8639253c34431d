"""How good and how fast the detectors are: detections on a set, mAP, box refinement, timing."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from cnnbook.detection.boxes import iou
from cnnbook.detection.detectors import Detections, Detector
from cnnbook.detection.metrics import mean_average_precision
from cnnbook.detection.regions import REGRESSION_IOU, Regions
from cnnbook.detection.toy import ToyDetectionSet
from cnnbook.nets.rcnn import BACKGROUND


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
        before.append(np.diag(iou(regions.boxes[mine], truth)))
        after.append(np.diag(iou(moved, truth)))
    return np.concatenate(before), np.concatenate(after)


def detect_all(detector: Detector, toy: ToyDetectionSet, proposals: list[np.ndarray], *,
               refine: bool = True) -> list[Detections]:
    return [detector.detect(image, props, refine=refine) for image, props in zip(toy.images, proposals)]


def mean_ap(found: list[Detections], toy: ToyDetectionSet, iou_threshold: float = 0.5,
            method: str = "area") -> tuple[float, np.ndarray]:
    """mAP over the ten digits at ``iou_threshold``, and each digit's AP."""
    return mean_average_precision(
        [(d.boxes, d.scores, d.classes) for d in found],
        list(zip(toy.boxes, toy.labels)),
        num_classes=BACKGROUND,
        iou_threshold=iou_threshold,
        method=method,
    )


def timing_rounds(functions: dict[str, Callable[[int], object]], images: int,
                  repeats: int = 5) -> dict[str, np.ndarray]:
    """Each function's mean seconds per image in each of ``repeats`` rounds, ``(repeats,)`` per
    name. Within a round every image i = 0 .. ``images`` - 1 is handed to all the functions in
    turn, in an order that reverses from one image to the next (a, b, b, a, ...), so a burst of
    load on a shared machine, or a slow drift, falls on all of them alike. Each function is
    called once, untimed, first.
    """
    for function in functions.values():
        function(0)
    names = list(functions)
    runs = {name: np.zeros(repeats) for name in names}
    turn = 0
    for r in range(repeats):
        for i in range(images):
            for name in names if turn % 2 == 0 else reversed(names):
                start = time.perf_counter()
                functions[name](i)
                runs[name][r] += time.perf_counter() - start
            turn += 1
    return {name: times / images for name, times in runs.items()}


def seconds_per_image(functions: dict[str, Callable[[int], object]], images: int,
                      repeats: int = 5) -> dict[str, float]:
    """Each function's seconds per image: the median over the rounds of :func:`timing_rounds`."""
    return {name: float(np.median(times))
            for name, times in timing_rounds(functions, images, repeats).items()}


def ratio_rounds(rounds: dict[str, np.ndarray], slow: str, fast: str) -> np.ndarray:
    """Round by round, ``slow``'s time divided by ``fast``'s (both timed in the same round):
    its median is the speed-up, its spread the noise of the machine."""
    return rounds[slow] / rounds[fast]
