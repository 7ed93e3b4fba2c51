"""Errors as RFC 9457 problem details: every :class:`~configurator.errors.ConfiguratorError` gets a status.

The status follows what the caller can do about it:

======  =========================================================================================
Status  Errors
======  =========================================================================================
404     unknown catalog, session, customer or quote (``UnknownCatalogError``, ``UnknownSessionError``,
        ``UnknownCustomerError``, ``QuoteNotFound``)
409     the resource's state refuses it (``QuoteStateError``, ``QuoteVersionConflict``, other ``QuoteError``)
422     well-formed but refused by the product's rules: unknown modules/options, invalid events, a request
        no bundle meets (with the ``repair`` proposed), a bundle the checker rejects (``violations``), solver
        and pricing errors, and request bodies that do not match the schema (``errors``)
400     any other ``ConfiguratorError``
503     the database is unreachable or at an old schema (``StorageError``)
500     a quote template fails to render (``QuoteRenderError``); never with a traceback
======  =========================================================================================

Errors are matched by class name along the exception's MRO, so this module imports none of the modules that
define them (the quoting modules need the ``pdf`` extra; the API serves catalogs and sessions without it).

Example:
    >>> from configurator.errors import ConfigurationError
    >>> problem_for(ConfigurationError("unknown option frame.alu"))
    (422, {'type': 'urn:configurator:problem:invalid-configuration', 'title': 'Invalid configuration', 'status': 422, 'detail': 'unknown option frame.alu'})
"""

from __future__ import annotations

from typing import Any

from configurator.errors import ConfiguratorError

__all__ = ["PROBLEM_TYPES", "UnknownCatalogError", "problem", "problem_for"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
"""The media type of a problem response."""


class UnknownCatalogError(ConfiguratorError, LookupError):
    """The API serves no catalog with that id (the message suggests the nearest one)."""


PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "UnknownCatalogError": (404, "unknown-catalog", "Unknown catalog"),
    "UnknownSessionError": (404, "unknown-session", "Unknown or expired session"),
    "UnknownCustomerError": (404, "unknown-customer", "Unknown customer"),
    "QuoteNotFound": (404, "unknown-quote", "Unknown quote"),
    "QuoteVersionConflict": (409, "quote-version-conflict", "Quote version conflict"),
    "QuoteStateError": (409, "quote-state", "The quote's status refuses this"),
    "QuoteError": (409, "quote-refused", "Quote refused"),
    "NoFittingBundleError": (422, "no-fitting-bundle", "No bundle meets the request"),
    "InvalidBundleError": (422, "invalid-bundle", "The bundle violates the catalog's rules"),
    "QuoteBuildError": (422, "quote-request", "The quote cannot be built as asked"),
    "ConfigurationError": (422, "invalid-configuration", "Invalid configuration"),
    "RuleSyntaxError": (422, "rule-syntax", "Invalid rule expression"),
    "InvalidEvent": (422, "invalid-event", "Invalid event"),
    "CustomerError": (422, "customer", "Customer request refused"),
    "PricingError": (422, "pricing", "Pricing refused"),
    "PolicyError": (422, "policy", "Invalid tier policy"),
    "AssemblyError": (422, "assembly", "Assembly refused"),
    "SolverError": (422, "solver", "The solver cannot answer as asked"),
    "CatalogError": (422, "invalid-catalog", "Invalid catalog"),
    "NotFittedError": (422, "not-fitted", "Model not fitted"),
    "StorageError": (503, "storage-unavailable", "Storage unavailable"),
    "QuoteRenderError": (500, "quote-render", "The quote could not be rendered"),
    "ConfiguratorError": (400, "bad-request", "Bad request"),
}
"""Class name -> (HTTP status, type slug, title); the first class along the exception's MRO wins."""


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem details object (``type``, ``title``, ``status``, ``detail`` and extension members).

    Example:
        >>> problem(404, "not-found", "Not found", "no route GET /x")["type"]
        'urn:configurator:problem:not-found'
    """
    return {
        "type": f"urn:configurator:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    } | {k: v for k, v in extra.items() if v is not None}


def _extensions(exc: ConfiguratorError) -> dict[str, Any]:
    """Machine-readable members some errors carry: the repair proposed, the rules violated, the hint."""
    extra: dict[str, Any] = {}
    repair = getattr(exc, "repair", None)
    if repair is not None:
        extra["repair"] = {
            "drop": list(repair.drop),
            "keep": list(repair.keep),
            "cost": repair.cost,
            "raise_budget_to": None if repair.raise_budget_to is None else str(repair.raise_budget_to),
        }
    violations = getattr(exc, "violations", None)
    if violations:
        extra["violations"] = [
            {"rule_id": v.rule_id, "kind": v.kind, "message": v.message, "choices": list(v.choices)}
            for v in violations
        ]
    hint = getattr(exc, "hint", "")
    if hint and isinstance(hint, str):
        extra["hint"] = hint
    return extra


def problem_for(exc: ConfiguratorError) -> tuple[int, dict[str, Any]]:
    """The HTTP status and problem details of a configurator error (see the table in the module docstring)."""
    for cls in type(exc).__mro__:
        found = PROBLEM_TYPES.get(cls.__name__)
        if found is not None:
            status, slug, title = found
            return status, problem(status, slug, title, str(exc), **_extensions(exc))
    raise AssertionError("unreachable: ConfiguratorError is in the table")  # pragma: no cover
