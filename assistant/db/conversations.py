"""Conversations kept per user: list, read, rename, delete, search by text, and the turns the
chat stream appends (a question at once, its answer when it is final or stopped).

Plain SQL through SQLAlchemy (no SQLite-only features), so the same schema serves PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from assistant.db.models import ChatMessage, Conversation, utcnow
from assistant.db.session import Database
from assistant.errors import NotFound, ValidationProblem

TITLE_CHARS = 80
SEARCH_LIMIT = 50
HISTORY_TURNS = 5  # earlier questions a follow-up is understood with (as the in-memory history)


@dataclass
class ConversationInfo:
    id: str
    title: str
    created: datetime
    updated: datetime
    snippet: str = ""


@dataclass
class MessageInfo:
    position: int
    role: str
    text: str
    status: str
    answer_id: str | None
    data: dict[str, Any] = field(default_factory=dict)


def title_of(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _owned(s: Session, user_id: int, conversation_id: str) -> Conversation:
    conv = s.get(Conversation, conversation_id)
    if conv is None or conv.user_id != user_id:  # someone else's looks the same as none
        raise NotFound(f"Unknown conversation: {conversation_id}")
    return conv


def _info(conv: Conversation, snippet: str = "") -> ConversationInfo:
    return ConversationInfo(conv.id, conv.title, conv.created, conv.updated, snippet)


def list_conversations(
    db: Database, user_id: int, query: str = "", limit: int = 100
) -> list[ConversationInfo]:
    """Newest first; with `query`, those whose title or any message contains it (any case)."""
    with db.session() as s:
        stmt = select(Conversation).where(Conversation.user_id == user_id)
        needle = query.strip().lower()
        if needle:
            # SQLite's lower() folds ASCII only: match the text as typed, lower and capitalised too
            variants = {query.strip(), needle, needle.capitalize()}
            patterns = [f"%{_escape_like(v)}%" for v in variants]
            in_text = [func.lower(ChatMessage.text).like(p, escape="\\") for p in patterns]
            in_title = [func.lower(Conversation.title).like(p, escape="\\") for p in patterns]
            hits = select(ChatMessage.conversation_id).where(or_(*in_text))
            stmt = stmt.where(or_(*in_title, Conversation.id.in_(hits)))
            limit = min(limit, SEARCH_LIMIT)
        convs = list(s.scalars(stmt.order_by(Conversation.updated.desc()).limit(limit)))
        if not needle:
            return [_info(c) for c in convs]
        return [_info(c, _snippet(s, c.id, needle)) for c in convs]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snippet(s: Session, conversation_id: str, needle: str) -> str:
    """The words around the first match (Python side: `lower()` of SQLite is ASCII-only)."""
    texts = s.scalars(
        select(ChatMessage.text)
        .where(ChatMessage.conversation_id == conversation_id)
        .order_by(ChatMessage.position)
    )
    for text in texts:
        i = text.lower().find(needle)
        if i != -1:
            start = max(0, i - 40)
            return ("…" if start else "") + " ".join(text[start : i + len(needle) + 60].split()) + "…"
    return ""


def get_conversation(
    db: Database, user_id: int, conversation_id: str
) -> tuple[ConversationInfo, list[MessageInfo]]:
    with db.session() as s:
        conv = _owned(s, user_id, conversation_id)
        rows = s.scalars(
            select(ChatMessage).where(ChatMessage.conversation_id == conv.id).order_by(ChatMessage.position)
        )
        return _info(conv), [
            MessageInfo(m.position, m.role, m.text, m.status, m.answer_id, m.data or {}) for m in rows
        ]


def rename(db: Database, user_id: int, conversation_id: str, title: str) -> ConversationInfo:
    title = " ".join(title.split())
    if not title:
        raise ValidationProblem("cannot rename the conversation", ["title: must not be empty"])
    with db.session() as s:
        conv = _owned(s, user_id, conversation_id)
        conv.title = title[:200]
        return _info(conv)


def delete_conversation(db: Database, user_id: int, conversation_id: str) -> None:
    with db.session() as s:
        conv = _owned(s, user_id, conversation_id)
        # explicit: SQLite enforces ON DELETE CASCADE only with its foreign_keys pragma
        s.execute(delete(ChatMessage).where(ChatMessage.conversation_id == conv.id))
        s.delete(conv)


def start_turn(
    db: Database, user_id: int, conversation_id: str, question: str, replace_from: int | None = None
) -> tuple[int, list[str]]:
    """Record a question (a new conversation gets it as title). With `replace_from`, the
    messages from that position on are dropped first (edit and resend, regenerate).
    Returns the question's position and the earlier questions, oldest first."""
    with db.session() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            conv = Conversation(id=conversation_id, user_id=user_id, title=title_of(question))
            s.add(conv)
            s.flush()
        elif conv.user_id != user_id:
            raise NotFound(f"Unknown conversation: {conversation_id}")
        if replace_from is not None:
            s.execute(
                delete(ChatMessage).where(
                    ChatMessage.conversation_id == conv.id, ChatMessage.position >= replace_from
                )
            )
        last = s.scalar(select(func.max(ChatMessage.position)).where(ChatMessage.conversation_id == conv.id))
        position = 0 if last is None else last + 1
        earlier = list(
            s.scalars(
                select(ChatMessage.text)
                .where(ChatMessage.conversation_id == conv.id, ChatMessage.role == "user")
                .order_by(ChatMessage.position)
            )
        )
        s.add(ChatMessage(conversation_id=conv.id, position=position, role="user", text=question))
        conv.updated = utcnow()
        if position == 0:
            conv.title = title_of(question)
        return position, earlier[-HISTORY_TURNS:]


def finish_turn(
    db: Database,
    conversation_id: str,
    position: int,
    text: str,
    *,
    status: str = "done",
    answer_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Store the answer to the question at `position` (replacing one stored before)."""
    with db.session() as s:
        s.execute(
            delete(ChatMessage).where(
                ChatMessage.conversation_id == conversation_id, ChatMessage.position == position + 1
            )
        )
        s.add(
            ChatMessage(
                conversation_id=conversation_id,
                position=position + 1,
                role="assistant",
                text=text,
                status=status,
                answer_id=answer_id,
                data=data or {},
            )
        )
        conv = s.get(Conversation, conversation_id)
        if conv is not None:
            conv.updated = utcnow()
