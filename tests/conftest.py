"""Shared fixtures: the genuine MNIST (from CNNBOOK_DATA_DIR), small synthetic data, a temp cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# Developers explore new random examples on every run; CI replays a fixed set, so a red CI
# always means a change in this repository, never an unlucky draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
BUILT_HTML = REPO / "_build" / "html"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder holding the genuine mnist.npz; the suite needs it and says so if it is missing."""
    folder = os.environ.get("CNNBOOK_DATA_DIR")
    assert folder, (
        "set CNNBOOK_DATA_DIR to a folder with the genuine mnist.npz "
        "(`make test` does this when ../shared/data exists)"
    )
    path = Path(folder).resolve()
    assert (path / "mnist.npz").is_file(), f"no mnist.npz in {path}"
    return path


@pytest.fixture
def fresh_loader(monkeypatch):
    """load_mnist with its per-process memo cleared before and after the test."""
    from cnnbook import data

    data.load_mnist.cache_clear()
    yield data.load_mnist
    data.load_mnist.cache_clear()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A private, empty training cache for the test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CNNBOOK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_mnist():
    """Random stand-in data with MNIST's shapes and types: fast, and enough to test training."""
    from cnnbook.data import Mnist

    rng = np.random.default_rng(0)
    return Mnist(
        x_train=rng.random((600, 28, 28), dtype=np.float32),
        y_train=rng.integers(0, 10, 600).astype(np.uint8),
        x_test=rng.random((200, 28, 28), dtype=np.float32),
        y_test=rng.integers(0, 10, 200).astype(np.uint8),
        source="synthetic",
    )
