"""What the HTTP API takes from the wire: identifiers, locales and numbers, each checked at the boundary.

Nothing a request carries reaches the product unchecked. An identifier (customer id, quote number, catalog
id, order id, module or option) is normalised to Unicode NFC and refused when it is empty, longer than
:data:`MAX_ID_LENGTH` characters, or holds a control, format (invisible, e.g. the zero-width space U+200B),
private-use, unassigned or line/paragraph separator character. A locale is a plain language tag naming one
of the languages we ship (:data:`~configurator.quoting.i18n.LANGUAGES`), or a regional variant Babel
negotiates onto one (``pt_PT``, ``pt-BR``, ``sv_SE``); it is answered in the canonical form ``pt_BR``.
Anything else is refused, so a 422 ``invalid-request`` problem, never a file path or a 500. A configuration's
:data:`Selections` hold identifiers and quantities bounded alike, sub-assemblies included.

Example:
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(Identifier).validate_python("Cafe\\u0301-1")
    'Café-1'
    >>> TypeAdapter(Identifier).validate_python("c-1\\u200b")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for function-after[check_identifier(), ...
    ...
    >>> TypeAdapter(LocaleTag).validate_python("pt-BR"), TypeAdapter(LocaleTag).validate_python("sv")
    ('pt_BR', 'sv')
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from configurator.customers.events import DEFAULT_LIMITS
from configurator.quoting.i18n import supported_locale

__all__ = [
    "MAX_ID_LENGTH",
    "MAX_MONEY",
    "MAX_QUANTITY",
    "MAX_REQUIREMENTS",
    "MAX_SELECTIONS",
    "MAX_VERSION",
    "CountryCode",
    "Identifier",
    "LocaleTag",
    "Money",
    "PositiveMoney",
    "Quantity",
    "Requirement",
    "Selections",
    "ShortIdentifier",
    "SubAssemblySelection",
    "SubConfiguration",
    "Version",
    "check_identifier",
    "check_locale",
    "nfc",
    "plain_selections",
]

MAX_ID_LENGTH = 200
"""Most characters of an identifier (customer id, quote number, catalog id, order id, module, option)."""

MAX_MONEY = DEFAULT_LIMITS.max_money
"""Largest amount of money (budget, margin) a request may carry, in the currency's units: the same bound as
events at ingestion (:class:`configurator.customers.events.EventLimits`), so an accepted quote always writes a
valid purchase."""

MAX_QUANTITY = 100_000
"""Largest quantity of a quote or of an option in a configuration."""

MAX_VERSION = 1_000_000
"""Largest quote version a request may name."""

MAX_REQUIREMENTS = 100
"""Most requirements (``module.option``, ``!module.option``) one bundle or quote request carries."""

MAX_SELECTIONS = 1000
"""Most modules one configuration's selections name."""

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def nfc(value: object) -> object:
    """A string in Unicode NFC (anything else unchanged, for the schema to refuse).

    Example:
        >>> nfc("e\\u0301") == "\\u00e9", nfc(3)
        (True, 3)
    """
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def check_identifier(value: str) -> str:
    """``value`` when it is a usable identifier; raises ValueError naming the first refused character.

    Example:
        >>> check_identifier("Q-2026-0001")
        'Q-2026-0001'
        >>> check_identifier("Q\\x07")
        Traceback (most recent call last):
        ...
        ValueError: identifier holds a control or invisible character U+0007 at position 2
    """
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ValueError(
                f"identifier holds a control or invisible character U+{ord(char):04X} at position {position}"
            )
    return value


def check_locale(value: str) -> str:
    """The canonical form of a locale we ship (``pt-BR`` -> ``pt_BR``); raises ValueError for any other.

    Example:
        >>> check_locale("sv_SE")
        'sv_SE'
        >>> check_locale("../../tmp/x")
        Traceback (most recent call last):
        ...
        ValueError: unsupported locale: use one of en, pt, es, sv (or a regional variant such as pt_PT)
    """
    found = supported_locale(value)
    if found is None:
        raise ValueError(
            "unsupported locale: use one of en, pt, es, sv (or a regional variant such as pt_PT)"
        )
    return found


Identifier = Annotated[
    str,
    BeforeValidator(nfc),
    Field(min_length=1, max_length=MAX_ID_LENGTH),
    AfterValidator(check_identifier),
]
"""An identifier from a path or a body: NFC, 1 to :data:`MAX_ID_LENGTH` characters, nothing invisible."""

ShortIdentifier = Annotated[Identifier, Field(max_length=64)]
"""An identifier we store as a key (quote number, order id): at most 64 characters."""

Requirement = Annotated[
    str,
    BeforeValidator(nfc),
    Field(min_length=1, max_length=2 * MAX_ID_LENGTH + 2),
    AfterValidator(check_identifier),
]
"""A requirement (``module.option`` or ``!module.option``), checked like an identifier."""

CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
"""An ISO 3166 country code (``PT``)."""

LocaleTag = Annotated[str, Field(max_length=35), AfterValidator(check_locale)]
"""A locale we ship, in canonical form (see :func:`check_locale`)."""

Money = Annotated[
    Decimal, Field(ge=-MAX_MONEY, le=MAX_MONEY, max_digits=17, decimal_places=4, allow_inf_nan=False)
]
"""An amount of money: finite, at most :data:`MAX_MONEY` in absolute value, 4 decimals at most."""

PositiveMoney = Annotated[
    Decimal, Field(gt=0, le=MAX_MONEY, max_digits=17, decimal_places=4, allow_inf_nan=False)
]
"""A positive amount of money (a budget)."""

Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
"""A quantity: 1 to :data:`MAX_QUANTITY`."""

Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
"""A quote version: 1 to :data:`MAX_VERSION`."""


class SubAssemblySelection(BaseModel):
    """An option that is a sub-assembly, chosen ``qty`` times, with its own configuration (``config``)."""

    model_config = ConfigDict(extra="forbid")

    qty: Quantity = 1
    config: SubConfiguration | None = None


class SubConfiguration(BaseModel):
    """A sub-assembly's configuration: its catalog (optional) and selections."""

    model_config = ConfigDict(extra="forbid")

    catalog: Identifier | None = None
    selections: Selections


def plain_selections(value: dict[str, Any]) -> dict[str, Any]:
    """Selections as plain data (sub-assemblies as mappings), the shape ``Configuration.from_data`` reads.

    Example:
        >>> plain_selections({"frame": {"kit": SubAssemblySelection(qty=2)}, "size": "m"})
        {'frame': {'kit': {'qty': 2}}, 'size': 'm'}
    """
    return {
        module: {
            o: q.model_dump(exclude_none=True) if isinstance(q, BaseModel) else q for o, q in chosen.items()
        }
        if isinstance(chosen, dict)
        else chosen
        for module, chosen in value.items()
    }


Selections = Annotated[
    dict[Identifier, Identifier | list[Identifier] | dict[Identifier, Quantity | SubAssemblySelection]],
    Field(max_length=MAX_SELECTIONS),
    AfterValidator(plain_selections),
]
"""A configuration: ``module -> option | [options] | {option: quantity | {qty, config}}``, every identifier
checked and every quantity 1 to :data:`MAX_QUANTITY` (also inside sub-assemblies).

Example:
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(Selections).validate_python({"frame": {"carbon": 2}, "extras": ["bell"]})
    {'frame': {'carbon': 2}, 'extras': ['bell']}
    >>> TypeAdapter(Selections).validate_python({"frame": {"carbon": 2**70}})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 2 validation errors for function-after[plain_selections(), ...
    ...
"""

SubAssemblySelection.model_rebuild()
