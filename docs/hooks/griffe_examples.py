"""Griffe extension for the API reference: an ``Example:`` section is the doctest it holds.

The project's Google docstrings title their doctests ``Example:``; Griffe reads that title as an admonition
of Markdown text, where ``>>>`` is a quote and ``x[0][0]`` a link. Retitled ``Examples:`` they render as code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_TITLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Reads each docstring's ``Example:`` section as Griffe's ``Examples:`` section."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Retitle the ``Example:`` sections of one object's docstring before it is parsed."""
        if obj.docstring is not None:
            obj.docstring.value = _TITLE.sub(r"\1Examples:", obj.docstring.value)
