"""The work of one partition: what a customer bought from the run's other catalogs teaches each one."""

from __future__ import annotations

from pathlib import Path

from configurator.campaign.plan import CampaignPlan, campaign_quote_id
from configurator.campaign.worker import quotes_partition, worker_transfer
from configurator.customers.events import validate_event
from configurator.quoting.lifecycle import load_quote
from configurator.storage import SqlStore, make_engine
from support import transfer_shop, transfer_shop_files


def test_campaign_quotes_read_what_the_customer_bought_from_the_runs_other_catalogs(tmp_path: Path) -> None:
    """Ann bought the lightest frame: quoted with the bike in the run, her laptop has the lightest chassis."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    store = transfer_shop(url=url)[0]
    seen = {"event_id": "v-ann", "type": "viewed", "customer_id": "ann", "channel": "web", "catalog": "laptop",
            "ts": "2026-05-02T12:00:00Z", "item": "laptop", "traits": {"country": "PT"}}  # fmt: skip
    store.write_events([validate_event(seen, tenant="shop")])
    store.engine.dispose()
    bike, laptop = transfer_shop_files(tmp_path / "catalogs")
    chassis = {}
    for run, catalogs in (("both", (str(bike), str(laptop))), ("alone", (str(laptop),))):
        plan = CampaignPlan(url, "shop", catalogs, run_id=run, segment="standard")
        assert (worker_transfer(plan, str(laptop)) is None) == (run == "alone")
        assert quotes_partition(plan, 0, [("ann", "laptop")])["quotes"] == 1
        engine = make_engine(url)
        quote = load_quote(SqlStore(engine, "shop"), campaign_quote_id(run, "ann", "laptop"))
        chassis[run] = quote.configuration.selections["chassis"]
        engine.dispose()
    assert chassis["both"] == {"light": 1} and chassis["alone"] != {"light": 1}
