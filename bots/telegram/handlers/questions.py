"""Any other text is a question: ask the API (showing "typing…" meanwhile) and send the cited
answer, split if long, with source and feedback buttons under its last part."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import Message
from aiogram.utils.chat_action import ChatActionSender

from bots.telegram.api import KenesApi
from bots.telegram.filters import Addressed
from bots.telegram.formatting import format_answer
from bots.telegram.keyboards import answer_keyboard, list_keyboard
from bots.telegram.memory import ChatState
from bots.telegram.paging import list_pages
from bots.telegram.replies import notify, send_chunks, send_html
from bots.telegram.texts import t

log = logging.getLogger(__name__)
router = Router(name="questions")


@router.message(Addressed())
async def question(
    message: Message, bot: Bot, api: KenesApi, chat_state: ChatState, lang: str, question: str
) -> None:
    if not question:
        await notify(bot, message, t("empty_question", lang))
        return
    assert message.from_user is not None  # the access middleware lets only users through
    async with ChatActionSender.typing(
        bot=bot, chat_id=message.chat.id, message_thread_id=message.message_thread_id
    ):
        answer = await api.ask(
            message.from_user.id, question, lang=chat_state.lang, conversation_id=chat_state.conversation_id
        )
    pages = list_pages(answer)
    chat_state.remember(answer)
    in_group = message.chat.type != ChatType.PRIVATE
    if pages:  # a long list: one message, paged in place with ◀ ▶
        chat_state.pages[answer.answer_id] = pages
        log.info("answer %s: a list in %d pages", answer.answer_id, len(pages))
        await send_html(
            bot,
            message.chat.id,
            pages[0].html,
            reply_markup=list_keyboard(answer, pages[0].citations, 0, len(pages)),
            reply_to=message.message_id if in_group else None,
            thread_id=message.message_thread_id,
        )
        return
    chunks = format_answer(answer)
    log.info("answer %s: %d characters in %d message(s)", answer.answer_id, len(answer.answer), len(chunks))
    await send_chunks(
        bot,
        message.chat.id,
        chunks,
        reply_markup=answer_keyboard(answer),
        reply_to=message.message_id if in_group else None,
        thread_id=message.message_thread_id,
    )


@router.message(F.chat.type == ChatType.PRIVATE, F.text.startswith("/"))
async def unknown_command(message: Message, bot: Bot, lang: str) -> None:
    await notify(bot, message, t("unknown_command", lang))


@router.message(F.chat.type == ChatType.PRIVATE, ~F.text)
async def not_text(message: Message, bot: Bot, lang: str) -> None:
    await notify(bot, message, t("text_only", lang))
