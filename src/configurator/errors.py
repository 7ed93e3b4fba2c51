"""Errors raised by configurator.

Every error a user can cause is a :class:`ConfiguratorError`; messages say where (file, line, column, key
path), what was expected and what was found, and suggest the nearest known id when one is close.

Each error class says how the HTTP API answers it: ``problem_type`` (the slug of the problem's
``urn:configurator:problem:<slug>`` type), ``status`` (the HTTP status) and ``title``, as class attributes a
subclass inherits unless it sets its own. The tree, with each class's (problem_type, status)::

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
    ├── InvalidEvent (also ValueError)         ("invalid-event", 422)  an interaction event fails validation
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
    │   └── NoFittingBundleError               ("no-fitting-bundle", 422)  no bundle meets the request
    ├── QuoteError (also ValueError)           ("quote-refused", 409)  a quote cannot be stored, loaded or
    │   │                                      moved on (configurator.quoting.lifecycle)
    │   ├── QuoteNotFound                      ("unknown-quote", 404)  no such quote number or version
    │   ├── QuoteVersionConflict               ("quote-version-conflict", 409)  a version stored twice
    │   └── QuoteStateError                    ("quote-state", 409)  the quote's status refuses the step
    ├── QuoteRenderError                       ("quote-render", 500)  a quote cannot be rendered
    │   │                                      (configurator.quoting.render.errors)
    │   └── QuoteTemplateError (also ValueError)  ("quote-render", 500)  a template fails to compile or render
    │       └── TemplateSecurityError          ("quote-render", 500)  a template breaks the sandbox
    ├── UnknownCatalogError (also LookupError)  ("unknown-catalog", 404)  the API serves no such catalog
    │                                          (configurator.api.problems)
    ├── UnknownSessionError (also LookupError)  ("unknown-session", 404)  no open session has that id
    │                                          (configurator.api.sessions)
    └── StorageError                           ("storage-unavailable", 503)  the database is unreachable or at
                                               an old schema revision (configurator.storage.engine)

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
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "BackendLimitError",
    "CatalogError",
    "ConfigurationError",
    "ConfiguratorError",
    "Location",
    "ModelFormatError",
    "NotFittedError",
    "Problem",
    "RuleSyntaxError",
    "SolverError",
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


class NotFittedError(ConfiguratorError, ValueError):
    """A learner was asked for predictions or parameters before ``fit()`` (the message names it)."""

    problem_type = "not-fitted"
    status = 422
    title = "Model not fitted"


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
