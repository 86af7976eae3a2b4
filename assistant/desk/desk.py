"""Customer-service agents: accounts, sessions, and the human side of a handoff.

Conversation status (in `as_conversations.status`) drives who answers:
`pending` (the bot answers), `open` (a handoff is queued; the bot still answers
until a person takes over), `agent` (a person owns it: the bot stays silent),
`resolved`. Agent replies are stored as messages with role `agent` (the shopper
sees them); private notes live in `ag_notes` and are never put in a message, so
neither the shopper nor the model can read them. Passwords are hashed with
scrypt; session tokens are stored only as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Engine, Float, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assistant.storage.profiles import create_tables
from assistant.storage.store import ConversationRow, HandoffRow, StateStore

QUEUES = ("handoff", "open", "mine", "resolved")
MAX_REPLY_CHARS = 4000
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AgentError(ValueError):
    """A refused agent operation; the message is safe to show."""


class AgentBase(DeclarativeBase):
    pass


class AgentRow(AgentBase):
    __tablename__ = "ag_agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)


class SessionRow(AgentBase):
    __tablename__ = "ag_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, index=True)
    expires_at: Mapped[float] = mapped_column(Float)


class AssignmentRow(AgentBase):
    __tablename__ = "ag_assignments"

    conversation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(Integer, index=True)
    taken_at: Mapped[float] = mapped_column(Float)


class NoteRow(AgentBase):
    __tablename__ = "ag_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    agent_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    is_admin: bool


@dataclass(frozen=True)
class QueueItem:
    conversation_id: str
    user_id: str
    status: str
    reason: str
    owner: str
    updated_at: float
    last_message: str


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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AgentDesk:
    """Accounts, sessions, queue and take-over/reply/notes/hand-back/resolve over the state store."""

    def __init__(self, store: StateStore, clock: Any = time.time) -> None:
        self.store = store
        self.engine: Engine = store.engine
        self.clock = clock
        create_tables(self.engine, AgentBase.metadata)  # safe when workers start on a new file together

    # ------------------------------------------------------------ accounts and sessions

    def create_agent(self, name: str, password: str, is_admin: bool = False) -> Agent:
        name = name.strip()
        if not re.fullmatch(r"[A-Za-z0-9_.@-]{2,64}", name):
            raise AgentError("agent names are 2-64 letters, digits or _ . @ -")
        if len(password) < 8:
            raise AgentError("passwords need at least 8 characters")
        with Session(self.engine) as s, s.begin():
            if s.scalars(select(AgentRow).where(AgentRow.name == name)).first() is not None:
                raise AgentError(f"an agent named {name!r} already exists")
            row = AgentRow(name=name, password_hash=hash_password(password), is_admin=is_admin,
                           created_at=self.clock())
            s.add(row)
            s.flush()
            return Agent(row.id, row.name, row.is_admin)

    def login(self, name: str, password: str, hours: float = 12.0) -> str | None:
        """A new session token, or None for a wrong name or password."""
        with Session(self.engine) as s, s.begin():
            row = s.scalars(select(AgentRow).where(AgentRow.name == name.strip())).first()
            if row is None or not verify_password(password, row.password_hash):
                return None
            token = secrets.token_urlsafe(32)
            s.add(SessionRow(token_hash=_token_hash(token), agent_id=row.id, expires_at=self.clock() + hours * 3600))
            return token

    def logout(self, token: str) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(SessionRow, _token_hash(token))
            if row is not None:
                s.delete(row)

    def agent_for(self, token: str | None) -> Agent | None:
        if not token:
            return None
        with Session(self.engine) as s:
            sess = s.get(SessionRow, _token_hash(token))
            if sess is None or sess.expires_at < self.clock():
                return None
            row = s.get(AgentRow, sess.agent_id)
            return Agent(row.id, row.name, row.is_admin) if row else None

    def _name(self, s: Session, agent_id: int) -> str:
        row = s.get(AgentRow, agent_id)
        return row.name if row else ""

    # ------------------------------------------------------------ queue

    def queue(self, which: str, agent: Agent, limit: int = 100) -> list[QueueItem]:
        if which not in QUEUES:
            raise AgentError(f"unknown queue {which!r}: use one of {', '.join(QUEUES)}")
        with Session(self.engine) as s:
            reasons = {r.conversation_id: r.reason for r in s.scalars(
                select(HandoffRow).where(HandoffRow.status.in_(("queued", "assigned"))).order_by(HandoffRow.id))}
            owners = {a.conversation_id: a.agent_id for a in s.scalars(select(AssignmentRow))}
            q = select(ConversationRow).order_by(ConversationRow.updated_at.desc()).limit(limit)
            if which == "handoff":
                q = q.where(ConversationRow.status == "open")
            elif which == "open":
                q = q.where(ConversationRow.status.in_(("pending", "open", "agent")))
            elif which == "mine":
                mine = [c for c, a in owners.items() if a == agent.id]
                q = q.where(ConversationRow.status == "agent", ConversationRow.id.in_(mine))
            else:
                q = q.where(ConversationRow.status == "resolved")
            rows = list(s.scalars(q))
            names = {aid: self._name(s, aid) for aid in set(owners.values())}
            items = []
            for r in rows:
                last = self.store.messages(r.id, limit=1)
                items.append(QueueItem(r.id, r.user_id, r.status, reasons.get(r.id, ""),
                                       names.get(owners.get(r.id, -1), ""), r.updated_at,
                                       last[0].content[:200] if last else ""))
            return items

    # ------------------------------------------------------------ the human side of a conversation

    def _set_status(self, conversation_id: str, status: str, handoff_status: str | None) -> None:
        with Session(self.engine) as s, s.begin():
            conv = s.get(ConversationRow, conversation_id)
            if conv is None:
                raise AgentError("no such conversation")
            conv.status = status
            conv.updated_at = self.clock()
            if handoff_status is not None:
                for h in s.scalars(select(HandoffRow).where(HandoffRow.conversation_id == conversation_id,
                                                            HandoffRow.status != "closed")):
                    h.status = handoff_status

    def owner(self, conversation_id: str) -> Agent | None:
        with Session(self.engine) as s:
            a = s.get(AssignmentRow, conversation_id)
            row = s.get(AgentRow, a.agent_id) if a else None
            return Agent(row.id, row.name, row.is_admin) if row else None

    def take_over(self, conversation_id: str, agent: Agent) -> None:
        """The agent owns the conversation; the bot stops answering until hand-back."""
        current = self.owner(conversation_id)
        if current is not None and current.id != agent.id and not agent.is_admin:
            raise AgentError(f"{current.name} already owns this conversation")
        self._set_status(conversation_id, "agent", "assigned")
        with Session(self.engine) as s, s.begin():
            row = s.get(AssignmentRow, conversation_id)
            if row is None:
                s.add(AssignmentRow(conversation_id=conversation_id, agent_id=agent.id, taken_at=self.clock()))
            else:
                row.agent_id = agent.id
        self.store.log_event(conversation_id, "agent", {"action": "take_over", "agent": agent.name})
        self.store.add_message(conversation_id, "agent", f"{agent.name} from our team has joined the chat.",
                               scene="agent", payload={"agent": agent.name, "system": True})

    def _require_owner(self, conversation_id: str, agent: Agent) -> None:
        current = self.owner(conversation_id)
        if current is None or (current.id != agent.id and not agent.is_admin):
            raise AgentError("take over the conversation first")

    def reply(self, conversation_id: str, agent: Agent, text: str) -> int:
        text = text.strip()
        if not text:
            raise AgentError("the reply is empty")
        if len(text) > MAX_REPLY_CHARS:
            raise AgentError(f"keep replies under {MAX_REPLY_CHARS} characters")
        self._require_owner(conversation_id, agent)
        return self.store.add_message(conversation_id, "agent", text, scene="agent", payload={"agent": agent.name})

    def hand_back(self, conversation_id: str, agent: Agent) -> None:
        self._require_owner(conversation_id, agent)
        self._release(conversation_id)
        self._set_status(conversation_id, "pending", "closed")
        self.store.log_event(conversation_id, "agent", {"action": "hand_back", "agent": agent.name})
        self.store.add_message(conversation_id, "agent", "You're back with the shopping assistant.",
                               scene="agent", payload={"agent": agent.name, "system": True})

    def resolve(self, conversation_id: str, agent: Agent) -> None:
        if self.store.get_conversation(conversation_id) is None:
            raise AgentError("no such conversation")
        self._release(conversation_id)
        self._set_status(conversation_id, "resolved", "closed")
        self.store.log_event(conversation_id, "agent", {"action": "resolve", "agent": agent.name})

    def _release(self, conversation_id: str) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(AssignmentRow, conversation_id)
            if row is not None:
                s.delete(row)

    # ------------------------------------------------------------ private notes

    def add_note(self, conversation_id: str, agent: Agent, text: str) -> int:
        text = text.strip()
        if not text:
            raise AgentError("the note is empty")
        if self.store.get_conversation(conversation_id) is None:
            raise AgentError("no such conversation")
        with Session(self.engine) as s, s.begin():
            row = NoteRow(conversation_id=conversation_id, agent_id=agent.id, text=text[:MAX_REPLY_CHARS],
                          created_at=self.clock())
            s.add(row)
            s.flush()
            return int(row.id)

    def notes(self, conversation_id: str) -> list[dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(NoteRow).where(NoteRow.conversation_id == conversation_id)
                             .order_by(NoteRow.id)).all()
            return [{"id": r.id, "agent": self._name(s, r.agent_id), "text": r.text, "created_at": r.created_at}
                    for r in rows]


# ------------------------------------------------------------ automatic handoff triggers

_NEGATIVE = re.compile(
    r"\b(useless|terrible|awful|worst|angry|furious|ridiculous|scam|disgusting|complain(t)?|not helpful|"
    r"doesn'?t help|stupid|hate)\b|垃圾|投诉|太差|生气", re.I)


def auto_handoff_reason(scene: str, text: str, recent_failures: int, handoff_scenes: tuple[str, ...] = ()) -> str:
    """Why this turn should go to a person without being asked ("" when it should not).

    Triggers: a scene the store routes to people (e.g. complaints), negative sentiment,
    or repeated failures (errors / out-of-scope answers) in a row.
    """
    if scene in handoff_scenes:
        return f"scene '{scene}' is routed to a person by the store"
    if _NEGATIVE.search(text):
        return f"negative sentiment: {text[:200]}"
    if recent_failures >= 2:
        return f"the assistant failed {recent_failures} times in a row"
    return ""


# ------------------------------------------------------------ what the console shows and drafts

_DRAFT_SCENES = ("search", "recommend", "product_qa", "compare", "promotion", "chitchat")


def suggest_reply(services: Any, conversation_id: str) -> dict[str, Any]:
    """A grounded draft for the agent: the assistant's answer to the shopper's last message, computed on a copy
    of the dialogue state so nothing is stored or sent. Only read-only scenes are drafted (never cart changes,
    order actions or handoffs)."""
    import copy

    from assistant.conversation.events import ProductsEvent, TextDeltaEvent
    from assistant.conversation.skills import SKILLS, TurnContext
    from scene.state import DialogueState

    stored = services.store.get_conversation(conversation_id)
    if stored is None:
        raise AgentError("no such conversation")
    last = next((m for m in reversed(services.store.messages(conversation_id)) if m.role == "user"), None)
    if last is None:
        return {"text": "Hi! How can I help you today?", "products": [], "scene": ""}
    try:
        state = DialogueState.model_validate(stored.state.get("dialogue") or {})
    except ValueError:
        state = DialogueState()
    result = services.detector.detect(last.content, state)
    scene = str(result.scene)
    if scene not in _DRAFT_SCENES or scene not in SKILLS:
        return {"text": "", "products": [], "scene": scene,
                "note": f"no draft for the '{scene}' scene: answer it yourself"}
    memory = copy.deepcopy(dict(stored.state.get("memory") or {}))
    ctx = TurnContext(message=last.content, result=result, state=state, memory=memory, user_id=stored.user_id,
                      conversation_id=conversation_id, language=stored.language)
    parts: list[str] = []
    cards: list[dict[str, Any]] = []
    for event in SKILLS[scene](ctx, services):
        if isinstance(event, TextDeltaEvent):
            parts.append(event.text)
        elif isinstance(event, ProductsEvent):
            cards = [event.to_dict()["cards"]][0]
    return {"text": "".join(parts).strip(), "products": cards, "scene": scene}


def shopper_view(services: Any, conversation_id: str) -> dict[str, Any]:
    """Everything the console shows about one conversation except notes: transcript, profile, recent events,
    products shown and the bot's scene decisions."""
    stored = services.store.get_conversation(conversation_id)
    if stored is None:
        raise AgentError("no such conversation")
    messages = [{"id": m.id, "role": m.role, "content": m.content, "scene": m.scene, "payload": m.payload,
                 "complete": m.complete, "created_at": m.created_at}
                for m in services.store.messages(conversation_id)]
    log = services.store.events(conversation_id)
    decisions = [p for t, p in log if t == "turn"][-50:]
    shown: list[str] = []
    for p in decisions:
        for pid in p.get("shown", []):
            if pid not in shown:
                shown.append(pid)
    products = []
    for pid in shown[-20:]:
        product = services.product(pid)
        if product is not None:
            products.append({"id": product.id, "title": product.title, "price": product.price,
                             "currency": product.currency, "in_stock": product.in_stock})
    profile: dict[str, Any] = {}
    recent: list[dict[str, Any]] = []
    if services.profiles is not None:
        try:
            prof = services.profiles.get(stored.user_id)
            raw = _as_dict(prof)
            profile = {k: v for k, v in raw.items() if not hasattr(v, "shape")}
            for e in services.profiles.events(stored.user_id, limit=20):
                d = _as_dict(e)
                recent.append({k: v for k, v in d.items() if isinstance(v, str | int | float | bool | None)})
        except Exception as exc:  # a profile problem must not hide the transcript
            profile = {"error": f"profile unavailable: {type(exc).__name__}"}
    return {"id": stored.id, "user_id": stored.user_id, "status": stored.status, "language": stored.language,
            "messages": messages, "profile": profile, "recent_events": recent, "products_shown": products,
            "scene_decisions": decisions,
            "actions": [p for t, p in log if t in ("action", "agent")][-50:]}


def _as_dict(obj: Any) -> dict[str, Any]:
    import dataclasses

    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return {"value": str(obj)}
