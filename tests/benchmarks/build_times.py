"""Benchmark the book build: cold build, warm rebuild, prose-only edit, pure training, memory.

Not a test (pytest does not collect it). Run from the repository root with the venv's Python:

    .venv/bin/python tests/benchmarks/build_times.py --repeat 3            # warm + prose only
    .venv/bin/python tests/benchmarks/build_times.py --cold 2 --training   # the whole picture

Prints medians over the repeats. A cold build deletes _build first; it retrains everything.
Peak memory is the largest resident set of any process of the build (the notebook kernels
included), as the operating system reports it for finished child processes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(REPO), "--builder", "html",
         "--all", "-W", "-n", "--keep-going"]
PROSE_PAGE = REPO / "book" / "softmax.md"
HEADLINES = ("softmax_test_accuracy", "mlp_test_accuracy", "cnn_test_accuracy")


def run_build() -> float:
    start = time.perf_counter()
    done = subprocess.run(BUILD, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return seconds


def headline_numbers() -> dict:
    numbers = json.loads((REPO / "_build" / "html" / "_static" / "numbers.json").read_text())
    return {name: numbers[name]["value"] for name in HEADLINES}


def cold_builds(count: int) -> tuple[list[float], list[dict]]:
    times, numbers = [], []
    for _ in range(count):
        shutil.rmtree(REPO / "_build", ignore_errors=True)
        times.append(run_build())
        numbers.append(headline_numbers())
    return times, numbers


def prose_edit_build() -> float:
    original = PROSE_PAGE.read_text()
    try:
        PROSE_PAGE.write_text(original + f"\nA prose-only edit made at {time.time()}.\n")
        return run_build()
    finally:
        PROSE_PAGE.write_text(original)


def training_seconds() -> dict[str, float]:
    """Every declared run, trained without the cache, in one process: the floor for a cold build."""
    code = (
        "import json, time\n"
        "from cnnbook import experiments\n"
        "from cnnbook.training import train\n"
        "out = {}\n"
        "for r in experiments.ALL:\n"
        "    t = time.perf_counter(); train(r, use_cache=False)\n"
        "    out[f'{r.model} (validation {r.validation_size})'] = time.perf_counter() - t\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cold", type=int, default=0, help="number of cold builds (each retrains)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the warm and prose-only builds")
    parser.add_argument("--training", action="store_true", help="also time pure training")
    args = parser.parse_args()
    os.environ.setdefault("CNNBOOK_DATA_DIR", str((REPO / ".." / "shared" / "data").resolve()))

    rows = []
    if args.cold:
        times, numbers = cold_builds(args.cold)
        rows.append(("cold build", times))
        same = all(n == numbers[0] for n in numbers)
        print("accuracies of the cold builds:", numbers, "identical" if same else "DIFFERENT")
    if not (REPO / "_build" / "html" / "index.html").exists():
        run_build()
    rows.append(("warm rebuild, nothing changed", [run_build() for _ in range(args.repeat)]))
    rows.append(("rebuild after a prose-only edit", [prose_edit_build() for _ in range(args.repeat)]))
    if args.training:
        per_run = training_seconds()
        for name, seconds in per_run.items():
            rows.append((f"training {name}", [seconds]))
        rows.append(("training, all runs", [sum(per_run.values())]))
        if args.cold:
            print(f"cold build / pure training: {statistics.median(times) / sum(per_run.values()):.2f}")

    print(f"{'what':45s} {'median s':>9s} {'min s':>8s} {'max s':>8s}  runs")
    for name, values in rows:
        median = statistics.median(values)
        print(f"{name:45s} {median:9.1f} {min(values):8.1f} {max(values):8.1f}  {len(values)}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"peak memory of any build or training process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
