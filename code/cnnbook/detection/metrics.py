"""Evaluation of a detector: precision and recall down a ranking, average precision (AP) and
its mean over classes (mAP), as PASCAL VOC computes them."""

from __future__ import annotations

import numpy as np

from cnnbook import checks
from cnnbook.detection.boxes import as_boxes, as_scores, iou


def precision_recall(scores, correct, positives: int) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each detection, ranked by score (ties keep the order given).

    ``correct`` says which detections found an object; ``positives`` is the number of objects.
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    hit = np.asarray(correct).ravel()
    if hit.shape != s.shape or (hit.size and hit.dtype != bool):
        raise ValueError(f"correct must be booleans, one per score; got {hit.dtype} {hit.shape}")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    positives = checks.whole_number("positives", positives)
    if hit.sum() > positives:
        raise ValueError(f"{int(hit.sum())} correct detections but only {positives} objects")
    true = np.cumsum(hit[np.argsort(-s, kind="stable")])
    return true / np.arange(1, len(s) + 1), true / positives


def average_precision(scores, correct, positives: int, method: str = "area") -> float:
    """Average precision (AP) of one class from its detections' scores and correctness.

    Trace precision and recall down the ranking (:func:`precision_recall`), make
    precision non-increasing in recall (each point takes the best precision at any
    higher recall), then average it: ``"area"`` is the area under that curve (PASCAL VOC
    from 2010 on), ``"11point"`` the mean at recall 0, 0.1, ..., 1 (the definition in
    the VOC paper).
    """
    if method not in ("area", "11point"):
        raise ValueError(f"method must be 'area' or '11point', got {method!r}")
    precision, recall = precision_recall(scores, correct, positives)
    if (
        method == "11point"
    ):  # i / 10, not linspace: a recall of 3/10 must reach the point 0.3
        return float(
            np.mean(
                [precision[recall >= t].max(initial=0.0) for t in np.arange(11) / 10]
            )
        )
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(np.diff(recall, prepend=0.0) * envelope))


def match_detections(boxes, scores, ground_truth, iou_threshold: float = 0.5) -> np.ndarray:
    """Which detections of one class in one image are correct (PASCAL VOC's rule).

    In order of score, each detection takes the ground-truth box it overlaps most; it is
    correct if that IoU is at least ``iou_threshold`` and the box was not taken by a better
    detection (a second detection of one object counts as a false positive).
    """
    b, g = as_boxes(boxes), as_boxes(ground_truth, "ground_truth")
    s = as_scores(scores, len(b))
    threshold = checks.fraction("iou_threshold", iou_threshold)
    correct = np.zeros(len(b), dtype=bool)
    if len(g) == 0 or len(b) == 0:
        return correct
    overlaps = iou(b, g)
    taken = np.zeros(len(g), dtype=bool)
    for index in np.argsort(-s, kind="stable"):
        best = int(np.argmax(overlaps[index]))
        if overlaps[index, best] >= threshold and not taken[best]:
            taken[best] = correct[index] = True
    return correct


def mean_average_precision(detections, ground_truths, num_classes: int, iou_threshold: float = 0.5,
                           method: str = "area") -> tuple[float, np.ndarray]:
    """mAP over classes, and each class's AP (NaN for a class with no ground-truth object).

    ``detections``: per image, (boxes, scores, classes); ``ground_truths``: per image,
    (boxes, classes). A class's detections from all images are ranked together.
    """
    if len(detections) != len(ground_truths):
        raise ValueError(f"{len(detections)} images of detections but {len(ground_truths)} of ground truth")
    num_classes = checks.whole_number("num_classes", num_classes)
    scores: list[list[np.ndarray]] = [[] for _ in range(num_classes)]
    hits: list[list[np.ndarray]] = [[] for _ in range(num_classes)]
    objects = np.zeros(num_classes, dtype=np.int64)
    for (d_boxes, d_scores, d_classes), (g_boxes, g_classes) in zip(detections, ground_truths):
        d_boxes, g_boxes = as_boxes(d_boxes), as_boxes(g_boxes, "ground_truth")
        d_classes, g_classes = np.asarray(d_classes), np.asarray(g_classes)
        d_scores = as_scores(d_scores, len(d_boxes))
        for name, c, n in (("detection", d_classes, len(d_boxes)), ("ground-truth", g_classes, len(g_boxes))):
            if c.shape != (n,) or (n and not (np.issubdtype(c.dtype, np.integer) and 0 <= c.min()
                                              and c.max() < num_classes)):
                raise ValueError(f"{name} classes must be {n} integers in [0, {num_classes})")
        objects += np.bincount(g_classes, minlength=num_classes)[:num_classes] if len(g_classes) else 0
        for k in np.unique(d_classes):
            mine = d_classes == k
            scores[k].append(d_scores[mine])
            truth = g_boxes[g_classes == k]
            hits[k].append(match_detections(d_boxes[mine], d_scores[mine], truth, iou_threshold))
    ap = np.full(num_classes, np.nan)
    for k in range(num_classes):
        if objects[k]:
            s = np.concatenate(scores[k]) if scores[k] else np.zeros(0)
            h = np.concatenate(hits[k]) if hits[k] else np.zeros(0, dtype=bool)
            ap[k] = average_precision(s, h, int(objects[k]), method)
    if np.isnan(ap).all():
        raise ValueError("no ground-truth objects: mAP is undefined")
    return float(np.nanmean(ap)), ap
