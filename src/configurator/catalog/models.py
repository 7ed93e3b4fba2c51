"""Catalog models: strict, frozen pydantic v2 models of the catalog language (docs/catalog-language.md).

These models check structure and types. Cross references (rule expressions, defaults, attribute values,
table cells) are checked by :mod:`configurator.catalog.semantics` when a catalog is loaded.

Example:
    >>> m = Module.model_validate({"choose": "optional", "options": {"a": {"price": "9.90"}}})
    >>> (m.choose.min, m.choose.max, m.options["a"].price)
    (0, 1, Decimal('9.90'))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from configurator.errors import Location

__all__ = [
    "Attribute",
    "BundleDiscount",
    "Cardinality",
    "Catalog",
    "Library",
    "Module",
    "Option",
    "Pricing",
    "Quantity",
    "Rule",
    "Service",
    "Table",
    "TierDiscount",
    "VolumeBreak",
]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
DASHED_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
LOCALE_PATTERN = r"^[a-z]{2,3}(_[A-Z]{2})?$"

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
DashedId = Annotated[str, Field(pattern=DASHED_ID_PATTERN, max_length=96)]
Locale = Annotated[str, Field(pattern=LOCALE_PATTERN)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
Tier = Literal["mvc", "mgc", "standard", "below_zero"]


def _to_text(value: Any, info: ValidationInfo) -> Any:
    """A plain string is the default locale's text."""
    if isinstance(value, str):
        context = info.context or {}
        return {context.get("default_locale", "en"): value}
    return value


def _expression(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "expression",
            "expected an expression as a quoted string, got {got}",
            {"got": type(value).__name__},
        )
    return value


def _attr_value(value: Any) -> Any:
    if isinstance(value, bool | int | Decimal | str):
        return value
    raise PydanticCustomError(
        "attr_value",
        "expected a number, true/false or an enum value, got {got}",
        {
            "got": "a mapping"
            if isinstance(value, dict)
            else "a list"
            if isinstance(value, list)
            else str(value)  # a date as written (2026-01-31), never its Python repr
        },
    )


AttrValue = Annotated[bool | int | Decimal | str, BeforeValidator(_attr_value)]
Text = Annotated[dict[Locale, Annotated[str, Field(min_length=1)]], BeforeValidator(_to_text)]
Expression = Annotated[str, BeforeValidator(_expression), Field(min_length=1)]
IdList = Annotated[tuple[Id, ...], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, validate_default=False)


class _Dated(_Model):
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def effective(self, on: dt.date | None) -> bool:
        """Whether this element is in force on ``on`` (always, when ``on`` is None); both ends inclusive."""
        if on is None:
            return True
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_to is not None and on > self.valid_to)

    @model_validator(mode="after")
    def _dates_ordered(self) -> _Dated:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise PydanticCustomError(
                "date_order",
                "valid_from {a} is after valid_to {b}",
                {"a": str(self.valid_from), "b": str(self.valid_to)},
            )
        return self


class Attribute(_Model):
    """A typed attribute options can carry (``weight_g: {type: int, unit: g}``)."""

    type: Literal["int", "decimal", "bool", "enum"]
    unit: str | None = None
    label: Text | None = None
    values: tuple[Id, ...] | None = None

    @model_validator(mode="after")
    def _enum_values(self) -> Attribute:
        if self.type == "enum" and not self.values:
            raise PydanticCustomError("enum_values", "an enum attribute needs 'values: [...]'")
        if self.type != "enum" and self.values is not None:
            raise PydanticCustomError(
                "enum_values", "only enum attributes take 'values', this one is {t}", {"t": self.type}
            )
        if self.values and len(set(self.values)) != len(self.values):
            raise PydanticCustomError("enum_values", "enum values must be distinct")
        return self


class Quantity(_Model):
    """How many units of an option may be ordered when it is selected."""

    min: int = Field(1, ge=1, le=1_000_000)
    max: int = Field(1, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _ordered(self) -> Quantity:
        if self.min > self.max:
            raise PydanticCustomError(
                "range", "qty min {a} is greater than max {b}", {"a": self.min, "b": self.max}
            )
        return self


_CHOOSE = {"exactly_one": (1, 1), "optional": (0, 1), "any": (0, None)}


def _to_cardinality(value: Any) -> Any:
    if isinstance(value, str):
        if value not in _CHOOSE:
            raise PydanticCustomError(
                "choose",
                "expected exactly_one, optional, any or a mapping {min: M, max: N}, got {got}",
                {"got": repr(value)},
            )
        low, high = _CHOOSE[value]
        return {"min": low, "max": high}
    return value


class Cardinality(_Model):
    """How many distinct options of a module may be selected; ``max`` None means all of them."""

    min: int = Field(0, ge=0, le=10_000)
    max: int | None = Field(None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _ordered(self) -> Cardinality:
        if self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                "range", "choose min {a} is greater than max {b}", {"a": self.min, "b": self.max}
            )
        return self


class Option(_Dated):
    """A standard part offered in a module."""

    label: Text | None = None
    description: Text | None = None
    price: Money = Decimal(0)
    attrs: dict[Id, AttrValue] = Field(default_factory=dict)
    qty: Quantity = Field(default_factory=Quantity)
    product: str | None = Field(None, min_length=1)


class Module(_Dated):
    """A slot of the product and the options it offers."""

    label: Text | None = None
    description: Text | None = None
    choose: Annotated[Cardinality, BeforeValidator(_to_cardinality)] = Field(
        default_factory=lambda: Cardinality(min=1, max=1)
    )
    default: IdList = ()
    recommended: IdList = ()
    options: dict[Id, Option] = Field(min_length=1)

    @property
    def max_choices(self) -> int:
        """Largest number of distinct options that may be selected."""
        return len(self.options) if self.choose.max is None else min(self.choose.max, len(self.options))


class Table(_Model):
    """A compatibility table over single-choice modules; cells are option ids, ``*`` or ``-``."""

    columns: tuple[Id, ...] = Field(min_length=1)
    rows: tuple[tuple[str, ...], ...] = Field(min_length=1)
    mode: Literal["allowed", "forbidden"] = "allowed"

    @model_validator(mode="after")
    def _row_width(self) -> Table:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise PydanticCustomError(
                    "table_row",
                    "row {i} has {n} cells, expected {c} (one per column)",
                    {"i": i, "n": len(row), "c": len(self.columns)},
                )
        return self


def _excludes(value: Any) -> Any:
    if isinstance(value, list | tuple):
        if len(value) < 2:
            raise PydanticCustomError(
                "excludes", "an excludes list needs at least two expressions, got {n}", {"n": len(value)}
            )
        return [_expression(v) for v in value]
    return _expression(value)


RULE_KINDS = ("requires", "excludes", "constraint", "table")


class Rule(_Dated):
    """A constraint with an id, an optional ``if`` guard and exactly one body."""

    id: DashedId
    message: Text | None = None
    description: Text | None = None
    if_: Expression | None = Field(None, alias="if")
    requires: Expression | None = None
    excludes: Annotated[str | tuple[str, ...], BeforeValidator(_excludes)] | None = None
    constraint: Expression | None = None
    table: Table | None = None

    @property
    def kind(self) -> str:
        """``requires``, ``excludes``, ``constraint`` or ``table``."""
        return next(k for k in RULE_KINDS if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _one_body(self) -> Rule:
        bodies = [k for k in RULE_KINDS if getattr(self, k) is not None]
        if len(bodies) != 1:
            raise PydanticCustomError(
                "rule_body",
                "a rule needs exactly one of requires, excludes, constraint, table; got {got}",
                {"got": ", ".join(bodies) or "none"},
            )
        if isinstance(self.excludes, tuple) and self.if_ is not None:
            raise PydanticCustomError(
                "rule_body",
                "an excludes list cannot have an 'if' guard; use 'if' with a single excludes expression",
            )
        if self.table is not None and self.if_ is not None:
            raise PydanticCustomError("rule_body", "a table cannot have an 'if' guard")
        return self


class Service(_Dated):
    """A service add-on: post-sale service, training or advisory."""

    kind: Literal["post_sale", "training", "advisory"]
    label: Text | None = None
    description: Text | None = None
    price: Money = Decimal(0)
    eligible: Expression | None = None
    requires: Expression | None = None
    included_for: tuple[Tier, ...] = ()


class VolumeBreak(_Model):
    """A discount from a total quantity on."""

    min_qty: int = Field(ge=1)
    discount_pct: Percent


class BundleDiscount(_Model):
    """A discount when a combination of options is selected together."""

    id: DashedId
    label: Text | None = None
    when: Expression
    discount_pct: Percent | None = None
    discount_amount: Money | None = None

    @model_validator(mode="after")
    def _one_discount(self) -> BundleDiscount:
        if (self.discount_pct is None) == (self.discount_amount is None):
            raise PydanticCustomError(
                "discount", "a bundle discount needs exactly one of discount_pct, discount_amount"
            )
        return self


class TierDiscount(_Model):
    """The discount a value tier gets."""

    discount_pct: Percent


class Pricing(_Model):
    """Volume breaks, bundle discounts and tier discounts."""

    volume: tuple[VolumeBreak, ...] = ()
    bundles: tuple[BundleDiscount, ...] = ()
    tiers: dict[Tier, TierDiscount] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _increasing(self) -> Pricing:
        quantities = [v.min_qty for v in self.volume]
        if quantities != sorted(set(quantities)):
            raise PydanticCustomError(
                "volume", "volume breaks need strictly increasing min_qty, got {q}", {"q": quantities}
            )
        return self


class Library(_Model):
    """A module library: modules, attributes, rules and services shared by several catalogs."""

    library: DashedId
    include: tuple[str, ...] = ()
    attributes: dict[Id, Attribute] = Field(default_factory=dict)
    modules: dict[Id, Module] = Field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    services: dict[Id, Service] = Field(default_factory=dict)


class Catalog(_Model):
    """A product: modules of options, typed attributes, rules, services and pricing.

    Load catalogs with :func:`configurator.load_catalog`, which also resolves includes and sub-assemblies
    and checks every cross reference.
    """

    catalog: DashedId
    version: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int | Decimal) else v)] = Field(
        min_length=1, max_length=64
    )
    name: Text | None = None
    description: Text | None = None
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    locales: tuple[Locale, ...] = Field(min_length=1)
    include: tuple[str, ...] = ()
    attributes: dict[Id, Attribute] = Field(default_factory=dict)
    modules: dict[Id, Module] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    services: dict[Id, Service] = Field(default_factory=dict)
    pricing: Pricing = Field(default_factory=Pricing)

    _products: dict[tuple[str, str], Catalog] = PrivateAttr(default_factory=dict)
    _compiled: Any = PrivateAttr(default=None)
    _locate: Any = PrivateAttr(default=None)

    @property
    def default_locale(self) -> str:
        """The first declared locale, used when a text is missing."""
        return self.locales[0]

    @property
    def products(self) -> Mapping[tuple[str, str], Catalog]:
        """Sub-assembly catalogs by ``(module, option)`` (a read-only view: looked up for every priced line)."""
        return MappingProxyType(self._products)

    def locate(self, *path: str | int) -> Location:
        """Where the element at a key path was written (file, line, column) when the catalog came from a file.

        Example:
            >>> Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
            ...     "modules": {"m": {"options": {"o": {}}}}}).locate("modules", "m")
            Location(file='<catalog c>', line=0, column=0, path='modules.m')
        """
        if callable(self._locate):
            found: Location = self._locate(tuple(path))
            return found
        return Location(f"<catalog {self.catalog}>", 0, 0, ".".join(str(p) for p in path))

    def option(self, module: str, option: str) -> Option:
        """The option ``module.option``.

        Raises:
            KeyError: when the catalog has no such option.
        """
        return self.modules[module].options[option]

    def text(self, value: dict[str, str] | None, locale: str | None = None, fallback: str = "") -> str:
        """The text for ``locale``, else the default locale's, else ``fallback``.

        Example:
            >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR",
            ...     "locales": ["en", "pt"], "modules": {"m": {"options": {"o": {}}}}})
            >>> c.text({"en": "Frame", "pt": "Quadro"}, "pt"), c.text({"en": "Frame"}, "sv"), c.text(None, "pt", "m")
            ('Quadro', 'Frame', 'm')
        """
        if not value:
            return fallback
        if locale and locale in value:
            return value[locale]
        if locale and "_" in locale and locale.split("_")[0] in value:
            return value[locale.split("_")[0]]
        return value.get(self.default_locale) or next(iter(value.values()), fallback)
