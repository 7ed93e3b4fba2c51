"""Tier policies: what each value tier is offered, and how (docs/assembly.md).

One-to-one marketing treats different customers differently. A :class:`TierPolicy` says, for one tier, how a
bundle is chosen (how much the customer's learned needs weigh against the price, whether the catalog's
defaults are preferred), which services are offered and on what terms, through which channel, and whether a
growth bundle is shown. The defaults in code (:data:`DEFAULT_POLICIES`):

===============  =================================================================================
tier             policy
===============  =================================================================================
``mvc``          best fit: needs dominate (price weight 0.5); post-sale and advisory services
                 included, training 25 % off; dedicated advisor
``mgc``          growth: balanced fit plus one upgrade bundle (15 % above the budget, or with an
                 add-on); training and advisory offered at 20 % and 10 % off; account manager
``standard``     balanced (price weight 2); every eligible service at list price; sales rep or web
``below_zero``   low cost to serve: price dominates (weight 8) and the catalog's defaults are
                 preferred; no free services, no advisory; self-service
===============  =================================================================================

A :class:`PolicyBook` holds the four policies with overrides for every catalog and per catalog, read from a
mapping or a YAML file; every override is checked, and an error names the field.

Example:
    >>> book = PolicyBook.from_data({"tiers": {"mvc": {"price_weight": 0.2}},
    ...     "catalogs": {"kitchen-modular": {"below_zero": {"services": {"training": {"offer": "hide"}}}}}})
    >>> book.policy("mvc", "ebike-urban").price_weight, book.policy("mvc", "ebike-urban").channel
    (0.2, 'dedicated_advisor')
    >>> book.policy("below_zero", "kitchen-modular").services["training"].offer
    'hide'
    >>> PolicyBook.from_data({"tiers": {"mgc": {"price_weight": -1}}})
    Traceback (most recent call last):
    ...
    configurator.errors.PolicyError: policy tiers.mgc.price_weight: Input should be greater than or equal to 0 (got -1)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from configurator.catalog.models import Tier
from configurator.errors import PolicyError

__all__ = [
    "DEFAULT_POLICIES",
    "SERVICE_KINDS",
    "Channel",
    "PolicyBook",
    "ServiceKind",
    "ServiceTerms",
    "TierPolicy",
    "load_policy",
]

ServiceKind = Literal["post_sale", "training", "advisory"]
SERVICE_KINDS: tuple[ServiceKind, ...] = ("post_sale", "training", "advisory")
"""The service kinds of the catalog language."""

Channel = Literal["dedicated_advisor", "account_manager", "sales_rep", "web", "self_service"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServiceTerms(_Frozen):
    """How services of one kind are offered to a tier.

    Attributes:
        offer: ``include`` (free), ``discount`` (``discount_pct`` off the list price), ``price`` (list price)
            or ``hide`` (not offered).
        discount_pct: the discount for ``discount``.
    """

    offer: Literal["include", "discount", "price", "hide"] = "price"
    discount_pct: Decimal = Field(Decimal(0), ge=0, le=100)


def _terms(offer: str, pct: int = 0) -> ServiceTerms:
    return ServiceTerms.model_validate({"offer": offer, "discount_pct": pct})


class TierPolicy(_Frozen):
    """What one tier is offered and how.

    Attributes:
        tier: the tier.
        needs_weight: multiplies the learned needs' utilities (log-odds) in the objective.
        price_weight: the utility of a saving as large as the catalog's price span (the sum over modules of the
            dearest option's price): 0 ignores price, 8 makes price dominate most learned preferences.
        default_weight: utility added to each of the catalog's default options (standard, low cost to serve).
        free_services: honour the catalog's ``included_for`` and ``include`` terms; False prices every service.
        services: terms per service kind.
        channel: the channel that serves this tier.
        upgrade: show one growth bundle besides the best fits (above the budget, or with an add-on).
        upgrade_stretch_pct: how far above the budget the growth bundle may go.
        distance: how many solver variables (module choices) the proposed bundles differ in, pairwise.
    """

    tier: Tier
    needs_weight: float = Field(1.0, ge=0, le=100)
    price_weight: float = Field(2.0, ge=0, le=1000)
    default_weight: float = Field(0.0, ge=0, le=100)
    free_services: bool = True
    services: dict[ServiceKind, ServiceTerms] = Field(
        default_factory=lambda: {kind: ServiceTerms() for kind in SERVICE_KINDS}
    )
    channel: Channel = "sales_rep"
    upgrade: bool = False
    upgrade_stretch_pct: Decimal = Field(Decimal(15), ge=0, le=1000)
    distance: int = Field(1, ge=1, le=100)

    def terms(self, kind: str) -> ServiceTerms:
        """The terms for a service kind (list price when the policy does not name the kind)."""
        for name, terms in self.services.items():
            if name == kind:
                return terms
        return ServiceTerms()


DEFAULT_POLICIES: Mapping[Tier, TierPolicy] = {
    "mvc": TierPolicy(
        tier="mvc",
        price_weight=0.5,
        services={
            "post_sale": _terms("include"),
            "advisory": _terms("include"),
            "training": _terms("discount", 25),
        },
        channel="dedicated_advisor",
    ),
    "mgc": TierPolicy(
        tier="mgc",
        price_weight=1.0,
        services={
            "post_sale": _terms("price"),
            "advisory": _terms("discount", 10),
            "training": _terms("discount", 20),
        },
        channel="account_manager",
        upgrade=True,
    ),
    "standard": TierPolicy(tier="standard", price_weight=2.0, channel="sales_rep"),
    "below_zero": TierPolicy(
        tier="below_zero",
        needs_weight=0.5,
        price_weight=8.0,
        default_weight=1.0,
        free_services=False,
        services={"post_sale": _terms("price"), "training": _terms("price"), "advisory": _terms("hide")},
        channel="self_service",
    ),
}
"""The built-in policy of each tier (the table in the module docstring)."""


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            out[key] = _merge(current, value)
        else:
            out[key] = value
    return out


def _validate(data: Any, where: str) -> TierPolicy:
    try:
        return TierPolicy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in (where, *first["loc"]))
        got = first.get("input")
        raise PolicyError(f"policy {field}: {first['msg']} (got {got!r})") from None


class PolicyBook:
    """The tier policies of every catalog: built-in defaults, overrides for all catalogs, overrides per catalog.

    Args:
        tiers: overrides for every catalog, by tier (partial mappings of :class:`TierPolicy` fields).
        catalogs: overrides by catalog id, then by tier.

    Raises:
        PolicyError: an unknown tier, an unknown field or a value out of range (the message names the field).
    """

    def __init__(
        self,
        tiers: Mapping[str, Mapping[str, Any]] | None = None,
        catalogs: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    ) -> None:
        self._base: dict[str, dict[str, Any]] = {}
        for name, builtin in DEFAULT_POLICIES.items():
            self._base[name] = _merge(builtin.model_dump(), (tiers or {}).get(name, {}))
        self._overrides: dict[str, dict[str, Mapping[str, Any]]] = {
            cid: dict(by_tier) for cid, by_tier in (catalogs or {}).items()
        }
        self._cache: dict[tuple[str, str | None], TierPolicy] = {}
        for tier in tiers or {}:
            self._tier(tier, "tiers")
        for cid, by_tier in self._overrides.items():
            if not isinstance(by_tier, Mapping):
                raise PolicyError(f"policy catalogs.{cid}: expected a mapping of tiers, got {by_tier!r}")
            for tier in by_tier:
                self._tier(tier, f"catalogs.{cid}")
                self.policy(tier, cid)
        for name in DEFAULT_POLICIES:
            self.policy(name)

    @staticmethod
    def _tier(tier: str, where: str) -> None:
        if tier not in DEFAULT_POLICIES:
            raise PolicyError(
                f"policy {where}.{tier}: expected a tier ({', '.join(DEFAULT_POLICIES)}), got {tier!r}"
            )

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> PolicyBook:
        """A book from plain data ``{"tiers": {...}, "catalogs": {catalog: {tier: {...}}}}``.

        Raises:
            PolicyError: an unknown top-level key, tier or field, or a value out of range.
        """
        data = data or {}
        if not isinstance(data, Mapping):
            raise PolicyError(
                f"policy: expected a mapping with 'tiers' and 'catalogs', got {type(data).__name__}"
            )
        unknown = sorted(set(data) - {"tiers", "catalogs"})
        if unknown:
            raise PolicyError(f"policy: unknown key {unknown[0]!r}; expected 'tiers' or 'catalogs'")
        for key in ("tiers", "catalogs"):
            if not isinstance(data.get(key, {}), Mapping):
                raise PolicyError(f"policy {key}: expected a mapping, got {data[key]!r}")
        return cls(data.get("tiers"), data.get("catalogs"))

    def policy(self, tier: str, catalog: str | None = None) -> TierPolicy:
        """The policy of ``tier`` for ``catalog`` (the overrides of every catalog when None).

        Raises:
            PolicyError: an unknown tier, or a catalog override that does not validate.
        """
        key = (tier, catalog)
        found = self._cache.get(key)
        if found is None:
            self._tier(tier, "tiers")
            data = self._base[tier]
            where = f"tiers.{tier}"
            override = self._overrides.get(catalog or "", {}).get(tier)
            if override is not None:
                if not isinstance(override, Mapping):
                    raise PolicyError(
                        f"policy catalogs.{catalog}.{tier}: expected a mapping, got {override!r}"
                    )
                data, where = _merge(data, override), f"catalogs.{catalog}.{tier}"
            if data.get("tier", tier) != tier:
                raise PolicyError(f"policy {where}.tier: expected {tier!r}, got {data['tier']!r}")
            found = self._cache[key] = _validate(data, where)
        return found


def load_policy(source: str | os.PathLike[str] | Mapping[str, Any] | None = None) -> PolicyBook:
    """A policy book from a YAML file, a mapping, or the built-in defaults (None).

    Raises:
        PolicyError: the file does not parse or the policy does not validate.
    """
    if source is None or isinstance(source, Mapping):
        return PolicyBook.from_data(source)
    import yaml

    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"policy {path}: {exc}") from None
    try:
        return PolicyBook.from_data(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from None
