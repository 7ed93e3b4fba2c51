"""WCAG AA contrast on the rep page, unavailable options and their reasons included (computed in Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from support import DEMO_CUSTOMERS

from .conftest import CHROMIUM

pytest.importorskip("playwright", reason="the browser tests need the dev extra (playwright)")

from playwright.sync_api import Page, expect  # after the skip: the dev extra may be missing

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no {CHROMIUM}: run `make sysdeps` (apt-get install chromium)"
)

TIMEOUT = 15_000
CATALOG = "ebike-urban"

# Every element with its own text: its colour against the first opaque background behind it (WCAG 2.x relative
# luminance). Large text (24 px, or 18.66 px bold) needs 3:1, other text 4.5:1. Hidden and disabled ones are
# left out (WCAG exempts inactive controls).
CONTRAST = """() => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own || node.closest("[hidden], .visually-hidden, script, style, option") || node.disabled) continue;
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const style = getComputedStyle(node);
    if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
    const fg = rgba(style.color).slice(0, 3);
    const bg = background(node);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    if (ratio < need) found.push({ text: node.textContent.trim().slice(0, 40), cls: node.className, ratio: Math.round(ratio * 100) / 100, need });
  }
  return found;
}"""


def _low(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(CONTRAST)
    return found


def test_every_text_meets_aa_contrast_unavailable_options_and_quote_included(
    page: Page, live_server: str
) -> None:
    """Options (chosen, recommended, unavailable), reasons, conflicts, bundles and the quote editor: AA contrast."""
    page.goto(f"{live_server}/rep?lang=en&customer={DEMO_CUSTOMERS[CATALOG]}&catalog={CATALOG}")
    carbon = page.locator("#opt-frame-carbon_diamond")
    expect(carbon).to_be_visible(timeout=TIMEOUT)
    carbon.click()
    belt = page.locator("#opt-drivetrain-nexus_5e_belt")
    expect(belt).to_have_attribute("aria-describedby", "reason-drivetrain-nexus_5e_belt", timeout=TIMEOUT)
    assert _low(page) == []
    belt.click()
    expect(page.locator("#why-drivetrain")).to_be_visible(timeout=TIMEOUT)
    assert _low(page) == []
    page.locator("#why-drivetrain button").first.click()
    expect(page.locator("#why-drivetrain")).to_be_hidden(timeout=TIMEOUT)
    page.locator("#budget").fill("6000")
    page.locator("#budget").press("Tab")
    page.locator("#propose").click()
    expect(page.locator(".quote-bundle").first).to_be_visible(timeout=3 * TIMEOUT)
    page.locator(".quote-bundle").first.click()
    expect(page.locator("#quote-editor")).to_be_visible(timeout=TIMEOUT)
    for details in page.locator("details").all():
        details.evaluate("(node) => { node.open = true; }")
    assert _low(page) == []
