"""The benchmark is never silent while the pipeline is built or a warm-up call runs (issue #15: a new
user saw five silent minutes after 'warm-up 1/1 ...' on a loaded machine)."""

from __future__ import annotations

import time
import types

import pytest

from artcost.bench.heartbeat import Heartbeat


class Lines:
    def __init__(self):
        self.lines: list[str] = []

    def print(self, msg):
        self.lines.append(msg)


def test_heartbeat_prints_elapsed_while_a_phase_lasts():
    con = Lines()
    with Heartbeat(con, "preset stock: warm-up 1/1", every=0.05) as beat:
        beat.say("first UNet call of ~20")
        time.sleep(0.3)
    assert con.lines[0].startswith("preset stock: warm-up 1/1: first UNet call of ~20 (")
    still = [x for x in con.lines if ": still first UNet call of ~20, " in x]
    assert len(still) >= 2 and still[-1].endswith(" s")
    n = len(con.lines)
    time.sleep(0.15)
    assert len(con.lines) == n  # stops with the phase


def test_heartbeat_is_silent_without_a_console():
    """No console: no line can be printed, so no thread is started to print them (it asserted nothing)."""
    import threading

    with Heartbeat(None, "x", every=0.01) as beat:
        beat.say("anything")
        time.sleep(0.05)
        assert beat._thread is None
        assert not [t for t in threading.enumerate() if t.name == "artcost-heartbeat"]
    assert beat.phase == "anything"  # the phase is still kept, for whoever asks


def test_watch_takes_a_compiled_unet():
    """`getattr(pipe, "unet") or ...` asked a torch.compile'd UNet for its truth value: TypeError (its
    __len__ raises under torch 2.13), and `--presets ...,compile` died before any record (issue #29)."""
    torch = pytest.importorskip("torch")
    unet = torch.compile(torch.nn.Identity())  # like UNet2DConditionModel: no __len__, so bool() raises
    with pytest.raises(TypeError):
        bool(unet)
    pipe = types.SimpleNamespace(text_encoder=torch.nn.Identity(), unet=unet,
                                 vae=types.SimpleNamespace(decoder=torch.nn.Identity()))
    con = Lines()
    with Heartbeat(con, "warm-up 1/1", every=60) as beat:
        beat.watch(pipe, steps=2)
        assert len(beat._handles) == 3  # text encoder, the compiled UNet's wrapper, the VAE decoder
        pipe.text_encoder(torch.zeros(1))
    assert [line.split(": ", 1)[1].split(" (")[0] for line in con.lines] == ["encoding the prompt"]


def test_watch_names_the_phases_of_a_call_and_unhooks():
    torch = pytest.importorskip("torch")
    pipe = types.SimpleNamespace(text_encoder=torch.nn.Identity(), unet=torch.nn.Identity(),
                                 vae=types.SimpleNamespace(decoder=torch.nn.Identity()))
    con = Lines()
    x = torch.zeros(1)
    with Heartbeat(con, "warm-up 1/1", every=60) as beat:
        beat.watch(pipe, steps=3)
        pipe.text_encoder(x)
        for _ in range(3):
            pipe.unet(x)
        assert beat.phase == "UNet call 3 of ~3"
        pipe.vae.decoder(x)
    said = [line.split(": ", 1)[1] for line in con.lines]
    assert [s.split(" (")[0] for s in said] == ["encoding the prompt", "first UNet call of ~3", "VAE decode"]
    pipe.unet(x)  # hooks removed: no more lines
    assert len(con.lines) == 3


def test_watch_counts_pndms_extra_call():
    """PNDM with skip_prk_steps makes steps + 1 UNet calls: the heartbeat said 'UNet call 4 of ~3'."""
    torch = pytest.importorskip("torch")

    class PNDMScheduler:  # only the class name is read
        pass

    pipe = types.SimpleNamespace(text_encoder=torch.nn.Identity(), unet=torch.nn.Identity(),
                                 vae=types.SimpleNamespace(decoder=torch.nn.Identity()), scheduler=PNDMScheduler())
    con = Lines()
    x = torch.zeros(1)
    with Heartbeat(con, "warm-up 1/1", every=60) as beat:
        beat.watch(pipe, steps=3)
        for _ in range(4):
            pipe.unet(x)
        assert beat.phase == "UNet call 4 of ~4"
