"""Signing a test client in to the web UI as a browser does: each POST from our own origin,
each form with the CSRF token the page put in it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

OWN_ORIGIN = "http://testserver"  # TestClient's base URL, as a browser's Origin header


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Sign in with `token`; returns the session's CSRF token for the forms to send."""
    client.headers["Origin"] = OWN_ORIGIN
    answer = client.post("/ui/login", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303
    return csrf_of(client.get("/ui").text)
