"""Sources: /sources (and the "all sources" button) lists those of an answer; a source button
shows the cited article or registry row, paged, with ◀ ▶ editing the message in place."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bots.telegram.api import ApiError, Citation, KenesApi
from bots.telegram.formatting import format_sources, source_pages
from bots.telegram.keyboards import (
    LIST,
    NOOP,
    OPEN,
    PAGE,
    SEP,
    pager_keyboard,
    sources_keyboard,
    unpack_source,
)
from bots.telegram.memory import ChatState
from bots.telegram.replies import edit_html, notify, send_chunks, send_html
from bots.telegram.texts import t

router = Router(name="sources")


async def _send_list(bot: Bot, chat_id: int, citations: list[Citation], lang: str) -> None:
    await send_chunks(bot, chat_id, format_sources(citations, lang), reply_markup=sources_keyboard(citations))


@router.message(Command("sources"))
async def sources_command(message: Message, bot: Bot, chat_state: ChatState, lang: str) -> None:
    answer = chat_state.last_answer
    if answer is None or not answer.citations:
        await notify(bot, message, t("no_sources", lang))
        return
    await _send_list(bot, message.chat.id, answer.citations, answer.lang)


@router.callback_query(F.data.startswith(LIST + SEP))
async def sources_button(callback: CallbackQuery, bot: Bot, chat_state: ChatState, lang: str) -> None:
    answer = chat_state.answer(str(callback.data).split(SEP, 1)[1])
    if answer is None or callback.message is None:
        await notify(bot, callback, t("stale_button", lang))
        return
    await bot.answer_callback_query(callback.id)
    await _send_list(bot, callback.message.chat.id, answer.citations, answer.lang)


@router.callback_query(F.data.startswith(OPEN + SEP) | F.data.startswith(PAGE + SEP))
async def source_button(callback: CallbackQuery, bot: Bot, api: KenesApi, lang: str) -> None:
    ref = unpack_source(str(callback.data))
    message = callback.message
    if ref is None or message is None:
        await notify(bot, callback, t("stale_button", lang))
        return
    try:
        source = await api.source(callback.from_user.id, ref.citation, ref.lang)
    except ApiError as exc:
        if exc.status != 404:
            raise
        await notify(bot, callback, t("source_gone", lang))
        return
    pages = source_pages(source, ref.lang)
    page = min(ref.page, len(pages) - 1)
    keyboard = pager_keyboard(ref.citation, ref.lang, page, len(pages))
    # a message older than 48 h comes as InaccessibleMessage and can no longer be edited
    if ref.action == PAGE and isinstance(message, Message):
        await edit_html(bot, message.chat.id, message.message_id, pages[page], keyboard)
    else:
        await send_html(bot, message.chat.id, pages[page], reply_markup=keyboard)
    await bot.answer_callback_query(callback.id)


@router.callback_query(F.data == NOOP)
async def page_counter(callback: CallbackQuery, bot: Bot) -> None:
    await bot.answer_callback_query(callback.id)
