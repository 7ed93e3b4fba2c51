"""PDF quotes: the print HTML typeset by WeasyPrint, with no remote or outside resources.

The default print layout (``quote.pdf.j2``) names its style sheet in a ``configurator-print`` meta tag and gets a
lean user-agent style sheet (:data:`LEAN_UA_STYLESHEET`); anything else (a tenant's HTML template printed) gets
WeasyPrint's full one. :data:`PDF_STYLESHEET` (the page style) is added to every PDF. Style sheets are parsed
once per process and text, and share one font configuration per template folders. WeasyPrint is imported on
first use: a missing one is a :class:`~configurator.errors.QuoteRenderError`.

Example:
    >>> print_stylesheet('<meta name="configurator-print" content="quote.print.css">')
    'quote.print.css'
    >>> print_stylesheet("<html></html>") is None
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from configurator.errors import QuoteRenderError
from configurator.quoting.render.sandbox import DEFAULT_TEMPLATES

__all__ = [
    "LEAN_UA_STYLESHEET",
    "PDF_STYLESHEET",
    "lean_html_class",
    "local_fetcher",
    "print_pdf",
    "print_stylesheet",
]

PDF_STYLESHEET = "quote.pdf.css"
"""The page style sheet added to every PDF (the tenant's first)."""

_PRINT_META = re.compile(r'<meta name="configurator-print" content="([\w-]+(?:\.[\w-]+)*\.css)">')
"""The print template's marker: its style sheet (a file name in the template folders)."""

LEAN_UA_STYLESHEET = """
[hidden], head, link, meta, script, style, template, title { display: none }
address, article, aside, blockquote, body, dd, div, dl, dt, figure, figcaption, footer, h1, h2, h3, h4, h5, h6,
header, hr, html, main, nav, ol, p, pre, section, ul { display: block }
li { display: list-item }
table { display: table; border-spacing: 2px; border-collapse: separate; box-sizing: border-box;
  text-indent: initial }
caption { display: table-caption }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group }
tbody { display: table-row-group }
tfoot { display: table-footer-group }
tr { display: table-row }
td, th { display: table-cell; padding: 1px }
blockquote, dl, figure, ol, p, pre, ul { margin-top: 1em; margin-bottom: 1em }
body { margin: 8px }
h1 { margin: .67em 0; font-size: 2em; bookmark-level: 1 }
h2 { margin: .83em 0; font-size: 1.5em; bookmark-level: 2 }
h3 { margin: 1em 0; font-size: 1.17em; bookmark-level: 3 }
h4, h5, h6 { margin: 1.33em 0 }
h1, h2, h3, h4, h5, h6 { font-weight: bold; hyphens: manual; break-after: avoid; break-inside: avoid }
h1, h2, h3 { bookmark-label: content(text) }
blockquote, figure { margin-left: 40px; margin-right: 40px }
dd { margin-left: 40px }
ol, ul { padding-left: 40px; counter-reset: list-item; break-before: avoid }
ol { list-style-type: decimal }
ul { list-style-type: disc }
thead, tbody, tfoot { vertical-align: middle }
tr, td, th { vertical-align: inherit }
sub { vertical-align: sub }
sup { vertical-align: super }
address, cite, em, i, var { font-style: italic }
b, strong, th { font-weight: bold }
code, kbd, pre, samp, tt { font-family: monospace }
small, sub, sup { font-size: smaller }
sub, sup { line-height: normal }
table, td, th { border-color: gray }
thead, tbody, tfoot, tr { border-color: inherit }
a[href] { color: blue }
a[href], ins, u { text-decoration: underline }
del, s { text-decoration: line-through }
br::before { content: "\\A"; white-space: pre-line }
hr { border-style: inset; border-width: 1px; color: gray; margin: .5em auto }
pre { white-space: pre }
img, svg { overflow: hidden }
::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
@page {
  margin: 75px;
  @top-left { text-align: left; vertical-align: middle }
  @top-center { text-align: center; vertical-align: middle }
  @top-right { text-align: right; vertical-align: middle }
  @bottom-left { text-align: left; vertical-align: middle }
  @bottom-center { text-align: center; vertical-align: middle }
  @bottom-right { text-align: right; vertical-align: middle }
}
"""
"""The user-agent style sheet of the print layout: WeasyPrint's HTML defaults for the elements a document
uses (no form fields, no ``dir`` or ``frame`` attribute rules). Matching WeasyPrint's full one against every
element costs about a seventh of a quote's print time."""


@functools.cache
def lean_html_class() -> type:
    """``weasyprint.HTML`` with :data:`LEAN_UA_STYLESHEET` as its user-agent style sheet.

    ``_ua_stylesheets`` is WeasyPrint's hook (see ``tests/quoting/test_render.py``, which checks that it is
    still called); were it renamed, documents would get the full style sheet: slower, never wrong.
    """
    import weasyprint

    ua = weasyprint.CSS(string=LEAN_UA_STYLESHEET)

    class LeanHTML(weasyprint.HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [ua]

    return LeanHTML


@functools.lru_cache(maxsize=16)
def _font_config(folders: tuple[str, ...]) -> Any:
    """One WeasyPrint font configuration per template folders and process (creating one costs milliseconds)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.lru_cache(maxsize=64)
def _parsed_css(folders: tuple[str, ...], source: str, base: str) -> Any:
    """A style sheet parsed once per process, folders and text (an edited file is parsed again)."""
    import weasyprint

    return weasyprint.CSS(
        string=source,
        base_url=base,
        url_fetcher=local_fetcher((*folders, str(DEFAULT_TEMPLATES))),
        font_config=_font_config(folders),
    )


MAX_RESOURCE_BYTES = 8 * 1024 * 1024
"""The largest file a PDF quote may embed from the template folders (an image or a font)."""


@functools.lru_cache(maxsize=64)
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches ``data:`` URLs and files inside the template folders; refuses everything else."""

        def __init__(self, roots: Sequence[str]) -> None:
            super().__init__(allowed_protocols=("file", "data"))
            self.roots = [Path(r).resolve() for r in roots]

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
                if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                    from configurator.catalog.files import read_limited

                    try:  # a regular file only, read with a hard limit (an image, a font)
                        body = read_limited(path, MAX_RESOURCE_BYTES)
                    except OSError as exc:
                        raise ValueError(f"refused {url}: {exc.strerror}") from None
                    return URLFetcherResponse(url, body=body)
            raise ValueError(f"quotes embed no remote or outside resources: refused {url}")

    return LocalOnlyFetcher


@functools.lru_cache(maxsize=64)
def _cached_fetcher(roots: tuple[str, ...]) -> Any:
    return _fetcher_class()(roots)


def local_fetcher(roots: Sequence[str]) -> Any:
    """The fetcher of a PDF's resources: ``data:`` URLs and files in ``roots`` only (one per roots)."""
    return _cached_fetcher(tuple(roots))


def print_stylesheet(html: str) -> str | None:
    """The style sheet the print layout names in its ``configurator-print`` meta tag, or None."""
    found = _PRINT_META.search(html, 0, 4096)
    return found.group(1) if found else None


def print_pdf(html: str, folders: tuple[str, ...], source: Callable[[str], str]) -> bytes:
    """Typeset ``html`` as PDF.

    Args:
        html: the rendered print (or email) HTML.
        folders: the tenant's template folders (searched before the defaults for resources).
        source: the text of a style sheet by file name, as the template loader finds it (the tenant's first).

    Raises:
        QuoteRenderError: WeasyPrint is not installed.
    """
    try:
        import weasyprint
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
        raise QuoteRenderError("PDF quotes need WeasyPrint: pip install 'configurator[pdf]'") from exc
    fetcher = local_fetcher((*folders, str(DEFAULT_TEMPLATES)))
    base = Path(folders[0] if folders else DEFAULT_TEMPLATES).as_uri() + "/"
    print_css = print_stylesheet(html)
    # The default print layout names its style sheet and gets the lean user-agent style sheet; anything
    # else (a tenant's HTML template printed) gets WeasyPrint's full one and HTML presentational hints.
    names = [print_css, PDF_STYLESHEET] if print_css else [PDF_STYLESHEET]
    stylesheets = [_parsed_css(folders, source(name), base) for name in names]
    html_class = lean_html_class() if print_css else weasyprint.HTML
    document = html_class(string=html, base_url=base, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        stylesheets=stylesheets,
        font_config=_font_config(folders),
        presentational_hints=not print_css,
        optimize_images=False,
    )
    return pdf
