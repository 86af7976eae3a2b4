"""Static routes: `/widget.js`, `/widget.css` and the demo host page `/demo`.

`/demo` is a fake store page embedding the widget with this server's first site key (a publishable
key is public by design: it is in every store page's HTML). Without site keys it shows the widget's
refusal, which says how to set them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

HERE = Path(__file__).parent


def make_widget_router(site_key: str = "", store_name: str = "") -> APIRouter:
    router = APIRouter(include_in_schema=False)
    page = ((HERE / "demo.html").read_text(encoding="utf-8")
            .replace("{{SITE_KEY}}", escape(site_key)).replace("{{STORE_NAME}}", escape(store_name or "ShopAssist")))

    @router.get("/widget.js")
    def widget_js() -> FileResponse:
        return FileResponse(HERE / "widget.js", media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    @router.get("/widget.css")
    def widget_css() -> FileResponse:
        return FileResponse(HERE / "widget.css", media_type="text/css")

    @router.get("/demo")
    def demo() -> HTMLResponse:
        return HTMLResponse(page)

    return router
