"""Quote rendering: golden files per locale and format, translations, Babel formatting, PDF and the sandbox.

Regenerate the golden files with ``CONFIGURATOR_REGEN_GOLDEN=1 pytest tests/quoting/test_render.py``; without it a
missing golden file fails the test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import ConfiguratorError, QuoteRenderError, QuoteTemplateError, TemplateSecurityError
from configurator.offer.lines import Line, ServiceLine
from configurator.offer.reasons import Reason
from configurator.offer.waterfall import Step, Waterfall
from configurator.quoting import i18n
from configurator.quoting.i18n import LANGUAGES, Translator, locale_chain
from configurator.quoting.model import EXAMPLE, Quote
from configurator.quoting.render import DEFAULT_TEMPLATES, TERMS, Limits, render_quote
from configurator.quoting.render.pdf import lean_html_class, local_fetcher
from configurator.quoting.render.view import quote_view

GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("CONFIGURATOR_REGEN_GOLDEN") == "1"
SRC = Path(i18n.__file__).resolve().parent
NBSP = "\xa0"


def _t(en: str, pt: str, es: str, sv: str) -> dict[str, str]:
    return {"en": en, "pt": pt, "es": es, "sv": sv}


CATALOG_DATA: dict[str, Any] = {
    "catalog": "bike-city",
    "version": "2026.11",
    "name": _t("City e-bike", "Bicicleta elétrica urbana", "Bicicleta eléctrica urbana", "Stadselcykel"),
    "currency": "EUR",
    "locales": ["en", "pt", "es", "sv"],
    "modules": {
        "frame": {
            "label": _t("Frame", "Quadro", "Cuadro", "Ram"),
            "options": {
                "alu_m": {
                    "label": _t("Aluminium M", "Alumínio M", "Aluminio M", "Aluminium M"),
                    "price": 420,
                },
                "carbon_m": {"label": _t("Carbon M", "Carbono M", "Carbono M", "Kolfiber M"), "price": 1190},
            },
        },
        "motor": {
            "label": _t("Motor", "Motor", "Motor", "Motor"),
            "choose": {"min": 0, "max": 1},
            "options": {
                "hub_250": {
                    "label": _t(
                        "Hub motor 250 W", "Motor de cubo 250 W", "Motor de buje 250 W", "Navmotor 250 W"
                    ),
                    "price": 690,
                }
            },
        },
        "brakes": {
            "label": _t("Brakes", "Travões", "Frenos", "Bromsar"),
            "options": {
                "disc_hydraulic": {
                    "label": _t(
                        "Hydraulic disc brakes",
                        "Travões de disco hidráulicos",
                        "Frenos de disco hidráulicos",
                        "Hydrauliska skivbromsar",
                    ),
                    "price": 180,
                },
                "rim": {
                    "label": _t("Rim brakes", "Travões de aro", "Frenos de llanta", "Fälgbromsar"),
                    "price": 40,
                },
            },
        },
        "lights": {
            "label": _t("Lights", "Luzes", "Luces", "Belysning"),
            "options": {
                "dynamo_set": {
                    "label": _t(
                        "Dynamo light set",
                        "Conjunto de luzes com dínamo",
                        "Juego de luces con dinamo",
                        "Dynamobelysning",
                    ),
                    "price": 95,
                }
            },
        },
        "rack": {
            "label": _t("Rack", "Porta-bagagens", "Portaequipajes", "Pakethållare"),
            "options": {
                "alu": {
                    "label": _t(
                        "Aluminium rack",
                        "Porta-bagagens de alumínio",
                        "Portaequipajes de aluminio",
                        "Pakethållare i aluminium",
                    ),
                    "price": 60,
                },
                "steel": {
                    "label": _t(
                        "Steel rack",
                        "Porta-bagagens de aço",
                        "Portaequipajes de acero",
                        "Pakethållare i stål",
                    ),
                    "price": 89,
                },
            },
        },
    },
    "services": {
        "fit_session": {
            "kind": "advisory",
            "label": _t("Bike fit session", "Sessão de ajuste", "Sesión de ajuste", "Cykelanpassning"),
            "price": 80,
        },
        "care_plan_3y": {
            "kind": "post_sale",
            "label": _t(
                "3-year care plan",
                "Plano de manutenção de 3 anos",
                "Plan de mantenimiento de 3 años",
                "Serviceavtal 3 år",
            ),
            "price": 149,
        },
    },
    "pricing": {
        "volume": [{"min_qty": 5, "discount_pct": 4}],
        "bundles": [
            {
                "id": "commuter-pack",
                "label": _t(
                    "Commuter pack", "Pacote casa-trabalho", "Pack para ir al trabajo", "Pendlarpaket"
                ),
                "when": "lights",
                "discount_amount": 40,
            }
        ],
        "tiers": {"mvc": {"discount_pct": 6}},
    },
}

CUSTOMER = {"name": "Ana Silva", "company": "Ciclos do Porto, Lda.", "email": "ana@example.com"}


def catalog(**changes: Any) -> Catalog:
    """The test catalog (complete in en, pt, es and sv), with top-level keys replaced."""
    return Catalog.model_validate({**CATALOG_DATA, **changes})


def _step(kind: str, ref: str, amount: str, subtotal: str, rate: str | None = None) -> Step:
    return Step(kind, ref, Decimal(amount), Decimal(subtotal), None if rate is None else Decimal(rate))


def typical_quote(locale: str = "pt_PT", needs_approval: bool = False) -> Quote:
    """A typical quote: five bikes of five options, every usual waterfall step, two services, five reasons."""
    selections = {"frame": {"alu_m": 1}, "motor": {"hub_250": 1}, "brakes": {"disc_hydraulic": 1}}
    selections |= {"lights": {"dynamo_set": 1}, "rack": {"alu": 1}}
    steps = (
        _step("list", "bike-city", "1445.00", "1445.00"),
        _step("quantity", "5", "5780.00", "7225.00"),
        _step("volume", "5", "-289.00", "6936.00", "4"),
        _step("bundle", "commuter-pack", "-200.00", "6736.00"),
        _step("tier", "mvc", "-404.16", "6331.84", "6"),
        _step("manual", "rep-7", "-126.64", "6205.20", "2"),
        _step("services", "care_plan_3y", "149.00", "6354.20"),
        _step("tax", "PT", "1461.47", "7815.67", "23"),
        _step("rounding", "EUR", "0.00", "7815.67"),
    )
    return Quote(
        quote_id="Q-2026-0042",
        version=2,
        tenant="shop",
        customer_id="c-1001",
        catalog_id="bike-city",
        catalog_version="2026.11",
        locale=locale,
        currency="EUR",
        created_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC),
        valid_until=dt.date(2026, 12, 23),
        tier="mvc",
        quantity=5,
        configuration=Configuration(selections=selections, catalog="bike-city"),
        lines=(
            Line("frame", "alu_m", 1, Decimal("420.00")),
            Line("motor", "hub_250", 1, Decimal("690.00")),
            Line("brakes", "disc_hydraulic", 1, Decimal("180.00")),
            Line("lights", "dynamo_set", 1, Decimal("95.00")),
            Line("rack", "alu", 1, Decimal("60.00")),
        ),
        services=(
            ServiceLine(
                "fit_session", "advisory", True, Decimal("80.00"), Decimal(0), "included for tier mvc"
            ),
            ServiceLine("care_plan_3y", "post_sale", False, Decimal("149.00"), Decimal("149.00")),
        ),
        waterfall=Waterfall("EUR", steps, Decimal("6000.00"), needs_approval),
        reasons=(
            Reason("frame", "alu_m", "purchased", ("ev-17",), {"at": "2026-03-14"}),
            Reason(
                "motor",
                "hub_250",
                "stated",
                ("ev-21", "ev-22"),
                {"source": "stated_need", "at": "2026-10-02"},
            ),
            Reason("brakes", "disc_hydraulic", "required"),
            Reason("lights", "dynamo_set", "popular"),
            Reason("rack", "alu", "budget", (), {"instead_of": "steel", "saves": "29.00"}),
        ),
        terms=("terms.validity", "terms.payment", "terms.delivery", "terms.warranty"),
    )


def _text(content: str | bytes) -> str:
    assert isinstance(content, str)
    return content


# --- golden files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
@pytest.mark.parametrize("locale", ["en_US", "pt_PT", "es_ES", "sv_SE"])
def test_golden(locale: str, fmt: str) -> None:
    """Each locale and format renders the typical quote exactly as its golden file, with no fallback."""
    out = render_quote(typical_quote(locale), catalog(), format=fmt, customer=CUSTOMER)  # type: ignore[arg-type]
    assert out.fallbacks == ()
    path = GOLDEN / f"quote.{locale}.{fmt}"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_text(out.content), encoding="utf-8")
    elif not path.exists():
        pytest.fail(f"golden file {path} is missing: rerun with CONFIGURATOR_REGEN_GOLDEN=1 to write it")
    assert _text(out.content) == path.read_text(encoding="utf-8"), (
        f"rerun with CONFIGURATOR_REGEN_GOLDEN=1 to update {path}"
    )


# --- language ----------------------------------------------------------------------------------------------


def _extracted_messages() -> set[str]:
    found = extract_from_dir(
        str(SRC),
        method_map=[
            ("render/*.py", "python"),
            ("send.py", "python"),
            ("templates/**.j2", "jinja2.ext:babel_extract"),
        ],
        options_map={"templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}},
        keywords={"_": None, "gettext": None, "N_": None},
    )
    from babel.messages.extract import extract_from_file  # the customer overview's messages (api/overview.py)

    overview = extract_from_file("python", str(SRC.parent / "api" / "overview.py"), keywords={"N_": None})
    used = {msg for _, _, msg, _, _ in found if isinstance(msg, str)}
    return used | {m[1] for m in overview if isinstance(m[1], str)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_message_catalog_is_complete(language: str) -> None:
    """Each .po file translates every message the code and templates use, and nothing is fuzzy or empty."""
    used = _extracted_messages()
    assert set(TERMS) <= used
    with (SRC / "locale" / language / "LC_MESSAGES" / "configurator.po").open("rb") as fh:
        po = read_po(fh)
    translated = {m.id for m in po if m.id and m.string and not m.fuzzy}
    untranslated = sorted(str(m.id) for m in po if m.id and (not m.string or m.fuzzy))
    assert untranslated == []
    assert sorted(used - translated) == []
    # ``overview.*`` ids are the customer overview's sentences (configurator.api.overview checks its own), and
    # ``problem.*`` the API's error titles (tests/test_api.py checks them against the error classes).
    own = {m for m in translated if not str(m).startswith(("overview.", "problem."))}
    assert sorted(own - used) == [], "obsolete messages in the .po file"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_po(language: str) -> None:
    """The committed .mo file holds exactly the .po file's translations (run python -m configurator.quoting.i18n)."""
    folder = SRC / "locale" / language / "LC_MESSAGES"
    with (folder / "configurator.po").open("rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id}
    mo = {m.id: m.string for m in read_mo(io.BytesIO((folder / "configurator.mo").read_bytes())) if m.id}
    assert mo == po


def test_every_step_and_reason_kind_is_translated() -> None:
    """Every waterfall step kind, reason kind and service kind renders without a message fallback."""
    q = typical_quote()
    steps = (*q.waterfall.steps, _step("contract", "K-1", "-10.00", "0"))
    kinds = (
        "stated",
        "purchased",
        "configured",
        "viewed",
        "transferred",
        "popular",
        "required",
        "budget",
        "tier",
        "default",
    )
    reasons = tuple(Reason("frame", "alu_m", k) for k in kinds)
    services = (*q.services, ServiceLine("care_plan_3y", "training", False, Decimal(1), Decimal(1)))
    q = dataclasses.replace(
        q, waterfall=dataclasses.replace(q.waterfall, steps=steps), reasons=reasons, services=services
    )
    for locale in ("en_US", "pt_PT", "es_ES", "sv_SE"):
        out = render_quote(q, catalog(), format="txt", locale=locale)
        assert out.fallbacks == (), out.warnings


def test_missing_translation_falls_back_and_is_reported() -> None:
    """A label without a Swedish text shows the catalog's default language and is listed in the report."""
    data = CATALOG_DATA["modules"]["frame"]["options"]["alu_m"]
    modules = {**CATALOG_DATA["modules"]}
    modules["frame"] = {
        **modules["frame"],
        "options": {
            **modules["frame"]["options"],
            "alu_m": {**data, "label": {"en": "Aluminium frame M", "pt": "Quadro de alumínio M"}},
        },
    }
    out = render_quote(typical_quote("sv_SE"), catalog(modules=modules), format="txt")
    assert "Aluminium frame M" in _text(out.content)
    assert out.warnings == ["modules.frame.options.alu_m.label: no 'sv_SE' text, used 'en'"]


def test_unknown_option_shows_its_id_and_is_reported() -> None:
    """A line naming an option the catalog lacks shows the ids and is reported, rather than failing."""
    q = dataclasses.replace(typical_quote("en_US"), lines=(Line("frame", "titanium", 1, Decimal("2000")),))
    out = render_quote(q, catalog(), format="txt")
    assert "frame: titanium" in _text(out.content)
    assert any("frame.options.titanium" in w and "showed the id" in w for w in out.warnings)


def test_locale_chain_order() -> None:
    """The chain runs locale, language, catalog default, English, without repeats."""
    assert locale_chain("pt_PT", "es") == ("pt_PT", "pt", "es", "en")
    assert locale_chain("sv", "sv") == ("sv", "en")


def test_locale_without_messages_falls_back_to_catalog_default_and_is_reported() -> None:
    """A German quote of a Spanish-first catalog uses Spanish messages, German number formats, and says so."""
    out = render_quote(typical_quote("de_DE"), catalog(locales=["es", "en"]), format="txt")
    text = _text(out.content)
    assert "Desglose del precio".upper() in text
    assert f"7.815,67{NBSP}€" in text
    assert out.formatting_locale == "de_DE"
    assert "message 'Quote': no 'de_DE' text, used 'es'" in out.warnings


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_US", "€1,234.50"),
        ("pt_PT", f"1{NBSP}234,50{NBSP}€"),
        ("es_ES", f"1.234,50{NBSP}€"),
        ("sv_SE", f"1{NBSP}234,50{NBSP}€"),
    ],
)
def test_money_is_formatted_for_the_locale(locale: str, expected: str) -> None:
    """Money is written the locale's way by Babel, non-breaking spaces included."""
    q = dataclasses.replace(typical_quote(locale), lines=(Line("frame", "alu_m", 1, Decimal("1234.50")),))
    for fmt in ("html", "txt"):
        assert expected in _text(render_quote(q, catalog(), format=fmt).content)
    assert Translator(locale).money(Decimal("1234.5"), "EUR") == expected


def test_dates_and_percentages_are_formatted_for_the_locale() -> None:
    """Dates are long dates in the language; rates keep their decimals."""
    pt = _text(render_quote(typical_quote("pt_PT"), catalog(), format="txt").content)
    assert "23 de dezembro de 2026" in pt
    assert Translator("sv_SE").percent(Decimal("3.5")) == f"3,5{NBSP}%"
    assert Translator("en_US").percent(Decimal(23)) == "23%"


def test_needs_approval_shows_a_draft_banner_in_every_format() -> None:
    """A quote below the floor carries a translated "DRAFT - needs approval" banner; others do not."""
    for fmt in ("html", "md", "txt"):
        draft = _text(
            render_quote(typical_quote("en_US", needs_approval=True), catalog(), format=fmt).content
        )
        assert "DRAFT - needs approval" in draft
        assert "DRAFT" not in _text(render_quote(typical_quote("en_US"), catalog(), format=fmt).content)
    pt = _text(render_quote(typical_quote("pt_PT", needs_approval=True), catalog(), format="html").content)
    assert "RASCUNHO - requer aprovação" in pt


def test_example_quote_renders_with_a_minimal_catalog() -> None:
    """The model's EXAMPLE quote renders; the labels the catalog lacks are reported, not lost."""
    c = Catalog.model_validate(
        {
            "catalog": "bike-city",
            "version": "1",
            "currency": "EUR",
            "locales": ["en"],
            "modules": {"frame": {"options": {"alu_m": {}}}},
        }
    )
    out = render_quote(Quote.from_data(EXAMPLE), c, format="md")
    assert "485,60" in _text(out.content)
    assert {
        "modules.frame.label: no 'pt_PT' text, showed the id",
        "services.setup.label: no 'pt_PT' text, showed the id",
    } <= set(out.warnings)


def test_unknown_format_is_an_error() -> None:
    """Asking for a format that does not exist raises a ConfiguratorError naming the formats."""
    with pytest.raises(QuoteRenderError, match="expected one of html, md, txt, pdf"):
        render_quote(typical_quote(), catalog(), format="docx")  # type: ignore[arg-type]


def test_customer_text_never_shows_event_ids_and_says_when() -> None:
    """Reasons say what the customer did and the month it happened, in every language, never an event id."""
    events = tuple(f"ev-{i:05d}" for i in range(120, 129))
    reasons = (
        Reason("frame", "alu_m", "configured", events, {"at": "2026-03-09"}),
        Reason("motor", "hub_250", "viewed", ("ev-00125",)),
    )
    expected = {
        "en_US": (
            "You chose Aluminium M when you configured in March 2026.",
            "You looked at Hub motor 250 W.",
        ),
        "pt_PT": ("Escolheu Alumínio M quando configurou em março de 2026.", "Motor de cubo 250 W"),
        "es_ES": ("Eligió Aluminio M cuando configuró en marzo de 2026.", "Motor de buje 250 W"),
        "sv_SE": ("Du valde Aluminium M när du konfigurerade i mars 2026.", "Navmotor 250 W"),
    }
    for locale, (dated, undated) in expected.items():
        q = dataclasses.replace(typical_quote(locale), reasons=reasons)
        for fmt in ("html", "md", "txt"):
            out = render_quote(q, catalog(), format=fmt)
            text = _text(out.content)
            assert "ev-" not in text and "ref." not in text, (locale, fmt)
            assert dated in text and undated in text and out.fallbacks == (), (locale, fmt)


def test_a_charged_option_is_never_called_included() -> None:
    """A tier reason (a growth step up, or the tier's trade-off) on a charged option never says "included"."""
    reasons = (
        Reason("frame", "alu_m", "tier", (), {"policy": "best_fit"}),
        Reason("motor", "hub_250", "tier", (), {"policy": "upgrade"}),
        Reason("rack", "alu", "tier", (), {"policy": "upgrade", "instead_of": "steel"}),
    )
    words = {"en_US": "includ", "pt_PT": "inclu", "es_ES": "inclu", "sv_SE": "ingår"}
    for locale, word in words.items():
        q = dataclasses.replace(typical_quote(locale), reasons=reasons, services=())
        view = quote_view(q, catalog(), Translator(locale))
        texts = [r["text"] for r in view["reasons"]]
        assert all(word not in t.lower() and "programme" not in t for t in texts), texts
    en = [r["text"] for r in quote_view(q, catalog(), Translator("en_US"))["reasons"]]
    assert en == [
        "We suggest Aluminium M: it balances what you like with the price.",
        "We suggest adding Hub motor 250 W.",
        "We suggest Aluminium rack as a step up from Steel rack.",
    ]


@pytest.mark.parametrize(
    ("locale", "given", "shown"),
    [
        ("sv_SE", "0731112233", "+46 73 111 22 33"),
        ("pt_PT", "+351913456789", "+351 913 456 789"),
        ("pt_PT", "913456789", "+351 913 456 789"),
        ("es_ES", "+46731112233", "+46 73 111 22 33"),
        ("en_US", "ext. 12", "ext. 12"),
    ],
)
def test_phone_numbers_are_written_internationally(locale: str, given: str, shown: str) -> None:
    """The customer's phone is written in the international format, read as dialled in the locale's country."""
    out = render_quote(typical_quote(locale), catalog(), format="txt", customer={**CUSTOMER, "phone": given})
    assert shown in _text(out.content)


# --- HTML and escaping -------------------------------------------------------------------------------------


def test_html_is_email_safe() -> None:
    """The HTML quote uses inline styles and tables only: no scripts, style sheets, links or remote resources."""
    html = _text(render_quote(typical_quote(), catalog(), customer=CUSTOMER).content).lower()
    for forbidden in ("<script", "<style", "<link", "src=", "http://", "https://", "url(", 'class="x'):
        assert forbidden not in html
    assert '<table role="presentation"' in html and 'style="' in html


def test_catalog_and_customer_text_is_escaped_in_html_and_markdown() -> None:
    """A <script> in a label or in the customer's name is escaped in HTML and made inert in Markdown."""
    modules = {**CATALOG_DATA["modules"]}
    modules["rack"] = {
        **modules["rack"],
        "options": {
            **modules["rack"]["options"],
            "alu": {"label": _t(*["<script>alert(1)</script>"] * 4), "price": 60},
        },
    }
    evil = {"name": "<img src=x onerror=alert(2)>"}
    html = _text(render_quote(typical_quote("en_US"), catalog(modules=modules), customer=evil).content)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    md = _text(
        render_quote(typical_quote("en_US"), catalog(modules=modules), customer=evil, format="md").content
    )
    assert re.search(r"(?<!\\)<", md) is None, "an unescaped < in Markdown"
    assert "\\<script\\>alert(1)\\</script\\>" in md


# --- PDF -------------------------------------------------------------------------------------------------


def test_pdf_has_the_quote_text() -> None:
    """The PDF quote is a PDF whose text (pdftotext) has the translated headings, labels and total."""
    pdf = render_quote(typical_quote("pt_PT"), catalog(), format="pdf", customer=CUSTOMER).content
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make sysdeps installs it")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for expected in (
        "Proposta",
        "Q-2026-0042",
        "Ana Silva",
        "Quadro",
        "Alumínio M",
        "Composição do preço",
        "Desconto de fidelização",
        "IVA (Portugal)",
        "Porque é a escolha certa para si",
        "Condições",
    ):
        assert expected in text, expected
    assert "7 815,67 €" in text.replace(NBSP, " ")


def _pdf_pages(pdf: bytes) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make sysdeps installs it")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1]


def test_typical_pdf_quote_fits_one_page_with_a_long_number() -> None:
    """The typical quote prints on one A4 page, a long quote number and the page footer included."""
    q = dataclasses.replace(typical_quote("pt_PT"), quote_id="Q-20261123-c-1004-EU-tenant-acme-0042-rev")
    pdf = render_quote(q, catalog(), format="pdf", customer={**CUSTOMER, "phone": "+351913456789"}).content
    assert isinstance(pdf, bytes)
    pages = _pdf_pages(pdf)
    assert len(pages) == 1
    assert "+351 913 456 789" in pages[0].replace(NBSP, " ")
    flat = re.sub(r"\s", "", pages[0])
    assert flat.endswith("1/1") and flat.count("Q-20261123-c-1004-EU-tenant") == 2  # header (wrapped), footer


def test_pdf_totals_are_never_split_across_pages() -> None:
    """However many lines push it down, the totals block (net, tax, total) prints whole on one page."""
    q = typical_quote("en_US")
    for n in range(14, 34, 2):
        lines = tuple(Line("frame", "alu_m", 1, Decimal("420.00")) for _ in range(n))
        pdf = render_quote(dataclasses.replace(q, lines=lines), catalog(), format="pdf").content
        assert isinstance(pdf, bytes)
        found = [[label in page for label in ("Net price", "Tax\n", "Total\n")] for page in _pdf_pages(pdf)]
        assert [all(labels) for labels in found].count(True) == 1, (n, found)
        assert all(all(labels) or not any(labels) for labels in found), (n, found)


def test_print_layout_uses_the_lean_user_agent_style_sheet() -> None:
    """WeasyPrint still calls the hook the lean user-agent style sheet relies on (else PDFs get slower)."""
    import weasyprint

    calls: list[bool] = []
    lean: Any = lean_html_class()
    hook = lean._ua_stylesheets

    def counting(self: Any, forms: bool = False) -> Any:
        calls.append(forms)
        return hook(self, forms)

    lean._ua_stylesheets = counting
    try:
        pdf = render_quote(typical_quote(), catalog(), format="pdf").content
    finally:
        lean._ua_stylesheets = hook
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert calls and issubclass(lean, weasyprint.HTML)


def test_pdf_shows_markup_in_labels_as_text() -> None:
    """The print template escapes catalog text too: a <script> label is printed as text."""
    modules = {**CATALOG_DATA["modules"]}
    rack = {"label": _t(*["<script>alert(1)</script>"] * 4), "price": 60}
    modules["rack"] = {**modules["rack"], "options": {**modules["rack"]["options"], "alu": rack}}
    pdf = render_quote(typical_quote("en_US"), catalog(modules=modules), format="pdf").content
    assert isinstance(pdf, bytes)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make sysdeps installs it")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "<script>alert(1)</script>" in text


def test_tenant_html_template_is_printed_when_it_has_no_pdf_template(tmp_path: Path) -> None:
    """A tenant with its own quote.html.j2 and no quote.pdf.j2 gets its HTML printed, not the default layout."""
    (tmp_path / "quote.html.j2").write_text("<html><body><p>ACME {{ quote.number }}</p></body></html>")
    out = render_quote(typical_quote(), catalog(), format="pdf", templates=tmp_path)
    assert out.template == str(tmp_path.resolve() / "quote.html.j2")
    assert render_quote(typical_quote(), catalog(), format="pdf").template == str(
        DEFAULT_TEMPLATES / "quote.pdf.j2"
    )


def test_pdf_fetcher_refuses_remote_and_outside_resources(tmp_path: Path) -> None:
    """The PDF's resource fetcher serves data: URLs and files in the template folders, and refuses the rest."""
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    fetcher = local_fetcher([str(tmp_path), str(DEFAULT_TEMPLATES)])
    assert fetcher.fetch((tmp_path / "logo.svg").as_uri()).read().startswith(b"<svg")
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in (
        "http://example.com/logo.png",
        "https://example.com/x.css",
        "file:///etc/hostname",
        (tmp_path / ".." / "x").as_uri(),
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError, match=r"refused|disallowed"):
            fetcher.fetch(url)
    (tmp_path / "huge.png").write_bytes(b"\0" * (8 * 1024 * 1024 + 1))
    with pytest.raises(ValueError, match="larger than the limit"):
        fetcher.fetch((tmp_path / "huge.png").as_uri())


def test_pdf_with_a_remote_image_renders_without_fetching_it(tmp_path: Path) -> None:
    """A tenant template pointing at a remote image still prints (the image is left out, never fetched)."""
    (tmp_path / "quote.html.j2").write_text(
        '<html><body><img src="http://127.0.0.1:9/x.png"><p>{{ quote.number }}</p></body></html>'
    )
    pdf = render_quote(typical_quote(), catalog(), format="pdf", templates=tmp_path).content
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")


# --- tenant templates ------------------------------------------------------------------------------------


def test_tenant_template_wins_over_the_default(tmp_path: Path) -> None:
    """A tenant's quote.txt.j2 is used instead of the packaged one; formats it lacks use the defaults."""
    (tmp_path / "quote.txt.j2").write_text("{{ _('Quote') }} {{ quote.number }}: {{ totals.total }}\n")
    out = render_quote(typical_quote("es_ES"), catalog(), format="txt", templates=tmp_path)
    assert out.content == f"Oferta Q-2026-0042: 7815,67{NBSP}€\n".replace("7815", "7.815")
    assert out.template == str(tmp_path.resolve() / "quote.txt.j2")
    md = render_quote(typical_quote("es_ES"), catalog(), format="md", templates=tmp_path)
    assert md.template == str(DEFAULT_TEMPLATES / "quote.md.j2")


def test_tenant_template_can_extend_the_default(tmp_path: Path) -> None:
    """A tenant template extends default/quote.html.j2 and replaces one block (here the logo)."""
    (tmp_path / "quote.html.j2").write_text(
        '{% extends "default/quote.html.j2" %}{% block logo %}<b>ACME Bikes</b>{% endblock %}'
    )
    html = _text(render_quote(typical_quote(), catalog(), templates=tmp_path).content)
    assert "<b>ACME Bikes</b>" in html and "Composição do preço" in html


def test_tenant_template_that_does_not_compile_names_file_and_line(tmp_path: Path) -> None:
    """A syntax error in a tenant template raises QuoteTemplateError with the file and line."""
    (tmp_path / "quote.html.j2").write_text("<p>ok</p>\n<p>{% if quote %}</p>\n")
    with pytest.raises(QuoteTemplateError) as err:
        render_quote(typical_quote(), catalog(), templates=tmp_path)
    assert isinstance(err.value, ConfiguratorError)
    assert err.value.template.endswith("quote.html.j2") and err.value.line in (2, 3)
    assert str(err.value).startswith(f"{tmp_path.resolve() / 'quote.html.j2'}:")


def test_tenant_template_that_fails_to_render_names_file_and_line(tmp_path: Path) -> None:
    """An undefined name in a tenant template raises QuoteTemplateError pointing at its line."""
    (tmp_path / "quote.txt.j2").write_text("line one\n{{ quote.number }}\n{{ no_such_thing }}\n")
    with pytest.raises(
        QuoteTemplateError, match=r"quote\.txt\.j2:3: undefined value: 'no_such_thing' is undefined"
    ):
        render_quote(typical_quote(), catalog(), format="txt", templates=tmp_path)


# --- the sandbox -----------------------------------------------------------------------------------------

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ _.__self__ }}",
    "{{ _.__globals__ }}",
    "{{ _._gettext }}",
    "{{ _.__call__.__globals__ }}",
    "{{ lines.__class__.__base__.__subclasses__() }}",
    "{{ quote['__class__'] }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ range.__globals__ }}",
    "{{ '{0.__class__}'.format('') }}",
    "{% set x = lines.append(1) %}",
    "{{ customer.fields.clear() }}",
    "{{ request.application.__globals__ }}",
    "{{ config.items() }}",
    "{{ ''|attr('__class__') }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_escape_payloads_are_blocked(tmp_path: Path, payload: str) -> None:
    """Known Jinja sandbox-escape payloads in a tenant template raise a QuoteTemplateError naming the file."""
    (tmp_path / "quote.txt.j2").write_text(f"{{{{ quote.number }}}}\n{payload}\n")
    with pytest.raises(QuoteTemplateError) as err:
        render_quote(typical_quote(), catalog(), format="txt", templates=tmp_path)
    assert err.value.template.endswith("quote.txt.j2")


ABUSE = [
    "{% for x in range(10**9) %}{% endfor %}",
    "{% for x in range(1000) %}{% for y in range(1000) %}{% endfor %}{% endfor %}",
    "{% set s = 'x' * 50000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
    "{% for a in lines %}{% for b in lines %}{% for c in lines %}{% for d in lines %}{% for e in lines %}"
    "{% for f in lines %}{% for g in lines %}{% for h in lines %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
    "{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "{% for x in [1, 2] recursive %}{{ loop([x, x]) }}{% endfor %}",
    "{{ 'x' * 10**9 }}",
    "{{ ['x'] * 10**9 }}",
    "{{ 10**(10**10) }}",
    "{{ 9**999999 }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ '%999999999d'|format(1) }}",
    "{{ '%999999999d' % 1 }}",
    "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(80) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% macro d(s) %}{{ d(s ~ s) }}{% endmacro %}{{ d('xxxxxxxx') }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{ lipsum(n=10**6) }}",
]


@pytest.mark.parametrize("payload", ABUSE)
def test_resource_abuse_is_capped(tmp_path: Path, payload: str) -> None:
    """Huge loops, strings, numbers and recursion in a tenant template stop with a QuoteTemplateError, fast."""
    (tmp_path / "quote.txt.j2").write_text(payload)
    with pytest.raises(QuoteTemplateError):
        render_quote(typical_quote(), catalog(), format="txt", templates=tmp_path, limits=Limits(seconds=2.0))


def test_gettext_arguments_are_capped(tmp_path: Path) -> None:
    """The template's ``_()`` refuses an argument longer than the string limit, like any other call."""
    (tmp_path / "quote.txt.j2").write_text('{{ _("Quote", x=customer.name) }}')
    with pytest.raises(TemplateSecurityError, match="argument of _"):
        render_quote(
            typical_quote(),
            catalog(),
            format="txt",
            templates=tmp_path,
            customer={"name": "x" * 80},
            limits=Limits(string=50),
        )


def test_output_size_is_capped(tmp_path: Path) -> None:
    """A template printing more than the output limit raises TemplateSecurityError."""
    (tmp_path / "quote.txt.j2").write_text("{% for i in range(5000) %}{{ 'x' * 100 }}{% endfor %}")
    with pytest.raises(TemplateSecurityError, match="output longer than 100000 characters"):
        render_quote(
            typical_quote(), catalog(), format="txt", templates=tmp_path, limits=Limits(output=100_000)
        )


def test_legitimate_template_logic_still_works(tmp_path: Path) -> None:
    """Ordinary loops, filters, namespaces, macros and arithmetic are allowed in tenant templates."""
    (tmp_path / "quote.txt.j2").write_text(
        "{% set ns = namespace(n=0) %}{% for l in lines %}{% set ns.n = ns.n + 1 %}{% endfor %}"
        "{% macro up(s) %}{{ s|upper }}{% endmacro %}"
        "{{ ns.n }} {{ up(title) }} {{ range(3)|list|sum }} {{ 2**10 }} {{ '-' * 3 }} {{ '%5s'|format('a') }}"
    )
    out = render_quote(typical_quote("en_US"), catalog(), format="txt", templates=tmp_path)
    assert out.content == "5 CITY E-BIKE 3 1024 ---     a"
