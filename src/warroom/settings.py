"""All configuration in one object, read once at start from the environment and CLI flags."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./warroom.db"
DEFAULT_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    playbook_path: str | None = None
    url: str = DEFAULT_URL
    token: str | None = None
    public_url: str = DEFAULT_URL
    secret: str = ""
    # the environment as it was at start: the playbook names the variables holding secrets
    # (the Slack bot token and signing secret), so they are looked up here, not in os.environ
    environment: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("WARROOM_URL", DEFAULT_URL)
        return cls(
            database_url=env.get("WARROOM_DATABASE_URL", DEFAULT_DATABASE_URL),
            playbook_path=env.get("WARROOM_PLAYBOOK") or None,
            url=url,
            token=env.get("WARROOM_TOKEN") or None,
            public_url=env.get("WARROOM_PUBLIC_URL", url).rstrip("/"),
            secret=env.get("WARROOM_SECRET", ""),
            environment=dict(env),
        )

    def with_overrides(self, **changes: object) -> Settings:
        present = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **present)  # type: ignore[arg-type]


def load_or_create_secret(settings: Settings, path: Path = Path("warroom.secret")) -> str:
    """The server secret that signs acknowledgement links: WARROOM_SECRET, else a local file."""
    if settings.secret:
        return settings.secret
    if path.exists():
        return path.read_text("utf-8").strip()
    secret = secrets.token_urlsafe(32)
    path.write_text(secret, "utf-8")
    path.chmod(0o600)
    return secret
