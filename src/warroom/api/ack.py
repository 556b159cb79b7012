"""Acknowledgement links (no bearer token: the signed link is the credential) and the
pages of an incident. GET of a link only shows a confirm page, so link scanners that
follow it acknowledge nothing; the page's button POSTs."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from warroom.api.deps import ContextDep, Viewer
from warroom.errors import WarroomError
from warroom.service.incidents.links import LinkView, acknowledge_link, list_pages, view_link

router = APIRouter(tags=["pages"])

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.2rem;padding:.6rem 1.4rem}}</style></head><body>{content}</body></html>"""


@router.get("/api/v1/incidents/{reference}/pages")
def incident_pages(reference: str, ctx: ContextDep, _caller: Viewer) -> list[dict[str, Any]]:
    return ctx.read(list_pages, reference)


@router.get("/ack/{token}", response_class=HTMLResponse, include_in_schema=True)
def confirm_page(token: str, ctx: ContextDep) -> HTMLResponse:
    try:
        view = ctx.read(view_link, token)
    except WarroomError as exc:
        return _html("Acknowledgement link", f"<p>{escape(exc.message)}</p>", exc.status_code)
    if view.used:
        return _html("Already acknowledged", f"<p>{_describe(view)}</p><p>This link was used.</p>")
    form = (
        f"<p>{_describe(view)}</p><form method='post'>"
        "<button type='submit'>Acknowledge</button></form>"
    )
    return _html("Acknowledge page", form)


@router.post("/ack/{token}", response_class=HTMLResponse)
def acknowledge(token: str, ctx: ContextDep) -> HTMLResponse:
    try:
        view = ctx.transact(acknowledge_link, token)
    except WarroomError as exc:
        return _html("Acknowledgement link", f"<p>{escape(exc.message)}</p>", exc.status_code)
    return _html("Acknowledged", f"<p>Acknowledged. {_describe(view)}</p>")


def _describe(view: LinkView) -> str:
    who = f" for {escape(view.person)}" if view.person else ""
    return (
        f"Incident <strong>{escape(view.reference)}</strong> (Sev{view.severity}): "
        f"{escape(view.title)} — {escape(view.kind.replace('_', '-'))}{who}."
    )


def _html(title: str, content: str, status_code: int = 200) -> HTMLResponse:
    heading = f"<h1>{escape(title)}</h1>"
    return HTMLResponse(_PAGE.format(title=escape(title), content=heading + content), status_code)
