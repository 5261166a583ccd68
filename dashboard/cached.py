"""Cached calls into the analysis layers: a rerun of a page does not redo a Monte Carlo.

A `LoadedScenario` is hashed by what determines its numbers: the merged raw scenario (with
edits applied), its file label and override labels.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from artcost.model.loader import LoadedScenario


def _key(loaded: LoadedScenario) -> str:
    return json.dumps([loaded.path, loaded.raw, loaded.overrides], sort_keys=True, default=str)


HASH = {LoadedScenario: _key}


@st.cache_data(show_spinner="Running the Monte Carlo ...", hash_funcs=HASH, max_entries=32)
def simulate(loaded: LoadedScenario, draws: int, seed: int) -> Any:
    from artcost.model.uncertainty import simulate as run

    return run(loaded, draws, seed)


@st.cache_data(show_spinner=False, hash_funcs=HASH, max_entries=64)
def tornado(loaded: LoadedScenario, output: str) -> list[dict[str, Any]]:
    from artcost.model.sensitivity import tornado as run

    return run(loaded, output)


@st.cache_data(show_spinner=False, hash_funcs=HASH, max_entries=64)
def ratio_grid(loaded: LoadedScenario, x_param: str, y_param: str, steps: int = 40) -> dict[str, Any]:
    from artcost.model.breakeven import axis_values, ratio_grid as run

    xs = axis_values(loaded, x_param, None, None, steps)
    ys = axis_values(loaded, y_param, None, None, steps)
    return run(loaded, x_param, xs, y_param, ys)


@st.cache_data(show_spinner=False, hash_funcs=HASH, max_entries=64)
def breakeven(loaded: LoadedScenario, param: str) -> dict[str, Any]:
    from artcost.model.breakeven import breakeven as run

    return run(loaded, param).to_dict()


@st.cache_data(show_spinner="Simulating the market ...", hash_funcs=HASH, max_entries=16)
def market(loaded: LoadedScenario) -> Any:
    from artcost.model.market import simulate_market

    return simulate_market(loaded)


@st.cache_data(show_spinner="Simulating the market's uncertainty ...", hash_funcs=HASH, max_entries=8)
def market_bands(loaded: LoadedScenario, draws: int, seed: int = 0) -> Any:
    from artcost.model.market import market_bands as run

    return run(loaded, draws, seed)


@st.cache_data(show_spinner="Simulating the market's uncertainty and its back-test ...", hash_funcs=HASH, max_entries=8)
def market_bands_checked(loaded: LoadedScenario, draws: int, seed: int = 0) -> tuple[Any, Any]:
    """The market's bands and its back-test (`model.market_check.check_draws`) from one set of draws."""
    from artcost.model.market import bands_of, run_draws
    from artcost.model.market_check import check_draws

    d = run_draws(loaded, draws, seed)
    return bands_of(d), check_draws(d)


@st.cache_data(show_spinner="Building the report ...", hash_funcs=HASH, max_entries=8)
def report(loaded: LoadedScenario, currency: str | None, bench_records: tuple = ()) -> tuple[str, str]:
    from artcost.dashboard.report import report_for

    return report_for(loaded, currency, [dict(b) for b in bench_records])


@st.cache_data(show_spinner="Working out the findings ...", hash_funcs=HASH, max_entries=8)
def facts(loaded: LoadedScenario, currency: str | None) -> Any:
    """Everything the report and the presenter sheet say (`report.facts`): Monte Carlo, tornado, break-even, market."""
    from artcost.dashboard.report import facts as run

    return run(loaded, currency)


@st.cache_data(show_spinner="Printing the PDF with Chromium ...", max_entries=4)
def pdf(html_text: str) -> bytes:
    """The PDF of an HTML document (headless Chromium); raises UserError when Chromium is missing or fails."""
    from artcost.dashboard.report import pdf_bytes

    return pdf_bytes(html_text)
