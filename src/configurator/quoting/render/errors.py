"""The errors of quote rendering: an unknown format or missing PDF support, and a template that fails.

Example:
    >>> str(QuoteTemplateError("quote.html.j2", 12, "undefined value: 'x' is undefined"))
    "quote.html.j2:12: undefined value: 'x' is undefined"
"""

from __future__ import annotations

from configurator.errors import ConfiguratorError

__all__ = ["QuoteRenderError", "QuoteTemplateError", "TemplateSecurityError"]


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
    """

    def __init__(self, template: str, line: int, reason: str) -> None:
        self.template = template
        self.line = line
        self.reason = reason
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {reason}")


class TemplateSecurityError(QuoteTemplateError):
    """A template reached for something the sandbox forbids or went past a resource limit."""
