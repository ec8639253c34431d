"""Region proposals for the toy canvases: selective search's idea, grouping pieces of ink.

Selective search is not available here, so :func:`propose` runs its hierarchical grouping on
ink: cut the ink into small pieces, merge the most similar neighbours again and again, and
propose the box of every region ever formed. Both R-CNN and Fast R-CNN use these proposals.
"""

from __future__ import annotations

import numpy as np

from cnnbook import checks
from cnnbook.detection.boxes import iou

#: Ink for proposals: pixels brighter than this. The ground truth counts every pixel above 0,
#: so proposals sit a little inside the true boxes, and box regression has something to learn.
PROPOSAL_INK = 0.3
#: Over-segmentation: the ink is first cut into pieces, one per connected patch of ink within
#: each square tile of this side (pixels), as selective search starts from small segments.
PROPOSAL_TILES = (6, 10)
#: Two regions are neighbours, and may merge, when their ink comes within this many rows and
#: columns of each other (1 means touching).
PROPOSAL_LINKS = (1, 3)
#: No proposal is thinner than MIN_PROPOSAL_SIDE or shorter than MIN_PROPOSAL_LENGTH pixels
#: (a "1" can be 3 pixels wide, but no digit is a speck).
MIN_PROPOSAL_SIDE = 2
MIN_PROPOSAL_LENGTH = 8


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs of True: (row, start, end) with the run covering columns [start, end)."""
    step = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    (rows, starts), (_, ends) = np.nonzero(step == 1), np.nonzero(step == -1)
    return rows, starts, ends


def _near(rows, starts, ends, link: int) -> np.ndarray:
    """Pairs of runs (i < j) whose pixels come within ``link`` rows and columns of each other."""
    near = ((np.abs(rows[:, None] - rows[None, :]) <= link)
            & (starts[:, None] - ends[None, :] < link) & (starts[None, :] - ends[:, None] < link))
    return np.argwhere(np.triu(near, 1))


def _components(count: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of ``count`` nodes joined by ``pairs``: a component id per node."""
    group = np.arange(count)
    while True:  # every node takes the smallest id it is joined to, until nothing changes
        new = group.copy()
        np.minimum.at(new, pairs[:, 0], group[pairs[:, 1]])
        np.minimum.at(new, pairs[:, 1], group[pairs[:, 0]])
        new = new[new]
        if np.array_equal(new, group):
            return np.unique(group, return_inverse=True)[1]
        group = new


def ink_pieces(image: np.ndarray, tile: int, link: int, threshold: float = PROPOSAL_INK):
    """Selective search's starting point, for ink: small regions and which of them are neighbours.

    The pixels above ``threshold`` are cut by a grid of ``tile`` x ``tile`` squares; each
    connected (8-neighbour) patch of ink within one square is a piece. Returns the pieces'
    pixel counts (P,), tight boxes (P, 4), and neighbour pairs (pieces within ``link``).
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D; got shape {image.shape}")
    checks.whole_number("tile", tile)
    checks.whole_number("link", link)
    mask = image > threshold
    # Cutting the mask along the grid columns cuts the runs at the tile edges.
    cut = np.zeros((mask.shape[0], mask.shape[1] + mask.shape[1] // tile), dtype=bool)
    columns = np.arange(mask.shape[1]) + np.arange(mask.shape[1]) // tile
    cut[:, columns] = mask
    rows, starts, ends = _runs(cut)
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 4)), np.zeros((0, 2), dtype=np.int64)
    original = np.flatnonzero(np.isin(np.arange(cut.shape[1]), columns))  # cut column -> image column
    lookup = np.full(cut.shape[1] + 1, -1)
    lookup[original] = np.arange(mask.shape[1])
    starts, last = lookup[starts], lookup[ends - 1]
    ends = last + 1
    pairs = _near(rows, starts, ends, 1)
    same_tile = (rows[pairs[:, 0]] // tile == rows[pairs[:, 1]] // tile) & (
        starts[pairs[:, 0]] // tile == starts[pairs[:, 1]] // tile)
    piece = _components(rows.size, pairs[same_tile])
    count = piece.max() + 1
    sizes = np.bincount(piece, weights=ends - starts, minlength=count).astype(np.int64)
    boxes = np.zeros((count, 4))
    for k, values, reduce in ((0, rows, np.minimum), (1, starts, np.minimum), (2, rows + 1, np.maximum),
                              (3, ends, np.maximum)):
        boxes[:, k] = np.inf if reduce is np.minimum else -np.inf
        reduce.at(boxes[:, k], piece, values)
    linked = _near(rows, starts, ends, link)
    linked = np.unique(np.sort(piece[linked], axis=1), axis=0)
    return sizes, boxes, linked[linked[:, 0] != linked[:, 1]]


def hierarchical_grouping(
    sizes, boxes, neighbours, image_area: float
) -> list[np.ndarray]:
    """Selective search's grouping: merge the most similar pair of neighbours, again and
    again.

    Similarity is selective search's size + fill measure: small regions merge first, and
    so do regions that fill their joint box well. The merged region inherits both
    regions' neighbours. Every region ever formed, first pieces included, gives a
    proposal box.
    """
    regions = {
        i: (int(s), np.asarray(b, dtype=np.float64))
        for i, (s, b) in enumerate(zip(sizes, boxes))
    }
    linked: dict[int, set[int]] = {i: set() for i in regions}
    for i, j in neighbours:
        linked[int(i)].add(int(j))
        linked[int(j)].add(int(i))

    def similarity(i: int, j: int) -> float:
        (size_i, box_i), (size_j, box_j) = regions[i], regions[j]
        joint = np.concatenate(
            [np.minimum(box_i[:2], box_j[:2]), np.maximum(box_i[2:], box_j[2:])]
        )
        gap = (joint[2] - joint[0]) * (joint[3] - joint[1]) - size_i - size_j
        return (1 - (size_i + size_j) / image_area) + (1 - gap / image_area)

    pairs = {(i, j): similarity(i, j) for i in linked for j in linked[i] if i < j}
    out = [box for _, box in regions.values()]
    while pairs:
        i, j = max(pairs, key=pairs.get)
        new = max(regions) + 1
        (size_i, box_i), (size_j, box_j) = regions.pop(i), regions.pop(j)
        regions[new] = (
            size_i + size_j,
            np.concatenate(
                [np.minimum(box_i[:2], box_j[:2]), np.maximum(box_i[2:], box_j[2:])]
            ),
        )
        out.append(regions[new][1])
        linked[new] = (linked.pop(i) | linked.pop(j)) - {i, j}
        pairs = {
            pair: value
            for pair, value in pairs.items()
            if i not in pair and j not in pair
        }
        for k in linked[new]:
            linked[k] -= {i, j}
            linked[k].add(new)
            pairs[(k, new)] = similarity(k, new)
    return out


def propose(image: np.ndarray) -> np.ndarray:
    """Region proposals for one canvas: every box of hierarchical grouping, run from each tile
    size of :data:`PROPOSAL_TILES` with each neighbour distance of :data:`PROPOSAL_LINKS`
    (selective search, too, runs several groupings and pools their boxes); no duplicates, and no
    speck (:func:`large_enough`)."""
    image = np.asarray(image)
    boxes = [box for tile in PROPOSAL_TILES for link in PROPOSAL_LINKS
             for box in hierarchical_grouping(*ink_pieces(image, tile, link), float(image.size))]
    if not boxes:
        return np.zeros((0, 4))
    boxes = np.unique(np.array(boxes), axis=0)
    return boxes[large_enough(boxes)]


def large_enough(boxes: np.ndarray) -> np.ndarray:
    """Which boxes are at least MIN_PROPOSAL_SIDE thick and MIN_PROPOSAL_LENGTH long."""
    height, width = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    thick = np.minimum(height, width) >= MIN_PROPOSAL_SIDE
    return thick & (np.maximum(height, width) >= MIN_PROPOSAL_LENGTH)


def recall(proposals: list[np.ndarray], ground_truth: tuple[np.ndarray, ...], iou_threshold: float) -> float:
    """Share of the ground-truth boxes that some proposal overlaps by at least ``iou_threshold``."""
    found = [
        (iou(g, p).max(axis=1) >= iou_threshold) if len(p) else np.zeros(len(g), dtype=bool)
        for p, g in zip(proposals, ground_truth)
    ]
    return float(np.concatenate(found).mean())
