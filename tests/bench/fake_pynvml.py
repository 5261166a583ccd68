"""A fake `pynvml` that replays a power trace against a controllable clock, and fails as the real one does.

Behaviour copied from nvidia-ml-py's ``pynvml.py`` (the version in this venv):

* every ``nvml*`` function always exists; a function the driver lacks raises
  ``NVMLError(NVML_ERROR_FUNCTION_NOT_FOUND)`` when *called* (``_nvmlGetFunctionPointer``), never an
  ``AttributeError`` on lookup;
* ``NVMLError(code)`` returns an instance of the code's subclass (``NVMLError_NotSupported``,
  ``NVMLError_DriverNotLoaded``, ...), generated from the ``NVML_ERROR_*`` constants with the same
  naming rule (``_extractNVMLErrorsAsClasses``); ``str()`` is the driver's message;
* calls before ``nvmlInit`` raise ``NVMLError_Uninitialized``;
* GPUs are numbered in PCI order and found by index (``NVMLError_InvalidArgument`` when out of range)
  or by UUID string (``NVMLError_NotFound``); ``nvmlDeviceGetUUID`` returns ``str`` (``convertStrBytes``).

``nvmlDeviceGetPowerUsage`` returns the trace's watts at the clock's time (linear interpolation, in mW,
as NVML does), times the GPU's ``scale``; ``nvmlDeviceGetTotalEnergyConsumption`` returns the exact
integral of the scaled trace up to that time (mJ) plus a driver-load offset.
"""

from __future__ import annotations

import string
import types

# Codes as in pynvml.py (nvidia-ml-py 12.x/13.x).
NVML_ERROR_CODES = {
    "UNINITIALIZED": 1, "INVALID_ARGUMENT": 2, "NOT_SUPPORTED": 3, "NO_PERMISSION": 4,
    "ALREADY_INITIALIZED": 5, "NOT_FOUND": 6, "INSUFFICIENT_SIZE": 7, "INSUFFICIENT_POWER": 8,
    "DRIVER_NOT_LOADED": 9, "TIMEOUT": 10, "IRQ_ISSUE": 11, "LIBRARY_NOT_FOUND": 12,
    "FUNCTION_NOT_FOUND": 13, "CORRUPTED_INFOROM": 14, "GPU_IS_LOST": 15, "RESET_REQUIRED": 16,
    "OPERATING_SYSTEM": 17, "LIB_RM_VERSION_MISMATCH": 18, "IN_USE": 19, "MEMORY": 20, "NO_DATA": 21,
    "UNKNOWN": 999,
}
_MESSAGES = {
    1: "Uninitialized", 2: "Invalid Argument", 3: "Not Supported", 4: "Insufficient Permissions",
    6: "Not Found", 9: "Driver Not Loaded", 12: "NVML Shared Library Not Found", 13: "Function Not Found",
    15: "GPU is lost", 999: "Unknown Error",
}


class FakeClock:
    def __init__(self, t: float = 0.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


class NVMLError(Exception):
    _valClassMapping: dict = {}

    def __new__(typ, value):
        if typ == NVMLError:
            typ = NVMLError._valClassMapping.get(value, typ)
        obj = Exception.__new__(typ)
        obj.value = value
        return obj

    def __str__(self):
        return _MESSAGES.get(self.value, "NVML Error with code %d" % self.value)


ERROR_CLASSES: dict[str, type] = {}
for _name, _val in NVML_ERROR_CODES.items():
    _cls_name = "NVMLError_" + string.capwords(_name, "_").replace("_", "")

    def _gen_new(val):
        def new(typ, *args):
            return NVMLError.__new__(typ, val)

        return new

    _cls = type(_cls_name, (NVMLError,), {"__new__": _gen_new(_val)})
    NVMLError._valClassMapping[_val] = _cls
    ERROR_CLASSES[_cls_name] = _cls


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


class _Handle:
    """Opaque like ``c_nvmlDevice_t``; remembers which GPU it points at."""

    def __init__(self, index: int):
        self.index = index

    def __repr__(self):
        return f"<c_nvmlDevice_t {self.index}>"


def make_fake_pynvml(trace, clock, *, energy_counter=True, driver=True, offset_mj=123_456_789,
                     gpus=(("GPU-3f2a9c4e-0000-4000-8000-000000000000", 1.0),), missing=(), unsupported=()):
    """A fake pynvml module.

    Args:
        energy_counter: False makes ``nvmlDeviceGetTotalEnergyConsumption`` raise NotSupported (pre-Volta).
        driver: False makes ``nvmlInit`` raise DriverNotLoaded.
        gpus: (uuid, power scale) per GPU, in NVML's (PCI) order.
        missing: function names the driver lacks (raise FunctionNotFound when called).
        unsupported: function names that raise NotSupported.
    """
    m = types.ModuleType("pynvml")
    m.NVMLError = NVMLError
    for name, val in NVML_ERROR_CODES.items():
        setattr(m, "NVML_ERROR_" + name, val)
    for cls_name, cls in ERROR_CLASSES.items():
        setattr(m, cls_name, cls)
    m.NVML_CLOCK_SM, m.NVML_CLOCK_MEM, m.NVML_TEMPERATURE_GPU = 1, 2, 0
    m.calls = []
    state = {"init": 0}
    unsupported = set(unsupported) | (set() if energy_counter else {"nvmlDeviceGetTotalEnergyConsumption"})

    def api(fn, needs_init=True):
        name = fn.__name__

        def call(*args):
            m.calls.append(name)
            if name in missing:
                raise NVMLError(NVML_ERROR_CODES["FUNCTION_NOT_FOUND"])
            if needs_init and state["init"] <= 0:
                raise NVMLError(NVML_ERROR_CODES["UNINITIALIZED"])
            if name in unsupported:
                raise NVMLError(NVML_ERROR_CODES["NOT_SUPPORTED"])
            return fn(*args)

        call.__name__ = name
        setattr(m, name, call)
        return call

    def check(h):
        if not isinstance(h, _Handle):
            raise NVMLError(NVML_ERROR_CODES["INVALID_ARGUMENT"])
        return h

    @lambda f: api(f, needs_init=False)
    def nvmlInit():
        if not driver:
            raise NVMLError(NVML_ERROR_CODES["DRIVER_NOT_LOADED"])
        state["init"] += 1

    @api
    def nvmlShutdown():
        state["init"] -= 1

    @api
    def nvmlDeviceGetCount():
        return len(gpus)

    @api
    def nvmlDeviceGetHandleByIndex(i):
        if not 0 <= i < len(gpus):
            raise NVMLError(NVML_ERROR_CODES["INVALID_ARGUMENT"])
        return _Handle(i)

    @api
    def nvmlDeviceGetHandleByUUID(uuid):
        for i, (u, _) in enumerate(gpus):
            if u == uuid:
                return _Handle(i)
        raise NVMLError(NVML_ERROR_CODES["NOT_FOUND"])

    @api
    def nvmlDeviceGetUUID(h):
        return gpus[check(h).index][0]

    @api
    def nvmlDeviceGetIndex(h):
        return check(h).index

    @api
    def nvmlDeviceGetPowerUsage(h):
        return int(round(_interp(trace, clock()) * gpus[check(h).index][1] * 1000))

    @api
    def nvmlDeviceGetTotalEnergyConsumption(h):
        return int(offset_mj + _integral(trace, clock()) * gpus[check(h).index][1] * 1000)

    @api
    def nvmlDeviceGetName(h):
        check(h)
        return "NVIDIA GeForce RTX 3060 Ti"

    @api
    def nvmlSystemGetDriverVersion():
        return "550.54.14"

    @api
    def nvmlDeviceGetEnforcedPowerLimit(h):
        check(h)
        return 200000

    @api
    def nvmlDeviceGetClockInfo(h, kind):
        check(h)
        return 1905 if kind == 1 else 7000

    @api
    def nvmlDeviceGetMaxClockInfo(h, kind):
        check(h)
        return 2100

    @api
    def nvmlDeviceGetMemoryInfo(h):
        check(h)
        return types.SimpleNamespace(total=8 * 1024**3, used=5 * 1024**3, free=3 * 1024**3)

    @api
    def nvmlDeviceGetTemperature(h, kind):
        raise NVMLError(NVML_ERROR_CODES["NOT_SUPPORTED"])

    m.state = state
    return m
