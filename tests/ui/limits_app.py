"""`uvicorn tests.ui.limits_app:create --factory --workers N`: the API over the test fakes (hashing embedder,
keyword scenes, fake model) on the database in SHOPASSIST_DATABASE_URL, each response naming its worker
(`X-Worker`: the process id). For the test that several workers share one set of rate limits."""

from __future__ import annotations

import os
from typing import Any


def create() -> Any:
    from assistant.services import Assistant
    from assistant.settings import load_settings
    from assistant.testing import demo_products, make_services
    from ui.api.app import create_app

    cfg = load_settings()
    app = create_app(Assistant(make_services(demo_products(), database_url=cfg.resolved_database_url())), cfg)

    @app.middleware("http")
    async def name_the_worker(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["X-Worker"] = str(os.getpid())
        return response

    return app
