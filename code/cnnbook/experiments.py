"""The book's training runs, declared once: the chapters, tests and benchmark all use these.

The seed is fixed here, up front, and never searched. The headline runs follow the lecture's
protocol (all 60,000 training images, fixed epochs, the test set scored once at the end; the
test score after each epoch is recorded for drawing only). The held-out runs keep the last
6,000 training images aside as a validation set, which is how one should watch training.
"""

from cnnbook.training import Recipe

SEED = 1
HELD_OUT = 6000

SOFTMAX = Recipe("softmax", epochs=15, seed=SEED, watch_test=True)
MLP = Recipe("mlp", epochs=15, seed=SEED, watch_test=True)
MLP_HELD_OUT = Recipe("mlp", epochs=15, seed=SEED, validation_size=HELD_OUT)
CNN = Recipe("cnn", epochs=5, seed=SEED, watch_test=True)
CNN_HELD_OUT = Recipe("cnn", epochs=5, seed=SEED, validation_size=HELD_OUT)

HEADLINE = {"softmax": SOFTMAX, "mlp": MLP, "cnn": CNN}
ALL = (SOFTMAX, MLP, MLP_HELD_OUT, CNN, CNN_HELD_OUT)

#: Test accuracies the lecture reports (quoted, not computed): softmax, MLP, CNN.
LECTURE_TEST_ACCURACY = {"softmax": 0.9278, "mlp": 0.9831, "cnn": 0.9932}
