"""Tests of configurator.errors: locations, problems, the error tree and suggestions."""

from __future__ import annotations

import pytest

import configurator.errors
from configurator.errors import (
    BackendLimitError,
    CatalogError,
    ConfigurationError,
    ConfiguratorError,
    Location,
    ModelFormatError,
    NotFoundError,
    Problem,
    QuoteBuildError,
    QuoteError,
    QuoteNotFoundError,
    RuleSyntaxError,
    SolverError,
    UnknownCatalogError,
    UnknownCustomerError,
    UnknownSessionError,
    suggest,
)


def test_location_with_line_column_and_path() -> None:
    """A location reads file:line:col: path."""
    assert str(Location("bike.yaml", 12, 5, "rules[0].requires")) == "bike.yaml:12:5: rules[0].requires"


def test_location_without_line_is_the_file_alone() -> None:
    """Without a line the location is just the file (and the path when there is one)."""
    assert str(Location("bike.yaml")) == "bike.yaml"
    assert str(Location("bike.yaml", path="modules")) == "bike.yaml: modules"


def test_location_without_column_uses_column_one() -> None:
    """A line without a column is shown at column 1."""
    assert str(Location("bike.yaml", 3)) == "bike.yaml:3:1"


def test_problem_text_has_hint_in_parentheses() -> None:
    """A problem reads location: message (hint)."""
    problem = Problem(Location("a.yaml", 1, 2), "unknown key 'modles'", hint="did you mean 'modules'?")
    assert str(problem) == "a.yaml:1:2: unknown key 'modles' (did you mean 'modules'?)"
    assert problem.severity == "error"


def test_catalog_error_joins_every_problem_on_its_own_line() -> None:
    """CatalogError's message is one line per problem, in order."""
    problems = [Problem(Location("a.yaml", 1, 1), "first"), Problem(Location("a.yaml", 2, 3), "second")]
    error = CatalogError(problems)
    assert str(error) == "a.yaml:1:1: first\na.yaml:2:3: second"
    assert error.problems == tuple(problems)


def test_catalog_error_without_problems_says_invalid_catalog() -> None:
    """An empty CatalogError still has a message."""
    assert str(CatalogError([])) == "invalid catalog"


def test_rule_syntax_error_message_and_attributes() -> None:
    """RuleSyntaxError keeps text, offset, reason and hint, and shows a 1-based column."""
    error = RuleSyntaxError("a &", 3, "expected a value", "a hint")
    assert (error.text, error.offset, error.reason, error.hint) == ("a &", 3, "expected a value", "a hint")
    assert str(error) == "expected a value at column 4 of 'a &' (a hint)"
    assert str(RuleSyntaxError("x", 0, "bad")) == "bad at column 1 of 'x'"


@pytest.mark.parametrize("cls", [CatalogError, RuleSyntaxError, ConfigurationError])
def test_every_error_is_a_configurator_error_and_a_value_error(cls: type[Exception]) -> None:
    """The three user errors share the ConfiguratorError base and are ValueErrors."""
    assert issubclass(cls, ConfiguratorError)
    assert issubclass(cls, ValueError)


def test_suggest_names_the_closest_known_id() -> None:
    """suggest() proposes the nearest id, or nothing when none is close."""
    assert suggest("frame.alu", ["frame.alu_m", "frame.carbon_m"]) == "did you mean 'frame.alu_m'?"
    assert suggest("zzz", ["frame"]) == ""
    assert suggest("x", []) == ""


def test_error_classes_carry_their_http_problem() -> None:
    """The base is a 400 bad-request; a subclass inherits its parent's problem unless it sets its own."""
    assert (ConfiguratorError.problem_type, ConfiguratorError.status) == ("bad-request", 400)
    assert (ModelFormatError.problem_type, ModelFormatError.status) == ("bad-request", 400)
    assert (SolverError.problem_type, SolverError.status) == ("solver", 422)
    assert (BackendLimitError.problem_type, BackendLimitError.status, BackendLimitError.title) == (
        SolverError.problem_type,
        SolverError.status,
        SolverError.title,
    )
    error = CatalogError([])
    assert (error.problem_type, error.status, error.title) == ("invalid-catalog", 422, "Invalid catalog")


def test_not_found_errors_share_one_base_and_keep_their_own_answer() -> None:
    """Every not-found error is a NotFoundError (a LookupError, 404) and keeps its problem type and old base."""
    found = (UnknownCatalogError, UnknownSessionError, UnknownCustomerError, QuoteNotFoundError)
    assert set(NotFoundError.__subclasses__()) == set(found)
    assert issubclass(NotFoundError, ConfiguratorError) and issubclass(NotFoundError, LookupError)
    assert [(cls.problem_type, cls.status) for cls in found] == [
        ("unknown-catalog", 404),
        ("unknown-session", 404),
        ("unknown-customer", 404),
        ("unknown-quote", 404),
    ]
    assert issubclass(UnknownCustomerError, QuoteBuildError) and issubclass(UnknownCustomerError, ValueError)
    assert issubclass(QuoteNotFoundError, QuoteError) and issubclass(QuoteNotFoundError, ValueError)


def test_the_module_holds_the_whole_tree_and_its_docstring_draws_it() -> None:
    """Every ConfiguratorError subclass is defined in configurator.errors, exported, and drawn in the docstring."""
    pending = [ConfiguratorError]
    seen: set[type[ConfiguratorError]] = set()
    while pending:
        cls = pending.pop()
        seen.add(cls)
        pending.extend(sub for sub in cls.__subclasses__() if sub.__module__.startswith("configurator"))
    tree = configurator.errors.__doc__ or ""
    for cls in seen:
        assert cls.__module__ == "configurator.errors", cls
        assert cls.__name__.endswith("Error"), cls
        assert cls.__name__ in configurator.errors.__all__, cls
        assert f"── {cls.__name__}" in tree or cls is ConfiguratorError, cls
