"""`create_app()`: the FastAPI app serving the widget API, widget.js, the demo store page and the agent console.

    uvicorn ui.api.app:create_app --factory --workers 4    # the API alone; state in the database
    shopassist serve                                         # the same app with the Gradio chat under /chat
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

from assistant.services import Assistant
from assistant.settings import Settings, load_settings

log = logging.getLogger(__name__)


def create_app(assistant: Assistant | None = None, settings: Settings | None = None) -> FastAPI:
    """The API app. Without `assistant` the configured one is built now (models load before serving)."""
    from assistant.desk.queue import AgentDesk
    from assistant.privacy import install_log_masking
    from ui.api import errors
    from ui.api.insights import make_insights_router
    from ui.api.middleware import CorsAndLimits
    from ui.api.routes import make_router
    from ui.api.security import Guard
    from ui.console.insights import make_console_insights_router
    from ui.console.routes import make_console_router
    from ui.mcp.http import mount_agent_endpoints
    from ui.widget.routes import make_widget_router

    install_log_masking()  # also when served as `uvicorn ui.api.app:create_app --factory`
    cfg = settings or load_settings()
    if assistant is None:
        assistant = Assistant.from_settings(cfg)
    app = FastAPI(title="ShopAssist API", version="1", description="Conversational shopping assistant: widget API, "
                  "server-to-server API and agent console.", docs_url="/docs", openapi_url="/openapi.json")
    errors.install(app)
    guard = Guard(cfg.api, assistant.services.store.db)  # limits shared by every worker on the database
    desk = AgentDesk(assistant.services.store)
    app.state.assistant = assistant
    app.state.desk = desk
    app.state.guard = guard
    app.include_router(make_router(assistant, guard))
    app.include_router(make_console_router(assistant, desk, cfg.api.agent_session_hours))
    app.include_router(make_insights_router(assistant, guard))  # the owner's view: /v1/insights and the
    app.include_router(make_console_insights_router(assistant, desk))  # console's Insights tab
    app.include_router(make_widget_router(next(iter(cfg.api.sites), ""), assistant.services.config.store_name))
    mount_agent_endpoints(app, assistant, cfg, guard)  # /mcp, /llms.txt, /feeds/google-merchant.xml
    if not cfg.api.sites:
        from assistant.store_profile import NO_SITE_KEYS

        log.warning(NO_SITE_KEYS)
    app.add_middleware(CorsAndLimits, cfg=cfg.api)
    if cfg.simulation:  # `shopassist simulate` and tests only: requests may say what time it is
        from ui.api.simtime import SimulatedTime

        app.add_middleware(SimulatedTime)
    return app


def mount_chat(app: FastAPI, blocks: Any, path: str = "/chat") -> FastAPI:
    """Serve the Gradio chat UI from the same process under `path`."""
    import gradio as gr

    return gr.mount_gradio_app(app, blocks, path=path)
