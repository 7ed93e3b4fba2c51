"""The sales-rep page in headless Chromium against a live server over the demo database."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support import DEMO_CUSTOMERS

from .conftest import CHROMIUM

pytest.importorskip("playwright", reason="the browser tests need the dev extra (playwright)")

from playwright.sync_api import Page, expect  # after the skip: the dev extra may be missing

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no {CHROMIUM}: run `make sysdeps` (apt-get install chromium)"
)

CATALOG = "ebike-urban"
CUSTOMER = DEMO_CUSTOMERS[CATALOG]
TIMEOUT = 15_000  # ms: opening a session compiles the catalog (about half a second, more on a busy machine)


def _open(page: Page, live_server: str) -> None:
    """Open the demo customer's e-bike session through the form, and wait for the modules."""
    page.goto(f"{live_server}/rep?lang=en")
    page.get_by_role("combobox", name=re.compile("Find a customer")).fill(CUSTOMER)
    page.get_by_label("Catalog").select_option(CATALOG)
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_role("group", name="Frame", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#started")).to_be_visible(timeout=TIMEOUT)  # a returning customer: her last bike
    page.get_by_role("button", name="Start blank").click()  # these tests start from nothing
    expect(page.locator("button.option[aria-pressed=true]")).to_have_count(0, timeout=TIMEOUT)


def test_page_loads_with_the_catalogs(page: Page, live_server: str) -> None:
    """GET /rep answers the page in the asked language, and it lists the served catalogs."""
    response = page.goto(f"{live_server}/rep?lang=sv")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name="Säljare")).to_be_visible()
    expect(page.locator(f'#catalog option[value="{CATALOG}"]')).to_have_count(1)
    page.goto(f"{live_server}/rep?lang=en")
    expect(page.get_by_role("heading", name="Sales rep")).to_be_visible()
    expect(page.get_by_role("combobox", name="Find a customer")).to_be_editable()


def test_customer_summary_shows_the_tier_and_why(page: Page, live_server: str) -> None:
    """Opening a customer shows their card (the overview when served, else GET /customers/{id})."""
    _open(page, live_server)
    customer = page.request.get(f"{live_server}/customers/{CUSTOMER}").json()
    summary = page.get_by_role("region", name="Customer", exact=True)
    expect(summary).to_contain_text(customer["name"] or customer["customer_id"])


def test_choosing_an_option_narrows_other_modules_with_the_reason(page: Page, live_server: str) -> None:
    """Selecting the carbon frame greys out the belt drivetrains, and clicking one shows the rule's message."""
    _open(page, live_server)
    belt = page.locator('fieldset[data-module="drivetrain"] button[data-option="nexus_5e_belt"]')
    expect(belt).not_to_have_class(re.compile("is-unavailable"))
    carbon = page.locator('fieldset[data-module="frame"] button[data-option="carbon_diamond"]')
    carbon.click()
    expect(carbon).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    expect(belt).to_have_class(re.compile("is-unavailable"))
    expect(page.locator("#reason-drivetrain-nexus_5e_belt")).to_contain_text("belt cannot be split")
    expect(belt).to_have_attribute("aria-describedby", "reason-drivetrain-nexus_5e_belt")
    carbon.click()  # deselect: the belt drivetrains are possible again
    expect(carbon).to_have_attribute("aria-pressed", "false", timeout=TIMEOUT)
    expect(belt).not_to_have_class(re.compile("is-unavailable"))


def test_the_customers_recommended_option_is_marked(
    page: Page, live_server: str, live_key: dict[str, str]
) -> None:
    """The option the session recommends for the demo customer carries the Recommended mark."""
    _open(page, live_server)
    opened = page.request.post(
        f"{live_server}/sessions",
        data={"catalog": CATALOG, "customer_id": CUSTOMER, "start": "blank"},
        headers=live_key,
    )
    top = opened.json()["recommendations"]["motor"][0]["option"]
    motor = page.get_by_role("group", name="Motor", exact=True)
    marked = motor.locator("button.is-recommended")
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("data-option", top)
    expect(marked).to_contain_text("Recommended")


def test_proposing_bundles_lists_them_with_reasons(page: Page, live_server: str) -> None:
    """The Propose bundles button lists at least one bundle, each with its price and reasons."""
    _open(page, live_server)
    page.get_by_label("Budget").fill("6000")
    page.get_by_role("button", name="Propose bundles").click()
    bundles = page.get_by_role("list", name="Bundles").get_by_role("article")
    expect(bundles.first).to_be_visible(timeout=3 * TIMEOUT)  # a budget may take the solver a few rounds
    assert bundles.count() >= 1
    expect(bundles.first).to_contain_text("Bundle 1")
    expect(bundles.first.locator(".reasons")).to_contain_text("You bought")  # in words and dates, not codes


def test_quote_links_to_its_pdf(page: Page, live_server: str) -> None:
    """The Quote button creates a quote and links to its HTML and to a PDF that starts with %PDF."""
    _open(page, live_server)
    page.get_by_role("button", name="Quote", exact=True).click()
    pdf = page.get_by_role("link", name="Download the PDF")
    expect(pdf).to_be_visible(timeout=TIMEOUT)
    html = page.get_by_role("link", name="Open the quote (HTML)")
    html_response = page.request.get(str(html.get_attribute("href")))
    assert html_response.ok and "text/html" in html_response.headers["content-type"]
    pdf_response = page.request.get(str(pdf.get_attribute("href")))
    assert pdf_response.ok
    assert pdf_response.body().startswith(b"%PDF")


def test_a_complete_configuration_is_quoted_exactly_as_configured(page: Page, live_server: str) -> None:
    """With every module chosen, Quote quotes the session's own choices (not a bundle), and the editor lists them."""
    _open(page, live_server)
    sid = re.search(r"session=([^&]+)", page.url)
    assert sid is not None
    done: Any = page.evaluate(
        """async (sid) => {
            const answer = await fetch(`/sessions/${sid}/complete`, {method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf},
                body: JSON.stringify({strategy: "defaults"})});
            return answer.json();
        }""",
        sid.group(1),
    )
    wanted = {f"{m}.{o}" for m, chosen in done["configuration"]["selections"].items() for o in chosen}
    for key in wanted:  # the rep makes the completed configuration: a click per module
        module, option = key.split(".")
        button = page.locator(f"#opt-{module}-{option}")
        if button.get_attribute("aria-pressed") != "true":
            button.click()
            expect(button).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT)
    expect(page.locator("body")).not_to_have_attribute("aria-busy", "true", timeout=TIMEOUT)
    page.get_by_role("button", name="Quote", exact=True).click()
    expect(page.locator("#quote-editor")).to_be_visible(timeout=TIMEOUT)
    lines = page.locator("#quote-body tbody tr")
    assert {str(lines.nth(i).get_attribute("data-line")) for i in range(lines.count())} == wanted


def test_a_rep_signs_in_through_the_form_and_out_again(browser: Any, live_server: str, live_app: Any) -> None:
    """In a fresh browser /rep asks for sign-in; the form leads back to the page; Sign out ends it."""
    from support import REP_LOGIN, REP_PASSWORD, rep_sign_in

    rep_sign_in(live_app)  # makes the account
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/rep?lang=en&catalog={CATALOG}")
        expect(page).to_have_url(re.compile(r"/rep/sign-in\?next="))
        page.get_by_label("Login (email)").fill(REP_LOGIN)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Wrong login or password")
        page.get_by_label("Login (email)").fill(REP_LOGIN)
        page.get_by_label("Password").fill(REP_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/rep\?lang=en&catalog="))
        expect(page.get_by_text("Signed in as Rita Rep")).to_be_visible()
        cookie = next(c for c in context.cookies() if c["name"] == "configurator_session")
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/rep/sign-in"))
        page.goto(f"{live_server}/rep")
        expect(page).to_have_url(re.compile(r"/rep/sign-in"))
    finally:
        context.close()


def test_an_api_error_shows_in_the_page_language(page: Page, live_server: str) -> None:
    """Opening an unknown customer in Portuguese shows the API's error title in Portuguese."""
    page.goto(f"{live_server}/rep?lang=pt")
    page.locator("#customer").fill("nobody-at-all")
    page.locator("#catalog").select_option(CATALOG)
    page.locator("#start button[type=submit]").click()
    expect(page.locator("#error")).to_contain_text("Cliente desconhecido", timeout=TIMEOUT)


def test_the_html_quote_fits_a_phone(page: Page, live_server: str) -> None:
    """The quote as HTML, opened on a 390 px wide phone, never scrolls sideways."""
    _open(page, live_server)
    page.get_by_role("button", name="Quote", exact=True).click()
    link = page.locator("#quote-html")
    expect(link).to_be_visible(timeout=TIMEOUT)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(str(link.get_attribute("href")))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the quote is {width}px wide on a 390px phone"


def test_the_page_offers_the_questions_to_ask_first(page: Page, live_server: str) -> None:
    """Up to 3 questions show above the options; following one puts the focus on an option of its module."""
    _open(page, live_server)
    asked = page.locator("#ask-list a")
    expect(asked.first).to_be_visible(timeout=TIMEOUT)
    assert 1 <= asked.count() <= 3
    module = asked.first.get_attribute("data-module")
    asked.first.click()
    focused = page.evaluate("document.activeElement.closest('fieldset')?.dataset.module")
    assert focused == module
