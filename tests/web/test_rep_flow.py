"""The rep's flow in headless Chromium, desktop and phone, two languages: find, configure, repair, reload."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from support import ROOT

from .conftest import CHROMIUM

pytest.importorskip("playwright", reason="the browser tests need the dev extra (playwright)")

from playwright.sync_api import Page, ViewportSize, expect  # after the skip: the dev extra may be missing

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no {CHROMIUM}: run `make sysdeps` (apt-get install chromium)"
)

TIMEOUT = 15_000
IMG = ROOT / "docs" / "img"
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
WORDS = {
    "en": ("Find a customer", "Remove", "Over the budget"),
    "pt": ("Procurar cliente", "Retirar", "orçamento"),
}


def _shot(page: Page, name: str) -> None:
    """Take a screenshot of the step; saved under docs/img/ (shown in docs/web.md) with CONFIGURATOR_SCREENSHOTS=1.

    A plain test run leaves the repository alone: the screenshot is still taken (it must not fail) and dropped.
    """
    image = page.screenshot()
    shown = name.endswith(("-desktop-en", "-phone-pt"))  # the two columns of docs/web.md
    if shown and os.environ.get("CONFIGURATOR_SCREENSHOTS") == "1":
        (Path(IMG) / f"rep-{name}.png").write_bytes(image)


@pytest.mark.parametrize("lang", ["en", "pt"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_find_configure_repair_and_reload(page: Page, live_server: str, viewport: str, lang: str) -> None:
    """A misspelt name finds Inês; a conflict offers one-click repairs; focus stays; reload keeps choices and budget."""
    page.set_viewport_size(VIEWPORTS[viewport])
    find, remove, _ = WORDS[lang]
    tag = f"{viewport}-{lang}"
    page.goto(f"{live_server}/rep?lang={lang}&catalog=ebike-urban")
    box = page.get_by_role("combobox", name=re.compile(find))
    box.fill("Ines Carvalo")
    hit = page.get_by_role("option", name=re.compile("Inês Carvalho"))
    expect(hit).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("listbox")).to_contain_text("Inês Carvalho")
    _shot(page, f"1-search-{tag}")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "hit-0")
    box.press("Enter")
    carbon = page.locator("#opt-frame-carbon_diamond")
    expect(carbon).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"session="))
    started = page.locator("#started")  # she bought an e-bike: her session starts from her last one
    expect(started).to_be_visible(timeout=TIMEOUT)
    expect(started).to_contain_text(re.compile(r"\d"))
    assert page.locator("button.option[aria-pressed=true]").count() >= 4
    _shot(page, f"2-customer-{tag}")
    page.locator("#start-blank").click()  # a different bike this time: start from nothing
    expect(started).to_be_hidden(timeout=TIMEOUT)
    expect(page.locator("button.option[aria-pressed=true]")).to_have_count(0)

    carbon.click()
    expect(carbon).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    assert page.evaluate("document.activeElement.id") == "opt-frame-carbon_diamond"
    belt = page.locator("#opt-drivetrain-nexus_5e_belt")
    expect(belt).to_have_attribute("aria-describedby", "reason-drivetrain-nexus_5e_belt", timeout=TIMEOUT)
    expect(page.locator("#reason-drivetrain-nexus_5e_belt")).not_to_be_empty()
    _shot(page, f"3-reasons-{tag}")

    belt.click()  # an unavailable option stays choosable: the conflict and its repairs appear beside it
    note = page.locator("#why-drivetrain")
    expect(note).to_be_visible(timeout=TIMEOUT)
    repairs = note.get_by_role("button", name=re.compile(remove))
    expect(repairs.first).to_be_visible()
    assert repairs.count() >= 2
    assert page.evaluate("document.activeElement.id") == "opt-drivetrain-nexus_5e_belt"
    _shot(page, f"4-conflict-{tag}")
    repairs.first.click()  # the first keeps the newest choice (the belt) and gives up the carbon frame
    expect(belt).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    expect(carbon).to_have_attribute("aria-pressed", "false")
    expect(note).to_be_hidden()

    budget = page.get_by_label(re.compile("Budget|Orçamento"))
    budget.fill("1500")
    budget.press("Tab")
    expect(page.locator("body")).not_to_have_attribute("aria-busy", "true", timeout=TIMEOUT)
    expect(page.locator("#price")).not_to_be_empty()
    _shot(page, f"5-price-{tag}")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"horizontal overflow: {width}px"
    if viewport == "phone":  # the customer and the price come before the options
        price_top = page.locator("#offer").bounding_box()
        modules_top = page.locator("#modules").bounding_box()
        assert price_top is not None and modules_top is not None and price_top["y"] < modules_top["y"]

    page.reload()
    expect(belt).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    expect(carbon).to_have_attribute("aria-pressed", "false")
    expect(budget).to_have_value("1500")
    other = "pt" if lang == "en" else "en"
    page.select_option("#lang", other)
    expect(page.locator("html")).to_have_attribute("lang", other, timeout=TIMEOUT)
    expect(page.locator("#opt-drivetrain-nexus_5e_belt")).to_have_attribute(
        "aria-pressed", "true", timeout=TIMEOUT
    )
    expect(page.locator("#budget")).to_have_value("1500")
    _shot(page, f"6-restored-{tag}")
    _quote_edit_download_accept(page, tag)


def _version(page: Page) -> int:
    """The version number in the quote editor's heading."""
    return int(page.locator("#quote-heading").get_attribute("data-version") or 0)


def _quote_edit_download_accept(page: Page, tag: str) -> None:
    """Quote the second bundle (with the choices and budget it met), edit services and quantity, download, accept."""
    budget = page.locator("#budget")
    budget.fill("4500")
    budget.press("Tab")
    expect(page.locator("body")).not_to_have_attribute("aria-busy", "true", timeout=TIMEOUT)
    page.locator("#propose").click()
    second = page.locator('.quote-bundle[data-rank="2"]')
    expect(second).to_be_visible(timeout=TIMEOUT)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/quotes")) as made:
        second.click()
    sent = made.value.post_data_json
    assert sent is not None and sent["budget"] == "4500"  # the budget the bundles were assembled under
    editor = page.locator("#quote-editor")
    expect(editor).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#quote-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#quote-heading")).to_be_focused()
    required = page.locator("#quote-required")  # the belt the customer chose travels with the bundle's quote
    expect(required).to_contain_text(re.compile("Nexus Inter-5E"))
    first = _version(page)
    fit, course = page.locator("#svc-bike_fit"), page.locator("#svc-riding_course")
    expect(fit).not_to_be_checked()  # offered to this tier, charged only when chosen
    _shot(page, f"7-quote-{tag}")

    page.locator("#quote-quantity").fill("2")
    fit.check()
    course.check()
    page.locator("#quote-save").click()
    expect(page.locator("#quote-heading")).to_have_attribute("data-version", str(first + 1), timeout=TIMEOUT)
    expect(page.locator("#quote-quantity")).to_have_value("2")
    expect(page.locator("#svc-riding_course")).to_be_checked()
    page.locator("#svc-riding_course").uncheck()  # the customer does not want the course after all
    page.locator("#quote-save").click()
    expect(page.locator("#quote-heading")).to_have_attribute("data-version", str(first + 2), timeout=TIMEOUT)
    expect(page.locator("#svc-riding_course")).not_to_be_checked()
    expect(page.locator("#svc-bike_fit")).to_be_checked()
    diff = page.locator("#quote-diff")
    expect(diff).to_be_visible()
    assert diff.locator("li").count() == 2  # the course out, and the total
    _shot(page, f"8-edited-{tag}")

    with page.expect_download(timeout=TIMEOUT) as download:
        page.locator("#quote-pdf").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    total = Decimal(page.locator("#quote-total").get_attribute("data-total") or "nan")
    if shutil.which("pdftotext") is not None:  # make sysdeps installs poppler-utils
        from babel.numbers import format_currency

        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        written = format_currency(total, "EUR", locale="pt_PT")  # Inês's quotes are in Portuguese
        assert _spaces(written) in _spaces(text), f"{written} not in the PDF"

    page.locator("#quote-margin").fill("900")
    page.locator("#quote-accept").click()
    expect(page.locator("#quote-status")).to_have_attribute("data-status", "accepted", timeout=TIMEOUT)
    expect(page.locator("#quote-state")).not_to_be_empty()
    _shot(page, f"9-accepted-{tag}")


def _spaces(text: str) -> str:
    """Every kind of space as one plain space (Babel and pdftotext write different ones)."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_every_option_answers_keyboard_and_skip_links(page: Page, live_server: str) -> None:
    """Skip links lead to the configuration; Space on an option selects it and the focus stays on it."""
    page.goto(f"{live_server}/rep?lang=en&customer=c-1019&catalog=ebike-urban")
    first = page.locator("#opt-frame-alu_diamond")
    expect(first).to_be_visible(timeout=TIMEOUT)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the configuration")).to_be_focused()
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    expect(first).to_be_focused()
    timings: Any = page.evaluate("window.repTimings")
    assert any(t["kind"] == "domains" for t in timings)
