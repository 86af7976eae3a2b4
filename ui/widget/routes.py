"""Static routes: `/widget.js`, `/widget.css` and the demo host page `/demo`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

HERE = Path(__file__).parent


def make_widget_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/widget.js")
    def widget_js() -> FileResponse:
        return FileResponse(HERE / "widget.js", media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    @router.get("/widget.css")
    def widget_css() -> FileResponse:
        return FileResponse(HERE / "widget.css", media_type="text/css")

    @router.get("/demo")
    def demo() -> FileResponse:
        return FileResponse(HERE / "demo.html", media_type="text/html")

    return router
