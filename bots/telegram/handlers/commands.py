"""/start, /help, /lang and /new."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bots.telegram.memory import ChatState
from bots.telegram.replies import notify
from bots.telegram.texts import as_lang, t

router = Router(name="commands")


@router.message(CommandStart())
async def start(message: Message, bot: Bot) -> None:
    # both languages: the user has not chosen one yet
    await notify(bot, message, t("start", "ru") + "\n\n" + t("start", "kk"))


@router.message(Command("help"))
async def help_(message: Message, bot: Bot, lang: str) -> None:
    me = await bot.me()
    await notify(bot, message, t("help", lang, bot=me.username or "bot"))


@router.message(Command("lang"))
async def set_lang(message: Message, bot: Bot, command: CommandObject, chat_state: ChatState) -> None:
    chosen = as_lang(command.args)
    if chosen is None:
        await notify(bot, message, t("lang_usage", chat_state.lang or "ru"))
        return
    chat_state.lang = chosen
    await notify(bot, message, t("lang_set", chosen))


@router.message(Command("new"))
async def new_conversation(message: Message, bot: Bot, chat_state: ChatState, lang: str) -> None:
    chat_state.conversation_id = None
    await notify(bot, message, t("new_conversation", lang))
