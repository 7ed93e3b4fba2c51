"""Words for the machine codes the API sends to people: budget verdicts, bundle roles, reason kinds, price lines.

The codes stay in the API; each gets a translated label beside it, looked up in the gettext catalogs of the
quotes (``configurator/quoting/locale``), so one word means one thing in every language (the ``.po`` files note
the choices, e.g. Portuguese *proposta* for a quote and *orçamento* for a budget). An unknown code is answered
with itself and recorded as a fallback by the translator. Tiers, channels and the customer's events are worded
by the customer overview.

Example:
    >>> from configurator.quoting.i18n import Translator
    >>> tr = Translator("pt")
    >>> label(tr, VERDICTS, "over"), label(tr, REASON_KINDS, "purchased")
    ('Acima do orçamento', 'Já o comprou')
    >>> budget_gap(tr, Decimal("5000"), Decimal("5420.83"), "EUR")
    ('over', 'Acima do orçamento', '420,83\\xa0€ acima do orçamento')
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from configurator.quoting.i18n import Translator

__all__ = [
    "BUNDLE_ROLES",
    "LINE_KINDS",
    "REASON_KINDS",
    "VERDICTS",
    "budget_gap",
    "label",
]


def N_(msgid: str) -> str:
    """Mark a message for extraction (Babel) without translating it here."""
    return msgid


VERDICTS: Mapping[str, str] = {"fit": N_("Within budget"), "over": N_("Over budget")}
"""The budget verdicts of a price or bundle (codes ``fit``, ``over``)."""

BUNDLE_ROLES: Mapping[str, str] = {
    "fit": N_("Within budget"),
    "upgrade": N_("A step up"),
    "repaired": N_("Adjusted to your choices"),
    "over_budget": N_("Over budget"),
    "repeat": N_("Same as last time"),
    "next_best": N_("Suggested next"),
}
"""Why a bundle is proposed (:attr:`~configurator.assembly.assemble.AssembledBundle.role`)."""

REASON_KINDS: Mapping[str, str] = {
    "stated": N_("You asked for it"),
    "purchased": N_("You bought it before"),
    "configured": N_("You configured it before"),
    "viewed": N_("You looked at it"),
    "transferred": N_("Like what you chose in our other products"),
    "popular": N_("Popular with customers like you"),
    "required": N_("Needed by your other choices"),
    "budget": N_("Keeps the price within your budget"),
    "tier": N_("Suggested for you"),
    "default": N_("Our standard choice"),
}
"""The kinds of reason an option fits (:attr:`~configurator.offer.reasons.Reason.because`)."""

LINE_KINDS: Mapping[str, str] = {
    "option": N_("Option"),
    "service": N_("Service"),
    "discount": N_("Discount"),
    "tax": N_("Tax"),
}
"""The kinds of line of a running price."""

_GAPS = {
    "fit": N_("%(amount)s under budget"),
    "over": N_("%(amount)s over budget"),
}


def label(tr: Translator, table: Mapping[str, str], code: str) -> str:
    """The translated label of ``code`` in ``table``; the code itself when the table does not know it.

    Example:
        >>> from configurator.quoting.i18n import Translator
        >>> label(Translator("sv"), REASON_KINDS, "viewed"), label(Translator("en"), BUNDLE_ROLES, "gold")
        ('Du har tittat på det', 'gold')
    """
    msgid = table.get(code)
    if msgid is None:
        return tr.text(None, f"label {code!r}", code)
    return tr.gettext(msgid)


def budget_gap(tr: Translator, budget: Decimal, total: Decimal, currency: str) -> tuple[str, str, str]:
    """The verdict of ``total`` against ``budget``: code, label and the gap in words (money in the locale).

    Example:
        >>> from configurator.quoting.i18n import Translator
        >>> budget_gap(Translator("en"), Decimal(5000), Decimal("4999.50"), "EUR")
        ('fit', 'Within budget', '€0.50 under budget')
    """
    verdict = "fit" if total <= budget else "over"
    gap = tr.money(abs(budget - total), currency)
    return verdict, tr.gettext(VERDICTS[verdict]), tr.gettext(_GAPS[verdict], amount=gap)
