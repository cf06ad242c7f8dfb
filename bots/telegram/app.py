"""Assembly and the polling loop: the Bot (optionally against a self-hosted Bot API server), the
Dispatcher with its middlewares and routers, and the Kenes API client they share."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand

from bots.telegram import errors
from bots.telegram.api import KenesApi
from bots.telegram.handlers import commands, feedback, lists, questions, sources
from bots.telegram.memory import ChatMemory
from bots.telegram.middlewares import (
    AccessMiddleware,
    ChatContextMiddleware,
    RetryAfterMiddleware,
    ThrottlingMiddleware,
)
from bots.telegram.settings import BotSettings

log = logging.getLogger(__name__)

COMMANDS = {
    "ru": [
        BotCommand(command="help", description="Как пользоваться"),
        BotCommand(command="sources", description="Источники последнего ответа"),
        BotCommand(command="new", description="Новый разговор"),
        BotCommand(command="lang", description="Язык: /lang ru или /lang kk"),
    ],
    "kk": [
        BotCommand(command="help", description="Қалай пайдалану керек"),
        BotCommand(command="sources", description="Соңғы жауаптың дереккөздері"),
        BotCommand(command="new", description="Жаңа әңгіме"),
        BotCommand(command="lang", description="Тіл: /lang ru немесе /lang kk"),
    ],
}


def create_bot(settings: BotSettings) -> Bot:
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    else:
        session = AiohttpSession()
    session.middleware(RetryAfterMiddleware())
    defaults = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
    return Bot(settings.token.get_secret_value(), session=session, default=defaults)


def create_dispatcher(settings: BotSettings, api: KenesApi, memory: ChatMemory | None = None) -> Dispatcher:
    memory = ChatMemory() if memory is None else memory  # an empty memory is falsy
    dp = Dispatcher(api=api, memory=memory)
    # inner middlewares run after a handler's filters matched, so group chatter that is not
    # addressed to the bot is neither throttled nor checked against the allowlist
    for observer in (dp.message, dp.callback_query):
        observer.middleware(ChatContextMiddleware(memory))
        observer.middleware(ThrottlingMiddleware(settings.rate_limit_per_minute))
        observer.middleware(AccessMiddleware(api))
    dp.include_routers(
        errors.router, commands.router, sources.router, lists.router, feedback.router, questions.router
    )
    dp.startup.register(_on_startup)
    dp.shutdown.register(_on_shutdown)
    return dp


async def _on_startup(bot: Bot, api: KenesApi) -> None:
    me = await bot.me()
    allowed = await api.allowlist_size()
    # one line an admin can check at a glance: which bot, which API, how many people may use it
    log.info(
        "bot @%s (id %s) starting; Kenes API at %s; allow-list: %s Telegram user(s)",
        me.username,
        me.id,
        api.base_url,
        "?" if allowed is None else allowed,
    )
    # polling and a webhook exclude each other; a leftover webhook would starve getUpdates
    await bot.delete_webhook(drop_pending_updates=False)
    try:
        await bot.set_my_commands(COMMANDS["ru"])
        await bot.set_my_commands(COMMANDS["kk"], language_code="kk")
    except TelegramAPIError as exc:  # a menu is a nicety; never a reason not to start
        log.warning("could not set the command menu: %s", exc.message)
    if not await api.health():
        log.warning("the Kenes API at %s does not answer yet; users will be told until it does", api.base_url)


async def _on_shutdown(api: KenesApi) -> None:
    await api.close()


class KenesBot:
    """The bot process: `await run()` polls until `await stop()` (or SIGINT/SIGTERM)."""

    def __init__(self, settings: BotSettings) -> None:
        self.settings = settings
        self.api = KenesApi(
            settings.api_url, settings.api_token.get_secret_value(), timeout_s=settings.request_timeout_s
        )
        self.memory = ChatMemory()
        self.bot = create_bot(settings)
        self.dispatcher = create_dispatcher(settings, self.api, self.memory)

    async def run(self, *, handle_signals: bool = True, polling_timeout: int = 30) -> None:
        try:
            await self.dispatcher.start_polling(
                self.bot, handle_signals=handle_signals, polling_timeout=polling_timeout
            )
        finally:
            # a failed start-up skips aiogram's own clean-up; closing twice is harmless
            await self.bot.session.close()
            await self.api.close()

    async def stop(self) -> None:
        await self.dispatcher.stop_polling()
