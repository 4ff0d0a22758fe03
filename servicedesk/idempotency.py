"""Double-submit protection: a form carries a random key, the service writes it on what it
creates, and a second post with the same key gets the first one's result back."""

from __future__ import annotations

import uuid

from django.db import connection


def idempotency_lock(key: uuid.UUID | None) -> None:
    """Serialize requests carrying the same idempotency key (a transaction advisory lock).

    The second of two identical posts waits here until the first commits, then finds its
    result instead of writing again.
    """
    if key is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [(key.int & (2**63 - 1))])


def replayed(model, key: uuid.UUID | None):
    """The ``model`` row an earlier post with this key already wrote (a double click or a
    re-post), or None: waits first for such a post still running. Call inside the
    service's transaction."""
    idempotency_lock(key)
    if key is None:
        return None
    return model.objects.filter(idempotency_key=key).first()
