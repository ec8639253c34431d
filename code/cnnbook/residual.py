"""Residual learning (ResNet, 2015): residual blocks and deep plain vs residual networks."""

from __future__ import annotations
