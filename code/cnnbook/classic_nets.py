"""Classic architectures of Part III: LeNet-5 (1998) and AlexNet (2012), in Keras 3."""

from __future__ import annotations
