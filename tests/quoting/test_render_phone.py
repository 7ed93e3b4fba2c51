"""The HTML quote on a phone: the whole quote fits a 390 px wide screen in every language (Debian Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_render import CUSTOMER, catalog, typical_quote

from configurator.quoting.render import render_quote

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the Debian Chromium (make sysdeps)")


@pytest.mark.parametrize("width", [390, 1366])
def test_html_quote_never_scrolls_sideways(width: int) -> None:
    """At 390 px (a phone) and 1366 px, no quote in any language is wider than the screen."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for locale in ("en_US", "pt_PT", "es_ES", "sv_SE"):
                html = render_quote(
                    typical_quote(locale), catalog(), format="html", customer=CUSTOMER
                ).content
                assert isinstance(html, str)
                page = browser.new_page(viewport={"width": width, "height": 844})
                page.set_content(html)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                total = page.locator("td.total").count()
                page.close()
                assert scroll <= width, (locale, scroll)
                assert total == 2, locale  # the total row is rendered
        finally:
            browser.close()
