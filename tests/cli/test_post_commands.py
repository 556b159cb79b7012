"""`warroom import`: a summary at the end, refused lines named with their numbers."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.service.test_import_and_drills import past_incident
from warroom.cli import state
from warroom.cli.main import app


def test_import_reports_each_refused_line_and_imports_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "past.jsonl"
    source.write_text(past_incident() + "\n{broken\n", encoding="utf-8")
    state._settings = None
    url = f"sqlite:///{tmp_path / 'w.db'}"
    result = CliRunner().invoke(app, ["--database-url", url, "import", str(source)])
    state._settings = None
    assert result.exit_code == 1
    assert "imported 1 incident(s), refused 1" in result.output
    assert "line 2: refused: not JSON" in result.output
