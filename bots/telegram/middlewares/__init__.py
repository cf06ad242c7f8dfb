"""Middlewares: per-chat context, per-user throttling and the allowlist (update handlers, in
that order), and flood-control retries (Telegram requests)."""

from bots.telegram.middlewares.access import AccessMiddleware
from bots.telegram.middlewares.context import ChatContextMiddleware
from bots.telegram.middlewares.retry import RetryAfterMiddleware
from bots.telegram.middlewares.throttling import ThrottlingMiddleware

__all__ = [
    "AccessMiddleware",
    "ChatContextMiddleware",
    "RetryAfterMiddleware",
    "ThrottlingMiddleware",
]
