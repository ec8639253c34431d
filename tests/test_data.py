"""The MNIST loader: the genuine file loads; every kind of bad file or missing data is refused."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from cnnbook import data
from cnnbook.data import DataError, shift_images


def test_genuine_file_loads_as_float32_in_unit_range(mnist_dir, monkeypatch, fresh_loader):
    monkeypatch.setenv("CNNBOOK_DATA_DIR", str(mnist_dir))
    mnist = fresh_loader()
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_test.shape == (10000, 28, 28)
    assert mnist.x_train.dtype == np.float32 and mnist.x_test.dtype == np.float32
    assert mnist.x_train.min() == 0.0 and mnist.x_train.max() == 1.0
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(mnist.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(float(mnist.x_train.mean()) - 0.1306604762738429) < 1e-6
    assert mnist.source.endswith("mnist.npz")


def _genuine_arrays(mnist_dir):
    with np.load(mnist_dir / "mnist.npz", allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _refused(folder, monkeypatch, fresh_loader, match):
    monkeypatch.setenv("CNNBOOK_DATA_DIR", str(folder))
    before = sorted(folder.rglob("*")) if folder.exists() else []
    with pytest.raises(DataError, match=match):
        fresh_loader()
    after = sorted(folder.rglob("*")) if folder.exists() else []
    assert before == after, "a refused load must not leave files behind"


def test_missing_file_is_refused(tmp_path, monkeypatch, fresh_loader):
    _refused(tmp_path, monkeypatch, fresh_loader, "no mnist.npz in it")


def test_truncated_file_is_refused(mnist_dir, tmp_path, monkeypatch, fresh_loader):
    whole = (mnist_dir / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(whole[: len(whole) // 2])
    _refused(tmp_path, monkeypatch, fresh_loader, "truncated or damaged")


def test_altered_pixel_is_refused(mnist_dir, tmp_path, monkeypatch, fresh_loader):
    arrays = _genuine_arrays(mnist_dir)
    arrays["x_test"][0, 14, 14] ^= 1
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    _refused(tmp_path, monkeypatch, fresh_loader, "x_test is not the genuine MNIST")


def test_altered_label_is_refused(mnist_dir, tmp_path, monkeypatch, fresh_loader):
    arrays = _genuine_arrays(mnist_dir)
    arrays["y_train"][0] = 7
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    _refused(tmp_path, monkeypatch, fresh_loader, "y_train is not the genuine MNIST")


def test_missing_array_is_refused(mnist_dir, tmp_path, monkeypatch, fresh_loader):
    arrays = _genuine_arrays(mnist_dir)
    del arrays["y_test"]
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    _refused(tmp_path, monkeypatch, fresh_loader, r"lacks the arrays \['y_test'\]")


def test_wrong_dtype_is_refused(mnist_dir, tmp_path, monkeypatch, fresh_loader):
    arrays = _genuine_arrays(mnist_dir)
    arrays["x_train"] = arrays["x_train"] / 255.0
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    _refused(tmp_path, monkeypatch, fresh_loader, "x_train is float64")


def test_pickled_file_is_refused(tmp_path, monkeypatch, fresh_loader):
    np.savez(tmp_path / "mnist.npz", x_train=np.array([{"a": 1}], dtype=object))
    _refused(tmp_path, monkeypatch, fresh_loader, "cannot be read")


def test_not_a_zip_is_refused(tmp_path, monkeypatch, fresh_loader):
    (tmp_path / "mnist.npz").write_text("this is not MNIST")
    _refused(tmp_path, monkeypatch, fresh_loader, "cannot be read")


def test_no_local_copy_and_no_network_gives_one_clear_error(tmp_path, monkeypatch, fresh_loader):
    import keras

    def offline(*args, **kwargs):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.delenv("CNNBOOK_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DataError) as error:
        fresh_loader()
    message = str(error.value)
    assert "could not be downloaded" in message
    assert "Connect to the internet" in message and "CNNBOOK_DATA_DIR" in message
    assert list(tmp_path.iterdir()) == []


def test_downloaded_arrays_are_verified_too(mnist_dir, monkeypatch, fresh_loader):
    import keras

    arrays = _genuine_arrays(mnist_dir)
    arrays["x_train"][5, 5, 5] = 255 - arrays["x_train"][5, 5, 5]
    monkeypatch.delenv("CNNBOOK_DATA_DIR", raising=False)
    monkeypatch.setattr(
        keras.datasets.mnist,
        "load_data",
        lambda: ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])),
    )
    with pytest.raises(DataError, match="downloaded MNIST: x_train is not the genuine"):
        fresh_loader()


def test_digest_follows_the_arrays(tiny_mnist):
    import dataclasses

    changed = dataclasses.replace(tiny_mnist, y_test=(tiny_mnist.y_test + 1) % 10)
    assert changed.digest != tiny_mnist.digest
    assert dataclasses.replace(tiny_mnist).digest == tiny_mnist.digest


def test_shift_moves_pixels_and_fills_with_zero():
    image = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4)
    moved = shift_images(image, rows=1, cols=2)
    assert moved[0].tolist() == [[0, 0, 0, 0], [0, 0, 1, 2], [0, 0, 5, 6], [0, 0, 9, 10]]
    back = shift_images(image, rows=-1, cols=-1)
    assert back[0].tolist() == [[6, 7, 8, 0], [10, 11, 12, 0], [14, 15, 16, 0], [0, 0, 0, 0]]
    assert np.array_equal(shift_images(image, 0, 0), image)


def test_shift_out_of_view_is_an_error():
    with pytest.raises(ValueError, match="out of view"):
        shift_images(np.zeros((1, 4, 4)), rows=4, cols=0)


def test_zip_errors_are_wrapped(tmp_path, monkeypatch, fresh_loader):
    with zipfile.ZipFile(tmp_path / "mnist.npz", "w") as archive:
        archive.writestr("x_train.npy", b"\x93NUMPY garbage")
    _refused(tmp_path, monkeypatch, fresh_loader, "cannot be read")
    assert data.DATA_DIR_ENV == "CNNBOOK_DATA_DIR"
