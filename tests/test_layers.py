"""The layers point one way: measure (`bench`) -> price (`model`) -> show (`dashboard`, then `cli`).

Every .py under bench/, model/, dashboard/ and src/artcost/ is read with `ast` (nothing is imported);
each `artcost.*` import it makes, at module level or inside a function, is resolved to the module it
names.  A module may import its own layer and the layers below it, never one above:

    base       artcost.errors, .paths, .units, .jsonout, .outputs, .data, artcost.scenarios (importable by all)
    bench      artcost.bench.*        measures; knows nothing of prices, pages or flags
    model      artcost.model.*        prices; may read bench's stored results (its light, torch-free modules)
    dashboard  artcost.dashboard.*    shows, in a browser
    cli        artcost.cli.*          shows, in a terminal: the only code that knows flags and exit codes

and no two modules may import each other, directly or around a circle, at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# import package -> folder, as pyproject.toml's [tool.setuptools.package-dir] maps them
ROOTS = {"artcost": REPO / "src" / "artcost", "artcost.bench": REPO / "bench", "artcost.model": REPO / "model",
         "artcost.dashboard": REPO / "dashboard", "artcost.scenarios": REPO / "scenarios"}
LAYERS = ("base", "bench", "model", "dashboard", "cli")
# Heavy or optional: what a bench module the model layer reads must never import at module level.
TORCH_FREE = ("torch", "diffusers", "transformers", "ray", "pynvml")


# The base utilities: src/artcost's own modules (every other module there belongs to the cli package).
BASE = ("artcost", "artcost.errors", "artcost.paths", "artcost.units", "artcost.jsonout", "artcost.outputs", "artcost.data",
        "artcost.scenarios")


def layer_of(module: str) -> str:
    """The layer of a module; "unplaced" for a module under src/artcost that is neither base nor cli."""
    if module == "artcost":
        return "base"
    for prefix, layer in (("artcost.bench", "bench"), ("artcost.model", "model"), ("artcost.dashboard", "dashboard"),
                          ("artcost.cli", "cli"), *((b, "base") for b in BASE[1:])):
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return "unplaced"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (packages by their own name)."""
    found: dict[str, Path] = {}
    for package, folder in ROOTS.items():
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts])
            if package == "artcost" and parts and f"artcost.{parts[0]}" in ROOTS:
                continue  # not the case today; a folder of src/artcost shadowing a mapped one would be
            found[name] = path
    return found


def _resolve(target: str, names: list[str], known: set[str]) -> list[str]:
    """The modules `from target import names` (or `import target`) reaches: a name that is a submodule
    counts as that module, anything else as `target` itself."""
    out = []
    for n in names or [None]:
        sub = f"{target}.{n}" if n else None
        out.append(sub if sub in known else target)
    return out


def imports(path: Path, known: set[str], module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every artcost import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    top_level = {id(node) for node in tree.body}
    # statements under `if TYPE_CHECKING:` or `try:` at module level still run at import: count them as top level
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try)):
            for child in ast.walk(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    top_level.add(id(child))
    out = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [(base, [a.name for a in node.names])]
        else:
            continue
        for target, names in targets:
            if target != "artcost" and not target.startswith("artcost."):
                continue
            for reached in _resolve(target, names, known):
                out.append((reached, node.lineno, id(node) in top_level))
    return out


def _graph():
    mods = modules()
    known = set(mods)
    return mods, {m: imports(p, known, m) for m, p in mods.items()}


def test_every_module_has_a_layer():
    mods, _ = _graph()
    unplaced = [str(p.relative_to(REPO)) for m, p in mods.items() if layer_of(m) == "unplaced"]
    assert not unplaced, ("src/artcost holds the base utilities and the cli package only; move these into "
                          "a layer: " + ", ".join(unplaced))


def test_every_import_points_down_or_sideways():
    mods, graph = _graph()
    wrong = []
    for module, found in graph.items():
        if layer_of(module) == "unplaced":
            continue  # test_every_module_has_a_layer names it
        mine = LAYERS.index(layer_of(module))
        for target, line, _ in found:
            if layer_of(target) != "unplaced" and LAYERS.index(layer_of(target)) > mine:
                rel = mods[module].relative_to(REPO)
                wrong.append(f"{rel}:{line}: {module} ({layer_of(module)}) imports {target} ({layer_of(target)})")
    wrong = list(dict.fromkeys(wrong))
    assert not wrong, "imports that point back up a layer:\n" + "\n".join(wrong)


def test_no_import_cycle_at_module_level():
    mods, graph = _graph()
    edges = {m: sorted({t for t, _, top in found if top and t != m and t in mods}) for m, found in graph.items()}
    # Tarjan's strongly connected components: any component of two or more modules is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not cycles, "modules that import each other at module level: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_bench_modules_the_model_reads_do_not_import_torch_at_module_level():
    """model/ may read bench's stored results; those bench modules must load without torch, diffusers or Ray."""
    mods, graph = _graph()
    read = {t for m, found in graph.items() if layer_of(m) == "model" for t, _, _ in found if layer_of(t) == "bench"}
    heavy = []
    for module in sorted(read):
        tree = ast.parse(mods[module].read_text(encoding="utf-8"))
        for node in tree.body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            heavy += [f"{module}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in TORCH_FREE]
    assert not heavy, "\n".join(heavy)


def test_the_walk_sees_every_folder():
    """A guard on the test itself: it reads modules of every layer, and resolves imports of each kind."""
    mods, graph = _graph()
    assert set(LAYERS) <= {layer_of(m) for m in mods}
    assert any(not top for found in graph.values() for _, _, top in found)  # function-level imports are read
    assert "artcost.model.costs" in {t for found in graph.values() for t, _, _ in found}
