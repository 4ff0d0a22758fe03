"""The embedded development database: used when DATABASE_URL is unset, tools findable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from servicedesk import devdb

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="DATABASE_URL is set")
def test_embedded_server_is_used_without_database_url(db):
    assert Path(connection.settings_dict["HOST"]).resolve() == (ROOT / ".pgdata").resolve()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('data_directory'), inet_server_addr()")
        data_directory, server_addr = cursor.fetchone()
    assert Path(data_directory).resolve() == devdb.PGDATA.resolve()
    assert server_addr is None  # a Unix socket, no TCP port open


def test_bindir_prints_the_folder_with_pg_dump():
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk.devdb", "bindir"], cwd=ROOT,
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    bindir = Path(result.stdout.strip())
    assert (bindir / "pg_dump").is_file() and os.access(bindir / "pg_dump", os.X_OK)
