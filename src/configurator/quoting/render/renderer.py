"""Render a quote in the customer's language: HTML (email safe), Markdown, plain text and PDF.

:class:`QuoteRenderer` renders with a tenant's template folders (searched first) over the packaged defaults in
``configurator/quoting/templates``: ``quote.html.j2`` (email), ``quote.md.j2``, ``quote.txt.j2`` and ``quote.pdf.j2``
(print HTML, typeset by :mod:`~configurator.quoting.render.pdf`). Templates run in the sandbox of
:mod:`~configurator.quoting.render.sandbox` and see the view of :mod:`~configurator.quoting.render.view`
(Markdown-escaped for ``md`` by :mod:`~configurator.quoting.render.text`). :func:`render_quote` keeps one renderer
per template folders and limits.

Example:
    >>> QuoteRenderer().template_name("html")
    'quote.html.j2'
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from configurator.catalog.models import Catalog
from configurator.errors import QuoteRenderError
from configurator.quoting.i18n import Fallback, Translator
from configurator.quoting.model import Quote
from configurator.quoting.render.pdf import print_pdf
from configurator.quoting.render.sandbox import (
    Gettext,
    Limits,
    environment,
    load_template,
    run_template,
    template_folders,
    template_source,
)
from configurator.quoting.render.text import markdown_gettext, markdown_view
from configurator.quoting.render.view import quote_view

if TYPE_CHECKING:  # typing only
    import jinja2

__all__ = ["FORMATS", "TEMPLATE_NAMES", "Format", "QuoteRenderer", "RenderedQuote", "render_quote"]

Format = Literal["html", "md", "txt", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "md", "txt", "pdf")
"""The output formats; ``pdf`` is printed from the HTML template with WeasyPrint."""

TEMPLATE_NAMES: Mapping[str, str] = {
    "html": "quote.html.j2",
    "md": "quote.md.j2",
    "txt": "quote.txt.j2",
    "pdf": "quote.pdf.j2",
}
"""The template each format renders (a tenant's, when its folders have one)."""


@dataclasses.dataclass(frozen=True)
class RenderedQuote:
    """A rendered quote and what had to fall back.

    Attributes:
        content: the document (``bytes`` for PDF, ``str`` otherwise).
        format: ``html``, ``md``, ``txt`` or ``pdf``.
        locale: the locale asked for.
        formatting_locale: the Babel locale money, dates and numbers were written in.
        template: the template file used.
        fallbacks: every text not found in the locale's language, with what was used instead.
    """

    content: str | bytes
    format: str
    locale: str
    formatting_locale: str
    template: str
    fallbacks: tuple[Fallback, ...]

    @property
    def warnings(self) -> list[str]:
        """The fallbacks as sentences (for logs and the sales rep's screen)."""
        return [str(f) for f in self.fallbacks]


class QuoteRenderer:
    """Renders quotes with a tenant's templates (searched first) over the packaged defaults.

    Args:
        templates: the tenant's template folder(s), or None for the defaults only.
        limits: resource limits of one render.

    Example:
        >>> QuoteRenderer().template_file("md").endswith("quote.md.j2")
        True
    """

    def __init__(
        self,
        templates: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.folders = template_folders(templates)
        self.limits = limits or Limits()
        self._env = environment(self.folders)

    def template_name(self, format: str) -> str:
        """The template a format renders: ``quote.<format>.j2``.

        For PDF, a tenant's ``quote.html.j2`` when the tenant has one but no ``quote.pdf.j2``: its branding wins
        over the default print layout.

        Example:
            >>> QuoteRenderer().template_name("pdf")
            'quote.pdf.j2'
        """
        name = TEMPLATE_NAMES[format]
        if format == "pdf" and not self._tenant_has(name) and self._tenant_has(TEMPLATE_NAMES["html"]):
            return TEMPLATE_NAMES["html"]
        return name

    def _tenant_has(self, name: str) -> bool:
        return any((Path(folder) / name).is_file() for folder in self.folders)

    def template_file(self, format: str) -> str:
        """The file the format's template is read from (a tenant's when it has one)."""
        name = self.template_name(format)
        return self._load(name).filename or name

    def _load(self, name: str) -> jinja2.Template:
        return load_template(self._env, name, self.folders)

    def render(
        self,
        quote: Quote,
        catalog: Catalog,
        *,
        format: Format = "html",
        locale: str | None = None,
        customer: Mapping[str, str] | None = None,
    ) -> RenderedQuote:
        """Render ``quote`` (see :func:`render_quote`)."""
        if format not in TEMPLATE_NAMES:
            raise QuoteRenderError(f"unknown quote format {format!r}: expected one of {', '.join(FORMATS)}")
        tr = Translator(locale or quote.locale, catalog.default_locale)
        view = quote_view(quote, catalog, tr, customer)
        if format == "md":
            view = markdown_view(view)
        gettext = markdown_gettext(tr) if format == "md" else tr.gettext
        template = self._load(self.template_name(format))
        text = run_template(template, {**view, "_": Gettext(gettext), "format": format}, self.limits)
        content: str | bytes = text
        if format == "pdf":
            content = self._pdf(text)
        return RenderedQuote(
            content=content,
            format=format,
            locale=tr.locale,
            formatting_locale=str(tr.babel),
            template=template.filename or template.name or "",
            fallbacks=tuple(tr.fallbacks),
        )

    def _pdf(self, html: str) -> bytes:
        return print_pdf(
            html, self.folders, functools.partial(template_source, self._env, folders=self.folders)
        )


def render_quote(
    quote: Quote,
    catalog: Catalog,
    *,
    format: Format = "html",
    locale: str | None = None,
    templates: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    customer: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> RenderedQuote:
    """Render a quote in its locale (or ``locale``) as HTML, Markdown, plain text or PDF.

    Args:
        quote: the quote.
        catalog: the catalog it was configured in (labels and their translations).
        format: ``html`` (email safe: inline CSS, tables, no scripts, no external resources), ``md``,
            ``txt`` or ``pdf``.
        locale: the language to render in (default: the quote's locale).
        templates: a tenant's template folder(s), searched before the packaged defaults.
        customer: the customer's details to show (``name``, ``company``, ``email``, ``phone``, ``address``).
        limits: resource limits of the render (default :class:`Limits`).

    Returns:
        The document and the list of texts that fell back to another language.

    Raises:
        QuoteTemplateError: a template fails to compile or render (file and line in the message).
        TemplateSecurityError: a template reaches past the sandbox or its limits.
        QuoteRenderError: an unknown format, or PDF without WeasyPrint.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.quoting.model import EXAMPLE, Quote
        >>> c = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu_m": {"label": "<b>Alu</b>"}}}}})
        >>> html = render_quote(Quote.from_data(EXAMPLE), c, locale="sv_SE").content
        >>> "&lt;b&gt;Alu&lt;/b&gt;" in html and "<script" not in html and 'lang="sv-SE"' in html
        True
    """
    renderer = _renderer(template_folders(templates), limits or Limits())
    return renderer.render(quote, catalog, format=format, locale=locale, customer=customer)


@functools.lru_cache(maxsize=64)
def _renderer(folders: tuple[str, ...], limits: Limits) -> QuoteRenderer:
    return QuoteRenderer(folders, limits)
