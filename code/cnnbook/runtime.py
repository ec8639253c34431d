"""TensorFlow imported without its start-up chatter.

TensorFlow 2.21 writes INFO notices (oneDNN, CPU features) straight to file descriptor 2 while
it is imported, before any logging setting applies, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide
them and they would land on every page. We capture descriptor 2 during the import, drop the
INFO lines alone, and pass everything else (warnings, errors) through, so the build still sees
real problems. Import Keras from here: ``from cnnbook.runtime import keras``.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import tempfile
import threading

# absl's format "I0000 00:00:17958.. 2070 port.cc:153] ..." and TF's older
# "2025-09-17 14:44:05.157831: I external/...". The letter is the level: I, W, E or F.
_LOG_LINE = re.compile(r"^(?:([IWEF])\d{4} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d [\d:.]+: ([IWEF]) )")
_ABSL_PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called"
# A Python warning ("file.py:3: UserWarning: ...") or traceback starts a message of its own.
_PYTHON_MESSAGE = re.compile(r"^(?:\S.*:\d+: \w+: |Traceback )")


def startup_noise_removed(text: str) -> str:
    """Drop INFO log records (with their continuation lines) and absl's preamble; keep the rest."""
    kept, dropping = [], False
    for line in text.splitlines():
        match = _LOG_LINE.match(line)
        if match:
            dropping = (match.group(1) or match.group(2)) == "I"
        elif _PYTHON_MESSAGE.match(line):
            dropping = False
        elif line.startswith(_ABSL_PREAMBLE):
            dropping = True
            continue
        if not dropping:
            kept.append(line)
    return "".join(f"{line}\n" for line in kept)


def _import_tensorflow_quietly() -> None:
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        rest = startup_noise_removed(capture.read().decode("utf-8", errors="replace"))
    if rest:
        sys.stderr.write(rest)


#: Two native TensorFlow notices that say nothing about the book's results, written straight to
#: descriptor 2 the first time a process meets them (so only in a cold build): int64 ops fall
#: back from oneDNN to Eigen, and tf.data's graph carries an attribute its op does not declare.
HARMLESS_NATIVE_LINES = re.compile(
    r"oneDNN supports DT_INT64 only on platforms with AVX-512"
    r"|NodeDef mentions attribute use_unbounded_threadpool which is not in the op definition"
)


def harmless_lines_removed(data: bytes) -> bytes:
    """``data`` (whole lines) without the lines of :data:`HARMLESS_NATIVE_LINES`."""
    lines = data.split(b"\n")
    kept = [line for line in lines if not HARMLESS_NATIVE_LINES.search(line.decode("utf-8", "replace"))]
    return b"\n".join(kept)


def _filter_native_stderr() -> None:
    """Pass descriptor 2 through a pipe that drops the harmless notices and keeps everything
    else; at exit the pipe is drained, so no message (a traceback included) is lost."""
    read_end, write_end = os.pipe()
    target = os.dup(2)
    os.dup2(write_end, 2)
    os.close(write_end)

    def write(data: bytes) -> None:
        while data:
            data = data[os.write(target, data):]

    def pump() -> None:
        pending = b""
        while chunk := os.read(read_end, 65536):
            head, newline, pending = (pending + chunk).rpartition(b"\n")
            if newline:
                write(harmless_lines_removed(head + newline))
        write(harmless_lines_removed(pending))
        os.close(read_end)

    thread = threading.Thread(target=pump, name="cnnbook-stderr", daemon=True)
    thread.start()

    def drain() -> None:
        sys.stderr.flush()
        os.dup2(target, 2)  # the pipe's last writer closes: the pump reads to the end
        thread.join(timeout=5)

    atexit.register(drain)


_import_tensorflow_quietly()
_filter_native_stderr()

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

__all__ = ["keras", "tf", "startup_noise_removed"]
