"""The networks of the R-CNN chapter: R-CNN's region classifier and Fast R-CNN's head, which
share one design of convolution layers (the backbone), and the anchors of Faster R-CNN's RPN."""

from __future__ import annotations

from cnnbook.facts import FASTER_RATIOS
from cnnbook.nets import register
from cnnbook.runtime import keras

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
    """The convolutions both detectors share: the backbone (특징 추출부)."""
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


@register("fast_rcnn_head")
def fast_rcnn_head() -> keras.Model:
    """Fast R-CNN's head: a 7 x 7 RoI-pooled piece of the shared map -> ten digits or
    background. RoI pooling takes the place of the classifier's last max pooling, as in
    the paper."""
    return keras.Sequential(
        [keras.Input(shape=(POOL, POOL, TRUNK_CHANNELS)), *_head_layers()],
        name="fast_rcnn_head",
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
