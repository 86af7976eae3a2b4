"""`serve(host, port)`: the assistant's web app on the configured catalog (the demo store by default).

`shopassist run` and `shopassist serve` call this. Models load once, before the
port opens, with progress on stderr; a known startup failure prints one line.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)


def build(settings: Any = None, **kwargs: Any) -> Any:
    """The Gradio app for `settings` (loaded from the environment when None)."""
    from assistant.app_factory import Assistant
    from assistant.settings import load_settings
    from ui.gradio_app import build_app

    cfg = settings or load_settings()

    def progress(text: str) -> None:
        print(f"· {text}", file=sys.stderr, flush=True)

    assistant = Assistant.from_settings(cfg, progress=progress, **kwargs)
    return build_app(assistant), cfg


def serve(host: str | None = None, port: int | None = None, *, llm_backend: str | None = None,
          block: bool = True) -> Any:
    """Build and launch the chat UI; blocks until interrupted unless `block=False`."""
    from assistant.app_factory import AppBuildError
    from assistant.settings import load_settings
    from ui.gradio_app import launch

    cfg = load_settings()
    if llm_backend:
        cfg.llm.backend = llm_backend
    try:
        app, cfg = build(cfg)
    except AppBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    print(f"· open http://{host or cfg.host}:{port or cfg.port}", file=sys.stderr, flush=True)
    return launch(app, host or cfg.host, port or cfg.port, prevent_thread_lock=not block)
