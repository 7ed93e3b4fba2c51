"""Why each option of an assembled bundle fits this customer: one :class:`~configurator.offer.reasons.Reason` each.

The first rule that applies gives the reason of a chosen option (``because``):

1. ``stated``: the customer asked for it (a requirement of the request, detail ``source: request``) or stated
   it as a hard need (the events).
2. ``tier``: the tier's growth policy added it (detail ``policy: upgrade``).
3. ``budget``: the budget traded it off: the optimum without the budget had ``instead_of`` in this module, and
   this choice ``saves`` that much at list price.
4. ``required``: the rules leave no other option in its module once the hard choices are made.
5. ``purchased`` / ``configured`` / ``viewed``: the customer's history, with the event ids behind it (the
   strongest kind: stated, purchased, configured or quoted, viewed).

A reason citing events carries the date of the latest one as ``detail["at"]`` (ISO), so that a quote can say
what the customer did in words and dates ("you chose it in March 2026") instead of citing internal ids.
6. ``default``: the catalog's default, preferred by the tier's low-cost policy (detail ``tier``).
7. ``popular``: the population's most frequent choice (detail ``share``).
8. ``default``: the catalog's default.
9. ``tier``: the tier's trade-off of needs and price picked it (detail ``policy: best_fit``).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.needs.customer import CustomerNeeds, Evidence
    >>> from configurator.needs.catalog import CatalogNeedsView
    >>> cat = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
    ...                 "bell": {"default": "ding", "options": {"ding": {}, "dong": {}}}}})
    >>> view = CatalogNeedsView(cat)
    >>> seen = Evidence("frame", 2, "viewed", "v1", ts=dt.datetime(2026, 3, 14, tzinfo=dt.UTC))
    >>> needs = CustomerNeeds(view.fit_population([])).observe(seen)
    >>> explainer = Explainer(cat, view, needs, evidence=(seen,))
    >>> [(r.option, r.because, r.events) for r in explainer.reasons(Configuration({"frame": {"carbon": 1},
    ...     "bell": {"ding": 1}}))]
    [('carbon', 'viewed', ('v1',)), ('ding', 'popular', ())]
    >>> explainer.reasons(Configuration({"frame": {"carbon": 1}}))[0].detail
    {'at': '2026-03-14'}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds, Evidence
from configurator.offer.lines import price_lines
from configurator.offer.reasons import Reason

__all__ = ["EVIDENCE_ORDER", "Explainer", "module_amounts"]

EVIDENCE_ORDER: Mapping[str, tuple[int, str]] = {
    "stated": (0, "stated"),
    "purchased": (1, "purchased"),
    "configured": (2, "configured"),
    "quote_requested": (2, "configured"),
    "viewed": (3, "viewed"),
    "transferred": (4, "transferred"),
}
"""Positive evidence kinds, strongest first, and the ``because`` they give (rejections and returns give none)."""


def module_amounts(catalog: Catalog, configuration: Configuration) -> dict[str, Decimal]:
    """The list-price amount of each top-level module, its sub-assemblies' options included."""
    amounts: dict[str, Decimal] = {}
    for line in price_lines(catalog, configuration):
        module = line.path.split(".", 1)[0] if line.path else line.module
        amounts[module] = amounts.get(module, Decimal(0)) + line.amount
    return amounts


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


class Explainer:
    """Reasons for the options of bundles assembled for one customer from one request.

    Args:
        catalog: the catalog.
        view: the catalog's needs view.
        needs: the customer's needs.
        evidence: the customer's evidence (kinds of the events behind each option); none when profiling is off.
        requested: ``module.option`` keys the request asked for.
        stated: ``module.option`` keys of hard stated needs, with their event ids.
        forced: ``module.option`` keys the rules force once the hard choices are made.
        reference: the optimum without the budget, when the budget was binding.
        low_cost_tier: the tier whose policy prefers the catalog's defaults, if it does.
    """

    def __init__(
        self,
        catalog: Catalog,
        view: CatalogNeedsView,
        needs: CustomerNeeds,
        *,
        evidence: Collection[Evidence] = (),
        requested: Collection[str] = (),
        stated: Mapping[str, tuple[str, ...]] | None = None,
        forced: Collection[str] = (),
        reference: Configuration | None = None,
        low_cost_tier: str | None = None,
    ) -> None:
        self.catalog = catalog
        self.view = view
        self.needs = needs
        self.requested = set(requested)
        self.stated = dict(stated or {})
        self.forced = set(forced)
        self.reference = reference
        self.low_cost_tier = low_cost_tier
        self._reference_amounts = module_amounts(catalog, reference) if reference is not None else {}
        self._kinds: dict[tuple[str, int], dict[str, str]] = {}
        self._when: dict[str, dt.date] = {
            signal.source: signal.ts.date() for signal in evidence if signal.source and signal.ts is not None
        }
        if needs.profiling:
            for signal in evidence:
                if signal.kind in EVIDENCE_ORDER and signal.source:
                    self._kinds.setdefault((signal.variable, signal.value), {})[signal.source] = signal.kind

    def reasons(
        self, configuration: Configuration, *, upgrade_of: Configuration | None = None
    ) -> tuple[Reason, ...]:
        """One reason per selected top-level option of ``configuration``, in catalog order.

        Args:
            configuration: the bundle.
            upgrade_of: for a growth bundle, the best fit it grows: what it adds or changes is ``tier``.
        """
        amounts = module_amounts(self.catalog, configuration) if self.reference is not None else {}
        out: list[Reason] = []
        for module, mod in self.catalog.modules.items():
            for option in mod.options:
                if configuration.quantity(module, option) > 0:
                    out.append(self._dated(self._reason(module, option, configuration, amounts, upgrade_of)))
        return tuple(out)

    def _dated(self, reason: Reason) -> Reason:
        """The reason with the date of the latest event it cites (``detail["at"]``), when one is known."""
        dates = [self._when[e] for e in reason.events if e in self._when]
        if not dates:
            return reason
        return dataclasses.replace(reason, detail={**reason.detail, "at": max(dates).isoformat()})

    def _reason(
        self,
        module: str,
        option: str,
        configuration: Configuration,
        amounts: Mapping[str, Decimal],
        upgrade_of: Configuration | None,
    ) -> Reason:
        key = f"{module}.{option}"
        if key in self.requested:
            return Reason(module, option, "stated", (), {"source": "request"})
        if key in self.stated:
            return Reason(module, option, "stated", self.stated[key], {"source": "stated_need"})
        if upgrade_of is not None and upgrade_of.quantity(module, option) == 0:
            replaced = [o for o, q in upgrade_of.selections.get(module, {}).items() if q > 0]
            detail = {"policy": "upgrade"} | ({"instead_of": ",".join(replaced)} if replaced else {})
            return Reason(module, option, "tier", (), detail)
        traded = self._traded(module, configuration, amounts)
        if traded is not None:
            return Reason(module, option, "budget", (), traded)
        if key in self.forced:
            return Reason(module, option, "required", (), {"rule": "only valid option"})
        variable, value = self.view.variable_of(module, option)
        kinds = self._kinds.get((variable, value), {})
        cited = sorted(e for e in set(self.needs.why(variable, value)) if e in kinds)
        if cited:
            strongest = min((EVIDENCE_ORDER[kinds[e]] for e in cited), key=lambda k: k[0])[1]
            return Reason(module, option, strongest, tuple(cited))
        defaults = self.catalog.modules[module].default
        if self.low_cost_tier is not None and option in defaults:
            return Reason(module, option, "default", (), {"tier": self.low_cost_tier})
        share = self._share(variable, value)
        if share is not None:
            return Reason(module, option, "popular", (), {"share": f"{share:.2f}"})
        if option in defaults:
            return Reason(module, option, "default")
        return Reason(module, option, "tier", (), {"policy": "best_fit"})

    def _traded(
        self, module: str, configuration: Configuration, amounts: Mapping[str, Decimal]
    ) -> dict[str, str] | None:
        """The budget trade-off in ``module`` against the optimum without budget, when this choice saves."""
        if self.reference is None:
            return None
        before = {o for o, q in self.reference.selections.get(module, {}).items() if q > 0}
        now = {o for o, q in configuration.selections.get(module, {}).items() if q > 0}
        if before == now or not before - now:
            return None
        saves = self._reference_amounts.get(module, Decimal(0)) - amounts.get(module, Decimal(0))
        if saves <= 0:
            return None
        order = list(self.catalog.modules[module].options)
        instead = sorted(before - now, key=order.index)
        return {"instead_of": ",".join(instead), "saves": _money(saves)}

    def _share(self, variable: str, value: int) -> float | None:
        """The population's share of ``value`` when it is the most frequent one (None otherwise)."""
        dist = self.needs.population.distribution(variable, {})
        share = dist.get(value, 0.0)
        if share <= 0 or share < max(dist.values()):
            return None
        return share
