"""The interactive terminal configurator behind ``configurator configure CATALOG``.

Commands (one per line): ``show``, ``select MODULE.OPTION [QTY]``, ``deselect MODULE.OPTION``,
``unset MODULE.OPTION``, ``why MODULE.OPTION``, ``complete [STRATEGY]``, ``repair``, ``count``, ``help``,
``quit``. Every step shows only choices that still extend to a valid configuration; a choice that cannot be
made is refused with its reason and the cheapest repair.

``complete`` fills every undecided module, keeping the choices made (:data:`STRATEGIES`):

- ``defaults`` (the default): each module's default options;
- ``recommended``: each module's recommended options; a module without a recommendation gets its default, else
  the cheapest valid option, else the first in catalog order (an optional module with none of these stays
  empty): never an arbitrary pick;
- ``cheapest``: the lowest list price;
- ``needs`` (a returning customer only): what their learned needs value most.

For a returning customer (``configure CATALOG --customer ID``) every undecided module also shows the option
their learned needs recommend among the valid ones, ``recommend`` lists the top three per module, and ``last``
starts from their last purchase or complete configuration of this catalog (each option that is still valid is
selected; the others are reported), so they never re-enter what we know.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.cli.output import out
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"label": {"en": "Frame"},
    ...                           "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> run_interactive(bike, None, out(), lines=["select frame.alu", "quit"])  # doctest: +ELLIPSIS
    bike 1: commands: show | select M.O [QTY] | ...
    frame (Frame): alu carbon
    frame (Frame): *alu
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from configurator.cli.output import out as _out
from configurator.cli.params import DatabaseOption, TenantOption, parse_date
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:
    from rich.console import Console

    from configurator.catalog.configuration import Configuration
    from configurator.catalog.models import Catalog
    from configurator.needs.catalog import CatalogNeedsView
    from configurator.needs.customer import CustomerNeeds
    from configurator.solver.session import ConfigurationSession
    from configurator.storage import SqlStore

__all__ = ["STRATEGIES", "Returning", "configure", "returning_customer", "run_interactive"]

STRATEGIES = {
    "defaults": "each module's default options",
    "recommended": (
        "each module's recommended options; else its default, else the cheapest valid option, "
        "else the first in catalog order"
    ),
    "cheapest": "the lowest list price",
    "needs": "what a returning customer's learned needs value most (with --customer)",
}
"""The strategies of ``complete``, with what each fills the undecided modules with."""
HELP = (
    "commands: show | select M.O [QTY] | deselect M.O | unset M.O | why M.O | "
    "complete [defaults|recommended|cheapest|needs] | repair | count | help | quit"
)
HELP_RETURNING = " | recommend | last"
TIP_AT_LEAST = 0.3
"""A module shows a recommendation only when its best option is at least this likely, and not tied."""


@dataclasses.dataclass(frozen=True)
class Returning:
    """What we know of a returning customer: their learned needs and their last configuration of the catalog."""

    customer_id: str
    view: CatalogNeedsView
    needs: CustomerNeeds
    last: Mapping[str, Mapping[str, int]] | None = None


def _split(target: str) -> tuple[str, str]:
    module, _, option = target.partition(".")
    if not option:
        raise ConfiguratorError(f"expected MODULE.OPTION, got {target!r}")
    return module, option


def returning_customer(store: SqlStore, customer_id: str, catalog: Catalog) -> Returning:
    """A stored customer's learned needs for the catalog and their last purchase or complete configuration of it.

    Raises:
        ConfiguratorError: the customer is unknown to the store (with the nearest known id).
    """
    from configurator.assembly.needs import CatalogNeedsView, needs_for
    from configurator.customers.events import Configured, Purchased
    from configurator.customers.identity import canonical_id
    from configurator.errors import suggest

    if canonical_id(store, customer_id) is None:
        known = [p.customer_id for p in store.canonical_profiles()]
        hint = suggest(customer_id, known)
        raise ConfiguratorError(
            f"unknown customer {customer_id!r} in tenant {store.tenant!r}" + (f" ({hint})" if hint else "")
        )
    view = CatalogNeedsView(catalog)
    needs = needs_for(store, store.tenant, customer_id, catalog, view=view)
    last: Mapping[str, Mapping[str, int]] | None = None
    events = store.customer_events(customer_id) if needs.profiling else []
    for event in reversed(events):
        if isinstance(event, Purchased):
            lines = [x for x in event.lines if x.catalog == catalog.catalog and x.selections]
            if lines:
                last = lines[0].selections
                break
        if isinstance(event, Configured) and event.catalog == catalog.catalog and event.complete:
            last = event.selections
            break
    return Returning(customer_id, view, needs, last)


def _recommended(
    session: ConfigurationSession, returning: Returning | None
) -> dict[str, list[tuple[str, float]]]:
    if returning is None:
        return {}
    from configurator.assembly.needs import recommendations

    return recommendations(session, returning.view, returning.needs)


def _show(session: ConfigurationSession, console: Console, returning: Returning | None = None) -> None:
    domains = session.domains()
    chosen = {c.key: c for c in session.choices}
    cat = session.catalog
    advice = _recommended(session, returning)
    for module, options in domains.items():
        marks = []
        for option in options:
            key = f"{module}.{option}"
            flag = "*" if key in chosen and chosen[key].selected else " "
            marks.append(f"{flag}{option}")
        label = cat.text(cat.modules[module].label, None, module)
        tip = ""
        ranked = advice.get(module, [])
        if (
            ranked
            and ranked[0][1] >= TIP_AT_LEAST
            and (len(ranked) == 1 or ranked[0][1] > ranked[1][1] + 1e-9)
        ):
            best, p = ranked[0]
            tip = f"  <- for you: {best} ({p:.0%})"
        console.print(
            f"{module} ({label}): {' '.join(marks) if marks else '(nothing possible)'}{tip}", markup=False
        )


def _apply_last(session: ConfigurationSession, console: Console, returning: Returning | None) -> None:
    if returning is None or not returning.last:
        console.print("no earlier configuration of this catalog", markup=False)
        return
    kept, dropped = [], []
    for module, options in returning.last.items():
        for option, qty in options.items():
            if qty <= 0:
                continue
            if module in session.catalog.modules and session.why(module, option) is None:
                session.select(module, option, qty if qty > 1 else None)
                kept.append(f"{module}.{option}")
            else:
                dropped.append(f"{module}.{option}")
    console.print(f"as last time: {', '.join(kept) or '-'}", markup=False)
    if dropped:
        console.print(f"no longer possible: {', '.join(dropped)}", markup=False)


def _select(session: ConfigurationSession, console: Console, args: list[str]) -> bool:
    """``select MODULE.OPTION [QTY]``: select it, or refuse it with the reason and the repair that allows it.

    Returns:
        Whether the option was selected.
    """
    module, option = _split(args[0])
    qty = int(args[1]) if len(args) > 1 else None
    reason = session.why(module, option)
    if reason is None:
        session.select(module, option, qty)
        return True
    console.print(
        f"{module}.{option} is not possible: choices {', '.join(reason.choices) or '-'}; "
        f"rules {', '.join(reason.constraints) or '-'}",
        markup=False,
    )
    session.select(module, option, qty)
    wanted = f"{module}.{option}"
    # the choice just asked for outweighs all the others: the repair must keep it
    fix = session.repair({wanted: len(session.choices)})
    session.unset(module, option)
    if fix is not None and fix.drop and wanted not in fix.drop:
        console.print(f"to choose it, give up: {', '.join(fix.drop)}", markup=False)
    return False


def _complete(
    session: ConfigurationSession, strategy: str, returning: Returning | None
) -> Configuration | None:
    """``complete STRATEGY``: one of :data:`STRATEGIES`; ``needs`` weighs options by the customer's needs."""
    if strategy not in STRATEGIES:
        raise ConfiguratorError(f"unknown completion strategy {strategy!r}; use {', '.join(STRATEGIES)}")
    if strategy != "needs":
        return session.complete(strategy)
    if returning is None:
        raise ConfiguratorError("complete needs is for a returning customer: start with --customer ID")
    from configurator.assembly.needs import weights_for

    chosen: dict[str, dict[str, int]] = {}
    for c in session.choices:
        chosen.setdefault(c.module, {})[c.option] = (c.qty or 1) if c.selected else 0
    return session.complete(weights_for(returning.view, returning.needs, partial_selections=chosen))


def run_interactive(
    catalog: Catalog,
    on: dt.date | None,
    console: Console,
    lines: Iterable[str] | None = None,
    prompt: Callable[[], str] | None = None,
    returning: Returning | None = None,
) -> None:
    """Run the configurator loop over ``lines`` (default: standard input) until ``quit`` or end of input."""
    from configurator.solver.session import ConfigurationSession

    session = ConfigurationSession(catalog, on=on)
    usage = HELP + (HELP_RETURNING if returning is not None else "")
    who = f" for {returning.customer_id}" if returning is not None else ""
    console.print(f"{catalog.catalog} {catalog.version}{who}: {usage}", markup=False)
    source = iter(lines) if lines is not None else (line for line in sys.stdin)
    _show(session, console, returning)
    for raw in source:
        words = raw.split()
        if not words:
            continue
        command, args = words[0].lower(), words[1:]
        try:
            if command in ("quit", "exit", "q"):
                break
            if command == "help":
                console.print(usage, markup=False)
            elif command == "show":
                _show(session, console, returning)
            elif command == "recommend" and returning is not None:
                for module, ranked in _recommended(session, returning).items():
                    top = ", ".join(f"{option} ({p:.0%})" for option, p in ranked[:3])
                    console.print(f"{module}: {top}", markup=False)
            elif command == "last" and returning is not None:
                _apply_last(session, console, returning)
                _show(session, console, returning)
            elif command == "select" and args:
                if _select(session, console, args):
                    _show(session, console, returning)
            elif command == "deselect" and args:
                session.deselect(*_split(args[0]))
                _show(session, console, returning)
            elif command == "unset" and args:
                session.unset(*_split(args[0]))
                _show(session, console, returning)
            elif command == "why" and args:
                reason = session.why(*_split(args[0]))
                console.print(
                    "possible"
                    if reason is None
                    else f"blocked by choices {', '.join(reason.choices) or '-'}; "
                    f"rules {', '.join(reason.constraints) or '-'}",
                    markup=False,
                )
            elif command == "complete":
                config = _complete(session, args[0] if args else "defaults", returning)
                if config is None:
                    console.print("no valid completion", markup=False)
                else:
                    for module, option, qty in config.items():
                        console.print(f"{module}.{option}" + (f" x{qty}" if qty > 1 else ""), markup=False)
            elif command == "repair":
                fix = session.repair()
                console.print(
                    "nothing to repair" if fix is None or not fix.drop else f"give up: {', '.join(fix.drop)}",
                    markup=False,
                )
            elif command == "count":
                console.print(str(session.count()), markup=False)
            else:
                console.print(f"unknown command {raw.strip()!r}; {usage}", markup=False)
        except (ConfiguratorError, ValueError) as exc:
            console.print(f"error: {exc}", markup=False)


def configure(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    on: Annotated[str | None, typer.Option(help="Date for effective dates (default: today).")] = None,
    customer: Annotated[
        str | None,
        typer.Option(help="A stored customer: recommendations for them, and 'last' to start as before."),
    ] = None,
    database: DatabaseOption = None,
    tenant: TenantOption = None,
) -> None:
    """Configure interactively: shows valid choices, explains conflicts, offers repairs.

    \b
    complete [STRATEGY] fills every undecided module, keeping your choices:
      defaults     each module's default options (when no strategy is given)
      recommended  each module's recommended options; a module without one gets
                   its default, else the cheapest option, else its first option
      cheapest     the lowest list price
      needs        what the customer's learned needs value most (with --customer)
    """
    from configurator.catalog.loader import load_catalog

    loaded = load_catalog(catalog)
    returning = None
    if customer is not None:
        from configurator.settings import get_settings
        from configurator.storage import SqlStore, ensure_schema

        store = SqlStore(ensure_schema(database), tenant or get_settings().tenant)
        returning = returning_customer(store, customer, loaded)
    run_interactive(loaded, parse_date(on), _out(), returning=returning)
