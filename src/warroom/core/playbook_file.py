"""The playbook file: the built-in default, reading and checking a YAML playbook (every
problem in one pass, with its YAML path) and writing one back out."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from warroom.core.playbook import BUILTIN_PLAYBOOK, Playbook, PlaybookInvalid, PlaybookProblem
from warroom.core.playbook_rules import cross_reference_problems


def builtin_playbook_text() -> str:
    return resources.files("warroom.playbooks").joinpath(BUILTIN_PLAYBOOK).read_text("utf-8")


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Load and fully check a playbook; the built-in default when no path is given."""
    source = str(path) if path else f"(built-in {BUILTIN_PLAYBOOK})"
    text = Path(path).read_text("utf-8") if path else builtin_playbook_text()
    playbook, problems = check_playbook_text(text)
    if playbook is None or problems:
        raise PlaybookInvalid(source, problems)
    return playbook


def check_playbook_text(text: str) -> tuple[Playbook | None, list[PlaybookProblem]]:
    """Parse and validate; return the playbook (if it parsed) and every problem found."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [PlaybookProblem(path="(file)", message=f"not valid YAML: {exc}")]
    if not isinstance(raw, dict):
        return None, [PlaybookProblem(path="(file)", message="the top level must be a mapping")]
    try:
        playbook = Playbook.model_validate(raw)
    except ValidationError as exc:
        problems = [_problem_from_error(err) for err in exc.errors()]
        patched = _validate_patched(raw, exc)
        if patched is not None:
            problems += cross_reference_problems(patched)
        return None, problems
    return playbook, cross_reference_problems(playbook)


def _validate_patched(raw: dict[str, Any], exc: ValidationError) -> Playbook | None:
    """Put the built-in value in place of each bad one, so the cross-section checks can
    still run and `check` reports everything in one pass; None if that is not possible."""
    builtin = yaml.safe_load(builtin_playbook_text())
    patched = copy.deepcopy(raw)
    for err in exc.errors():
        location = list(err["loc"])
        replacement = _lookup(builtin, location)
        parent = _lookup(patched, location[:-1])
        if replacement is _MISSING or not isinstance(parent, dict | list):
            return None
        parent[location[-1]] = replacement  # type: ignore[index]
    try:
        return Playbook.model_validate(patched)
    except (ValidationError, IndexError, KeyError, TypeError):
        return None


_MISSING = object()


def _lookup(node: Any, location: list[Any]) -> Any:
    for part in location:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return _MISSING
    return node


def _problem_from_error(err: Any) -> PlaybookProblem:
    path = ".".join(str(part) for part in err["loc"]) or "(file)"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    return PlaybookProblem(path=path, message=message)


def dump_playbook(playbook: Playbook) -> str:
    data = playbook.model_dump(mode="python")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
