"""Signed acknowledgement links: HMAC-SHA256 over the message key and an expiry.

A token is `<payload>.<signature>`, both base64url: the payload names the outbox message
and when the link stops working. Tokens are single-use: the service records each used
token's digest (`ack_tokens_used`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.clock import ensure_utc
from warroom.errors import InvalidInput

LINK_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class AckClaim:
    message_key: str
    expires_at: datetime


def make_token(secret: str, message_key: str, now: datetime) -> str:
    expires = int((ensure_utc(now) + LINK_LIFETIME).timestamp())
    payload = _b64(json.dumps({"m": message_key, "e": expires}, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_token(secret: str, token: str, now: datetime) -> AckClaim:
    """The claim a genuine, unexpired token carries; InvalidInput otherwise."""
    payload, _, signature = token.partition(".")
    expected = _sign(secret, payload).encode()
    if not payload or not hmac.compare_digest(signature.encode(), expected):
        raise InvalidInput("this acknowledgement link is not valid", "token")
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claim = AckClaim(
            str(data["m"]), datetime.fromtimestamp(int(data["e"]), ensure_utc(now).tzinfo)
        )
    except (ValueError, KeyError, TypeError, OverflowError, OSError) as exc:
        raise InvalidInput("this acknowledgement link is not valid", "token") from exc
    if claim.expires_at <= ensure_utc(now):
        raise InvalidInput("this acknowledgement link has expired", "token")
    return claim


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ack_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/ack/{token}"


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
