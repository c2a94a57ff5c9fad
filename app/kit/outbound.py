"""Every HTTP call Haven makes to another service goes through this one client: bounded time,
bounded answers, no redirects followed, retries only where the other side asked for them, and
one error type saying what went wrong in words an operator can act on.

The services called today are those the operator configured: an embeddings provider, and the
Messages API for AI (Anthropic's, or the gateway configured in its place), whose SDK sends
every request through `client`. Their addresses are trusted as configured. Addresses a tenant
gave (webhook endpoints, a platform's action URLs) are called through `send`, which checks
where they lead first (`app.kit.destinations`)."""

import asyncio
import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from app import __version__
from app.kit.addresses import RefusedDestination
from app.kit.backoff import Backoff
from app.kit.destinations import Allowed, pin
from app.kit.models import utcnow

# Larger answers are refused rather than held in memory.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
# Statuses that mean "not now": rate limited, overloaded, or briefly unavailable.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504, 529})
MAX_RETRY_AFTER_SECONDS = 30.0
# What `send` keeps of an answer: receivers' replies are logged as excerpts, never parsed whole.
SENT_ANSWER_BYTES = 64 * 1024


class OutboundError(Exception):
    """A call that did not give a usable answer; `status` is the HTTP status when one came,
    `refused` that the destination may not be called at all (not worth retrying)."""

    def __init__(self, message: str, status: int | None = None, *, refused: bool = False) -> None:
        super().__init__(message)
        self.message, self.status, self.refused = message, status, refused


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


@dataclass(frozen=True)
class Received:
    status: int
    headers: httpx.Headers
    content: bytes


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the other side asked us to wait (`Retry-After` as seconds or a date)."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - utcnow()).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


class Outbound:
    def __init__(
        self,
        *,
        attempts: int = 3,
        backoff: Backoff = Backoff(0.5, 8.0),
        allowed: Allowed = Allowed(),
        https_only: bool = False,
    ) -> None:
        self.attempts, self.backoff = attempts, backoff
        # For calls to addresses a tenant gave (`send`): what may be reached besides the public
        # internet, and whether plain HTTP is refused (in production).
        self.allowed, self.https_only = allowed, https_only
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            headers={"User-Agent": f"Haven/{__version__}"},
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def post_json(
        self, url: str, body: Any, *, headers: dict[str, str], seconds: float
    ) -> Answer:
        """POST `body` as JSON and read a JSON answer, retrying what the other side said to
        retry (429, 5xx, with its `Retry-After` when given) up to `attempts` times; each attempt
        may wait `seconds` to connect and `seconds` between parts of the answer."""
        for attempt in range(1, self.attempts + 1):
            try:
                received = await self._post(url, body, headers, seconds)
            except OutboundError:
                if attempt == self.attempts:
                    raise
                await asyncio.sleep(self.backoff.delay(attempt))
                continue
            if received.status in RETRYABLE and attempt < self.attempts:
                asked = retry_after(received.headers)
                pause = self.backoff.delay(attempt) if asked is None else asked
                await asyncio.sleep(min(pause, MAX_RETRY_AFTER_SECONDS))
                continue
            return _answer(url, received)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        content: bytes,
        seconds: float,
        limit: int = SENT_ANSWER_BYTES,
    ) -> Received:
        """One call to an address a tenant gave (a webhook endpoint, a platform's action):
        its host resolved once and every address checked, the connection made to the checked
        address, no redirect followed, at most `seconds` in all and the answer's first `limit`
        bytes kept. Refused destinations raise `OutboundError` with `refused` set; an answer of
        any status is returned, for the caller to judge (and retry on its own schedule)."""
        try:
            pinned = await pin(url, self.allowed, https_only=self.https_only)
        except RefusedDestination as error:
            raise OutboundError(f"{_where(url)} {error}", refused=True) from None
        request = self.client.build_request(
            method,
            pinned.url,
            content=content,
            headers={**headers, "Host": _host_header(url)},
            timeout=seconds,
            extensions={"sni_hostname": pinned.host},
        )
        try:
            async with asyncio.timeout(seconds):
                response = await self.client.send(request, stream=True)
                try:
                    kept = bytearray()
                    async for part in response.aiter_bytes():
                        kept += part[: limit - len(kept)]
                        if len(kept) >= limit:
                            break
                finally:
                    await response.aclose()
        except TimeoutError:
            raise OutboundError(f"no answer from {_where(url)} within {seconds:g}s") from None
        except httpx.TimeoutException:
            raise OutboundError(f"no answer from {_where(url)} within {seconds:g}s") from None
        except httpx.HTTPError as error:
            raise OutboundError(f"could not reach {_where(url)}: {error}") from None
        return Received(response.status_code, response.headers, bytes(kept))

    async def _post(self, url: str, body: Any, headers: dict[str, str], seconds: float) -> Received:
        try:
            request = self.client.build_request(
                "POST", url, json=body, headers=headers, timeout=seconds
            )
            response = await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            raise OutboundError(f"no answer from {_where(url)} within {seconds:g}s") from None
        except (httpx.HTTPError, ValueError) as error:
            raise OutboundError(f"could not reach {_where(url)}: {error}") from None
        try:
            content = bytearray()
            async for part in response.aiter_bytes():
                content += part
                if len(content) > MAX_RESPONSE_BYTES:
                    raise OutboundError(f"{_where(url)} answered with more than 16 MB")
        except httpx.TimeoutException:
            raise OutboundError(f"{_where(url)} stalled answering, over {seconds:g}s") from None
        except httpx.HTTPError as error:
            raise OutboundError(f"{_where(url)} broke off its answer: {error}") from None
        finally:
            await response.aclose()
        return Received(response.status_code, response.headers, bytes(content))


def _host_header(url: str) -> str:
    parts = httpx.URL(url)
    host = f"[{parts.host}]" if ":" in parts.host else parts.host
    return host if parts.port is None else f"{host}:{parts.port}"


def _where(url: str) -> str:
    parts = httpx.URL(url)
    return f"{parts.host}:{parts.port}" if parts.port else str(parts.host)


def _answer(url: str, received: Received) -> Answer:
    where = _where(url)
    if 300 <= received.status < 400:
        raise OutboundError(
            f"{where} answered {received.status}, a redirect; redirects are not followed",
            received.status,
        )
    if received.status >= 400:
        excerpt = received.content[:200].decode(errors="replace").strip()
        raise OutboundError(
            f"{where} answered {received.status}: {excerpt or 'no details'}", received.status
        )
    try:
        return Answer(received.status, json.loads(received.content))
    except ValueError:
        raise OutboundError(f"{where} answered with something that is not JSON") from None
