"""cnnbook.detection.toy: deterministic canvases whose boxes are tight around the ink of the right digits."""

from __future__ import annotations

import numpy as np
import pytest

from cnnbook import detection
from cnnbook.data import load_mnist
from cnnbook.detection.toy import CANVAS, GAP, MAX_DIGITS, SIDES, _draw, ink_box, make_toy_set


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_mnist()


@pytest.fixture(scope="module")
def train_set(mnist):
    return make_toy_set("train", 150, seed=1, mnist=mnist)


@pytest.fixture(scope="module")
def test_set(mnist):
    return make_toy_set("test", 150, seed=1, mnist=mnist)


def test_shapes_and_types(train_set):
    assert train_set.images.shape == (150, CANVAS, CANVAS) and train_set.images.dtype == np.float32
    assert len(train_set) == 150 and train_set.split == "train" and train_set.seed == 1
    assert 0 <= train_set.images.min() and train_set.images.max() <= 1
    for boxes, labels, sources in zip(train_set.boxes, train_set.labels, train_set.sources):
        assert boxes.shape == (len(labels), 4) and sources.shape == labels.shape
        assert 1 <= len(labels) <= MAX_DIGITS
    assert train_set.objects == sum(len(labels) for labels in train_set.labels)


def test_every_digit_count_occurs(train_set):
    counts = np.bincount([len(labels) for labels in train_set.labels], minlength=MAX_DIGITS + 1)
    assert counts[0] == 0 and (counts[1:] > 0).all()


def test_same_seed_same_set_and_other_seed_other_set(mnist, train_set):
    again = make_toy_set("train", 150, seed=1, mnist=mnist)
    assert np.array_equal(again.images, train_set.images)
    for a, b in zip(again.boxes + again.labels + again.sources,
                    train_set.boxes + train_set.labels + train_set.sources):
        assert np.array_equal(a, b)
    other = make_toy_set("train", 150, seed=2, mnist=mnist)
    assert not np.array_equal(other.images, train_set.images)


def test_boxes_lie_inside_the_canvas_and_apart(train_set):
    for boxes in train_set.boxes:
        detection.as_boxes(boxes)
        assert (boxes >= 0).all() and (boxes <= CANVAS).all()
        assert (boxes == np.round(boxes)).all(), "ink boxes follow whole pixels"
        if len(boxes) > 1:
            grown = boxes + [-GAP / 2, -GAP / 2, GAP / 2, GAP / 2]
            overlaps = detection.iou(grown, grown)
            assert (overlaps[np.triu_indices(len(boxes), 1)] == 0).all(), "ink boxes keep their gap"


def test_boxes_are_tight_around_the_ink_and_hold_all_of_it(train_set):
    for image, boxes in zip(train_set.images, train_set.boxes):
        covered = np.zeros(image.shape, dtype=bool)
        for y1, x1, y2, x2 in boxes.astype(int):
            inside = image[y1:y2, x1:x2]
            # Tight: each edge row and column of the box holds ink.
            assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
            covered[y1:y2, x1:x2] = True
        assert not (image[~covered] > 0).any(), "no ink outside the boxes"
        assert np.array_equal(ink_box(image), ink_box(np.where(covered, image, 0)))


def test_labels_and_ink_come_from_the_mnist_digits_used(mnist, train_set, test_set):
    for toy, images, labels in ((train_set, mnist.x_train, mnist.y_train),
                                (test_set, mnist.x_test, mnist.y_test)):
        for canvas, boxes, digit_labels, sources in zip(toy.images, toy.boxes, toy.labels, toy.sources):
            assert np.array_equal(digit_labels, labels[sources])
            for (y1, x1, y2, x2), source in zip(boxes.astype(int), sources):
                # Some resize of the source digit, placed so its ink box lands on the box, gives
                # exactly the canvas's pixels there.
                found = False
                for side in range(SIDES[0], SIDES[1] + 1):
                    patch = _draw(images[source], side)
                    ink = ink_box(patch).astype(int)
                    if (ink[2] - ink[0], ink[3] - ink[1]) != (y2 - y1, x2 - x1):
                        continue
                    if np.array_equal(patch[ink[0]:ink[2], ink[1]:ink[3]], canvas[y1:y2, x1:x2]):
                        found = True
                        break
                assert found, f"the digit in box {(y1, x1, y2, x2)} is not MNIST {toy.split} image {source}"


def test_train_canvases_use_training_digits_and_test_canvases_test_digits(mnist, train_set, test_set):
    assert max(int(s.max()) for s in train_set.sources) < len(mnist.x_train)
    assert max(int(s.max()) for s in test_set.sources) < len(mnist.x_test)
    # The two splits draw different random sequences, not the same positions on other digits.
    assert not np.array_equal(train_set.boxes[0], test_set.boxes[0]) or not np.array_equal(
        train_set.boxes[1], test_set.boxes[1])


def test_ink_box():
    image = np.zeros((6, 8))
    assert ink_box(image) is None
    image[2, 3] = image[4, 6] = 0.5
    assert ink_box(image).tolist() == [2, 3, 5, 7]
    assert ink_box(image, threshold=0.6) is None
    with pytest.raises(ValueError, match="2-D"):
        ink_box(np.zeros((2, 2, 2)))


@pytest.mark.parametrize(
    "kwargs",
    [{"split": "validation"}, {"count": 0}, {"count": 2.0}, {"max_digits": 0}, {"sides": (5, 20)},
     {"sides": (30, 20)}, {"sides": (20, 80)}, {"canvas": True}],
)
def test_bad_arguments(kwargs, mnist):
    arguments = {"split": "train", "count": 2, "seed": 0, "mnist": mnist, **kwargs}
    with pytest.raises(ValueError):
        make_toy_set(**arguments)
