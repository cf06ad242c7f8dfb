"""The one error handler: whatever a handler raises ends here, is logged, and the user gets a
clear message where that makes sense. The bot keeps running in every case."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import ErrorEvent, TelegramObject, Update

from bots.telegram.api import ApiError, ApiUnavailable
from bots.telegram.memory import ChatMemory
from bots.telegram.replies import notify
from bots.telegram.texts import Lang, localize, t

log = logging.getLogger(__name__)
router = Router(name="errors")


def user_message(exc: ApiError, lang: Lang) -> str:
    """What to tell the user about a failed API call."""
    if isinstance(exc, ApiUnavailable):
        return t("api_timeout" if exc.timeout else "api_down", lang)
    if exc.status == 429:
        return t("api_busy", lang, seconds=exc.retry_after or 60)
    if exc.status in (400, 404, 409, 413, 422):
        return localize(exc.message, lang)  # the API's bilingual explanation of the problem
    return t("internal", lang)


def _event_of(update: Update) -> tuple[TelegramObject | None, int | None, str | None]:
    """The event to answer, its chat and the sender's Telegram language."""
    if update.message is not None:
        user = update.message.from_user
        return update.message, update.message.chat.id, user.language_code if user else None
    if update.callback_query is not None:
        cq = update.callback_query
        chat_id = cq.message.chat.id if cq.message is not None else None
        return cq, chat_id, cq.from_user.language_code
    return None, None, None


@router.errors()
async def on_error(event: ErrorEvent, bot: Bot, memory: ChatMemory) -> bool:
    exc = event.exception
    target, chat_id, telegram_language = _event_of(event.update)
    state = memory.peek(chat_id) if chat_id is not None else None
    lang: Lang = state.ui_lang(telegram_language) if state else ("kk" if telegram_language == "kk" else "ru")
    uid = event.update.update_id
    if isinstance(exc, TelegramForbiddenError):
        log.info("update %s: cannot write to chat %s (bot blocked or removed): %s", uid, chat_id, exc.message)
        return True
    if isinstance(exc, TelegramRetryAfter):
        log.warning(
            "update %s: flood control persisted (retry after %s s); reply dropped", uid, exc.retry_after
        )
        return True
    if isinstance(exc, TelegramBadRequest):
        log.warning("update %s: Telegram refused a request: %s", uid, exc.message)
        return True
    if isinstance(exc, TelegramAPIError):
        log.warning("update %s: Telegram error %s: %s", uid, type(exc).__name__, exc.message)
        return True
    if isinstance(exc, ApiError):
        level = logging.WARNING if isinstance(exc, ApiUnavailable) or exc.status >= 429 else logging.INFO
        log.log(level, "update %s: Kenes API: %s", uid, exc)
        text = user_message(exc, lang)
    else:
        log.error("update %s: unhandled %s", uid, type(exc).__name__, exc_info=exc)
        text = t("internal", lang)
    if target is not None:
        try:
            await notify(bot, target, text)
        except TelegramAPIError as send_error:  # e.g. the API is down and so is Telegram
            log.warning("update %s: could not report the error: %s", uid, send_error.message)
    return True
