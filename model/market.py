"""The market simulator: month by month, which option each buyer segment takes once AI is known,
and what that does to artists' commissions, prices and income.

Every equation is written out in docs/market-model.md (numbers there refer to this module).
In short, per month t, segment s and option o in OPTIONS:

* awareness A(t) and artists' AI adoption B(t) follow Bass curves (`model.bass`);
* each option has a price, a delivery time and a quality; AI cost per usable image and AI
  delivery time come from the cost model (`costs.compare`), not from the market section;
* utility V = -w_price * price / willingness_to_pay - w_time * days - w_quality * shortfall,
  where shortfall is measured against a requirement that drops as the price drops;
* buyers aware of AI choose among all options, the others among artists only (multinomial
  logit with availability as a size term); shares are the mixture over awareness;
* a segment's number of commissions responds to what its buyers are offered: a logit with an
  outside option (not buying at all), sized by the segment's demand elasticity (0 = fixed);
* artists' price solves price/base = (artists' commissions/baseline)^elasticity each month,
  never above the base price nor below the cost-of-living floor (a fixed point, found by
  regula falsi); an artist using AI charges less, never below their own floor.

`simulate_arrays` runs these as seven named steps (diffusion, ai_offer, segment_terms,
artist_terms, choose, artists_price, outcomes); `segment_metrics`, `artist_metrics`,
`buyer_metrics` and `retoucher_metrics` turn its arrays into the curves every table, band and
headline shows; `market_headline` is the typical answer (the median of Monte Carlo draws).

Arrays carry a leading draw axis D (1 for one run), so one call evaluates every Monte Carlo
draw at once: shapes are (D, T, S) or (D, T, S, O) with T months, S segments, O options.
Money is in the scenario's currency; time in days unless a name says otherwise.
"""

from __future__ import annotations

# The simulator lives in three modules (the steps, one run's tables, the draws' bands and headline);
# this module is their one public face, so `artcost.model.market` keeps every name it had.
from artcost.model.market_steps import (  # noqa: F401
    B_MIN, HOURS_PER_DAY, OPTION_LABELS, OPTIONS, SEG, AIOffer, ArtistTerms, Choice, Diffusion, SegmentTerms,
    ai_offer, artist_prices, artist_terms, artists_demand, artists_price, choose, diffusion, outcomes,
    segment_terms, simulate_arrays,
)
from artcost.model.market_result import (  # noqa: F401
    MarketResult, artist_metrics, buyer_metrics, demand_notes, month_labels, retoucher_metrics, segment_metrics,
    simulate_market,
)
from artcost.model.market_bands import (  # noqa: F401
    BAND_METRICS, DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, Draws, MarketBands, MarketHeadline, bands_of,
    market_bands, market_headline, run_draws,
)
