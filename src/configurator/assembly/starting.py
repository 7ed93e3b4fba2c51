"""A returning customer's session starts from what we know: their last configuration, adapted to the catalog now.

:func:`last_configuration` finds the customer's latest configuration of a catalog: an order line with its
selections, or a complete configuration they made (the later of the two). :func:`start_from` makes those
choices in a fresh session, one by one in the catalog's module order, and says what changed on the way:

- an option the catalog no longer offers (withdrawn in a later version) is left out (``withdrawn``);
- an option that no longer goes with the choices made before it (a rule changed) is left out (``conflict``).

What stays is a valid start: the session is feasible afterwards. The number of choices made for the customer
is what they do not have to enter again. A customer who objected to profiling starts blank (their history is
not used to personalise).

Example:
    >>> import datetime as dt
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> from configurator.solver.session import ConfigurationSession
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "2", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"options": {"hub": {}, "mid": {}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> _ = store.write_events([validate_event({"event_id": "o1", "type": "purchased", "customer_id": "ann",
    ...     "channel": "store", "ts": "2026-03-03T10:00:00Z", "order_id": "o1", "margin": 100, "lines": [
    ...     {"item": "bike", "catalog": "bike", "unit_price": 900,
    ...      "selections": {"frame": {"carbon": 1}, "motor": {"hub": 1}}}]}, tenant="shop")])
    >>> found = last_configuration(store, "ann", bike)
    >>> found.kind, found.at.date(), found.selections
    ('purchased', datetime.date(2026, 3, 3), {'frame': {'carbon': 1}, 'motor': {'hub': 1}})
    >>> session = ConfigurationSession(bike)
    >>> report = start_from(session, found)
    >>> report.kept, [(c.key, c.reason) for c in report.changes]
    (('frame.carbon',), [('motor.hub', 'conflict')])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Literal

from configurator.assembly.ports import NeedsStore
from configurator.catalog.models import Catalog
from configurator.customers.consent import consent_status
from configurator.customers.events import Configured, Purchased
from configurator.customers.identity import canonical_id
from configurator.errors import ConfigurationError
from configurator.solver.session import ConfigurationSession

__all__ = ["Change", "LastConfiguration", "StartReport", "last_configuration", "start_from"]


@dataclasses.dataclass(frozen=True)
class LastConfiguration:
    """The customer's latest configuration of a catalog and where it comes from.

    Attributes:
        kind: ``purchased`` (an order line) or ``configured`` (a complete configuration they made).
        at: when.
        event_id: the event it comes from (for the rep's audit, never shown to the customer).
        selections: ``module -> {option: quantity}``.
    """

    kind: Literal["purchased", "configured"]
    at: dt.datetime
    event_id: str
    selections: Mapping[str, Mapping[str, int]]


@dataclasses.dataclass(frozen=True)
class Change:
    """A choice of the last configuration that could not be carried over, and why."""

    key: str
    reason: Literal["withdrawn", "conflict"]


@dataclasses.dataclass(frozen=True)
class StartReport:
    """What a session started from: the choices made for the customer and those left out."""

    source: LastConfiguration
    kept: tuple[str, ...]
    changes: tuple[Change, ...]


def last_configuration(store: NeedsStore, customer_id: str, catalog: Catalog) -> LastConfiguration | None:
    """The customer's latest order line or complete configuration of ``catalog``; None when there is none.

    None too for an unknown customer and for one who objected to profiling.
    """
    if canonical_id(store, customer_id) is None or not consent_status(store, customer_id)["profiling"]:
        return None
    found: LastConfiguration | None = None
    for event in store.customer_events(customer_id):  # oldest first: the last one found wins
        if isinstance(event, Purchased):
            for line in event.lines:
                if line.catalog == catalog.catalog and line.selections:
                    found = LastConfiguration("purchased", event.ts, event.event_id, line.selections)
        elif isinstance(event, Configured) and event.catalog == catalog.catalog and event.complete:
            found = LastConfiguration("configured", event.ts, event.event_id, event.selections)
    return found


def start_from(session: ConfigurationSession, source: LastConfiguration) -> StartReport:
    """Make the last configuration's choices in ``session`` (module by module), leaving out what no longer fits.

    Why one pass in catalog order: each choice is checked against the options still valid given the choices
    before it (the session's exact domains), so the start stays feasible and a conflict is blamed on the later
    choice, the one the customer would have to change.
    """
    catalog = session.catalog
    kept: list[str] = []
    changes: list[Change] = []
    ordered = sorted(
        source.selections.items(),
        key=lambda item: (
            list(catalog.modules).index(item[0]) if item[0] in catalog.modules else len(catalog.modules)
        ),
    )
    for module, options in ordered:
        for option, qty in options.items():
            key = f"{module}.{option}"
            if qty <= 0:
                continue
            mod = catalog.modules.get(module)
            if mod is None or option not in mod.options:
                changes.append(Change(key, "withdrawn"))
                continue
            if option not in session.domains().get(module, ()):
                changes.append(Change(key, "conflict"))
                continue
            limits = mod.options[option].qty
            try:
                session.select(module, option, min(max(qty, limits.min), limits.max) if qty != 1 else None)
            except ConfigurationError:
                changes.append(Change(key, "conflict"))
                continue
            kept.append(key)
    return StartReport(source=source, kept=tuple(kept), changes=tuple(changes))
