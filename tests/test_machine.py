"""The build's CPU as the book records it (cnnbook.machine): the instruction set oneDNN uses."""

from __future__ import annotations

from cnnbook import machine

SAPPHIRE_RAPIDS = ("flags : fpu sse4_1 avx2 fma avx512f avx512bw avx512vl avx512dq amx_tile "
                   "amx_bf16 amx_int8\n")
ZEN3 = "flags\t\t: fpu sse4_1 avx avx2 fma\n"


def test_the_best_instruction_set_the_cpu_offers_is_named_as_onednn_names_it():
    assert machine.cpu_isa(machine.cpu_flags(SAPPHIRE_RAPIDS), cap="") == "avx512_core_amx"
    assert machine.cpu_isa(machine.cpu_flags(ZEN3), cap="") == "avx2"
    assert machine.cpu_isa({"sse4_1"}, cap="") == "sse41"
    assert machine.cpu_isa(set(), cap="") == "unknown"


def test_a_cap_set_for_onednn_is_respected():
    flags = machine.cpu_flags(SAPPHIRE_RAPIDS)
    assert machine.cpu_isa(flags, cap="AVX2") == "avx2"
    assert machine.cpu_isa(flags, cap="avx512_core") == "avx512_core"
    assert machine.cpu_isa(machine.cpu_flags(ZEN3), cap="AVX512_CORE") == "avx2"  # a cap only lowers


def test_this_machine_is_described(monkeypatch):
    monkeypatch.delenv(machine.ISA_CAP, raising=False)
    assert machine.cpu_isa() in {name for name, _ in machine.ISA_FLAGS} | {"unknown"}
    assert machine.threads() >= 1
