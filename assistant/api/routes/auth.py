"""Web sign-in: name + password (accounts made by an admin with `kenes users add … --password`)
give an HttpOnly session cookie; sign-out ends the session on the server. API clients and the
bot keep their bearer tokens. To use the organisation's SSO instead, see docs/users.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant.api.deps import SESSION_COOKIE, State
from assistant.api.errors import MSG_RATE_LIMITED, RateLimited, Unauthorized
from assistant.api.schemas import MeOut
from assistant.db import sessions, users
from assistant.ratelimit import RateLimiter

router = APIRouter(prefix="/api/auth", tags=["users"])

MSG_BAD_LOGIN = "Неверное имя или пароль. / Аты немесе құпиясөзі қате."


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


@router.post("/login", response_model=MeOut)
async def login(body: LoginRequest, request: Request, response: Response, state: State) -> MeOut:
    """Sets the `kenes_session` cookie (HttpOnly, SameSite=Strict, Secure over https)."""
    # guessing passwords costs a token from the client address's bucket, like asking does
    host = request.client.host if request.client else "?"
    wait = state.limiter.acquire(f"login:{host}")
    if wait > 0:
        raise RateLimited(MSG_RATE_LIMITED, details={"retry_after": RateLimiter.retry_after_header(wait)})
    # argon2 takes tens of milliseconds on purpose: off the event loop
    user = await run_in_threadpool(users.verify_password, state.db, body.username, body.password)
    if user is None:
        raise Unauthorized(MSG_BAD_LOGIN)
    token = await run_in_threadpool(sessions.create_session, state.db, user.id)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )
    return MeOut(name=user.name, role=user.role)


@router.post("/logout", status_code=204)
async def logout(
    request: Request,
    state: State,
    session: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Response:
    if session:
        await run_in_threadpool(sessions.end_session, state.db, session)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response


def _https(request: Request) -> bool:
    """Secure cookies when the browser talks https, also behind a TLS-terminating proxy."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"
