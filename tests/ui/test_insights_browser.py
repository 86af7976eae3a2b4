"""Real browser (headless Debian Chromium via Playwright): an admin opens the Insights tab and sees the charts;
an agent who is not an admin has no such tab. Never run `playwright install`: the system browser is used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.services import Assistant
from assistant.settings import Settings
from assistant.testing import demo_products, make_services
from evaluation.load.server import serve_in_thread
from ui.api.app import create_app

CHROMIUM = Path(os.environ.get("SHOPASSIST_CHROMIUM", "/usr/bin/chromium"))
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)")


def _login(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/console")
    page.locator("#name").fill(name)
    page.locator("#password").fill("password1")
    page.locator("#login-btn").click()
    page.locator("#who").get_by_text(name).wait_for()


def test_an_admin_sees_the_insights_charts_and_an_agent_does_not_see_the_tab() -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from assistant.conversation.turn import Conversation

    services = make_services(demo_products())
    for u in range(3):
        conv = Conversation.start(services, f"shopper{u}")
        list(conv.turn("running shoes"))
        list(conv.turn("what is the weather"))
        conv.act("click", conv.state.last_shown[0] if conv.state.last_shown else "s1")
    app = create_app(Assistant(services), Settings())
    app.state.desk.auth.create_agent("boss", "password1", is_admin=True)
    app.state.desk.auth.create_agent("alice", "password1")
    with serve_in_thread(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            admin = browser.new_context().new_page()
            admin.set_default_timeout(30_000)
            _login(admin, base, "boss")
            admin.locator("#view-insights").click()
            admin.locator("#insights[data-ready='1']").wait_for()
            for chart in ("ins-days", "ins-scenes", "ins-pos", "ins-latency", "ins-exp"):
                admin.locator(f"#{chart} .main-svg").first.wait_for()  # drawn by Plotly
            assert admin.locator("#ins-days .main-svg .bars, #ins-days .main-svg .trace").count() > 0
            assert "what is the weather" in admin.locator("#ins-unanswered").inner_text()
            admin.locator("#ins-unanswered .ins-open").first.click()  # opens the conversation in the console
            admin.locator("#transcript").get_by_text("what is the weather").first.wait_for()
            agent = browser.new_context().new_page()
            agent.set_default_timeout(30_000)
            _login(agent, base, "alice")
            assert agent.locator("#view-insights").is_hidden()
            status = agent.evaluate("fetch('/console/api/insights').then(r => r.status)")
            assert status == 403
        finally:
            browser.close()
