"""Why a choice fits a customer: the "why this fits you" bullets of a quote.

The assembly layer explains each option of a bundle with a :class:`Reason`; quotes render them in the
customer's language.

Example:
    >>> Reason("frame", "alu_m", "purchased", ("ev-1",)).because
    'purchased'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

__all__ = ["Reason"]


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why a choice fits this customer (one bullet of the quote's "why this fits you").

    Attributes:
        module: module id.
        option: option id.
        because: ``stated`` (they asked for it), ``purchased`` / ``configured`` / ``viewed`` (their history),
            ``transferred`` (it matches what they bought from other catalogs),
            ``popular`` (people like them chose it), ``required`` (the rules or their requirements forced it),
            ``budget`` (traded off to fit the budget), ``tier`` (their tier's policy) or ``default``.
        events: ids of the events behind it (empty for population, rules and defaults).
        detail: values the template may show (e.g. ``{"instead_of": "carbon_m", "saves": "770.00"}``).
    """

    module: str
    option: str
    because: str
    events: tuple[str, ...] = ()
    detail: Mapping[str, str] = dataclasses.field(default_factory=dict)
