"""👍/👎 under an answer: stored by the API in the same feedback table the web chat uses."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery

from bots.telegram.api import ApiError, KenesApi
from bots.telegram.keyboards import FEEDBACK, SEP, unpack_feedback
from bots.telegram.replies import notify
from bots.telegram.texts import t

router = Router(name="feedback")


@router.callback_query(F.data.startswith(FEEDBACK + SEP))
async def rate(callback: CallbackQuery, bot: Bot, api: KenesApi, lang: str) -> None:
    parsed = unpack_feedback(str(callback.data))
    if parsed is None:
        await notify(bot, callback, t("stale_button", lang))
        return
    answer_id, rating = parsed
    try:
        await api.feedback(callback.from_user.id, answer_id, rating)
    except ApiError as exc:
        if exc.status != 404:  # unknown or someone else's answer (a button pressed in a group)
            raise
        await notify(bot, callback, t("feedback_foreign", lang))
        return
    await bot.answer_callback_query(callback.id, text=t("thanks", lang))
