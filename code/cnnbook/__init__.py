"""cnnbook: the tested code behind the executable lecture book on convolutional networks.

Every number and figure in the book comes from calling this package; the chapters import it
and the tests check it, so prose and code cannot drift apart.
"""

import os

# TensorFlow prints INFO-level start-up notices (oneDNN, CPU features) on import; they are noise
# on a book page. Warnings and errors (levels 1 and 2) still get through, so they still reach the
# build, which turns them into failures. A reader's own setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"
