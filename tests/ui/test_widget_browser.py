"""Real-browser tests (headless Debian Chromium via Playwright) against the API app served by uvicorn:
the widget on the demo store page, and an agent taking over a handoff from the console.

Needs `/usr/bin/chromium`; skipped cleanly without it. Never run `playwright install`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.services import Assistant
from assistant.store_profile import demo_settings
from assistant.testing import demo_products, make_services
from evaluation.load.server import serve_in_thread
from ui.api.app import create_app

CHROMIUM = Path(os.environ.get("SHOPASSIST_CHROMIUM", "/usr/bin/chromium"))
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)")


@contextmanager
def serve(answer: str) -> Iterator[tuple[str, Any]]:
    """The API app on the demo products (whose image URLs do not load offline) with a model saying `answer`."""
    services = make_services(demo_products(), model=FakeChatModel(answer), database_url="sqlite://")
    app = create_app(Assistant(services), demo_settings())
    with serve_in_thread(app) as url:
        yield url, app


@pytest.fixture
def served() -> Iterator[tuple[str, Any]]:
    with serve("These suit your running plans.") as target:
        yield target


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


def test_widget_on_the_demo_page_chats_shows_cards_adds_to_cart_and_remembers(served, browser) -> None:  # type: ignore[no-untyped-def]
    base, app = served
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/demo")
    page.locator("#shopassist-widget .launcher").click()  # Playwright's CSS engine pierces the open shadow root
    page.locator("#shopassist-widget .panel.open").wait_for()
    # the host page's hostile CSS (hotpink buttons) does not reach the widget
    colour = page.locator("#shopassist-widget .send").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(15, 118, 110)"
    page.locator("#shopassist-widget .input").fill("running shoes under 3000")
    page.locator("#shopassist-widget .input").press("Enter")
    page.locator("#shopassist-widget .card").first.wait_for()
    assert page.locator("#shopassist-widget .card").count() >= 2
    page.locator("#shopassist-widget .msg.assistant").get_by_text("running plans", exact=False).first.wait_for()
    page.locator("#shopassist-widget .card button.add").first.click()
    page.get_by_text("Cart: 1").wait_for()  # the host page heard ShopAssist.on("add_to_cart")
    store = app.state.assistant.services.store
    users = {c.user_id for c in store.conversations.recent()}
    assert len(users) == 1 and store.carts.items(users.pop())
    page.reload()  # the conversation survives a page load (localStorage) and the panel reopens
    page.locator("#shopassist-widget .panel.open").wait_for()
    page.locator("#shopassist-widget .msg.user").get_by_text("running shoes under 3000").wait_for()
    page.evaluate("window.ShopAssist.close()")
    assert page.locator("#shopassist-widget .panel.open").count() == 0


def test_agent_takes_over_a_handoff_and_the_shopper_sees_the_reply(served, browser) -> None:  # type: ignore[no-untyped-def]
    base, app = served
    app.state.desk.auth.create_agent("alice", "password1")
    shopper = browser.new_context().new_page()
    shopper.set_default_timeout(20_000)
    shopper.goto(f"{base}/demo")
    shopper.evaluate("window.ShopAssist.open()")
    shopper.locator("#shopassist-widget .input").fill("my parcel arrived damaged, I want a person")
    shopper.locator("#shopassist-widget .input").press("Enter")
    shopper.locator("#shopassist-widget .msg.assistant").get_by_text("ticket #", exact=False).wait_for()

    agent = browser.new_context().new_page()
    agent.set_default_timeout(20_000)
    agent.goto(f"{base}/console")
    agent.locator("#name").fill("alice")
    agent.locator("#password").fill("password1")
    agent.locator("#login-btn").click()
    item = agent.locator(".qitem").first
    item.wait_for()
    assert "parcel arrived damaged" in item.inner_text()
    item.click()
    agent.locator("#take").click()
    agent.locator("#status").get_by_text("Status: agent", exact=False).wait_for()
    agent.locator("#reply").fill("Hi, this is Alice. Sorry about the parcel, I'm arranging a replacement.")
    agent.locator("#send").click()
    shopper.locator("#shopassist-widget .msg.agent").get_by_text("this is Alice", exact=False).wait_for()
    # while Alice owns the chat the bot stays quiet
    bot_messages = shopper.locator("#shopassist-widget .msg.assistant").count()
    shopper.locator("#shopassist-widget .input").fill("thank you!")
    shopper.locator("#shopassist-widget .input").press("Enter")
    agent.locator("#transcript").get_by_text("thank you!").wait_for()
    shopper.wait_for_timeout(500)
    assert shopper.locator("#shopassist-widget .msg.assistant").count() == bot_messages
    assert shopper.locator("#shopassist-widget .msg.agent").count() == 2  # "Alice has joined" + her reply


def test_identify_uses_the_stores_hmac_and_a_forged_hash_is_refused(served, browser) -> None:  # type: ignore[no-untyped-def]
    from ui.api.security import user_hash

    base, app = served
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/demo")
    page.evaluate("([id, h]) => window.ShopAssist.identify(id, h)", ["alice", "0" * 64])
    page.evaluate("window.ShopAssist.open()")
    page.locator("#shopassist-widget .msg.err").first.wait_for()  # forged: refused, nothing created
    store = app.state.assistant.services.store
    assert store.conversations.recent() == []
    page.evaluate("([id, h]) => window.ShopAssist.identify(id, h)", ["alice", user_hash("demo-secret", "alice")])
    page.locator("#shopassist-widget .input").fill("black analog watch")
    page.locator("#shopassist-widget .input").press("Enter")
    page.locator("#shopassist-widget .card").first.wait_for()
    assert {c.user_id for c in store.conversations.recent()} == {"demo:u:alice"}


def test_widget_renders_formatting_safely_and_a_placeholder_for_images_that_do_not_load(browser) -> None:  # type: ignore[no-untyped-def]
    answer = 'These **suit** your <img src=x onerror="window.__pwned=1"> plans for running.'
    with serve(answer) as (base, _):
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/demo")
        page.evaluate("window.ShopAssist.open()")
        page.locator("#shopassist-widget .input").fill("running shoes under 3000")
        page.locator("#shopassist-widget .input").press("Enter")
        page.locator("#shopassist-widget .card").first.wait_for()
        bubble = page.locator("#shopassist-widget .msg.assistant").last
        bubble.get_by_text("plans for running", exact=False).wait_for()
        # the answer's formatting is rendered: "**1.**" is bold, "**suit**" is bold, nothing raw
        assert bubble.locator("strong").all_inner_texts()[:2] == ["1.", "suit"]
        assert "**" not in bubble.inner_text() and bubble.locator("p").count() >= 2  # paragraphs, not raw newlines
        # markup from the model is shown as text, never run
        assert '<img src=x onerror="window.__pwned=1">' in bubble.inner_text()
        assert page.locator("#shopassist-widget .msg img").count() == 0
        assert page.evaluate("window.__pwned") is None
        # cards show prices in the store's format and a neat placeholder for images that do not load offline
        card = page.locator("#shopassist-widget .card").first
        assert "\u20b9" in card.locator(".p").inner_text()
        page.locator("#shopassist-widget .card .img .ph").first.wait_for()
        page.wait_for_function("""() => {
            const root = document.querySelector('#shopassist-widget').shadowRoot;
            return [...root.querySelectorAll('.card img')].every((i) => i.complete && i.naturalWidth > 0);
        }""")  # every <img> left is a loaded one: broken ones were replaced
        assert card.locator(".ph").inner_text().strip() == "No image"
        # lists: the checkout summary's "- " lines become a list
        page.locator("#shopassist-widget .card button.add").first.click()
        page.get_by_text("Cart: 1").wait_for()
        page.locator("#shopassist-widget .input").fill("show my cart")
        page.locator("#shopassist-widget .input").press("Enter")
        summary = page.locator("#shopassist-widget .msg.assistant").last
        summary.locator("ul li").first.wait_for()
        assert "\u00d7" in summary.locator("ul li").first.inner_text() and "Subtotal" in summary.inner_text()
