"""Quoting: quotes built from assembled bundles, their lifecycle and their rendering in the customer's language.

Import order: ``quoting`` sits on top of ``assembly`` and ``offer`` (lines, reasons, the pricing waterfall and
tax); it reaches the store through :mod:`configurator.quoting.ports` only, and ``jinja2`` is imported only by
:mod:`configurator.quoting.render`.

Importing the package is cheap: each public name is imported from its submodule the first time it is used (so
loading a stored quote never loads the templates, and building one never loads the PDF renderer).

Example:
    >>> import configurator.quoting as quoting
    >>> quoting.Quote.from_data(quoting.EXAMPLE).total
    Decimal('485.60')
    >>> quoting.render_quote.__module__
    'configurator.quoting.render.renderer'
"""

import typing

from configurator.lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from configurator.errors import (
        InvalidBundleError,
        NoFittingBundleError,
        QuoteBuildError,
        QuoteError,
        QuoteNotFoundError,
        QuoteRenderError,
        QuoteStateError,
        QuoteVersionConflictError,
        UnknownCustomerError,
    )
    from configurator.quoting.build import (
        DEFAULT_TERMS,
        build_quote,
        customer_details,
        quote_for_customer,
        render_many,
    )
    from configurator.quoting.diff import QuoteDiff, diff_quotes
    from configurator.quoting.edit import QuoteEdits, configured_quote, discount_limits, edit_changes
    from configurator.quoting.i18n import LANGUAGES, Translator
    from configurator.quoting.lifecycle import (
        QuoteVersionInfo,
        accept_quote,
        approve,
        expire_quotes,
        load_quote,
        mark_sent,
        quote_versions,
        revise,
        save_quote,
    )
    from configurator.quoting.model import EXAMPLE, LineDiscount, Quote
    from configurator.quoting.ports import OutboxStore, QuoteHead, QuoteStore, QuoteVersion
    from configurator.quoting.render import Format, RenderedQuote, render_quote
    from configurator.quoting.send import send_quote

__all__ = [
    "DEFAULT_TERMS",
    "EXAMPLE",
    "LANGUAGES",
    "Format",
    "InvalidBundleError",
    "LineDiscount",
    "NoFittingBundleError",
    "OutboxStore",
    "Quote",
    "QuoteBuildError",
    "QuoteDiff",
    "QuoteEdits",
    "QuoteError",
    "QuoteHead",
    "QuoteNotFoundError",
    "QuoteRenderError",
    "QuoteStateError",
    "QuoteStore",
    "QuoteVersion",
    "QuoteVersionConflictError",
    "QuoteVersionInfo",
    "RenderedQuote",
    "Translator",
    "UnknownCustomerError",
    "accept_quote",
    "approve",
    "build_quote",
    "configured_quote",
    "customer_details",
    "diff_quotes",
    "discount_limits",
    "edit_changes",
    "expire_quotes",
    "load_quote",
    "mark_sent",
    "quote_for_customer",
    "quote_versions",
    "render_many",
    "render_quote",
    "revise",
    "save_quote",
    "send_quote",
]

_MODULES = {
    "configurator.errors": (
        "InvalidBundleError NoFittingBundleError QuoteBuildError QuoteError QuoteNotFoundError QuoteRenderError "
        "QuoteStateError QuoteVersionConflictError UnknownCustomerError"
    ),
    "configurator.quoting.build": "DEFAULT_TERMS build_quote customer_details quote_for_customer render_many",
    "configurator.quoting.diff": "QuoteDiff diff_quotes",
    "configurator.quoting.edit": "QuoteEdits configured_quote discount_limits edit_changes",
    "configurator.quoting.i18n": "LANGUAGES Translator",
    "configurator.quoting.lifecycle": (
        "QuoteVersionInfo accept_quote approve expire_quotes load_quote mark_sent quote_versions revise save_quote"
    ),
    "configurator.quoting.model": "EXAMPLE LineDiscount Quote",
    "configurator.quoting.ports": "OutboxStore QuoteHead QuoteStore QuoteVersion",
    "configurator.quoting.render": "Format RenderedQuote render_quote",
    "configurator.quoting.send": "send_quote",
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names.split()}
"""The public names imported on first use, and the module each comes from."""


_import_on_first_use, __dir__ = _lazy_exports(__name__, _LAZY, globals())

if not typing.TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error
    __getattr__ = _import_on_first_use
