"""Learned needs in catalog terms: need variables of a catalog, events as evidence, utilities per option.

:class:`CatalogNeedsView` maps one :class:`~configurator.catalog.models.Catalog` onto the variables the needs
models of :mod:`configurator.needs` learn over:

- one variable per single-choice module (at most one option), named after the module, with the values
  ``0`` (none, only when the module is optional) and ``1..n`` (its options in catalog order);
- one variable per option of a multi-choice module, named ``module.option``, with the values ``0`` and ``1``
  (quantities are not needs: two racks are one need for racks).

It turns configurations (``{module: {option: qty}}``) into rows (:meth:`~CatalogNeedsView.row`) and back
(:meth:`~CatalogNeedsView.selections`), stored events into :class:`~configurator.needs.customer.Evidence`
(:meth:`~CatalogNeedsView.evidence`), sales into the rows a population model is fitted on
(:meth:`~CatalogNeedsView.population_rows`), and a customer's learned preferences into utilities per
``module.option`` (:meth:`~CatalogNeedsView.option_weights`), which ``configurator.assembly.needs`` hands to
the solver as ``Weights``.

Events and what they say about this catalog (events of other catalogs say nothing):

==============================  =====================================================================
event                           evidence
==============================  =====================================================================
``purchased``                   each line of this catalog with selections: every variable of the
                                complete configuration (unselected optional modules and multi-choice
                                options count as 0), kind ``purchased``
``configured``                  the configuration, kind ``configured``: every variable when
                                ``complete``, else only what was chosen (each choice counts as much)
``quote_requested``             what was chosen in its selections, kind ``quote_requested``
``viewed``                      an ``item`` of the form ``module.option``: kind ``viewed`` (product pages
                                say nothing about options)
``stated_need``                 ``option:module.option`` with value true, a positive number or no value:
                                kind ``stated`` scaled by the importance, a requirement (hard) when the
                                importance is 1; value false or 0: kind ``rejected``. Other needs
                                (``budget``, ``attribute:...``) are not option evidence (see
                                :meth:`~CatalogNeedsView.budget`)
``returned``                    each item of the form ``module.option`` of this catalog: kind ``returned``
==============================  =====================================================================

A stated need or a view without a ``catalog`` applies to every catalog that has that option; a return has no
catalog, so its items apply to every catalog that has their module. References the catalog does not know (an
unknown module or option in an event that names this catalog, a second option of a single-choice module) are
skipped and counted in :attr:`CatalogNeedsView.skipped` (event logs outlive catalog versions: an option
withdrawn last year must not stop this year's recommendations); pass ``strict=True`` to raise
:class:`~configurator.errors.ConfigurationError` instead, naming the event, the reference and the nearest
known id.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> from configurator.needs.customer import CustomerNeeds
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}},
    ...                 "extras": {"choose": "any", "options": {"bell": {}, "rack": {}}}}})
    >>> view = CatalogNeedsView(bike)
    >>> view.domains
    {'frame': (1, 2), 'motor': (0, 1, 2), 'extras.bell': (0, 1), 'extras.rack': (0, 1)}
    >>> view.row({"frame": {"carbon": 1}, "extras": {"rack": 2}})
    {'frame': 2, 'motor': 0, 'extras.bell': 0, 'extras.rack': 1}
    >>> view.option_of("frame", 2), view.option_of("motor", 0)
    (('frame', 'carbon'), None)
    >>> sale = {"event_id": "p1", "type": "configured", "customer_id": "c", "channel": "web",
    ...         "ts": "2026-01-01T00:00:00Z", "catalog": "bike", "complete": True}
    >>> sales = [validate_event({**sale, "selections": {"frame": "alu", "motor": "hub"}}, tenant="t")] * 3
    >>> population = view.fit_population(sales)
    >>> me = CustomerNeeds(population).observe(*view.evidence(validate_event({
    ...     "event_id": "n1", "type": "stated_need", "customer_id": "c", "channel": "phone",
    ...     "ts": "2026-02-01T00:00:00Z", "need": "option:frame.carbon", "importance": 1}, tenant="t")))
    >>> weights = view.option_weights(me)
    >>> max(("frame.alu", "frame.carbon"), key=weights.__getitem__), view.explain(me, "frame", "carbon")
    ('frame.carbon', ['n1'])
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from configurator.catalog.models import Catalog
from configurator.customers.events import (
    Configured,
    Event,
    Purchased,
    QuoteRequested,
    Returned,
    StatedNeed,
    Viewed,
)
from configurator.errors import ConfigurationError, suggest
from configurator.needs.customer import CustomerNeeds, Evidence
from configurator.needs.models import MostFrequentNeeds, NeedsModel
from configurator.needs.network import BayesianNetworkNeeds

__all__ = ["CONFIGURED_PARTIAL_IMPORTANCE", "CatalogNeedsView"]

CONFIGURED_PARTIAL_IMPORTANCE = 1.0
"""Importance of a partial configuration's choices (a complete one's count 1, as a quote request's do).

A choice is a choice whether or not the rest was configured. At half importance, customers who record only
partial configurations (the simulated ``partial`` scenario, e-bike, 200 customers x 3 purchases, seed 1) got
first proposals needing 5.14 / 4.50 edits at purchases 2 / 3, behind the per-module majority of their own
records at purchase 3 (4.40); at 1, 4.58 / 3.50."""

Selections = Mapping[str, Mapping[str, int]]
_Report = Callable[[str], None]


class CatalogNeedsView:
    """The need variables of one catalog, and the translations between events, rows and option utilities.

    Args:
        catalog: the catalog.

    Attributes:
        catalog: the catalog.
        variables: the need variables, in catalog order (modules, then their options).
        domains: the values of each variable (what population models are fitted with).
        skipped: how many references were skipped by :meth:`evidence` (not strict), by reason.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.skipped: collections.Counter[str] = collections.Counter()
        self.domains: dict[str, tuple[int, ...]] = {}
        self._single: dict[str, tuple[str, ...]] = {}
        self._optional: set[str] = set()
        self._multi: dict[tuple[str, str], str] = {}
        self._value: dict[tuple[str, str], tuple[str, int]] = {}
        for module, mod in catalog.modules.items():
            options = tuple(mod.options)
            if mod.max_choices <= 1:
                self._single[module] = options
                if mod.choose.min == 0:
                    self._optional.add(module)
                self.domains[module] = (
                    *((0,) if module in self._optional else ()),
                    *range(1, len(options) + 1),
                )
                for k, option in enumerate(options, 1):
                    self._value[(module, option)] = (module, k)
            else:
                for option in options:
                    name = f"{module}.{option}"
                    self._multi[(module, option)] = name
                    self.domains[name] = (0, 1)
                    self._value[(module, option)] = (name, 1)
        self.variables: tuple[str, ...] = tuple(self.domains)

    # -- variables ---------------------------------------------------------------------------------------

    def is_single(self, module: str) -> bool:
        """Whether ``module`` is one variable (single choice) rather than one variable per option."""
        return module in self._single

    def variable_of(self, module: str, option: str) -> tuple[str, int]:
        """The variable and value that mean ``module.option`` is selected.

        Raises:
            ConfigurationError: an unknown module or option (with the nearest known id).
        """
        found = self._value.get((module, option))
        if found is None:
            raise ConfigurationError(self._unknown(module, option))
        return found

    def option_of(self, variable: str, value: int) -> tuple[str, str] | None:
        """The ``(module, option)`` a variable's value selects; None for 0 (none, or not selected).

        Raises:
            ConfigurationError: an unknown variable or a value outside its domain.
        """
        domain = self.domains.get(variable)
        if domain is None:
            hint = suggest(variable, self.domains)
            raise ConfigurationError(
                f"unknown need variable {variable!r} of catalog {self.catalog.catalog!r}"
                + (f" ({hint})" if hint else "")
            )
        if value not in domain:
            raise ConfigurationError(f"need variable {variable!r}: expected one of {domain}, got {value!r}")
        if value == 0:
            return None
        if variable in self._single:
            return variable, self._single[variable][value - 1]
        module, _, option = variable.partition(".")
        return module, option

    def _unknown(self, module: str, option: str) -> str:
        where = f"catalog {self.catalog.catalog!r}"
        mod = self.catalog.modules.get(module)
        if mod is None:
            hint = suggest(module, self.catalog.modules)
            return f"unknown module {module!r} in {where}" + (f" ({hint})" if hint else "")
        hint = suggest(f"{module}.{option}", [f"{module}.{o}" for o in mod.options])
        return f"unknown option '{module}.{option}' in {where}" + (f" ({hint})" if hint else "")

    # -- rows ----------------------------------------------------------------------------------------------

    def row(self, selections: Selections, *, complete: bool = True) -> dict[str, int]:
        """A configuration's selections as a row ``{variable: value}``.

        Args:
            selections: quantity of each option by module (quantity 0: explicitly not selected).
            complete: the configuration is complete, so what is not selected is not wanted: optional
                single-choice modules without a selection are 0 and unselected multi-choice options are 0.
                A partial configuration gives only what was chosen (and explicit zeros of multi-choice
                options).

        Raises:
            ConfigurationError: an unknown module or option, or two options of a single-choice module.
        """
        return self._row(selections, complete, _raise)

    def _row(self, selections: Selections, complete: bool, report: _Report) -> dict[str, int]:
        found: dict[str, int] = {}
        for module, chosen in selections.items():
            if module not in self.catalog.modules:
                report(self._unknown(module, ""))
                continue
            picked: list[str] = []
            for option, qty in chosen.items():
                if (module, option) not in self._value:
                    report(self._unknown(module, option))
                elif qty > 0:
                    picked.append(option)
                elif module not in self._single:
                    found[self._multi[(module, option)]] = 0
            if module in self._single:
                if len(picked) > 1:
                    report(
                        f"module {module!r} of catalog {self.catalog.catalog!r} takes one option, "
                        f"got {len(picked)}: {', '.join(picked)}"
                    )
                elif picked:
                    found[module] = self._value[(module, picked[0])][1]
            else:
                for option in picked:
                    found[self._multi[(module, option)]] = 1
        if complete:
            for module in self._single:
                if module in self._optional and module not in found:
                    found[module] = 0
            for name in self._multi.values():
                found.setdefault(name, 0)
        return {name: found[name] for name in self.variables if name in found}

    def selections(self, row: Mapping[str, int]) -> dict[str, dict[str, int]]:
        """The selections of a row (the inverse of :meth:`row` for complete configurations; quantity 1).

        Raises:
            ConfigurationError: an unknown variable or a value outside its domain.
        """
        out: dict[str, dict[str, int]] = {}
        for variable, value in row.items():
            found = self.option_of(variable, value)
            if found is not None:
                out.setdefault(found[0], {})[found[1]] = 1
        return out

    def fit_population(
        self, events: Iterable[Event], model: NeedsModel | None = None, *, strict: bool = False
    ) -> NeedsModel:
        """A population model fitted on the sales among ``events`` (:meth:`population_rows`).

        Cold start of a catalog (no sales yet): :class:`~configurator.needs.models.MostFrequentNeeds`
        fitted on the catalog's defaults (each module's ``default`` options), so every value keeps some
        probability and customers' own evidence still counts.

        Args:
            events: the sales (e.g. a store's ``catalog_sales``); other events are ignored.
            model: an unfitted population model (default
                :class:`~configurator.needs.network.BayesianNetworkNeeds`: on the simulated shops its first
                proposals needed fewer edits than the kernel's, docs/simulate.md).
            strict: raise on unknown references instead of skipping them.
        """
        rows = self.population_rows(events, strict=strict)
        if not rows:
            return MostFrequentNeeds().fit([self.default_row()], self.domains)
        return (model or BayesianNetworkNeeds()).fit(rows, self.domains)

    def default_row(self) -> dict[str, int]:
        """The catalog's default configuration as a row (modules without a default are left out)."""
        chosen = {module: dict.fromkeys(mod.default, 1) for module, mod in self.catalog.modules.items()}
        single = {m: c for m, c in chosen.items() if m not in self._single or len(c) <= 1}
        return self.row(single)

    # -- events ---------------------------------------------------------------------------------------------

    def population_rows(self, events: Iterable[Event], *, strict: bool = False) -> list[dict[str, int]]:
        """One complete row per purchased line of this catalog and per complete configuration of it.

        Partial configurations, quotes and other catalogs' sales are left out.
        """
        rows: list[dict[str, int]] = []
        for event in events:
            report = self._reporter(event, strict)
            if isinstance(event, Purchased):
                for line in event.lines:
                    if line.catalog == self.catalog.catalog and line.selections:
                        rows.append(self._row(line.selections, True, report))
            elif isinstance(event, Configured) and event.complete and event.catalog == self.catalog.catalog:
                rows.append(self._row(event.selections, True, report))
        return [row for row in rows if row]

    def evidence(self, event: Event, *, strict: bool = False) -> list[Evidence]:
        """What one event says about this customer's needs in this catalog (table in the module docstring).

        Args:
            event: any event; events of other catalogs and other types give nothing.
            strict: raise on unknown references instead of skipping and counting them in :attr:`skipped`.

        Raises:
            ConfigurationError: with ``strict``, an event of this catalog naming an unknown module or option.
        """
        mine = self.catalog.catalog
        report = self._reporter(event, strict)
        source, ts = event.event_id, event.ts

        def signals(row: Mapping[str, int], kind: str, importance: float = 1.0) -> list[Evidence]:
            return [Evidence(v, value, kind, source, importance, ts=ts) for v, value in row.items()]

        if isinstance(event, Purchased):
            found: list[Evidence] = []
            for line in event.lines:
                if line.catalog == mine and line.selections:
                    found.extend(signals(self._row(line.selections, True, report), "purchased"))
            return found
        if isinstance(event, Configured):
            if event.catalog != mine:
                return []
            importance = 1.0 if event.complete else CONFIGURED_PARTIAL_IMPORTANCE
            return signals(self._row(event.selections, event.complete, report), "configured", importance)
        if isinstance(event, QuoteRequested):
            if event.catalog != mine or not event.selections:
                return []
            return signals(self._row(event.selections, False, report), "quote_requested")
        if isinstance(event, Viewed):
            if event.catalog not in (None, mine) or not event.item or "." not in event.item:
                return []
            ref = self._reference(event.item, named=event.catalog == mine, report=report)
            return [] if ref is None else [Evidence(*ref, "viewed", source, ts=ts)]
        if isinstance(event, StatedNeed):
            return self._stated(event, report)
        if isinstance(event, Returned):
            found = []
            for item in event.items:
                ref = self._reference(item, named=False, report=report)
                if ref is not None:
                    found.append(Evidence(*ref, "returned", source, ts=ts))
            return found
        return []

    def _stated(self, event: StatedNeed, report: _Report) -> list[Evidence]:
        if event.catalog not in (None, self.catalog.catalog) or not event.need.startswith("option:"):
            return []
        ref = self._reference(
            event.need.removeprefix("option:"), named=event.catalog is not None, report=report
        )
        if ref is None:
            return []
        value = event.value
        if value is None or value is True or (isinstance(value, int | float) and value > 0):
            kind = "stated"
        elif value is False or (isinstance(value, int | float) and value == 0):
            kind = "rejected"
        else:
            report(f"stated need {event.need!r}: expected true, false or a number, got {value!r}")
            return []
        hard = kind == "stated" and event.importance == 1
        return [Evidence(*ref, kind, event.event_id, event.importance, hard, event.ts)]

    def _reference(self, text: str, *, named: bool, report: _Report) -> tuple[str, int] | None:
        """The variable and value of ``module.option``; None when it is not this catalog's.

        ``named``: the event names this catalog, so an unknown module is reported rather than foreign.
        """
        module, dot, option = text.partition(".")
        if not dot or (module not in self.catalog.modules and not named):
            return None
        found = self._value.get((module, option))
        if found is None:
            report(self._unknown(module, option))
        return found

    def _reporter(self, event: Event, strict: bool) -> _Report:
        def report(reason: str) -> None:
            if strict:
                raise ConfigurationError(f"event {event.event_id!r} ({event.type}): {reason}")
            self.skipped[reason] += 1

        return report

    def budget(self, events: Iterable[Event]) -> Decimal | None:
        """The latest budget the customer stated for this catalog (a ``budget`` need with a number), or None.

        Needs without a catalog count for every catalog; the latest by timestamp, then event id, wins.
        """
        latest: tuple[dt.datetime, str, Decimal] | None = None
        for event in events:
            if (
                isinstance(event, StatedNeed)
                and event.need == "budget"
                and event.catalog in (None, self.catalog.catalog)
                and isinstance(event.value, int | float)
                and not isinstance(event.value, bool)
                and event.value > 0
            ):
                key = (event.ts, event.event_id, Decimal(str(event.value)))
                if latest is None or key[:2] > latest[:2]:
                    latest = key
        return None if latest is None else latest[2]

    # -- preferences -------------------------------------------------------------------------------------

    def option_weights(
        self, needs: CustomerNeeds, partial_selections: Selections | None = None
    ) -> dict[str, float]:
        """Utility of each ``module.option`` for this customer, from its learned preferences.

        The utilities are log-odds against a reference, from
        :meth:`~configurator.needs.customer.CustomerNeeds.preferences`. Single-choice module: ``log p(option) - log p(reference)``, where the reference is none for an optional
        module (positive: better than leaving the module out) and the most likely option for a required one
        (0 for the best, negative for the others). Multi-choice option: ``log p(1) - log p(0)``. Modules
        decided in ``partial_selections`` get no weights (the session fixes them).

        Raises:
            ConfigurationError: ``partial_selections`` names an unknown module or option.
        """
        partial = self.row(partial_selections, complete=False) if partial_selections else {}
        preferences = needs.preferences(partial)
        weights: dict[str, float] = {}
        for module, options in self._single.items():
            logs = preferences.get(module)
            if not logs:
                continue
            reference = logs[0] if 0 in logs else max(logs.values())
            for k, option in enumerate(options, 1):
                if k in logs:
                    weights[f"{module}.{option}"] = logs[k] - reference
        for name in self._multi.values():
            logs = preferences.get(name)
            if logs and 0 in logs and 1 in logs:
                weights[name] = logs[1] - logs[0]
        return weights

    def explain(self, needs: CustomerNeeds, module: str, option: str) -> list[str]:
        """The event ids behind this customer's preference for ``module.option`` (sorted; empty: population).

        Raises:
            ConfigurationError: an unknown module or option.
        """
        variable, value = self.variable_of(module, option)
        return sorted(set(needs.why(variable, value)))


def _raise(reason: str) -> None:
    raise ConfigurationError(reason)
