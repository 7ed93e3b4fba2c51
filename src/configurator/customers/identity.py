"""Identity: recognise one customer across web, sales rep, email, phone and store.

A *profile* is what we hold on a person; its ``customer_id`` is either one the shop gave them (``external``: a
login, an account number) or one we made up (``generated``: someone who gave only an email or a phone number).
*Identifiers* point to profiles: anonymous web ids, normalised email addresses (email-validator, no
deliverability check) and E.164 phone numbers (phonenumbers, in a configurable default region).

Deterministic rules, applied by :func:`identify` (the same rules on every store):

1. A customer id names its profile (created on first sight); merged profiles resolve to the profile they were
   merged into, so callers always get the canonical id.
2. Without a customer id, the owner of the email, else of the phone, else of the anonymous id is the person.
   When none is known and traits were given, a ``generated`` profile is created; an anonymous id alone makes no
   profile (the visitor stays anonymous).
3. Every identifier not yet owned is claimed by the person (so an anonymous visitor who logs in is *aliased*).
4. An identifier owned by a ``generated`` profile proves that profile is the same person: it is merged
   automatically (audited, actor ``identity-rules``). An identifier owned by another ``external`` profile is a
   *conflict*: reported, never merged (a shared family email, a shared computer).
5. Traits are "latest timestamp wins"; older events only fill gaps, so arrival order does not matter.

These are the rules for ``verified`` traits. Under ``claimed`` trust (the open API: a :class:`Provenance` says
so) :mod:`configurator.customers.trust` restricts them: traits never change a profile the same write did not
create and no profiles are merged; what was not applied is recorded as a :class:`Claim` in the audit log.

Fuzzy matching (names and addresses, rapidfuzz) only *suggests* duplicates with :func:`suggest_duplicates`;
a person confirms with :func:`merge`, which keeps an audit trail.

Storage is behind the small :class:`IdentityStore` protocol; :class:`MemoryIdentityStore` is the in-memory
reference, ``configurator.storage.SqlStore`` the SQL one.

Example:
    >>> store = MemoryIdentityStore("shop")
    >>> identify(store, anonymous_id="anon-1").customer_id is None
    True
    >>> identify(store, customer_id="c-1", anonymous_id="anon-1", traits={"email": "Ana@Example.com"}).customer_id
    'c-1'
    >>> identify(store, traits={"email": "ana@example.COM"}).customer_id
    'c-1'
    >>> normalise_phone("912 345 678", "PT")
    '+351912345678'
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import unicodedata
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import email_validator
import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from rapidfuzz import fuzz, process

from configurator.customers.keyring import configured_keys, identifier_hash, suppression_candidates
from configurator.customers.trust import CLAIM_ACTION, MERGE, Claim, Provenance, sort_traits
from configurator.errors import CustomerError

__all__ = [
    "DEFAULT_REGION",
    "AuditRecord",
    "Candidate",
    "Conflict",
    "IdentifierKind",
    "IdentityStore",
    "MemoryIdentityStore",
    "MergeResult",
    "Origin",
    "Profile",
    "Resolution",
    "Traits",
    "alias",
    "canonical_id",
    "carried_identifiers",
    "identifier_hash",
    "identify",
    "merge",
    "normalise_email",
    "normalise_phone",
    "suggest_duplicates",
]

DEFAULT_REGION = "PT"
"""Region for phone numbers written without a country code (override per call or with ``--region``)."""

IdentifierKind = Literal["anonymous_id", "email", "phone"]
"""Identifiers that point to a profile (customer ids are the profiles' own keys)."""
Origin = Literal["external", "generated"]
"""Who made a customer id: the shop (``external``) or :func:`identify` (``generated``)."""

RULES_ACTOR = "identity-rules"
"""The actor recorded in the audit log for automatic, deterministic merges."""


def _utc(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    if value.tzinfo is None:
        raise CustomerError(f"timestamp {value.isoformat()} has no time zone")
    return value.astimezone(dt.UTC)


def normalise_email(raw: str) -> str:
    """An email address in canonical form: syntax checked, Unicode-normalised (NFC), all lower case.

    The local part is lower-cased too: in practice every mail provider treats it case-insensitively, and a
    missed match costs more than the theoretical collision. Dots and ``+tags`` are kept (provider-specific).

    Raises:
        ValueError: when the address is not syntactically valid (the message says why).

    Example:
        >>> normalise_email(" Ana.Silva@Example.COM ")
        'ana.silva@example.com'
    """
    try:
        result = email_validator.validate_email(raw.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {exc}") from None
    return str(result.normalized).lower()


def normalise_phone(raw: str, region: str | None = DEFAULT_REGION) -> str:
    """A phone number in E.164 form (``+351912345678``); numbers without ``+`` are read in ``region``.

    Raises:
        ValueError: when the text is not a valid phone number for its country.

    Example:
        >>> normalise_phone("00351 21 123 4567", "PT")
        '+351211234567'
        >>> normalise_phone("+46 70 123 45 67", None)
        '+46701234567'
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number for region {region or 'unknown'}: {raw!r}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _clean(value: str) -> str:
    text = value.strip()
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return text


class Traits(BaseModel):
    """What a person told us about themselves; email and phone are normalised on validation.

    The phone region comes from the validation context (``{"region": "SE"}``), else :data:`DEFAULT_REGION`.

    Example:
        >>> Traits.model_validate({"phone": "070 123 45 67"}, context={"region": "SE"}).phone
        '+46701234567'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    company: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}([_-][A-Za-z]{2})?$")

    @field_validator("name", "address", "postcode", "city", "company", mode="after")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _clean(value) or None

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else normalise_email(_clean(value))

    @field_validator("phone", mode="after")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        context = info.context if isinstance(info.context, Mapping) else {}
        return normalise_phone(_clean(value), context.get("region", DEFAULT_REGION))

    def is_empty(self) -> bool:
        """Whether no trait is set."""
        return all(v is None for v in self.model_dump().values())

    def extra(self) -> dict[str, str]:
        """The traits other than name, email, phone and address (kept as a mapping on the profile)."""
        skip = {"name", "email", "phone", "address"}
        return {k: v for k, v in self.model_dump().items() if k not in skip and v is not None}


@dataclass
class Profile:
    """What a store holds on one customer id.

    Attributes:
        customer_id: the id; canonical unless ``merged_into`` is set.
        origin: ``external`` (the shop's id) or ``generated`` (made by :func:`identify`).
        merged_into: the canonical profile this one was merged into, if any.
        name, email, phone, address: the personal data we hold (latest known values).
        extra: other traits (postcode, city, country, company, language).
        created_at: when the profile was first seen.
        traits_at: the timestamp of the newest event whose traits were applied.
    """

    customer_id: str
    origin: Origin = "external"
    merged_into: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    traits_at: dt.datetime | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the audit log: who did what to whom, when, and why."""

    action: str
    actor: str
    subject: str
    related: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class Conflict:
    """An identifier already owned by another external profile: reported, never merged automatically."""

    kind: IdentifierKind
    value: str
    owner: str


@dataclass(frozen=True)
class Resolution:
    """The outcome of :func:`identify`.

    Attributes:
        customer_id: the canonical customer id, or None for a visitor who stays anonymous.
        created: whether a profile was created.
        merged: generated profiles merged into this one by the deterministic rules.
        conflicts: identifiers left with another profile.
        claims: what a ``claimed`` event said that was not applied (recorded in the audit log).
    """

    customer_id: str | None
    created: bool = False
    merged: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class MergeResult:
    """The outcome of :func:`merge`: the surviving id, the merged id and how many identifiers moved."""

    winner: str
    loser: str
    identifiers_moved: int


class IdentityStore(Protocol):
    """What identity rules need from a store. Calls outside :meth:`atomic` each run in their own transaction."""

    @property
    def tenant(self) -> str:
        """The tenant every call is scoped to."""
        ...

    def atomic(self) -> AbstractContextManager[None]:
        """A transaction; nested calls join the outer one."""
        ...

    def get_profile(self, customer_id: str) -> Profile | None:
        """The stored profile (not following ``merged_into``), or None."""
        ...

    def add_profile(self, profile: Profile) -> bool:
        """Insert the profile unless its id exists; True when inserted."""
        ...

    def update_profile(self, profile: Profile) -> None:
        """Save the traits, ``traits_at`` and ``merged_into`` of an existing profile."""
        ...

    def owner(self, kind: str, value: str) -> str | None:
        """The customer id an identifier points to, or None."""
        ...

    def claim(self, kind: str, value: str, customer_id: str, at: dt.datetime) -> str:
        """Point an unowned identifier to ``customer_id``; return its owner afterwards (another on a race)."""
        ...

    def identifiers(self, customer_id: str) -> list[tuple[str, str]]:
        """``(kind, value)`` of every identifier pointing to ``customer_id``."""
        ...

    def merged_ids(self, customer_id: str) -> list[str]:
        """Ids of the profiles merged into ``customer_id``."""
        ...

    def repoint(self, loser: str, winner: str) -> int:
        """Move everything keyed by ``loser`` (identifiers, merged profiles, consents) to ``winner``.

        Sets ``merged_into`` of ``loser`` and of the profiles merged into it; returns identifiers moved.
        """
        ...

    def canonical_profiles(self) -> list[Profile]:
        """Every profile that is not merged into another."""
        ...

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        """The given identifier hashes that belong to erased people."""
        ...

    def audit(self, record: AuditRecord) -> None:
        """Append to the audit log."""
        ...


def canonical_id(store: IdentityStore, customer_id: str) -> str | None:
    """The canonical id of ``customer_id`` (following a merge), or None when the store does not know it."""
    profile = store.get_profile(customer_id)
    if profile is None:
        return None
    return profile.merged_into or profile.customer_id


def _coerce_traits(traits: Traits | Mapping[str, Any] | None, region: str | None) -> Traits:
    if traits is None:
        return Traits()
    if isinstance(traits, Traits):
        return traits
    return Traits.model_validate(dict(traits), context={"region": region})


def _hashes(tenant: str, pairs: Sequence[tuple[str, str]]) -> set[str]:
    return suppression_candidates(tenant, pairs, configured_keys())  # keyed, previous and legacy hashes


def identify(
    store: IdentityStore,
    *,
    customer_id: str | None = None,
    anonymous_id: str | None = None,
    traits: Traits | Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    region: str | None = DEFAULT_REGION,
    provenance: Provenance | None = None,
) -> Resolution:
    """Recognise a person by customer id, anonymous id and traits (the rules are in the module docstring).

    Args:
        store: where profiles and identifiers live.
        customer_id: the shop's id for the person, when known (a login, an account).
        anonymous_id: a web visitor id (cookie), when known.
        traits: name, email, phone, address... (validated and normalised).
        at: when this was observed (aware); traits older than the profile's only fill gaps.
        region: default region for phone numbers without a country code.
        provenance: the event, its channel and its trust; None: verified traits, no claims.

    Raises:
        CustomerError: when an identifier belongs to an erased person (a suppression entry).

    Example:
        >>> store = MemoryIdentityStore("shop")
        >>> first = identify(store, traits={"phone": "912 345 678", "name": "Rui"})
        >>> first.created, first.customer_id.startswith("gen-")
        (True, True)
        >>> identify(store, customer_id="c-9", traits={"phone": "+351912345678"}).merged == (first.customer_id,)
        True
        >>> said = identify(store, customer_id="c-9", traits={"name": "Eve"}, provenance=Provenance("e1", "api", "claimed"))
        >>> [(c.field, c.value) for c in said.claims], store.get_profile("c-9").name
        ([('name', 'Eve')], 'Rui')
    """
    t = _coerce_traits(traits, region)
    when = _utc(at)
    claimed = provenance if provenance is not None and provenance.claimed else None
    keys: list[tuple[IdentifierKind, str]] = []
    if t.email:
        keys.append(("email", t.email))
    if t.phone:
        keys.append(("phone", t.phone))
    if anonymous_id:
        keys.append(("anonymous_id", anonymous_id))
    with store.atomic():
        check: list[tuple[str, str]] = list(keys)
        if customer_id:
            check.append(("customer_id", customer_id))
        if check and store.suppressed(_hashes(store.tenant, check)):
            raise CustomerError("an identifier belongs to an erased customer; not recorded")
        owners: dict[tuple[IdentifierKind, str], str | None] = {}
        for kind, value in keys:
            found = store.owner(kind, value)
            owners[kind, value] = canonical_id(store, found) if found else None
        created = False
        target: str | None = None
        if customer_id:
            target = canonical_id(store, customer_id)
            if target is None:
                created = store.add_profile(Profile(customer_id, "external", created_at=when))
                target = customer_id
        else:
            target = _pick_owner(store, [o for o in owners.values() if o])
            if target is None:
                if t.is_empty():
                    return Resolution(None)
                target = f"gen-{uuid.uuid4().hex[:16]}"
                created = store.add_profile(Profile(target, "generated", created_at=when))
        fresh = created or (provenance is not None and target in provenance.created)
        merged: list[str] = []
        conflicts: list[Conflict] = []
        claims: list[Claim] = []
        for (kind, value), found in owners.items():
            if found is None or found == target or found in merged:
                continue
            other = store.get_profile(found)
            if other is None or other.origin != "generated":
                conflicts.append(Conflict(kind, value, found))
            elif claimed is not None:  # rule 5 of configurator.customers.trust: a claim, never a merge
                if found not in {c.value for c in claims}:
                    claims.append(claimed.claim(target, MERGE, found, when, via=kind))
                conflicts.append(Conflict(kind, value, found))
            else:
                merge(store, target, found, actor=RULES_ACTOR, reason=f"shares {kind}", at=when)
                merged.append(found)
        conflicted = {(c.kind, c.value) for c in conflicts}
        held = store.get_profile(target) if claimed is not None and not fresh else None
        for kind, value in keys:
            if owners[kind, value] is None:
                if held is not None and kind != "anonymous_id" and getattr(held, kind) != value:
                    continue  # rule 4: not linked to an existing profile; the trait claim records it
                got = store.claim(kind, value, target, when)
                if got != target:
                    conflicts.append(Conflict(kind, value, got))
                    conflicted.add((kind, value))
        if not t.is_empty():
            if claimed is not None:
                claims += _claim_traits(store, target, t, when, conflicted, claimed, fresh=fresh)
            else:
                _apply_traits(store, target, t, when, conflicted)
        for c in claims:
            store.audit(AuditRecord(CLAIM_ACTION, c.actor, c.customer_id, c.related, c.details(), c.at))
        return Resolution(target, created, tuple(merged), tuple(conflicts), tuple(claims))


def _pick_owner(store: IdentityStore, owners: list[str]) -> str | None:
    """The owner to resolve to: the first external one (email before phone before anonymous id), else any."""
    for owner in owners:
        profile = store.get_profile(owner)
        if profile is not None and profile.origin == "external":
            return owner
    return owners[0] if owners else None


def _apply_traits(
    store: IdentityStore,
    customer_id: str,
    traits: Traits,
    at: dt.datetime,
    conflicted: set[tuple[IdentifierKind, str]],
) -> None:
    profile = store.get_profile(customer_id)
    if profile is None:  # pragma: no cover - identify created or found it in this transaction
        raise CustomerError(f"unknown customer {customer_id!r}")
    newer = profile.traits_at is None or at >= profile.traits_at
    values: dict[str, str | None] = {
        "name": traits.name,
        "email": traits.email if ("email", traits.email or "") not in conflicted else None,
        "phone": traits.phone if ("phone", traits.phone or "") not in conflicted else None,
        "address": traits.address,
    }
    changed = False
    for name, value in values.items():
        if (
            value is not None
            and (newer or getattr(profile, name) is None)
            and getattr(profile, name) != value
        ):
            setattr(profile, name, value)
            changed = True
    for name, value in traits.extra().items():
        if (newer or name not in profile.extra) and profile.extra.get(name) != value:
            profile.extra = {**profile.extra, name: value}
            changed = True
    if newer and profile.traits_at != at:
        profile.traits_at = at
        changed = True
    if changed:
        store.update_profile(profile)


def _claim_traits(
    store: IdentityStore,
    customer_id: str,
    traits: Traits,
    at: dt.datetime,
    conflicted: set[tuple[IdentifierKind, str]],
    provenance: Provenance,
    *,
    fresh: bool,
) -> list[Claim]:
    """Fill a fresh profile's empty fields; return every other differing trait as a claim (rules 2 and 3)."""
    profile = store.get_profile(customer_id)
    if profile is None:  # pragma: no cover - identify created or found it in this transaction
        raise CustomerError(f"unknown customer {customer_id!r}")
    held: dict[str, str | None] = {**profile.extra, **{n: getattr(profile, n) for n in _CONTACT}}
    offered = traits.model_dump(exclude_none=True)
    fill, claimed = sort_traits(held, offered, fresh=fresh, contested={kind for kind, _ in conflicted})
    if fill:
        for name, value in fill.items():
            if name in _CONTACT:
                setattr(profile, name, value)
            else:
                profile.extra = {**profile.extra, name: value}
        if profile.traits_at is None or at > profile.traits_at:
            profile.traits_at = at
        store.update_profile(profile)
    return [provenance.claim(customer_id, name, value, at) for name, value in claimed.items()]


_CONTACT = ("name", "email", "phone", "address")
"""The traits held in a profile's own fields (the others are in ``extra``)."""


def alias(
    store: IdentityStore, anonymous_id: str, customer_id: str, *, at: dt.datetime | None = None
) -> Resolution:
    """Link an anonymous visitor to the customer who just logged in (their past visits become theirs).

    Raises:
        CustomerError: when the anonymous id already belongs to another external customer.

    Example:
        >>> store = MemoryIdentityStore("shop")
        >>> alias(store, "anon-7", "c-1").customer_id, store.owner("anonymous_id", "anon-7")
        ('c-1', 'c-1')
    """
    result = identify(store, customer_id=customer_id, anonymous_id=anonymous_id, at=at)
    if result.conflicts:
        raise CustomerError(
            f"anonymous id {anonymous_id!r} already belongs to customer {result.conflicts[0].owner!r}"
        )
    return result


def merge(
    store: IdentityStore,
    winner: str,
    loser: str,
    *,
    actor: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> MergeResult:
    """Merge ``loser`` into ``winner`` (two profiles found to be the same person); audited.

    The winner keeps its traits and fills its gaps from the loser's; identifiers and consents move to the
    winner (consents keep the most restrictive choice); the loser resolves to the winner from now on, also
    for its past events.

    Raises:
        CustomerError: when either id is unknown or both are already the same customer.

    Example:
        >>> store = MemoryIdentityStore("shop")
        >>> _ = identify(store, customer_id="a", traits={"name": "Ana"})
        >>> _ = identify(store, customer_id="b", traits={"email": "ana@example.com"})
        >>> merge(store, "a", "b", actor="rep-1", reason="same person, confirmed by phone")
        MergeResult(winner='a', loser='b', identifiers_moved=1)
        >>> canonical_id(store, "b"), store.get_profile("a").email
        ('a', 'ana@example.com')
    """
    when = _utc(at)
    with store.atomic():
        w = canonical_id(store, winner)
        lo = canonical_id(store, loser)
        if w is None or lo is None:
            raise CustomerError(f"unknown customer {winner if w is None else loser!r}")
        if w == lo:
            raise CustomerError(f"{winner!r} and {loser!r} are already the same customer ({w!r})")
        wp = store.get_profile(w)
        lp = store.get_profile(lo)
        assert wp is not None and lp is not None
        moved = store.repoint(lo, w)
        for name in ("name", "email", "phone", "address"):
            if getattr(wp, name) is None and getattr(lp, name) is not None:
                setattr(wp, name, getattr(lp, name))
        wp.extra = {**lp.extra, **wp.extra}
        if wp.traits_at is None or (lp.traits_at is not None and lp.traits_at > wp.traits_at):
            wp.traits_at = lp.traits_at
        store.update_profile(wp)
        store.audit(AuditRecord("merge", actor, w, lo, {"reason": reason, "identifiers_moved": moved}, when))
        return MergeResult(w, lo, moved)


@dataclass(frozen=True)
class Candidate:
    """Two profiles that may be the same person, for someone to confirm (never merged automatically).

    Attributes:
        a, b: the two canonical customer ids (``a < b``).
        score: the combined score 0-100 (mean of name and address scores, or the name score alone).
        name_score: rapidfuzz token-sort ratio of the normalised names.
        address_score: token-set ratio of the normalised addresses, None when either has none.
    """

    a: str
    b: str
    score: float
    name_score: float
    address_score: float | None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def suggest_duplicates(
    profiles: Sequence[Profile],
    *,
    name_threshold: float = 88.0,
    threshold: float = 85.0,
) -> list[Candidate]:
    """Pairs of profiles whose names (and addresses, when both have one) are close: suggestions only.

    Names are case- and accent-folded and compared with rapidfuzz's token-sort ratio; a pair is suggested when
    the name score reaches ``name_threshold`` and the combined score reaches ``threshold``. The full pairwise
    matrix is computed in C (``rapidfuzz.process.cdist``); fine for tens of thousands of profiles.

    Example:
        >>> ps = [Profile("1", name="José Silva", address="Rua Augusta 12, Lisboa"),
        ...       Profile("2", name="Jose  Silva", address="R. Augusta 12 Lisboa"),
        ...       Profile("3", name="Maria Sousa")]
        >>> [(c.a, c.b) for c in suggest_duplicates(ps)]
        [('1', '2')]
    """
    named = [p for p in profiles if p.name and not p.merged_into]
    if len(named) < 2:
        return []
    names = [_fold(p.name or "") for p in named]
    matrix = process.cdist(names, names, scorer=fuzz.token_sort_ratio, score_cutoff=name_threshold, workers=1)
    found: list[Candidate] = []
    rows, cols = matrix.nonzero()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if i >= j:
            continue
        pa, pb = named[i], named[j]
        name_score = float(matrix[i, j])
        address_score: float | None = None
        if pa.address and pb.address:
            address_score = float(fuzz.token_set_ratio(_fold(pa.address), _fold(pb.address)))
        score = name_score if address_score is None else (name_score + address_score) / 2
        if score >= threshold:
            a, b = sorted((pa.customer_id, pb.customer_id))
            found.append(Candidate(a, b, round(score, 1), round(name_score, 1), address_score))
    found.sort(key=lambda c: (-c.score, c.a, c.b))
    return found


class MemoryIdentityStore:
    """The in-memory reference :class:`IdentityStore` (tests, benchmarks, a single process)."""

    def __init__(self, tenant: str = "default") -> None:
        self._tenant = tenant
        self.profiles: dict[str, Profile] = {}
        self.identities: dict[tuple[str, str], str] = {}
        self.suppressions: set[str] = set()
        self.log: list[AuditRecord] = []

    @property
    def tenant(self) -> str:
        """The tenant every call is scoped to."""
        return self._tenant

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """No transactions in memory: one thread at a time."""
        yield

    def get_profile(self, customer_id: str) -> Profile | None:
        """A copy of the stored profile, or None."""
        p = self.profiles.get(customer_id)
        return None if p is None else dataclasses.replace(p, extra=dict(p.extra))

    def add_profile(self, profile: Profile) -> bool:
        """Insert unless the id exists."""
        if profile.customer_id in self.profiles:
            return False
        self.profiles[profile.customer_id] = dataclasses.replace(profile, extra=dict(profile.extra))
        return True

    def update_profile(self, profile: Profile) -> None:
        """Replace the stored profile."""
        self.profiles[profile.customer_id] = dataclasses.replace(profile, extra=dict(profile.extra))

    def owner(self, kind: str, value: str) -> str | None:
        """The identifier's owner."""
        return self.identities.get((kind, value))

    def claim(self, kind: str, value: str, customer_id: str, at: dt.datetime) -> str:
        """Point an unowned identifier to ``customer_id``."""
        return self.identities.setdefault((kind, value), customer_id)

    def identifiers(self, customer_id: str) -> list[tuple[str, str]]:
        """Identifiers pointing to ``customer_id``."""
        return sorted(k for k, v in self.identities.items() if v == customer_id)

    def merged_ids(self, customer_id: str) -> list[str]:
        """Profiles merged into ``customer_id``."""
        return sorted(p.customer_id for p in self.profiles.values() if p.merged_into == customer_id)

    def repoint(self, loser: str, winner: str) -> int:
        """Move identifiers and merged profiles of ``loser`` to ``winner``."""
        moved = 0
        for key, owner in self.identities.items():
            if owner == loser:
                self.identities[key] = winner
                moved += 1
        for p in self.profiles.values():
            if p.customer_id == loser or p.merged_into == loser:
                p.merged_into = winner
        return moved

    def canonical_profiles(self) -> list[Profile]:
        """Profiles not merged into another."""
        return [self.get_profile(k) or p for k, p in self.profiles.items() if p.merged_into is None]

    def suppressed(self, hashes: Collection[str]) -> set[str]:
        """Hashes of erased identifiers among ``hashes``."""
        return set(hashes) & self.suppressions

    def audit(self, record: AuditRecord) -> None:
        """Append to the in-memory log."""
        self.log.append(record)


def carried_identifiers(
    customer_id: str | None, anonymous_id: str | None, traits: Traits | None
) -> list[tuple[str, str]]:
    """``(kind, value)`` of the identifiers an event carries: customer id, anonymous id, email, phone.

    Each of them is checked against the suppression list (an erased person's events are dropped).

    Example:
        >>> carried_identifiers("c1", None, Traits(email="Ana@Example.com"))
        [('customer_id', 'c1'), ('email', 'ana@example.com')]
    """
    keys: list[tuple[str, str]] = []
    if customer_id:
        keys.append(("customer_id", customer_id))
    if anonymous_id:
        keys.append(("anonymous_id", anonymous_id))
    if traits is not None:
        if traits.email:
            keys.append(("email", traits.email))
        if traits.phone:
            keys.append(("phone", traits.phone))
    return keys
