"""Back up and restore the database with pg_dump / pg_restore (``make backup`` / ``make restore``).

    python -m servicedesk.backup backup [FILE]   # default var/backups/servicedesk-<time>.dump
    python -m servicedesk.backup restore FILE    # replaces the configured database's contents
    python -m servicedesk.backup reset --yes     # drop and recreate the embedded dev database

The database is Django's ``default`` (``DATABASE_URL``, or the embedded server and
``DEV_DATABASE_NAME``). With the embedded server the client tools come from its own
binaries (``python -m servicedesk.devdb bindir``), so their version always matches the
server; with ``DATABASE_URL`` they come from ``PATH`` (install ``postgresql-client`` at
least as new as the server).

The dump is PostgreSQL's custom format (``pg_dump -Fc``): compressed, and restorable
table by table. ``restore`` runs ``pg_restore --clean --if-exists --single-transaction``:
it drops and recreates every object of the dump in one transaction, so a failed restore
leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BACKUP_DIR = BASE_DIR / "var" / "backups"


class BackupError(RuntimeError):
    pass


def _tool(name: str) -> str:
    if not os.environ.get("DATABASE_URL"):
        from servicedesk.devdb import bin_dir

        return str(Path(bin_dir()) / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools "
                          "(Debian: postgresql-client) matching the server's version.")
    return found


def connection_args(db: dict) -> tuple[list[str], dict]:
    """pg_dump/pg_restore arguments and environment for a Django DATABASES entry."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _database(name: str | None = None) -> dict:
    from django.conf import settings

    db = dict(settings.DATABASES["default"])
    if name:
        db["NAME"] = name
    return db


def backup(path: Path | None = None, *, database: str | None = None) -> Path:
    db = _database(database)
    if path is None:
        BACKUP_DIR.mkdir(parents=True, exist_ok=True)
        path = BACKUP_DIR / f"{db['NAME']}-{datetime.now():%Y%m%d-%H%M%S}.dump"
    path = Path(path)
    args, env = connection_args(db)
    partial = path.with_name(path.name + ".partial")
    subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *args,
         "--dbname", db["NAME"]],
        env=env, check=True,
    )
    partial.replace(path)  # never leave a half-written file under the final name
    return path


def restore(path: Path, *, database: str | None = None) -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    db = _database(database)
    args, env = connection_args(db)
    subprocess.run(
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", *args, "--dbname", db["NAME"], str(path)],
        env=env, check=True,
    )


def reset(*, database: str | None = None) -> str:
    """Drop and recreate the embedded server's database (``make clean-db``); never a
    ``DATABASE_URL`` one: dropping a production database is not a make target."""
    if os.environ.get("DATABASE_URL"):
        raise BackupError("reset works on the embedded development database only; "
                          "DATABASE_URL is set.")
    import psycopg

    db = _database(database)
    with psycopg.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"],
                         autocommit=True) as conn:
        name = db["NAME"]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return db["NAME"]


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    import django

    django.setup()
    command = argv[1] if len(argv) > 1 else ""
    try:
        if command == "backup":
            path = backup(Path(argv[2]) if len(argv) > 2 and argv[2] else None)
            print(f"backup written: {path} ({path.stat().st_size // 1024} KiB)")
        elif command == "restore" and len(argv) > 2 and argv[2]:
            restore(Path(argv[2]))
            print(f"restored {argv[2]} into database {_database()['NAME']}")
        elif command == "reset" and argv[2:] == ["--yes"]:
            print(f"dropped and recreated empty database {reset()}")
        else:
            print("usage: python -m servicedesk.backup backup [FILE] | restore FILE"
                  " | reset --yes",
                  file=sys.stderr)
            return 2
    except (BackupError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
