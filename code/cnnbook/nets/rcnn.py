"""The networks of the R-CNN chapter: R-CNN's region classifier, Fast R-CNN as one network with
RoI max pooling in the graph (the same convolution and Dense layers), and Faster R-CNN's region
proposal network with its anchors."""

from __future__ import annotations

from cnnbook.facts import FASTER_RATIOS
from cnnbook.nets import register
from cnnbook.runtime import keras, tf

layers = keras.layers

BACKGROUND = 10                  # class index of "no digit" (배경)
NUM_CLASSES = 11                 # ten digits + background
CROP = 28                        # R-CNN warps every region to the classifier's input size
HIDDEN = 64                      # units of the classifiers' hidden Dense layer, the regressors' features
POOL = 7                         # RoI pooling output, K x K (Fast R-CNN with VGG16: 7 x 7)
FEATURE_STRIDE = 2               # image pixels per cell of the shared feature map
TRUNK_CHANNELS = 32
#: Anchors for our canvases (Faster R-CNN's three ratios, scales fitted to the digits' sizes),
#: on the shared feature map of stride FEATURE_STRIDE.
ANCHOR_SCALES = (12, 18, 24)
ANCHOR_RATIOS = FASTER_RATIOS


def _trunk_layers() -> list:
    """The convolutions all three detectors share: the backbone (특징 추출부)."""
    return [
        layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(
            TRUNK_CHANNELS, 3, padding="same", activation="relu", name="conv2"
        ),
    ]


def _head_layers() -> list:
    return [
        layers.Flatten(name="flatten"),
        layers.Dense(HIDDEN, activation="relu", name="fc"),
        layers.Dense(NUM_CLASSES, activation="softmax", name="classes"),
    ]


@register("rcnn_classifier")
def rcnn_classifier() -> keras.Model:
    """R-CNN's region classifier: a warped 28 x 28 crop -> ten digits or background."""
    return keras.Sequential(
        [
            keras.Input(shape=(CROP, CROP, 1)),
            *_trunk_layers(),
            layers.MaxPooling2D(2, name="pool2"),
            *_head_layers(),
        ],
        name="rcnn_classifier",
    )


def trunk(classifier: keras.Model) -> keras.Model:
    """The classifier's convolution layers, weights copied, on an image of any size."""
    model = keras.Sequential([keras.Input(shape=(None, None, 1)), *_trunk_layers()], name="trunk")
    for layer in model.layers:
        layer.set_weights(classifier.get_layer(layer.name).get_weights())
    return model


def with_features(model: keras.Model) -> keras.Model:
    """The same model answering (class probabilities, last hidden features) in one pass."""
    return keras.Model(model.inputs[0], [model.outputs[0], model.get_layer("fc").output])


# ---- Fast R-CNN trained end to end, and Faster R-CNN's RPN --------------------------------------

#: Canvas side the end-to-end network is built for (the toy canvases'), so its map is 32 x 32.
CANVAS = 64
RPN_CHANNELS = 32                # the RPN's 3 x 3 "sliding window" convolution


def _longest(cells: int, k: int) -> int:
    """The most cells one of K bins can span along an axis of ``cells`` cells (fewer than
    cells / K + 2)."""
    return min(cells, cells // k + 2)


def _window_maxima(fmaps, k: int):
    """The maximum of every window of h x w cells, for every h and w a bin can span:
    (h_max, w_max, B, H, W, C), entry [h - 1, w - 1, b, y, x] over rows y .. y + h - 1 and
    columns x .. x + w - 1 (windows that would leave the map are unused). Built once per map,
    so every bin of every RoI is then a single look-up."""
    ops = keras.ops
    height, width = fmaps.shape[1], fmaps.shape[2]
    rows = [fmaps]
    for h in range(1, _longest(height, k)):
        shifted = ops.pad(fmaps[:, h:], [[0, 0], [0, h], [0, 0], [0, 0]])
        rows.append(ops.maximum(rows[-1], shifted))
    table = []
    for row in rows:
        windows = [row]
        for w in range(1, _longest(width, k)):
            shifted = ops.pad(row[:, :, w:], [[0, 0], [0, 0], [0, w], [0, 0]])
            windows.append(ops.maximum(windows[-1], shifted))
        table.append(ops.stack(windows))
    return ops.stack(table)


def _block_maxima(fmaps, k: int):
    """:func:`cnnbook.detection.block_maxima` up to the blocks a bin can need: (levels_y,
    levels_x, B, H, W, C), entry [a, b, ...] over 2^a x 2^b cells. Smaller than the window
    table, so cheaper to differentiate: training reads each bin as four such blocks."""
    ops = keras.ops
    column = [fmaps]
    for a in range(1, _longest(fmaps.shape[1], k).bit_length()):
        half = 1 << (a - 1)
        shifted = ops.pad(column[-1][:, half:], [[0, 0], [0, half], [0, 0], [0, 0]])
        column.append(ops.maximum(column[-1], shifted))
    grid = [ops.stack(column)]
    for b in range(1, _longest(fmaps.shape[2], k).bit_length()):
        half = 1 << (b - 1)
        pad = [[0, 0]] * 3 + [[0, half], [0, 0]]
        grid.append(ops.maximum(grid[-1], ops.pad(grid[-1][:, :, :, half:], pad)))
    return ops.stack(grid, axis=1)


def _bins(starts, ends, cells: int, k: int, stride: float):
    """Each box's K bins on one axis, as :func:`cnnbook.detection.roi_bins`: (start, length)."""
    ops = keras.ops
    first = ops.clip(ops.cast(ops.floor(starts / stride), "int32"), 0, cells - 1)
    last = ops.minimum(ops.maximum(ops.cast(ops.ceil(ends / stride), "int32"), first + 1), cells)
    n, i = (last - first)[:, None], ops.arange(k, dtype="int32")[None, :]
    low = first[:, None] + ops.floor_divide(i * n, k)
    high = first[:, None] - ops.floor_divide(-(i + 1) * n, k)
    return low, high - low


class RoIMaxPool(layers.Layer):
    """RoI max pooling in the graph: (feature maps (B, H, W, C), boxes (R, 4) in image pixels,
    image of each box (R,)) -> (R, K, K, C). The bins of the NumPy
    :func:`cnnbook.detection.roi_max_pool`, each bin's maximum read from a table of window
    maxima (:func:`_window_maxima`), or in training from four blocks of a smaller table
    (:func:`_block_maxima`), the same numbers; gradients flow back to the feature maps."""

    def __init__(self, output_size: int = POOL, stride: float = FEATURE_STRIDE, **kwargs):
        super().__init__(**kwargs)
        self.output_size, self.stride = int(output_size), float(stride)

    def call(self, inputs, training=False):
        ops, k = keras.ops, self.output_size
        fmaps, boxes, image = inputs
        boxes = ops.cast(boxes, "float32")
        y, height = _bins(boxes[:, 0], boxes[:, 2], fmaps.shape[1], k, self.stride)
        x, width = _bins(boxes[:, 1], boxes[:, 3], fmaps.shape[2], k, self.stride)
        if training:
            return self._four_blocks(fmaps, y, height, x, width, image)
        # one look-up per bin: window (height, width) of the box's map at (y, x), flattened
        sizes = (_longest(fmaps.shape[1], k), _longest(fmaps.shape[2], k), *fmaps.shape[1:3])
        maps = ops.cast(image, "int32")[:, None, None]
        flat = (((height[:, :, None] - 1) * sizes[1] + width[:, None, :] - 1) * ops.shape(fmaps)[0]
                + maps) * sizes[2] * sizes[3] + y[:, :, None] * sizes[3] + x[:, None, :]
        table = ops.reshape(_window_maxima(fmaps, k), (-1, fmaps.shape[-1]))
        return ops.take(table, flat, axis=0)   # (R, K, K, C)

    def _four_blocks(self, fmaps, y, height, x, width, image):
        """The same maxima as four 2^a x 2^b blocks per bin, one from each corner (training)."""
        ops, k = keras.ops, self.output_size
        level_y, level_x = (sum(ops.cast(n >= (1 << a), "int32") for a in range(1, 8))
                            for n in (height, width))
        y = ops.stack([y, y + height - ops.left_shift(1, level_y)], axis=-1)
        x = ops.stack([x, x + width - ops.left_shift(1, level_x)], axis=-1)
        shape = (ops.shape(y)[0], k, k, 2, 2)
        index = ops.stack([
            ops.broadcast_to(level_y[:, :, None, None, None], shape),
            ops.broadcast_to(level_x[:, None, :, None, None], shape),
            ops.broadcast_to(ops.cast(image, "int32")[:, None, None, None, None], shape),
            ops.broadcast_to(y[:, :, None, :, None], shape),
            ops.broadcast_to(x[:, None, :, None, :], shape),
        ], axis=-1)
        return ops.max(tf.gather_nd(_block_maxima(fmaps, k), index), axis=(3, 4))

    def compute_output_shape(self, input_shapes):
        return (input_shapes[1][0], self.output_size, self.output_size, input_shapes[0][-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "output_size": self.output_size, "stride": self.stride}


def fast_rcnn(canvas: int = CANVAS) -> keras.Model:
    """Fast R-CNN as one network: canvases, RoIs and each RoI's canvas in; per RoI the
    class probabilities (ten digits + background) and per-digit box deltas (R, 40)
    out."""
    image = keras.Input((canvas, canvas, 1), name="image")
    rois = keras.Input((4,), name="rois")
    which = keras.Input((), dtype="int32", name="roi_image")
    fmap = image
    for layer in _trunk_layers():
        fmap = layer(fmap)
    pooled = RoIMaxPool(POOL, FEATURE_STRIDE, name="roi_pool")([fmap, rois, which])
    flat = layers.Flatten(name="flatten")(pooled)
    hidden = layers.Dense(HIDDEN, activation="relu", name="fc")(flat)
    classes = layers.Dense(NUM_CLASSES, activation="softmax", name="classes")(hidden)
    small = keras.initializers.RandomNormal(stddev=0.001)    # as the paper's new layers
    deltas = layers.Dense(4 * BACKGROUND, kernel_initializer=small,
                          name="boxes")(hidden)
    return keras.Model([image, rois, which], [classes, deltas], name="fast_rcnn")


def rpn(
    anchors_per_position: int = len(ANCHOR_SCALES) * len(ANCHOR_RATIOS),
) -> keras.Model:
    """Faster R-CNN's region proposal network on the shared map: a 3 x 3 convolution,
    then per position k objectness scores (logistic) and 4k box deltas, one per
    anchor."""
    k = anchors_per_position
    fmap = keras.Input((None, None, TRUNK_CHANNELS), name="feature_map")
    hidden = layers.Conv2D(RPN_CHANNELS, 3, padding="same", activation="relu",
                           name="rpn_conv")(fmap)
    objectness = layers.Conv2D(k, 1, activation="sigmoid",
                               name="rpn_objectness")(hidden)
    deltas = layers.Conv2D(4 * k, 1, name="rpn_deltas")(hidden)
    return keras.Model(fmap, [objectness, deltas], name="rpn")


def backbone_of(model: keras.Model) -> keras.Model:
    """The shared convolutions of an end-to-end Fast R-CNN network: canvas -> feature map."""
    return keras.Model(model.inputs[0], model.get_layer("conv2").output)
