"""A toy detection set: MNIST digits scattered over blank canvases, with their boxes and labels.

Real detection sets (PASCAL VOC, COCO) are large downloads; this one is made from MNIST in a
second. Each canvas holds 1 to ``max_digits`` digits, each resized (bilinear) to a random side
and placed so that no two digits' ink boxes touch. The ground-truth box of a digit is the
tight box around its ink (every pixel above 0) in [y1, x1, y2, x2] pixel coordinates, as in
:mod:`cnnbook.detection.boxes`. Training canvases use MNIST training digits only, test canvases
MNIST test digits only; a seed fixes everything.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from cnnbook import checks
from cnnbook.data import ImageSet, load_mnist
from cnnbook.detection.boxes import crop_and_resize

CANVAS = 64
MAX_DIGITS = 3
#: Side (pixels) of a resized 28 x 28 MNIST image, drawn uniformly from this inclusive range;
#: the ink is about 5/7 of it.
SIDES = (20, 36)
#: Empty pixels kept between the ink boxes of two digits on one canvas.
GAP = 2
#: Placement attempts per digit before a canvas settles for fewer digits.
TRIES = 50
SPLITS = ("train", "test")


def ink_box(image: np.ndarray, threshold: float = 0.0) -> np.ndarray | None:
    """The tight box [y1, x1, y2, x2] around the pixels above ``threshold``, or None if
    none."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D; got shape {image.shape}")
    ink = image > threshold
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return np.array([rows[0], cols[0], rows[-1] + 1, cols[-1] + 1], dtype=np.float64)


@dataclass(frozen=True)
class ToyDetectionSet:
    """Canvases with, per canvas, the digits' boxes, labels and MNIST indices."""

    images: np.ndarray                 # (N, canvas, canvas) float32 in [0, 1]
    boxes: tuple[np.ndarray, ...]      # per canvas: (k, 4) float64 [y1, x1, y2, x2]
    labels: tuple[np.ndarray, ...]     # per canvas: (k,) int64 digit classes
    sources: tuple[np.ndarray, ...]    # per canvas: (k,) index of each digit in its MNIST split
    split: str
    seed: int

    def __len__(self) -> int:
        return len(self.images)

    @property
    def objects(self) -> int:
        """Digits on all canvases together."""
        return sum(len(b) for b in self.boxes)


def _draw(digit: np.ndarray, side: int) -> np.ndarray:
    """A 28 x 28 digit resized to side x side; pixels whose four neighbours were blank stay 0."""
    return crop_and_resize(digit, [[0, 0, 28, 28]], side)[0].clip(0, 1)


def _apart(box: np.ndarray, placed: list[np.ndarray], gap: int) -> bool:
    return all(
        box[0] >= other[2] + gap or other[0] >= box[2] + gap
        or box[1] >= other[3] + gap or other[1] >= box[3] + gap
        for other in placed
    )


def make_toy_set(split: str, count: int, seed: int, *, canvas: int = CANVAS, max_digits: int = MAX_DIGITS,
                 sides: tuple[int, int] = SIDES, mnist: ImageSet | None = None) -> ToyDetectionSet:
    """``count`` canvases from the MNIST ``split`` ("train" or "test"), fixed by ``seed``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    for name, value in (("count", count), ("max_digits", max_digits), ("canvas", canvas)):
        checks.whole_number(name, value)
    low, high = sides
    if not (isinstance(low, int) and isinstance(high, int) and 8 <= low <= high <= canvas):
        raise ValueError(f"sides must be integers with 8 <= low <= high <= canvas ({canvas}), got {sides!r}")
    mnist = load_mnist() if mnist is None else mnist
    digits, classes = (mnist.x_train, mnist.y_train) if split == "train" else (mnist.x_test, mnist.y_test)
    # One stream per split, so the train and test canvases never share a random sequence.
    rng = np.random.default_rng([seed, zlib.crc32(split.encode())])
    images = np.zeros((count, canvas, canvas), dtype=np.float32)
    all_boxes, all_labels, all_sources = [], [], []
    for n in range(count):
        boxes, labels, sources = [], [], []
        for _ in range(int(rng.integers(1, max_digits + 1))):
            index = int(rng.integers(len(digits)))
            side = int(rng.integers(low, high + 1))
            patch = _draw(digits[index], side)
            ink = ink_box(patch)
            if ink is None:  # MNIST has no blank digit, but a resize could in principle lose one
                continue
            for _ in range(TRIES):
                top, left = (int(v) for v in rng.integers(0, canvas - side + 1, size=2))
                box = ink + [top, left, top, left]
                if _apart(box, boxes, GAP):
                    view = images[n, top : top + side, left : left + side]
                    np.maximum(view, patch, out=view)
                    boxes.append(box)
                    labels.append(int(classes[index]))
                    sources.append(index)
                    break
        all_boxes.append(np.array(boxes, dtype=np.float64).reshape(-1, 4))
        all_labels.append(np.array(labels, dtype=np.int64))
        all_sources.append(np.array(sources, dtype=np.int64))
    return ToyDetectionSet(images, tuple(all_boxes), tuple(all_labels), tuple(all_sources), split, seed)
