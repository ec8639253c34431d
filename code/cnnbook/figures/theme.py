"""One theme for every figure of the book: text sizes by role, and the colours used for roles.

Every module of :mod:`cnnbook.figures` takes its sizes and colours from here, so the look of the
whole book changes in one place. Colours are matplotlib's default cycle ("C0", "C1", ...),
named by what they mark.
"""

from __future__ import annotations

#: Text sizes in points, by role.
TINY = 7        # labels inside crowded panels
SMALL = 8       # legends, captions on boxes
NORMAL = 9      # panel titles in grids, axis labels of small panels
TITLE = 10      # a figure's or a panel's title
LARGE = 11      # numbers written inside diagram cells

#: Colours by role.
FIRST = "C0"    # the main series, a filter, the box drawn first
SECOND = "C1"   # the series compared with it, a step, a detection
GOOD = "C2"     # what is kept or correct
BAD = "C3"      # what fails, a miss, ground truth to compare against
GRID = "0.75"   # frames and light grid lines
