"""Findings: what a run found, said in words and checked by the run.

The book's numbers are glued, so they cannot disagree with the code; its *words* can ("the deep
network trains worse", "Fast R-CNN is faster"). A finding is such a sentence made checkable: a
name, the statement, and a comparison of two measured quantities. A page declares it in a cell
beside the sentence, and the sentence carries the role ``{finding}`name```:

    findings.check("lenet_overfits", "the validation cost is lowest before the last epoch",
                   best_epoch, "<", epochs, fmt="{:d}")

:func:`check` raises :class:`FindingFailed` when the run contradicts the statement, so the build
stops with the page, the statement and the numbers; otherwise it glues the finding's record
(``findings__<name>``), which the build turns into the Findings page (``cnnbook.findings_page``):
every finding, where the book states it, its numbers and its margin. A ``{finding}`` role
without a declared finding is a build error too, so deleting a check fails as inverting it does.

The margin says how far the run is from contradicting the statement, in the quantities' own
unit, and as a share of the bound (a margin of 50% means the measured value could move half of
the bound's size before the statement turns false).
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from dataclasses import asdict, dataclass

#: The comparisons a finding may state, each with its test.
RELATIONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq}
#: The glue name of a finding's record; the build collects every glued name with this prefix.
GLUE_PREFIX = "findings__"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class FindingFailed(AssertionError):
    """A run contradicted a sentence of the book: the build must stop."""


@dataclass(frozen=True)
class Finding:
    """One checked statement: ``left relation right`` held (or not) on this run."""

    name: str
    statement: str
    left: float
    relation: str
    right: float
    fmt: str
    holds: bool
    margin: float
    relative_margin: float | None

    def text(self, value: float) -> str:
        return self.fmt.format(value)

    @property
    def comparison(self) -> str:
        """The comparison as the page formats its numbers, e.g. ``"1.40% < 2.10%"``."""
        return f"{self.text(self.left)} {self.relation} {self.text(self.right)}"

    @property
    def record(self) -> dict:
        """What the build needs of it (plain values, readable back with ``ast.literal_eval``)."""
        return {**asdict(self), "comparison": self.comparison}

    @property
    def margin_text(self) -> str:
        """The margin in the quantities' format, and as a share of the bound where that helps
        (not for percentages, whose margin in points says it already)."""
        absolute = self.fmt.format(self.margin)
        if self.relative_margin is None or "%" in self.fmt:
            return absolute
        share = self.relative_margin
        return f"{absolute} ({share:.0%})" if share < 10 else f"{absolute} ({share:,.0f}\u00d7)"


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(float(value)):
        raise TypeError(f"a finding compares numbers; {name} is {value!r}")
    return float(value) if not isinstance(value, numbers.Integral) else int(value)


def evaluate(name: str, statement: str, left, relation: str, right, fmt: str = "{:.4g}") -> Finding:
    """The finding ``left relation right`` on this run, held or not (nothing glued or raised)."""
    if not NAME.match(name):
        raise ValueError(f"a finding's name is lower-case letters, digits and _, got {name!r}")
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}; choose one of {list(RELATIONS)}")
    if not statement.strip():
        raise ValueError(f"finding {name!r} needs its statement in words")
    left, right = _number("left", left), _number("right", right)
    fmt.format(left)  # a format that cannot show the numbers fails here, not on the page
    holds = bool(RELATIONS[relation](left, right))
    margin = left - right if relation in (">", ">=") else right - left
    if relation == "==":
        margin = -abs(left - right)
    relative = margin / abs(right) if right != 0 and relation != "==" else None
    return Finding(name, statement.strip(), left, relation, right, fmt, holds, margin, relative)


def check(name: str, statement: str, left, relation: str, right,
          fmt: str = "{:.4g}") -> None:
    """Check that ``left relation right`` holds on this run: glue its record, or stop
    the build. ``fmt`` formats both numbers as the page shows them ("{:.2%}").

    Returns nothing, so a cell that ends with a check shows nothing (``evaluate``
    gives the finding itself).
    """
    finding = evaluate(name, statement, left, relation, right, fmt)
    if not finding.holds:
        raise FindingFailed(
            f"finding {name!r} does not hold on this run: the book says "
            f"{finding.statement}, but {finding.comparison} is false "
            f"(left {finding.left!r}, right {finding.right!r})"
        )
    from myst_nb import glue

    glue(GLUE_PREFIX + name, finding.record, display=False)
