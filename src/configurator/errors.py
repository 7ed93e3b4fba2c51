"""Errors raised by configurator.

Every error a user can cause is a :class:`ConfiguratorError`; messages say where (file, line, column, key
path), what was expected and what was found, and suggest the nearest known id when one is close.

The tree::

    ConfiguratorError
    ├── CatalogError (also ValueError)         a catalog file cannot be loaded; holds every Problem found
    ├── RuleSyntaxError (also ValueError)      a rule expression does not parse or does not type-check
    ├── ConfigurationError (also ValueError)   a configuration names unknown modules/options or bad quantities
    ├── ModelFormatError (also ValueError)     an imported model file (UVL, XCSP, CLib, SXFM, FeatureIDE) is malformed
    ├── SolverError                            a problem cannot be built or solved as asked
    │   └── BackendLimitError                  a backend refuses a problem beyond its declared limits
    ├── NotFittedError (also ValueError)       a learner (e.g. a CLV model) is used before ``fit()``
    ├── CustomerError (also ValueError)        identity: bad email/phone, unknown customer, refused merge
    │                                          (configurator.customers.identity)
    ├── InvalidEvent (also ValueError)         an interaction event fails validation (configurator.customers.events)
    └── StorageError                           the database is unreachable or at an old schema revision
                                               (configurator.storage.engine)

Example:
    >>> from configurator.errors import CatalogError, Location, Problem
    >>> p = Problem(Location("bike.yaml", 12, 5, "rules[0].requires"), "unknown option 'frame.alu'",
    ...             hint="did you mean 'frame.alu_m'?")
    >>> str(CatalogError([p]))
    "bike.yaml:12:5: rules[0].requires: unknown option 'frame.alu' (did you mean 'frame.alu_m'?)"
    >>> isinstance(CatalogError([p]), ValueError)
    True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    """Base class of every error configurator raises on purpose."""


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


class ModelFormatError(ConfiguratorError, ValueError):
    """An imported model file is malformed or uses a construct we do not support (the message says which)."""


class SolverError(ConfiguratorError):
    """A problem cannot be built or solved as asked (non-linear rule, unknown backend, missing capability)."""


class BackendLimitError(SolverError):
    """A backend refuses a problem beyond its declared limits (the message names the limit and the size)."""


class NotFittedError(ConfiguratorError, ValueError):
    """A learner was asked for predictions or parameters before ``fit()`` (the message names it)."""


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
