"""A fake `pynvml` that replays a power trace against a controllable clock.

``nvmlDeviceGetPowerUsage`` returns the trace's watts at the clock's time (linear interpolation, in mW,
as NVML does); ``nvmlDeviceGetTotalEnergyConsumption`` returns the exact integral of the trace up to
that time (mJ) plus a driver-load offset. Functions can be removed to mimic old GPUs / old bindings.
"""

from __future__ import annotations

import types


class FakeClock:
    def __init__(self, t: float = 0.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


class NVMLError(Exception):
    pass


def _interp(trace, t):
    if t <= trace[0][0]:
        return trace[0][1]
    for (ta, wa), (tb, wb) in zip(trace, trace[1:]):
        if ta <= t <= tb:
            return wa + (wb - wa) * (t - ta) / (tb - ta)
    return trace[-1][1]


def _integral(trace, t):
    e = 0.0
    for (ta, wa), (tb, wb) in zip(trace, trace[1:]):
        if t <= ta:
            break
        end = min(t, tb)
        w_end = wa + (wb - wa) * (end - ta) / (tb - ta)
        e += (wa + w_end) / 2 * (end - ta)
    return e


def make_fake_pynvml(trace, clock, *, energy_counter=True, driver=True, offset_mj=123_456_789):
    m = types.ModuleType("pynvml")
    m.NVMLError = NVMLError
    m.NVML_CLOCK_SM, m.NVML_CLOCK_MEM, m.NVML_TEMPERATURE_GPU = 1, 2, 0
    m.calls = []

    def nvmlInit():
        if not driver:
            raise NVMLError("Driver Not Loaded")

    m.nvmlInit = nvmlInit
    m.nvmlShutdown = lambda: None
    m.nvmlDeviceGetHandleByIndex = lambda i: ("handle", i)
    m.nvmlDeviceGetPowerUsage = lambda h: int(round(_interp(trace, clock()) * 1000))
    if energy_counter:
        m.nvmlDeviceGetTotalEnergyConsumption = lambda h: int(offset_mj + _integral(trace, clock()) * 1000)
    m.nvmlDeviceGetName = lambda h: "NVIDIA GeForce RTX 3060 Ti"
    m.nvmlSystemGetDriverVersion = lambda: "550.54.14"
    m.nvmlDeviceGetEnforcedPowerLimit = lambda h: 200000
    m.nvmlDeviceGetClockInfo = lambda h, kind: 1905 if kind == 1 else 7000
    m.nvmlDeviceGetMaxClockInfo = lambda h, kind: 2100

    def mem(h):
        return types.SimpleNamespace(total=8 * 1024**3, used=5 * 1024**3, free=3 * 1024**3)

    m.nvmlDeviceGetMemoryInfo = mem

    def temp(h, kind):
        raise NVMLError("Not Supported")

    m.nvmlDeviceGetTemperature = temp
    return m
