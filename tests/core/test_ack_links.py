"""Acknowledgement tokens: signed, expiring, bound to one message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.core.ack_links import LINK_LIFETIME, ack_url, make_token, read_token
from warroom.errors import InvalidInput

NOW = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def test_a_token_names_its_message_until_it_expires() -> None:
    token = make_token("s3cret", "esc:7:page:incident_commander:sre-lead:0", NOW)
    claim = read_token("s3cret", token, NOW + timedelta(hours=23))
    assert claim.message_key == "esc:7:page:incident_commander:sre-lead:0"
    assert claim.expires_at == NOW + LINK_LIFETIME
    with pytest.raises(InvalidInput, match="expired"):
        read_token("s3cret", token, NOW + LINK_LIFETIME)


def test_a_token_signed_with_another_secret_or_altered_is_not_valid() -> None:
    token = make_token("s3cret", "esc:7:page", NOW)
    with pytest.raises(InvalidInput, match="not valid"):
        read_token("other", token, NOW)
    _payload, signature = token.split(".")
    forged = make_token("s3cret", "esc:8:page", NOW).split(".")[0]
    with pytest.raises(InvalidInput, match="not valid"):
        read_token("s3cret", f"{forged}.{signature}", NOW)
    with pytest.raises(InvalidInput):
        read_token("s3cret", "no-dot-at-all", NOW)


def test_the_link_is_the_public_url_with_the_token() -> None:
    assert ack_url("https://warroom.example/", "abc.def") == "https://warroom.example/ack/abc.def"
