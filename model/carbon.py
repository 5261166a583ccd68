"""Carbon per image: energy × PUE × the grid's carbon intensity (`artcost/data/grid_carbon.yaml`).

    g CO2e per usable image = kWh per usable image (at the device) × PUE × g CO2e per kWh of the grid
    carbon money            = g CO2e / 1,000,000 × carbon_price_per_tonne

The grid is the scenario's `compute.grid_region` (an ISO country code such as CN, a grid zone such as
US-CAL-CISO, a cloud region gcp:us-east4, or a row id of the table to pick one source); without one, the
world average, labelled as a default. A region with several rows takes Ember's latest year (one method,
lifecycle per kWh generated, for every country that has it), else the latest year of the others; the
label names the row, its year, its source and its scope. An energy figure is never invented: a route
without one (an API, a subscription, a rented GPU whose published run gives no joules) says so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator

from artcost.model.suggest import did_you_mean
from artcost.model.tables import RowSource, Table, TableRow, load_table

DEFAULT_REGION = "WORLD"
PREFERRED_SOURCE = "ember-"  # row ids of Ember's yearly data start so


class GridRow(TableRow):
    region: str = Field(min_length=2)
    name: str = Field(min_length=1)
    g_co2e_per_kwh: float = Field(gt=0, le=2000)
    year: int = Field(ge=1990, le=2100)
    accounting: Literal["generation", "consumption", "unknown"]
    factors: Literal["direct_co2", "direct_co2e", "lifecycle_co2e"]
    scope: str = Field(min_length=1)
    source: RowSource
    notes: str | None = None

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"must be a year, a whole number (got {v!r})")
        return v

    @property
    def label(self) -> str:
        """'China 557.5 gCO2e/kWh (2024, generation-based, lifecycle; Ember ...)'."""
        publisher = self.source.title.split(",")[0].split(" (")[0]
        return f"{self.name} {self.g_co2e_per_kwh:,.4g} gCO2e/kWh ({self.year}, {self.scope}; {publisher}; row {self.id})"


@functools.cache
def grid_carbon_table() -> Table[GridRow]:
    return load_table("grid_carbon", GridRow)


def regions() -> list[str]:
    """Every region the table covers, as written there (CN, US-CAL-CISO, gcp:us-east4, WORLD, ...)."""
    return list(dict.fromkeys(r.region for r in grid_carbon_table()))


def check_region(region: str) -> str:
    """ValueError (one line, with the nearest region) unless `region` is a region or a row id of the table."""
    table = grid_carbon_table()
    if region in table.by_id or region.casefold() in {r.casefold() for r in regions()}:
        return region
    known = regions()
    raise ValueError(f"unknown grid region {region!r}{did_you_mean(region, known + list(table.by_id))}; "
                     f"known: {', '.join(known)} (or a row id of grid_carbon.yaml)")


@dataclass(frozen=True)
class Intensity:
    """The grid intensity used, its row and how it was chosen."""

    row: GridRow
    region: str
    default: bool

    @property
    def g_per_kwh(self) -> float:
        return self.row.g_co2e_per_kwh

    @property
    def label(self) -> str:
        why = ("default: no compute.grid_region given, the world average" if self.default
               else f"grid {self.region}")
        return f"{why}: {self.row.label}"


def intensity_for(region: str | None) -> Intensity:
    """The intensity of `region` (see the module docstring for which row a region takes)."""
    table = grid_carbon_table()
    default = region is None
    region = region or DEFAULT_REGION
    if region in table.by_id:
        return Intensity(table.by_id[region], region, default)
    check_region(region)
    rows = [r for r in table if r.region.casefold() == region.casefold()]
    ember = [r for r in rows if r.id.startswith(PREFERRED_SOURCE)]
    pick = max(ember or rows, key=lambda r: r.year)  # max keeps the first of equal years: file order
    return Intensity(pick, rows[0].region, default)


@dataclass(frozen=True)
class Carbon:
    """Energy and carbon of one usable image on one route.

    energy_kwh: at the device (before PUE), per usable image; None when no figure exists, and
    `energy_label` then says why. g_co2e = energy_kwh × pue × intensity."""

    energy_kwh: float | None
    energy_label: str
    pue: float
    pue_label: str
    intensity: Intensity
    basis: str = ""  # in two words for a table: "published, GPU board", "rated power, estimate", "measured"
    published_range_g: tuple[float, float] | None = None  # a published per-image range where no energy is known

    @property
    def kwh_at_grid(self) -> float | None:
        return None if self.energy_kwh is None else self.energy_kwh * self.pue

    @property
    def g_co2e(self) -> float | None:
        return None if self.energy_kwh is None else grams_co2e(self.energy_kwh, self.pue, self.intensity.g_per_kwh)

    def money(self, price_per_tonne: float | None) -> float | None:
        if price_per_tonne is None or self.g_co2e is None:
            return None
        return carbon_money(self.g_co2e, price_per_tonne)

    def to_dict(self, price_per_tonne: float | None = None) -> dict[str, Any]:
        return {
            "energy_kwh_per_usable_image": self.energy_kwh,
            "energy_source": self.energy_label,
            "energy_basis": self.basis or None,
            "pue": self.pue,
            "pue_source": self.pue_label,
            "kwh_at_grid_per_usable_image": self.kwh_at_grid,
            "grid_g_co2e_per_kwh": self.intensity.g_per_kwh,
            "grid_source": self.intensity.label,
            "g_co2e_per_usable_image": self.g_co2e,
            "carbon_money_per_usable_image": self.money(price_per_tonne),
            "g_co2e_published_range": None if self.published_range_g is None else list(self.published_range_g),
        }


def grams_co2e(kwh: float, pue: float, g_per_kwh: float) -> float:
    """g CO2e = kWh at the device × PUE × g CO2e per kWh of the grid."""
    return kwh * pue * g_per_kwh


def carbon_money(g_co2e: float, price_per_tonne: float) -> float:
    """The carbon's price: grams / 10^6 (tonnes) × price per tonne."""
    return g_co2e / 1e6 * price_per_tonne


# The artist's carbon per image (issue #26): Tomlinson, Black, Patterson & Torrance, "The carbon emissions of writing
# and illustrating are lower for AI than for humans", Scientific Reports 14:3732 (2024), doi:10.1038/s41598-024-54271-x.
# Method: a person's whole yearly footprint (per capita, US or India) apportioned to the hours an illustrator takes
# per image; AI: DALL-E 2 about 2.2 g and Midjourney about 1.9 g CO2e per image. Its abstract: an AI image emits
# 310 to 2,900 times less than a human's. The range below is those ratios times those AI figures (India: 2.2 g x 310
# = 682 g; US: 1.9 g x 2,900 = 5,510 g), rounded: the per-image figures the paper's own ratios imply.
ARTIST_G_CO2E_PER_IMAGE = (680.0, 5500.0)
ARTIST_CARBON_SOURCE = (
    "published: an illustrator's 680-5,500 g CO2e per image (India to US), Tomlinson et al., Scientific Reports 14:3732 "
    "(2024), doi:10.1038/s41598-024-54271-x: a person's whole per-capita footprint over the hours one image takes; the "
    "range is the paper's '310 to 2,900 times' an AI image's 2.2 g (DALL-E 2) and 1.9 g (Midjourney). Not the same "
    "accounting as the AI routes here (their machine's energy only, the operator's own footprint not counted)")
