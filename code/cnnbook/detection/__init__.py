"""Object detection (물체 검출) on the toy canvases: box geometry first, then the R-CNN family.

The box geometry is NumPy only and is imported with this package, so ``detection.iou`` and the
like work after ``from cnnbook import detection``:

- :mod:`~cnnbook.detection.boxes`: IoU, non-maximum suppression, box regression, warping, anchors
- :mod:`~cnnbook.detection.roi_pooling`: Fast R-CNN's RoI max pooling
- :mod:`~cnnbook.detection.metrics`: precision, recall, AP and mAP

The pipelines are imported by name, as they need TensorFlow or MNIST:

- :mod:`~cnnbook.detection.toy`: the toy detection set (MNIST digits on blank canvases)
- :mod:`~cnnbook.detection.proposals`: region proposals by grouping ink (selective search's idea)
- :mod:`~cnnbook.detection.regions`: labelled training regions and R-CNN's warped crops
- :mod:`~cnnbook.detection.detectors`: box regression and the R-CNN detector
- :mod:`~cnnbook.detection.configs`: what decides a trained Fast R-CNN or RPN (no TensorFlow)
- :mod:`~cnnbook.detection.end_to_end`: Fast R-CNN trained end to end, and its detector
- :mod:`~cnnbook.detection.rpn`: Faster R-CNN's region proposal network, trained, and its proposals
- :mod:`~cnnbook.detection.step4`: Faster R-CNN's fourth step, the head fine-tuned on RPN proposals
- :mod:`~cnnbook.detection.pipeline`: the sets and proposals made, all three detectors trained
- :mod:`~cnnbook.detection.evaluation`: detections on a set, mAP, box refinement, timing

The networks themselves are builders in :mod:`cnnbook.nets.rcnn`, their runs in
:mod:`cnnbook.runs`, their figures in :mod:`cnnbook.figures.boxes`.
"""

from cnnbook.detection.boxes import (
    MAX_LOG_SCALE,
    anchors,
    area,
    as_boxes,
    as_scores,
    centres,
    clip_boxes,
    crop_and_resize,
    decode,
    encode,
    iou,
    label_anchors,
    non_max_suppression,
    per_class_nms,
)
from cnnbook.detection.metrics import (
    average_precision,
    match_detections,
    mean_average_precision,
    precision_recall,
)
from cnnbook.detection.roi_pooling import block_maxima, roi_bins, roi_max_pool

__all__ = [
    "MAX_LOG_SCALE", "anchors", "area", "as_boxes", "as_scores", "average_precision", "block_maxima",
    "centres", "clip_boxes", "crop_and_resize", "decode", "encode", "iou", "label_anchors",
    "match_detections", "mean_average_precision", "non_max_suppression", "per_class_nms",
    "precision_recall", "roi_bins", "roi_max_pool",
]
