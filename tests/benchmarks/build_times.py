"""Benchmark the book: builds, training per epoch, peak memory, and the lecture's own code.

Not a test (pytest does not collect it). Run from the repository root with the venv's Python
(``make bench`` runs the full set once):

    .venv/bin/python tests/benchmarks/build_times.py --cold 1 --repeat 3 --epochs --lecture 3
    .venv/bin/python tests/benchmarks/build_times.py --repeat 3            # warm + prose only
    .venv/bin/python tests/benchmarks/build_times.py --quick                # a smoke test, ~2 min
    .venv/bin/python tests/benchmarks/build_times.py --training             # + pure training, all runs

What each row means:

- cold build: ``_build`` deleted, so every page executes and every model trains (the training
  cache lives in ``_build/cnnbook-cache``: the builds here ignore ``CNNBOOK_CACHE_DIR``);
- warm rebuild: nothing changed; rebuild after a prose-only edit: a sentence appended to a page;
- rebuild after a figure-only edit (``--edits``): a colour in ``cnnbook/figures/diagrams.py``
  changed; the row counts the pages executed again and the models trained (both should be
  few: the pages that draw those diagrams, and no model);
- rebuild after a builder edit (``--edits``, once): LeNet-5's builder changed; it should train
  LeNet-5 alone and execute again only the pages that use it;
- training s/epoch: median seconds per epoch of the book's MLP and CNN runs, read from the
  training cache the build filled (``--epochs``);
- lecture code vs ours (``--lecture N``): the lecture's training code
  (tests/benchmarks/lecture_code.py) and the book's (``cnnbook.training``) each train the MLP
  and the CNN for N epochs under the same protocol (test set watched after every epoch), each
  in a fresh process; the ratio is of the median seconds per epoch, lecture / ours.

Peak memory is the largest resident set of any process of the builds (the notebook kernels
included), as the operating system reports it for finished child processes, and of each
training process. Medians over the repeats; the machine's other load shows in min/max.
"""

from __future__ import annotations

import argparse
import dataclasses
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
LECTURE_CODE = Path(__file__).resolve().with_name("lecture_code.py")
GFLOPS = Path(__file__).resolve().with_name("gflops.py")


def build_env() -> dict[str, str]:
    """The environment of a benchmark build: the training cache inside _build, as on a fresh clone."""
    env = dict(os.environ)
    env.pop("CNNBOOK_CACHE_DIR", None)
    return env


def run_build(output: list | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(BUILD, cwd=REPO, capture_output=True, text=True, env=build_env())
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    if output is not None:
        output.append(done.stdout + done.stderr)
    return seconds


def trained_models() -> set[str]:
    folder = REPO / "_build" / "cnnbook-cache"
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.is_dir() else set()


def edit_build(path: Path, old: str, new: str) -> tuple[float, int, int]:
    """Rebuild after replacing ``old`` by ``new`` in ``path`` (restored afterwards): seconds,
    pages executed again, models trained."""
    original = path.read_text()
    if old not in original:
        sys.exit(f"{old!r} is not in {path}: update the benchmark")
    before, output = trained_models(), []
    try:
        path.write_text(original.replace(old, new, 1))
        seconds = run_build(output)
    finally:
        path.write_text(original)
    executed = sum("Executing notebook" in line for line in output[0].splitlines())
    return seconds, executed, len(trained_models() - before)


FIGURE_EDIT = (REPO / "code" / "cnnbook" / "figures" / "diagrams.py",
               '_ZERO = "#d9d9d9"', '_ZERO = "#dadada"')
BUILDER_EDIT = (REPO / "code" / "cnnbook" / "nets" / "classic.py",  # the default, spelt out
                'layers.Dense(84, activation="tanh", name="F6")',
                'layers.Dense(84, activation="tanh", name="F6", use_bias=True)')


def headline_numbers() -> dict:
    numbers = json.loads((REPO / "_build" / "html" / "_static" / "numbers.json").read_text())
    return {name: numbers[name]["value"] for name in HEADLINES if name in numbers}


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


def python_json(code: str, *args: str, env: dict | None = None) -> dict:
    """Run Python in a fresh process; its last stdout line is JSON."""
    done = subprocess.run([sys.executable, *(["-c", code] if code else []), *args], cwd=REPO,
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"failed: {args or code[:200]}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


CACHED_EPOCHS = """
import json, pathlib
from cnnbook import runs, training
from cnnbook.data import load_mnist
data, out = load_mnist(), {}
for name in ("mlp", "cnn"):
    recipe = runs.HEADLINE[name]
    key = training.cache_key(recipe, data)
    entry = training.cache_dir() / f"{recipe.model}-{key[:20]}" / training.RESULT_FILE
    out[name] = json.loads(entry.read_text())["seconds_per_epoch"] if entry.is_file() else None
print(json.dumps(out))
"""

OURS = """
import dataclasses, json, resource, sys
from cnnbook import runs
from cnnbook.training import train
name, epochs, size = sys.argv[1], int(sys.argv[2]), (int(sys.argv[3]) or None)
recipe = dataclasses.replace(runs.HEADLINE[name], epochs=epochs, train_size=size)
result = train(recipe, use_cache=False)
print(json.dumps({"seconds_per_epoch": result.seconds_per_epoch, "test_accuracy": result.test_accuracy,
                  "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
"""


def training_seconds() -> dict[str, float]:
    """Every declared run, trained without the cache, in one process: the floor for a cold build."""
    code = (
        "import json, time\n"
        "from cnnbook import runs\n"
        "from cnnbook.training import train\n"
        "out = {}\n"
        "for r in runs.LECTURE_RUNS:\n"
        "    t = time.perf_counter(); train(r, use_cache=False)\n"
        "    out[f'{r.model} (validation {r.validation_size})'] = time.perf_counter() - t\n"
        "print(json.dumps(out))\n"
    )
    return python_json(code)


def cached_epochs() -> dict[str, list[float] | None]:
    """Seconds per epoch of the book's MLP and CNN runs, from the cache the last build used."""
    env = build_env()
    env["CNNBOOK_CACHE_DIR"] = str(REPO / "_build" / "cnnbook-cache")
    return python_json(CACHED_EPOCHS, env=env)


def lecture_vs_ours(epochs: int, train_size: int | None) -> dict[str, dict[str, dict]]:
    """Both codes, each model, alternating so that a change in the machine's load hits both."""
    runs: dict[str, dict[str, dict]] = {}
    for name in ("mlp", "cnn"):
        runs[name] = {
            "ours": python_json(OURS, name, str(epochs), str(train_size or 0)),
            "lecture": python_json("", str(LECTURE_CODE), name, "--epochs", str(epochs),
                                   *(["--train-size", str(train_size)] if train_size else [])),
        }
    return runs


@dataclasses.dataclass
class Table:
    rows: list[tuple[str, list[float], str]] = dataclasses.field(default_factory=list)

    def add(self, name: str, values: list[float], unit: str = "s") -> None:
        self.rows.append((name, values, unit))

    def print(self) -> None:
        print(f"\n{'what':52s} {'median':>9s} {'min':>8s} {'max':>8s} unit  runs")
        for name, values, unit in self.rows:
            print(f"{name:52s} {statistics.median(values):9.2f} {min(values):8.2f} {max(values):8.2f} "
                  f"{unit:5s} {len(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cold", type=int, default=0, help="number of cold builds (each retrains)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the warm and prose-only builds")
    parser.add_argument("--training", action="store_true",
                        help="also time pure training of every declared run")
    parser.add_argument("--epochs", action="store_true",
                        help="seconds per epoch of the book's MLP and CNN, from the training cache")
    parser.add_argument("--lecture", type=int, default=0, metavar="N",
                        help="train MLP and CNN for N epochs with the lecture's code and with ours")
    parser.add_argument("--train-size", type=int, default=None,
                        help="train the --lecture comparison on the first N training images only")
    parser.add_argument("--edits", action="store_true",
                        help="rebuilds after a figure-only edit (--repeat times) and a builder edit (once)")
    parser.add_argument("--gflops", action="store_true",
                        help="achieved GFLOP/s of the lecture CNN's training beside an fp32 matmul")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 1 warm and 1 prose-only build, 2 epochs on 3,000 images")
    args = parser.parse_args()
    if args.quick:
        args.cold, args.repeat, args.epochs, args.lecture, args.train_size = 0, 1, True, 2, 3000
    os.environ.setdefault("CNNBOOK_DATA_DIR", str((REPO / ".." / "shared" / "data").resolve()))

    table = Table()
    if args.cold:
        times, numbers = cold_builds(args.cold)
        table.add("cold build (trains every model)", times)
        same = all(n == numbers[0] for n in numbers)
        print("accuracies of the cold builds:", numbers, "identical" if same else "DIFFERENT")
    if not (REPO / "_build" / "html" / "index.html").exists():
        run_build()
    table.add("warm rebuild, nothing changed", [run_build() for _ in range(args.repeat)])
    table.add("rebuild after a prose-only edit", [prose_edit_build() for _ in range(args.repeat)])
    if args.edits:
        figure = [edit_build(*FIGURE_EDIT) for _ in range(args.repeat)]
        table.add("rebuild after a figure-only edit", [s for s, _, _ in figure])
        table.add("  pages executed again", [float(p) for _, p, _ in figure], "pages")
        table.add("  models trained", [float(m) for _, _, m in figure], "models")
        run_build()  # back to the unedited pages
        seconds, pages, models = edit_build(*BUILDER_EDIT)
        table.add("rebuild after an edit to LeNet-5's builder", [seconds])
        table.add("  pages executed again", [float(pages)], "pages")
        table.add("  models trained", [float(models)], "models")
        run_build()
    build_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    table.add("peak memory of any build process", [build_peak], "GiB")

    if args.training:
        per_run = training_seconds()
        for name, seconds in per_run.items():
            table.add(f"training {name}", [seconds])
        table.add("training, all runs", [sum(per_run.values())])

    if args.epochs:
        for name, seconds in cached_epochs().items():
            if seconds:
                table.add(f"book's {name.upper()} training, per epoch (from the build)", seconds)
            else:
                print(f"no cached {name} result in _build/cnnbook-cache: run a cold build (--cold 1)")

    if args.gflops:  # one fresh process: the CNN's training, then the matmul, same machine
        extra = ["--train-size", str(args.train_size)] if args.train_size else []
        rates = python_json("", str(GFLOPS), *extra)
        table.add("lecture CNN training, achieved", [rates["cnn_gflops"]], "GFLOP/s")
        table.add("fp32 matmul (TensorFlow, 2048 x 2048)", [rates["matmul_gflops"]], "GFLOP/s")
    if args.lecture:
        runs = lecture_vs_ours(args.lecture, args.train_size)
        images = f"{args.train_size:,} images" if args.train_size else "60,000 images"
        for name, pair in runs.items():
            for who in ("lecture", "ours"):
                table.add(f"{name.upper()} per epoch, {who} code ({images})", pair[who]["seconds_per_epoch"])
            for who in ("lecture", "ours"):
                table.add(f"{name.upper()} peak memory, {who} code", [pair[who]["peak_rss_gib"]], "GiB")
        table.print()
        print(f"\nlecture code vs ours, median seconds per epoch over {args.lecture} epochs ({images}):")
        for name, pair in runs.items():
            lecture, ours = (statistics.median(pair[w]["seconds_per_epoch"]) for w in ("lecture", "ours"))
            print(f"  {name.upper()}: lecture {lecture:.2f} s, ours {ours:.2f} s, ratio lecture/ours "
                  f"{lecture / ours:.2f}  (test accuracy {pair['lecture']['test_accuracy']:.4f} vs "
                  f"{pair['ours']['test_accuracy']:.4f})")
    else:
        table.print()


if __name__ == "__main__":
    main()
