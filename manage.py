#!/usr/bin/env python
import os
import re
import sys


def database_unreachable(exc: Exception) -> str:
    """One readable paragraph for a database that cannot be reached (no traceback)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}, database {db.get('NAME')}"
    reason = re.sub(r"\s+", " ", str(exc)).strip() or exc.__class__.__name__
    if not reason.endswith((".", "?", "!")):
        reason += "."
    if os.environ.get("DATABASE_URL"):
        hint = (
            "DATABASE_URL is set: check that this PostgreSQL server is running and reachable "
            "and that the URL (user, password, host, port, database) is right, or unset "
            "DATABASE_URL to use the embedded development server in .pgdata/."
        )
    else:
        hint = (
            "DATABASE_URL is not set, so this is the embedded development server in .pgdata/: "
            "`make stop` then `make run` restarts it; see .pgdata/log."
        )
    return f"servicedesk cannot reach PostgreSQL at {where}: {reason} {hint}"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    from servicedesk.devdb import EmbeddedDatabaseError

    try:
        execute_from_command_line(sys.argv)
    except (EmbeddedDatabaseError, ImproperlyConfigured) as exc:
        # Configuration and startup problems: the message says what to do.
        if "--traceback" in sys.argv:
            raise
        print(f"servicedesk: {exc}", file=sys.stderr)
        sys.exit(1)
    except OperationalError as exc:
        from django.db import connection

        # Only a failure to connect gets the short message; other errors keep their traceback.
        if "--traceback" in sys.argv or connection.connection is not None:
            raise
        print(database_unreachable(exc), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
