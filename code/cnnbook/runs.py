"""Every training run of the book, declared once: the chapters, tests and benchmark use these.

A run is a :class:`~cnnbook.training.Recipe`: the model's registry key and everything that
decides its result. The seed is fixed here, up front, and never searched. The headline runs
follow the lecture's protocol (all 60,000 training images, fixed epochs, the test set scored
once at the end; the test score after each epoch is recorded for drawing only). The held-out
runs keep the last 6,000 training images aside as a validation set, which is how one should
watch training. A new run goes here, beside the runs of its chapter.
"""

from __future__ import annotations

from cnnbook import facts
from cnnbook.detection.configs import FastRCNNConfig, RPNConfig
from cnnbook.training import Recipe

SEED = 1
HELD_OUT = 6000

# ---- Part I-II: the lecture's three classifiers on MNIST -------------------------------------

SOFTMAX = Recipe("softmax", epochs=15, seed=SEED, watch_test=True)
MLP = Recipe("mlp", epochs=15, seed=SEED, watch_test=True)
MLP_HELD_OUT = Recipe("mlp", epochs=15, seed=SEED, validation_size=HELD_OUT)
CNN = Recipe("cnn", epochs=5, seed=SEED, watch_test=True)
CNN_HELD_OUT = Recipe("cnn", epochs=5, seed=SEED, validation_size=HELD_OUT)

HEADLINE = {"softmax": SOFTMAX, "mlp": MLP, "cnn": CNN}
LECTURE_RUNS = (SOFTMAX, MLP, MLP_HELD_OUT, CNN, CNN_HELD_OUT)

# ---- Part III: classic networks ----------------------------------------------------------------

#: LeNet-5 on MNIST: the last 6,000 training images held out for validation, test scored once.
LENET5 = Recipe("lenet5", epochs=10, seed=SEED, validation_size=HELD_OUT)
#: The small AlexNet, trained as AlexNet was: mini-batch SGD with momentum 0.9, learning rate 0.01.
ALEXNET_SMALL = Recipe("alexnet_small", epochs=8, optimizer="sgd_momentum", learning_rate=0.01,
                       seed=SEED, validation_size=HELD_OUT)

# ---- Part III: ResNet's plain vs residual networks --------------------------------------------

#: The first 10,000 training images (of 60,000); the full test set scores each net once.
RESNET_TRAIN_SIZE = 10_000
RESNET_EPOCHS = 5
PLAIN_DEEP = Recipe("plain_deep", epochs=RESNET_EPOCHS, seed=SEED, train_size=RESNET_TRAIN_SIZE)
RESIDUAL_DEEP = Recipe("residual_deep", epochs=RESNET_EPOCHS, seed=SEED, train_size=RESNET_TRAIN_SIZE)
PLAIN_SHALLOW = Recipe("plain_shallow", epochs=RESNET_EPOCHS, seed=SEED, train_size=RESNET_TRAIN_SIZE)
RESNET_RUNS = {"plain, 25 conv layers": PLAIN_DEEP, "residual, 25 conv layers": RESIDUAL_DEEP,
               "plain, 5 conv layers": PLAIN_SHALLOW}

# ---- Part III: the R-CNN family on the toy detection set ---------------------------------------

#: R-CNN's classifier, trained on warped crops of the training canvases' regions.
RCNN_CLASSIFIER = Recipe("rcnn_classifier", epochs=4, seed=SEED)
#: Fast R-CNN trained end to end from R-CNN's classifier, with the paper's RoI sampling and loss.
FAST_RCNN = FastRCNNConfig(epochs=4, foreground_fraction=facts.FAST_FOREGROUND_FRACTION,
                           foreground_iou=facts.FAST_FOREGROUND_IOU, background_iou=facts.FAST_BACKGROUND_IOU,
                           box_loss_weight=facts.FAST_BOX_LOSS_WEIGHT, seed=SEED)
#: Faster R-CNN's region proposal network on Fast R-CNN's frozen shared map.
RPN = RPNConfig(epochs=6, anchors_per_image=facts.FASTER_RPN_BATCH,
                positive_fraction=facts.FASTER_RPN_POSITIVE_SHARE, positive_iou=facts.FASTER_POSITIVE_IOU,
                negative_iou=facts.FASTER_NEGATIVE_IOU, seed=SEED)
