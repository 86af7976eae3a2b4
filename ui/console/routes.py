"""`/console` (the page) and `/console/api/...` (JSON, agent session cookie required)."""


import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.desk.auth import AgentError
from assistant.desk.queue import AgentDesk
from assistant.desk.views import shopper_view, suggest_reply
from assistant.llm.base import model_status
from assistant.services import Assistant
from assistant.storage.agents import Agent
from assistant.storage.limits import Limit, RateBuckets
from ui.api.errors import ApiError
from ui.api.ratelimit import SharedBuckets
from ui.api.routes import ERRORS

HERE = Path(__file__).parent
COOKIE = "sa_agent"


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


def _plain(value: Any) -> Any:
    """JSON-safe (dataclasses as dicts; profiles may hold numpy values)."""
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


def make_console_router(assistant: Assistant, desk: AgentDesk, session_hours: float = 12.0) -> APIRouter:
    router = APIRouter(tags=["agent console"], responses=ERRORS)
    services = assistant.services
    # password guessing: 10 tries, then one per 5 s per IP, counted by all workers together
    logins = SharedBuckets(RateBuckets(services.store.db), Limit("login", rate_per_s=0.2, burst=10))

    def agent(sa_agent: Annotated[str | None, Cookie()] = None) -> Agent:
        found = desk.auth.agent_for(sa_agent)
        if found is None:
            raise ApiError(401, "login_required", "Log in to the agent console first.")
        return found

    AgentDep = Annotated[Agent, Depends(agent)]

    def run(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except AgentError as exc:
            status = 404 if "no such conversation" in str(exc) else 409
            raise ApiError(status, "refused", str(exc)) from exc

    @router.get("/console", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(HERE / "console.html", media_type="text/html")

    @router.post("/console/api/login")
    def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
        wait = logins.take(request.client.host if request.client else "unknown")
        if wait > 0:
            raise ApiError(429, "rate_limited", "Too many login attempts; wait a little.",
                           headers={"Retry-After": str(int(wait) + 1)})
        token = desk.auth.login(body.name, body.password, session_hours)
        if token is None:
            raise ApiError(401, "bad_login", "Wrong name or password.")
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=int(session_hours * 3600),
                            path="/console")
        found = desk.auth.agent_for(token)
        return {"name": body.name, "is_admin": bool(found and found.is_admin)}

    @router.post("/console/api/logout")
    def logout(response: Response, sa_agent: Annotated[str | None, Cookie()] = None) -> dict[str, bool]:
        if sa_agent:
            desk.auth.logout(sa_agent)
        response.delete_cookie(COOKIE, path="/console")
        return {"ok": True}

    @router.get("/console/api/me")
    def me(who: AgentDep) -> dict[str, Any]:
        return {"name": who.name, "is_admin": who.is_admin}

    @router.get("/console/api/model")
    def model(who: AgentDep) -> dict[str, Any]:
        """The language model's state (ready, loading, restarting, circuit open): agents see why answers
        are templates right now."""
        return model_status(services.model).to_dict()

    @router.get("/console/api/queue")
    def queue(who: AgentDep, which: Annotated[str, Query(pattern="^(handoff|open|mine|resolved)$")] = "handoff"
              ) -> dict[str, Any]:
        items = run(desk.queue, which, who)
        return {"queue": which, "items": _plain([asdict(i) for i in items])}

    @router.get("/console/api/conversations/{conversation_id}")
    def conversation(conversation_id: str, who: AgentDep) -> dict[str, Any]:
        view = run(shopper_view, services, conversation_id)
        owner = desk.owner(conversation_id)
        return dict(_plain(asdict(view) | {"notes": [asdict(n) for n in desk.notes(conversation_id)],
                                           "owner": owner.name if owner else "",
                                           "mine": bool(owner and owner.id == who.id)}))

    @router.post("/console/api/conversations/{conversation_id}/take_over")
    def take_over(conversation_id: str, who: AgentDep) -> dict[str, bool]:
        run(desk.take_over, conversation_id, who)
        return {"ok": True}

    @router.post("/console/api/conversations/{conversation_id}/reply")
    def reply(conversation_id: str, body: TextIn, who: AgentDep) -> dict[str, Any]:
        return {"ok": True, "message_id": run(desk.reply, conversation_id, who, body.text)}

    @router.post("/console/api/conversations/{conversation_id}/notes")
    def note(conversation_id: str, body: TextIn, who: AgentDep) -> dict[str, Any]:
        return {"ok": True, "note_id": run(desk.add_note, conversation_id, who, body.text)}

    @router.post("/console/api/conversations/{conversation_id}/hand_back")
    def hand_back(conversation_id: str, who: AgentDep) -> dict[str, bool]:
        run(desk.hand_back, conversation_id, who)
        return {"ok": True}

    @router.post("/console/api/conversations/{conversation_id}/resolve")
    def resolve(conversation_id: str, who: AgentDep) -> dict[str, bool]:
        run(desk.resolve, conversation_id, who)
        return {"ok": True}

    @router.get("/console/api/conversations/{conversation_id}/suggest")
    def suggest(conversation_id: str, who: AgentDep) -> dict[str, Any]:
        """A draft for the agent to edit; never sent by itself."""
        return dict(_plain(asdict(run(suggest_reply, services, conversation_id))))

    return router
