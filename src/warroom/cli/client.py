"""The CLI's HTTP client: talks to WARROOM_URL with WARROOM_TOKEN; refusals become exit 1."""

from __future__ import annotations

from typing import Any

import httpx

from warroom.cli.output import fail
from warroom.settings import Settings


class ApiClient:
    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {settings.token}"} if settings.token else {}
        self._http = httpx.Client(
            base_url=settings.url, headers=headers, timeout=30.0, transport=transport
        )
        self.base_url = settings.url

    def get(self, path: str, **params: Any) -> Any:
        clean = {key: value for key, value in params.items() if value is not None}
        return self._send("GET", path, params=clean)

    def page(self, path: str, **params: Any) -> tuple[Any, str | None]:
        """A GET of one page of a list: its body and the URL of the next page, if any
        (the answer's `Link: <...>; rel="next"`)."""
        clean = {key: value for key, value in params.items() if value is not None}
        response = self._request("GET", path, params=clean)
        following = response.links.get("next", {}).get("url")
        return response.json(), following

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        clean = {key: value for key, value in (body or {}).items() if value is not None}
        return self._send("POST", path, json=clean)

    def delete(self, path: str) -> Any:
        return self._send("DELETE", path)

    def text(self, path: str, **params: Any) -> str:
        response = self._request("GET", path, params=params)
        return response.text

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        return response.json() if response.content else None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            fail(f"cannot reach warroom at {self.base_url}: {exc}")
        if response.status_code >= 400:
            fail(_refusal(response))
        return response


def _refusal(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    message = error.get("message") or f"HTTP {response.status_code}"
    field = error.get("field")
    return f"{message} (field: {field})" if field and field not in message else message
