"""Agent accounts and console sessions.

Passwords are hashed with scrypt (a salt per password, memory-hard, so a stolen
table is slow to guess); session tokens are random and stored only as SHA-256
digests, so the database alone does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets

from assistant.storage.agents import Agent, AgentRepository
from retrieval.errors import UserError

MIN_PASSWORD_CHARS = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_NAME = re.compile(r"[A-Za-z0-9_.@-]{2,64}")


class AgentError(UserError, ValueError):
    """A refused agent operation; the message is safe to show."""


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AgentAuth:
    """Create accounts, log in and out, and find the agent behind a session token."""

    def __init__(self, agents: AgentRepository) -> None:
        self.agents = agents

    def create_agent(self, name: str, password: str, is_admin: bool = False) -> Agent:
        name = name.strip()
        if not _NAME.fullmatch(name):
            raise AgentError("agent names are 2-64 letters, digits or _ . @ -")
        if len(password) < MIN_PASSWORD_CHARS:
            raise AgentError(f"passwords need at least {MIN_PASSWORD_CHARS} characters")
        agent = self.agents.create(name, hash_password(password), is_admin)
        if agent is None:
            raise AgentError(f"an agent named {name!r} already exists")
        return agent

    def login(self, name: str, password: str, hours: float = 12.0) -> str | None:
        """A new session token, or None for a wrong name or password."""
        found = self.agents.credentials(name.strip())
        if found is None or not verify_password(password, found[1]):
            return None
        token = secrets.token_urlsafe(32)
        self.agents.add_session(token_hash(token), found[0].id, self.agents.clock() + hours * 3600)
        return token

    def logout(self, token: str) -> None:
        self.agents.drop_session(token_hash(token))

    def agent_for(self, token: str | None) -> Agent | None:
        """The agent of a live session; None for no token, an unknown one or an expired one."""
        return self.agents.session_agent(token_hash(token)) if token else None
