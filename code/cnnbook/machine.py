"""The CPU a build ran on: what makes the same recipe train to slightly different numbers.

TensorFlow's CPU kernels (oneDNN) pick their code by the instruction set the processor offers,
and split the work over its cores. Both change the order in which floating-point sums are
added, so the same recipe, seed and data give the same numbers on one machine every time but
slightly different ones on a machine with other vector instructions (AVX2 instead of AVX-512)
or another number of threads. Measured here (Xeon with AVX-512 and AMX, two cores): capping
oneDNN at AVX2 changes the weights after one epoch and costs the lecture CNN about a third more
time per epoch; one thread instead of two changes them too. The book therefore does not pin the
kernels; it records what they were (``numbers.json``: ``build_cpu_isa``, ``build_threads``)
and checks its findings, which must hold on every machine.
"""

from __future__ import annotations

import os
from pathlib import Path

#: oneDNN's names for the instruction sets it dispatches on, best first, with the CPU flags
#: (as /proc/cpuinfo lists them) that each needs.
ISA_FLAGS = (
    ("avx512_core_amx", {"avx512f", "avx512bw", "avx512vl", "avx512dq", "amx_tile", "amx_bf16"}),
    ("avx512_core", {"avx512f", "avx512bw", "avx512vl", "avx512dq"}),
    ("avx2", {"avx2", "fma"}),
    ("sse41", {"sse4_1"}),
)
#: oneDNN's environment variable that caps the instruction set (unset: the best there is).
ISA_CAP = "ONEDNN_MAX_CPU_ISA"


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU's feature flags (Linux's /proc/cpuinfo; an empty set where there is none)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def cpu_isa(flags: set[str] | None = None, cap: str | None = None) -> str:
    """The instruction set oneDNN's kernels use here: the best the CPU has, under any cap set
    in ``$ONEDNN_MAX_CPU_ISA``; "unknown" where the flags cannot be read (not Linux on x86)."""
    flags = cpu_flags() if flags is None else flags
    cap = (os.environ.get(ISA_CAP, "") if cap is None else cap).lower()
    names = [name for name, _ in ISA_FLAGS]
    allowed = names[names.index(cap):] if cap in names else names
    for name, needed in ISA_FLAGS:
        if name in allowed and needed <= flags:
            return name
    return "unknown"


def threads() -> int:
    """The cores this process may run on: TensorFlow's default number of threads."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
