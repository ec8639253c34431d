"""Region-based CNNs (R-CNN, Fast R-CNN): the networks and pipelines of the detection chapter."""

from __future__ import annotations
