"""A scenario with measured figures folded in: overrides (the CLI's `--set`, the dashboard's edits), a
stored benchmark's speed and power, a stored cluster job's GPUs and scaling efficiency.  One function,
used by the CLI and the dashboard alike, so a scenario that names `generation.from_bench` gives the
same answer everywhere.  It joins the price layer (the model) with the measure layer's stored results
(`artcost.bench.store`, `.apply`, `.record`, `.cluster_apply`: none of them imports torch).  The
scenario file is read and parsed once; the measured figures are validated with it as overrides.

Two rules keep every figure honest about where it comes from:

* **Money typed by a user names its currency or is said to be in the scenario's.**  An override
  typed as `45USD` (or `45 USD`) is converted into the scenario's currency at the table of its
  `meta.as_of` year and labelled so; a plain `45` typed by hand is labelled "read as CNY".
* **A measured speed is priced only on the machine that measured it.**  When a bench record's
  device is not the scenario's (`generation.device`: the GPU whose price and power `compute`
  holds), joining the record's seconds per image with that GPU's price and power would describe
  neither machine.  `load_measured` then returns a `MeasuredSpeed`: what was measured, at the
  scenario's settings, how many times slower or faster than the scenario's GPU, and what to give
  (`--set compute.owned.purchase_price=...`) to cost the job on the measured machine.  Given this
  machine's own price and power, the job is priced on it alone (`MeasuredSpeed.loaded`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from artcost.errors import ArgumentError, UserError
from artcost.model.loader import OVERRIDE_LABEL, LoadedScenario, read_raw, validate_scenario
# Leaves of a figure written as a mapping that are amounts (lognormal mu/sigma are logs: never scaled).
_AMOUNT_KEYS = {"value", "low", "mode", "high", "median", "p90", "mean", "sd"}


# --------------------------------------------------------------------------- money typed by a user


def is_money_path(path: str) -> bool:
    """Whether a dotted override path is money (the schema's money fields, `model.comparison.is_money`),
    also when it names one part of the figure ('human.wage_per_hour.low')."""
    from artcost.model.comparison import is_money

    parts = path.split(".")
    if len(parts) > 1 and parts[-1] in _AMOUNT_KEYS:
        parts = parts[:-1]
    return is_money(".".join(parts))


def _scenario_money_context(raw: dict[str, Any], overrides: Mapping[str, Any]) -> tuple[str, Any]:
    """The currency and as-of date the scenario's money is in, with any override of them applied."""
    meta = raw.get("meta") if isinstance(raw.get("meta"), dict) else {}
    currency = overrides.get("meta.currency", meta.get("currency"))
    as_of = overrides.get("meta.as_of", meta.get("as_of"))
    return (str(currency) if currency else ""), as_of


def read_money(raw: dict[str, Any], overrides: Mapping[str, Any], label: str = OVERRIDE_LABEL,
               typed: Mapping[str, str] | None = None) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Overrides with money read unambiguously: (values, source labels by path, notes).

    `raw` is the scenario as read (`loader.read_raw`); `typed` says how a user typed each override
    (e.g. "--set human.wage_per_hour=45"), for the messages.  A money value given with a currency
    ('45USD', '45 USD') is converted into the scenario's currency at its as-of year's rates; a plain
    number typed by a user is read in the scenario's currency and labelled so (a number given as a
    value, not typed, is taken as it is).  A currency on a field that is not money is a UserError."""
    from artcost.model.currency import currency_suffix, known_currencies, parse_money

    typed = typed or {}
    if not any((is_money_path(p) and p in typed) or currency_suffix(v) for p, v in overrides.items()):
        return dict(overrides), {}, []
    ccy, as_of = _scenario_money_context(raw, overrides)
    out, labels, notes = dict(overrides), {}, []
    for path, value in overrides.items():
        shown = typed.get(path, f"{path}={value}")
        if not is_money_path(path):
            if currency_suffix(value):
                raise UserError(f"{shown}: {path} is not money; give a plain number (no currency)")
            continue
        if ccy not in known_currencies() or (path not in typed and not currency_suffix(value)):
            continue  # the schema reports an unknown currency; a value not typed is in the scenario's currency
        money = parse_money(value, ccy, as_of, shown)
        if money is None:
            continue  # not a number: the schema says what is wrong with it
        out[path] = money.amount
        labels[path] = f"{label} ({money.label})"
        if money.given_in is None:
            notes.append(f"{shown}: no currency given, read as {money.amount:,.6g} {ccy} (the scenario's currency); "
                         f"write e.g. {money.typed}USD to give it in another currency")
    return out, labels, notes


# --------------------------------------------------------------------------- measured on which machine

_GENERIC_TOKENS = {"nvidia", "geforce", "gpu", "sxm", "sxm4", "sxm5", "pcie", "nvl", "the"}


def device_key(name: str | None) -> frozenset[str]:
    """A device name reduced to what identifies the chip: 'NVIDIA GeForce RTX 3060 Ti' -> {rtx, 3060, ti};
    'NVIDIA H100 80GB HBM3' and 'NVIDIA H100 SXM (rented)' -> {h100}; parentheses, vendor, form factor
    and memory size dropped."""
    text = re.sub(r"\([^)]*\)", " ", (name or "").lower())
    tokens = re.findall(r"[a-z0-9]+", text)
    return frozenset(t for t in tokens
                     if t not in _GENERIC_TOKENS and not re.fullmatch(r"\d+gb|hbm\d*e?|gddr\d+x?", t))


def same_device(measured: str | None, scenario_device: str | None) -> bool | None:
    """Whether a record's device is the scenario's; None when the scenario names no device."""
    if not scenario_device or not device_key(scenario_device):
        return None
    return device_key(measured) == device_key(scenario_device)


@dataclass
class MeasuredSpeed:
    """What a benchmark measured on a machine that is not the scenario's, and what it means there.

    seconds_per_image is this machine's at the scenario's settings (scaled by counted FLOPs from the
    record's own when they differ: `flop_scale`); times_scenario = seconds_per_image /
    scenario_seconds_per_image (> 1: slower than the scenario's GPU).  `loaded` is the scenario priced
    on this machine alone when its own price and power are known, else None and `missing` names the
    fields to give."""

    scenario_name: str
    scenario_file: str
    as_of: str
    currency: str
    compute: str
    record_id: int | None
    record_device: str
    record_date: str
    weights: str
    measured_seconds_per_image: float
    measured_at: str
    seconds_per_image: float
    flop_scale: float | None
    scenario_settings: str
    scenario_device: str | None
    scenario_seconds_per_image: float
    candidates_per_job: float
    power_w: float | None
    power_meter: str | None
    power_note: str
    provenance: str
    missing: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)
    not_priced_because: str | None = None
    notes: list[str] = field(default_factory=list)
    loaded: LoadedScenario | None = None

    @property
    def times_scenario(self) -> float:
        return self.seconds_per_image / self.scenario_seconds_per_image

    @property
    def job_seconds(self) -> float:
        return self.candidates_per_job * self.seconds_per_image

    @property
    def scenario_job_seconds(self) -> float:
        return self.candidates_per_job * self.scenario_seconds_per_image

    @property
    def priced(self) -> bool:
        return self.loaded is not None

    def comparison_phrase(self) -> str:
        """'204x slower than the scenario's NVIDIA GeForce RTX 3060 Ti (2.75 s per image)'."""
        from artcost.units import figure

        t = self.times_scenario
        gpu = self.scenario_device or "the scenario's GPU"
        against = f"the scenario's {gpu} ({_seconds(self.scenario_seconds_per_image)} per image)"
        if figure(t) == "1.0":
            return f"about as fast as {against}"
        return f"{figure(t)}x slower than {against}" if t > 1 else f"{figure(1 / t)}x faster than {against}"

    def sentence(self) -> str:
        """The one line to remember: what this machine does at the scenario's settings, and how it compares."""
        return (f"Measured on {self.record_device}: {_seconds(self.seconds_per_image)} per image at the scenario's "
                f"{self.scenario_settings}, {self.comparison_phrase()}.")

    def lines(self, give: Callable[[str], str] = str) -> list[str]:
        """The report, line by line (the CLI prints these; the dashboard may too). `give` writes how a
        reader gives one missing figure (a dotted field path) in their front end: the CLI says `--set PATH=N`."""
        from artcost.units import duration

        rec = f"bench record {self.record_id}, {self.record_date}, {self.weights}"
        out = [
            self.sentence(),
            f"  measured: {_seconds(self.measured_seconds_per_image)} per image at {self.measured_at} ({rec})",
        ]
        if self.flop_scale is not None:
            out.append(f"  at the scenario's {self.scenario_settings}: {_seconds(self.seconds_per_image)} per image, "
                       f"scaled by counted FLOPs (x{self.flop_scale:.2f})")
        out.append(f"  the scenario's job ({self.candidates_per_job:,.0f} candidates): {duration(self.job_seconds / 3600)} "
                   f"of this machine's time, against {duration(self.scenario_job_seconds / 3600)} on "
                   f"{self.scenario_device or 'the scenario GPU'}")
        out.append(f"  power: {self.power_note}")
        if self.priced:
            out.append("  priced on this machine alone, with its own price and power (below)")
        else:
            out.append(f"  no cost given: {self.not_priced_because}")
            if self.missing:
                out.append("  to cost the job on this machine, give its own figures:")
                out.extend(f"    {give(m)}   {self.hints.get(m, '')}".rstrip() for m in self.missing)
        out.extend(f"  note: {n}" for n in self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json: the same as the lines, as numbers."""
        return {
            "kind": "measured_speed",
            "sentence": self.sentence(),
            "scenario": {"name": self.scenario_name, "file": self.scenario_file, "as_of": self.as_of,
                         "compute": self.compute, "device": self.scenario_device,
                         "settings": self.scenario_settings, "seconds_per_image": self.scenario_seconds_per_image},
            "record": {"id": self.record_id, "device": self.record_device, "date": self.record_date,
                       "weights": self.weights, "settings": self.measured_at,
                       "seconds_per_image": self.measured_seconds_per_image},
            "this_machine": {
                "seconds_per_image": self.seconds_per_image, "flop_scale": self.flop_scale,
                "times_scenario_seconds_per_image": self.times_scenario,
                "job_seconds": self.job_seconds, "power_w": self.power_w, "power_meter": self.power_meter,
            },
            "scenario_job_seconds": self.scenario_job_seconds,
            "candidates_per_job": self.candidates_per_job,
            "currency": self.currency,
            "priced": self.priced,
            "not_priced_because": self.not_priced_because,
            "missing": [{"field": m, "hint": self.hints.get(m, "")} for m in self.missing],
            "provenance": self.provenance,
            "notes": self.notes,
            "lines": self.lines(),
        }

    def refusal(self, give: Callable[[str], str] = str, show: str | None = None) -> str:
        """One line for the commands that need a priced scenario (simulate, compare, the dashboard).
        `give` writes a missing figure as the front end takes it; `show`, how to see what was measured."""
        wanted = f"; to price it on that machine give {' and '.join(give(m) for m in self.missing)}" if self.missing else ""
        shown = f". {show} shows what it measured" if show else ""
        return (f"{self.scenario_file}: bench record {self.record_id} was measured on {self.record_device}, not on the "
                f"scenario's {self.scenario_device}: its speed is not priced with another machine's price and power"
                f"{shown}{wanted}")


class UnpricedMeasurement(UserError):
    """A command needs a priced scenario, and its bench record comes from another machine whose own price
    and power are not known. Carries the `MeasuredSpeed`, so a front end can say how to give them."""

    def __init__(self, speed: MeasuredSpeed):
        self.speed = speed
        super().__init__(speed.refusal())


def _seconds(s: float) -> str:
    """Three significant figures: 2.75 s, 32.4 s, 563 s, 1,234 s."""
    return f"{s:.3g} s" if s < 1000 else f"{s:,.0f} s"


def _settings(arch: Any, res: Any, steps: Any) -> str:
    return f"{arch or '?'} {res or '?'}px, {steps or '?'} steps"


# Figures that belong to the hardware (not to its owner): priced on the measured machine they must be
# that machine's; those not given take their schema default (0) and say so.
_OWNED_MACHINE_OPTIONAL = ("resale_value", "system_power_w")


def measured_speed(loaded: LoadedScenario, rec: Any, values: dict[str, Any], provenance: str,
                   user: dict[str, Any]) -> MeasuredSpeed:
    """The report for bench record `rec` on `loaded`'s scenario: `values`/`provenance` from `bench_overrides`,
    `user` the user's overrides (which of this machine's own figures are already given)."""
    sc = loaded.scenario
    gen = sc.generation
    spi = float(values["generation.seconds_per_image"])
    measured = float(rec.summary.seconds_per_image)
    scaled = abs(spi / measured - 1) > 1e-12 if measured else False
    mean_w = rec.summary.mean_w
    meter = rec.energy_meter.get("meter")
    if mean_w is not None:
        power_note = f"{mean_w:.0f} W measured ({meter})"
    else:
        power_note = f"not measured ({rec.energy_meter.get('reason') or rec.summary.energy_reason or 'no meter'})"
    if mean_w is None and isinstance(user.get("compute.owned.board_power_w"), (int, float)):
        power_note = f"{user['compute.owned.board_power_w']:g} W given as an override; {power_note}"
    ccy = sc.meta.currency
    kind = sc.compute.kind
    missing: list[str] = []
    hints = {
        "compute.owned.purchase_price": f"this machine's price, in {ccy} (or with its currency, e.g. 700USD)",
        "compute.owned.board_power_w": "its power under load, in W (not measured here)",
        "compute.cloud.price_per_gpu_hour": f"the hourly price of renting this machine, in {ccy} (or e.g. 1.2USD)",
    }
    why: str | None = None
    if kind == "owned":
        if "compute.owned.purchase_price" not in user:
            missing.append("compute.owned.purchase_price")
        if mean_w is None and "compute.owned.board_power_w" not in user:
            missing.append("compute.owned.board_power_w")
        if missing:
            why = (f"the scenario's hardware and electricity are those of its {gen.device}; this machine's own "
                   "price and power are not known")
    elif kind == "cloud":
        if "compute.cloud.price_per_gpu_hour" not in user:
            missing.append("compute.cloud.price_per_gpu_hour")
            why = f"the scenario rents a {gen.device}; the price of renting this machine is not known"
    else:
        why = ("the scenario pays a subscription for hosted generation, whose price does not depend on this "
               "machine's speed")
    return MeasuredSpeed(
        scenario_name=sc.meta.name, scenario_file=loaded.path, as_of=str(sc.meta.as_of), currency=ccy, compute=kind,
        record_id=rec.id, record_device=rec.device_name, record_date=rec.created_at[:10], weights=rec.weights_label,
        measured_seconds_per_image=measured, measured_at=_settings(rec.arch, rec.resolution, rec.steps),
        seconds_per_image=spi, flop_scale=(spi / measured if scaled else None),
        scenario_settings=_settings(gen.arch or rec.arch, gen.resolution_px or rec.resolution, gen.steps or rec.steps),
        scenario_device=gen.device, scenario_seconds_per_image=gen.seconds_per_image.central,
        candidates_per_job=gen.candidates_per_job.central, power_w=mean_w, power_meter=meter, power_note=power_note,
        provenance=provenance, missing=missing, hints={m: hints[m] for m in missing}, not_priced_because=why,
    )


# --------------------------------------------------------------------------- entry points


@dataclass
class BenchJoin:
    """A bench record read against a scenario: the figures it gives (dotted path -> value), where they
    come from, whether its device is the scenario's (None: the scenario names no device), the record's
    own measurement errors as warnings, and the `MeasuredSpeed` when it was measured on another machine."""

    values: dict[str, Any]
    provenance: str
    match: bool | None
    warnings: list[str]
    speed: MeasuredSpeed | None = None


def join_bench(ref: str, loaded: LoadedScenario, scale_by_flops: bool, overrides: Mapping[str, Any]) -> BenchJoin:
    """Step 1: the stored record `ref`'s speed and power at the scenario's settings."""
    from artcost.bench.apply import bench_overrides
    from artcost.bench.record import measurement_errors
    from artcost.bench.store import ResultStore

    rec = ResultStore().resolve(ref)
    values, provenance = bench_overrides(ref, loaded.scenario, scale_by_flops, record=rec)
    # e.g. a utilisation above 100% of its own GEMM probe: FLOPs or timings of that run are wrong
    warnings = [f"bench record {rec.id} carries a measurement error, so its timings are suspect: {e}"
                for e in measurement_errors(rec)]
    match = same_device(rec.device_name, loaded.scenario.generation.device)
    speed = measured_speed(loaded, rec, values, provenance, overrides) if match is False else None
    return BenchJoin(values, provenance, match, warnings, speed)


def price_on_the_measuring_machine(speed: MeasuredSpeed, loaded: LoadedScenario, values: dict[str, Any],
                                   overrides: Mapping[str, Any]) -> None:
    """Step 2 (another machine, whose own price and power were given): the optional figures of that
    machine nobody gave are 0 rather than the scenario GPU's; say which figures stay the scenario's."""
    for leaf in _OWNED_MACHINE_OPTIONAL:
        path = f"compute.owned.{leaf}"
        if speed.compute == "owned" and path not in overrides:
            values[path] = 0.0
            speed.notes.append(f"{leaf} of this machine not given: 0 (give {path} to change it)")
    kept = [p for p, q in loaded.scenario.quantities().items()
            if p.startswith(f"compute.{speed.compute}.") and p not in overrides and p not in values
            and not (q.source or "").startswith("default:")]
    if kept:
        speed.notes.append("still the scenario's, about its owner rather than the machine: "
                           + ", ".join(p.rsplit(".", 1)[-1] for p in kept))


def mixed_machines_note(loaded: LoadedScenario, reloaded: LoadedScenario, merged: Mapping[str, Any],
                        overrides: Mapping[str, Any]) -> str | None:
    """A scenario that names no device cannot tell whether its price and power are the measured
    machine's: when a measured speed meets its owned GPU's price or power, say that two machines mix."""
    sc = reloaded.scenario
    if ("generation.seconds_per_image" not in merged or "generation.seconds_per_image" in overrides
            or sc.compute.kind != "owned"):
        return None
    kept = [p for p in ("compute.owned.board_power_w", "compute.owned.purchase_price") if p not in merged]
    if not kept:
        return None
    return (f"the speed is measured on {sc.generation.device}, but {' and '.join(p.rsplit('.', 1)[-1] for p in kept)} "
            f"are still the scenario's ({loaded.scenario.generation.device or 'its stated GPU'}): hardware and "
            "electricity costs mix two machines; override compute.owned for the measured one to cost it alone")


def load_measured(
    file: Path,
    overrides: Mapping[str, Any] | None = None,
    from_bench: str | None = None,
    scale_by_flops: bool = False,
    from_cluster: str | None = None,
    *,
    label: str = OVERRIDE_LABEL,
    typed: Mapping[str, str] | None = None,
) -> LoadedScenario | MeasuredSpeed:
    """Load a scenario with `overrides` (dotted path -> value) and, if asked, measured figures from stored results.

    `from_bench` (or the file's `generation.from_bench`) takes seconds per image and power from a
    benchmark record; `from_cluster` takes GPUs and scaling efficiency from a cluster job. An override
    always wins over a measurement; each figure is labelled with where it came from (`label` for the
    overrides; `typed`: how a user typed each one, see `read_money`).  A record measured on another
    machine than the scenario's gives a `MeasuredSpeed` instead (module docstring), priced (its
    `.loaded`) only with that machine's own price and power.  The file is read and parsed once.

    Steps: read the file and its money overrides; validate; join a bench record (`join_bench`; on
    another machine, price it there only if its price and power are known); add a cluster job;
    validate once more with every measured figure as an override, labelled by its provenance.
    """
    shown = str(file)
    raw, where = read_raw(Path(file), shown)
    overrides, money_labels, money_notes = read_money(raw, dict(overrides or {}), label, typed)

    def labelled(ls: LoadedScenario) -> LoadedScenario:
        for path in overrides:
            ls.overrides[path] = money_labels.get(path, label)
        ls.notes.extend(n for n in money_notes if n not in ls.notes)
        return ls

    loaded = validate_scenario(raw, where, shown, overrides or None, label)
    measured: list[tuple[dict[str, Any], str]] = []
    ref = from_bench or loaded.scenario.generation.from_bench
    bench: BenchJoin | None = None
    if ref is not None:
        try:
            bench = join_bench(ref, loaded, scale_by_flops, overrides)
        except ArgumentError as exc:
            if from_bench is not None or exc.argument != "from_bench":
                raise  # the caller's argument: its front end names it
            # the scenario's own generation.from_bench: name the file's field, not an argument nobody typed
            raise UserError(f"{shown}: generation.from_bench {ref}: {exc.problem.replace('`scale_by_flops`', 'scale_by_flops')}") from None
    speed = bench.speed if bench else None
    if bench is not None:
        if speed is not None:
            if speed.missing or speed.not_priced_because is not None:
                labelled(loaded)
                speed.notes.extend(bench.warnings)
                return speed  # what was measured, unpriced: no headline joins two machines
            price_on_the_measuring_machine(speed, loaded, bench.values, overrides)
        measured.append((bench.values, bench.provenance))
    if from_cluster is not None:
        from artcost.bench.cluster_apply import cluster_overrides

        measured.append(cluster_overrides(from_cluster))
    if not measured:
        return labelled(loaded)

    merged: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for values, provenance in measured:
        merged.update(values)
        labels.update({path: provenance for path in values})
    merged.update(overrides)
    reloaded = validate_scenario(raw, where, shown, merged, "measured")
    reloaded.overrides.update(labels)
    if speed is not None:
        for path in _OWNED_MACHINE_OPTIONAL:
            if f"compute.owned.{path}" in labels:
                reloaded.overrides[f"compute.owned.{path}"] = f"not given for {speed.record_device}: 0"
    elif bench is None or bench.match is None:
        note = mixed_machines_note(loaded, reloaded, merged, overrides)
        if note:
            reloaded.notes.append(note)
    if bench is not None:
        reloaded.notes.extend(w for w in bench.warnings if w not in reloaded.notes)
    labelled(reloaded)
    if speed is not None:
        speed.loaded = reloaded
        return speed
    return reloaded


def load_with_options(
    file: Path,
    overrides: Mapping[str, Any] | None = None,
    from_bench: str | None = None,
    scale_by_flops: bool = False,
    from_cluster: str | None = None,
    *,
    label: str = OVERRIDE_LABEL,
    typed: Mapping[str, str] | None = None,
) -> LoadedScenario:
    """`load_measured` for the commands that need a priced scenario: a record from another machine
    without that machine's own price and power is a UserError saying what to give (never a cost that
    joins two machines)."""
    out = load_measured(file, overrides, from_bench, scale_by_flops, from_cluster, label=label, typed=typed)
    if isinstance(out, MeasuredSpeed):
        if out.loaded is None:
            raise UnpricedMeasurement(out)
        return out.loaded
    return out
