"""The audit trail: every change to a business record, written by Postgres triggers.

Decorate a model with ``@audited()``: django-pghistory installs insert/update/delete
triggers that copy the row into an event table, with the request's user and URL attached
by ``pghistory.middleware.HistoryMiddleware`` (for POST requests; services run in
commands can add context with ``pghistory.context(...)``). Nothing can change such a
record without leaving a row behind, whatever code path does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pghistory


def audited(*, exclude: list[str] | None = None):
    """Track inserts, updates and deletes of the decorated model (``exclude``: secrets)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        exclude=exclude,
    )


@dataclass(frozen=True)
class Change:
    """One event of an object's history, with what changed from the event before it."""

    at: datetime
    label: str
    user_id: int | None
    url: str | None
    changes: list[tuple[str, Any, Any]]  # (field, before, after)


def object_history(obj, limit: int = 200) -> list[Change]:
    """The object's events, newest first, each with its field-by-field before/after."""
    from pghistory.models import Events

    newest = Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    events = sorted(newest, key=lambda e: (e.pgh_created_at, e.pgh_id))
    history: list[Change] = []
    before: dict[str, Any] = {}
    for event in events:
        data = event.pgh_data or {}
        changes = [
            (field, before.get(field), value)
            for field, value in data.items()
            if before.get(field) != value and field not in {"password", "last_login"}
        ]
        context = event.pgh_context or {}
        history.append(
            Change(
                at=event.pgh_created_at,
                label=event.pgh_label,
                user_id=context.get("user"),
                url=context.get("url"),
                changes=changes,
            )
        )
        before = data
    history.reverse()
    return history
