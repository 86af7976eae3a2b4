"""`serve(host, port)`: the assistant's web app for the configured store profile.

`shopassist serve` serves the configured profile (SHOPASSIST_CONFIG or ./shopassist.toml);
`shopassist run` and scripts/run.sh serve it too, or the demo store's profile when none is
configured (`demo_if_unconfigured`). One process serves the chat UI (/chat), the
widget API (/v1), /widget.js, the demo store page (/demo) and the agent console (/console). Models load once, before the
port opens, with progress on stderr; a known startup failure raises `AppBuildError` (a `UserError`),
which the CLI prints as one line.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)


def tune_for_serving() -> None:
    """Process settings for serving many shoppers at once; call after the models are built.

    One torch thread per forward pass: concurrent turns already use the cores, and with one thread set
    process-wide, query embeddings skip retrieval.embedding's global thread-switch lock and run in
    parallel (measured with `shopassist bench load`). Index builds at startup, before this call, keep
    every core."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def build(settings: Any = None, **kwargs: Any) -> Any:
    """The Gradio app for `settings` (loaded from the environment when None)."""
    from assistant.services import Assistant
    from assistant.settings import load_settings
    from ui.gradio_app import build_app

    cfg = settings or load_settings()

    def progress(text: str) -> None:
        print(f"· {text}", file=sys.stderr, flush=True)

    assistant = Assistant.from_settings(cfg, progress=progress, **kwargs)
    return build_app(assistant, store=cfg.store), cfg


def combined_app(assistant: Any, settings: Any) -> Any:
    """One ASGI app: the widget API, /widget.js, /demo, /console, and the Gradio chat under /chat."""
    from fastapi.responses import RedirectResponse

    from ui.api.app import create_app
    from ui.gradio_app import CSS_PATH, build_app

    app = create_app(assistant, settings)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/chat/")

    import gradio as gr

    return gr.mount_gradio_app(app, build_app(assistant, store=settings.store), path="/chat",
                               css=CSS_PATH.read_text(encoding="utf-8"), show_error=False)


def serve(host: str | None = None, port: int | None = None, *, llm_backend: str | None = None,
          block: bool = True, demo_if_unconfigured: bool = False) -> Any:
    """Build the assistant and serve the chat UI (/chat), the API (/v1), the widget (/widget.js, /demo) and the
    agent console (/console) from one process; blocks until interrupted unless `block=False`."""
    import threading

    import uvicorn

    from assistant.services import Assistant
    from assistant.settings import load_settings
    from assistant.store_profile import NO_SITE_KEYS, use_demo_unless_configured

    if demo_if_unconfigured and use_demo_unless_configured():
        print("· no store profile configured (shopassist.toml): running the demo store; `shopassist init` "
              "sets up yours", file=sys.stderr, flush=True)
    cfg = load_settings()
    print(f"· store: {cfg.store_name} ({cfg.store_currency}, {cfg.store.locale}); profile: "
          f"{cfg.config_file or 'none (environment and defaults)'}", file=sys.stderr, flush=True)
    if not cfg.api.sites:
        print(f"· {NO_SITE_KEYS}", file=sys.stderr, flush=True)
    if llm_backend:
        cfg.llm.backend = llm_backend

    def progress(text: str) -> None:
        print(f"· {text}", file=sys.stderr, flush=True)

    assistant = Assistant.from_settings(cfg, progress=progress)  # AppBuildError: a UserError the CLI prints
    h, p = host or cfg.host, port or cfg.port
    tune_for_serving()
    app = combined_app(assistant, cfg)
    print(f"· open http://{h}:{p}/chat/ (widget demo /demo, agent console /console, API docs /docs)",
          file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, host=h, port=p, log_level=cfg.log_level.lower()))
    if block:
        server.run()
        return server
    threading.Thread(target=server.run, daemon=True).start()
    return server
