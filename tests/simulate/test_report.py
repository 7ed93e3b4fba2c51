"""Tests of the simulation's report: assumptions, tables and the JSON object of ``configurator simulate``."""

from __future__ import annotations

from configurator.catalog.models import Catalog
from configurator.simulate.baselines import BASELINES
from configurator.simulate.cycle import simulate
from configurator.simulate.report import report_lines, to_data


def test_json_has_the_series_for_learned_baselines_and_oracle(bike: Catalog) -> None:
    """The JSON object holds acceptance, edits and regret by purchase for every system."""
    data = to_data(simulate(bike, customers=3, purchases=2, seed=1))
    for series in (data, data["oracle"], *data["baselines"].values()):
        for key in ("acceptance", "edits", "regret"):
            assert len(series[key]) == 2
    assert tuple(data["baselines"]) == BASELINES
    assert data["oracle"]["acceptance"] == [1.0, 1.0]


def test_report_prints_assumptions_and_one_row_per_system(bike: Catalog) -> None:
    """The text report opens with the assumptions and has a row per system in each table."""
    text = "\n".join(report_lines(simulate(bike, customers=2, purchases=1, seed=1)))
    assert text.startswith("Assumptions:") and "segments" in text
    for name in ("learned", *BASELINES, "oracle"):
        assert f"| {name} |" in text


def test_a_withdrawal_is_named_in_the_assumptions_and_the_json(bike: Catalog) -> None:
    """Scenario ``withdrawn``: the option and the first purchase without it are in the JSON and the report."""
    result = simulate(bike, customers=2, purchases=2, seed=1, history=5, scenario="withdrawn")
    data = to_data(result)
    assert result.withdrawn is not None
    assert data["withdrawn"] == {"option": result.withdrawn[0], "from_purchase": 2}
    assert f"withdrawn: {result.withdrawn[0]} from purchase 2" in "\n".join(report_lines(result))
    assert to_data(simulate(bike, customers=1, purchases=1, seed=1, history=5))["withdrawn"] is None


def test_the_crossing_is_reported_with_and_without_what_was_transferred(bike: Catalog) -> None:
    """Scenario ``cross-catalog``: the other catalog and its purchase's table, transfer on and off, are shown."""
    other = bike.model_copy(update={"catalog": "bike-two"})
    result = simulate(
        bike, customers=2, purchases=2, seed=1, history=5, scenario="cross-catalog", other=other
    )
    data, text = to_data(result), "\n".join(report_lines(result))
    assert data["other_catalog"] == "bike-two" and len(data["untransferred"]["edits"]) == 2
    assert "purchase 2 from bike-two" in text and "purchase 2 (bike-two, new to every customer)" in text
    for row in ("learned (transferred), no questions", "nothing transferred, no questions"):
        assert f"| {row} |" in text
    plain = simulate(bike, customers=1, purchases=1, seed=1, history=5)
    assert to_data(plain)["other_catalog"] is None and "new to every customer" not in "\n".join(
        report_lines(plain)
    )


def test_the_transfer_effect_is_a_paired_difference(bike: Catalog) -> None:
    """The effect line is the mean per-customer difference, transferred minus not, with counts that add up."""
    from configurator.simulate.report import transfer_effect

    other = bike.model_copy(update={"catalog": "bike-two"})
    result = simulate(
        bike, customers=4, purchases=2, seed=2, history=8, scenario="cross-catalog", other=other
    )
    diffs = [a - b for a, b in zip(result.unguided.edits[1], result.untransferred.edits[1], strict=True)]
    line = transfer_effect(result)
    assert f"edits {sum(diffs) / 4:+.2f}" in line and "paired, 4 customers" in line
    assert f"for {sum(d < 0 for d in diffs)} customers, more for {sum(d > 0 for d in diffs)}" in line


def test_the_report_says_how_the_product_judged_the_transfer(bike: Catalog) -> None:
    """Without enough customers of both catalogs the transfer is not judged, and the report says so."""
    from configurator.simulate.report import judged

    other = bike.model_copy(update={"catalog": "bike-two"})
    result = simulate(
        bike, customers=2, purchases=2, seed=1, history=5, scenario="cross-catalog", other=other
    )
    assert result.transfer is not None and result.transfer.calibration is None
    assert judged(result).startswith("The product's transfer was not judged")
    assert judged(result) in "\n".join(report_lines(result))
