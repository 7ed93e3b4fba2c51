r"""The text formats: HTML and plain text render the view as it is; Markdown gets every text made inert.

Labels, names and translations come from catalogs and tenants: in Markdown they could open emphasis, links,
table cells or raw HTML, so the ``md`` format escapes every string of the view and every translated message.

Example:
    >>> markdown_view({"lines": [{"option": "*Alu*"}], "qty": 1})
    {'lines': [{'option': '\\*Alu\\*'}], 'qty': 1}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from configurator.quoting.i18n import Translator

__all__ = ["markdown_escape", "markdown_gettext", "markdown_view"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~<>])")


def markdown_escape(text: str) -> str:
    r"""Text made inert in Markdown: no emphasis, links, table cells or raw HTML.

    Example:
        >>> print(markdown_escape("<script>*x*|[y]"))
        \<script\>\*x\*\|\[y\]
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def _deep(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {k: _deep(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep(v, fn) for v in value]
    return value


def markdown_view(view: Mapping[str, Any]) -> dict[str, Any]:
    """The view with every string Markdown-escaped (numbers, flags and structure unchanged)."""
    escaped: dict[str, Any] = _deep(view, markdown_escape)
    return escaped


def markdown_gettext(tr: Translator) -> Callable[..., str]:
    """The quote's gettext with every message Markdown-escaped (the ``_()`` of Markdown templates)."""

    def gettext(msgid: str, /, **values: str) -> str:
        return markdown_escape(tr.gettext(msgid, **values))

    return gettext
