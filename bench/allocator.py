"""glibc malloc's thresholds for a process that allocates and frees hundreds of MB per UNet call.

By default glibc serves a block above its dynamic mmap threshold (128 KiB, raised up to 32 MiB as large blocks
are freed) with a fresh mmap, and gives the top of the heap back above 128 KiB: every UNet call maps, faults in
and unmaps its activations again (issue #29 counted ~470,000 minor page faults per SD 1.5 call at 256 px).
`tune` sets what ``MALLOC_MMAP_THRESHOLD_=32M MALLOC_TRIM_THRESHOLD_=1G MALLOC_TOP_PAD_=256M`` would set at start
(the environment variables and ``mallopt`` reach the same glibc setters), so freed activations stay in the
heap and are reused. A setting is process-wide and cannot be undone (a fixed threshold ends glibc's dynamic
one): the runner orders presets with ``alloc`` after every preset without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

# mallopt parameter numbers (glibc malloc.h)
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
MiB = 1024 * 1024
SETTINGS = {"MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, 32 * MiB),
            "MALLOC_TRIM_THRESHOLD_": (M_TRIM_THRESHOLD, 1024 * MiB),
            "MALLOC_TOP_PAD_": (M_TOP_PAD, 256 * MiB)}
"""The environment variable each setting is, with its mallopt parameter and value in bytes."""

_applied: dict | None = None


class AllocatorUnsupported(Exception):
    """Not glibc (musl, macOS, Windows) or mallopt refused a setting: the reason."""


def malloc_environment() -> dict:
    """What of the allocator the process started with: MALLOC_* and LD_PRELOAD variables (a jemalloc or
    tcmalloc preloaded), for the record's environment."""
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith("MALLOC_") or k == "LD_PRELOAD"}


def glibc_version() -> str | None:
    libc, version = platform.libc_ver()
    return version if libc == "glibc" and version else None


def tune() -> dict:
    """Apply `SETTINGS` to this process (once; later calls return the same) and return what was set:
    ``{"how": ..., "settings": {env var: bytes}, "glibc": version}``. AllocatorUnsupported off glibc."""
    global _applied
    if _applied is not None:
        return _applied
    version = glibc_version()
    if version is None:
        raise AllocatorUnsupported("the alloc preset tunes glibc malloc; this system's C library is not glibc")
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    for env, (param, value) in SETTINGS.items():
        if libc.mallopt(ctypes.c_int(param), ctypes.c_int(value)) != 1:
            raise AllocatorUnsupported(f"glibc {version} refused mallopt for {env}={value}")
    _applied = {"how": "mallopt in this process, the same glibc settings as the environment variables",
                "settings": {env: value for env, (_p, value) in SETTINGS.items()}, "glibc": version}
    return _applied


def applied() -> dict | None:
    """What `tune` set in this process, or None."""
    return _applied
