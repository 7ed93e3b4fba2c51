"""``configurator quote``: a personalised quote for a stored customer, written as HTML, Markdown, text or PDF.

Reads the customer from the database (``--database``, default ``CONFIGURATOR_DATABASE_URL`` or the SQLite file
in settings; the demo's is ``out/configurator.db`` with tenant ``demo``), assembles their best bundle, prices
it, re-checks it with the independent checker, renders it in their language and writes ``-o FILE``. Prints one
summary line (quote id, bundle, total in the quote's locale, file) on stdout; texts that fell back to another
language go to stderr. The file is recorded in the store (path, quote id, customer, when), so that erasing the
customer (``configurator customers erase``) removes it.

Exit codes as the other commands: 0 written; 1 no bundle meets the request (the repair proposal is printed) or
the bundle fails the checker; 2 unknown customer (the nearest id is suggested), unreadable input or bad usage.

As the API does, what the customer bought from the shop's other catalogs teaches this one (shared attributes
and price level, ``configurator.needs.transfer``): the other catalogs are the ``*.yaml`` files of
``--catalogs-dir`` (default: ``CONFIGURATOR_CATALOGS_DIR``, the folder the API serves, when it exists).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.cli.params import DatabaseOption, TenantOption

if TYPE_CHECKING:
    from configurator.catalog.models import Catalog
    from configurator.quoting.model import Quote
    from configurator.quoting.render import Format, RenderedQuote
    from configurator.storage import SqlStore

__all__ = ["quote"]


def _format(given: str | None, output: Path) -> Format:
    """The format asked for, else the one the output file's suffix names, else HTML."""
    from configurator.quoting.render import FORMATS, Format

    name = given or {".htm": "html", ".markdown": "md", ".text": "txt"}.get(
        output.suffix.lower(), output.suffix.lower().lstrip(".")
    )
    if not given and name not in FORMATS:
        name = "html"
    if name not in get_args(Format):
        raise typer.BadParameter(
            f"expected one of {', '.join(FORMATS)}, got {given!r}", param_hint="--format"
        )
    return name  # type: ignore[return-value]  # checked above


def quote(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    customer: Annotated[str, typer.Option("--customer", "-c", help="The customer's id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write the quote to.")],
    locale: Annotated[
        str | None,
        typer.Option(help="Language, e.g. pt_PT (default: the customer's language in their country)."),
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="html, md, txt or pdf (default: from -o's suffix).")
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(help="Most the bundle may cost at list price (default: their stated budget)."),
    ] = None,
    require: Annotated[
        list[str] | None, typer.Option("--require", "-r", help="module.option to have (!module.option: not).")
    ] = None,
    database: DatabaseOption = None,
    tenant: TenantOption = None,
    country: Annotated[
        str | None, typer.Option(help="Ship-to country for tax (default: the customer's).")
    ] = None,
    quantity: Annotated[int, typer.Option(min=1, help="Bundles ordered.")] = 1,
    quote_id: Annotated[
        str | None, typer.Option("--quote-id", help="Quote number (default: generated).")
    ] = None,
    accept_repair: Annotated[
        bool,
        typer.Option("--accept-repair", help="Quote the repaired bundle when the request cannot be met."),
    ] = False,
    save: Annotated[bool, typer.Option("--save", help="Store the quote (version 1, draft).")] = False,
    catalogs_dir: Annotated[
        Path | None,
        typer.Option(
            "--catalogs-dir",
            help="The shop's catalogs: what the customer bought from the others teaches this one, as in the API "
            "(default: CONFIGURATOR_CATALOGS_DIR, when that folder exists).",
        ),
    ] = None,
) -> None:
    """Write a personalised quote for a stored customer: their best bundle, priced, checked, in their language."""
    from configurator.catalog.loader import load_catalog
    from configurator.quoting.build import bundle_summary, customer_details
    from configurator.quoting.i18n import Translator
    from configurator.quoting.render import render_quote
    from configurator.settings import get_settings
    from configurator.storage import SqlStore, ensure_schema

    fmt = _format(format, output)
    try:
        limit = Decimal(budget) if budget is not None else None
    except InvalidOperation:
        raise typer.BadParameter(f"expected an amount, got {budget!r}", param_hint="--budget") from None
    cat = load_catalog(catalog)
    others = _shop_catalogs(catalogs_dir, get_settings().catalogs_dir, cat)
    store = SqlStore(ensure_schema(database), tenant or get_settings().tenant)
    made = _best_quote(
        store,
        cat,
        customer,
        budget=limit,
        requirements=tuple(require or ()),
        locale=locale,
        country=country,
        quote_id=quote_id,
        quantity=quantity,
        accept_repair=accept_repair,
        others=others,
    )
    if save:
        from configurator.quoting.lifecycle import save_quote

        made = save_quote(store, made)
    _write(render_quote(made, cat, format=fmt, customer=customer_details(store, made.customer_id)), output)
    store.record_rendered_file(
        str(output.resolve()), made.quote_id, made.customer_id, dt.datetime.now(dt.UTC)
    )
    total = Translator(made.locale, cat.default_locale).money(made.total, made.currency)
    saved = ", saved" if save else ""
    _out().print(
        f"{made.quote_id}: {made.customer_id} ({made.tier}, {made.locale}) {cat.catalog}: "
        f"{bundle_summary(made, cat)}: total {total}{saved} -> {output}",
        markup=False,
    )


def _shop_catalogs(given: Path | None, default: str, catalog: Catalog) -> dict[str, Catalog]:
    """The shop's catalogs with ``catalog`` among them (the file given wins over one of the same id)."""
    from configurator.catalog.loader import load_catalogs

    folder = given if given is not None else Path(default)
    if given is not None and not given.is_dir():
        raise typer.BadParameter(
            f"expected a folder of catalog files, got {str(given)!r}", param_hint="--catalogs-dir"
        )
    found = load_catalogs(folder) if folder.is_dir() else {}
    return {**found, catalog.catalog: catalog}


def _write(rendered: RenderedQuote, output: Path) -> None:
    """Write the rendered quote to ``output`` (folders made); texts that fell back to another language to stderr."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(rendered.content, bytes):
        output.write_bytes(rendered.content)
    else:
        output.write_text(rendered.content, encoding="utf-8")
    for warning in rendered.warnings:
        _err().print(f"fallback: {warning}", markup=False)


def _best_quote(
    store: SqlStore,
    cat: Catalog,
    customer: str,
    *,
    budget: Decimal | None,
    requirements: tuple[str, ...],
    locale: str | None,
    country: str | None,
    quote_id: str | None,
    quantity: int,
    accept_repair: bool,
    others: dict[str, Catalog],
) -> Quote:
    """The customer's best quote; a refusal is printed on stderr and exits 2 (unknown customer) or 1."""
    from configurator.assembly.needs import transfer_for
    from configurator.errors import InvalidBundleError, NoFittingBundleError, UnknownCustomerError
    from configurator.quoting.build import describe_repair, quote_for_customer

    try:
        found = quote_for_customer(
            store,
            cat,
            customer,
            budget=budget,
            requirements=requirements,
            locale=locale,
            country=country,
            quote_id=quote_id,
            quantity=quantity,
            best=True,
            accept_repair=accept_repair,
            transfer=transfer_for(store, others, besides=cat.catalog) if len(others) > 1 else None,
        )
    except UnknownCustomerError as exc:
        _err().print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    except NoFittingBundleError as exc:
        _err().print(f"error: {exc}", markup=False)
        if exc.repair is not None:
            _err().print(
                f"proposed repair: {describe_repair(exc.repair, cat.currency)} "
                "(or pass --accept-repair to quote the repaired bundle)",
                markup=False,
            )
        raise typer.Exit(1) from None
    except InvalidBundleError as exc:
        _err().print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    return found[0]
