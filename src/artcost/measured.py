"""A scenario with measured figures folded in: `--set` overrides, a stored benchmark's speed and
power, a stored cluster job's GPUs and scaling efficiency.  One function, used by the CLI and the
dashboard alike, so a scenario that names `generation.from_bench` gives the same answer everywhere.
It sits outside `model/` because it joins the model with the benchmark's stored results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from artcost.model.loader import LoadedScenario, load_scenario, parse_assignment


def load_with_options(
    file: Path,
    sets: list[str] | None = None,
    from_bench: str | None = None,
    scale_by_flops: bool = False,
    from_cluster: str | None = None,
) -> LoadedScenario:
    """Load a scenario with --set overrides and, if asked, measured figures from stored results.

    `from_bench` (or the file's `generation.from_bench`) takes seconds per image and power from a
    benchmark record; `from_cluster` takes GPUs and scaling efficiency from a cluster job. An
    explicit --set always wins over a measurement; each figure is labelled with where it came from.
    """
    overrides: dict[str, Any] = dict(parse_assignment(s) for s in (sets or []))
    loaded = load_scenario(file, overrides or None)
    measured: list[tuple[dict[str, Any], str]] = []
    ref = from_bench or loaded.scenario.generation.from_bench
    if ref is not None:
        from artcost.bench.apply import bench_overrides

        measured.append(bench_overrides(ref, loaded.scenario, scale_by_flops))
    if from_cluster is not None:
        from artcost.bench.cluster_apply import cluster_overrides

        measured.append(cluster_overrides(from_cluster))
    if not measured:
        return loaded
    merged: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for values, provenance in measured:
        merged.update(values)
        labels.update({path: provenance for path in values})
    merged.update(overrides)
    reloaded = load_scenario(file, merged, override_label="measured")
    reloaded.overrides.update(labels)
    sc = reloaded.scenario
    if "generation.seconds_per_image" in merged and "generation.seconds_per_image" not in overrides and sc.compute.kind == "owned":
        kept = [p for p in ("compute.owned.board_power_w", "compute.owned.purchase_price") if p not in merged]
        if kept:
            reloaded.notes.append(
                f"the speed is measured on {sc.generation.device}, but {' and '.join(p.rsplit('.', 1)[-1] for p in kept)} "
                f"are still the scenario's ({loaded.scenario.generation.device or 'its stated GPU'}): hardware and "
                "electricity costs mix two machines; set compute.owned for the measured one (--set) to cost it alone"
            )
    for path in overrides:
        reloaded.overrides[path] = "--set on the command line"
    return reloaded
