"""MNIST as the book uses it: verified, float32 in [0, 1], loaded the same way everywhere.

Two sources, one result. If ``CNNBOOK_DATA_DIR`` names a folder, ``mnist.npz`` there is read
with ``np.load(allow_pickle=False)``; otherwise Keras downloads it (the reader's normal, online
path). Either way the four arrays must match the published digests of the genuine MNIST, so a
truncated or altered copy is refused with a message that says what to do, never used.
"""

from __future__ import annotations

import functools
import hashlib
import os
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

DATA_DIR_ENV = "CNNBOOK_DATA_DIR"
MNIST_FILE = "mnist.npz"

#: sha256 of each array's raw bytes (C order): the content of the genuine MNIST, whatever
#: container it arrives in (the README's Data section lists them too).
MNIST_DIGESTS = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
MNIST_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}


class DataError(RuntimeError):
    """MNIST could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class ImageSet:
    """Training and test images with integer labels: MNIST, or a set made from it (crops, ...)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @cached_property
    def digest(self) -> str:
        """sha256 of the four arrays as training sees them, for cache keys."""
        digest = hashlib.sha256()
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()


#: The book's main image set: the four MNIST arrays, images float32 in [0, 1], labels 0..9.
Mnist = ImageSet


def verify_arrays(arrays: dict[str, np.ndarray], origin: str) -> None:
    """Check names, shapes, dtypes and digests; raise DataError on the first mismatch."""
    missing = sorted(set(MNIST_DIGESTS) - set(arrays))
    if missing:
        raise DataError(f"{origin} lacks the arrays {missing}; {_FIX}")
    for name, expected in MNIST_DIGESTS.items():
        array = arrays[name]
        if array.dtype != np.uint8 or array.shape != MNIST_SHAPES[name]:
            raise DataError(
                f"{origin}: {name} is {array.dtype} {array.shape}, expected uint8 "
                f"{MNIST_SHAPES[name]}; {_FIX}"
            )
        actual = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if actual != expected:
            raise DataError(
                f"{origin}: {name} is not the genuine MNIST (sha256 {actual[:12]}..., "
                f"expected {expected[:12]}...); the file is altered or damaged. {_FIX}"
            )


_FIX = (
    f"replace it with the genuine {MNIST_FILE} (the README's Data section gives the digests "
    f"and where to get it), or unset {DATA_DIR_ENV} to let Keras download MNIST"
)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read and verify a local ``mnist.npz`` without trusting pickles or a partial file."""
    if not path.is_file():
        raise DataError(
            f"{DATA_DIR_ENV} points to {path.parent}, but there is no {MNIST_FILE} in it. "
            f"Put the genuine {MNIST_FILE} there, or unset {DATA_DIR_ENV} to let Keras "
            "download MNIST."
        )
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise DataError(f"{path} cannot be read ({error}); it is truncated or damaged. {_FIX}") from error
    verify_arrays(arrays, str(path))
    return arrays


def download_npz() -> dict[str, np.ndarray]:
    """Keras's own loader, for readers with the internet; its errors become one DataError."""
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # no network, proxy, disk: all mean the same to the reader
        raise DataError(
            f"MNIST could not be downloaded ({type(error).__name__}: {error}). Connect to the "
            f"internet, or set {DATA_DIR_ENV} to a folder holding the genuine {MNIST_FILE}."
        ) from error
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    verify_arrays(arrays, "the downloaded MNIST")
    return arrays


@functools.lru_cache(maxsize=1)
def load_mnist() -> Mnist:
    """Load MNIST once per process: images scaled to float32 in [0, 1] (not float64)."""
    folder = os.environ.get(DATA_DIR_ENV)
    if folder:
        path = Path(folder).expanduser().resolve() / MNIST_FILE
        arrays, source = read_npz(path), str(path)
    else:
        arrays, source = download_npz(), "keras.datasets.mnist"
    return Mnist(
        x_train=arrays["x_train"].astype(np.float32) / np.float32(255),
        y_train=arrays["y_train"],
        x_test=arrays["x_test"].astype(np.float32) / np.float32(255),
        y_test=arrays["y_test"],
        source=source,
    )


def shift_images(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Move every image ``rows`` down and ``cols`` right, filling the uncovered edge with 0."""
    height, width = images.shape[1:3]
    if abs(rows) >= height or abs(cols) >= width:
        raise ValueError(f"a shift of ({rows}, {cols}) moves a {height}x{width} image out of view")
    shifted = np.zeros_like(images)
    src_r, dst_r = slice(max(0, -rows), height - max(0, rows)), slice(max(0, rows), height - max(0, -rows))
    src_c, dst_c = slice(max(0, -cols), width - max(0, cols)), slice(max(0, cols), width - max(0, -cols))
    shifted[:, dst_r, dst_c] = images[:, src_r, src_c]
    return shifted
