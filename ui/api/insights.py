"""`GET /v1/insights`: the owner's numbers for the store's own tools (server-to-server, the site's secret key).

No `from __future__ import annotations`: FastAPI must resolve the local `Annotated` dependency aliases.
"""


from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from assistant.insights.report import build_insights, period_of
from assistant.services import Assistant
from assistant.settings import SiteSettings
from ui.api.routes import ERRORS
from ui.api.security import Guard

DaysQuery = Annotated[int, Query(ge=1, le=366, description="the period: this many days up to now")]


def make_insights_router(assistant: Assistant, guard: Guard) -> APIRouter:
    router = APIRouter(tags=["insights"])
    SiteDep = Annotated[SiteSettings, Depends(guard.store_server)]
    services = assistant.services

    @router.get("/v1/insights", responses=ERRORS)
    def insights(site: SiteDep, days: DaysQuery = 30) -> dict[str, Any]:
        """Conversations and turns per day, scenes, languages; unanswered questions with their conversations;
        handoffs; the shown -> clicked -> carted funnel by position, scene and variant; model health; the
        experiments with 95 % intervals; the ranker's retrain decisions."""
        return build_insights(services.store.engine, services.config.experiments, period_of(days))

    return router
