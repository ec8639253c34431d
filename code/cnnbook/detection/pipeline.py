"""Training the detectors of the R-CNN chapter on the toy set, through the book's caches.

The sets, their proposals and labelled regions are made here; the R-CNN classifier trains on
warped crops (by a recipe of :mod:`cnnbook.runs`) and its box regressor is fitted; Fast R-CNN
is then trained end to end from the classifier on the same regions, Faster R-CNN's RPN on
Fast R-CNN's shared feature map, and Fast R-CNN's head once more on the RPN's proposals, the
shared map frozen (the paper's fourth step; their configs are in :mod:`cnnbook.runs` too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnbook import runs, training
from cnnbook.data import ImageSet
from cnnbook.detection.configs import FastRCNNConfig, HeadFineTuneConfig, RPNConfig
from cnnbook.detection.detectors import BoxRegressor, RCNNDetector
from cnnbook.detection.end_to_end import FastRCNN, FastRCNNResult, train_fast_rcnn
from cnnbook.detection.proposals import propose
from cnnbook.detection.regions import REGRESSION_IOU, Regions, crops_of, training_regions
from cnnbook.detection.rpn import RegionProposer, RPNResult, train_rpn
from cnnbook.detection.step4 import fine_tune_head, proposal_regions
from cnnbook.detection.toy import ToyDetectionSet, make_toy_set
from cnnbook.facts import FASTER_NMS_IOU
from cnnbook.nets.rcnn import BACKGROUND, backbone_of
from cnnbook.runtime import keras

TRAIN_CANVASES = 800
TEST_CANVASES = 200


def _in_batches(function: Callable[[np.ndarray], object], x: np.ndarray, batch: int = 2000) -> np.ndarray:
    return np.concatenate([np.asarray(function(x[i : i + batch])) for i in range(0, len(x), batch)])


@dataclass
class Trained:
    """Everything the R-CNN chapter shows: the sets, their proposals, the three detectors
    (Faster R-CNN is ``proposer`` with ``faster``, Fast R-CNN's network after step 4)."""

    train_set: ToyDetectionSet
    test_set: ToyDetectionSet
    train_proposals: list[np.ndarray]
    test_proposals: list[np.ndarray]
    train_regions: Regions
    test_regions: Regions
    rcnn: RCNNDetector
    fast: FastRCNN
    proposer: RegionProposer
    rcnn_result: training.Result
    fast_result: FastRCNNResult
    rpn_result: RPNResult
    faster: FastRCNN
    faster_result: FastRCNNResult
    train_rpn_regions: Regions


def toy_sets(seed: int = runs.SEED) -> tuple[ToyDetectionSet, ToyDetectionSet]:
    """The book's toy training and test canvases."""
    return make_toy_set("train", TRAIN_CANVASES, seed), make_toy_set("test", TEST_CANVASES, seed)


def _regressor(network: keras.Model, inputs: np.ndarray, regions: Regions, seed: int) -> BoxRegressor:
    near = (regions.overlap >= REGRESSION_IOU) & (regions.labels != BACKGROUND)
    features = _in_batches(lambda x: network(x)[1], inputs[near])
    return BoxRegressor.fit_validated(features, regions.boxes[near], regions.matched[near], seed)


def train_detectors(seed: int = runs.SEED, rcnn_recipe: training.Recipe = runs.RCNN_CLASSIFIER,
                    fast_config: FastRCNNConfig = runs.FAST_RCNN, rpn_config: RPNConfig = runs.RPN,
                    faster_config: HeadFineTuneConfig = runs.FASTER_RCNN, sets=None) -> Trained:
    """Build the region sets; train (or load) R-CNN's classifier and fit its box regressor; train
    Fast R-CNN end to end from that classifier; train the RPN on Fast R-CNN's shared map; then
    fine-tune Fast R-CNN's head on the RPN's proposals of the training canvases (step 4)."""
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
    rcnn.regressor = _regressor(rcnn.network, crops_train[..., None], train_regions, seed)

    fast_result = train_fast_rcnn(fast_config, train_set.images, train_regions, rcnn_result.model)
    backbone = backbone_of(fast_result.model)
    maps = _in_batches(lambda x: backbone(x[..., None], training=False), train_set.images, 200)
    rpn_result = train_rpn(rpn_config, maps, train_set.boxes)
    proposer = RegionProposer(backbone, rpn_result.model, FASTER_NMS_IOU)
    rpn_regions = proposal_regions(
        train_set, [proposer.propose(image, faster_config.proposals) for image in train_set.images])
    faster_result = fine_tune_head(faster_config, train_set.images, rpn_regions, fast_result.model)
    faster = FastRCNN(faster_result.model)
    faster.name = "Faster R-CNN"
    return Trained(train_set, test_set, train_props, test_props, train_regions, test_regions,
                   rcnn, FastRCNN(fast_result.model), proposer, rcnn_result, fast_result, rpn_result,
                   faster, faster_result, rpn_regions)
