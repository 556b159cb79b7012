"""Content negotiation: which of the representations a route offers the `Accept` header
ranks highest. A header that names none of them (or none at all) gets the route's default,
the first offered, and a malformed one is read as far as it makes sense, never refused."""

from __future__ import annotations

from collections.abc import Sequence


def preferred(accept: str, offered: Sequence[str]) -> str:
    """The offered media type the header ranks highest: by quality, then by its place in
    the header, then by the route's own order (so `*/*` gets the default)."""
    ranked: list[tuple[float, int, int, str]] = []
    for place, part in enumerate(accept.split(",")):
        media, _, parameters = part.partition(";")
        quality = _quality(parameters)
        if quality <= 0:
            continue
        for order, offer in enumerate(offered):
            if _matches(media.strip().lower(), offer):
                ranked.append((-quality, place, order, offer))
    return min(ranked)[3] if ranked else offered[0]


def _matches(media: str, offer: str) -> bool:
    if media in (offer, "*/*"):
        return True
    return media.endswith("/*") and offer.startswith(media[:-1])


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0
