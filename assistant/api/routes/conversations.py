"""A user's conversations: list (with search by text), read, rename, delete. The chat stream
(`/api/chat`) writes them; a user only ever sees their own."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from assistant.api.deps import CurrentUser, Principal, State
from assistant.api.errors import Forbidden
from assistant.api.schemas import ConversationDetail, ConversationOut, MessageOut, RenameRequest
from assistant.db import conversations as store

router = APIRouter(prefix="/api/conversations", tags=["conversations"])

MSG_NO_HISTORY = (
    "История диалогов доступна только пользователям, вошедшим в систему. / "
    "Диалогтар тарихы тек жүйеге кірген пайдаланушыларға қолжетімді."
)


def _owner(principal: Principal) -> int:
    if principal.user_id is None:
        raise Forbidden(MSG_NO_HISTORY)
    return principal.user_id


def _ts(value: datetime) -> str:
    return value.isoformat()


def _out(info: store.ConversationInfo) -> ConversationOut:
    return ConversationOut(
        id=info.id,
        title=info.title,
        created=_ts(info.created),
        updated=_ts(info.updated),
        snippet=info.snippet,
    )


@router.get("", response_model=list[ConversationOut])
def list_conversations(
    principal: CurrentUser, state: State, q: str = Query("", max_length=200, description="text to look for")
) -> list[ConversationOut]:
    """Newest first; `q` keeps those whose title or messages contain the text."""
    return [_out(c) for c in store.list_conversations(state.db, _owner(principal), q)]


@router.get("/{conversation_id}", response_model=ConversationDetail)
def get_conversation(conversation_id: str, principal: CurrentUser, state: State) -> ConversationDetail:
    info, messages = store.get_conversation(state.db, _owner(principal), conversation_id)
    return ConversationDetail(
        **_out(info).model_dump(),
        messages=[
            MessageOut(
                position=m.position,
                role="user" if m.role == "user" else "assistant",
                text=m.text,
                status=m.status,
                answer_id=m.answer_id,
                answer=m.data or None,
            )
            for m in messages
        ],
    )


@router.patch("/{conversation_id}", response_model=ConversationOut)
def rename_conversation(
    conversation_id: str, body: RenameRequest, principal: CurrentUser, state: State
) -> ConversationOut:
    return _out(store.rename(state.db, _owner(principal), conversation_id, body.title))


@router.delete("/{conversation_id}", status_code=204)
def delete_conversation(conversation_id: str, principal: CurrentUser, state: State) -> None:
    store.delete_conversation(state.db, _owner(principal), conversation_id)
