"""The ``/rep`` routes: the page shell (Jinja2) in the rep's language and its two static files.

The page itself only calls the public HTTP API (``/catalogs``, ``/sessions``, ``/customers``, ``/quotes``); this
module renders the shell with the fixed strings of one language and serves ``rep.js`` and ``rep.css``.

Example:
    >>> pick_language("sv", None), pick_language(None, "pt-BR,pt;q=0.9,en;q=0.8"), pick_language("xx", None)
    ('sv', 'pt', 'en')
    >>> STRINGS["es"]["propose"]
    'Proponer paquetes'
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    import jinja2

__all__ = ["LANGUAGES", "STRINGS", "pick_language", "router"]

LANGUAGES = ("en", "pt", "es", "sv")
"""The languages of the page's fixed strings (catalog labels and rule messages come in the catalog's)."""

_KEYS = (
    "title",
    "language",
    "customer",
    "catalog",
    "open",
    "loading",
    "error",
    "summary",
    "name",
    "company",
    "country",
    "tier",
    "tier_reason",
    "history",
    "configuration",
    "clear_choices",
    "choose_one",
    "choose_range",
    "choose_any",
    "recommended",
    "selected",
    "unavailable",
    "because_of",
    "budget",
    "propose",
    "bundles",
    "bundle",
    "no_bundles",
    "services",
    "included",
    "reasons",
    "repair",
    "quote",
    "quote_ready",
    "open_html",
    "open_pdf",
    "total",
    "contents",
    "events",
)

_EN = (
    "Sales rep",
    "Language",
    "Customer ID",
    "Catalog",
    "Open",
    "Loading…",
    "Error",
    "Customer",
    "Name",
    "Company",
    "Country",
    "Tier",
    "Why this tier",
    "History",
    "Configuration",
    "Clear choices",
    "choose one",
    "choose {min} to {max}",
    "choose any",
    "Recommended",
    "Selected",
    "Unavailable",
    "because of",
    "Budget",
    "Propose bundles",
    "Bundles",
    "Bundle",
    "No bundle fits these choices.",
    "Services",
    "included",
    "Why",
    "To make it fit",
    "Quote",
    "Quote {id}, version {version}: {total}",
    "Open the quote (HTML)",
    "Download the PDF",
    "Total",
    "Contents",
    "{n} events",
)

_PT = (
    "Comercial",
    "Idioma",
    "ID do cliente",
    "Catálogo",
    "Abrir",
    "A carregar…",
    "Erro",
    "Cliente",
    "Nome",
    "Empresa",
    "País",
    "Nível",
    "Porquê este nível",
    "Histórico",
    "Configuração",
    "Limpar escolhas",
    "escolha um",
    "escolha de {min} a {max}",
    "escolha à vontade",
    "Recomendado",
    "Selecionado",
    "Indisponível",
    "por causa de",
    "Orçamento",
    "Propor pacotes",
    "Pacotes",
    "Pacote",
    "Nenhum pacote serve estas escolhas.",
    "Serviços",
    "incluído",
    "Porquê",
    "Para que sirva",
    "Orçamentar",
    "Orçamento {id}, versão {version}: {total}",
    "Abrir o orçamento (HTML)",
    "Descarregar o PDF",
    "Total",
    "Conteúdo",
    "{n} eventos",
)

_ES = (
    "Ventas",
    "Idioma",
    "ID de cliente",
    "Catálogo",
    "Abrir",
    "Cargando…",
    "Error",
    "Cliente",
    "Nombre",
    "Empresa",
    "País",
    "Nivel",
    "Por qué este nivel",
    "Historial",
    "Configuración",
    "Borrar elecciones",
    "elija uno",
    "elija de {min} a {max}",
    "elija los que quiera",
    "Recomendado",
    "Seleccionado",
    "No disponible",
    "por",
    "Presupuesto máximo",
    "Proponer paquetes",
    "Paquetes",
    "Paquete",
    "Ningún paquete cumple estas elecciones.",
    "Servicios",
    "incluido",
    "Por qué",
    "Para que encaje",
    "Presupuestar",
    "Presupuesto {id}, versión {version}: {total}",
    "Abrir el presupuesto (HTML)",
    "Descargar el PDF",
    "Total",
    "Contenido",
    "{n} eventos",
)

_SV = (
    "Säljare",
    "Språk",
    "Kund-id",
    "Katalog",
    "Öppna",
    "Laddar…",
    "Fel",
    "Kund",
    "Namn",
    "Företag",
    "Land",
    "Nivå",
    "Varför denna nivå",
    "Historik",
    "Konfiguration",
    "Rensa val",
    "välj en",
    "välj {min} till {max}",
    "välj fritt",
    "Rekommenderad",
    "Vald",
    "Ej tillgänglig",
    "på grund av",
    "Budget",
    "Föreslå paket",
    "Paket",
    "Paket",
    "Inget paket passar dessa val.",
    "Tjänster",
    "ingår",
    "Varför",
    "För att det ska passa",
    "Offert",
    "Offert {id}, version {version}: {total}",
    "Öppna offerten (HTML)",
    "Ladda ner PDF",
    "Summa",
    "Innehåll",
    "{n} händelser",
)

STRINGS: dict[str, dict[str, str]] = {
    lang: dict(zip(_KEYS, texts, strict=True))
    for lang, texts in (("en", _EN), ("pt", _PT), ("es", _ES), ("sv", _SV))
}
"""The page's fixed strings per language (``{name}`` placeholders are filled in by the page's script)."""

_STATIC = {"rep.js": "text/javascript; charset=utf-8", "rep.css": "text/css; charset=utf-8"}


def pick_language(asked: str | None, accept_language: str | None) -> str:
    """The page's language: the one asked for, else the first supported one the browser accepts, else English.

    Args:
        asked: the ``lang`` query parameter (``pt``, ``pt_PT`` or ``pt-PT``), if any.
        accept_language: the ``Accept-Language`` header, if any.

    Returns:
        One of :data:`LANGUAGES`.

    Example:
        >>> pick_language("pt_PT", "sv")
        'pt'
    """
    wanted = [asked] if asked else []
    if accept_language:
        ranked = []
        for position, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            ranked.append((-q, position, tag.strip()))
        wanted += [tag for _, _, tag in sorted(ranked)]
    for tag in wanted:
        base = tag.replace("_", "-").partition("-")[0].lower()
        if base in LANGUAGES:
            return base
    return "en"


@functools.cache
def _environment() -> jinja2.Environment:
    """The page's template environment: sandboxed like every template environment of the product."""
    try:
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "the sales-rep page needs jinja2: pip install 'configurator[api,pdf]'", name=exc.name
        ) from exc
    return ImmutableSandboxedEnvironment(
        loader=jinja2.PackageLoader("configurator.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _static(name: str) -> bytes:
    return (resources.files("configurator.web") / "static" / name).read_bytes()


def router() -> APIRouter:
    """The ``/rep`` page and its static files, to include in the API app (``app.include_router(router())``).

    Returns:
        A router with ``GET /rep`` (the page; ``?lang=en|pt|es|sv``, ``?customer=ID``, ``?catalog=ID`` prefill
        it) and ``GET /rep/static/{name}`` (``rep.js``, ``rep.css``).
    """
    web = APIRouter(tags=["sales-rep page"])

    @web.get("/rep", response_class=HTMLResponse)
    def rep_page(
        request: Request,
        lang: Annotated[str | None, Query(description="en, pt, es or sv (default: the browser's).")] = None,
        customer: Annotated[str | None, Query(max_length=200)] = None,
        catalog: Annotated[str | None, Query(max_length=200)] = None,
    ) -> HTMLResponse:
        """The sales-rep page: a customer's summary, the configuration with reasons, bundles and quotes."""
        language = pick_language(lang, request.headers.get("accept-language"))
        root = request.scope.get("root_path", "").rstrip("/")
        html = (
            _environment()
            .get_template("rep.html")
            .render(
                lang=language,
                languages=LANGUAGES,
                t=STRINGS[language],
                api=root + "/",
                static=f"{root}/rep/static",
                customer=customer or "",
                catalog=catalog or "",
            )
        )
        return HTMLResponse(html, headers={"Content-Language": language})

    @web.get("/rep/static/{name}", include_in_schema=False)
    def rep_static(name: str) -> Response:
        """One of the page's static files."""
        if name not in _STATIC:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(_static(name), media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})

    return web
