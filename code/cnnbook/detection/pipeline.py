"""Training both detectors of the R-CNN chapter on the toy set, through the book's training cache.

The sets, their proposals and labelled regions are made here; the R-CNN classifier trains on
warped crops and the Fast R-CNN head on RoI-pooled features of the same regions (both by the
runs of :mod:`cnnbook.runs`), then each detector's box regressor is fitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnbook import runs, training
from cnnbook.data import ImageSet
from cnnbook.detection.detectors import BoxRegressor, FastRCNNDetector, RCNNDetector
from cnnbook.detection.proposals import propose
from cnnbook.detection.regions import REGRESSION_IOU, Regions, crops_of, training_regions
from cnnbook.detection.roi_pooling import roi_max_pool
from cnnbook.detection.toy import ToyDetectionSet, make_toy_set
from cnnbook.nets.rcnn import BACKGROUND, FEATURE_STRIDE, POOL, TRUNK_CHANNELS, fast_rcnn_head, trunk
from cnnbook.runtime import keras

TRAIN_CANVASES = 800
TEST_CANVASES = 200


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


def toy_sets(seed: int = runs.SEED) -> tuple[ToyDetectionSet, ToyDetectionSet]:
    """The book's toy training and test canvases."""
    return make_toy_set("train", TRAIN_CANVASES, seed), make_toy_set("test", TEST_CANVASES, seed)


def _pooled_set(fast: FastRCNNDetector, toy: ToyDetectionSet, regions: Regions) -> np.ndarray:
    pooled = np.empty((len(regions), POOL, POOL, TRUNK_CHANNELS), dtype=np.float32)
    maps = _in_batches(lambda x: fast.shared(x[..., None]), toy.images, 200)
    for n in np.unique(regions.canvas):
        mine = regions.canvas == n
        pooled[mine] = roi_max_pool(maps[n], regions.boxes[mine], POOL, FEATURE_STRIDE)
    return pooled


def _regressor(network: keras.Model, inputs: np.ndarray, regions: Regions, seed: int) -> BoxRegressor:
    near = (regions.overlap >= REGRESSION_IOU) & (regions.labels != BACKGROUND)
    features = _in_batches(lambda x: network(x)[1], inputs[near])
    return BoxRegressor.fit_validated(features, regions.boxes[near], regions.matched[near], seed)


def train_detectors(seed: int = runs.SEED, rcnn_recipe: training.Recipe = runs.RCNN_CLASSIFIER,
                    head_recipe: training.Recipe = runs.FAST_RCNN_HEAD, sets=None) -> Trained:
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
