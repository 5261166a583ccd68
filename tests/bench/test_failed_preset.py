"""A preset that breaks is one line in the record, the others kept and stored, never a traceback (issue #29:
`--presets stock,bf16,fp16,channels_last,compile` died in the heartbeat on the compiled UNet's truth value,
and the four presets already measured were lost)."""

from __future__ import annotations

import pytest

pytest.importorskip("diffusers")

from typer.testing import CliRunner  # noqa: E402

from artcost.cli.bench import bench_app  # noqa: E402

TINY = ["--arch", "tiny", "--device", "cpu", "--steps", "1", "--min-runs", "1", "--min-seconds", "0",
        "--idle-seconds", "0", "--gemm-seconds", "0"]


def test_a_failing_preset_is_one_line_and_the_others_are_stored(data_dir, monkeypatch):
    from artcost.bench import loading
    from artcost.bench.store import ResultStore

    real = loading.apply_preset

    def breaks_channels_last(loaded, preset):
        if preset == "channels_last":
            raise RuntimeError("oneDNN: no kernel for this layout [/tmp] [bold]\n  a second line of a compiler log\n" + "x" * 5000)
        return real(loaded, preset)

    monkeypatch.setattr(loading, "apply_preset", breaks_channels_last)
    res = CliRunner().invoke(bench_app, TINY + ["--presets", "stock,channels_last,bf16"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "Traceback" not in res.output
    rec = ResultStore().latest()
    assert [p.name for p in rec.presets] == ["stock", "channels_last", "bf16"]
    stock, broken, bf16 = rec.presets
    assert stock.status == "ok" and stock.runs
    assert broken.status == "failed" and broken.reason == "RuntimeError: oneDNN: no kernel for this layout [/tmp] [bold]"
    assert broken.runs == [] and broken.ratio_to_stock is None
    assert bf16.status in ("ok", "skipped")  # skipped where this CPU has no native bf16 (said in its reason)
    assert bf16.status == "skipped" or bf16.ratio_to_stock["seconds_per_image"] > 0
    flat = res.output.replace("\n", "")
    # said once as it happened and once in the table, its brackets as text (an exception's text is never markup)
    assert "channels_last: failed (RuntimeError: oneDNN: no kernel for this layout [/tmp] [bold])" in flat
    assert "failed: RuntimeError: oneDNN: no kernel for this layout [/tmp] [bold]" in " ".join(flat.split())


def test_an_error_line_is_one_line_and_bounded():
    from artcost.bench.runner import error_line

    assert error_line(ValueError("first\nsecond")) == "ValueError: first"
    assert error_line(KeyError()) == "KeyError"
    long = error_line(RuntimeError("y" * 1000))
    assert len(long) == 300 and long.endswith("…") and "\n" not in long


def test_the_primary_preset_failing_is_one_error_line(data_dir, monkeypatch):
    from artcost.bench import pipeline as P
    from artcost.errors import UserError

    def boom(self, on_call=None, guard=None):
        raise RuntimeError("inductor: C++ compile failed\nlog ...")

    monkeypatch.setattr(P.PipelineSession, "warm_up", boom)
    res = CliRunner().invoke(bench_app, TINY + ["--presets", "stock"])
    assert isinstance(res.exception, UserError)
    assert res.exception.problems == ["the primary preset (stock) has no result: RuntimeError: inductor: C++ "
                                      "compile failed; nothing stored"]
