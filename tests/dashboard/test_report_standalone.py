"""The report stands alone (issue #19): nothing it quotes sends the reader to a file or a page they do not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))
# a path into the project (shared/..., docs/..., scenarios/...) or a project file; a web address is fine
LOCAL_FILE = re.compile(r"(?<![\w./])(shared|docs|scenarios|src|artcost/data)/|(?<![\w/.])[\w-]+\.(md|txt|csv)\b")


def quoted_texts(path: Path) -> list[str]:
    """What a report quotes from a scenario: its name, description, listed sources and every field's source."""
    sc = load_scenario(path).scenario
    texts = [sc.meta.name, sc.meta.description]
    for src in sc.meta.sources:
        texts.append(src if isinstance(src, str) else f"{src.title} {src.url or ''}")
    texts += [q.source or "" for q in sc.quantities().values()]
    return texts


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_cite_no_local_files(path):
    bad = [t for t in quoted_texts(path) if LOCAL_FILE.search(t)]
    assert not bad, f"{path.name} quotes a file the report's reader does not have: {bad}"


def test_the_pattern_catches_what_it_should():
    for text in ("see shared/seed-notes.md", "(docs/cost-model.md, Reading the seed)", "via reference-figures.md",
                 "as in artcost/data/exchange_rates.yaml", "(scenarios/adoption-pew-chatgpt-us-adults.csv)"):
        assert LOCAL_FILE.search(text), text
    for text in ("Midjourney plans page (docs.midjourney.com/docs/plans)", "J. Marketing Research 27:70-77",
                 "https://example.org/report.txt"):
        assert not LOCAL_FILE.search(text), text


@pytest.mark.parametrize("path", [p for p in SCENARIOS if p.suffix == ".yaml"], ids=lambda p: p.stem)
def test_every_shipped_scenario_reports_standing_alone(path):
    """The report of each shipped scenario builds (routes, market when it has one) and, outside its scripts,
    names no path of this machine and no project file the reader lacks."""
    from artcost.dashboard.report import build_report, facts

    fx = facts(load_scenario(path), None, draws=500, market_draws=20)
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", build_report(fx), flags=re.S)
    assert fx.routes is not None, fx.routes_problem
    assert str(REPO) not in text
    assert not LOCAL_FILE.search(text), LOCAL_FILE.search(text).group(0)
    assert 'id="sources"' in text and ('id="market"' in text) == (fx.loaded.scenario.market is not None)
