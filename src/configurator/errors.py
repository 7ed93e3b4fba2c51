"""Errors raised by configurator.

Every error a user can cause is a :class:`ConfiguratorError`; messages say where (file, line, column, key
path), what was expected and what was found, and suggest the nearest known id when one is close.

Each error class says how the HTTP API answers it: ``problem_type`` (the slug of the problem's
``urn:configurator:problem:<slug>`` type), ``status`` (the HTTP status) and ``title``, as class attributes a
subclass inherits unless it sets its own. Every name ends in ``Error``; the errors of a missing resource share
:class:`NotFoundError` (404). The tree, with each class's (problem_type, status) and where it is raised::

    ConfiguratorError                          ("bad-request", 400)  any other error
    ├── CatalogError (also ValueError)         ("invalid-catalog", 422)  a catalog file cannot be loaded; holds
    │                                          every Problem found
    ├── RuleSyntaxError (also ValueError)      ("rule-syntax", 422)  a rule expression does not parse or does
    │                                          not type-check
    ├── ConfigurationError (also ValueError)   ("invalid-configuration", 422)  a configuration names unknown
    │                                          modules/options or bad quantities
    ├── ModelFormatError (also ValueError)     ("bad-request", 400)  an imported model file (UVL, XCSP, CLib,
    │                                          SXFM, FeatureIDE) is malformed
    ├── SolverError                            ("solver", 422)  a problem cannot be built or solved as asked
    │   ├── BackendLimitError                  ("solver", 422)  a backend refuses a problem beyond its limits
    │   └── BackendCapabilityError             ("solver", 422)  a backend does not declare what the operation
    │                                          needs (configurator.solver.backend)
    ├── NotFittedError (also ValueError)       ("not-fitted", 422)  a learner (e.g. a CLV model) is used before
    │                                          ``fit()``
    ├── CustomerError (also ValueError)        ("customer", 422)  identity: bad email/phone, unknown customer,
    │                                          refused merge (configurator.customers.identity)
    ├── InvalidEventError (also ValueError)    ("invalid-event", 422)  an interaction event fails validation
    │                                          (configurator.customers.events)
    ├── PolicyError (also ValueError)          ("policy", 422)  a tier policy does not validate
    │                                          (configurator.assembly.policy)
    ├── AssemblyError                          ("assembly", 422)  a request assembly cannot serve
    │                                          (configurator.assembly.assemble)
    ├── PricingError (also ValueError)         ("pricing", 422)  a price cannot be computed as asked
    │                                          (configurator.offer.pricing)
    ├── QuoteBuildError (also ValueError)      ("quote-request", 422)  a quote cannot be built as asked
    │   │                                      (configurator.quoting.build)
    │   ├── InvalidBundleError                 ("invalid-bundle", 422)  the bundle fails the checker
    │   ├── UnknownCustomerError               ("unknown-customer", 404)  no profile for the customer id
    │   │                                      (also a NotFoundError)
    │   └── NoFittingBundleError               ("no-fitting-bundle", 422)  no bundle meets the request
    ├── QuoteError (also ValueError)           ("quote-refused", 409)  a quote cannot be stored, loaded or
    │   │                                      moved on (configurator.quoting.lifecycle)
    │   ├── QuoteNotFoundError                 ("unknown-quote", 404)  no such quote number or version
    │   │                                      (also a NotFoundError)
    │   ├── QuoteVersionConflictError          ("quote-version-conflict", 409)  a version stored twice
    │   ├── QuoteCustomerMismatchError         ("quote-customer-mismatch", 409)  the number is another
    │   │                                      customer's
    │   └── QuoteStateError                    ("quote-state", 409)  the quote's status refuses the step
    ├── QuoteRenderError                       ("quote-render", 500)  a quote cannot be rendered
    │   │                                      (configurator.quoting.render)
    │   └── QuoteTemplateError (also ValueError)  ("quote-render", 500)  a template fails to compile or render
    │       └── TemplateSecurityError          ("quote-render", 500)  a template breaks the sandbox
    ├── AuthenticationError                    ("unauthenticated", 401)  no credential, or an unknown, revoked
    │                                          or expired one (configurator.access)
    ├── PermissionDeniedError                  ("forbidden", 403)  the credential lacks the scope the
    │                                          request needs (configurator.access)
    ├── SessionConflictError                   ("session-conflict", 409)  two changes of one configuration
    │                                          session raced (configurator.api.sessions)
    ├── SessionLimitError                      ("too-many-sessions", 429)  the caller has as many open
    │                                          configuration sessions as allowed
    ├── SettingsError                          ("settings", 500)  the settings cannot serve what is asked (a
    │                                          missing secret key)
    ├── NotFoundError (also LookupError)       ("not-found", 404)  a named resource does not exist; each
    │   │                                      subclass keeps its own problem type
    │   ├── UnknownCatalogError                ("unknown-catalog", 404)  the API serves no such catalog
    │   │                                      (configurator.api.service)
    │   ├── UnknownSessionError                ("unknown-session", 404)  no open session has that id
    │   │                                      (configurator.api.sessions)
    │   ├── UnknownCustomerError               ("unknown-customer", 404)  also a QuoteBuildError (above)
    │   └── QuoteNotFoundError                 ("unknown-quote", 404)  also a QuoteError (above)
    └── StorageError                           ("storage-unavailable", 503)  the database is unreachable or at
                                               an old schema revision (configurator.storage)

The module imports nothing of configurator above it (it is the bottom layer): where an error carries an object
of a higher layer (a repair, a checker's violations), its type here is a small Protocol that the object meets.

Example:
    >>> from configurator.errors import CatalogError, Location, Problem
    >>> p = Problem(Location("bike.yaml", 12, 5, "rules[0].requires"), "unknown option 'frame.alu'",
    ...             hint="did you mean 'frame.alu_m'?")
    >>> str(CatalogError([p]))
    "bike.yaml:12:5: rules[0].requires: unknown option 'frame.alu' (did you mean 'frame.alu_m'?)"
    >>> isinstance(CatalogError([p]), ValueError)
    True
    >>> CatalogError.problem_type, CatalogError.status, ConfiguratorError.status
    ('invalid-catalog', 422, 400)
    >>> [c.__name__ for c in QuoteNotFoundError.__mro__[1:4]]
    ['NotFoundError', 'QuoteError', 'ConfiguratorError']
    >>> QuoteNotFoundError.problem_type, QuoteNotFoundError.status, issubclass(QuoteNotFoundError, LookupError)
    ('unknown-quote', 404, True)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Protocol

__all__ = [
    "AssemblyError",
    "AuthenticationError",
    "BackendCapabilityError",
    "BackendLimitError",
    "CatalogError",
    "ConfigurationError",
    "ConfiguratorError",
    "CustomerError",
    "InvalidBundleError",
    "InvalidEventError",
    "Location",
    "ModelFormatError",
    "NoFittingBundleError",
    "NotFittedError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyError",
    "PricingError",
    "Problem",
    "QuoteBuildError",
    "QuoteCustomerMismatchError",
    "QuoteError",
    "QuoteNotFoundError",
    "QuoteRenderError",
    "QuoteStateError",
    "QuoteTemplateError",
    "QuoteVersionConflictError",
    "RepairLike",
    "RuleSyntaxError",
    "SessionConflictError",
    "SessionLimitError",
    "SettingsError",
    "SolverError",
    "StorageError",
    "TemplateSecurityError",
    "UnknownCatalogError",
    "UnknownCustomerError",
    "UnknownSessionError",
    "ViolationLike",
    "suggest",
]


class ConfiguratorError(Exception):
    """Base class of every error configurator raises on purpose.

    The class attributes say how the HTTP API answers the error (an RFC 9457 problem); a subclass sets the
    ones that differ from its parent's.

    Attributes:
        problem_type: the slug of the problem type, ``urn:configurator:problem:<problem_type>``.
        status: the HTTP status of the answer.
        title: the problem's short, human-readable summary (the same for every error of the class).

    Example:
        >>> ConfiguratorError.problem_type, ConfiguratorError.status, ConfiguratorError.title
        ('bad-request', 400, 'Bad request')
        >>> error = ConfigurationError("unknown option frame.alu")
        >>> error.problem_type, error.status, error.title
        ('invalid-configuration', 422, 'Invalid configuration')
    """

    problem_type: ClassVar[str] = "bad-request"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is: file, 1-based line and column, and the key path inside the document."""

    file: str = "<string>"
    line: int = 0
    column: int = 0
    path: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.path}" if self.path else where


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a catalog: where, what, and an optional hint ("did you mean ...")."""

    location: Location
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class CatalogError(ConfiguratorError, ValueError):
    """A catalog (or module library) could not be loaded.

    Attributes:
        problems: every problem found, in file order; loading collects them all in one pass.
    """

    problem_type = "invalid-catalog"
    status = 422
    title = "Invalid catalog"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid catalog")


class RuleSyntaxError(ConfiguratorError, ValueError):
    """A rule expression is malformed or ill-typed.

    Attributes:
        text: the expression as written.
        offset: 0-based character offset of the problem within ``text``.
        reason: what was expected and what was found.
        hint: an optional suggestion.
    """

    problem_type = "rule-syntax"
    status = 422
    title = "Invalid rule expression"

    def __init__(self, text: str, offset: int, reason: str, hint: str = "") -> None:
        self.text = text
        self.offset = offset
        self.reason = reason
        self.hint = hint
        message = f"{reason} at column {offset + 1} of {text!r}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class ConfigurationError(ConfiguratorError, ValueError):
    """A configuration refers to modules or options the catalog does not have, or is malformed."""

    problem_type = "invalid-configuration"
    status = 422
    title = "Invalid configuration"


class ModelFormatError(ConfiguratorError, ValueError):
    """An imported model file is malformed or uses a construct we do not support (the message says which)."""


class SolverError(ConfiguratorError):
    """A problem cannot be built or solved as asked (non-linear rule, unknown backend, missing capability)."""

    problem_type = "solver"
    status = 422
    title = "The solver cannot answer as asked"


class BackendLimitError(SolverError):
    """A backend refuses a problem beyond its declared limits (the message names the limit and the size)."""


class BackendCapabilityError(SolverError):
    """A backend was asked for something it does not declare it can do.

    The message names the backend, the operation, and the registered backends that can do it.

    Example:
        >>> str(BackendCapabilityError("exhaustive", "optimize", ["optimize"], ["cpsat"]))
        "the exhaustive backend cannot optimize: it does not declare 'optimize'; backends that can: cpsat"
    """

    def __init__(self, backend: str, operation: str, missing: Sequence[str], capable: Sequence[str]) -> None:
        self.backend = backend
        self.operation = operation
        self.missing = tuple(missing)
        self.capable = tuple(capable)
        wanted = ", ".join(repr(str(m)) for m in self.missing)
        alternatives = f"backends that can: {', '.join(capable)}" if capable else "no registered backend can"
        super().__init__(
            f"the {backend} backend cannot {operation}: it does not declare {wanted}; {alternatives}"
        )


class NotFittedError(ConfiguratorError, ValueError):
    """A learner was asked for predictions or parameters before ``fit()`` (the message names it)."""

    problem_type = "not-fitted"
    status = 422
    title = "Model not fitted"


class NotFoundError(ConfiguratorError, LookupError):
    """A named resource (catalog, session, customer, quote) does not exist; each subclass names its own type.

    Example:
        >>> [cls.__name__ for cls in sorted(NotFoundError.__subclasses__(), key=lambda c: c.__name__)]
        ['QuoteNotFoundError', 'UnknownCatalogError', 'UnknownCustomerError', 'UnknownSessionError']
    """

    problem_type = "not-found"
    status = 404
    title = "Not found"


class CustomerError(ConfiguratorError, ValueError):
    """A customer operation cannot be done as asked (unknown id, merge with itself, erased identifiers)."""

    problem_type = "customer"
    status = 422
    title = "Customer request refused"


class InvalidEventError(ConfiguratorError, ValueError):
    """An event does not validate. Attributes: ``field`` (dotted path, "" for the whole event), ``reason``.

    Example:
        >>> str(InvalidEventError("ts", "Input should have timezone info")), str(InvalidEventError("", "empty"))
        ('ts: Input should have timezone info', 'empty')
    """

    problem_type = "invalid-event"
    status = 422
    title = "Invalid event"

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class PolicyError(ConfiguratorError, ValueError):
    """A tier policy that does not validate: the message names the field, what was expected and what was found."""

    problem_type = "policy"
    status = 422
    title = "Invalid tier policy"


class AssemblyError(ConfiguratorError):
    """A bundle that would be wrong to return (it fails the checker), or a request assembly cannot serve."""

    problem_type = "assembly"
    status = 422
    title = "Assembly refused"


class PricingError(ConfiguratorError, ValueError):
    """A price cannot be computed as asked.

    Bad quantity, tier, discount, country or currency: the message says which, what was expected and what was
    found.
    """

    problem_type = "pricing"
    status = 422
    title = "Pricing refused"


class ViolationLike(Protocol):
    """A violated rule as :class:`InvalidBundleError` carries it (the checker's ``Violation`` is one)."""

    @property
    def rule_id(self) -> str:
        """The rule id."""

    @property
    def kind(self) -> str:
        """The kind of rule (``requires``, ``excludes``, ``cardinality``...)."""

    @property
    def message(self) -> str:
        """The rule's message."""

    @property
    def choices(self) -> tuple[str, ...]:
        """The selected options involved, as ``module.option``."""

    @property
    def path(self) -> str:
        """For a sub-assembly, ``module.option`` of the option it configures; ``""`` at the top."""


class RepairLike(Protocol):
    """A repair proposal as :class:`NoFittingBundleError` carries it (assembly's ``RepairProposal`` is one)."""

    @property
    def drop(self) -> tuple[str, ...]:
        """The choices to give up (``module.option``; ``!module.option`` for an exclusion)."""

    @property
    def cost(self) -> int:
        """How much the customer cares about them (lower: cares less)."""

    @property
    def keep(self) -> tuple[str, ...]:
        """The choices kept."""

    @property
    def raise_budget_to(self) -> Decimal | None:
        """The least list price of a bundle meeting the kept choices, when the budget is too low."""


class QuoteBuildError(ConfiguratorError, ValueError):
    """A quote cannot be built as asked: the message says what was expected and what was found."""

    problem_type = "quote-request"
    status = 422
    title = "The quote cannot be built as asked"


class InvalidBundleError(QuoteBuildError):
    """The bundle fails the independent checker: it is never quoted.

    Attributes:
        violations: the violated rules.
    """

    problem_type = "invalid-bundle"
    title = "The bundle violates the catalog's rules"

    def __init__(self, catalog: str, violations: Sequence[ViolationLike]) -> None:
        self.violations: tuple[ViolationLike, ...] = tuple(violations)
        rules = "; ".join(
            f"{v.path + ': ' if v.path else ''}{v.rule_id} ({v.message})" for v in self.violations[:5]
        )
        more = f" and {len(self.violations) - 5} more" if len(self.violations) > 5 else ""
        super().__init__(
            f"refusing to quote an invalid {catalog} bundle: it violates {len(self.violations)} rule(s): "
            f"{rules}{more}"
        )


class UnknownCustomerError(NotFoundError, QuoteBuildError):
    """The store has no profile for the customer id.

    Attributes:
        customer_id: the id asked for.
        hint: ``did you mean ...?`` for the nearest known id, or ``""``.

    Example:
        >>> str(UnknownCustomerError("c-104", "shop", "did you mean 'c-1004'?"))
        "unknown customer 'c-104' in tenant 'shop' (did you mean 'c-1004'?)"
    """

    problem_type = "unknown-customer"
    status = 404
    title = "Unknown customer"

    def __init__(self, customer_id: str, tenant: str, hint: str = "") -> None:
        self.customer_id = customer_id
        self.hint = hint
        super().__init__(
            f"unknown customer {customer_id!r} in tenant {tenant!r}" + (f" ({hint})" if hint else "")
        )


class NoFittingBundleError(QuoteBuildError):
    """No bundle meets the request as asked; ``repair`` says what would (None: the catalog has no valid bundle).

    Attributes:
        repair: the repair assembly proposes (choices to drop, budget to raise to), if any.
        bundle: the bundle that assumes the repair (an assembled bundle), if any.
    """

    problem_type = "no-fitting-bundle"
    title = "No bundle meets the request"

    def __init__(self, message: str, repair: RepairLike | None = None, bundle: object | None = None) -> None:
        self.repair = repair
        self.bundle = bundle
        super().__init__(message)


class QuoteError(ConfiguratorError, ValueError):
    """A quote cannot be stored, loaded or moved on as asked."""

    problem_type = "quote-refused"
    status = 409
    title = "Quote refused"


class QuoteNotFoundError(NotFoundError, QuoteError):
    """No such quote number, or no such version of it."""

    problem_type = "unknown-quote"
    status = 404
    title = "Unknown quote"


class QuoteVersionConflictError(QuoteError):
    """A version is stored with other content, or the version number is not the next one."""

    problem_type = "quote-version-conflict"
    title = "Quote version conflict"


class QuoteCustomerMismatchError(QuoteError):
    """A version of a quote number is stored for another customer than the one the number belongs to."""

    problem_type = "quote-customer-mismatch"
    title = "The quote number belongs to another customer"


class QuoteStateError(QuoteError):
    """The quote's status refuses the step (superseded, expired, already accepted, approval missing)."""

    problem_type = "quote-state"
    title = "The quote's status refuses this"


class QuoteRenderError(ConfiguratorError):
    """A quote cannot be rendered (unknown format, missing PDF support...)."""

    problem_type = "quote-render"
    status = 500
    title = "The quote could not be rendered"


class QuoteTemplateError(QuoteRenderError, ValueError):
    """A template fails to compile or to render.

    Attributes:
        template: the template file (path when it is a file) or name.
        line: the 1-based line in it, 0 when unknown.
        reason: what went wrong.

    Example:
        >>> str(QuoteTemplateError("quote.html.j2", 12, "undefined value: 'x' is undefined"))
        "quote.html.j2:12: undefined value: 'x' is undefined"
    """

    def __init__(self, template: str, line: int, reason: str) -> None:
        self.template = template
        self.line = line
        self.reason = reason
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {reason}")


class TemplateSecurityError(QuoteTemplateError):
    """A template reached for something the sandbox forbids or went past a resource limit."""


class UnknownCatalogError(NotFoundError):
    """The API serves no catalog with that id (the message suggests the nearest one)."""

    problem_type = "unknown-catalog"
    status = 404
    title = "Unknown catalog"


class UnknownSessionError(NotFoundError):
    """No open session has that id (never created, expired, evicted, or created by another process)."""

    problem_type = "unknown-session"
    status = 404
    title = "Unknown or expired session"


class AuthenticationError(ConfiguratorError):
    """No credential was sent, or it is unknown, revoked or expired (the message never says which secret)."""

    problem_type = "unauthenticated"
    status = 401
    title = "Authentication required"


class PermissionDeniedError(ConfiguratorError):
    """The credential is valid but lacks the scope the request needs (the message names the scope)."""

    problem_type = "forbidden"
    status = 403
    title = "Not allowed"


class SessionConflictError(ConfiguratorError):
    """Two changes of one configuration session raced and the later one no longer applies (reload, retry)."""

    problem_type = "session-conflict"
    status = 409
    title = "The session changed meanwhile"


class SessionLimitError(ConfiguratorError):
    """The caller already holds as many open configuration sessions as allowed (close one, or wait)."""

    problem_type = "too-many-sessions"
    status = 429
    title = "Too many open sessions"


class SettingsError(ConfiguratorError):
    """The settings cannot serve what is asked, e.g. no secret key where keyed hashes are needed."""

    problem_type = "settings"
    status = 500
    title = "Server settings incomplete"


class StorageError(ConfiguratorError):
    """The database cannot be used as asked (bad URL, schema not migrated, driver missing)."""

    problem_type = "storage-unavailable"
    status = 503
    title = "Storage unavailable"


def suggest(word: str, known: Iterable[str]) -> str:
    """Return a "did you mean ...?" hint for the known id closest to ``word``, or ``""``.

    Example:
        >>> suggest("frame.alu", ["frame.alu_m", "frame.carbon_m"])
        "did you mean 'frame.alu_m'?"
        >>> suggest("zzz", ["frame"])
        ''
    """
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else ""
