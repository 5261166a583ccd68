"""Measure: real diffusion pipelines timed on this device, their energy and FLOPs, stored as records."""

from artcost.bench.thirdparty import quiet_known_noise

# Before any module of the package imports diffusers (and through it transformers).
quiet_known_noise()
