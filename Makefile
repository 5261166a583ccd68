# artcost: two commands for a fresh machine.
#   make run   - create .venv, install what it uses (the core and the bench extra: torch, diffusers; not Ray),
#                benchmark this machine, compare costs, start the dashboard
#   make test  - install what the tests need (every extra: bench, dev, cluster) and run the suite
# Everything else here is a helper of those two.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned: on a machine without a GPU this version resolves to a CPU build where one is
# available locally (as on our CI machines), while an unpinned torch pulls a ~5 GB CUDA build.
# Override for another build, e.g.  make run TORCH_SPEC="torch==2.5.1"
TORCH_SPEC ?= torch==2.13.0
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
PORT   ?= 8501

# Short real benchmark for `make run`: SD1.5 architecture with synthetic weights.
# On a CUDA machine the benchmark's own defaults apply (SD1.5 at 512 px); on a CPU a 256 px run of a few steps.
# Stock always runs; the record's figure is the fastest preset that beat it in every run (said beside stock's):
# bf16 where the CPU has native bf16 (AMX/AVX512-BF16; skipped with its reason elsewhere), glibc malloc tuned
# (alloc), on a GPU fp16 and bf16 (Ampere or later). compile (inductor freezing) also wins on an AMX CPU but
# costs minutes of compilation first: add it with  make run BENCH_PRESETS=stock,bf16+alloc,bf16+compile+alloc
BENCH_PRESETS      ?= stock,bf16,alloc,bf16+alloc
BENCH_CUDA_PRESETS ?= stock,fp16,bf16
BENCH_CPU_ARGS  ?= --arch sd15 --resolution 256 --steps 3 --presets $(BENCH_PRESETS) --primary-preset fastest --min-runs 2 --min-seconds 0 --idle-seconds 1 --gemm-seconds 2 --device cpu
BENCH_CUDA_ARGS ?= --arch sd15 --resolution 512 --presets $(BENCH_CUDA_PRESETS) --primary-preset fastest --device cuda
SCENARIO ?= scenarios/seed-2022-hobbyist-3060ti.yaml

.PHONY: run test install install-core install-bench install-dev install-cluster bench cost dashboard perf clean browser-deps gpu-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per set of extras, redone when pyproject.toml changes.
$(VENV)/.stamp-core: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

# `make run` needs the core and the bench extra only; the test tools (dev) and Ray (cluster) are
# for `make test` and `artcost bench --workers` (make install-cluster).
$(VENV)/.stamp-bench: pyproject.toml | $(BIN)/python
	$(PIP) "$(TORCH_SPEC)"
	$(PIP) -e ".[bench]"
	touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-bench
	$(PIP) -e ".[bench,dev]"
	touch $@

$(VENV)/.stamp-cluster: pyproject.toml $(VENV)/.stamp-dev
	$(PIP) -e ".[bench,dev,cluster]"
	touch $@

install-core: $(VENV)/.stamp-core
install-bench: $(VENV)/.stamp-bench
install-dev: $(VENV)/.stamp-dev
install-cluster: $(VENV)/.stamp-cluster
install: install-cluster

run: install-bench
	@echo "== 1/4 benchmark this machine: stock and the faster presets it supports, each built, warmed up and timed twice (minutes on a 2-core CPU; a line after each timed run; 'artcost bench --help' for a full run)"
	@start=$$(date +%s); if $(BIN)/python -c "import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then \
		$(BIN)/artcost bench $(BENCH_CUDA_ARGS); else $(BIN)/artcost bench $(BENCH_CPU_ARGS); fi; \
		rc=$$?; echo "(the benchmark took $$(( $$(date +%s) - start )) s on this machine)"; exit $$rc
	@echo "== 2/4 what the speed measured here means for the seed scenario (scaled by FLOPs to its 512 px / 20 steps; costed only on the machine that measured it)"
	$(BIN)/artcost cost $(SCENARIO) --from-bench latest --scale-by-flops --brief
	@echo "== 3/4 the seed scenario as the seed's author stated it (RTX 3060 Ti, 2.75 s per image)"
	$(BIN)/artcost cost $(SCENARIO)
	@echo "== 4/4 dashboard on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/artcost dashboard --port $(PORT)

# Browser tests need Debian's chromium; the PDF tests poppler-utils (pdftoppm, pdffonts); the seed's Chinese
# words need a CJK font to print (without one the PDF showed boxes). Installed when we can (root with apt),
# skipped otherwise. BROWSER_PKGS lists what the report's print path needs.
BROWSER_PKGS := chromium poppler-utils fonts-wqy-zenhei
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS) >/dev/null) \
			|| echo "could not install $(BROWSER_PKGS): browser tests will be skipped"; \
		else echo "install Debian's $(BROWSER_PKGS) for the browser and PDF tests: they will be skipped"; fi; fi

test: install browser-deps
	$(BIN)/python -m pytest -q

bench: install-bench
	$(BIN)/artcost bench

cost: install-core
	$(BIN)/artcost cost $(SCENARIO)

dashboard: install-core
	$(BIN)/artcost dashboard --port $(PORT)

perf: install-dev
	$(BIN)/python -m pytest tests/perf --benchmark-only -p no:cacheprovider -o python_files='bench_*.py' -q

clean:
	rm -rf $(VENV) build *.egg-info test-output .pytest_cache .benchmarks

# On a CUDA machine: the GPU-only tests, a short real benchmark (SD1.5 512 px, SDXL 1024 px, FLUX.1-schnell
# 1024 px, synthetic weights), NVML counter vs sampled power and CUDA events vs host clock (within 5%),
# one JSON under bench/results/ (bench/gpu_check.py; under 8 min on an H100). Without CUDA: says so, exit 0.
gpu-check: install-dev
	$(BIN)/python -m artcost.bench.gpu_check
