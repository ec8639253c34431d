"""How big is the output? Convolution and pooling sizes along one dimension, as arithmetic.

A convolution (합성곱) or pooling (풀링) window of size F slides over N input positions, moving
by the stride (스트라이드) each step, after P zeros of padding (패딩) on each side. The chapters
draw and print every size from here, and the tests hold these rules to what Keras reports, so
no size in the book is typed by hand. No TensorFlow here: the arithmetic must stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cnnbook import checks

#: The padding names Keras accepts (in any letter case), as a reader would pass them.
PADDING_MODES = ("valid", "same")


class DoesNotFit(ValueError):
    """The window does not land evenly on the (padded) input: (N - F + 2P) / stride is fractional.

    Carries what a reader needs to decide: the fractional result and what Keras's two padding
    modes would give instead (``valid`` is None where the filter is larger than the input).
    """

    def __init__(self, message: str, *, value: float, valid: int | None, same: int):
        super().__init__(message)
        self.value = value
        self.valid = valid
        self.same = same


def _padding(padding) -> int | str:
    """A number of zeros (int >= 0) or one of PADDING_MODES, lower-cased like Keras does."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in PADDING_MODES:
            raise ValueError(
                f"unknown padding {padding!r}: give a number of zeros, 'valid' or 'same'"
            )
        return mode
    return checks.whole_number("padding", padding, 0)


def two_decimals(numerator: int, denominator: int) -> str:
    """numerator/denominator rounded half up to two decimals, in integer arithmetic.

    Python's format() and JavaScript's toFixed() round ties differently; the calculator does
    this same integer rounding so both print the same digits.
    """
    hundredths = (200 * numerator + denominator) // (2 * denominator)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def padded_size(n: int, padding: int) -> int:
    """The input's size after P zeros on each side: N + 2P (7 with padding 1 becomes 9)."""
    return checks.whole_number("n", n, 1) + 2 * checks.whole_number("padding", padding, 0)


def _valid(n: int, f: int, stride: int) -> int:
    return (n - f) // stride + 1


def _same(n: int, stride: int) -> int:
    return -(-n // stride)  # ceil(N / stride), whatever the filter size


def output_size(n: int, f: int, stride: int = 1, padding: int | str = 0) -> int:
    """The number of window positions along one dimension, i.e. the output's size there.

    ``padding`` is either a number P of zeros on each side, giving (N - F + 2P) / stride
    + 1, which must be a whole number (else :class:`DoesNotFit`), or a Keras mode:
    ``'valid'`` (no padding; a last position that would run off the edge is dropped:
    floor((N - F) / stride) + 1) or ``'same'`` (zeros added as needed so every step
    fits: ceil(N / stride)).
    """
    n = checks.whole_number("n", n, 1)
    f = checks.whole_number("f", f, 1)
    stride = checks.whole_number("stride", stride, 1)
    padding = _padding(padding)

    if padding == "same":
        return _same(n, stride)
    if padding == "valid":
        if f > n:
            raise ValueError(
                f"filter larger than input: F={f} > N={n}, so 'valid' has no position"
            )
        return _valid(n, f, stride)

    total = padded_size(n, padding)
    if f > total:
        raise ValueError(
            f"filter larger than padded input: "
            f"F={f} > N + 2P = {n} + 2*{padding} = {total}"
        )
    steps, rest = divmod(total - f, stride)
    if rest:
        value = (total - f) / stride + 1
        overhang = (steps + 1) * stride + f - total
        valid = _valid(n, f, stride) if f <= n else None
        same = _same(n, stride)
        valid_text = (
            f"padding='valid' (no zeros) drops the incomplete last position "
            f"and gives {valid}"
            if valid is not None
            else "padding='valid' has no position at all "
            "(the filter is larger than the input)"
        )
        raise DoesNotFit(
            f"does not fit: N={n}, F={f}, stride={stride}, padding={padding} gives "
            f"(N - F + 2P)/stride + 1 = ({n} - {f} + 2*{padding})/{stride} + 1 = "
            f"{two_decimals(total - f + stride, stride)}, not a whole number: "
            f"the filter's next position would stick out {overhang} past the edge. "
            f"Instead, {valid_text}; padding='same' adds "
            f"the zeros it needs and gives ceil(N/stride) = {same}.",
            value=value,
            valid=valid,
            same=same,
        )
    return steps + 1


def same_padding(f: int) -> int:
    """The zeros per side that keep the size at stride 1: (F - 1) / 2, so F must be odd.

    An even filter would need half a zero on each side; Keras's 'same' then pads one
    more zero after (bottom/right) than before, which no single number P can describe.
    """
    f = checks.whole_number("f", f, 1)
    if f % 2 == 0:
        raise ValueError(
            f"no symmetric padding keeps the size for an even filter: (F - 1)/2 = "
            f"{two_decimals(f - 1, 2)} for F={f}; "
            "use padding='same' (one extra zero after)"
        )
    return (f - 1) // 2


def window_starts(n: int, f: int, stride: int = 1) -> list[int]:
    """Where each window begins along one (already padded) dimension: 0, stride, 2*stride, ...

    Only the positions that fit; whether the next one would run off the edge is
    :func:`output_size`'s question. The figures draw these.
    """
    n = checks.whole_number("n", n, 1)
    f = checks.whole_number("f", f, 1)
    stride = checks.whole_number("stride", stride, 1)
    if f > n:
        raise ValueError(f"filter larger than input: F={f} > N={n}")
    return list(range(0, n - f + 1, stride))


def same_sides(n: int, f: int, stride: int = 1) -> tuple[int, int]:
    """The zeros Keras's 'same' adds before (top/left) and after (bottom/right) one dimension.

    Just enough for ceil(N/stride) positions: max((ceil(N/stride) - 1)*stride + F - N, 0) in
    all, the smaller half before and the extra zero of an odd total after, as TensorFlow pads.
    """
    n = checks.whole_number("n", n, 1)
    f = checks.whole_number("f", f, 1)
    stride = checks.whole_number("stride", stride, 1)
    total = max((_same(n, stride) - 1) * stride + f - n, 0)
    return total // 2, total - total // 2


@dataclass(frozen=True)
class Axis:
    """Where the windows land along one dimension: what the book's calculator draws.

    Positions count input cells from the input's first one, so a window that starts in the
    zeros before it starts below 0 (at -pad_before for the first window).
    """

    pad_before: int   #: zeros before the input (top or left)
    pad_after: int    #: zeros after it (bottom or right)
    first: int        #: where the first window starts
    last: int         #: where the last window that fits starts
    count: int        #: how many windows fit: the output size, when ``fits``
    fits: bool        #: False where (N - F + 2P)/stride is fractional (a number P only)
    overhang: int     #: how far the next window would stick out past the edge (0 if it fits)
    unused: int       #: cells before the far edge that no window covers ('valid' drops them)

    @property
    def starts(self) -> list[int]:
        """Where each window that fits starts."""
        step = (self.last - self.first) // (self.count - 1) if self.count > 1 else 1
        return list(range(self.first, self.last + 1, step))


def axis_positions(n: int, f: int, stride: int = 1, padding: int | str = 0) -> Axis:
    """The windows along one dimension for an input of N, a window of F, a stride, a padding.

    The same arguments and refusals as :func:`output_size`, but a case that does not fit is
    described, not refused: ``fits`` is False, ``count`` holds the windows that fit and
    ``overhang`` how far past the edge the next one would reach.
    """
    n = checks.whole_number("n", n, 1)
    f = checks.whole_number("f", f, 1)
    stride = checks.whole_number("stride", stride, 1)
    padding = _padding(padding)
    if padding == "same":
        before, after = same_sides(n, f, stride)
    elif padding == "valid":
        before = after = 0
        if f > n:
            raise ValueError(
                f"filter larger than input: F={f} > N={n}, so 'valid' has no position"
            )
    else:
        before = after = padding
    total = n + before + after
    if f > total:
        raise ValueError(f"filter larger than padded input: F={f} > {total}")
    steps, rest = divmod(total - f, stride)
    fits = rest == 0 or padding in PADDING_MODES
    last = -before + steps * stride
    return Axis(
        pad_before=before,
        pad_after=after,
        first=-before,
        last=last,
        count=steps + 1,
        fits=fits,
        overhang=0 if fits else (steps + 1) * stride + f - total,
        unused=n + after - (last + f),
    )


def receptive_field(layers: Iterable[tuple[int, int]]) -> int:
    """How many input pixels (along one dimension) one output value of a stack depends
    on.

    ``layers`` are (kernel, stride) pairs, first layer first. Each layer widens the
    field by (kernel - 1) times the product of the strides before it; padding does not
    change it. With no layers, a value sees one pixel: itself.
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(
            f"layers must be (kernel, stride) pairs, got {type(layers).__name__}"
        )
    field, jump = 1, 1
    for index, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            raise TypeError(
                f"layer {index} must be a (kernel, stride) pair, got {layer!r}"
            )
        kernel = checks.whole_number(f"layer {index} kernel", layer[0], 1)
        stride = checks.whole_number(f"layer {index} stride", layer[1], 1)
        field += (kernel - 1) * jump
        jump *= stride
    return field
