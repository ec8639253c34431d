"""Every training run of the book, declared once: the chapters, tests and benchmark use these.

A run is a :class:`~cnnbook.training.Recipe`: the model's registry key and everything that
decides its result. The seed is fixed here, up front, and never searched. The headline runs
follow the lecture's protocol (all 60,000 training images, fixed epochs, the test set scored
once at the end; the test score after each epoch is recorded for drawing only). The held-out
runs keep the last 6,000 training images aside as a validation set, which is how one should
watch training. A new run goes here, beside the runs of its chapter.
"""

from __future__ import annotations

import dataclasses

from cnnbook import facts
from cnnbook.detection.configs import FastRCNNConfig, HeadFineTuneConfig, RPNConfig
from cnnbook.paper_training import PaperRun
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
#: LeNet-5's own devices put back one at a time, each run for the same few passes (the paper's
#: 20 do not fit the build's budget) on the same 54,000 images, watched on the same 6,000:
#: today's recipe, + the C3 table, + the RBF output and its squared-distance loss (Adam), + SDLM.
LENET5_DEVICE_PASSES = 4
LENET5_SHORT = dataclasses.replace(LENET5, epochs=LENET5_DEVICE_PASSES)
LENET5_C3_TABLE = dataclasses.replace(LENET5_SHORT, model="lenet5_c3_table")
LENET5_RBF = PaperRun("lenet5_c3_table_rbf", epochs=LENET5_DEVICE_PASSES, optimizer="adam",
                      learning_rate=LENET5.learning_rate, seed=SEED, validation_size=HELD_OUT)
#: SDLM with the paper's rates, mu and 500 patterns; a step of 100 images counts as 3 of the paper's
#: one-image steps (a trial on 10,000 images: 10 wobbled, 30 diverged, 3 trained smoothly).
LENET5_SDLM = PaperRun("lenet5_c3_table_rbf", epochs=LENET5_DEVICE_PASSES, optimizer="sdlm",
                       seed=SEED, validation_size=HELD_OUT, gradient_scale=3.0)


def lenet5_all_images(passes: int) -> PaperRun:
    """The SDLM run on all 60,000 training images, for the passes chosen on the held-out run."""
    return dataclasses.replace(LENET5_SDLM, epochs=passes, validation_size=0)


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
#: Faster R-CNN's fourth step: Fast R-CNN's head fine-tuned on the RPN's top proposals of each
#: training canvas (as many as it gives at test), the shared convolutions frozen.
FASTER_RCNN = HeadFineTuneConfig(epochs=20, foreground_fraction=facts.FAST_FOREGROUND_FRACTION,
                                 foreground_iou=facts.FAST_FOREGROUND_IOU,
                                 background_iou=facts.FAST_BACKGROUND_IOU,
                                 box_loss_weight=facts.FAST_BOX_LOSS_WEIGHT,
                                 proposals=facts.FASTER_TEST_PROPOSALS, seed=SEED)

# ---- Part III: Beyond 99% (channels, batch norm, VGG, augmentation, how fast, how far) -------

#: The small experiments: the first 12,000 training images, the last 2,000 of them held out.
BEYOND_TRAIN_SIZE = 12_000
BEYOND_HELD_OUT = 2_000
#: The lecture CNN without and with batch normalization: same data, same epochs, same optimizer.
CNN_NO_BN = Recipe("cnn", epochs=5, seed=SEED, train_size=BEYOND_TRAIN_SIZE,
                   validation_size=BEYOND_HELD_OUT)
CNN_BN = Recipe("cnn_bn", epochs=5, seed=SEED, train_size=BEYOND_TRAIN_SIZE,
                validation_size=BEYOND_HELD_OUT)
#: A small VGG-style net ending in Flatten + Dense, and the same ending in global average pooling.
VGG_FLATTEN = Recipe("vgg_flatten", epochs=3, seed=SEED, train_size=BEYOND_TRAIN_SIZE,
                     validation_size=BEYOND_HELD_OUT)
VGG_GAP = Recipe("vgg_gap", epochs=3, seed=SEED, train_size=BEYOND_TRAIN_SIZE,
                 validation_size=BEYOND_HELD_OUT)

#: How fast: the candidate recipes, each scored on the last 6,000 training images held out.
#: The page keeps the quickest one whose validation accuracy reaches the lecture CNN's
#: (``selection.choose_fastest``), then trains it from scratch on all 60,000 images with each
#: of FAST_SEEDS.
FAST_CANDIDATES = {
    f"{epochs} epochs": Recipe("fast_plain", epochs=epochs, batch_size=128, learning_rate=0.005,
                               schedule="one_cycle", seed=SEED, validation_size=HELD_OUT)
    for epochs in (2, 3)
}
FAST_SEEDS = (1, 2, 3, 4, 5)


def fast_runs(chosen: Recipe) -> list[Recipe]:
    """The chosen recipe, from scratch on all the training images, once per seed."""
    return [dataclasses.replace(chosen, seed=seed, validation_size=0) for seed in FAST_SEEDS]


#: Augmentation: the quick net trained on shifted, turned and zoomed images, all 60,000 of them.
FAST_AUGMENTED = Recipe("fast_plain_aug", epochs=2, batch_size=128, learning_rate=0.005,
                        schedule="one_cycle", seed=SEED)
#: Its control: the same recipe without augmentation.
FAST_NOT_AUGMENTED = dataclasses.replace(FAST_AUGMENTED, model="fast_plain")

#: How far: VGG-style members with batch norm and augmentation, 6,000 images held out; the best
#: single one and the ensemble are chosen on those images, and the test set is scored once.
BEST_MEMBERS = tuple(
    Recipe("best_cnn", epochs=3, batch_size=128, learning_rate=0.005, schedule="one_cycle",
           seed=seed, validation_size=HELD_OUT)
    for seed in (1, 2)  # a third member cost ~2.5 min of CI for a few test digits
)
