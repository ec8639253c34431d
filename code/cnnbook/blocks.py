"""The modern building blocks by hand, in NumPy: convolution over several channels, the 1x1
convolution, batch normalization. The tests and the chapter check each against Keras."""

from __future__ import annotations

import numpy as np


def conv_channels(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A "valid", stride-1 convolution of one image over several input channels.

    ``x`` is (rows, cols, C_in), ``kernel`` (k, k, C_in, C_out) as Keras stores it,
    ``bias`` (C_out,). Each output value of filter ``o`` is the sum, over every input
    channel and every position of the window, of pixel times weight, plus the filter's
    one bias.
    """
    k = kernel.shape[0]
    rows, cols = x.shape[0] - k + 1, x.shape[1] - k + 1
    out = np.empty((rows, cols, kernel.shape[3]), dtype=np.float64)
    for r in range(rows):
        for c in range(cols):
            window = x[r : r + k, c : c + k, :]  # (k, k, C_in)
            for o in range(kernel.shape[3]):
                out[r, c, o] = np.sum(window * kernel[:, :, :, o]) + bias[o]
    return out


def pointwise(x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A 1x1 convolution as one Dense layer applied at every pixel: (rows, cols, C_in) times
    (C_in, C_out), plus the bias."""
    return x @ weights + bias


def batch_norm_train(x: np.ndarray, gamma, beta, epsilon: float = 1e-3):
    """Batch normalization in training: each channel is standardized with the mean and
    the (biased) variance of this batch over every image and position, then scaled by
    ``gamma`` and shifted by ``beta``. Returns the output, the batch mean and the batch
    variance."""
    axes = tuple(range(x.ndim - 1))
    mean, variance = x.mean(axis=axes), x.var(axis=axes)
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta, mean, variance


def batch_norm_infer(x: np.ndarray, gamma, beta, moving_mean, moving_variance,
                     epsilon: float = 1e-3) -> np.ndarray:
    """Batch normalization in inference: the same formula with the running averages that
    training kept, so an image's output does not depend on the other images of its batch."""
    return gamma * (x - moving_mean) / np.sqrt(moving_variance + epsilon) + beta


def update_moving(moving: np.ndarray, batch: np.ndarray, momentum: float = 0.99) -> np.ndarray:
    """One training step's update of a running average: keep ``momentum`` of the old value."""
    return momentum * moving + (1 - momentum) * batch
