"""Settings of the Telegram bot, from `KENES_BOT__*` environment variables.

Kept apart from `assistant.settings`: the bot is a separate process that may run on another
host and only needs to know where the Kenes API is and how to authenticate to it."""

from __future__ import annotations

import os

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class BotSettings(BaseSettings):
    # the same optional settings file as the rest of Kenes, so one file can hold everything
    model_config = SettingsConfigDict(
        env_prefix="KENES_BOT__", env_file=os.environ.get("KENES_SETTINGS_FILE", ".env"), extra="ignore"
    )

    token: SecretStr = Field(description="the bot token from @BotFather")
    api_url: str = Field(default="http://127.0.0.1:8000", description="base URL of the Kenes API")
    api_token: SecretStr = Field(description="bearer token of a Kenes user with role 'service'")
    telegram_api_url: str | None = Field(
        default=None,
        description="self-hosted Bot API server base, e.g. http://127.0.0.1:8081; default api.telegram.org",
    )
    rate_limit_per_minute: int = Field(default=20, ge=0, description="per Telegram user; 0 disables")
    request_timeout_s: float = Field(default=120.0, gt=0, description="how long to wait for an answer")
