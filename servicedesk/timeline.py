"""Entries of the subscriber page's timeline, contributed by each app."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # a short translated label: "Receipt", "Fault"…
    title: str
    url: str = ""
    state: str = ""


@dataclass(frozen=True)
class SubscriberAction:
    """A button on the subscriber page that starts another app's work for this subscriber."""

    label: str
    url: str
    primary: bool = False
