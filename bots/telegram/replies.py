"""Sending to Telegram with the fallbacks a long-running bot needs: HTML that Telegram refuses is
resent as plain text, a text Telegram finds too long is split finer, an unchanged edit is not an
error, and a press on a button is always answered (else the client shows a spinner)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    TelegramObject,
)

from bots.telegram.formatting import split_html, strip_html

log = logging.getLogger(__name__)

CALLBACK_TEXT_LIMIT = 200


def _is_parse_error(exc: TelegramBadRequest) -> bool:
    return "parse entities" in exc.message.lower()


def _is_too_long(exc: TelegramBadRequest) -> bool:
    return "too long" in exc.message.lower()


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> list[Message]:
    """Send one HTML text (already within the limit); returns the messages actually sent."""
    reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
    try:
        message = await bot.send_message(
            chat_id, text, reply_markup=reply_markup, reply_parameters=reply, message_thread_id=thread_id
        )
        return [message]
    except TelegramBadRequest as exc:
        if _is_parse_error(exc):
            log.warning("Telegram refused our HTML (%s); sending plain text", exc.message)
            message = await bot.send_message(
                chat_id,
                strip_html(text),
                parse_mode=None,
                reply_markup=reply_markup,
                reply_parameters=reply,
                message_thread_id=thread_id,
            )
            return [message]
        if _is_too_long(exc) and len(text) > 64:
            log.warning("Telegram found a message of %d characters too long; splitting finer", len(text))
            return await send_chunks(
                bot,
                chat_id,
                split_html(text, max(64, len(text) // 2)),
                reply_markup=reply_markup,
                reply_to=reply_to,
                thread_id=thread_id,
            )
        raise


async def send_chunks(
    bot: Bot,
    chat_id: int,
    chunks: list[str],
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> list[Message]:
    """Send the pieces of one long text in order; the keyboard goes on the last one, the reply
    reference on the first."""
    sent: list[Message] = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        sent += await send_html(
            bot,
            chat_id,
            chunk,
            reply_markup=reply_markup if last else None,
            reply_to=reply_to if i == 0 else None,
            thread_id=thread_id,
        )
    return sent


async def edit_html(
    bot: Bot, chat_id: int, message_id: int, text: str, reply_markup: InlineKeyboardMarkup | None
) -> None:
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
        )
    except TelegramBadRequest as exc:
        if "not modified" in exc.message.lower():  # pressed ◀/▶ twice quickly: nothing to change
            return
        if _is_parse_error(exc):
            await bot.edit_message_text(
                text=strip_html(text),
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=reply_markup,
                parse_mode=None,
            )
            return
        raise


async def notify(bot: Bot, event: TelegramObject, text: str) -> None:
    """Tell the user something about their message or button press (HTML text)."""
    if isinstance(event, CallbackQuery):
        plain = strip_html(text)
        if len(plain) > CALLBACK_TEXT_LIMIT:
            plain = plain[: CALLBACK_TEXT_LIMIT - 1] + "…"
        await bot.answer_callback_query(event.id, text=plain, show_alert=True)
    elif isinstance(event, Message):
        reply_to = event.message_id if event.chat.type != "private" else None
        await send_html(bot, event.chat.id, text, reply_to=reply_to, thread_id=event.message_thread_id)
    else:
        log.debug("cannot notify about a %s", type(event).__name__)
