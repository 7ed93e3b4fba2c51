"""Render a quote in the customer's language: HTML (email safe), Markdown, plain text and PDF.

Templates run in a Jinja2 :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with ``StrictUndefined``,
autoescaping in the HTML templates only (``*.html.j2`` and ``*.pdf.j2``). The default templates live in
``configurator/quoting/templates/``: ``quote.html.j2`` (email), ``quote.md.j2``, ``quote.txt.j2``, ``quote.pdf.j2`` (print
HTML, leaner than the email layout so that it prints fast, on one A4 page for a typical quote), ``quote.print.css``
(its style, named by its ``configurator-print`` meta tag) and ``quote.pdf.css`` (the page style added to every
PDF). Style sheets are parsed once per process and text, and share one font configuration per template folders;
the print layout gets a lean user-agent style sheet (:data:`LEAN_UA_STYLESHEET`). A product team overrides any of
them by passing its own template folder, searched first; a tenant with a ``quote.html.j2`` but no
``quote.pdf.j2`` gets its HTML printed. A tenant template may also extend a default one by its ``default/`` name
(``{% extends "default/quote.html.j2" %}``) and replace blocks.

Templates see prepared plain data only (translated labels, money and dates already formatted by Babel for the
quote's locale) and ``_()``, the quote's gettext; see :func:`quote_view`. Limits guard the sandbox against
resource abuse: loop iterations, string and output sizes, big numbers and the render time are capped, and a
template that breaks them, reaches for internals (``__class__``, ``_private``...), fails to compile or fails
to render raises :class:`QuoteTemplateError` (or :class:`TemplateSecurityError`) naming the file and line.

Every text not found in the quote's language falls back along ``pt_PT -> pt -> catalog default -> en`` and is
listed in :attr:`RenderedQuote.fallbacks`.

The modules: :mod:`~configurator.quoting.render.renderer` (formats, :class:`QuoteRenderer`, :func:`render_quote`),
:mod:`~configurator.quoting.render.sandbox` (the Jinja2 sandbox, its limits and loader),
:mod:`~configurator.quoting.render.view` (what templates see), :mod:`~configurator.quoting.render.text`
(Markdown escaping), :mod:`~configurator.quoting.render.pdf` (WeasyPrint) and
the errors (:class:`~configurator.errors.QuoteRenderError` and its subclasses, in :mod:`configurator.errors`).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.quoting.model import EXAMPLE, Quote
    >>> catalog = Catalog.model_validate({"catalog": "bike-city", "version": "2026.11", "currency": "EUR",
    ...     "name": {"en": "City bike", "pt": "Bicicleta urbana"}, "locales": ["en", "pt"], "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"},
    ...     "options": {"alu_m": {"label": {"en": "Aluminium M", "pt": "Alumínio M"}, "price": 420}}}},
    ...     "services": {"setup": {"kind": "post_sale", "label": {"en": "Setup"}, "price": 30}}})
    >>> out = render_quote(Quote.from_data(EXAMPLE), catalog, format="txt")
    >>> print(out.content.splitlines()[0])
    PROPOSTA Q-2026-0001 (versão 1)
    >>> "Alumínio M" in out.content and "485,60\\xa0€" in out.content
    True
    >>> [str(f) for f in out.fallbacks]
    ["services.setup.label: no 'pt_PT' text, used 'en'"]
"""

from configurator.errors import QuoteRenderError, QuoteTemplateError, TemplateSecurityError
from configurator.quoting.render.pdf import LEAN_UA_STYLESHEET, PDF_STYLESHEET
from configurator.quoting.render.renderer import (
    FORMATS,
    TEMPLATE_NAMES,
    Format,
    QuoteRenderer,
    RenderedQuote,
    render_quote,
)
from configurator.quoting.render.sandbox import DEFAULT_TEMPLATES, Limits
from configurator.quoting.render.view import MAX_REFS, TERMS, quote_view

__all__ = [
    "DEFAULT_TEMPLATES",
    "FORMATS",
    "LEAN_UA_STYLESHEET",
    "MAX_REFS",
    "PDF_STYLESHEET",
    "TEMPLATE_NAMES",
    "TERMS",
    "Format",
    "Limits",
    "QuoteRenderError",
    "QuoteRenderer",
    "QuoteTemplateError",
    "RenderedQuote",
    "TemplateSecurityError",
    "quote_view",
    "render_quote",
]
