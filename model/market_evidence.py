"""The market simulator's back-test evidence (`artcost/data/market_evidence.yaml`), read like a scenario.

Each row is a published figure on what image AI did to illustrators' or image freelancers' work, prices
or income, with its source, its date, the segment and horizon it refers to, and a `compare:` block that
says which curve of the simulator it is put beside and how (docs/market-evidence.md says how each figure
was read; docs/market-model.md section 8 gives the back-test).  Every problem is one line naming the
file, the line, the row and the field (`model.tables.load_table`):

    src/artcost/data/market_evidence.yaml:41: rows[0] (demirci2025_image_posts_all): effect: Input should be a valid number, unable to parse string as a number (got 'x')
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from artcost.model.tables import Part, Table, TableRow, date_text, load_table

NAME = "market_evidence"

Segment = Literal["low", "mid", "high"]
Kind = Literal["relative_change", "relative_change_differential", "share_of_respondents", "share_of_orders",
               "price_ratio"]
# The simulator's curves a row can be put beside (see model.market_check.METRICS).
Metric = Literal["commissions", "income", "price", "market", "retouch_price_ratio", "share_lost_work",
                 "share_income_down", "share_income_changed", "none"]
SHARE_METRICS = ("share_lost_work", "share_income_down", "share_income_changed")
# What a figure measures, for the likelihood of `artcost market-fit-outcomes` (model.market_fit.MEASURES gives each
# its extra spread beside the figure's own interval: a platform's volume is not the market's).
Measures = Literal["platform_did", "platform_trend", "survey", "labour_force", "anecdote"]
# How a row's window is read from the monthly curve (see model.market_check).
How = Literal["window_average", "at_horizon", "change_over_window", "versus_previous_year"]


class EvidenceSource(Part):
    """Where the figure was published: a title and an address are required."""

    title: str = Field(min_length=3)
    authors: str | None = None
    url: str = Field(min_length=3)
    journal: str | None = None


class Compare(Part):
    """Which of the simulator's curves the row is put beside, and how its window is read.

    metric: commissions (artists' commissions index), income (artists' income index), price (what buyers
    pay artists per image, against the base price), market (all commissions, AI included),
    retouch_price_ratio (the retoucher's price / the segment's base artist price), or none (with `why`).
    how: window_average (mean of the change over the window's months: a difference-in-differences),
    at_horizon (the change at the horizon month), change_over_window (last month of the window against
    its first: a before/after), versus_previous_year (the window's mean against the 12 months before it).
    versus: for a differential row, the segment it is measured against (segment minus versus).
    """

    metric: Metric
    how: How | None = None
    versus: Segment | None = None
    why: str | None = None

    @model_validator(mode="after")
    def _complete(self):
        if self.metric == "none":
            if not self.why:
                raise ValueError("why: required when metric is none (say why the row cannot be compared)")
        elif self.how is None:
            raise ValueError(f"how: required for metric {self.metric} (window_average, at_horizon, "
                             "change_over_window or versus_previous_year)")
        return self


class EvidenceRow(TableRow):
    """One published figure (see the conventions at the top of market_evidence.yaml)."""

    measure: str = Field(min_length=3)
    effect: float
    kind: Kind
    coefficient: float | None = None
    ci95: tuple[float, float] | None = None
    horizon_months: int = Field(ge=0, le=600)
    horizon_window: tuple[int, int] | None = None
    release: str = Field(min_length=3)
    place: str = Field(min_length=2)
    segment: Literal["low", "mid", "high", "all"]
    segment_reasoning: str = Field(min_length=3)
    published: str
    published_note: str | None = None
    source: EvidenceSource
    primary: bool
    read_via: str = Field(min_length=3)
    notes: str | None = None
    confidence: Literal["high", "medium", "low"]
    compare: Compare
    measures: Measures = Field(description="what the figure measures (sets its extra spread in the fit's likelihood)")
    study: str = Field(min_length=2, description="the study the row comes from: rows of one study are held out together")
    extra_sd: float | None = Field(None, ge=0, description="more spread than its kind's, with why (extra_sd_why)")
    extra_sd_why: str | None = None

    @field_validator("published", mode="before")
    @classmethod
    def _date(cls, v):
        return date_text(v)

    @field_validator("effect", "coefficient")
    @classmethod
    def _finite(cls, v):
        if v is not None and not math.isfinite(v):
            raise ValueError(f"must be a finite number (got {v})")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if self.ci95 is not None and not self.ci95[0] <= self.ci95[1]:
            raise ValueError(f"ci95: the lower end must come first (got {list(self.ci95)})")
        if self.horizon_window is not None:
            first, last = self.horizon_window
            if first > last:
                raise ValueError(f"horizon_window: first month after last (got [{first}, {last}])")
            if last != self.horizon_months:
                raise ValueError(f"horizon_window ends at {last} but horizon_months is {self.horizon_months}: "
                                 "the horizon is the window's last month")
        differential = self.kind == "relative_change_differential"
        if differential and self.compare.metric != "none" and self.compare.versus is None:
            raise ValueError("compare.versus: required for a relative_change_differential row (the segment it is "
                             "measured against)")
        if not differential and self.compare.versus is not None:
            raise ValueError(f"compare.versus: only for relative_change_differential rows (this one is {self.kind})")
        if self.compare.versus is not None and self.compare.versus == self.segment:
            raise ValueError(f"compare.versus: must differ from the row's segment ({self.segment})")
        if self.kind == "price_ratio" and self.compare.metric not in ("retouch_price_ratio", "none"):
            raise ValueError("compare.metric: a price_ratio row is put beside retouch_price_ratio (or none)")
        if self.kind == "share_of_orders" and self.compare.metric != "none":
            raise ValueError(f"compare.metric: a {self.kind} row has no curve in the simulator; use none with why")
        shares = self.compare.metric in SHARE_METRICS
        if self.kind == "share_of_respondents" and self.compare.metric not in (*SHARE_METRICS, "none"):
            raise ValueError("compare.metric: a share_of_respondents row is put beside a share of artists "
                             f"({', '.join(SHARE_METRICS)}) or none")
        if shares and self.kind != "share_of_respondents":
            raise ValueError(f"compare.metric: {self.compare.metric} is a share of artists; the row's kind must be "
                             "share_of_respondents")
        if (self.extra_sd is None) != (self.extra_sd_why is None):
            raise ValueError("extra_sd and extra_sd_why go together: a wider spread says why")
        if self.compare.metric == "retouch_price_ratio" and self.kind != "price_ratio":
            raise ValueError("compare.metric: retouch_price_ratio is a price ratio; the row's kind must be price_ratio")
        if self.segment == "all" and (self.compare.metric == "retouch_price_ratio" or self.compare.versus is not None):
            raise ValueError("segment: all has no one base artist price and no segment to subtract; a "
                             "retouch_price_ratio or differential row needs low, mid or high")
        return self

    @property
    def window(self) -> tuple[int, int]:
        """[first, last] months after the row's release; (horizon, horizon) when no window is given."""
        return self.horizon_window if self.horizon_window is not None else (self.horizon_months, self.horizon_months)


def load_evidence(path: str | Path | None = None, shown: str | None = None) -> Table[EvidenceRow]:
    """The shipped evidence table (or the file at `path`), every row validated; UserError lines otherwise."""
    return load_table(NAME, EvidenceRow, path=path, shown=shown)
