"""Facts quoted from the lecture and the papers: the one place where the book states a number
it did not compute.

Each constant is a quote, with its place in the source in the comment above it and its
citation key (book/references.bib, or ``"lecture"`` for the lecture notes) in :data:`SOURCES`.
Pages show these beside what the book computes; nothing here is ever derived from a run. A
network builder may read a fact it is built from (AlexNet's dropout rate, LeNet's 32 x 32
input); the training cache then keys that model on the fact's value, not on this file.
"""

from __future__ import annotations

# ---- the lecture (13. Deep Learning), quoted -----------------------------------------------------
#: Test accuracies the lecture reports (quoted, not computed): softmax, MLP, CNN.
LECTURE_TEST_ACCURACY = {"softmax": 0.9278, "mlp": 0.9831, "cnn": 0.9932}
#: The lecture's two challenges: reach 98% test accuracy with a plain network (MLP), and ask
#: whether 99% is possible (it is, with a CNN).
LECTURE_TARGET_ACCURACY = {"mlp": 0.98, "cnn": 0.99}

# ---- LeNet-5: LeCun, Bottou, Bengio & Haffner (1998), Proc. IEEE 86(11) --------------------------
#: Trainable parameters per layer as Section II.B gives them (S2 and S4: one coefficient and one
#: bias per map; the RBF output layer's weights are fixed by hand, so it has none).
LENET5_PAPER_LAYER_PARAMS = {"C1": 156, "S2": 12, "C3": 1_516, "S4": 32, "C5": 48_120, "F6": 10_164}
#: Section II.B: "340,908 connections, but only 60,000 trainable free parameters".
LENET5_PAPER_PARAMS = 60_000
#: Table I: the S2 maps (0-5) that each of the 16 C3 maps reads; not every map sees every map.
LENET5_C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)
#: Section III.C: LeNet-5's MNIST test error, trained without distorted images (with them: 0.8%).
LENET5_PAPER_TEST_ERROR = 0.0095
LENET5_PAPER_TEST_ERROR_DISTORTED = 0.008
#: Section III.C: passes through the training set (epochs) of the paper's run.
LENET5_PAPER_EPOCHS = 20
#: Section II.B: digits are at most 20x20 pixels, centred in MNIST's 28x28 field; the network
#: reads 32x32, so strokes near the edge still fall in the centre of some C1 receptive field.
LENET5_INPUT_SIDE = 32
#: Section II.A: pixel values are normalised so that the background (white) is -0.1 and the
#: foreground (black) is 1.175, which makes the mean roughly 0 and the variance roughly 1.
LENET5_INPUT_RANGE = (-0.1, 1.175)
#: Section II.B and Appendix A: the squashing function is A tanh(S a), A = 1.7159, S = 2/3
#: (as the fraction (2, 3)).
LENET5_TANH_AMPLITUDE = 1.7159
LENET5_TANH_SLOPE = (2, 3)
#: Section II-B: F6 has 84 units, the size of the output RBF units' codes (7x12 bitmaps).
LENET5_RBF_UNITS = 84
#: Section II-B and Appendix C: stochastic diagonal Levenberg-Marquardt's safety term mu, the
#: patterns the diagonal Hessian is re-estimated on before each pass, and the global rate eta for
#: passes 1-2, 3-5, 6-8, 9-12 and from 13 on.
LENET5_SDLM_MU = 0.02
LENET5_SDLM_PATTERNS = 500
LENET5_SDLM_RATES = (0.0005, 0.0002, 0.0001, 0.00005, 0.00001)
#: Where the book's Keras model (cnnbook.nets.classic.lenet5) differs from the 1998 network
#: (the chapter explains each).
LENET5_CHANGES = {
    "C3 connections": "every C3 filter reads every S2 map (paper: only the pairs of Table I)",
    "S2, S4 subsampling": "2x2 average pooling (paper: sum x trainable coefficient + bias, then sigmoid)",
    "output": "Dense(10) + softmax, cross-entropy "
              "(paper: 10 RBF units with fixed weights, MAP criterion)",
    "optimizer": "Adam, batch 100 (paper: stochastic diagonal Levenberg-Marquardt, "
                 "one image at a time)",
    "learning rates": "the paper's steps after passes 2, 5, 8, 12, as fractions of Adam's first rate "
                      "(paper: 0.0005 down to 0.00001, SDLM's global rate)",
    "training images": "the training set less the held-out validation images "
                       "(paper: the whole training set)",
    "distortions": "none, as in the paper's run that this chapter compares with",
}

# ---- AlexNet: Krizhevsky, Sutskever & Hinton (2012), NIPS 25 -------------------------------------
#: Abstract: ILSVRC-2012 top-5 test error of the winning entry, and of the second-best entry.
ALEXNET_TOP5_TEST_ERROR = 0.153
ALEXNET_SECOND_PLACE_TOP5_ERROR = 0.262
#: The lecture's slide says 15.4%; the paper says 15.3% (see the syllabus's errata).
LECTURE_ALEXNET_TOP5_ERROR = 0.154
ALEXNET_YEAR = 2012
#: Abstract: "60 million parameters and 650,000 neurons".
ALEXNET_PAPER_PARAMS = 60_000_000
#: Section 5: batch 128, momentum 0.9, weight decay 0.0005, learning rate 0.01 (divided by 10
#: when the validation error stopped improving), about 90 epochs, five to six days on two GTX 580s.
ALEXNET_PAPER_TRAINING = {"batch size": 128, "momentum": 0.9, "weight decay": 0.0005,
                          "learning rate": 0.01, "epochs": 90}
#: Section 4.2: dropout probability on the first two fully-connected layers.
ALEXNET_DROPOUT = 0.5
#: Section 3.4: overlapping pooling, window z = 3 at stride s = 2 (z > s).
ALEXNET_POOL = (3, 2)
#: Section 3.4: overlapping pooling cut the top-1 and top-5 error rates by 0.4 and 0.3 points.
ALEXNET_OVERLAP_GAIN = {"top-1": 0.004, "top-5": 0.003}
#: Section 3.1 (Figure 1): a four-layer ReLU CNN reached 25% training error on CIFAR-10 six
#: times faster than the same network with tanh units.
ALEXNET_RELU_SPEEDUP = 6
ALEXNET_RELU_TARGET_ERROR = 0.25
#: Section 3.3: local response normalization cut the top-1 and top-5 error rates by 1.4 and 1.2 points.
ALEXNET_LRN_GAIN = {"top-1": 0.014, "top-5": 0.012}
#: Section 5: "five to six days on two NVIDIA GTX 580 3GB GPUs".
ALEXNET_TRAINING_DAYS = (5, 6)
ALEXNET_GPUS = 2
ALEXNET_GPU_MEMORY_GB = 3
#: Section 2: ILSVRC's training set, "roughly 1.2 million training images" in 1000 classes.
ILSVRC_TRAIN_IMAGES = 1_200_000
#: Section 6 (Table 2): the 15.3% entry averaged the predictions of seven CNNs (two pre-trained).
ALEXNET_ENTRY_CNNS = 7
#: Section 3.5 and Figure 2: the paper's stated input side (the arithmetic needs 227).
ALEXNET_PAPER_INPUT_SIDE = 224
ALEXNET_INPUT_SIDE = 227
IMAGENET_CLASSES = 1000

# ---- ResNet and its contemporaries: He et al. (2016), Simonyan & Zisserman, Szegedy et al. -------
#: ILSVRC 2015 classification winner: He, Zhang, Ren and Sun, Microsoft Research (he2016, abstract).
RESNET_AUTHORS = "He, Zhang, Ren and Sun"
RESNET_LAB = "Microsoft Research"
RESNET_YEAR = 2015
#: Top-5 error of the ResNet ensemble on the ILSVRC 2015 test set (he2016, abstract and Table 5).
RESNET_TOP5_TEST_ERROR = 0.0357
#: The lecture's ResNet slide gives both of these for the same top-5 error (see the Errata).
LECTURE_SLIDE_TOP5_ERRORS = (0.036, 0.106)
#: Weight layers of VGG-19, 16 convolutional + 3 fully-connected (simonyan2015, Table 1, column E).
VGG_DEPTH = 19
#: GoogLeNet's depth counting only layers with parameters (szegedy2015, Section 5).
GOOGLENET_DEPTH = 22
#: The deepest ResNet the paper trains on ImageNet (he2016, Table 1 and abstract).
RESNET_IMAGENET_DEPTH = 152
#: Top-1 error on the ImageNet validation set, 10-crop testing (he2016, Table 2), by (net, depth):
#: the deeper plain net is worse, the deeper residual net is better.
IMAGENET_TOP1_ERROR = {("plain", 18): 0.2794, ("plain", 34): 0.2854, ("ResNet", 18): 0.2788,
                       ("ResNet", 34): 0.2503}

# ---- the R-CNN family: Girshick et al. (2014), Girshick (2015), Ren et al. (2015) ----------------
#: R-CNN (Girshick et al., 2014), abstract and section 2: about 2000 selective-search proposals
#: per image, each warped to 227 x 227 with 16 pixels of context; 53.3% mAP on VOC 2012, more
#: than 30% better (relatively) than the best result before; section 2.3: fine-tuning batches of
#: 32 positive and 96 background regions.
RCNN_PROPOSALS = 2000
RCNN_WARP = 227
RCNN_CONTEXT = 16
RCNN_VOC2012_MAP = 0.533
RCNN_RELATIVE_GAIN = 0.30
RCNN_BATCH_POSITIVES = 32
RCNN_BATCH_BACKGROUND = 96
#: R-CNN, appendix C: box regression on pool5 features, ridge penalty 1000, from proposals
#: with IoU above 0.6; section 2.3: SVM negatives are regions with IoU below 0.3.
RCNN_RIDGE = 1000
RCNN_REGRESSION_IOU = 0.6
RCNN_SVM_NEGATIVE_IOU = 0.3
#: Fast R-CNN (Girshick, 2015), abstract: with VGG16, 9x faster training and 213x faster
#: testing than R-CNN.
FAST_TRAIN_SPEEDUP = 9
FAST_TEST_SPEEDUP = 213
#: Fast R-CNN, section 2.3: mini-batches of 128 RoIs from 2 images (64 per image), 25% of them
#: from proposals with IoU >= 0.5 with a ground-truth box (the object classes), the rest
#: background with IoU in [0.1, 0.5); section 2.3 (multi-task loss): lambda = 1 balances the
#: log loss and the smooth L1 box loss, which counts for object RoIs only.
FAST_ROIS_PER_BATCH = 128
FAST_IMAGES_PER_BATCH = 2
FAST_FOREGROUND_FRACTION = 0.25
FAST_FOREGROUND_IOU = 0.5
FAST_BACKGROUND_IOU = (0.1, 0.5)
FAST_BOX_LOSS_WEIGHT = 1.0
#: Faster R-CNN (Ren et al., 2015), section 3.1: 3 scales (box areas 128^2, 256^2, 512^2) x
#: 3 aspect ratios (1:1, 1:2, 2:1) = 9 anchors per position, on a feature map of typically
#: about 2,400 positions; positives IoU above 0.7, negatives below 0.3; section 3.1.3: 256
#: anchors sampled per image, up to half of them positive; abstract: 5 frames per second on a
#: GPU with VGG-16, all steps included.
FASTER_SCALES = (128, 256, 512)
FASTER_RATIOS = (0.5, 1.0, 2.0)
FASTER_POSITIONS = 2400
FASTER_POSITIVE_IOU = 0.7
FASTER_NEGATIVE_IOU = 0.3
FASTER_RPN_BATCH = 256
FASTER_RPN_POSITIVE_SHARE = 0.5
FASTER_FPS = 5
#: Faster R-CNN, section 3.3: NMS on the RPN's proposals at IoU 0.7; section 4.1: the top 300
#: proposals per image are fed to the detector at test time.
FASTER_NMS_IOU = 0.7
FASTER_TEST_PROPOSALS = 300
#: Faster R-CNN, Table 2: Fast R-CNN with ZF on PASCAL VOC 2007 test, mAP 58.7% with 2,000
#: selective-search proposals, 59.9% with 300 proposals of the RPN sharing its convolutions.
FASTER_VOC07_SS_MAP = 0.587
FASTER_VOC07_RPN_MAP = 0.599
#: Faster R-CNN, section 1: selective search takes about 2 seconds per image in a CPU
#: implementation.
SELECTIVE_SEARCH_SECONDS = 2

# ---- PASCAL VOC: Everingham et al. (2010) --------------------------------------------------------
#: PASCAL VOC (Everingham et al., 2010): 20 object classes; a detection is correct when its IoU
#: with a ground-truth box of its class exceeds 50% (we count exactly 50% as correct too).
VOC_CLASSES = 20
VOC_IOU = 0.5


# ---- Beyond 99%: records on MNIST's test set -----------------------------------------------------
#: Deotte's ensemble of 15 CNNs trained on augmented MNIST: mean test accuracy over 100 trials
#: (best 99.79%), as the notebook's introduction states.
DEOTTE_ENSEMBLE_ACCURACY = 0.99745
DEOTTE_ENSEMBLE_MEMBERS = 15
#: An et al. (2020), abstract: three simple CNNs (3x3, 5x5, 7x7 kernels, batch norm, no pooling,
#: rotation and translation augmentation) by majority vote, and their two-layer ensemble.
AN2020_VOTE_ACCURACY = 0.9987
AN2020_TWO_LAYER_ACCURACY = 0.9991


#: The citation key of every fact above: an entry of book/references.bib, or "lecture".
SOURCES = {
    "LECTURE_TEST_ACCURACY": "lecture",
    "LECTURE_TARGET_ACCURACY": "lecture",
    **dict.fromkeys(
        ("LENET5_PAPER_LAYER_PARAMS", "LENET5_PAPER_PARAMS", "LENET5_C3_TABLE", "LENET5_PAPER_TEST_ERROR",
         "LENET5_PAPER_TEST_ERROR_DISTORTED", "LENET5_PAPER_EPOCHS", "LENET5_INPUT_SIDE", "LENET5_CHANGES",
         "LENET5_INPUT_RANGE", "LENET5_TANH_AMPLITUDE", "LENET5_TANH_SLOPE", "LENET5_RBF_UNITS",
         "LENET5_SDLM_MU", "LENET5_SDLM_PATTERNS", "LENET5_SDLM_RATES"),
        "lecun1998"),
    **dict.fromkeys(
        ("ALEXNET_TOP5_TEST_ERROR", "ALEXNET_SECOND_PLACE_TOP5_ERROR", "ALEXNET_YEAR", "ALEXNET_PAPER_PARAMS",
         "ALEXNET_PAPER_TRAINING", "ALEXNET_DROPOUT", "ALEXNET_POOL", "ALEXNET_OVERLAP_GAIN",
         "ALEXNET_RELU_SPEEDUP", "ALEXNET_RELU_TARGET_ERROR", "ALEXNET_LRN_GAIN", "ALEXNET_TRAINING_DAYS",
         "ALEXNET_GPUS", "ALEXNET_GPU_MEMORY_GB", "ILSVRC_TRAIN_IMAGES", "ALEXNET_ENTRY_CNNS",
         "ALEXNET_PAPER_INPUT_SIDE", "ALEXNET_INPUT_SIDE", "IMAGENET_CLASSES"),
        "krizhevsky2012"),
    "LECTURE_ALEXNET_TOP5_ERROR": "lecture",
    **dict.fromkeys(
        ("RESNET_AUTHORS", "RESNET_LAB", "RESNET_YEAR", "RESNET_TOP5_TEST_ERROR", "RESNET_IMAGENET_DEPTH",
         "IMAGENET_TOP1_ERROR"),
        "he2016"),
    "LECTURE_SLIDE_TOP5_ERRORS": "lecture",
    "VGG_DEPTH": "simonyan2015",
    "GOOGLENET_DEPTH": "szegedy2015",
    **dict.fromkeys(
        ("RCNN_PROPOSALS", "RCNN_WARP", "RCNN_CONTEXT", "RCNN_VOC2012_MAP", "RCNN_RELATIVE_GAIN",
         "RCNN_BATCH_POSITIVES", "RCNN_BATCH_BACKGROUND", "RCNN_RIDGE", "RCNN_REGRESSION_IOU",
         "RCNN_SVM_NEGATIVE_IOU"),
        "girshick2014"),
    **dict.fromkeys(
        ("FAST_TRAIN_SPEEDUP", "FAST_TEST_SPEEDUP", "FAST_ROIS_PER_BATCH", "FAST_IMAGES_PER_BATCH",
         "FAST_FOREGROUND_FRACTION", "FAST_FOREGROUND_IOU", "FAST_BACKGROUND_IOU", "FAST_BOX_LOSS_WEIGHT"),
        "girshick2015"),
    **dict.fromkeys(
        ("FASTER_SCALES", "FASTER_RATIOS", "FASTER_POSITIONS", "FASTER_POSITIVE_IOU", "FASTER_NEGATIVE_IOU",
         "FASTER_RPN_BATCH", "FASTER_RPN_POSITIVE_SHARE", "FASTER_FPS", "SELECTIVE_SEARCH_SECONDS",
         "FASTER_NMS_IOU", "FASTER_TEST_PROPOSALS", "FASTER_VOC07_SS_MAP", "FASTER_VOC07_RPN_MAP"),
        "ren2015"),
    **dict.fromkeys(("VOC_CLASSES", "VOC_IOU"), "everingham2010"),
    **dict.fromkeys(("DEOTTE_ENSEMBLE_ACCURACY", "DEOTTE_ENSEMBLE_MEMBERS"), "deotte2018"),
    **dict.fromkeys(("AN2020_VOTE_ACCURACY", "AN2020_TWO_LAYER_ACCURACY"), "an2020"),
}
