"""Errors as RFC 9457 problem details: every :class:`~configurator.errors.ConfiguratorError` gets a status.

Each error class carries its answer as class attributes (``problem_type``, ``status``, ``title``; see
:mod:`configurator.errors` for the whole tree), inherited along its MRO unless it sets its own. The status
follows what the caller can do about it:

======  =========================================================================================
Status  Errors
======  =========================================================================================
404     unknown catalog, session, customer or quote (a ``NotFoundError``: ``UnknownCatalogError``,
        ``UnknownSessionError``, ``UnknownCustomerError``, ``QuoteNotFoundError``)
409     the resource's state refuses it (``QuoteStateError``, ``QuoteVersionConflictError``, other ``QuoteError``)
422     well-formed but refused by the product's rules: unknown modules/options, invalid events, a request
        no bundle meets (with the ``repair`` proposed), a bundle the checker rejects (``violations``), solver
        and pricing errors, and request bodies that do not match the schema (``errors``)
400     any other ``ConfiguratorError`` (e.g. ``ModelFormatError``)
503     the database is unreachable or at an old schema (``StorageError``)
500     a quote template fails to render (``QuoteRenderError``); never with a traceback
======  =========================================================================================

Example:
    >>> from configurator.errors import ConfigurationError
    >>> problem_for(ConfigurationError("unknown option frame.alu"))
    (422, {'type': 'urn:configurator:problem:invalid-configuration', 'title': 'Invalid configuration', 'status': 422, 'detail': 'unknown option frame.alu'})
"""

from __future__ import annotations

from typing import Any

from configurator.errors import ConfiguratorError

__all__ = ["PROBLEM_MEDIA_TYPE", "localized", "problem", "problem_for"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
"""The media type of a problem response."""


def _answer(cls: type[ConfiguratorError]) -> tuple[str, int, str]:
    """The (problem_type, status, title) of an error class: the first class along its MRO that sets them.

    Example:
        >>> from configurator.errors import BackendLimitError
        >>> _answer(BackendLimitError)
        ('solver', 422, 'The solver cannot answer as asked')
    """
    return cls.problem_type, cls.status, cls.title


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


def localized(body: dict[str, Any], language: str) -> dict[str, Any]:
    """The problem with its ``title`` in ``language`` (en, pt, es or sv; gettext ``problem.<type>``).

    The title is for people: it comes in the language the caller asked for (``Accept-Language``); ``type`` is
    the stable code to act on, and ``detail`` stays in English (it names fields and values for the developer).
    A type without a translation keeps its English title.

    Example:
        >>> localized(problem(404, "unknown-customer", "Unknown customer", "unknown customer 'c-9'"), "pt")["title"]
        'Cliente desconhecido'
        >>> localized(problem(404, "no-such-type", "Something", "x"), "sv")["title"]
        'Something'
    """
    from configurator.quoting.i18n import messages

    slug = str(body.get("type", "")).rpartition(":")[2]
    title = messages(language).get(f"problem.{slug}")
    return body | {"title": title} if title else body


def problem_for(exc: ConfiguratorError) -> tuple[int, dict[str, Any]]:
    """The HTTP status and problem details of a configurator error, from its class's attributes.

    Example:
        >>> from configurator.errors import UnknownCatalogError
        >>> status, body = problem_for(UnknownCatalogError("unknown catalog 'bik'"))
        >>> status, body["type"], body["title"]
        (404, 'urn:configurator:problem:unknown-catalog', 'Unknown catalog')
    """
    slug, status, title = _answer(type(exc))
    return status, problem(status, slug, title, str(exc), **_extensions(exc))
