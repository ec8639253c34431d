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

#: LeNet-5 on MNIST: the last 6,000 training images held out for validation, test scored once;
#: the paper's 20 passes with its decreasing rates (after passes 2, 5, 8, 12), from Adam's 0.002.
LENET5 = Recipe("lenet5", epochs=20, seed=SEED, validation_size=HELD_OUT, learning_rate=0.002,
                schedule="lenet_1998")
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
#: The paper's degradation, with batch normalisation: plain and residual at two depths, the same
#: recipe and budget as the runs above.
BN_PLAIN_SHALLOW = Recipe("bn_plain_shallow", epochs=RESNET_EPOCHS, seed=SEED,
                          train_size=RESNET_TRAIN_SIZE)
BN_PLAIN_DEEP = Recipe("bn_plain_deep", epochs=RESNET_EPOCHS, seed=SEED, train_size=RESNET_TRAIN_SIZE)
BN_RESIDUAL_SHALLOW = Recipe("bn_residual_shallow", epochs=RESNET_EPOCHS, seed=SEED,
                             train_size=RESNET_TRAIN_SIZE)
BN_RESIDUAL_DEEP = Recipe("bn_residual_deep", epochs=RESNET_EPOCHS, seed=SEED,
                          train_size=RESNET_TRAIN_SIZE)
#: Keyed by (kind, depth), the order of the figure's panels and lines.
RESNET_BN_RUNS = {("plain", "shallow"): BN_PLAIN_SHALLOW, ("plain", "deep"): BN_PLAIN_DEEP,
                  ("residual", "shallow"): BN_RESIDUAL_SHALLOW, ("residual", "deep"): BN_RESIDUAL_DEEP}

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
