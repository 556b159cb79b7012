"""Content negotiation picks what the Accept header ranks highest among what a route
offers, the route's default when the header names none of it, and never refuses."""

from __future__ import annotations

import pytest

from warroom.api.negotiation import preferred

OFFERED = ["text/markdown", "text/plain", "application/json"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", "text/markdown"),
        ("*/*", "text/markdown"),
        ("application/json", "application/json"),
        ("Application/JSON", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/markdown"),
        ("application/json;q=0.5, text/markdown", "text/markdown"),
        ("text/markdown;q=0.2, application/json;q=0.9", "application/json"),
        ("text/*, application/json", "text/markdown"),
        ("application/json, text/*", "application/json"),
        ("application/json;q=0", "text/markdown"),
        ("application/json;q=high", "text/markdown"),
        ("image/png", "text/markdown"),
        (";;,,q=1,;q=", "text/markdown"),
    ],
)
def test_the_header_ranks_and_the_route_defaults(accept: str, chosen: str) -> None:
    assert preferred(accept, OFFERED) == chosen
