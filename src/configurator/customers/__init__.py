"""Customers: identity across channels, trust in what events say, interaction events, consent, ingest, value, tiers.

Importing the package is cheap: each public name is imported from its submodule the first time it is used (so
reading events never loads the data-frame or statistics libraries that value and tiers need).

Example:
    >>> import configurator.customers as customers
    >>> customers.normalise_email(" Ann@Example.COM ")
    'ann@example.com'
    >>> customers.TierAssigner.__module__
    'configurator.customers.tiers'
"""

import typing

from configurator.lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from configurator.customers.consent import (
        PURPOSES,
        ConsentState,
        ErasureReport,
        PrivacyStore,
        Purpose,
        consent_status,
        erase_person,
        export_person,
        record_consent,
    )
    from configurator.customers.events import CHANNELS, EVENT_TYPES, Channel, Event, validate_event
    from configurator.customers.identity import (
        AuditRecord,
        IdentityStore,
        MemoryIdentityStore,
        MergeResult,
        Profile,
        canonical_id,
        identifier_hash,
        identify,
        merge,
        normalise_email,
        normalise_phone,
        suggest_duplicates,
    )
    from configurator.customers.ingest import EventSink, IngestReport, WriteResult, ingest_file
    from configurator.customers.search import SearchHit, search_profiles
    from configurator.customers.tiers import TIERS, TierAssigner, TierConfig, assign_tiers
    from configurator.customers.trust import TRUST_LEVELS, Claim, Provenance, Trust
    from configurator.customers.value import (
        BGNBDModel,
        CollaborativeWeights,
        GammaGammaModel,
        collaborative_value,
        customer_lifetime_value,
        rfm_scores,
    )
    from configurator.errors import CustomerError, InvalidEventError

__all__ = [
    "CHANNELS",
    "EVENT_TYPES",
    "PURPOSES",
    "TIERS",
    "TRUST_LEVELS",
    "AuditRecord",
    "BGNBDModel",
    "Channel",
    "Claim",
    "CollaborativeWeights",
    "ConsentState",
    "CustomerError",
    "ErasureReport",
    "Event",
    "EventSink",
    "GammaGammaModel",
    "IdentityStore",
    "IngestReport",
    "InvalidEventError",
    "MemoryIdentityStore",
    "MergeResult",
    "PrivacyStore",
    "Profile",
    "Provenance",
    "Purpose",
    "SearchHit",
    "TierAssigner",
    "TierConfig",
    "Trust",
    "WriteResult",
    "assign_tiers",
    "canonical_id",
    "collaborative_value",
    "consent_status",
    "customer_lifetime_value",
    "erase_person",
    "export_person",
    "identifier_hash",
    "identify",
    "ingest_file",
    "merge",
    "normalise_email",
    "normalise_phone",
    "record_consent",
    "rfm_scores",
    "search_profiles",
    "suggest_duplicates",
    "validate_event",
]

_MODULES = {
    "configurator.customers.consent": (
        "PURPOSES ConsentState ErasureReport PrivacyStore Purpose consent_status erase_person export_person "
        "record_consent"
    ),
    "configurator.customers.events": "CHANNELS EVENT_TYPES Channel Event validate_event",
    "configurator.customers.identity": (
        "AuditRecord IdentityStore MemoryIdentityStore MergeResult Profile canonical_id identifier_hash identify "
        "merge normalise_email normalise_phone suggest_duplicates"
    ),
    "configurator.customers.ingest": "EventSink IngestReport WriteResult ingest_file",
    "configurator.customers.search": "SearchHit search_profiles",
    "configurator.customers.tiers": "TIERS TierAssigner TierConfig assign_tiers",
    "configurator.customers.trust": "TRUST_LEVELS Claim Provenance Trust",
    "configurator.customers.value": (
        "BGNBDModel CollaborativeWeights GammaGammaModel collaborative_value customer_lifetime_value rfm_scores"
    ),
    "configurator.errors": "CustomerError InvalidEventError",
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names.split()}
"""The public names imported on first use, and the module each comes from."""


_import_on_first_use, __dir__ = _lazy_exports(__name__, _LAZY, globals())

if not typing.TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error
    __getattr__ = _import_on_first_use
