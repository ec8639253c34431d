"""TensorFlow's start-up chatter is dropped; real warnings and errors are kept."""

from cnnbook.runtime import startup_noise_removed

CHATTER = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1795835161.256233    2070 port.cc:153] oneDNN custom operations are on.
I0000 00:00:1795835184.694750    2104 cpu_feature_guard.cc:227] This TensorFlow binary is optimized
To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow.
2025-09-17 14:44:05.157831: I external/local_xla/xla/tsl/cuda/cudart_stub.cc:32] Could not find cuda drivers
"""


def test_info_records_and_their_continuations_are_dropped():
    assert startup_noise_removed(CHATTER) == ""


def test_warnings_errors_and_python_output_are_kept():
    real = (
        "/site-packages/x.py:3: UserWarning: something real\n"
        "  warnings.warn(\n"
        "W0000 00:00:17958.1    2070 foo.cc:1] a real warning\n"
        "E0000 00:00:17958.1    2070 foo.cc:2] a real error\n"
        "2025-09-17 14:44:05.176998: E external/cuda_fft.cc:467] Unable to register cuFFT factory\n"
    )
    assert startup_noise_removed(CHATTER + real) == real
    assert startup_noise_removed(real + CHATTER) == real


def test_importing_the_package_prints_no_chatter():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import cnnbook.nets.lecture"], capture_output=True, text=True, check=True
    )
    assert done.stderr == "" and done.stdout == ""


def test_native_stderr_drops_only_the_two_harmless_notices_and_loses_nothing():
    """The notices go; every other line, and a traceback at exit, comes through in order."""
    import subprocess
    import sys

    script = (
        "import os\n"
        "from cnnbook import runtime\n"
        "os.write(2, b'E0000 00:00:1.0 1 util.cc:131] oneDNN supports DT_INT64 only on"
        " platforms with AVX-512. Falling back\\n')\n"
        "os.write(2, b'a real problem\\n')\n"
        "os.write(2, b'E0000 node_def_util.cc:682] NodeDef mentions attribute"
        " use_unbounded_threadpool which is not in the op definition: Op<...>\\n')\n"
        "raise SystemExit('the end')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stderr.splitlines()[-2:] == ["a real problem", "the end"]
    assert "oneDNN supports DT_INT64" not in done.stderr
    assert "use_unbounded_threadpool" not in done.stderr


def test_harmless_lines_removed_keeps_the_line_structure():
    from cnnbook.runtime import harmless_lines_removed

    text = b"one\nx oneDNN supports DT_INT64 only on platforms with AVX-512 y\n\ntwo\n"
    assert harmless_lines_removed(text) == b"one\n\ntwo\n"
