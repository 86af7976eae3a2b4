"""One real-browser test: headless Debian Chromium driven by Playwright against the launched app.

Needs `/usr/bin/chromium` (apt-get install chromium chromium-driver); skipped cleanly without it.
Never run `playwright install`: the test uses the system browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SHOPASSIST_CHROMIUM", "/usr/bin/chromium"))

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)")


def test_type_a_query_see_cards_and_answer_add_to_cart_and_see_the_cart_change():
    sync_api = pytest.importorskip("playwright.sync_api")
    from assistant.llm.fake import FakeChatModel
    from assistant.services import Assistant
    from assistant.store_profile import demo_settings
    from assistant.testing import demo_products, make_services
    from ui.gradio_app import build_app, launch

    services = make_services(demo_products(), model=FakeChatModel("These suit your running plans."))
    app = build_app(Assistant(services), store=demo_settings().store)
    launch(app, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                page = browser.new_page()
                page.set_default_timeout(30_000)
                page.goto(app.local_url)
                box = page.locator("#sa-input textarea")
                box.wait_for()
                box.fill("running shoes under 3000")
                box.press("Enter")
                page.locator("#sa-cards .sa-card").first.wait_for()
                assert page.locator("#sa-cards .sa-card").count() >= 2
                answer = page.locator("#sa-chat").get_by_text("suit your running plans", exact=False)
                answer.first.wait_for()
                assert "Here are" in page.locator("#sa-chat").inner_text()
                # the demo catalog's pictures do not load offline: each card shows its placeholder, no broken image
                n = page.locator("#sa-cards .sa-card").count()
                page.wait_for_function(f"document.querySelectorAll('#sa-cards .sa-img-failed').length === {n}")
                placeholder = page.locator("#sa-cards .sa-img-ph").first
                assert placeholder.is_visible() and placeholder.inner_text() == "No image"
                assert not page.locator("#sa-cards .sa-img img").first.is_visible()
                assert "\u20b9" in page.locator("#sa-cards .sa-price-now").first.inner_text()
                first_title = page.locator("#sa-cards .sa-card .sa-title").first.inner_text()
                page.locator("#sa-cards button.sa-add").first.click()
                page.locator("#sa-cart .sa-cart-line").first.wait_for()
                assert first_title[:20] in page.locator("#sa-cart").inner_text()
                assert services.store.carts.items("guest")
            finally:
                browser.close()
    finally:
        app.close()
