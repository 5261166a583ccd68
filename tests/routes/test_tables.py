"""The dated tables of issue #17, typed and validated: every row has a source and a date, and a damaged table
is refused with one line per problem naming the file, the line, the row and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from artcost.errors import UserError
from artcost.model.api_prices import ApiPriceRow, api_price_table
from artcost.model.carbon import GridRow, grid_carbon_table
from artcost.model.catalogue import CatalogueRow, catalogue, sources
from artcost.model.gpu_offers import OfferRow, gpu_offers
from artcost.model.tables import DATE_TEXT, load_table
from artcost.paths import package_data


def test_shipped_tables_load_with_the_counts_docs_give():
    api = api_price_table()
    assert len(api) == 31 and len({r.provider for r in api}) == 13
    runs = catalogue()
    assert len(runs) == 76 and len(sources()) == 12
    assert len(grid_carbon_table()) == 45
    assert len(gpu_offers()) == 8


@pytest.mark.parametrize("table", [api_price_table, catalogue])
def test_every_row_has_a_source_and_a_date(table):
    for row in table():
        assert len(row.source.title) >= 3, row.id
        date = row.date if isinstance(row, CatalogueRow) else row.as_of
        assert DATE_TEXT.match(date), (row.id, date)


def test_every_catalogue_energy_states_its_scope():
    for row in catalogue():
        assert (row.joules_per_image is None) == (row.energy_scope is None), row.id


def _broken(tmp_path: Path, name: str, edit) -> Path:
    data = yaml.safe_load(package_data(f"{name}.yaml").read_text())
    edit(data["rows"])
    p = tmp_path / f"{name}.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _problems(path: Path, name: str, model) -> list[str]:
    with pytest.raises(UserError) as exc:
        load_table(name, model, path=path, shown=str(path))
    for line in exc.value.problems:
        assert "\n" not in line
    return exc.value.problems


def test_malformed_price_table_gives_one_line_per_problem(tmp_path):
    def edit(rows):
        rows[0]["price"] = -1
        rows[1]["source"] = None
        rows[2]["pricing_unt"] = "per_image"
        del rows[3]["as_of"]
        rows[4]["model"] = "flux-devv"

    p = _broken(tmp_path, "api_prices", edit)
    lines = _problems(p, "api_prices", ApiPriceRow)
    text = "\n".join(lines)
    assert f"{p}:" in lines[0] and "rows[0] (replicate-flux-schnell): price: must be >= 0 (got -1)" in text
    assert "rows[1] (replicate-flux-dev): source: must be a mapping of fields (got None)" in text
    assert "rows[2] (replicate-flux-pro): pricing_unt: unknown field (did you mean 'pricing_unit'?)" in text
    assert "rows[3] (replicate-sd3-medium): as_of: required field is missing" in text
    assert "rows[4] (replicate-sd35-large): model: unknown model 'flux-devv' (did you mean 'flux-dev'?)" in text
    # each line names the YAML line of its row or field
    for line in lines:
        assert int(line.split(":")[1]) > 3


def test_malformed_catalogue_names_row_and_field(tmp_path):
    def edit(rows):
        rows[0]["date"] = None
        rows[1]["joules_per_image"] = None  # scope still says gpu_only
        rows[2]["source"].pop("title")
        rows[3]["id"] = rows[4]["id"]

    p = _broken(tmp_path, "published_runs", edit)
    text = "\n".join(_problems(p, "published_runs", CatalogueRow))
    assert "rows[0] (mlenergy-v1-a100-40gb-openjourney4-50s-bs1): date: required: the date of the publication" in text
    assert "joules_per_image and energy_scope go together" in text
    assert "rows[2] (mlenergy-v1-a100-40gb-sdxl-50s-bs1): source.title: required field is missing" in text
    assert "id: written twice (first in rows[3])" in text


def test_malformed_grid_and_offers(tmp_path):
    p = _broken(tmp_path, "grid_carbon", lambda rows: rows[0].update(g_co2e_per_kwh=0, year="2024"))
    text = "\n".join(_problems(p, "grid_carbon", GridRow))
    assert "rows[0] (ember-2024-world): g_co2e_per_kwh: must be > 0 (got 0)" in text
    assert "rows[0] (ember-2024-world): year: must be a year" in text
    p = _broken(tmp_path, "gpu_offers", lambda rows: rows[1]["purchase_usd"].update(low=10))
    text = "\n".join(_problems(p, "gpu_offers", OfferRow))
    assert "rows[1] (rtx-4090): purchase_usd: give a value, or a range (low and high), not both" in text


def test_a_table_that_is_not_yaml_is_one_line(tmp_path):
    p = tmp_path / "api_prices.yaml"
    p.write_text("table: api_prices\nrows: [\n")
    (line,) = _problems(p, "api_prices", ApiPriceRow)
    assert line.startswith(f"{p}:") and "not valid YAML" in line


def test_no_data_file_cites_a_file_outside_the_package():
    """gpu_offers.yaml's header cited shared/reference-figures.md, a file users do not have (issue #26)."""
    for name in ("api_prices.yaml", "gpu_offers.yaml", "grid_carbon.yaml", "published_runs.yaml", "exchange_rates.yaml"):
        text = package_data(name).read_text(encoding="utf-8")
        # this project's own files (its docs, its shared notes), not another repository's docs/... path
        ours = [f"docs/{p.name}" for p in (Path(__file__).resolve().parents[2] / "docs").glob("*.md")]
        for outside in (*ours, "shared/", "reference-figures"):
            assert outside not in text, (name, outside)


def test_every_gpu_offer_is_dated_and_sourced_and_says_what_is_missing():
    for o in gpu_offers():
        for p in (o.purchase_usd, o.rent_usd_per_gpu_hour):
            if p is not None:
                assert DATE_TEXT.match(p.date) and len(p.source) > 20 and p.basis in ("primary", "secondary"), o.id
        if o.purchase_usd is None and o.seller is None:
            assert "No purchase price" in (o.notes or ""), o.id
    ids = {o.id for o in gpu_offers()}
    assert {"l40s", "h200", "b200", "h100-sxm-aws"} <= ids
