"""Fast R-CNN trained end to end, Faster R-CNN's RPN and its fourth training step: the RoI pooling
layer, the RoI and anchor sampling, the losses, the cache and determinism of their training."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from cnnbook import detection, facts, runs
from cnnbook.detection import end_to_end, rpn, step4
from cnnbook.detection.configs import FastRCNNConfig, HeadFineTuneConfig, RPNConfig
from cnnbook.detection.regions import Regions
from cnnbook.nets import rcnn
from cnnbook.runtime import tf


def _boxes(rng, count, low, high, size):
    corner = rng.uniform(low, high, (count, 2))
    return np.concatenate([corner, corner + rng.uniform(0, size, (count, 2))], axis=1).astype(np.float32)


@pytest.mark.parametrize("k, side, training", [(7, 32, False), (7, 32, True), (3, 17, False),
                                               (3, 17, True), (7, 5, False), (2, 9, True)])
def test_roi_pooling_layer_equals_the_numpy_reference(k, side, training):
    rng = np.random.default_rng(k * side)
    maps = rng.normal(size=(3, side, side, 4)).astype(np.float32)
    boxes = _boxes(rng, 120, -6, 2 * side, 2 * side)
    image = rng.integers(0, 3, 120).astype(np.int32)
    pooled = rcnn.RoIMaxPool(k, 2)([tf.constant(maps), tf.constant(boxes), tf.constant(image)],
                                   training=training)
    reference = np.stack([detection.roi_max_pool(maps[n], boxes[i : i + 1], k, 2)[0]
                          for i, n in enumerate(image)])
    assert np.array_equal(np.asarray(pooled), reference)


def test_roi_pooling_passes_gradients_to_the_maximum_only():
    maps = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    with tf.GradientTape() as tape:
        tape.watch(maps)
        pooled = rcnn.RoIMaxPool(1, 1)([maps, tf.constant([[0.0, 0.0, 2.0, 2.0]]), tf.constant([0])],
                                       training=True)
        total = tf.reduce_sum(pooled)
    gradient = np.asarray(tape.gradient(total, maps))[0, :, :, 0]
    assert float(pooled[0, 0, 0, 0]) == 5.0
    expected = np.zeros((4, 4))
    expected[1, 1] = 1.0
    assert np.array_equal(gradient, expected)


def test_smooth_l1_by_hand():
    values = np.asarray(end_to_end.smooth_l1(tf.constant([-3.0, -1.0, -0.5, 0.0, 0.5, 2.0])))
    assert np.allclose(values, [2.5, 0.5, 0.125, 0.0, 0.125, 1.5])


def test_multitask_loss_counts_boxes_of_digits_only_and_their_own_digit():
    labels = np.array([3, rcnn.BACKGROUND])
    probabilities = np.full((2, rcnn.NUM_CLASSES), 0.01, dtype=np.float32)
    probabilities[0, 3] = probabilities[1, rcnn.BACKGROUND] = 0.9
    deltas = np.zeros((2, rcnn.BACKGROUND * 4), dtype=np.float32)
    deltas[0, 12:16] = [0.5, 0.0, 0.0, 2.0]     # digit 3's deltas: smooth L1 0.125 + 1.5
    deltas[0, :4] = 100.0                       # another digit's: not counted
    deltas[1, :] = 100.0                        # background: not counted
    targets = np.zeros((2, 4), dtype=np.float32)
    total, classes, boxes = end_to_end.multitask_loss(labels, targets, probabilities, deltas, 2.0)
    assert np.isclose(float(classes), -np.log(0.9), atol=1e-5)
    assert np.isclose(float(boxes), (0.125 + 1.5) / 2)          # averaged over both RoIs
    assert np.isclose(float(total), float(classes) + 2.0 * float(boxes))


def test_sample_rois_takes_the_papers_fractions():
    config = runs.FAST_RCNN
    assert config.foreground_fraction == facts.FAST_FOREGROUND_FRACTION
    rng = np.random.default_rng(0)
    overlap = np.concatenate([rng.uniform(0.5, 1, 40), rng.uniform(0.1, 0.5, 60), rng.uniform(0, 0.1, 50)])
    picked = end_to_end.sample_rois(overlap, config, rng)
    assert len(picked) == config.rois_per_image
    digits = overlap[picked] >= config.foreground_iou
    assert digits.sum() == round(config.foreground_fraction * config.rois_per_image)
    assert len(np.unique(picked[digits])) == digits.sum(), "digits drawn without replacement"
    low, high = config.background_iou
    assert ((overlap[picked[~digits]] >= low) & (overlap[picked[~digits]] < high)).all()
    few = np.array([0.9, 0.7, 0.3, 0.2, 0.05])      # two digits only: all of them, the rest background
    picked = end_to_end.sample_rois(few, config, rng)
    assert (few[picked] >= 0.5).sum() == 2 and len(picked) == config.rois_per_image
    assert set(picked[few[picked] < 0.5]) <= {2, 3}, "background from [0.1, 0.5) while there is some"


def test_configs_refuse_nonsense():
    with pytest.raises(ValueError):
        FastRCNNConfig(epochs=1, background_iou=(0.5, 0.1))
    with pytest.raises(ValueError):
        RPNConfig(epochs=1, negative_iou=0.8, positive_iou=0.7)


def test_rpn_targets_and_anchor_sampling():
    config = runs.RPN
    anchors = rpn.canvas_anchors((32, 32))
    assert len(anchors) == 32 * 32 * len(rcnn.ANCHOR_SCALES) * len(rcnn.ANCHOR_RATIOS)
    truth = np.array([[10.0, 10.0, 30.0, 26.0], [40.0, 36.0, 58.0, 50.0]])
    labels, deltas = rpn.anchor_targets(anchors, truth, config)
    assert np.array_equal(labels, detection.label_anchors(anchors, truth, config.positive_iou,
                                                          config.negative_iou))
    positive = labels == 1
    best = detection.iou(anchors[positive], truth).argmax(axis=1)
    moved = detection.decode(deltas[positive], anchors[positive])
    assert np.allclose(moved, truth[best], atol=1e-4), "each positive's deltas lead to its box"
    mask = rpn.sample_anchors(labels, config, np.random.default_rng(0))
    assert mask.sum() == config.anchors_per_image
    assert (labels[mask == 1] >= 0).all(), "ignored anchors are never sampled"
    assert mask[positive].sum() == min(positive.sum(), config.anchors_per_image // 2)


def _tiny_regions(rng, canvases=4):
    boxes = _boxes(rng, 12 * canvases, 0, 40, 24).astype(np.float64) + [0, 0, 4, 4]
    overlap = rng.uniform(0, 1, len(boxes))
    labels = np.where(overlap >= 0.5, rng.integers(0, 10, len(boxes)), rcnn.BACKGROUND)
    return Regions(np.repeat(np.arange(canvases), 12), boxes, labels, boxes * 1.05, overlap)


@pytest.mark.slow
def test_fast_rcnn_cache_key_and_determinism(cache_dir):
    rng = np.random.default_rng(0)
    images = rng.random((4, 64, 64), dtype=np.float32)
    regions = _tiny_regions(rng)
    config = FastRCNNConfig(epochs=1, images_per_batch=2, rois_per_image=8)
    first = end_to_end.train_fast_rcnn(config, images, regions)
    again = end_to_end.train_fast_rcnn(config, images, regions)
    assert not first.from_cache and again.from_cache and again.key == first.key
    retrained = end_to_end.train_fast_rcnn(config, images, regions, use_cache=False)
    for a, b in zip(first.model.get_weights(), retrained.model.get_weights()):
        assert np.array_equal(a, b), "same config, same weights"
    other = end_to_end.train_fast_rcnn(dataclasses.replace(config, seed=2), images, regions)
    assert other.key != first.key and not other.from_cache
    assert first.history["loss"][0] > 0 and len(first.seconds_per_epoch) == 1


@pytest.mark.slow
def test_rpn_cache_key_and_determinism(cache_dir):
    rng = np.random.default_rng(1)
    maps = rng.random((4, 32, 32, rcnn.TRUNK_CHANNELS), dtype=np.float32)
    truth = tuple(np.array([[8.0, 8.0, 30.0, 24.0]]) + n for n in range(4))
    config = RPNConfig(epochs=1, images_per_batch=2)
    first = rpn.train_rpn(config, maps, truth)
    again = rpn.train_rpn(config, maps, truth)
    assert not first.from_cache and again.from_cache
    retrained = rpn.train_rpn(config, maps, truth, use_cache=False)
    for a, b in zip(first.model.get_weights(), retrained.model.get_weights()):
        assert np.array_equal(a, b)
    assert rpn.train_rpn(dataclasses.replace(config, epochs=2), maps, truth).key != first.key


# ---- the fourth step: the head fine-tuned on the RPN's proposals -------------------------------


def test_fourth_step_config_samples_as_fast_rcnn_does():
    config = runs.FASTER_RCNN
    assert config.proposals == facts.FASTER_TEST_PROPOSALS and config.seed == runs.SEED
    for name in ("foreground_fraction", "foreground_iou", "background_iou", "box_loss_weight",
                 "rois_per_image", "images_per_batch"):
        assert getattr(config, name) == getattr(runs.FAST_RCNN, name), name
    with pytest.raises(ValueError):
        HeadFineTuneConfig(epochs=1, proposals=0)
    with pytest.raises(ValueError):
        HeadFineTuneConfig(epochs=1, background_iou=(0.5, 0.1))


def test_proposal_regions_are_the_proposals_labelled_and_nothing_else():
    truth = np.array([[10.0, 10.0, 30.0, 26.0], [40.0, 36.0, 58.0, 50.0]])
    toy = SimpleNamespace(boxes=(truth, np.zeros((0, 4))), labels=(np.array([3, 7]), np.zeros(0, int)))
    boxes = [np.array([[10.0, 10.0, 30.0, 26.0], [11.0, 10.0, 30.0, 27.0], [40.0, 36.0, 50.0, 42.0],
                       [0.0, 0.0, 8.0, 8.0]]), np.array([[5.0, 5.0, 20.0, 20.0]])]
    regions = step4.proposal_regions(toy, boxes)
    assert len(regions) == 5 and regions.canvas.tolist() == [0, 0, 0, 0, 1]
    assert np.array_equal(regions.boxes, np.concatenate(boxes)), "no ground-truth or jittered boxes added"
    assert regions.labels.tolist() == [3, 3, rcnn.BACKGROUND, rcnn.BACKGROUND, rcnn.BACKGROUND]
    assert np.isclose(regions.overlap[0], 1.0) and regions.overlap[2] < 0.5 and regions.overlap[4] == 0
    assert np.array_equal(regions.matched[1], truth[0])


@pytest.mark.slow
def test_fourth_step_trains_the_head_only_and_is_cached(cache_dir):
    rng = np.random.default_rng(2)
    images = rng.random((4, 64, 64), dtype=np.float32)
    regions = _tiny_regions(rng)
    start = rcnn.fast_rcnn()
    start.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in start.get_weights()])
    config = HeadFineTuneConfig(epochs=1, images_per_batch=2, rois_per_image=8, proposals=12)
    first = step4.fine_tune_head(config, images, regions, start)
    for name in step4.SHARED:
        for a, b in zip(start.get_layer(name).get_weights(), first.model.get_layer(name).get_weights()):
            assert np.array_equal(a, b), f"{name} is shared with the RPN: frozen"
    for name in ("fc", "classes", "boxes"):
        moved = [not np.array_equal(a, b) for a, b in zip(start.get_layer(name).get_weights(),
                                                           first.model.get_layer(name).get_weights())]
        assert any(moved), f"the head's {name} learns"
    assert len(first.history["class_loss"]) == 1 and first.seconds_total > 0
    again = step4.fine_tune_head(config, images, regions, start)
    assert not first.from_cache and again.from_cache and again.key == first.key
    retrained = step4.fine_tune_head(config, images, regions, start, use_cache=False)
    for a, b in zip(first.model.get_weights(), retrained.model.get_weights()):
        assert np.array_equal(a, b), "same config, same start, same weights"
    other_start = rcnn.fast_rcnn()
    other_start.set_weights([w + 0.01 for w in start.get_weights()])
    assert step4.fine_tune_head(config, images, regions, other_start).key != first.key
    assert step4.fine_tune_head(dataclasses.replace(config, proposals=20), images, regions,
                                start).key != first.key, "the config, proposals included, is the key"
