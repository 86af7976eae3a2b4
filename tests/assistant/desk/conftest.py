from __future__ import annotations

import pytest

from assistant.conversation.skills import Services
from assistant.desk.queue import AgentDesk
from assistant.llm.fake import FakeChatModel
from assistant.testing import demo_products, make_services


@pytest.fixture
def services(database_url: str) -> Services:
    """The desk over each storage backend (in-memory SQLite, PostgreSQL)."""
    return make_services(demo_products(), model=FakeChatModel("Great for running."), database_url=database_url)


@pytest.fixture
def desk(services: Services) -> AgentDesk:
    return AgentDesk(services.store)
