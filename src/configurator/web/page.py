"""The ``/rep`` routes: the page shell (Jinja2) in the rep's language and its two static files.

The page itself only calls the public HTTP API (``/catalogs``, ``/sessions``, ``/customers``, ``/quotes``); this
module renders the shell with the fixed strings of one language and serves ``rep.js`` and ``rep.css``.

The language is negotiated with Babel over :data:`LANGUAGES` from ``?lang=`` and the ``Accept-Language``
header, whose weights are honoured (a language weighted ``q=0`` is never chosen).

Example:
    >>> pick_language("sv", None), pick_language(None, "pt-BR,pt;q=0.9,en;q=0.8"), pick_language("xx", None)
    ('sv', 'pt', 'en')
    >>> pick_language(None, "pt;q=0, es;q=0.5"), pick_language(None, "sv;q=0")
    ('es', 'en')
    >>> STRINGS["es"]["propose"]
    'Proponer paquetes'
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from importlib import resources
from typing import TYPE_CHECKING, Annotated

from babel.core import negotiate_locale
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from configurator.web.signin import RepAccess, add_sign_in_routes, signed_in

if TYPE_CHECKING:
    import jinja2

__all__ = ["LANGUAGES", "STRINGS", "accepted_languages", "pick_language", "router"]

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
    "sign_in",
    "login",
    "password",
    "sign_out",
    "sign_in_failed",
    "signed_in_as",
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
    "Sign in",
    "Login (email)",
    "Password",
    "Sign out",
    "Wrong login or password.",
    "Signed in as",
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
    "Fazer proposta",
    "Proposta {id}, versão {version}: {total}",
    "Abrir a proposta (HTML)",
    "Descarregar o PDF",
    "Total",
    "Conteúdo",
    "{n} eventos",
    "Entrar",
    "Utilizador (email)",
    "Palavra-passe",
    "Sair",
    "Utilizador ou palavra-passe errados.",
    "Sessão iniciada como",
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
    "Iniciar sesión",
    "Usuario (email)",
    "Contraseña",
    "Cerrar sesión",
    "Usuario o contraseña incorrectos.",
    "Sesión iniciada como",
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
    "Logga in",
    "Användarnamn (e-post)",
    "Lösenord",
    "Logga ut",
    "Fel användarnamn eller lösenord.",
    "Inloggad som",
)

_WORKSPACE: dict[str, dict[str, str]] = {
    "en": {
        "find": "Find a customer (name, email, phone or ID)",
        "no_hits": "No customer found.",
        "hits": "{n} customers found: use the arrow keys",
        "matched_customer_id": "ID",
        "matched_email": "email",
        "matched_phone": "phone",
        "matched_name": "name",
        "matched_company": "company",
        "skip_configuration": "Skip to the configuration",
        "skip_customer": "Skip to the customer",
        "skip_quote": "Skip to the price and quote",
        "contact": "Contact",
        "preferred_language": "Language",
        "needs": "Needs",
        "timeline": "Timeline",
        "quotes": "Quotes",
        "orders": "Orders",
        "installed": "Installed",
        "numbers": "The numbers",
        "conflict": "These choices do not go together",
        "repairs": "To fix it",
        "apply_repair": "Remove {what}",
        "running_price": "Price the customer pays",
        "price_incomplete": "Complete the configuration to see the price.",
        "fits": "Within the budget",
        "over": "Over the budget by {gap}",
        "saved": "Saved",
        "reason_loading": "Checking why…",
        "quote_session": "Quote this configuration",
        "quote_bundle": "Quote this bundle",
        "quote_heading": "Quote {id}, version {version}",
        "quote_lines": "Lines",
        "line_qty": "Quantity of {what}",
        "line_discount": "Discount on {what} (%)",
        "col_item": "Item",
        "col_qty": "Qty",
        "col_amount": "Amount",
        "col_discount": "Discount %",
        "bundles_ordered": "Bundles ordered",
        "discount_limit": "Discounts up to {pct} % need no approval.",
        "service_opt_out": "included for this customer; untick if not wanted",
        "service_opt_in": "charged; tick to add",
        "save_version": "Save as a new version",
        "nothing_changed": "Nothing changed.",
        "version_saved": "Version {version} saved.",
        "quote_required": "Required by the customer: {what}",
        "without": "without {what}",
        "versions": "Versions",
        "changes": "Changes since version {version}",
        "no_changes": "No changes.",
        "change_qty": "{what}: quantity {before} → {after}",
        "change_added": "Added: {what}",
        "change_removed": "Removed: {what}",
        "change_discount": "{what}: discount {before} % → {after} %",
        "change_service": "{what}: {before} → {after}",
        "change_quantity": "Bundles ordered: {before} → {after}",
        "change_total": "Total: {before} → {after}",
        "send": "Send to the customer",
        "sent_to": "Sent to {email}.",
        "approve": "Approve the discounts",
        "approved_by": "Approved by {who}.",
        "waits_approval": "Waits for the approval of a manager (a discount above the limit).",
        "accept": "The customer accepts",
        "started_purchased": "Started from what the customer bought on {date}: {n} choices already made.",
        "started_configured": "Started from the configuration the customer made on {date}: {n} choices already made.",
        "started_withdrawn": "{what} is no longer offered: left out.",
        "started_conflict": "{what} no longer goes with the other choices: left out.",
        "start_blank": "Start blank",
        "ask_first": "Ask the customer first",
        "ask_likely": "likely: {answer} ({pct} %)",
        "ask_whether": "Add {option}?",
        "margin": "Gross margin of the order",
        "margin_needed": "Enter the order's gross margin to accept.",
        "accepted": "Accepted: order {order}.",
        "status_draft": "draft",
        "status_pending_approval": "waiting for approval",
        "status_sent": "sent",
        "status_accepted": "accepted",
        "status_expired": "expired",
        "state_included": "included",
        "state_chosen": "chosen",
        "state_declined": "not in the quote",
    },
    "pt": {
        "find": "Procurar cliente (nome, email, telefone ou ID)",
        "no_hits": "Nenhum cliente encontrado.",
        "hits": "{n} clientes encontrados: use as setas",
        "matched_customer_id": "ID",
        "matched_email": "email",
        "matched_phone": "telefone",
        "matched_name": "nome",
        "matched_company": "empresa",
        "skip_configuration": "Saltar para a configuração",
        "skip_customer": "Saltar para o cliente",
        "skip_quote": "Saltar para o preço e a proposta",
        "contact": "Contacto",
        "preferred_language": "Idioma",
        "needs": "Necessidades",
        "timeline": "Cronologia",
        "quotes": "Propostas",
        "orders": "Encomendas",
        "installed": "Instalado",
        "numbers": "Os números",
        "conflict": "Estas escolhas não são compatíveis",
        "repairs": "Para resolver",
        "apply_repair": "Retirar {what}",
        "running_price": "Preço a pagar pelo cliente",
        "price_incomplete": "Complete a configuração para ver o preço.",
        "fits": "Dentro do orçamento",
        "over": "Acima do orçamento em {gap}",
        "saved": "Guardado",
        "reason_loading": "A verificar porquê…",
        "quote_session": "Fazer proposta desta configuração",
        "quote_bundle": "Fazer proposta deste pacote",
        "quote_heading": "Proposta {id}, versão {version}",
        "quote_lines": "Linhas",
        "line_qty": "Quantidade de {what}",
        "line_discount": "Desconto em {what} (%)",
        "col_item": "Artigo",
        "col_qty": "Qtd.",
        "col_amount": "Valor",
        "col_discount": "Desconto %",
        "bundles_ordered": "Pacotes encomendados",
        "discount_limit": "Descontos até {pct} % não precisam de aprovação.",
        "service_opt_out": "incluído para este cliente; desmarque se não o quiser",
        "service_opt_in": "pago; marque para acrescentar",
        "save_version": "Guardar como nova versão",
        "nothing_changed": "Nada mudou.",
        "version_saved": "Versão {version} guardada.",
        "quote_required": "Exigido pelo cliente: {what}",
        "without": "sem {what}",
        "versions": "Versões",
        "changes": "Alterações desde a versão {version}",
        "no_changes": "Sem alterações.",
        "change_qty": "{what}: quantidade {before} → {after}",
        "change_added": "Acrescentado: {what}",
        "change_removed": "Retirado: {what}",
        "change_discount": "{what}: desconto {before} % → {after} %",
        "change_service": "{what}: {before} → {after}",
        "change_quantity": "Pacotes encomendados: {before} → {after}",
        "change_total": "Total: {before} → {after}",
        "send": "Enviar ao cliente",
        "sent_to": "Enviada para {email}.",
        "approve": "Aprovar os descontos",
        "approved_by": "Aprovada por {who}.",
        "waits_approval": "Aguarda a aprovação de um responsável (um desconto acima do limite).",
        "accept": "O cliente aceita",
        "started_purchased": "Começámos pelo que o cliente comprou em {date}: {n} escolhas já feitas.",
        "started_configured": "Começámos pela configuração que o cliente fez em {date}: {n} escolhas já feitas.",
        "started_withdrawn": "{what} já não está disponível: ficou de fora.",
        "started_conflict": "{what} já não é compatível com as outras escolhas: ficou de fora.",
        "start_blank": "Começar do zero",
        "ask_first": "Pergunte primeiro ao cliente",
        "ask_likely": "provável: {answer} ({pct} %)",
        "ask_whether": "Acrescentar {option}?",
        "margin": "Margem bruta da encomenda",
        "margin_needed": "Indique a margem bruta da encomenda para aceitar.",
        "accepted": "Aceite: encomenda {order}.",
        "status_draft": "rascunho",
        "status_pending_approval": "a aguardar aprovação",
        "status_sent": "enviada",
        "status_accepted": "aceite",
        "status_expired": "expirada",
        "state_included": "incluído",
        "state_chosen": "escolhido",
        "state_declined": "fora da proposta",
    },
    "es": {
        "find": "Buscar cliente (nombre, email, teléfono o ID)",
        "no_hits": "Ningún cliente encontrado.",
        "hits": "{n} clientes encontrados: use las flechas",
        "matched_customer_id": "ID",
        "matched_email": "email",
        "matched_phone": "teléfono",
        "matched_name": "nombre",
        "matched_company": "empresa",
        "skip_configuration": "Saltar a la configuración",
        "skip_customer": "Saltar al cliente",
        "skip_quote": "Saltar al precio y la oferta",
        "contact": "Contacto",
        "preferred_language": "Idioma",
        "needs": "Necesidades",
        "timeline": "Cronología",
        "quotes": "Ofertas",
        "orders": "Pedidos",
        "installed": "Instalado",
        "numbers": "Las cifras",
        "conflict": "Estas opciones no son compatibles",
        "repairs": "Para resolverlo",
        "apply_repair": "Quitar {what}",
        "running_price": "Precio que paga el cliente",
        "price_incomplete": "Complete la configuración para ver el precio.",
        "fits": "Dentro del presupuesto",
        "over": "Supera el presupuesto en {gap}",
        "saved": "Guardado",
        "reason_loading": "Comprobando por qué…",
        "quote_session": "Hacer oferta de esta configuración",
        "quote_bundle": "Hacer oferta de este paquete",
        "quote_heading": "Oferta {id}, versión {version}",
        "quote_lines": "Líneas",
        "line_qty": "Cantidad de {what}",
        "line_discount": "Descuento en {what} (%)",
        "col_item": "Artículo",
        "col_qty": "Cant.",
        "col_amount": "Importe",
        "col_discount": "Descuento %",
        "bundles_ordered": "Paquetes pedidos",
        "discount_limit": "Los descuentos de hasta {pct} % no necesitan aprobación.",
        "service_opt_out": "incluido para este cliente; desmárquelo si no lo quiere",
        "service_opt_in": "de pago; márquelo para añadirlo",
        "save_version": "Guardar como nueva versión",
        "nothing_changed": "No ha cambiado nada.",
        "version_saved": "Versión {version} guardada.",
        "quote_required": "Exigido por el cliente: {what}",
        "without": "sin {what}",
        "versions": "Versiones",
        "changes": "Cambios desde la versión {version}",
        "no_changes": "Sin cambios.",
        "change_qty": "{what}: cantidad {before} → {after}",
        "change_added": "Añadido: {what}",
        "change_removed": "Quitado: {what}",
        "change_discount": "{what}: descuento {before} % → {after} %",
        "change_service": "{what}: {before} → {after}",
        "change_quantity": "Paquetes pedidos: {before} → {after}",
        "change_total": "Total: {before} → {after}",
        "send": "Enviar al cliente",
        "sent_to": "Enviada a {email}.",
        "approve": "Aprobar los descuentos",
        "approved_by": "Aprobada por {who}.",
        "waits_approval": "Espera la aprobación de un responsable (un descuento por encima del límite).",
        "accept": "El cliente acepta",
        "started_purchased": "Empezamos por lo que el cliente compró el {date}: {n} elecciones ya hechas.",
        "started_configured": "Empezamos por la configuración que el cliente hizo el {date}: {n} elecciones ya hechas.",
        "started_withdrawn": "{what} ya no se ofrece: se ha quitado.",
        "started_conflict": "{what} ya no es compatible con las demás elecciones: se ha quitado.",
        "start_blank": "Empezar de cero",
        "ask_first": "Pregunte primero al cliente",
        "ask_likely": "probable: {answer} ({pct} %)",
        "ask_whether": "¿Añadir {option}?",
        "margin": "Margen bruto del pedido",
        "margin_needed": "Indique el margen bruto del pedido para aceptar.",
        "accepted": "Aceptada: pedido {order}.",
        "status_draft": "borrador",
        "status_pending_approval": "pendiente de aprobación",
        "status_sent": "enviada",
        "status_accepted": "aceptada",
        "status_expired": "caducada",
        "state_included": "incluido",
        "state_chosen": "elegido",
        "state_declined": "fuera de la oferta",
    },
    "sv": {
        "find": "Sök kund (namn, e-post, telefon eller ID)",
        "no_hits": "Ingen kund hittades.",
        "hits": "{n} kunder hittades: använd piltangenterna",
        "matched_customer_id": "ID",
        "matched_email": "e-post",
        "matched_phone": "telefon",
        "matched_name": "namn",
        "matched_company": "företag",
        "skip_configuration": "Hoppa till konfigurationen",
        "skip_customer": "Hoppa till kunden",
        "skip_quote": "Hoppa till pris och offert",
        "contact": "Kontakt",
        "preferred_language": "Språk",
        "needs": "Behov",
        "timeline": "Tidslinje",
        "quotes": "Offerter",
        "orders": "Beställningar",
        "installed": "Installerat",
        "numbers": "Siffrorna",
        "conflict": "De här valen går inte ihop",
        "repairs": "Så löser du det",
        "apply_repair": "Ta bort {what}",
        "running_price": "Pris som kunden betalar",
        "price_incomplete": "Gör klart konfigurationen för att se priset.",
        "fits": "Inom budget",
        "over": "Över budget med {gap}",
        "saved": "Sparat",
        "reason_loading": "Kontrollerar varför…",
        "quote_session": "Gör offert på denna konfiguration",
        "quote_bundle": "Gör offert på detta paket",
        "quote_heading": "Offert {id}, version {version}",
        "quote_lines": "Rader",
        "line_qty": "Antal av {what}",
        "line_discount": "Rabatt på {what} (%)",
        "col_item": "Artikel",
        "col_qty": "Antal",
        "col_amount": "Belopp",
        "col_discount": "Rabatt %",
        "bundles_ordered": "Beställda paket",
        "discount_limit": "Rabatter upp till {pct} % behöver inget godkännande.",
        "service_opt_out": "ingår för denna kund; avmarkera om den inte önskas",
        "service_opt_in": "kostar; markera för att lägga till",
        "save_version": "Spara som ny version",
        "nothing_changed": "Inget har ändrats.",
        "version_saved": "Version {version} sparad.",
        "quote_required": "Kundens krav: {what}",
        "without": "utan {what}",
        "versions": "Versioner",
        "changes": "Ändringar sedan version {version}",
        "no_changes": "Inga ändringar.",
        "change_qty": "{what}: antal {before} → {after}",
        "change_added": "Tillagt: {what}",
        "change_removed": "Borttaget: {what}",
        "change_discount": "{what}: rabatt {before} % → {after} %",
        "change_service": "{what}: {before} → {after}",
        "change_quantity": "Beställda paket: {before} → {after}",
        "change_total": "Summa: {before} → {after}",
        "send": "Skicka till kunden",
        "sent_to": "Skickad till {email}.",
        "approve": "Godkänn rabatterna",
        "approved_by": "Godkänd av {who}.",
        "waits_approval": "Väntar på godkännande av en chef (en rabatt över gränsen).",
        "accept": "Kunden accepterar",
        "started_purchased": "Vi började från det kunden köpte {date}: {n} val redan gjorda.",
        "started_configured": "Vi började från konfigurationen kunden gjorde {date}: {n} val redan gjorda.",
        "started_withdrawn": "{what} erbjuds inte längre: utelämnad.",
        "started_conflict": "{what} passar inte längre med de andra valen: utelämnad.",
        "start_blank": "Börja från början",
        "ask_first": "Fråga kunden först",
        "ask_likely": "troligen: {answer} ({pct} %)",
        "ask_whether": "Lägga till {option}?",
        "margin": "Orderns bruttomarginal",
        "margin_needed": "Ange orderns bruttomarginal för att acceptera.",
        "accepted": "Accepterad: order {order}.",
        "status_draft": "utkast",
        "status_pending_approval": "väntar på godkännande",
        "status_sent": "skickad",
        "status_accepted": "accepterad",
        "status_expired": "utgången",
        "state_included": "ingår",
        "state_chosen": "vald",
        "state_declined": "inte med i offerten",
    },
}
"""The workspace's strings (search, skip links, conflicts and repairs, the running price) per language."""

STRINGS: dict[str, dict[str, str]] = {
    lang: dict(zip(_KEYS, texts, strict=True)) | _WORKSPACE[lang]
    for lang, texts in (("en", _EN), ("pt", _PT), ("es", _ES), ("sv", _SV))
}
"""The page's fixed strings per language (``{name}`` placeholders are filled in by the page's script)."""

_STATIC = {"rep.js": "text/javascript; charset=utf-8", "rep.css": "text/css; charset=utf-8"}


_RANGE = re.compile(r"\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
"""A language range of ``Accept-Language`` (RFC 9110, 12.5.4), lower case, ``_`` already made ``-``."""
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
"""A weight: 0 to 1 with at most three decimals."""
_MOST_RANGES = 64
"""Ranges read from one header (a browser sends a handful); the rest are ignored."""


def accepted_languages(header: str | None) -> list[tuple[str, float]]:
    """The language ranges of an ``Accept-Language`` header with their weights, most preferred first.

    Ranges come in lower case with ``-`` (``pt_BR`` becomes ``pt-br``); equal weights keep the header's order.
    A range that is malformed, has a parameter other than its weight, or whose weight is not a number from 0 to
    1 (three decimals at most), is left out, so a malformed header gives an empty list rather than an error. Ranges weighted 0 are kept (they refuse a language).

    Args:
        header: the header's value, if any.

    Returns:
        ``(range, weight)`` pairs, highest weight first; ``*`` stands for any other language.

    Example:
        >>> accepted_languages("pt-BR,pt;q=0.9, en;q=0.8, *;q=0.1")
        [('pt-br', 1.0), ('pt', 0.9), ('en', 0.8), ('*', 0.1)]
        >>> accepted_languages("sv;q=0, es;q=0.5, de")
        [('de', 1.0), ('es', 0.5), ('sv', 0.0)]
        >>> accepted_languages("en;q=high, ;;, pt;q=2, es-ES;q=0.3"), accepted_languages(None)
        ([('es-es', 0.3)], [])
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")[:_MOST_RANGES]):
        tag, *params = (part.strip() for part in item.split(";"))
        tag = tag.lower().replace("_", "-")
        if not _RANGE.fullmatch(tag) or len(params) > 1:
            continue
        weight = 1.0
        if params:  # the only parameter a language range takes is its weight
            name, equals, value = (x.strip() for x in params[0].partition("="))
            if name.lower() != "q" or not equals or not _QVALUE.fullmatch(value):
                continue
            weight = float(value)
        ranked.append((-weight, position, tag))
    return [(tag, -weight) for weight, _, tag in sorted(ranked)]


def pick_language(asked: str | None, accept_language: str | None) -> str:
    """The page's language: the one asked for, else the browser's most preferred supported one, else English.

    Babel's :func:`babel.core.negotiate_locale` matches the ranges against :data:`LANGUAGES` in order of
    preference (a regional variant such as ``pt-PT`` or ``pt-BR`` gives its language). ``*`` stands for the
    supported languages the header does not name. A language weighted ``q=0`` is never chosen, not even as the
    fallback: that is English, else the first supported language the header does not refuse.

    Args:
        asked: the ``lang`` query parameter (``pt``, ``pt_PT`` or ``pt-PT``), if any.
        accept_language: the ``Accept-Language`` header, if any.

    Returns:
        One of :data:`LANGUAGES`.

    Example:
        >>> pick_language("pt_PT", "sv")
        'pt'
        >>> pick_language(None, "es;q=0.2, *"), pick_language(None, "en;q=0, de"), pick_language(None, "q=;")
        ('en', 'pt', 'en')
    """
    if asked:
        found = negotiate_locale([asked.replace("_", "-")], LANGUAGES, sep="-", aliases={})
        if found:
            return found.lower()
    ranges = accepted_languages(accept_language)
    refused = {tag for tag, weight in ranges if weight == 0}
    available = [lang for lang in LANGUAGES if lang not in refused]
    named = {tag.partition("-")[0] for tag, _ in ranges}
    preferred: list[str] = []
    for tag, weight in ranges:
        if weight == 0:
            continue
        preferred += [lang for lang in available if lang not in named] if tag == "*" else [tag]
    found = negotiate_locale(preferred, available, sep="-", aliases={})
    if found:
        return found.lower()
    return available[0] if available else "en"


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


def router(access: RepAccess) -> APIRouter:
    """The ``/rep`` page, its sign-in and its static files, to include in the API app.

    Args:
        access: the rep accounts, the tenant's stores and the audit log (the API's service).

    Returns:
        A router with ``GET /rep`` (the page, for a signed-in rep; ``?lang=en|pt|es|sv``, ``?customer=ID``,
        ``?catalog=ID`` prefill it, ``?session=ID`` restores a session; anyone else is sent to the sign-in form), ``/rep/sign-in`` (GET, POST),
        ``POST /rep/sign-out`` and ``GET /rep/static/{name}`` (``rep.js``, ``rep.css``).
    """
    web = APIRouter(tags=["sales-rep page"])

    def render_sign_in(request: Request, **values: object) -> str:
        language = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
        root = request.scope.get("root_path", "").rstrip("/")
        return (
            _environment()
            .get_template("sign-in.html")
            .render(lang=language, t=STRINGS[language], root=root, static=f"{root}/rep/static", **values)
        )

    @web.get(
        "/rep",
        response_class=HTMLResponse,
        responses={303: {"description": "Not signed in: to the sign-in form (`Location`)."}},
    )
    def rep_page(
        request: Request,
        lang: Annotated[str | None, Query(description="en, pt, es or sv (default: the browser's).")] = None,
        customer: Annotated[str | None, Query(max_length=200)] = None,
        catalog: Annotated[str | None, Query(max_length=200)] = None,
        session: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        """The sales-rep page: a customer's summary, the configuration with reasons, bundles and quotes."""
        found = signed_in(request, access)
        if found is None:
            here = "/rep" + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/rep/sign-in?" + urllib.parse.urlencode({"next": here}), status_code=303)
        who, token = found
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
                session=session or "",
                csrf=access.accounts().csrf(token),
                rep=who.name,
                can=" ".join(scope for scope in ("quote", "approve", "accept") if who.allows(scope)),
            )
        )
        return HTMLResponse(html, headers={"Content-Language": language, "Cache-Control": "no-store"})

    add_sign_in_routes(web, access, render_sign_in)

    @web.get("/rep/static/{name}", include_in_schema=False)
    def rep_static(name: str) -> Response:
        """One of the page's static files."""
        if name not in _STATIC:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(_static(name), media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})

    return web
