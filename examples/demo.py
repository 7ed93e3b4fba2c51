"""The demo pipeline as it exists today: load every example catalog, check the example configurations.

Writes, for each example configuration and each of the catalog's locales, the checker's verdict to
``OUT/checks/<configuration>.<locale>.txt`` and prints a summary table; then proposes bundles, ingests the
sample events, prints customer tiers and, for a few customers, their learned needs and the optimal bundle
under them; personalised quotes for customers of every tier in their own language, as HTML and PDF
in ``OUT/quotes/<customer>.<catalog>.<locale>.{html,pdf}``; ends with the demand analytics of each catalog over
the stored events, as an HTML report with charts in ``OUT/analytics-<catalog>.html``, and a batch campaign over
every customer on a local Dask cluster of 2 workers (next-best offers, quotes for the most growable) with its
Parquet files in ``OUT/campaign/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

import configurator

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    parser.add_argument("--on", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    parser.add_argument(
        "--database", default=None, help="SQLAlchemy URL (default: SQLite file OUT/configurator.db)"
    )
    args = parser.parse_args(argv)
    console = Console(width=170)
    catalogs: dict[str, configurator.Catalog] = {}
    summary = Table(title="Example catalogs")
    for column in ("file", "catalog", "modules", "options", "rules", "services", "warnings"):
        summary.add_column(column)
    for path in sorted((ROOT / "catalogs").glob("*.yaml")):
        report = configurator.validate_catalog(path)
        if report.catalog is None:
            for problem in report.errors:
                console.print(str(problem), markup=False)
            return 1
        cat: configurator.Catalog = report.catalog
        catalogs[cat.catalog] = cat
        options = sum(len(m.options) for m in cat.modules.values())
        summary.add_row(
            path.name,
            cat.catalog,
            str(len(cat.modules)),
            str(options),
            str(len(cat.rules)),
            str(len(cat.services)),
            str(len(report.warnings)),
        )
    console.print(summary)
    checks = Table(title=f"Example configurations checked on {args.on}")
    for column in ("configuration", "catalog", "verdict", "violated rules"):
        checks.add_column(column)
    out = args.out / "checks"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "catalogs" / "examples").glob("*.yaml")):
        config = configurator.load_configuration(path)
        found = catalogs.get(config.catalog or "")
        if found is None:
            console.print(f"{path.name}: no example catalog with id {config.catalog!r}")
            return 1
        cat = found
        violations: list[configurator.Violation] = []
        for locale in cat.locales:
            violations = configurator.find_violations(cat, config, on=args.on, locale=locale)
            lines = [f"{v.path + ': ' if v.path else ''}{v.rule_id}: {v.message}" for v in violations]
            text = "\n".join(lines) if lines else "valid"
            (out / f"{path.stem}.{locale}.txt").write_text(text + "\n", encoding="utf-8")
        verdict = "valid" if not violations else f"{len(violations)} violations"
        checks.add_row(path.name, cat.catalog, verdict, ", ".join(sorted({v.rule_id for v in violations})))
    console.print(checks)
    console.print(f"wrote {out}")
    bundles_table(catalogs, args.on, args.out / "bundles", console)
    engine, tiers = customers_table(args.out, args.database, console)
    needs_tables(engine, catalogs, args.on, console)
    quotes_table(engine, tiers, catalogs, args.on, args.out / "quotes", console)
    analytics_table(engine, catalogs, args.out, console)
    campaign_table(engine, args.out / "campaign", console)
    return 0


EVENT_FILES = ("events.jsonl", "events-en.jsonl")
"""The demo's event files: the generated multi-channel sample, and two English-speaking customers in GB."""


def customers_table(out: Path, database: str | None, console: Console) -> tuple[Engine, dict[str, str]]:
    """Ingest the sample multi-channel events into the database (SQLite file by default), then refresh tiers.

    Ingestion is idempotent: running the demo twice stores each event once. Ingesting does not compute tiers:
    the refresh after it (what ``configurator customers tiers --refresh`` runs) fits them once and stores the
    tier snapshot that every API request reads; the quotes below use its tiers. Writes ``OUT/tiers.csv`` from
    the snapshot; returns the engine and each customer's tier.
    """
    from configurator.customers.ingest import ingest_file
    from configurator.storage import SqlStore, make_engine, upgrade

    url = database or f"sqlite:///{(out / 'configurator.db').resolve()}"
    engine = make_engine(url)
    upgrade(engine)  # the demo's own database: migrate one left by an older version
    store = SqlStore(engine, "demo")
    for name in EVENT_FILES:
        report = ingest_file(ROOT / "examples" / "data" / name, store, tenant="demo")
        console.print(
            f"ingested examples/data/{name} into {engine.url.render_as_string(hide_password=True)}: "
            f"{report.summary()}"
        )
        for rejection in report.rejected[:5]:
            console.print(f"  rejected {rejection}", markup=False)
    summary = store.refresh_tiers()
    console.print(
        f"refreshed the tier snapshot: {summary.total} customers in {summary.seconds:.2f} s "
        f"(computed at {summary.computed_at:%Y-%m-%d %H:%M:%S} UTC)"
    )
    tiers = store.tiers_frame().sort(["tier", "value"], descending=[False, True], nulls_last=True)
    tiers.write_csv(out / "tiers.csv")
    table = Table(title=f"Customer tiers ({len(tiers)} customers, from the stored snapshot)")
    for column in ("customer", "tier", "CLV", "margin", "cost to serve", "why"):
        table.add_column(column)
    for row in tiers.iter_rows(named=True):
        table.add_row(
            str(row["customer_id"]),
            str(row["tier"]),
            _money(row["clv"]),
            _money(row["margin"]),
            _money(row["cost_to_serve"]),
            str(row["reason"]),
        )
    console.print(table)
    console.print(
        "tiers: "
        + ", ".join(f"{t} {n}" for t, n in sorted(summary.customers.items()) if n)
        + f"; wrote {out / 'tiers.csv'}"
    )
    return engine, {str(r["customer_id"]): str(r["tier"]) for r in tiers.iter_rows(named=True)}


DEMO_NEEDS = (("c-1027", "ebike-urban"), ("c-1011", "laptop-pro14"), ("c-1022", "kitchen-modular"))
"""Demo customers (with a history in different catalogs) whose learned needs are shown."""


def needs_tables(
    engine: Engine, catalogs: dict[str, configurator.Catalog], on: dt.date, console: Console
) -> None:
    """For a few customers: what we learned (utilities against the population) and the bundle it proposes.

    The bundle maximises the customer's learned utilities within their stated budget; each option is shown
    with the event ids that drove it (none: the population's choice).
    """
    from configurator.assembly.needs import CatalogNeedsView, needs_for, weights_for
    from configurator.needs.customer import CustomerNeeds
    from configurator.solver.session import ConfigurationSession
    from configurator.storage import SqlStore

    learned = Table(title="Learned needs: each customer's top preferences with the events behind them")
    for column in ("customer", "catalog", "option", "P(customer)", "P(population)", "events"):
        learned.add_column(column)
    bundles = Table(title=f"Optimal bundles under learned weights on {on}")
    for column in ("customer", "catalog", "budget", "status", "price", "options (events that drove them)"):
        bundles.add_column(column)
    for customer, catalog_id in DEMO_NEEDS:
        cat = catalogs[catalog_id]
        view = CatalogNeedsView(cat)
        needs = needs_for(SqlStore(engine, "demo"), "demo", customer, cat, view=view)
        weights = weights_for(view, needs)
        population = CustomerNeeds(needs.population)
        top: list[tuple[float, float, str, list[str]]] = []
        for module, mod in cat.modules.items():
            for option in mod.options:
                reasons = view.explain(needs, module, option)
                if reasons:
                    variable, value = view.variable_of(module, option)
                    mine = needs.distribution(variable, {})[value]
                    theirs = population.distribution(variable, {})[value]
                    top.append((mine, theirs, f"{module}.{option}", reasons))
        top.sort(key=lambda row: (-row[0], row[2]))
        for rank, (mine, theirs, key, reasons) in enumerate(top[:4]):
            learned.add_row(
                customer if rank == 0 else "",
                catalog_id if rank == 0 else "",
                key,
                f"{mine:.2f}",
                f"{theirs:.2f}",
                ", ".join(reasons),
            )
        budget = view.budget(SqlStore(engine, "demo").customer_events(customer)) if needs.profiling else None
        session = ConfigurationSession(cat, on=on)
        bundle = session.optimize(weights, budget=budget)
        chosen = (
            "; ".join(
                f"{m}.{o}"
                + (f" ({', '.join(view.explain(needs, m, o))})" if view.explain(needs, m, o) else "")
                for m, o, _ in bundle.configuration.items()
            )
            if bundle is not None
            else "nothing fits"
        )
        bundles.add_row(
            customer,
            catalog_id,
            f"{budget} {cat.currency}" if budget is not None else "-",
            bundle.status if bundle is not None else "infeasible",
            f"{bundle.price} {cat.currency}" if bundle is not None else "-",
            chosen,
        )
        if view.skipped:
            console.print(
                f"{customer}: skipped references to {catalog_id}: "
                + "; ".join(f"{reason} x{n}" for reason, n in sorted(view.skipped.items())),
                markup=False,
            )
    console.print(learned)
    console.print(bundles)


DEMO_QUOTES = (
    ("c-1004", "ebike-urban"),
    ("c-1022", "kitchen-modular"),
    ("c-1008", "laptop-pro14"),
    ("c-1030", "valve-pn5"),
    ("c-1029", "kitchen-modular"),
    ("c-2001", "laptop-pro14"),
    ("c-2002", "ebike-urban"),
)
"""Demo customers quoted at the end: every tier (mvc, mgc, standard, below_zero), in Portuguese, Swedish,
Spanish and English, each in the catalog of their history."""


def quotes_table(
    engine: Engine,
    tiers: dict[str, str],
    catalogs: dict[str, configurator.Catalog],
    on: dt.date,
    out: Path,
    console: Console,
) -> None:
    """Quote each demo customer's best bundle in their language; write it as HTML and PDF and print a table.

    The locale comes from the customer's profile (language in their country), the tier from the tier
    assignment, the explanations from their history (event ids on the quote); as in the API, what they bought
    from the other catalogs teaches each one.
    """
    from configurator.assembly.needs import transfer_for
    from configurator.quoting.build import bundle_summary, customer_details, quote_for_customer
    from configurator.quoting.i18n import Translator
    from configurator.quoting.render import render_quote
    from configurator.storage import SqlStore

    out.mkdir(parents=True, exist_ok=True)
    store = SqlStore(engine, "demo")
    at = dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC)
    table = Table(title=f"Personalised quotes on {on}: each customer's best bundle, in their language")
    for column in ("customer", "tier", "language", "catalog", "bundle", "total", "why (events)"):
        table.add_column(column)
    fallbacks = 0
    written: list[str] = []
    transfers = {c: transfer_for(store, catalogs, besides=c) for c in sorted({c for _, c in DEMO_QUOTES})}
    for customer, catalog_id in DEMO_QUOTES:
        cat = catalogs[catalog_id]
        quote = quote_for_customer(
            store, cat, customer, tiers=tiers, created_at=at, best=True, accept_repair=True, on=on,
            transfer=transfers[catalog_id],
        )[0]  # fmt: skip
        details = customer_details(store, customer)
        stem = f"{customer}.{catalog_id}.{quote.locale}"
        for fmt in ("html", "pdf"):
            rendered = render_quote(quote, cat, format=fmt, customer=details)
            fallbacks += len(rendered.fallbacks)
            path = out / f"{stem}.{fmt}"
            if isinstance(rendered.content, bytes):
                path.write_bytes(rendered.content)
            else:
                path.write_text(rendered.content, encoding="utf-8")
        events = sorted({e for r in quote.reasons for e in r.events})
        why = (
            f"{len(events)}: {', '.join(events[:3])}" + (", ..." if len(events) > 3 else "")
            if events
            else "-"
        )
        table.add_row(
            f"{customer} {details.get('name', '')}".strip(),
            quote.tier,
            quote.locale,
            catalog_id,
            bundle_summary(quote, cat, limit=2),
            Translator(quote.locale, cat.default_locale).money(quote.total, quote.currency),
            why,
        )
        written.append(stem)
    console.print(table)
    console.print(
        f"wrote {out}/{{{','.join(written)}}}.{{html,pdf}} ({fallbacks} texts fell back to another language)",
        markup=False,
        soft_wrap=True,
    )


def _money(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else "-"


def bundles_table(
    catalogs: dict[str, configurator.Catalog], on: dt.date, out: Path, console: Console
) -> None:
    """For each catalog: lint findings, three diverse bundles that favour recommended options at low price.

    Writes ``OUT/bundles/<catalog>.<locale>.md`` with the bundles' translated labels.
    """
    from configurator.solver.lint import lint_catalog
    from configurator.solver.session import ConfigurationSession, Weights

    out.mkdir(parents=True, exist_ok=True)
    table = Table(title=f"Bundles proposed by the solver on {on}")
    for column in ("catalog", "lint findings", "rank", "status", "price", "options"):
        table.add_column(column)
    for cat in catalogs.values():
        findings = lint_catalog(cat, on=on)
        session = ConfigurationSession(cat, on=on)
        prefer = {f"{m}.{o}": 50.0 for m, module in cat.modules.items() for o in module.recommended}
        bundles = session.top_k(Weights(options=prefer, price=-0.1, scale=100), 3, distance=3)
        for locale in cat.locales:
            lines = [f"# {cat.text(cat.name, locale, cat.catalog)}", ""]
            for rank, bundle in enumerate(bundles, 1):
                lines.append(f"## {rank}. {bundle.price} {cat.currency}")
                for module, option, qty in bundle.configuration.items():
                    mod = cat.modules[module]
                    label = cat.text(mod.options[option].label, locale, option)
                    lines.append(
                        f"- {cat.text(mod.label, locale, module)}: {label}" + (f" x{qty}" if qty > 1 else "")
                    )
                lines.append("")
            (out / f"{cat.catalog}.{locale}.md").write_text("\n".join(lines), encoding="utf-8")
        for rank, bundle in enumerate(bundles, 1):
            table.add_row(
                cat.catalog,
                str(len(findings)) if rank == 1 else "",
                str(rank),
                bundle.status,
                f"{bundle.price} {cat.currency}",
                str(sum(1 for _ in bundle.configuration.items())),
            )
    console.print(table)
    console.print(f"wrote {out}")


def analytics_table(
    engine: Engine, catalogs: dict[str, configurator.Catalog], out: Path, console: Console
) -> None:
    """Demand analytics per catalog (what ``configurator analytics`` shows): ``OUT/analytics-<catalog>.html``."""
    from configurator.assembly.analytics import demand_report
    from configurator.quoting.demand_report import render_html
    from configurator.storage import SqlStore

    store = SqlStore(engine, "demo")
    table = Table(title="Demand analytics (the stored events, judged by each catalog's rules)")
    for column in (
        "catalog",
        "events",
        "customers",
        "most demanded",
        "ruled out (rule)",
        "unknown",
        "never chosen",
    ):
        table.add_column(column)
    for cat in catalogs.values():
        report = demand_report(store, cat)
        demand = report.option_demand().sort(["demand", "option"], descending=[True, False])
        ruled = report.ruled_out()
        (out / f"analytics-{cat.catalog}.html").write_text(render_html(report), encoding="utf-8")
        table.add_row(
            cat.catalog,
            str(report.events),
            str(report.customers),
            ", ".join(f"{o} {n}" for o, n in demand.select("option", "demand").head(2).iter_rows()),
            ", ".join(
                f"{o} ({r}) {n}" for o, r, n in ruled.select("option", "rule_id", "times").head(2).iter_rows()
            ),
            str(report.unknown_options().height),
            f"{len(report.never_chosen())} of {len(report.options)}",
        )
    console.print(table)
    console.print(f"wrote {out}/analytics-{{{','.join(catalogs)}}}.html")


def campaign_table(engine: Engine, out: Path, console: Console) -> None:
    """A campaign over every demo customer (what ``configurator campaign`` does) on 2 local Dask workers."""
    from configurator.campaign import CampaignPlan, run_campaign

    url = engine.url.render_as_string(hide_password=False)
    if ":memory:" in url or url.rstrip("/") in ("sqlite:", "sqlite://"):
        console.print("campaign: skipped (the workers need a database file or server, not an in-memory one)")
        return
    catalogs = tuple(str(p) for p in sorted((ROOT / "catalogs").glob("*.yaml")))
    plan = CampaignPlan(url, "demo", catalogs, run_id="demo", partitions=4, segment="mgc", quote_top=5)
    report = run_campaign(plan, workers=2, parquet=out)
    table = Table(title=f"Campaign {report.run_id}: next-best offers for every customer, on 2 Dask workers")
    for column in (
        "customers",
        "partitions run (resumed)",
        "upgrades",
        "services",
        "expected value",
        "quotes",
    ):
        table.add_column(column)
    table.add_row(
        str(report.customers),
        f"{report.ran} ({report.resumed})",
        str(report.offers["upgrade"]),
        str(report.offers["service"]),
        str(report.expected_value),
        str(report.quotes),
    )
    console.print(table)
    for where, error in report.failed.items():
        console.print(f"campaign: {where} failed: {error}", markup=False)
    console.print(f"wrote {', '.join(report.parquet)}")


if __name__ == "__main__":
    sys.exit(main())
