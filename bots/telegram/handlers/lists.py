"""◀ ▶ under a long list: the message is edited in place to show another page."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message

from bots.telegram.keyboards import LIST_PAGE, SEP, list_keyboard, unpack_list_page
from bots.telegram.memory import ChatState
from bots.telegram.replies import edit_html, notify
from bots.telegram.texts import t

router = Router(name="lists")


@router.callback_query(F.data.startswith(LIST_PAGE + SEP))
async def list_page(callback: CallbackQuery, bot: Bot, chat_state: ChatState, lang: str) -> None:
    parsed = unpack_list_page(str(callback.data))
    answer = chat_state.answer(parsed[0]) if parsed else None
    pages = chat_state.pages.get(parsed[0]) if parsed else None
    message = callback.message
    # pages live in memory: after a restart (or for an old answer) the button is stale
    if parsed is None or answer is None or not pages or not isinstance(message, Message):
        await notify(bot, callback, t("stale_button", lang))
        return
    page = min(parsed[1], len(pages) - 1)
    keyboard = list_keyboard(answer, pages[page].citations, page, len(pages))
    await edit_html(bot, message.chat.id, message.message_id, pages[page].html, keyboard)
    await bot.answer_callback_query(callback.id)
