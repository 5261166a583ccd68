"""Energy meters behind one interface, and an `EnergyMonitor` with named measurement windows.

Modelled on Zeus (``zeus/monitor/energy.py``): ``begin_window("x")`` / ``end_window("x")``, one
object that owns the GPU handles, and energy *counters* preferred over sampled power. Meters, tried
in order:

1. NVML total-energy counter ``nvmlDeviceGetTotalEnergyConsumption`` (mJ since driver load; Volta+).
2. NVML power sampling ``nvmlDeviceGetPowerUsage`` (mW) in a background thread at a fixed rate,
   integrated with the trapezoid rule.
3. Linux RAPL package counters ``/sys/class/powercap/intel-rapl:N/energy_uj`` (µJ), wrapping at
   ``max_energy_range_uj``.
4. None: energy fields stay empty with the reason. Never estimated from a TDP.

The NVML module and the powercap root are injectable so tests replay recorded data; the clock is
injectable so the sampling path can be driven deterministically (``poll()`` instead of a thread).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable


class MeterUnavailable(Exception):
    """This meter cannot be used here; the message says why."""


@dataclass
class Measurement:
    """One window: seconds, joules (None when no meter), mean and peak watts, and the meter used."""

    name: str
    seconds: float
    energy_j: float | None
    mean_w: float | None
    peak_w: float | None
    meter: str
    reason: str | None = None
    samples: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


# --- pure arithmetic ---------------------------------------------------------------------------------

def trapezoid_j(samples: list[tuple[float, float]], t0: float, t1: float) -> float:
    """Energy in J from (time s, power W) samples over [t0, t1]; power is held flat beyond the ends."""
    pts = [(t, w) for t, w in samples if t0 <= t <= t1]
    if not pts:
        before = [w for t, w in samples if t <= t0]
        return (before[-1] if before else 0.0) * (t1 - t0)
    energy = 0.0
    # Edges: extend the nearest sample to the window boundary.
    energy += pts[0][1] * (pts[0][0] - t0)
    for (ta, wa), (tb, wb) in zip(pts, pts[1:]):
        energy += (wa + wb) / 2 * (tb - ta)
    energy += pts[-1][1] * (t1 - pts[-1][0])
    return energy


def counter_delta(prev: int, cur: int, max_range: int) -> int:
    """Counter difference that survives one wrap-around at ``max_range`` (RAPL)."""
    return cur - prev if cur >= prev else cur + (max_range - prev)


def net_energy_j(gross_j: float, idle_w: float, seconds: float) -> float:
    """Energy above idle: what the work itself added."""
    return gross_j - idle_w * seconds


# --- meters ---------------------------------------------------------------------------------------------

def torch_gpu_uuid(device: str, torch_module=None) -> str | None:
    """NVML's spelling (``GPU-xxxxxxxx-...``) of the UUID of torch device ``device``, or None.

    None when torch has no CUDA here (tests with a fake NVML, CPU-only builds) or the property is
    missing; callers then fall back to NVML's own index, which is only right without
    ``CUDA_VISIBLE_DEVICES`` and with NVML's PCI order equal to CUDA's.
    """
    try:
        if torch_module is None:
            import torch as torch_module
        if not torch_module.cuda.is_available():
            return None
        uuid = str(torch_module.cuda.get_device_properties(device).uuid)
    except Exception:  # noqa: BLE001 - no torch, no CUDA, old torch without .uuid
        return None
    return uuid if uuid.startswith(("GPU-", "MIG-")) else "GPU-" + uuid


def nvml_handle_for(nvml, device: str, uuid: str | None) -> tuple[object, int | None, str]:
    """The NVML handle of torch device ``device`` (``cuda`` / ``cuda:N``) and NVML's index of it.

    NVML numbers GPUs in PCI order and ignores ``CUDA_VISIBLE_DEVICES``; torch numbers the visible
    GPUs (fastest first by default). The only safe link is the UUID, so ``uuid`` (from
    `torch_gpu_uuid`) is looked up with ``nvmlDeviceGetHandleByUUID``; without one, the torch index
    is used as NVML's index and the third value says so. NVML errors propagate (the caller turns them
    into `MeterUnavailable`).
    """
    if uuid:
        handle = nvml.nvmlDeviceGetHandleByUUID(uuid)
        how = f"matched by UUID {uuid}"
    else:
        index = int(device.split(":")[1]) if ":" in device else 0
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        how = f"NVML index {index} assumed equal to torch's (no CUDA UUID available)"
    try:
        nvml_index = int(nvml.nvmlDeviceGetIndex(handle))
    except Exception:  # noqa: BLE001 - informational only
        nvml_index = None
    return handle, nvml_index, how


class NvmlDevice:
    """Owns NVML initialisation and the handle of one GPU; every NVML call goes through here."""

    def __init__(self, device: str = "cuda", nvml=None, uuid: str | None = None):
        if nvml is None:
            try:
                import pynvml as nvml  # nvidia-ml-py
            except ImportError as exc:
                raise MeterUnavailable("pynvml (nvidia-ml-py) is not installed") from exc
        self.nvml = nvml
        try:
            nvml.nvmlInit()
        except Exception as exc:  # noqa: BLE001 - NVMLError_LibraryNotFound / DriverNotLoaded etc.
            raise MeterUnavailable(f"NVML could not start ({type(exc).__name__}: {exc}); no NVIDIA driver?") from exc
        try:
            self.handle, self.nvml_index, self.matched = nvml_handle_for(nvml, device, uuid)
        except Exception as exc:  # noqa: BLE001 - NVMLError_NotFound / InvalidArgument / GpuIsLost ...
            self.shutdown()
            what = f"UUID {uuid}" if uuid else device
            raise MeterUnavailable(f"NVML has no handle for {what} ({type(exc).__name__}: {exc})") from exc
        self.uuid = uuid

    def total_energy_j(self) -> float:
        return self.nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle) / 1000.0

    def power_w(self) -> float:
        return self.nvml.nvmlDeviceGetPowerUsage(self.handle) / 1000.0

    def info(self) -> dict:
        """Name, driver, power limit, clocks, memory, temperature; a field NVML refuses stays None."""
        n, h = self.nvml, self.handle

        def get(fn: Callable, *args, scale=1.0):
            try:
                v = fn(*args)
            except Exception:  # noqa: BLE001 - NVMLError_NotSupported and friends
                return None
            if isinstance(v, bytes):
                v = v.decode()
            return v * scale if isinstance(v, (int, float)) and scale != 1.0 else v

        mem = get(n.nvmlDeviceGetMemoryInfo, h)
        return {
            "name": get(n.nvmlDeviceGetName, h),
            "uuid": get(n.nvmlDeviceGetUUID, h),
            "nvml_index": self.nvml_index,
            "nvml_handle": self.matched,
            "driver": get(n.nvmlSystemGetDriverVersion),
            "power_limit_w": get(n.nvmlDeviceGetEnforcedPowerLimit, h, scale=1e-3),
            "sm_clock_mhz": get(n.nvmlDeviceGetClockInfo, h, getattr(n, "NVML_CLOCK_SM", 1)),
            "max_sm_clock_mhz": get(n.nvmlDeviceGetMaxClockInfo, h, getattr(n, "NVML_CLOCK_SM", 1)),
            "mem_clock_mhz": get(n.nvmlDeviceGetClockInfo, h, getattr(n, "NVML_CLOCK_MEM", 2)),
            "memory_total_bytes": getattr(mem, "total", None),
            "memory_used_bytes": getattr(mem, "used", None),
            "temperature_c": get(n.nvmlDeviceGetTemperature, h, getattr(n, "NVML_TEMPERATURE_GPU", 0)),
        }

    def shutdown(self) -> None:
        try:
            self.nvml.nvmlShutdown()
        except Exception:  # noqa: BLE001
            pass


class RaplCounter:
    """Sum of the package-level RAPL domains under a powercap root, as a wrap-corrected running total."""

    def __init__(self, root: str | os.PathLike = "/sys/class/powercap"):
        root = Path(root)
        if not root.is_dir():
            raise MeterUnavailable(f"no powercap interface ({root} does not exist)")
        # Top-level zones are ``intel-rapl:N``; only ``package-N`` ones are summed. A ``psys`` (platform)
        # zone already contains the packages, so adding it would count them twice.
        domains = []
        for p in sorted(root.glob("intel-rapl:*")):
            if p.name.count(":") != 1:
                continue  # sub-zones (core, uncore, dram) are inside their package
            try:
                zone = (p / "name").read_text().strip()
            except OSError:
                zone = ""
            if zone.startswith("package-"):
                domains.append(p)
        if not domains:
            raise MeterUnavailable(f"no RAPL package domains (name package-N) under {root}")
        self.domains = []
        for d in domains:
            try:
                cur = int((d / "energy_uj").read_text())
                max_range = int((d / "max_energy_range_uj").read_text())
            except PermissionError as exc:
                raise MeterUnavailable(
                    f"{d / 'energy_uj'} is not readable by this user (root-only since Linux 5.10); "
                    "run as root or grant read access"
                ) from exc
            except (OSError, ValueError) as exc:
                raise MeterUnavailable(f"{d}: unreadable RAPL counter ({exc})") from exc
            self.domains.append([d, cur, max_range])
        self.total_uj = 0
        self._lock = threading.Lock()

    def read_j(self) -> float:
        with self._lock:
            for dom in self.domains:
                cur = int((dom[0] / "energy_uj").read_text())
                self.total_uj += counter_delta(dom[1], cur, dom[2])
                dom[1] = cur
            return self.total_uj / 1e6


# --- the monitor ----------------------------------------------------------------------------------------

@dataclass
class _Window:
    t0: float
    e0: float | None


@dataclass
class EnergyMonitor:
    """Named energy windows over one meter.

    Args:
        meter: ``nvml-counter``, ``nvml-sampling``, ``rapl`` or ``none``.
        counter_j: cumulative-joules reader (counter meters) or None.
        power_w: instantaneous-watts reader (NVML) or None; sampled in the background for peak and,
            without a counter, for energy.
        reason: why there is no energy meter (meter ``none``) or what limits it.
        period_s: sampling period of the background poller.
        clock: monotonic seconds; injectable for tests.
    """

    meter: str
    counter_j: Callable[[], float] | None = None
    power_w: Callable[[], float] | None = None
    reason: str | None = None
    period_s: float = 0.1
    clock: Callable[[], float] = time.monotonic
    device: NvmlDevice | None = None
    samples: list = field(default_factory=list)  # (t, watts)
    counter_samples: list = field(default_factory=list)  # (t, joules)
    _windows: dict = field(default_factory=dict)
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def poll(self) -> None:
        """Take one sample of whatever this meter can read (the background thread calls this)."""
        t = self.clock()
        if self.power_w is not None:
            self.samples.append((t, self.power_w()))
        elif self.counter_j is not None:
            self.counter_samples.append((t, self.counter_j()))

    def start(self) -> "EnergyMonitor":
        if self.meter != "none" and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="artcost-energy", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - a failed read loses one sample, not the run
                pass
            self._stop.wait(self.period_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self.device is not None:
            self.device.shutdown()

    def begin_window(self, name: str) -> None:
        if name in self._windows:
            raise ValueError(f"window {name!r} already open")
        self.poll_safe()
        self._windows[name] = _Window(self.clock(), self.counter_j() if self.counter_j else None)

    def poll_safe(self) -> None:
        try:
            if self.meter != "none":
                self.poll()
        except Exception:  # noqa: BLE001
            pass

    def discard_window(self, name: str) -> None:
        """Forget window ``name`` if it is open (a preset that failed inside it): nothing is measured."""
        self._windows.pop(name, None)

    def end_window(self, name: str) -> Measurement:
        w = self._windows.pop(name)
        self.poll_safe()
        t1 = self.clock()
        seconds = t1 - w.t0
        if self.meter == "none":
            return Measurement(name, seconds, None, None, None, "none", self.reason)
        inside = [(t, p) for t, p in self.samples if w.t0 <= t <= t1]
        peak = max((p for _, p in inside), default=None)
        if self.counter_j is not None:
            energy = self.counter_j() - w.e0
            if peak is None:
                # Peak from consecutive counter readings (RAPL has no instantaneous power).
                cs = [(t, j) for t, j in self.counter_samples if w.t0 <= t <= t1]
                rates = [(jb - ja) / (tb - ta) for (ta, ja), (tb, jb) in zip(cs, cs[1:]) if tb > ta]
                peak = max(rates, default=None)
        else:
            energy = trapezoid_j(self.samples, w.t0, t1)
        mean = energy / seconds if seconds > 0 else None
        if peak is not None and mean is not None:
            peak = max(peak, mean)
        return Measurement(name, seconds, energy, mean, peak, self.meter, self.reason, len(inside))


def make_monitor(device: str, nvml=None, powercap_root: str | os.PathLike = "/sys/class/powercap",
                 period_s: float = 0.1, clock: Callable[[], float] = time.monotonic,
                 uuid: str | None = None) -> EnergyMonitor:
    """The best meter available for ``device``, in the documented order; never raises.

    ``uuid``: the GPU's UUID as NVML spells it; default `torch_gpu_uuid(device)`, so the NVML handle is
    the GPU torch runs on even with ``CUDA_VISIBLE_DEVICES`` or a PCI order that differs from CUDA's.
    """
    reasons = []
    if device.startswith("cuda"):
        try:
            dev = NvmlDevice(device, nvml, uuid if uuid is not None else torch_gpu_uuid(device))
        except MeterUnavailable as exc:
            reasons.append(str(exc))
        else:
            power = dev.power_w
            try:
                power()
            except Exception as exc:  # noqa: BLE001
                power = None
                reasons.append(f"nvmlDeviceGetPowerUsage unavailable ({exc})")
            try:
                dev.total_energy_j()
                return EnergyMonitor("nvml-counter", dev.total_energy_j, power, None, period_s, clock, dev)
            except Exception as exc:  # noqa: BLE001 - pre-Volta GPUs, or a function missing from the module
                reasons.append(f"nvmlDeviceGetTotalEnergyConsumption unavailable ({type(exc).__name__}: {exc})")
            if power is not None:
                return EnergyMonitor("nvml-sampling", None, power, "; ".join(reasons), period_s, clock, dev)
            dev.shutdown()
        return EnergyMonitor("none", reason="; ".join(reasons) or "no GPU energy meter")
    try:
        rapl = RaplCounter(powercap_root)
        return EnergyMonitor("rapl", rapl.read_j, None, "RAPL covers the CPU package(s), not the whole machine",
                             period_s, clock)
    except MeterUnavailable as exc:
        reasons.append(f"RAPL: {exc}")
    return EnergyMonitor("none", reason="; ".join(reasons))
