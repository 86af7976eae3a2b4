"""The console's Insights tab: `/console/api/insights` (admins only) and the charting library it draws with.

The chart script is the one the `plotly` package ships (`plotly.min.js`), served from here, so the tab
works on a store's server without internet access.
"""


from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Query
from fastapi.responses import FileResponse

from assistant.desk.queue import AgentDesk
from assistant.insights.report import build_insights, period_of
from assistant.services import Assistant
from assistant.storage.agents import Agent
from ui.api.errors import ApiError
from ui.api.routes import ERRORS


def plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def make_console_insights_router(assistant: Assistant, desk: AgentDesk) -> APIRouter:
    router = APIRouter(tags=["agent console"], responses=ERRORS)
    services = assistant.services

    def admin(sa_agent: Annotated[str | None, Cookie()] = None) -> Agent:
        found = desk.auth.agent_for(sa_agent)
        if found is None:
            raise ApiError(401, "login_required", "Log in to the agent console first.")
        if not found.is_admin:
            raise ApiError(403, "admins_only", "Insights are for the store's admins.")
        return found

    @router.get("/console/plotly.min.js", include_in_schema=False)
    def chart_library() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/console/insights.js", include_in_schema=False)
    def tab_script() -> FileResponse:
        return FileResponse(Path(__file__).parent / "insights.js", media_type="text/javascript")

    @router.get("/console/api/insights")
    def insights(who: Annotated[Agent, Depends(admin)],
                 days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
        return build_insights(services.store.engine, services.config.experiments, period_of(days))

    return router
