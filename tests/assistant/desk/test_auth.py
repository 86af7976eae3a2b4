"""Agent accounts and console sessions: scrypt hashes, tokens stored only as digests, expiry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.desk.auth import AgentError, hash_password, token_hash, verify_password
from assistant.desk.queue import AgentDesk
from assistant.storage.schema import AgentRow, SessionRow


def test_passwords_are_salted_scrypt_hashes() -> None:
    h = hash_password("correct horse")
    assert h.startswith("scrypt$") and "correct" not in h and h != hash_password("correct horse")
    assert verify_password("correct horse", h) and not verify_password("wrong horse", h)
    assert not verify_password("x", "garbage")
    assert not verify_password("x", "md5$00$00")


def test_accounts_and_sessions(desk: AgentDesk) -> None:
    auth = desk.auth
    auth.create_agent("alice", "password1", is_admin=True)
    with pytest.raises(AgentError, match="already exists"):
        auth.create_agent("alice", "password2")
    with pytest.raises(AgentError, match="8 characters"):
        auth.create_agent("bob", "short")
    with pytest.raises(AgentError, match="agent names"):
        auth.create_agent("a b", "password1")
    assert auth.login("alice", "nope") is None and auth.login("nobody", "password1") is None
    token = auth.login(" alice ", "password1")
    assert token and auth.agent_for(token) == auth.agent_for(token)
    who = auth.agent_for(token)
    assert who is not None and who.name == "alice" and who.is_admin
    auth.logout(token)
    assert auth.agent_for(token) is None and auth.agent_for(None) is None and auth.agent_for("") is None


def test_the_database_holds_neither_passwords_nor_tokens(desk: AgentDesk) -> None:
    desk.auth.create_agent("alice", "password1")
    token = desk.auth.login("alice", "password1")
    assert token
    with desk.store.engine.connect() as conn:
        stored_hash = conn.execute(select(AgentRow.password_hash)).scalar_one()
        token_hashes = list(conn.execute(select(SessionRow.token_hash)).scalars())
    assert "password1" not in stored_hash and token_hashes == [token_hash(token)]


def test_sessions_expire(desk: AgentDesk) -> None:
    now = [1_000.0]
    desk.store.agents.clock = lambda: now[0]
    desk.auth.create_agent("alice", "password1")
    token = desk.auth.login("alice", "password1", hours=1)
    assert token and desk.auth.agent_for(token) is not None
    now[0] += 3601
    assert desk.auth.agent_for(token) is None
