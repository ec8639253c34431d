"""Achieved GFLOP/s of the lecture CNN's training beside a measured fp32 matrix multiply.

Not a test. Run from the repository root with the venv's Python (``make bench`` runs it through
build_times.py ``--gflops``); prints one JSON object:

    .venv/bin/python tests/benchmarks/gflops.py [--epochs 1] [--train-size N]

The CNN's floating-point operations per image are its multiply-adds
(:func:`cnnbook.anatomy.multiply_adds`, the Conv2D and Dense layers) times 2 (a multiply and an
add), times 3 for a training step (the forward pass, and the backward pass's two products:
the gradients with respect to the inputs and to the weights). Divided by the seconds per epoch
of the book's own training (``cnnbook.training``, cache off), over the images of an epoch. The
matmul row multiplies two float32 square matrices with TensorFlow on the same machine, in the
same process, and counts 2 n^3 operations each: what the CPU's best kernel reaches.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time

MATMUL_SIDE = 2048
MATMUL_REPEATS = 10


def matmul_gflops(side: int = MATMUL_SIDE, repeats: int = MATMUL_REPEATS) -> float:
    """The median GFLOP/s of float32 (side x side) @ (side x side) products in TensorFlow."""
    from cnnbook.runtime import tf

    a = tf.random.stateless_uniform((side, side), seed=(1, 2), dtype=tf.float32)
    b = tf.random.stateless_uniform((side, side), seed=(3, 4), dtype=tf.float32)
    tf.linalg.matmul(a, b).numpy()  # warm-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        rates.append(2 * side**3 / (time.perf_counter() - start) / 1e9)
    return statistics.median(rates)


def cnn_training_gflops(epochs: int = 1, train_size: int | None = None) -> dict:
    """The lecture CNN trained by the book's recipe (cache off): GFLOP/s per epoch."""
    from cnnbook import anatomy, runs
    from cnnbook.nets import lecture
    from cnnbook.training import train

    recipe = dataclasses.replace(runs.CNN, epochs=epochs, train_size=train_size, watch_test=False)
    result = train(recipe, use_cache=False)
    images = train_size or 60_000
    flops = anatomy.multiply_adds(lecture.lecture_cnn()) * 2 * 3 * images
    seconds = statistics.median(result.seconds_per_epoch)
    return {"cnn_seconds_per_epoch": seconds, "cnn_gflops": flops / seconds / 1e9,
            "cnn_flops_per_epoch": flops}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=None)
    args = parser.parse_args()
    out = cnn_training_gflops(args.epochs, args.train_size)
    out["matmul_gflops"] = matmul_gflops()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
