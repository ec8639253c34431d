"""The R-CNN pipelines: proposals, region labels, the networks, box regression and both detectors."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnbook import detection, nets, runs
from cnnbook.detection import detectors, evaluation, pipeline
from cnnbook.detection import proposals as ink_proposals
from cnnbook.detection import regions as regs
from cnnbook.detection.toy import make_toy_set
from cnnbook.figures import boxes as box_figures
from cnnbook.nets import rcnn

# ---- proposals -------------------------------------------------------------------------------


def _strokes() -> np.ndarray:
    image = np.zeros((12, 12))
    image[1:7, 2] = 1.0          # a vertical stroke, rows 1-6
    image[1, 3:6] = 1.0          # touching it: a bar to the right
    image[9:11, 4:7] = 1.0       # a separate blob, 3 rows below the stroke's end
    return image


def test_ink_pieces_by_hand():
    sizes, boxes, neighbours = ink_proposals.ink_pieces(_strokes(), tile=12, link=1)
    # One tile holds everything: the stroke with its bar is one piece, the blob another.
    assert sorted(sizes.tolist()) == [6, 9]
    assert sorted(map(tuple, boxes.tolist())) == [(1, 2, 7, 6), (9, 4, 11, 7)]
    assert len(neighbours) == 0                      # 3 rows apart: not touching
    _, _, linked = ink_proposals.ink_pieces(_strokes(), tile=12, link=3)
    assert linked.tolist() == [[0, 1]]


def test_tiles_cut_the_ink_into_pieces_that_stay_neighbours():
    sizes, boxes, neighbours = ink_proposals.ink_pieces(_strokes(), tile=4, link=1)
    # The stroke crosses the row-4 tile edge and the bar the column-4 edge.
    assert sum(sizes) == 15 and len(sizes) == 4
    inside = [tuple(b) for b in boxes.tolist()]
    assert (1, 2, 4, 4) in inside and (4, 2, 7, 3) in inside and (1, 4, 2, 6) in inside
    assert len(neighbours) == 2                     # both cut pieces touch the corner piece
    assert ink_proposals.ink_pieces(np.zeros((5, 5)), 4, 1)[1].shape == (0, 4)


def test_ink_pieces_refusals():
    with pytest.raises(ValueError, match="2-D"):
        ink_proposals.ink_pieces(np.zeros((2, 2, 1)), 4, 1)
    with pytest.raises(ValueError, match="tile"):
        ink_proposals.ink_pieces(np.zeros((4, 4)), 0, 1)
    with pytest.raises(ValueError, match="link"):
        ink_proposals.ink_pieces(np.zeros((4, 4)), 4, 1.5)


def test_hierarchical_grouping_merges_neighbours_only():
    boxes = np.array([[0, 0, 2, 2], [0, 3, 2, 5], [0, 6, 2, 8], [10, 10, 12, 12]], dtype=float)
    sizes = np.array([4, 4, 4, 4])
    out = ink_proposals.hierarchical_grouping(sizes, boxes, np.array([[0, 1], [1, 2]]), 144.0)
    # Three linked regions give two merges; the lone region never merges.
    assert len(out) == 4 + 2
    assert [0, 0, 2, 8] in np.array(out).tolist()
    assert not any(b[2] == 12 and b[0] == 0 for b in out), "the lone region joined a group"


def test_grouping_prefers_small_regions_that_fill_their_box():
    boxes = np.array([[0, 0, 4, 4], [0, 4, 4, 8], [0, 20, 4, 24]], dtype=float)
    sizes = np.array([16, 16, 16])
    out = ink_proposals.hierarchical_grouping(sizes, boxes, np.array([[0, 1], [1, 2]]), 1000.0)
    assert np.array_equal(out[3], [0, 0, 4, 8]), "the pair that fills its joint box merges first"
    assert np.array_equal(out[4], [0, 0, 4, 24])


@pytest.fixture(scope="module")
def small_sets(mnist_dir):
    return make_toy_set("train", 40, seed=3), make_toy_set("test", 30, seed=3)


def test_proposals_are_clean_and_find_the_digits(small_sets):
    _, test_set = small_sets
    proposals = [ink_proposals.propose(image) for image in test_set.images]
    for props in proposals:
        assert len(np.unique(props, axis=0)) == len(props)
        assert (props >= 0).all() and (props <= test_set.images.shape[1]).all()
        sides = np.sort(props[:, 2:] - props[:, :2], axis=1)
        assert (sides[:, 0] >= ink_proposals.MIN_PROPOSAL_SIDE).all()
        assert (sides[:, 1] >= ink_proposals.MIN_PROPOSAL_LENGTH).all()
    assert ink_proposals.recall(proposals, test_set.boxes, 0.5) >= 0.9
    assert ink_proposals.propose(np.zeros((64, 64))).shape == (0, 4)


def test_recall():
    truth = (np.array([[0, 0, 10, 10], [20, 20, 30, 30]]),)
    assert ink_proposals.recall([np.array([[0, 0, 10, 9]])], truth, 0.5) == 0.5
    assert ink_proposals.recall([np.zeros((0, 4))], truth, 0.5) == 0.0


# ---- regions ---------------------------------------------------------------------------------


def test_label_regions_by_hand():
    truth, digits = np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([4, 7])
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 4], [20, 20, 30, 28], [40, 40, 50, 50]])
    labels, matched, overlap = regs.label_regions(boxes, truth, digits)
    assert labels.tolist() == [4, rcnn.BACKGROUND, 7, rcnn.BACKGROUND]
    assert np.allclose(overlap, [1.0, 0.4, 0.8, 0.0])
    assert matched.tolist() == [[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]]
    labels, _, _ = regs.label_regions(boxes, np.zeros((0, 4)), np.zeros(0, dtype=int))
    assert (labels == rcnn.BACKGROUND).all()


def test_training_regions_are_labelled_by_overlap(small_sets):
    train_set, _ = small_sets
    proposals = [ink_proposals.propose(image) for image in train_set.images]
    regions = regs.training_regions(train_set, proposals, seed=0)
    again = regs.training_regions(train_set, proposals, seed=0)
    assert np.array_equal(regions.boxes, again.boxes), "regions are fixed by the seed"
    assert len(regions) == len(regions.labels) == len(regions.canvas)
    digit = regions.labels != rcnn.BACKGROUND
    assert (regions.overlap[digit] >= regs.POSITIVE_IOU).all()
    assert (regions.overlap[~digit] < regs.POSITIVE_IOU).all()
    for n, (boxes, labels) in enumerate(zip(train_set.boxes, train_set.labels)):
        mine = regions.canvas == n
        for box, label in zip(boxes, labels):   # every ground-truth box is a region of its class
            same = (regions.boxes[mine] == box).all(axis=1)
            assert same.any() and (regions.labels[mine][same] == label).all()
    assert 0.5 < np.mean(~digit) < 0.95, "mostly background, as in R-CNN's batches"


def test_context_and_warping():
    box = np.array([[10.0, 20.0, 30.0, 30.0]])
    wide = regs.with_context(box, context=2, size=28)
    assert np.allclose(detection.centres(wide)[:2], detection.centres(box)[:2])
    assert np.allclose(wide[0, 2] - wide[0, 0], 20 * 28 / 24)
    image = np.zeros((64, 64), dtype=np.float32)
    image[10:30, 20:30] = 1.0
    crop = regs.warped_crops(image, box)[0]
    assert crop.shape == (rcnn.CROP, rcnn.CROP)
    # The box fills the crop but for the context frame, which shows the blank canvas around it.
    inner = crop[regs.CONTEXT + 1 : -regs.CONTEXT - 1, regs.CONTEXT + 1 : -regs.CONTEXT - 1]
    assert np.allclose(inner, 1.0) and np.allclose(crop[0], 0.0) and np.allclose(crop[:, -1], 0.0)


# ---- networks --------------------------------------------------------------------------------


def test_builders_with_softmax_outputs():
    assert nets.registered_keys()["rcnn_classifier"] == "rcnn"
    classifier, network = nets.build("rcnn_classifier"), rcnn.fast_rcnn()
    assert classifier.output_shape == network.output_shape[0] == (None, rcnn.NUM_CLASSES)
    assert network.output_shape[1] == (None, 4 * rcnn.BACKGROUND)
    assert classifier.layers[-1].activation.__name__ == "softmax"
    # The network's layers are the classifier's, plus the box layer.
    boxes = network.get_layer("boxes").count_params()
    assert network.count_params() == classifier.count_params() + boxes


def test_runs():
    assert runs.RCNN_CLASSIFIER.seed == runs.FAST_RCNN.seed == runs.RPN.seed == runs.SEED
    assert runs.FASTER_RCNN.seed == runs.SEED
    assert nets.registered_keys()[runs.RCNN_CLASSIFIER.model] == "rcnn"


def _random_weights(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def test_trunk_copies_the_convolutions_and_takes_any_size():
    classifier = _random_weights(rcnn.rcnn_classifier(), 0)
    trunk = rcnn.trunk(classifier)
    image = np.random.default_rng(1).random((2, 28, 28, 1), dtype=np.float32)
    from cnnbook.runtime import keras

    conv2 = keras.Model(classifier.inputs[0], classifier.get_layer("conv2").output)
    assert np.allclose(trunk(image), conv2(image), atol=1e-6)
    assert trunk(np.zeros((1, 64, 64, 1), dtype=np.float32)).shape == (1, 32, 32, rcnn.TRUNK_CHANNELS)
    assert trunk.count_params() == sum(classifier.get_layer(n).count_params() for n in ("conv1", "conv2"))


def test_roi_pooling_of_the_whole_crop_is_the_classifiers_last_pooling():
    """Fast R-CNN puts RoI pooling where the classifier had its last max pooling: on a box that
    covers a 28 x 28 image, the network computes exactly the classifier's answer."""
    from cnnbook.detection.end_to_end import FastRCNN

    classifier = _random_weights(rcnn.rcnn_classifier(), 2)
    network = rcnn.fast_rcnn(rcnn.CROP)
    for name in ("conv1", "conv2", "fc", "classes"):
        network.get_layer(name).set_weights(classifier.get_layer(name).get_weights())
    image = np.random.default_rng(3).random((28, 28), dtype=np.float32)
    probabilities, deltas = FastRCNN(network).score(image, np.array([[0.0, 0.0, 28.0, 28.0]]))
    assert np.allclose(probabilities, classifier(image[None, :, :, None]), atol=1e-5)
    assert deltas.shape == (1, rcnn.BACKGROUND, 4)


# ---- box regression --------------------------------------------------------------------------


def test_box_regressor_recovers_a_linear_map():
    rng = np.random.default_rng(0)
    boxes = rng.uniform(0, 40, (300, 2))
    boxes = np.concatenate([boxes, boxes + rng.uniform(8, 20, (300, 2))], axis=1)
    features = rng.normal(size=(300, 5))
    true_weights, true_bias = rng.normal(0, 0.1, (5, 4)), np.array([0.05, -0.02, 0.1, 0.0])
    truth = detection.decode(features @ true_weights + true_bias, boxes)
    fitted = detectors.BoxRegressor.fit(features, boxes, truth, ridge=1e-6)
    assert np.allclose(fitted.weights, true_weights, atol=1e-5)
    # The features are centred first, so the bias absorbs their mean.
    assert np.allclose(fitted.bias - fitted.mean @ fitted.weights, true_bias, atol=1e-5)
    assert np.allclose(fitted.refine(features, boxes), truth, atol=1e-4)
    heavy = detectors.BoxRegressor.fit(features, boxes, truth, ridge=1e6)
    assert np.abs(heavy.weights).max() < np.abs(fitted.weights).max() / 10, "the penalty shrinks the weights"
    chosen = detectors.BoxRegressor.fit_validated(features, boxes, truth, seed=0)
    assert chosen.ridge == min(detectors.RIDGE_CHOICES), "exact data wants the smallest penalty"


def test_detections_are_per_class_nms_of_digit_scores():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 9], [30, 30, 40, 40]], dtype=float)
    probabilities = np.zeros((3, rcnn.NUM_CLASSES))
    probabilities[0, 3], probabilities[0, 8] = 0.7, 0.3
    probabilities[1, 3] = 0.9
    probabilities[2, rcnn.BACKGROUND], probabilities[2, 1] = 0.995, 0.005   # below MIN_SCORE
    found = detectors._detections(boxes, probabilities, 64)
    # Box 1 wins the 3s, box 0 stays as an 8 (another class); box 2 is background.
    assert found.classes.tolist() == [3, 8] and np.allclose(found.scores, [0.9, 0.3])
    assert found.boxes.tolist() == [[0, 0, 10, 9], [0, 0, 10, 10]]


# ---- the whole pipeline, small ---------------------------------------------------------------


@pytest.mark.slow
def test_both_detectors_train_and_detect(small_sets, cache_dir):
    quick = {"rcnn_recipe": dataclasses.replace(runs.RCNN_CLASSIFIER, epochs=1),
             "fast_config": dataclasses.replace(runs.FAST_RCNN, epochs=1),
             "rpn_config": dataclasses.replace(runs.RPN, epochs=1),
             "faster_config": dataclasses.replace(runs.FASTER_RCNN, epochs=1, proposals=20)}
    trained = pipeline.train_detectors(seed=0, sets=small_sets, **quick)
    assert trained.rcnn_result.recipe.epochs == 1 and not trained.rcnn_result.from_cache
    assert trained.faster.name == "Faster R-CNN" and not trained.faster_result.from_cache
    per_canvas = np.bincount(trained.train_rpn_regions.canvas)
    assert 0 < per_canvas.max() <= 20, "the RPN's top 20 proposals of each training canvas"
    for detector in (trained.rcnn, trained.fast, trained.faster):
        found = evaluation.detect_all(detector, trained.test_set, trained.test_proposals)
        assert len(found) == len(trained.test_set)
        for d in found:
            detection.as_boxes(d.boxes)
            assert ((d.classes >= 0) & (d.classes < rcnn.BACKGROUND)).all()
            assert ((d.scores >= detectors.MIN_SCORE) & (d.scores <= 1)).all()
            assert (np.diff(d.scores) <= 1e-7).all(), "best first"
        score, ap = evaluation.mean_ap(found, trained.test_set)
        assert 0 <= score <= 1 and ap.shape == (rcnn.BACKGROUND,)
    before, after = evaluation.refinement_overlaps(trained.rcnn, trained.test_set, trained.test_regions)
    assert before.shape == after.shape and len(before) > 0
    assert len(trained.rcnn.detect(np.zeros((64, 64), dtype=np.float32))) == 0
    again = pipeline.train_detectors(seed=0, sets=small_sets, **quick)
    assert again.rcnn_result.from_cache and again.fast_result.from_cache, "the second run is cached"
    assert again.rpn_result.from_cache and again.faster_result.from_cache
    boxes = again.proposer.propose(again.test_set.images[0], 20)
    assert 0 < len(boxes) <= 20
    detection.as_boxes(boxes)


def test_seconds_per_image_takes_turns():
    calls = []
    functions = {name: (lambda i, name=name: calls.append((name, i))) for name in ("a", "b")}
    seconds = evaluation.seconds_per_image(functions, images=2, repeats=3)
    assert set(seconds) == {"a", "b"} and all(s >= 0 for s in seconds.values())
    assert calls[:2] == [("a", 0), ("b", 0)], "one warm-up call each"
    assert calls[2:] == [("a", 0), ("b", 0), ("b", 1), ("a", 1)] * 3, "turns, image by image"


def test_timing_rounds_and_their_ratios():
    rounds = evaluation.timing_rounds({"slow": lambda i: sum(range(20_000)), "quick": lambda i: None},
                                      images=3, repeats=4)
    assert {name: times.shape for name, times in rounds.items()} == {"slow": (4,), "quick": (4,)}
    ratios = evaluation.ratio_rounds(rounds, "slow", "quick")
    assert ratios.shape == (4,) and np.all(ratios > 1), "the slow function is slower in every round"


# ---- figures ---------------------------------------------------------------------------------


def test_figures_draw(small_sets):
    _, test_set = small_sets
    images, boxes = list(test_set.images[:3]), list(test_set.boxes[:3])
    figures = [
        box_figures.canvas_grid(images, boxes, [[str(k) for k in labels] for labels in test_set.labels[:3]],
                                cols=2, overlays=[(boxes, "0.5", "--")], titles=["a", "b", "c"]),
        box_figures.iou_examples([([0, 0, 4, 4], [1, 1, 5, 5])]),
        box_figures.roi_pooling_figure(np.random.default_rng(0).random((16, 16)), [2, 2, 20, 14], 7, 2),
        box_figures.speed_figure([10, 100], [0.01, 0.1], [0.005, 0.01]),
        box_figures.recall_figure([10, 100], {0.5: [0.5, 0.9], 0.7: [0.2, 0.6]}, 40.0, {0.5: 0.95, 0.7: 0.9}),
        box_figures.precision_recall_figure(np.array([1.0, 0.5, 2 / 3]), np.array([0.5, 0.5, 1.0])),
        box_figures.anchors_figure(images[0], detection.anchors((4, 4), 16, [8, 16], [1, 2]), 4, 5, 16,
                          np.zeros(64, dtype=int), boxes[0]),
    ]
    for figure in figures:
        assert figure.axes
        plt.close(figure)
    # canvas_grid draws one rectangle per box and overlay box.
    grid = box_figures.canvas_grid(images[:1], boxes[:1], overlays=[(boxes[:1], "0.5", "--")])
    assert len(grid.axes[0].patches) == 2 * len(boxes[0])
    plt.close(grid)
