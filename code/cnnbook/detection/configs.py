"""What decides a trained Fast R-CNN network or region proposal network: frozen dataclasses.

Their instances are declared in :mod:`cnnbook.runs`, beside the book's other runs; the training
loops are :mod:`cnnbook.detection.end_to_end`, :mod:`cnnbook.detection.rpn` and
:mod:`cnnbook.detection.step4`. No TensorFlow
here, so declaring a run imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnbook import checks


@dataclass(frozen=True)
class FastRCNNConfig:
    """Fast R-CNN trained end to end: RoIs sampled per canvas, one multi-task loss."""

    epochs: int
    #: Canvases per step, and RoIs sampled from each (the paper: 2 images x 64 RoIs).
    images_per_batch: int = 8
    rois_per_image: int = 32
    #: Share of the RoIs that are digits (IoU >= foreground_iou); the rest are background with
    #: IoU in [background_iou[0], background_iou[1]).
    foreground_fraction: float = 0.25
    foreground_iou: float = 0.5
    background_iou: tuple[float, float] = (0.1, 0.5)
    #: lambda, the weight of the box loss beside the class loss.
    box_loss_weight: float = 1.0
    learning_rate: float = 0.001
    seed: int = 1

    def __post_init__(self) -> None:
        for name in ("epochs", "images_per_batch", "rois_per_image", "seed"):
            checks.whole_number(name, getattr(self, name), 0 if name == "seed" else 1)
        checks.fraction("foreground_fraction", self.foreground_fraction)
        low, high = self.background_iou
        if not 0 <= low < high <= self.foreground_iou <= 1:
            raise ValueError("need 0 <= background_iou[0] < background_iou[1] <= foreground_iou <= 1")
        checks.positive_number("learning_rate", self.learning_rate)


@dataclass(frozen=True)
class RPNConfig:
    """The region proposal network, trained on the frozen shared map of a Fast R-CNN network."""

    epochs: int
    images_per_batch: int = 16
    #: Anchors sampled per canvas for each step, at most this share of them positive.
    anchors_per_image: int = 256
    positive_fraction: float = 0.5
    positive_iou: float = 0.7
    negative_iou: float = 0.3
    box_loss_weight: float = 1.0
    learning_rate: float = 0.001
    seed: int = 1

    def __post_init__(self) -> None:
        for name in ("epochs", "images_per_batch", "anchors_per_image", "seed"):
            checks.whole_number(name, getattr(self, name), 0 if name == "seed" else 1)
        checks.fraction("positive_fraction", self.positive_fraction)
        if not 0 <= self.negative_iou <= self.positive_iou <= 1:
            raise ValueError("need 0 <= negative_iou <= positive_iou <= 1")
        checks.positive_number("learning_rate", self.learning_rate)


@dataclass(frozen=True)
class HeadFineTuneConfig(FastRCNNConfig):
    """Faster R-CNN's fourth step: Fast R-CNN's sampling and loss, RoIs from the RPN's own
    ``proposals`` best boxes of each training canvas, the shared convolutions frozen."""

    proposals: int = 300

    def __post_init__(self) -> None:
        super().__post_init__()
        checks.whole_number("proposals", self.proposals, 1)
