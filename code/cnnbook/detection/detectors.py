"""R-CNN, from proposals to detections, and its box regression.

R-CNN crops every proposal out of the image, warps it to the classifier's 28 x 28 input and
runs the whole CNN once per proposal; the classifier says "digit 0-9 or background" with a
softmax, and a class-agnostic ridge regressor on its last hidden features, fitted in NumPy,
refines the boxes. Fast R-CNN, trained end to end, is :mod:`cnnbook.detection.end_to_end`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnbook.detection.boxes import clip_boxes, decode, encode, per_class_nms
from cnnbook.detection.proposals import propose
from cnnbook.detection.regions import warped_crops
from cnnbook.nets.rcnn import BACKGROUND, with_features
from cnnbook.runtime import keras, tf

RIDGE_CHOICES = (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
NMS_IOU = 0.3                    # per-class NMS after scoring, as R-CNN
MIN_SCORE = 0.01                 # class scores below this are not reported as detections


def _compiled(model: keras.Model) -> Callable:
    """``model`` as one TensorFlow graph for any batch size: inference without per-layer Python
    overhead and without retracing for each new number of regions."""
    spec = tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32)
    return tf.function(lambda x: model(x, training=False), input_signature=[spec], reduce_retracing=True)


@dataclass(frozen=True)
class BoxRegressor:
    """A linear map from a region's features to R-CNN's targets [ty, tx, th, tw] (ridge)."""

    weights: np.ndarray   # (D, 4)
    bias: np.ndarray      # (4,)
    mean: np.ndarray      # (D,) feature mean, subtracted first
    ridge: float

    @classmethod
    def fit(
        cls, features: np.ndarray, boxes: np.ndarray, targets: np.ndarray, ridge: float
    ) -> BoxRegressor:
        """Least squares with an L2 penalty ``ridge`` on the weights (not on the bias).
        """
        x = np.asarray(features, dtype=np.float64)
        t = encode(targets, boxes)
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
        truth = encode(targets[held], boxes[held])

        def error(ridge: float) -> float:
            fitted = cls.fit(features[kept], boxes[kept], targets[kept], ridge)
            return float(np.mean((fitted.deltas(features[held]) - truth) ** 2))

        best = min(RIDGE_CHOICES, key=error)
        return cls.fit(features, boxes, targets, best)

    def deltas(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, dtype=np.float64) - self.mean) @ self.weights + self.bias

    def refine(self, features: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        return decode(self.deltas(features), boxes)


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
    boxes = clip_boxes(boxes, size, size)
    region, digit = np.nonzero(probabilities[:, :BACKGROUND] >= MIN_SCORE)
    boxes, scores = boxes[region], probabilities[region, digit]
    keep = per_class_nms(boxes, scores, digit, NMS_IOU)
    return Detections(boxes[keep], scores[keep], digit[keep])


class Detector:
    """The common part: proposals in, detections out; subclasses say how regions are scored."""

    name = "detector"

    def __init__(self, regressor: BoxRegressor | None = None):
        self.regressor = regressor

    def score(self, image: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(class probabilities, hidden features) of each box."""
        raise NotImplementedError

    def detect(
        self,
        image: np.ndarray,
        proposals: np.ndarray | None = None,
        *,
        refine: bool = True,
    ) -> Detections:
        """Steps 1 to 3 and NMS: propose (unless given), score every box, move the boxes
        by the box regressor (unless ``refine`` is False), then keep the best per class.
        """
        boxes = propose(image) if proposals is None else proposals
        if len(boxes) == 0:
            return Detections(
                np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64)
            )
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
        self.network = _compiled(with_features(classifier))

    def score(self, image, boxes):
        probabilities, features = self.network(warped_crops(image, boxes)[..., None])
        return np.asarray(probabilities), np.asarray(features)
