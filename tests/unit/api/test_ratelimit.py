from __future__ import annotations

from assistant.ratelimit import RateLimiter
from tests.unit.api.conftest import MakeClient, token_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_refills() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.acquire("u") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("u")
    assert 19.9 < wait <= 20.0  # one token per 20 s at 3/min
    assert limiter.acquire("other") == 0.0
    clock.now += 20
    assert limiter.acquire("u") == 0.0
    assert limiter.acquire("u") > 0


def test_bucket_never_exceeds_capacity() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    clock.now += 3600
    assert [limiter.acquire("u") == 0.0 for _ in range(3)] == [True, True, False]


def test_zero_disables_and_keys_are_bounded() -> None:
    assert RateLimiter(0).acquire("u") == 0.0
    limiter = RateLimiter(1, max_keys=2)
    for key in "abc":
        limiter.acquire(key)
    assert limiter.acquire("a") == 0.0  # "a" was evicted, so it starts with a full bucket


def test_api_returns_429_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(api={"rate_limit_per_minute": 2})
    alice, bob = token_for(client, "alice"), token_for(client, "bob")
    statuses = [
        client.post("/api/ask", json={"question": "Кто?"}, headers=alice).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    r = client.post("/api/chat", json={"question": "Кто?"}, headers=alice)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    message = r.json()["error"]["message"]
    assert "Слишком много" in message and "тым көп" in message
    assert client.post("/api/ask", json={"question": "Кто?"}, headers=bob).status_code == 200
    assert client.get("/api/me", headers=alice).status_code == 200  # only questions are limited
