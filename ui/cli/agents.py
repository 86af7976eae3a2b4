"""`shopassist agents create`: accounts of the agent console."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.settings import load_settings


def create_cmd(
    name: Annotated[str, typer.Option(help="login name")],
    password: Annotated[str, typer.Option(help="at least 8 characters", prompt=True, hide_input=True,
                                          confirmation_prompt=True)],
    admin: Annotated[bool, typer.Option("--admin", help="may take over any agent's conversations")] = False,
) -> None:
    """Create an agent (or admin) account for the console at /console; the password is stored scrypt-hashed."""
    from assistant.desk.auth import AgentAuth
    from assistant.storage.store import StateStore

    cfg = load_settings()
    cfg.ensure_data_dir()
    store = StateStore.from_url(cfg.resolved_database_url())
    agent = AgentAuth(store.agents).create_agent(name, password, admin)
    typer.echo(f"created {'admin' if agent.is_admin else 'agent'} {agent.name!r}")
